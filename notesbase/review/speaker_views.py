"""The reviewer's pages: the link (a button that uses it, so a mail scanner
fetching the address uses nothing), then their review page, where they set
their consent, make requests and approve. Any refusal is a page of plain
words with no data of the notes."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from notesbase.db import db
from notesbase.models import RequestKind, Reviewer, ReviewStatus
from notesbase.notes.errors import NotesError
from notesbase.review import consent, links, requests
from notesbase.review.blueprint import bp
from notesbase.review.forms import ActionForm, RequestForm, ReviewConsentForm
from notesbase.review.service import ReviewError, approve, state_of
from notesbase.review.shown import review_page

View = str | Response | tuple[str, int]


def _refused(refusal: links.Refusal) -> tuple[str, int]:
    return render_template("review/refused.html", refusal=refusal), refusal.status


@bp.route("/review/<token>", methods=["GET"])
def link(token: str) -> View:
    reviewer = links.reviewer_for_token(token)
    if (
        reviewer is not None
        and reviewer.token_used_at is not None
        and links.holds_session(reviewer)
    ):
        return redirect(url_for("review.page", reviewer_id=reviewer.id))
    refusal = links.link_refusal(reviewer)
    if refusal is not None:
        return _refused(refusal)
    return render_template("review/link.html", form=ActionForm(), token=token)


@bp.route("/review/<token>", methods=["POST"])
def use_link(token: str) -> View:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    reviewer = links.reviewer_for_token(token)
    refusal = links.link_refusal(reviewer)
    if refusal is not None or reviewer is None:
        return _refused(refusal or links.UNKNOWN)
    secret = links.exchange(reviewer, label=links.label_for(reviewer))
    db.session.commit()
    response = redirect(url_for("review.page", reviewer_id=reviewer.id))
    return links.keep_session(response, reviewer, secret)


def _reviewer(reviewer_id: int) -> Reviewer | links.Refusal:
    """The reviewer this browser holds a session for, or why not."""
    reviewer = db.session.get(Reviewer, reviewer_id)
    if reviewer is None or not links.holds_session(reviewer):
        return links.NO_SESSION
    return links.refusal(reviewer) or reviewer


def _page(reviewer: Reviewer, status: int = 200, **forms: Any) -> tuple[str, int]:
    shown = review_page(reviewer)
    return render_template(
        "review/page.html",
        reviewer=reviewer,
        shown=shown,
        state=state_of(reviewer.round),
        deadline=reviewer.round.deadline,
        consent_form=forms.get("consent_form") or ReviewConsentForm(),
        request_form=forms.get("request_form") or RequestForm(),
        action_form=ActionForm(),
        problem=forms.get("problem", ""),
        reason_shown=requests.reason_shown,
    ), status


@bp.route("/review/page/<int:reviewer_id>")
def page(reviewer_id: int) -> View:
    found = _reviewer(reviewer_id)
    if isinstance(found, links.Refusal):
        return _refused(found)
    return _page(found)


def _writable(reviewer_id: int) -> Reviewer | tuple[str, int]:
    found = _reviewer(reviewer_id)
    if isinstance(found, links.Refusal):
        return _refused(found)
    if state_of(found.round) != ReviewStatus.IN_REVIEW.value:
        return _refused(links.ENDED)
    return found


@bp.route("/review/page/<int:reviewer_id>/consent", methods=["POST"])
def set_consent(reviewer_id: int) -> View:
    found = _writable(reviewer_id)
    if not isinstance(found, Reviewer):
        return found
    form = ReviewConsentForm()
    if not form.validate_on_submit():
        return _page(found, 400, consent_form=form, problem="Choose who, where and how.")
    try:
        scope = consent.set_consent(
            found, form.audience.data or "", form.level.data or "", form.scope.data or "meeting"
        )
    except NotesError as error:
        db.session.rollback()
        return _page(found, 400, consent_form=form, problem=error.message)
    db.session.commit()
    flash(f"Saved: it applies at once, {scope.label}.", "success")
    return redirect(url_for("review.page", reviewer_id=found.id))


@bp.route("/review/page/<int:reviewer_id>/request", methods=["POST"])
def make_request(reviewer_id: int) -> View:
    found = _writable(reviewer_id)
    if not isinstance(found, Reviewer):
        return found
    form = RequestForm()
    if not form.validate_on_submit():
        return _page(found, 400, request_form=form, problem="Choose an item and what you ask.")
    try:
        item_id = int(form.item.data or "")
    except ValueError:
        item_id = 0
    try:
        requests.ask(
            found,
            item_id,
            RequestKind(form.kind.data),
            suggested=form.suggested.data or "",
            comment=form.comment.data or "",
            label=links.label_for(found),
        )
    except ReviewError as error:
        db.session.rollback()
        return _page(found, error.status, request_form=form, problem=error.message)
    db.session.commit()
    flash("Your request was sent to the facilitator.", "success")
    return redirect(url_for("review.page", reviewer_id=found.id))


@bp.route("/review/page/<int:reviewer_id>/approve", methods=["POST"])
def approve_record(reviewer_id: int) -> View:
    found = _writable(reviewer_id)
    if not isinstance(found, Reviewer):
        return found
    if not ActionForm().validate_on_submit():
        abort(400)
    approve(found, label=links.label_for(found))
    db.session.commit()
    flash("Thank you: you approved the record.", "success")
    return redirect(url_for("review.page", reviewer_id=found.id))
