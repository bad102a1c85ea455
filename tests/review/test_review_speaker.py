"""What a reviewer can do and read: set their consent (at once, everywhere,
through the consent service), see the facilitators' text of their own words
only when it names nobody else, and receive emails that carry nothing
withheld from them; reminders go once, to those who have not answered."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from notesbase.db import db
from notesbase.models import AuditEvent, Consent, Item, ReviewRequest, utcnow
from notesbase.notes import items
from tests.review.review_support import (
    BOARD,
    GUEST,
    GUEST_EMAIL,
    HIDDEN,
    HIDDEN_EMAIL,
    HIDDEN_ORG,
    OWN,
    OWN_NAMING,
    open_review,
    outbox,
    post,
    use_link,
    whole_text,
)


def _guest(app, client):
    links = open_review(app, client)
    guest = app.test_client()
    page = use_link(guest, links[GUEST_EMAIL]).headers["Location"]
    return guest, page


def test_withdrawing_public_consent_applies_at_once(app, client, world):
    """Anonymous to the public here: the public credit goes; the grant is audited as hers."""
    guest, page = _guest(app, client)
    data = {"audience": "public", "scope": "meeting", "level": "anonymous"}
    assert post(guest, page + "/consent", data, page=page).status_code == 302
    with app.app_context():
        grant = db.session.scalar(
            sa.select(Consent).where(
                Consent.person_id == world["gwen"], Consent.meeting_id == world["meeting"]
            )
        )
        assert grant is not None and grant.level.value == "anonymous"
        labels = list(
            db.session.scalars(
                sa.select(AuditEvent.actor_label).where(AuditEvent.action == "consent.grant")
            )
        )
    assert labels[-1] == f"review link of person {world['gwen']}"
    preview = client.get("/series/cop/meetings/1/notes?as=public").get_data(as_text=True)
    assert GUEST not in preview


def test_a_consent_form_with_bad_choices_is_a_400_with_words(app, client, world):
    guest, page = _guest(app, client)
    response = post(guest, page + "/consent", {"audience": "press", "scope": "moon"}, page=page)
    assert response.status_code == 400
    assert "Choose who, where and how." in response.get_data(as_text=True)


def test_the_facilitators_text_is_shown_whole_only_when_it_names_nobody_else(app, client, world):
    """Her plain item is offered as typed; the one naming Harold only as members read it."""
    with app.app_context():
        item = db.session.get(Item, world["own"])
        fields = items.ItemFields(
            item.kind, OWN + " [and the rest]{.redact-members}", speaker_id=item.speaker_id
        )
        items.update_item(item, fields, actor=None)
        db.session.commit()
    guest, page = _guest(app, client)
    text = guest.get(page).get_data(as_text=True)
    assert "and the rest" in text  # her own redacted words, nobody else's
    assert "names other people or has passages withheld" in text
    assert HIDDEN not in text and HIDDEN_ORG not in text
    assert OWN_NAMING.split(" argued")[1].strip() in text


def test_a_correction_of_her_own_item_is_stored_with_the_version_she_saw(app, client, world):
    guest, page = _guest(app, client)
    data = {"item": world["own"], "kind": "correction", "suggested": "New words.", "comment": "Hi"}
    assert post(guest, page + "/request", data, page=page).status_code == 302
    empty = {"item": world["own"], "kind": "correction", "suggested": "  "}
    assert post(guest, page + "/request", empty, page=page).status_code == 400
    with app.app_context():
        request = db.session.scalar(sa.select(ReviewRequest))
        assert (request.suggested, request.item_version, request.comment) == ("New words.", 1, "Hi")
    assert "New words." in guest.get(page).get_data(as_text=True)


def test_emails_carry_nothing_withheld_from_their_recipient(app, client, world):
    """Invitations name the recipient only; a reason naming Harold is not quoted to Gwen."""
    guest, page = _guest(app, client)
    for message in outbox(app):
        text = whole_text(message)
        to = message["To"].addresses[0].addr_spec
        other = HIDDEN if to == GUEST_EMAIL else GUEST
        assert other not in text
        assert "Zimmerwald" not in text or to == HIDDEN_EMAIL
        assert "budget" not in text and OWN not in text
    post(guest, page + "/request", {"item": world["own"], "kind": "members_only"}, page=page)
    with app.app_context():
        request_id = db.session.scalar(sa.select(ReviewRequest.id))
    before = len(outbox(app))
    reason = f"{HIDDEN} of {HIDDEN_ORG} wants it open."
    assert (
        post(client, f"{BOARD}/requests/{request_id}/reject", {"reason": reason}).status_code == 302
    )
    told = whole_text(outbox(app)[before])
    assert HIDDEN not in told and HIDDEN_ORG not in told and "Zimmerwald" not in told
    assert "names other people" in told
    assert "Zimmerwald" not in guest.get(page).get_data(as_text=True)


def test_reminders_go_once_to_those_who_have_not_answered(app, client, world, runner):
    """Not before the window, once within it, never to someone who answered."""
    guest, page = _guest(app, client)
    assert post(guest, page + "/approve", page=page).status_code == 302
    sent = len(outbox(app))
    assert "Sent 0 reminders." in runner.invoke(args=["review", "remind"]).output
    with time_machine.travel(utcnow() + timedelta(days=9)):
        first = runner.invoke(args=["review", "remind"])
        second = runner.invoke(args=["review", "remind"])
    assert "Sent 1 reminder." in first.output, first.output
    assert "Sent 0 reminders." in second.output
    reminders = outbox(app)[sent:]
    assert [m["To"].addresses[0].addr_spec for m in reminders] == [HIDDEN_EMAIL]
    assert HIDDEN in whole_text(reminders[0]) and GUEST not in whole_text(reminders[0])


def test_reminder_days_come_from_the_configuration(app, client, world, runner):
    _guest(app, client)
    app.config["REVIEW_REMINDER_DAYS"] = 9
    assert "Sent 0 reminders." in runner.invoke(args=["review", "remind"]).output
    app.config["REVIEW_REMINDER_DAYS"] = 11
    assert "Sent 2 reminders." in runner.invoke(args=["review", "remind"]).output
    app.config["REVIEW_REMINDER_DAYS"] = "soon"
    result = runner.invoke(args=["review", "remind"])
    assert result.exit_code != 0 and "REVIEW_REMINDER_DAYS must be a number" in result.output
