"""The notes of meetings: reading them as an audience, writing them, and the
people who speak in them. Pages live in ``views`` (readers) and ``editor``
(facilitators), on one blueprint (``blueprint``); services in ``items`` and
``people`` (consent is granted in ``notesbase.consent.grants``)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the readers' and the editor's pages (importing them adds their
    routes to the blueprint) and ``notesbase export notes``."""
    from notesbase.meetings.cli import export_cli
    from notesbase.notes import editor, editor_file, views  # noqa: F401 - they add the routes
    from notesbase.notes.blueprint import bp
    from notesbase.notes.cli import export_notes_command

    app.register_blueprint(bp)
    export_cli.add_command(export_notes_command)
