"""The facilitators' page for a series' retention schedule: load (404),
facilitators only (login / 403), check, store, audit, commit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from notesbase.access import current_member, facilitator_required, notes_audience
from notesbase.db import db
from notesbase.meetings.service import series_by_slug
from notesbase.models import Series
from notesbase.privacy.retention import schedule as schedules
from notesbase.privacy.retention.forms import RetentionForm
from notesbase.privacy.retention.run import today_utc

bp = Blueprint("retention", __name__)
BAD_INPUT = 400


def _series(slug: str) -> Series:
    found = series_by_slug(slug)
    if found is None:
        abort(404)
    return found


def shown_to_reader(series: Series) -> bool:
    """The series page tells its members (and facilitators) the schedule."""
    return notes_audience(current_member(), series) is not None


@bp.route("/series/<slug>/retention", methods=["GET", "POST"])
@facilitator_required
def edit(slug: str) -> str | Response | tuple[str, int]:
    series = _series(slug)
    form = RetentionForm()
    if not form.is_submitted():
        form.fill(series)
    if form.validate_on_submit():
        keep = form.keep.data != "months"
        try:
            asked = schedules.read_schedule(
                keep, None if keep else form.months.data, None if keep else form.action.data
            )
        except schedules.ScheduleError as error:
            form[error.field if error.field in ("months", "action") else "keep"].errors = [
                error.message
            ]
        else:
            if schedules.set_schedule(series, asked, actor=current_member()):
                db.session.commit()
                flash("Retention schedule saved.", "success")
            else:
                flash("The retention schedule was already this.", "info")
            return redirect(url_for("meetings.series", slug=series.slug))
    page = render_template(
        "privacy/retention_form.html",
        series=series,
        form=form,
        due=len(schedules.due_meetings(series, today_utc())),
    )
    return (page, BAD_INPUT) if form.is_submitted() else page
