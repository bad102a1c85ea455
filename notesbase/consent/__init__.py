"""Consent: how each person may be credited, per audience and scope.

- ``grants``: granting and withdrawing consent (the service);
- ``shown``: what the consent pages show (read-only);
- ``views``: a member's own attributions; ``people_pages``: facilitators'
  people and consent records; both on one blueprint (``blueprint``);
  ``forms``: their forms."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the consent pages (importing them adds their routes)."""
    from notesbase.consent import people_pages, views  # noqa: F401 - they add the routes
    from notesbase.consent.blueprint import bp

    app.register_blueprint(bp)
