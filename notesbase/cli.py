"""The ``notesbase`` command: the project's commands, bound to this app, so
``notesbase run``, ``notesbase db upgrade`` and the rest need no ``--app``.

It starts quickly: ``notesbase --help`` and ``--version`` import neither the
app nor its commands (the list below holds each command's one-line
description), a command's module is imported only when it is asked for, and
the app is built only when a command needs it (``with_appcontext``)."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo
from flask.cli import run_command as flask_run_command

from notesbase.site import ConfigError, record_served_at, served_address

if TYPE_CHECKING:
    import sqlalchemy as sa


@dataclass(frozen=True)
class Command:
    """A command of ``notesbase``, imported when it is asked for."""

    target: str  # "module:attribute" of the click command
    description: str  # its line in ``notesbase --help``, complete
    # Its subcommands are added when the app is built, or it needs the
    # app's code and logging set up before it starts: built on look-up.
    built_with_app: bool = False

    def load(self) -> click.Command:
        module, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a command")
        return command


COMMANDS: dict[str, Command] = {
    "backup": Command(
        "notesbase.backup.writing:backup_command",
        "Write a consistent backup into a new folder while the app runs.",
    ),
    "check": Command(
        "notesbase.publishing.leak_views:check_command",
        "Run the leak check on a meeting, for every channel.",
    ),
    "circulate": Command(
        "notesbase.publishing.circulation_cli:circulate_command",
        "Email a meeting's notes (the members' view) to its series.",
    ),
    "db": Command("notesbase.migrate:db_cli", "Migrate the database schema."),
    "demo": Command(
        "notesbase.demo:demo_command",
        "Load the demo series and demo accounts into an empty database.",
    ),
    # `export notes-md` and `export writeup` are added by publishing.register.
    "export": Command(
        "notesbase.notes.cli:export_cli",
        "Export a meeting's notes file, members' view or write-up.",
        built_with_app=True,
    ),
    "import": Command(
        "notesbase.importing.cli:import_cli",
        "Import notes files and the network's event pages.",
    ),
    "index": Command(
        "notesbase.search.cli:index_cli", "Keep the search index in step with the database."
    ),
    "restore": Command(
        "notesbase.backup.restoring:restore_command",
        "Restore a backup written by `notesbase backup`.",
    ),
    "review": Command(
        "notesbase.review.cli:review_cli",
        "Review rounds of meetings' notes: remind those who have not answered.",
    ),
    # gunicorn's master imports the app's code (shared by the workers) and
    # logs through the app's escaping, as it did before this list existed.
    "serve": Command(
        "notesbase.serving:serve_command",
        "Serve the app with gunicorn (several worker processes).",
        built_with_app=True,
    ),
    "token": Command("notesbase.api.cli:token_cli", "Manage API tokens."),
    "user": Command("notesbase.auth.cli:user_cli", "Manage member accounts."),
}


def register_commands(app: Flask) -> None:
    """Add the project's commands to ``app.cli`` (also reachable via
    ``flask --app notesbase``, and by ``app.test_cli_runner()``)."""
    for command in COMMANDS.values():
        app.cli.add_command(command.load())


def database_problem(error: sa.exc.DBAPIError) -> str:
    """One line saying what is wrong with the database, and what to do."""
    import sqlalchemy as sa

    text = str(error.orig).lower()
    if "no such table" in text or ("does not exist" in text and "relation" in text):
        return "The database is not set up (or is behind): run `notesbase db upgrade` first."
    if isinstance(error, sa.exc.OperationalError):
        return f"Cannot use the database: {str(error.orig).strip().splitlines()[0]}"
    return f"The database refused the change: {str(error.orig).strip().splitlines()[0]}"


def _create_app() -> Flask:
    from notesbase import create_app

    return create_app()


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--debug`` as Flask's own: FLASK_DEBUG, read when the app is built."""
    source = ctx.get_parameter_source(param.name or "")
    if source not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        os.environ["FLASK_DEBUG"] = "1" if value else "0"


class NotesbaseGroup(AppGroup):
    """The commands of ``COMMANDS`` and those added to the group itself
    (``run``). Database errors and settings that cannot work end a command
    with a one-line message, not a traceback."""

    def __init__(self, **extra: Any) -> None:
        # FLASK_RUN_PORT and the like keep working, as under Flask's group.
        extra.setdefault("context_settings", {}).setdefault("auto_envvar_prefix", "FLASK")
        super().__init__(**extra)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # Flask's app.run does nothing when called under its command line.
        os.environ["FLASK_RUN_FROM_CLI"] = "true"
        extra.setdefault("obj", ScriptInfo(create_app=_create_app, load_dotenv_defaults=False))
        return super().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        command = COMMANDS.get(name)
        if command is None:
            return None
        if not command.built_with_app:
            return command.load()
        app = ctx.ensure_object(ScriptInfo).load_app()
        if not current_app or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
            ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command with its whole description, without importing it."""
        rows = []
        for name in self.list_commands(ctx):
            own = self.commands.get(name)
            if own is None:
                rows.append((name, COMMANDS[name].description))
            else:
                rows.append((name, own.short_help or own.get_short_help_str(limit=1000)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise click.ClickException(str(error)) from None
        except Exception as error:
            import sqlalchemy as sa

            if isinstance(error, sa.exc.DBAPIError):
                raise click.ClickException(database_problem(error)) from None
            raise


def development_run_command() -> click.Command:
    """Flask's ``run``, whose app knows the address it is served at (the
    site's address when ``BASE_URL`` is unset) and applies the search
    outbox before the server takes its first request."""

    def run(**options: Any) -> Any:
        info = click.get_current_context().ensure_object(ScriptInfo)
        make = info.create_app or _create_app

        def create_and_catch_up() -> Flask:
            from notesbase.serving import catch_up_index

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
        short_help="Run a development server.",
    )


cli = NotesbaseGroup(
    name="notesbase",
    help="notesbase: notes of meetings held under the Chatham House Rule.",
    params=[
        click.Option(
            ["--debug/--no-debug"],
            expose_value=False,
            callback=_set_debug,
            help="Debug mode: the reloader and Werkzeug's debugger for `run`.",
        )
    ],
)
cli.add_command(development_run_command())
click.version_option(
    package_name="notesbase", prog_name="notesbase", message="%(prog)s %(version)s"
)(cli)
