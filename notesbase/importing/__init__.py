"""Importers of the network's existing material: notes files and the
network's event pages (``notesbase import``)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add ``notesbase import``."""
    from notesbase.importing.cli import import_cli

    app.cli.add_command(import_cli)
