"""A command group whose help lists each subcommand with its whole first
sentence, as ``notesbase --help`` does, rather than cut at 45 characters."""

from __future__ import annotations

import click
from flask.cli import AppGroup


class CommandGroup(AppGroup):
    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.short_help or command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
