"""Each series' retention schedule and what happens when it falls due.

- ``schedule``: reading, storing and describing a schedule; which meetings are due;
- ``cutting``: facilitators-only text cut out of stored Markdown (pure);
- ``work``, ``outcomes``, ``anonymising``: the three outcomes on one meeting;
- ``run`` and ``cli``: ``notesbase retention apply | show``;
- ``views``, ``forms``: the facilitators' page; ``api``: the JSON API."""

from __future__ import annotations

from flask import Flask

from notesbase.extensions import csrf


def register(app: Flask) -> None:
    """Add the schedule's page, its API routes, the series page's notice and the command."""
    from notesbase.privacy.retention import api, views
    from notesbase.privacy.retention.cli import retention_cli
    from notesbase.privacy.retention.schedule import applied_before, describe

    app.register_blueprint(views.bp)
    csrf.exempt(api.bp)  # no cookie is read: the token, in a header
    app.cli.add_command(retention_cli)
    app.add_template_global(describe, "retention_schedule")
    app.add_template_global(applied_before, "retention_applied_before")
    app.add_template_global(views.shown_to_reader, "retention_shown")
