"""The ``notesbase`` command: Flask's command group bound to this app, so
``notesbase run``, ``notesbase db upgrade`` and the rest need no ``--app``."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from notesbase import create_app


def register_commands(app: Flask) -> None:
    """Add the project's commands to ``app.cli`` (also reachable via ``flask --app notesbase``)."""
    from notesbase.migrate import db_cli

    app.cli.add_command(db_cli)


cli = FlaskGroup(
    create_app=create_app,
    help="notesbase: notes of meetings held under the Chatham House Rule.",
)
