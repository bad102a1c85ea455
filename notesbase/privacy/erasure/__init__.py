"""Erasure: forgetting a person, with a choice per item (remove their words,
or keep them anonymised), their details taken out everywhere they were
typed, and what cannot be erased said with the date it ages out.

- ``plan``: the items touched and the choice for each;
- ``texts``: the person out of any stored value (through ``privacy.rewrite``);
- ``items``: removing or anonymising one item and its history;
- ``records``: every other table, and their member account;
- ``files``: the email outbox, the freed space, backups; after the commit;
- ``service``: ``forget`` (the database) and ``erase`` (all of it);
- ``views`` (admins' pages), ``api`` (JSON), ``cli`` (``notesbase erase``)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the erasure pages, API routes and ``notesbase erase``."""
    from notesbase.extensions import csrf
    from notesbase.privacy.erasure import api
    from notesbase.privacy.erasure.cli import erase_command
    from notesbase.privacy.erasure.views import bp

    csrf.exempt(api.bp)  # bearer tokens, never cookies
    app.register_blueprint(bp)
    app.cli.add_command(erase_command)
