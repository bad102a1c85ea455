"""``python -m notesbase`` is the same as the ``notesbase`` command."""

from notesbase.cli import cli

cli()
