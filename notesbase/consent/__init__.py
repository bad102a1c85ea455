"""Consent pages: a member's own attributions, and facilitators' people and
consent records."""

from flask import Blueprint

bp = Blueprint("consent", __name__)

from notesbase.consent import people_pages, views  # noqa: E402, F401
