"""Jinja filters and globals shared by all templates."""

from __future__ import annotations

from datetime import date, time

from flask import Flask

from notesbase.access import current_member
from notesbase.markdown import render_markdown
from notesbase.meetings import timeline
from notesbase.models import Role


def long_date(value: date | None) -> str:
    """'Wednesday 9 July 2025'."""
    return timeline.long_date(value) if value else ""


def short_date(value: date | None) -> str:
    """'9 Jul 2025'."""
    return f"{value.day} {value:%b %Y}" if value else ""


def clock(value: time | None) -> str:
    """'2pm', '2:30pm'."""
    return timeline.clock(value) if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["short_date"] = short_date
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.globals["current_member"] = current_member
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
