"""The ``notesbase`` command: Flask's command group bound to this app, so
``notesbase run``, ``notesbase db upgrade`` and the rest need no ``--app``."""

from __future__ import annotations

from typing import Any

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from flask.cli import run_command as flask_run_command

from notesbase import create_app
from notesbase.site import ConfigError, record_served_at, served_address


def register_commands(app: Flask) -> None:
    """Add the project's commands to ``app.cli`` (also reachable via ``flask --app notesbase``)."""
    from notesbase.api.cli import token_cli
    from notesbase.auth.cli import user_cli
    from notesbase.backup import backup_command, restore_command
    from notesbase.demo import demo_command
    from notesbase.importing.cli import import_cli
    from notesbase.migrate import db_cli
    from notesbase.notes.cli import export_cli
    from notesbase.serving import serve_command

    for command in (
        db_cli,
        user_cli,
        token_cli,
        import_cli,
        export_cli,
        demo_command,
        serve_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)


def database_problem(error: sa.exc.DBAPIError) -> str:
    """One line saying what is wrong with the database, and what to do."""
    text = str(error.orig).lower()
    if "no such table" in text or ("does not exist" in text and "relation" in text):
        return "The database is not set up (or is behind): run `notesbase db upgrade` first."
    if isinstance(error, sa.exc.OperationalError):
        return f"Cannot use the database: {str(error.orig).strip().splitlines()[0]}"
    return f"The database refused the change: {str(error.orig).strip().splitlines()[0]}"


class NotesbaseGroup(FlaskGroup):
    """Database errors and settings that cannot work end a command with a
    one-line message, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sa.exc.DBAPIError as error:
            raise click.ClickException(database_problem(error)) from None
        except ConfigError as error:
            raise click.ClickException(str(error)) from None


def development_run_command() -> click.Command:
    """Flask's ``run``, whose app knows the address it is served at (the
    site's address when ``BASE_URL`` is unset) and applies the search
    outbox before the server takes its first request."""
    from notesbase.serving import catch_up_index

    def run(**options: Any) -> Any:
        info = click.get_current_context().ensure_object(ScriptInfo)
        make = info.create_app or create_app

        def create_and_catch_up() -> Flask:
            app = make()
            address = served_address(
                options["host"], options["port"], https=options.get("cert") is not None
            )
            record_served_at(app, address)
            catch_up_index(app)
            return app

        info.create_app = create_and_catch_up
        return flask_run_command.callback(**options)  # type: ignore[misc]

    return click.Command(
        "run",
        callback=run,
        params=list(flask_run_command.params),
        help=flask_run_command.help,
        short_help=flask_run_command.short_help,
    )


cli = NotesbaseGroup(
    create_app=create_app,
    help="notesbase: notes of meetings held under the Chatham House Rule.",
)
cli.add_command(development_run_command())
