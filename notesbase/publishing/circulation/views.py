"""The circulation pages, for facilitators only: everyone else gets the very
404 a missing meeting gets.

GET shows the leak check, who will receive the notes, the message as it will
be sent and every earlier circulation; GET ``.../confirm`` asks to confirm
(how many will receive it, the leak check's state, whether it was sent
before); only POST from that confirmation sends, and only while nothing it
showed has changed (``circulation_confirm``); POST ``.../resume`` sends to
those who did not get an earlier circulation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response
from wtforms import HiddenField
from wtforms.validators import DataRequired, Optional, Regexp

from notesbase.access import can_write_notes, current_member, member_page
from notesbase.forms import Form
from notesbase.models import Meeting
from notesbase.notes.facts import one_reading
from notesbase.notes.views import load_notes_meeting
from notesbase.publishing.circulation import confirm as circulation_confirm
from notesbase.publishing.circulation import delivery, service
from notesbase.publishing.circulation.mail_settings import (
    MailConfigError,
    MailSettings,
    settings_for,
)
from notesbase.publishing.circulation.message import (
    CHANNEL,
    STAND_IN,
    AddressUnknown,
    compose,
    notes_url,
    text_body,
)
from notesbase.publishing.leakcheck import check as leakcheck

bp = Blueprint("circulation", __name__)
PAGE = "/series/<slug>/meetings/<int:number>/circulate"
INVALID = 422
REFUSED = 409
View = str | Response | tuple[str, int]


OUT_OF_DATE = "This page was out of date, so nothing was sent. Reload the page."
NOT_CONFIRMED = "Nothing was sent: confirm the sending on the confirmation page first."
CHANGED = (
    "Nothing was sent: the notes, the meeting or who would receive them changed after "
    "you were asked to confirm. Check the confirmation again below."
)
SENT_MEANWHILE = (
    "Nothing was sent: someone else circulated these notes after you were asked to "
    "confirm. Decide again below."
)


class SendForm(Form):
    """Send the notes, as confirmed. ``fingerprint`` stands for what the
    confirmation showed; ``confirm`` carries the id of the latest circulation
    the facilitator was shown, when they chose to send again."""

    confirm = HiddenField(validators=[Optional(), Regexp(r"^\d{1,18}$", message=OUT_OF_DATE)])
    fingerprint = HiddenField(
        validators=[
            DataRequired(NOT_CONFIRMED),
            Regexp(circulation_confirm.FINGERPRINT_PATTERN, message=OUT_OF_DATE),
        ]
    )

    def confirmed_over(self) -> int | None:
        return int(self.confirm.data) if self.confirm.data else None


class ResumeForm(Form):
    """Only the CSRF token."""


def load(slug: str, number: int) -> Meeting:
    """The meeting, for a facilitator; anyone else gets a missing meeting's 404."""
    meeting = load_notes_meeting(slug, number)
    if not can_write_notes(current_member()):
        abort(404)
    return meeting


def page_url(meeting: Meeting, anchor: str = "") -> str:
    url = url_for("circulation.circulate", slug=meeting.series.slug, number=meeting.number)
    return f"{url}#{anchor}" if anchor else url


def _settings() -> tuple[MailSettings | None, str]:
    try:
        return settings_for(current_app), ""
    except MailConfigError as error:
        return None, f"Mail is not set up correctly: {error.reason}."


def _preview(meeting: Meeting) -> dict[str, Any]:
    """The message as it will be sent, addressed to a stand-in."""
    try:
        letter = compose(meeting, notes_url(meeting))
    except AddressUnknown:
        letter = compose(meeting, notes_url(meeting, absolute=False))
    return {"letter": letter, "recipient": STAND_IN, "preview_text": text_body(letter, STAND_IN)}


def render_page(
    meeting: Meeting,
    *,
    report: leakcheck.LeakReport | None = None,
    problem: str = "",
    status: int = 200,
) -> View:
    settings, settings_problem = _settings()
    circulations = service.history(meeting)
    with one_reading():  # the check and the preview read the same notes, once
        if report is None:
            report = leakcheck.check(meeting, CHANNEL)
        preview = _preview(meeting)
    page = render_template(
        "circulation/circulate.html",
        meeting=meeting,
        series=meeting.series,
        report=report,
        next_url=page_url(meeting),
        recipients=len(service.active_members(meeting.series_id)),
        settings=settings,
        problem=problem or settings_problem,
        circulations=[(c, service.tally(c)) for c in circulations],
        is_uncertain=service.is_uncertain,
        **preview,
    )
    return (page, status) if status != 200 else page


def render_confirmation(meeting: Meeting, *, problem: str = "", status: int = 200) -> View:
    """The confirmation page, worked out from the current rows."""
    found = circulation_confirm.confirmation(meeting)
    settings, settings_problem = _settings()
    latest = service.latest(meeting.id)
    form = SendForm(formdata=None)
    form.fingerprint.data = found.fingerprint
    form.confirm.data = str(latest.id) if latest is not None else ""
    shown = {
        "found": found,
        "settings": settings,
        "cannot": found.problem or settings_problem,
        "problem": problem,
        "latest": latest,
        "tally": service.tally(latest) if latest is not None else None,
    }
    page = render_template(
        "circulation/confirm.html", meeting=meeting, series=meeting.series, form=form, **shown
    )
    return (page, status) if status != 200 else page


@bp.route(PAGE, methods=["GET"])
@member_page
def circulate(slug: str, number: int) -> View:
    return render_page(load(slug, number))


@bp.route(PAGE + "/confirm", methods=["GET"])
@member_page
def confirm(slug: str, number: int) -> View:
    return render_confirmation(load(slug, number))


@bp.route(PAGE, methods=["POST"])
def send(slug: str, number: int) -> View:
    """Send, as confirmed: refused unless the confirmation's fingerprint is
    that of what would be sent now."""
    meeting = load(slug, number)
    form = SendForm()
    if not form.validate_on_submit():
        unconfirmed = set(form.errors) == {"fingerprint"} and not form.fingerprint.data
        return render_page(
            meeting, problem=NOT_CONFIRMED if unconfirmed else OUT_OF_DATE, status=INVALID
        )
    try:
        settings = service.mail_settings(current_app)
        letter = service.prepare(meeting)
    except leakcheck.LeakCheckFailed as failed:
        return render_page(meeting, report=failed.report, status=REFUSED)
    except service.CirculationError as error:
        return render_page(meeting, problem=str(error), status=REFUSED)
    members = service.active_members(meeting.series_id)
    if circulation_confirm.fingerprint(meeting, letter, members) != form.fingerprint.data:
        return render_confirmation(meeting, problem=CHANGED, status=REFUSED)
    me = current_member()
    try:
        circulation_id = service.start(
            meeting,
            actor=me,
            confirm_after=form.confirmed_over(),
            confirmed_members=[m.id for m in members],
        )
    except service.NeedsConfirmation:
        return render_confirmation(meeting, problem=SENT_MEANWHILE, status=REFUSED)
    except service.RecipientsChanged:
        return render_confirmation(meeting, problem=CHANGED, status=REFUSED)
    except service.CirculationError as error:
        return render_page(meeting, problem=str(error), status=REFUSED)
    attempt = delivery.deliver(circulation_id, letter, settings)
    delivery.record_attempt("circulation.send", circulation_id, attempt, actor=me)
    _flash_outcome(attempt)
    return redirect(page_url(meeting, f"circulation-{circulation_id}"))


@bp.route(PAGE + "/<int:circulation_id>/resume", methods=["POST"])
def resume(slug: str, number: int, circulation_id: int) -> View:
    meeting = load(slug, number)
    circulation = service.circulation_of(meeting, circulation_id)
    if circulation is None:
        abort(404)
    form = ResumeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        settings = service.mail_settings(current_app)
        letter = service.prepare(meeting)
    except leakcheck.LeakCheckFailed as failed:
        return render_page(meeting, report=failed.report, status=REFUSED)
    except service.CirculationError as error:
        return render_page(meeting, problem=str(error), status=REFUSED)
    attempt = delivery.deliver(circulation_id, letter, settings)
    delivery.record_attempt("circulation.resume", circulation_id, attempt, actor=current_member())
    _flash_outcome(attempt)
    return redirect(page_url(meeting, f"circulation-{circulation_id}"))


def _flash_outcome(attempt: delivery.Attempt) -> None:
    if not (attempt.failed or attempt.uncertain or attempt.not_attempted):
        if attempt.delivered:
            flash(f"The notes were sent: {attempt.summary()}.", "success")
        else:
            flash("Nothing was left to send: everyone on it has received it.", "success")
        return
    text = f"Not everyone received the notes: {attempt.summary()}."
    if attempt.stopped:
        text += f" Sending stopped: {attempt.stopped}."
    flash(text + " See below who did not, and resume when the problem is fixed.", "error")
