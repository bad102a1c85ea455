"""The consent pages' blueprint, shared by a member's own attributions
(``views``) and the facilitators' people pages (``people_pages``)."""

from flask import Blueprint

bp = Blueprint("consent", __name__)
