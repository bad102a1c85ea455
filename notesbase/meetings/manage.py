"""Facilitators' pages: create and edit series and meetings.

Each view loads (404), is guarded by ``facilitator_required`` (login / 403),
calls the service and commits; a failed form is shown again with status 422."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from notesbase.access import facilitator_required
from notesbase.db import db
from notesbase.forms import Form, flash_removed
from notesbase.meetings import service
from notesbase.meetings.forms import MeetingForm, SeriesForm
from notesbase.meetings.views import bp, load_meeting, load_series
from notesbase.models import Meeting

INVALID = 422
View = str | Response | tuple[str, int]


def _conflict(form: Form, conflict: service.Conflict) -> None:
    """Show a clash with stored data beside its field; store nothing."""
    db.session.rollback()
    field = form[conflict.field]
    field.errors = [*field.errors, conflict.message]


def _flash_status_note(meeting: Meeting, fields: service.MeetingFields) -> None:
    note = service.status_note(meeting, fields.status)
    if note:
        flash(note, "info")


@bp.route("/series/new", methods=["GET", "POST"])
@facilitator_required
def new_series() -> View:
    form = SeriesForm()
    if form.validate_on_submit():
        try:
            created = service.create_series(form.fields())
        except service.Conflict as conflict:
            _conflict(form, conflict)
        else:
            db.session.commit()
            flash(f"Series '{created.title}' created.", "success")
            flash_removed(form)
            return redirect(url_for("meetings.series", slug=created.slug))
    page = render_template("meetings/series_form.html", form=form, series=None)
    return (page, INVALID) if form.is_submitted() else page


@bp.route("/series/<slug>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_series(slug: str) -> View:
    found = load_series(slug)
    form = SeriesForm()
    if not form.is_submitted():
        form.fill(found)
    if form.validate_on_submit():
        try:
            service.update_series(found, form.fields())
        except service.Conflict as conflict:
            _conflict(form, conflict)
        else:
            db.session.commit()
            flash("Series saved.", "success")
            flash_removed(form)
            return redirect(url_for("meetings.series", slug=found.slug))
    page = render_template("meetings/series_form.html", form=form, series=found)
    return (page, INVALID) if form.is_submitted() else page


@bp.route("/series/<slug>/meetings/new", methods=["GET", "POST"])
@facilitator_required
def new_meeting(slug: str) -> View:
    found = load_series(slug)
    form = MeetingForm()
    if not form.is_submitted():
        form.number.data = service.next_free_number(found)
    if form.validate_on_submit():
        fields = form.fields()
        try:
            created = service.create_meeting(found, fields)
        except service.Conflict as conflict:
            _conflict(form, conflict)
        else:
            db.session.commit()
            flash(f"Meeting {created.number} created.", "success")
            _flash_status_note(created, fields)
            flash_removed(form)
            return redirect(url_for("meetings.meeting", slug=slug, number=created.number))
    page = render_template("meetings/meeting_form.html", form=form, series=found, meeting=None)
    return (page, INVALID) if form.is_submitted() else page


@bp.route("/series/<slug>/meetings/<int:number>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_meeting(slug: str, number: int) -> View:
    found = load_series(slug)
    meeting = load_meeting(found, number)
    form = MeetingForm()
    if not form.is_submitted():
        form.fill(meeting)
    if form.validate_on_submit():
        fields = form.fields()
        try:
            service.update_meeting(meeting, fields)
        except service.Conflict as conflict:
            _conflict(form, conflict)
        else:
            db.session.commit()
            flash(f"Meeting {meeting.number} saved.", "success")
            _flash_status_note(meeting, fields)
            flash_removed(form)
            return redirect(url_for("meetings.meeting", slug=slug, number=meeting.number))
    page = render_template("meetings/meeting_form.html", form=form, series=found, meeting=meeting)
    return (page, INVALID) if form.is_submitted() else page
