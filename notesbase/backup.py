"""``notesbase backup PATH`` and ``notesbase restore PATH``: a consistent copy
of the database while the app runs, with a notes export; and bringing it back."""

from __future__ import annotations

import click


@click.command("backup")
def backup_command() -> None:
    """Write a consistent backup of the database."""
    raise click.ClickException("notesbase backup is not available yet")


@click.command("restore")
def restore_command() -> None:
    """Restore a backup written by ``notesbase backup``."""
    raise click.ClickException("notesbase restore is not available yet")
