"""JSON API v1: bearer tokens, JSON errors, the disclosed view of the notes."""

from flask import Blueprint, Flask

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


def register(app: Flask) -> None:
    """Add the API's blueprint (its routes and hooks) and its JSON 503."""
    from notesbase.errors import JSON_UNAVAILABLE
    from notesbase.extensions import csrf

    csrf.exempt(bp)  # bearer tokens, never cookies: nothing for CSRF to ride on
    app.register_blueprint(bp)
    app.extensions[JSON_UNAVAILABLE] = unit_of_work.unavailable_answer
