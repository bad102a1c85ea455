"""After a meeting: the leak check, public write-ups and their exports,
circulation of the notes by email, and the calendar. Every output here is
made from ``disclose`` and passes the leak check before it leaves.

- ``leakcheck``: the check, its page and ``notesbase check``, and the names
  check of the notes editor;
- ``writeups``: writing, previewing, publishing; public pages, feed, API,
  the Markdown page;
- ``exports``: the circulated notes as Markdown, print and PDF;
- ``circulation``: sending the member notes by email, resumably (and the
  mail transport);
- ``calendar``: the iCalendar feed and the upcoming-meetings pages;
- ``html_tree``: disclosed HTML as a tree, for the two Markdown writers
  (``exports.markdown``, ``writeups.markdown``).

Each subpackage has one ``register(app)``; this one calls them in turn."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register every publishing package's routes, channels and commands."""
    from notesbase.publishing import calendar, circulation, exports, leakcheck, writeups

    for package in (leakcheck, writeups, exports, circulation, calendar):
        package.register(app)
