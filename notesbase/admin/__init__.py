"""Administration: members, roles, series membership and invitations."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the administration pages."""
    from notesbase.admin.views import bp

    app.register_blueprint(bp)
