"""Every command of ``notesbase``: where it lives and its line in
``notesbase --help``, so the command line (``notesbase.cli``) lists them
without importing any, and imports one only when it is asked for."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from flask import Flask


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


# The app's own, added by the factory (``add_app_commands``) by name: so it
# imports none of them, and ``serve`` and ``restore``, which build apps of
# their own, may import the factory.
APP_COMMANDS: dict[str, Command] = {
    "backup": Command(
        "notesbase.backup.writing:backup_command",
        "Write a consistent backup into a new folder while the app runs.",
    ),
    "db": Command("notesbase.migrate:db_cli", "Migrate the database schema."),
    "demo": Command(
        "notesbase.demo:demo_command",
        "Load the demo series and demo accounts into an empty database.",
    ),
    "restore": Command(
        "notesbase.backup.restoring:restore_command",
        "Restore a backup written by `notesbase backup`.",
    ),
    # gunicorn's master imports the app's code (shared by the workers) and
    # logs through the app's escaping, as it did before this list existed.
    "serve": Command(
        "notesbase.serving:serve_command",
        "Serve the app with gunicorn (several worker processes).",
        built_with_app=True,
    ),
}

# The features', each added by its package's ``register(app)``.
FEATURE_COMMANDS: dict[str, Command] = {
    "check": Command(
        "notesbase.publishing.leakcheck.cli:check_command",
        "Run the leak check on a meeting, for every channel.",
    ),
    "circulate": Command(
        "notesbase.publishing.circulation.cli:circulate_command",
        "Email a meeting's notes (the members' view) to its series.",
    ),
    # The meetings' group: `export notes` is added by the notes,
    # `export notes-md` and `export writeup` by publishing.
    "erase": Command(
        "notesbase.privacy.erasure.cli:erase_command",
        "Forget a person everywhere their details were typed (irreversible).",
    ),
    "export": Command(
        "notesbase.meetings.cli:export_cli",
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
    "retention": Command(
        "notesbase.privacy.retention.cli:retention_cli",
        "Run the series' retention schedules (safe from cron) and list what is due.",
    ),
    "review": Command(
        "notesbase.review.cli:review_cli",
        "Review rounds of meetings' notes: remind those who have not answered.",
    ),
    "subject-access": Command(
        "notesbase.privacy.subject_access.cli:subject_access_command",
        "Write everything held about one person into a zip (a subject access request).",
    ),
    "token": Command("notesbase.api.cli:token_cli", "Manage API tokens."),
    "user": Command("notesbase.auth.cli:user_cli", "Manage member accounts."),
}

COMMANDS: dict[str, Command] = dict(sorted({**APP_COMMANDS, **FEATURE_COMMANDS}.items()))


def add_app_commands(app: Flask) -> None:
    """Add the app's own commands to ``app.cli`` (also reachable via
    ``flask --app notesbase``, and by ``app.test_cli_runner()``); each
    feature's ``register(app)`` adds its own."""
    for command in APP_COMMANDS.values():
        app.cli.add_command(command.load())
