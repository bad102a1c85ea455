"""The facilitator's review board of a meeting: open a review, send the
links, see who answered, answer each request (a correction as a diff
against the item's current text), revoke a link, close the review."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from notesbase.access import current_member, facilitator_required
from notesbase.db import db
from notesbase.meetings import service as meetings
from notesbase.models import Meeting, Member, Reviewer, ReviewRequest
from notesbase.review import mail, requests, service
from notesbase.review.blueprint import bp
from notesbase.review.forms import ActionForm, OpenForm, RejectForm

View = str | Response | tuple[str, int]
BOARD = "/series/<slug>/meetings/<int:number>/review"


def load(slug: str, number: int) -> Meeting:
    series = meetings.series_by_slug(slug)
    meeting = meetings.meeting_by_number(series, number) if series is not None else None
    if meeting is None:
        abort(404)
    return meeting


def board_url(meeting: Meeting) -> str:
    return url_for("review.board", slug=meeting.series.slug, number=meeting.number)


def _me() -> Member:
    member = current_member()
    assert member is not None  # facilitator_required
    return member


def _render(meeting: Meeting, status: int = 200, **extra: Any) -> tuple[str, int]:
    review = service.latest_round(meeting)
    rows = []
    if review is not None:
        for reviewer in review.reviewers:
            rows.append((reviewer, service.answered(reviewer)))
    request_rows = []
    if review is not None:
        for reviewer in review.reviewers:
            for request in reviewer.requests:
                current = request.item.body if request.item is not None else ""
                diff = requests.word_diff(current, request.suggested)
                request_rows.append((request, diff, requests.is_stale(request)))
    state = service.state_of(review) if review is not None else None
    default = (datetime.now(ZoneInfo(meeting.timezone)) + timedelta(days=7)).date()
    return render_template(
        "review/board.html",
        meeting=meeting,
        series=meeting.series,
        review=review,
        state=state,
        reviewers=rows,
        request_rows=request_rows,
        recorded=service.recorded_people(meeting) if state in (None, "draft") else [],
        open_form=extra.get("open_form") or OpenForm(deadline=default),
        action_form=ActionForm(),
        reject_form=extra.get("reject_form") or RejectForm(),
        problem=extra.get("problem", ""),
        waiting=service.waiting(review) if review is not None else [],
    ), status


@bp.route(BOARD)
@facilitator_required
def board(slug: str, number: int) -> View:
    return _render(load(slug, number))


@bp.route(BOARD, methods=["POST"])
@facilitator_required
def create(slug: str, number: int) -> View:
    meeting = load(slug, number)
    form = OpenForm()
    if not form.validate_on_submit() or form.deadline.data is None:
        return _render(meeting, 400, open_form=form, problem="Give the deadline as a date.")
    try:
        service.create_round(meeting, service.deadline_at(meeting, form.deadline.data), actor=_me())
    except service.ReviewError as error:
        db.session.rollback()
        return _render(meeting, error.status, open_form=form, problem=error.message)
    db.session.commit()
    flash("Review prepared: check who will be asked, then send the links.", "success")
    return redirect(board_url(meeting))


def _round_or_404(meeting: Meeting) -> Any:
    review = service.latest_round(meeting)
    if review is None:
        abort(404)
    return review


def _check_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _report(reached: list[Any], problem: str, what: str) -> None:
    if reached:
        flash(
            f"{what} sent to {len(reached)} {'person' if len(reached) == 1 else 'people'}.",
            "success",
        )
    if problem:
        flash(f"Some emails were not sent ({problem}): send their links again below.", "error")


@bp.route(BOARD + "/start", methods=["POST"])
@facilitator_required
def start(slug: str, number: int) -> View:
    meeting = load(slug, number)
    _check_form()
    review = _round_or_404(meeting)
    try:
        invitations = service.start(review, actor=_me())
    except service.ReviewError as error:
        db.session.rollback()
        return _render(meeting, error.status, problem=error.message)
    db.session.commit()
    _send_invitations(review, invitations)
    return redirect(board_url(meeting))


def _send_invitations(
    review: Any, invitations: list[service.Invitation], again: bool = False
) -> None:
    reached, problem = mail.invite(review, invitations, again=again)
    db.session.commit()
    _report(reached, problem, "Invitations")


def _reviewer_or_404(meeting: Meeting, reviewer_id: int) -> Reviewer:
    reviewer = db.session.get(Reviewer, reviewer_id)
    if reviewer is None or reviewer.round.meeting_id != meeting.id:
        abort(404)
    return reviewer


@bp.route(BOARD + "/reviewers/<int:reviewer_id>/revoke", methods=["POST"])
@facilitator_required
def revoke(slug: str, number: int, reviewer_id: int) -> View:
    meeting = load(slug, number)
    _check_form()
    reviewer = _reviewer_or_404(meeting, reviewer_id)
    if service.revoke(reviewer, actor=_me()):
        flash(f"The link of {reviewer.person.name} no longer works.", "success")
    db.session.commit()
    return redirect(board_url(meeting))


@bp.route(BOARD + "/reviewers/<int:reviewer_id>/renew", methods=["POST"])
@facilitator_required
def renew(slug: str, number: int, reviewer_id: int) -> View:
    meeting = load(slug, number)
    _check_form()
    reviewer = _reviewer_or_404(meeting, reviewer_id)
    try:
        invitation = service.renew_link(reviewer, actor=_me())
    except service.ReviewError as error:
        db.session.rollback()
        return _render(meeting, error.status, problem=error.message)
    db.session.commit()
    _send_invitations(reviewer.round, [invitation], again=True)
    return redirect(board_url(meeting))


@bp.route(BOARD + "/close", methods=["POST"])
@facilitator_required
def close(slug: str, number: int) -> View:
    meeting = load(slug, number)
    _check_form()
    try:
        service.close(_round_or_404(meeting), actor=_me())
    except service.ReviewError as error:
        db.session.rollback()
        return _render(meeting, error.status, problem=error.message)
    db.session.commit()
    flash("The review is closed: its links no longer open it.", "success")
    return redirect(board_url(meeting))


def _request_or_404(meeting: Meeting, request_id: int) -> ReviewRequest:
    request = db.session.get(ReviewRequest, request_id)
    if request is None or request.reviewer.round.meeting_id != meeting.id:
        abort(404)
    return request


def _tell(request: ReviewRequest) -> None:
    """Email the person the answer (after the commit: the answer stands
    whether or not the email goes)."""
    review = request.reviewer.round
    _reached, problem = mail.send([mail.outcome(request)], review)
    if problem:
        flash(
            f"The answer is saved, but the email to the person was not sent ({problem}).", "error"
        )


@bp.route(BOARD + "/requests/<int:request_id>/accept", methods=["POST"])
@facilitator_required
def accept(slug: str, number: int, request_id: int) -> View:
    meeting = load(slug, number)
    _check_form()
    request = _request_or_404(meeting, request_id)
    try:
        requests.accept(request, actor=_me())
    except service.ReviewError as error:
        db.session.rollback()
        return _render(meeting, error.status, problem=error.message)
    db.session.commit()
    flash("Accepted: the notes have a new version.", "success")
    _tell(request)
    return redirect(board_url(meeting))


@bp.route(BOARD + "/requests/<int:request_id>/reject", methods=["POST"])
@facilitator_required
def reject(slug: str, number: int, request_id: int) -> View:
    meeting = load(slug, number)
    form = RejectForm()
    request = _request_or_404(meeting, request_id)
    if not form.validate_on_submit():
        return _render(meeting, 400, reject_form=form, problem="Give the reason, for the person.")
    try:
        requests.reject(request, form.reason.data or "", actor=_me())
    except service.ReviewError as error:
        db.session.rollback()
        return _render(meeting, error.status, problem=error.message)
    db.session.commit()
    flash("Not accepted; the person is told why.", "success")
    _tell(request)
    return redirect(board_url(meeting))
