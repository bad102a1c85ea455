"""JSON API v1: bearer tokens, JSON errors, the disclosed view of the notes."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from notesbase.api import (  # noqa: E402, F401
    auth,
    errors,
    items,
    manage,
    openapi,
    people,
    search,
    unit_of_work,
    views,
)
