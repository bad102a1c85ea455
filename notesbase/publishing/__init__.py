"""After a meeting: the leak check, public write-ups and their exports,
circulation of the notes by email, and the calendar. Every output here is
made from ``disclose`` and passes the leak check before it leaves.

- ``leakcheck``: the check itself, overrides, the channel registry;
  ``leak_places``: where in the notes each finding is;
- ``leak_views``: the leak-check page (``leak_groups``: one entry per thing
  found), its override and quick-fix forms (``leak_forms``, ``leak_fixes``);
  ``leak_cli``: ``notesbase check``;
  ``leak_draft``: the people rules on an item as it is typed, for the notes
  editor (``leak_draft_views``);
- ``writeups``: writing, previewing, publishing; public pages, feed, API;
- ``exports``: Markdown (front matter for the network's website), print, PDF;
- ``circulation``: sending the member notes by email, resumably;
- ``calendar``: the iCalendar feed and the upcoming-meetings page."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register every publishing module's routes and commands."""
    from notesbase.publishing import (
        calendar,
        circulation,
        exports,
        leak_draft_views,
        leak_views,
        writeups,
    )
    from notesbase.publishing.leak_cli import check_command

    for module in (leak_views, leak_draft_views, writeups, exports, circulation, calendar):
        module.register(app)
    app.cli.add_command(check_command)
