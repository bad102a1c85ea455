"""Jinja filters and globals shared by all templates, and compiling them
ahead of requests."""

from __future__ import annotations

import logging
from datetime import date, datetime, time

import sqlalchemy as sa
from flask import Flask, g

from notesbase.access import current_member
from notesbase.db import db
from notesbase.markdown import render_markdown
from notesbase.meetings import timeline
from notesbase.models import Role, Series
from notesbase.series_names import series_labels

log = logging.getLogger(__name__)


def long_date(value: date | None) -> str:
    """'Wednesday 9 July 2025'."""
    return timeline.long_date(value) if value else ""


def short_date(value: date | None) -> str:
    """'9 Jul 2025'."""
    return f"{value.day} {value:%b %Y}" if value else ""


def clock(value: time | None) -> str:
    """'2pm', '2:30pm'."""
    return timeline.clock(value) if value else ""


def in_zone(value: datetime, zone_name: str) -> datetime:
    """A stored (UTC) moment as the clock read in that time zone."""
    return value.astimezone(timeline.zone(zone_name))


def series_label(series: Series) -> str:
    """The series' title, with its slug beside it when another series has the
    same title ("Community of Practice (cop-north)"). Series are public, so
    every reader is told the same; worked out once a request."""
    labels = g.get("series_labels")
    if labels is None or series.id not in labels:
        labels = g.series_labels = series_labels(db.session.scalars(sa.select(Series)))
    return labels.get(series.id, series.title)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["short_date"] = short_date
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["in_zone"] = in_zone
    app.jinja_env.globals["timezone_label"] = timeline.timezone_label
    app.jinja_env.globals["current_member"] = current_member
    app.jinja_env.globals["series_label"] = series_label
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def compile_templates(app: Flask) -> int:
    """Compile every page's template now (a new server process, before its
    first request: about 0.4 s in all, where each page's first request
    would pay its own). One that does not compile is left to its request,
    which reports it; returns how many compiled."""
    compiled = 0
    for name in app.jinja_env.list_templates(extensions=("html", "txt")):
        try:
            app.jinja_env.get_template(name)
        except Exception:  # the page's own request shows the error
            log.warning("template %s did not compile ahead of requests", name, exc_info=True)
            continue
        compiled += 1
    return compiled
