"""Accounts: login, logout, invitations, passwords."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the account pages and ``notesbase user``."""
    from notesbase.auth.cli import user_cli
    from notesbase.auth.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(user_cli)
