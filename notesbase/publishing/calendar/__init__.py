"""The calendar: an iCalendar feed of each series' meetings (and of all of
them), and the public "upcoming meetings" pages with their subscribe links.

- ``feed``: meetings as iCalendar, pure (no Flask), public fields only;
- ``views``: the feeds' routes and the upcoming-meetings pages."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the feeds and pages, and the default length of a meeting."""
    from notesbase.publishing.calendar.feed import DEFAULT_DURATION_MINUTES
    from notesbase.publishing.calendar.views import DURATION_SETTING, bp

    app.config.setdefault(DURATION_SETTING, DEFAULT_DURATION_MINUTES)
    app.register_blueprint(bp)
