"""`notesbase --help` lists the project's commands, each with its whole
description, and none of Flask's; `--version` is the package's; and the
help starts without building the app or importing its libraries."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import click
from click.testing import CliRunner
from flask.cli import ScriptInfo

from notesbase.cli import COMMANDS, cli

# Libraries that only the app, or a command, needs.
HEAVY = (
    "alembic",
    "flask_limiter",
    "flask_login",
    "icu",
    "markdown_it",
    "nh3",
    "numpy",
    "sqlalchemy",
    "weasyprint",
    "whoosh",
    "wtforms",
)


def listed(help_text: str) -> dict[str, str]:
    """The Commands section of a help text: each name with its description
    (a description wrapped onto further lines joined back)."""
    commands: dict[str, str] = {}
    name = None
    for line in help_text.split("Commands:\n", 1)[1].splitlines():
        words = line.split(maxsplit=1)
        if not words:
            continue
        if line.startswith("  ") and not line.startswith("   "):
            name = words[0]
            commands[name] = words[1] if len(words) > 1 else ""
        elif name is not None:
            commands[name] += " " + line.strip()
    return commands


def test_help_lists_exactly_the_apps_commands_with_whole_descriptions(app):
    """Every command the app has, and `run`, each with its complete line; no
    Flask command (routes, shell, limiter) and no --app or --env-file."""
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    commands = listed(result.output)
    assert set(commands) == {*app.cli.commands, "run"}
    for name, entry in COMMANDS.items():
        assert commands[name] == entry.description
    assert commands["run"] == "Run a development server."
    assert not any(text.endswith("...") for text in commands.values())
    options = result.output.split("Commands:")[0]
    for hidden in ("--app", "--env-file", "routes", "shell", "limiter"):
        assert hidden not in options and hidden not in commands


def test_each_command_is_the_one_the_app_has(app):
    """The command line runs the app's own commands, subcommands the app adds
    (`export notes-md`, `export writeup`) included."""
    with click.Context(cli, obj=ScriptInfo(create_app=lambda: app)) as ctx:
        for name in COMMANDS:
            assert cli.get_command(ctx, name) is app.cli.commands[name], name
        export = cli.get_command(ctx, "export")
        assert {"notes", "notes-md", "writeup"} <= set(export.commands)


def test_version_is_the_packages():
    """`notesbase --version` prints notesbase's version, not Flask's."""
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"notesbase {importlib.metadata.version('notesbase')}\n"


def test_help_imports_neither_the_app_nor_its_libraries(tmp_path):
    """`python -m notesbase --help` imports only the command line's own
    modules: no model, view or service, and none of the heavy libraries."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "notesbase", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Commands:" in result.stdout
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "notesbase.cli" in imported  # the import times were read
    ours = {name for name in imported if name.split(".")[0] == "notesbase"}
    line = {"notesbase", "notesbase.__main__", "notesbase.cli", "notesbase.commands"}
    assert ours <= line | {"notesbase.site"}
    heavy = {name for name in imported if name.split(".")[0] in HEAVY}
    assert not heavy


def test_every_group_lists_its_commands_whole(app):
    """`notesbase export --help` and every other group's help give each
    subcommand its whole first sentence, never one cut off with "..."."""
    groups = [
        name for name, command in app.cli.commands.items() if isinstance(command, click.Group)
    ]
    assert {"db", "export", "import", "index", "token", "user"} <= set(groups)
    for name in groups:
        result = CliRunner().invoke(cli, [name, "--help"], obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 0, result.output
        commands = listed(result.output)
        assert commands, name
        for sub, text in commands.items():
            assert not text.endswith("..."), f"{name} {sub}: {text}"
            whole = app.cli.commands[name].commands[sub].get_short_help_str(limit=1000)
            assert text == whole, f"{name} {sub}"
