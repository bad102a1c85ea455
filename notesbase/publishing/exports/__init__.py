"""Exports of the circulated notes (the members' view): Markdown, a
print-ready page and PDF, each passing the leak check (channel
``notes-export``) on exactly the text served.

- ``notes``: every piece of an export made once, and the leak check's
  channel reading the same pieces;
- ``markdown``: disclosed HTML to Markdown (pure); ``pdf``: the print page
  as PDF, by WeasyPrint, where it can load;
- ``views``: the downloads and the print page; ``cli``:
  ``notesbase export notes-md``."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the leak-check channel, the downloads and ``notesbase export notes-md``."""
    from notesbase.meetings.cli import export_cli
    from notesbase.publishing.exports.cli import notes_md_command
    from notesbase.publishing.exports.notes import register_channel
    from notesbase.publishing.exports.views import bp

    register_channel()
    app.register_blueprint(bp)
    export_cli.add_command(notes_md_command)
