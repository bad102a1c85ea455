"""Data protection by design: what the network keeps about people, for how
long, and how it answers them.

- ``retention``: each series' retention schedule and ``notesbase retention apply``;
- ``subject_access``: everything held about one person, as one archive;
- ``erasure``: forgetting a person everywhere their details were typed;
- ``notice``: the ``/privacy`` page, its text set by an admin."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add each part's pages, API routes and commands."""
    from notesbase.privacy import erasure, notice, retention, subject_access

    retention.register(app)
    subject_access.register(app)
    erasure.register(app)
    notice.register(app)
