"""JSON API v1: bearer tokens, JSON errors, the disclosed view of the notes.

Its blueprint (``blueprint``) gets its hooks from ``auth`` (the caller's
token), ``errors`` (every failure in JSON) and ``unit_of_work`` (one COMMIT
per write, ``idempotency``), and its routes from ``views``, ``items``,
``people``, ``manage``, ``search``, ``openapi`` and ``writeups`` (the
write-up's routes, publishing's, nested in it). What JSON routes elsewhere
share with it is in ``notesbase.api_support``."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the API's blueprint with its routes and hooks, its JSON 503 and
    ``notesbase token``."""
    from notesbase.api import (  # noqa: F401 - importing adds the routes and hooks
        auth,
        errors,
        items,
        manage,
        openapi,
        people,
        search,
        unit_of_work,
        views,
        writeups,
    )
    from notesbase.api.blueprint import bp
    from notesbase.api.cli import token_cli
    from notesbase.errors import JSON_UNAVAILABLE
    from notesbase.extensions import csrf
    from notesbase.publishing.writeups import api as writeup_api

    # Bearer tokens, never cookies: nothing for CSRF to ride on.
    csrf.exempt(bp)
    csrf.exempt(writeup_api.bp)
    app.register_blueprint(bp)
    app.extensions[JSON_UNAVAILABLE] = unit_of_work.unavailable_answer
    app.cli.add_command(token_cli)
