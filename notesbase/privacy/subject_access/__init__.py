"""Subject access: everything the app holds about one person, as one zip.

- ``texts``: who a person reads each series as, and free text cleared of others;
- ``items``: the items that credit or name them, each version as they may read it;
- ``records``: the person, account, consents, invitations, reviews, emails, audit;
- ``archive`` and ``report``: ``subject-access.json`` and ``report.md`` in a zip;
- ``service``: producing it, audited; ``views``, ``api``, ``cli``: the channels."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the download pages, the API routes and ``notesbase subject-access``."""
    from notesbase.extensions import csrf
    from notesbase.privacy.subject_access import api
    from notesbase.privacy.subject_access.cli import subject_access_command
    from notesbase.privacy.subject_access.views import bp

    app.register_blueprint(bp)
    csrf.exempt(api.bp)  # no cookie is read: the token, in a header
    app.cli.add_command(subject_access_command)
