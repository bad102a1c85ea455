"""The production entry point: ``notesbase serve`` runs the app under
gunicorn with several worker processes."""

from __future__ import annotations

import click


@click.command("serve")
def serve_command() -> None:
    """Serve the app with gunicorn (several worker processes)."""
    raise click.ClickException("notesbase serve is not available yet")
