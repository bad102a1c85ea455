"""``notesbase demo``: demo data (filled in by the meetings work)."""

import click
from flask.cli import with_appcontext


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo series and accounts into an empty database."""
    raise click.ClickException("not built yet")
