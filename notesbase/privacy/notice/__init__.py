"""The privacy notice: ``/privacy`` (its text set by an admin at
``/admin/privacy``, with a default), linked from every page's footer and
from every review and circulation email (``privacy_notice_url``).

- ``service``: the text, the retention schedules, saving (audited);
- ``views``: the page and the admin's form; ``api``: ``GET``/``PUT /api/v1/privacy``."""

from __future__ import annotations

from flask import Flask

from notesbase import site


def privacy_notice_url() -> str:
    """The notice's absolute address, at the site's address: for emails."""
    return site.url_for_site("privacy.notice")


def register(app: Flask) -> None:
    from notesbase.extensions import csrf
    from notesbase.privacy.notice import api
    from notesbase.privacy.notice.views import bp

    app.register_blueprint(bp)
    csrf.exempt(api.bp)  # no cookie is read: the token, in a header
    app.add_template_global(privacy_notice_url, "privacy_notice_url")
