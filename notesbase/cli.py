"""The ``notesbase`` command: Flask's command group bound to this app, so
``notesbase run``, ``notesbase db upgrade`` and the rest need no ``--app``."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from notesbase import create_app


def register_commands(app: Flask) -> None:
    """Add the project's commands to ``app.cli`` (also reachable via ``flask --app notesbase``)."""
    from notesbase.auth.cli import user_cli
    from notesbase.demo import demo_command
    from notesbase.importing.cli import import_cli
    from notesbase.migrate import db_cli

    for command in (db_cli, user_cli, import_cli, demo_command):
        app.cli.add_command(command)


cli = FlaskGroup(
    create_app=create_app,
    help="notesbase: notes of meetings held under the Chatham House Rule.",
)
