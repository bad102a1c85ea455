"""The leak-check page, the override form and ``notesbase check``.

Facilitators only: everyone else gets the very 404 a missing meeting gets,
as on the notes pages. The page shows every registered channel's report;
``templates/leakcheck/_findings.html`` shows one report with an override
form per finding, for the write-up and circulation pages to include."""

from __future__ import annotations

from typing import Any

import click
from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask.cli import with_appcontext
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from notesbase.access import current_member
from notesbase.auth.redirects import safe_next
from notesbase.db import db
from notesbase.forms import Form
from notesbase.meetings.service import meeting_by_number, series_by_slug
from notesbase.models import Meeting
from notesbase.notes.policy import can_write_notes
from notesbase.notes.views import load_notes_meeting
from notesbase.publishing import leakcheck
from notesbase.publishing.leakcheck import (
    CHANNELS,
    REASON_MAX,
    LeakReport,
    OverrideRefused,
    UnknownChannel,
)

bp = Blueprint("leakcheck", __name__)
INVALID = 422
PAGE = "/series/<slug>/meetings/<int:number>/leak-check"
View = str | Response | tuple[str, int]


class OverrideForm(Form):
    """One finding's override: its key, the written reason, where to go back."""

    finding_key = HiddenField(
        "Finding",
        validators=[
            DataRequired("This finding is no longer listed: reload the page."),
            Length(max=64, message="This finding is no longer listed: reload the page."),
        ],
    )
    reason = TextAreaField(
        "Why is this not a leak?",
        validators=[
            DataRequired("Write why this is not a leak."),
            Length(max=REASON_MAX, message=f"A reason is at most {REASON_MAX:,} characters."),
        ],
    )
    next = HiddenField()


def load_facilitated(slug: str, number: int) -> Meeting:
    """The meeting, for facilitators; for anyone else the 404 of a missing one."""
    meeting = load_notes_meeting(slug, number)
    if not can_write_notes(current_member()):
        abort(404)
    return meeting


def reports(meeting: Meeting) -> list[tuple[leakcheck.Channel, LeakReport]]:
    return [(CHANNELS[name], leakcheck.check(meeting, name)) for name in sorted(CHANNELS)]


def page_url(meeting: Meeting) -> str:
    return url_for("leakcheck.page", slug=meeting.series.slug, number=meeting.number)


def override_url(report: LeakReport) -> str:
    """Where a report's override forms post to (a template global)."""
    meeting = db.session.get(Meeting, report.meeting_id)
    if meeting is None:
        return ""
    return url_for(
        "leakcheck.override",
        slug=meeting.series.slug,
        number=meeting.number,
        channel=report.channel,
    )


def render_page(meeting: Meeting, **context: Any) -> str:
    return render_template(
        "leakcheck/page.html",
        meeting=meeting,
        series=meeting.series,
        reports=reports(meeting),
        next_url=context.pop("next_url", None) or page_url(meeting),
        **context,
    )


@bp.route(PAGE)
def page(slug: str, number: int) -> str:
    return render_page(load_facilitated(slug, number))


@bp.route(PAGE + "/<channel>/override", methods=["POST"])
def override(slug: str, number: int, channel: str) -> View:
    meeting = load_facilitated(slug, number)
    if channel not in CHANNELS:
        abort(404)
    form = OverrideForm()
    target = safe_next(form.next.data) or page_url(meeting)
    if form.validate_on_submit():
        try:
            leakcheck.override(
                meeting, channel, form.finding_key.data, form.reason.data, actor=current_member()
            )
        except OverrideRefused as error:
            db.session.rollback()
            form[error.field].errors = [*form[error.field].errors, error.message]
        else:
            db.session.commit()
            flash(f"Finding overridden for {CHANNELS[channel].label}.", "success")
            return redirect(target)
    error = {
        "channel": channel,
        "key": form.finding_key.data or "",
        "reason": form.reason.data or "",
        "messages": [*form.finding_key.errors, *form.reason.errors, *form.form_errors],
    }
    return render_page(meeting, leak_error=error, next_url=target), INVALID


# The command line -----------------------------------------------------------


def report_lines(report: LeakReport, label: str) -> list[str]:
    """One channel's report for the terminal: a headline, then each finding."""
    standing = len(report.blocking)
    total = len(report.findings)
    if not total:
        headline = "clean"
    else:
        headline = f"{total} finding{'s' if total != 1 else ''}, {standing} standing"
    lines = [f"{label} ({report.channel}, {report.audience.value}): {headline}"]
    for finding in report.findings:
        mark = " [overridden]" if finding.override is not None else ""
        lines.append(f"  {finding.where} · {finding.rule} · {finding.why}{mark}")
    return lines


@click.command("check")
@click.argument("series_slug")
@click.argument("number", type=click.IntRange(min=1))
@click.option("--channel", "channel_name", help="Check only this channel.")
@with_appcontext
def check_command(series_slug: str, number: int, channel_name: str | None) -> None:
    """Run the leak check on meeting NUMBER of SERIES_SLUG, for every
    registered channel (or one). Exits 1 while any finding stands."""
    series = series_by_slug(series_slug)
    if series is None:
        raise click.BadParameter(f"there is no series '{series_slug}'", param_hint="SERIES_SLUG")
    meeting = meeting_by_number(series, number)
    if meeting is None:
        raise click.BadParameter(
            f"series '{series_slug}' has no meeting {number}", param_hint="NUMBER"
        )
    names = sorted(CHANNELS)
    if channel_name is not None:
        if channel_name not in CHANNELS:
            raise click.BadParameter(str(UnknownChannel(channel_name)), param_hint="--channel")
        names = [channel_name]
    if not names:
        click.echo("No channels are registered: nothing to check.")
        return
    standing = 0
    for name in names:
        report = leakcheck.check(meeting, name)
        standing += len(report.blocking)
        for line in report_lines(report, CHANNELS[name].label):
            click.echo(line)
    if standing:
        click.echo(f"{standing} finding{'s' if standing != 1 else ''} stand: not clean.", err=True)
        raise click.exceptions.Exit(1)


def register(app: Flask) -> None:
    """Add this module's routes and commands to ``app``."""
    app.register_blueprint(bp)
    app.add_template_global(override_url, "leak_override_url")
    app.cli.add_command(check_command)
