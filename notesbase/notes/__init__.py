"""The notes of meetings: reading them as an audience, writing them, and the
people who speak in them. Pages live in ``views`` (readers) and ``editor``
(facilitators); services in ``items`` and ``people`` (consent is granted in
``notesbase.consent.grants``)."""

from notesbase.notes.blueprint import bp

__all__ = ["bp"]


def register(app) -> None:  # type: ignore[no-untyped-def]
    """Import the page modules (they add routes to ``bp``) and register it;
    add ``notesbase export notes``."""
    from notesbase.meetings.cli import export_cli
    from notesbase.notes import editor, views  # noqa: F401
    from notesbase.notes.cli import export_notes_command

    app.register_blueprint(bp)
    export_cli.add_command(export_notes_command)
