"""Series, meetings and topics in the browser, and the ``notesbase export``
group that the features' exports of a meeting join (``cli``)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the public pages, the facilitators' pages (``manage`` adds its
    routes to the same blueprint) and ``notesbase export``."""
    from notesbase.meetings import manage  # noqa: F401 - adds the facilitators' pages
    from notesbase.meetings.cli import export_cli
    from notesbase.meetings.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(export_cli)
