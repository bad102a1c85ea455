"""Circulating the notes by email, end to end through the web app: each
active member of the series gets exactly one message with the members' view
of the notes and nothing they may not see; sending again asks first; the
leak check blocks; only facilitators ever reach the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import AuditEvent, Circulation, Meeting, Role
from tests.conftest import csrf_token_from, post_form
from tests.publishing.test_circulation_world import (
    FACILITATOR,
    FACILITATOR_NAME,
    MEMBERS_ITEM,
    MEMBERS_SPAN,
    NOT_RECIPIENTS,
    NOTES,
    PAGE,
    RECIPIENTS,
    RELEASED_CREDIT,
    TITLE,
    SmtpServer,
    assert_never_planted,
    build_world,
    circulation_count,
    outbox_messages,
    recipient_rows,
)


@pytest.fixture
def world(app, make_member, make_series):
    return build_world(app, make_member, make_series)


@pytest.fixture
def facilitator(auth, world):
    assert auth.login(FACILITATOR).status_code == 302


@pytest.fixture
def smtp(app):
    server = SmtpServer().start()
    server.configure(app)
    yield server
    server.stop()


def send(client, **data):
    return post_form(client, PAGE, data, page=PAGE)


def check_messages(received, *, expected=RECIPIENTS):
    """Exactly one message to each expected address; each addressed to its
    reader alone and carrying the members' view and nothing withheld."""
    assert sorted(r.to for r in received) == sorted(expected)
    everyone = set(RECIPIENTS) | set(NOT_RECIPIENTS)
    for each in received:
        message = each.message
        assert each.envelope_to == (each.to,)
        assert message["Subject"] == f"Notes of meeting 10: {TITLE}"
        assert message["From"] == "notesbase <notesbase@localhost>"
        assert message["Message-ID"] and message["Date"]
        assert message.get_content_type() == "multipart/alternative"
        assert not any(message[h] for h in ("Cc", "Bcc", "Reply-To", "Sender"))
        whole = each.everything()
        for other in everyone - {each.to}:
            assert other not in whole
        assert FACILITATOR_NAME not in whole
        assert_never_planted(whole, each.to)
        for part in (each.text, each.html):
            assert "Chatham House Rule" in part
            assert part.index("Chatham House Rule") < part.index("Dear ")
            assert RELEASED_CREDIT in part
            assert MEMBERS_ITEM in part and MEMBERS_SPAN in part
            assert "A participant" in part
            assert "http://localhost" + NOTES in part
            assert "Opening" in part


def test_send_through_the_outbox(app, client, facilitator):
    """With no SMTP host, each active member's message is an .eml file."""
    response = send(client)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(PAGE + "#circulation-")
    received = outbox_messages(app)
    check_messages(received)
    folder = Path(app.instance_path) / "outbox"
    names = [p.name for p in folder.iterdir()]
    assert len(names) == len(set(names)) == len(RECIPIENTS)
    assert all(re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{16}\.eml", name) for name in names)
    assert len({r.message["Message-ID"] for r in received}) == len(RECIPIENTS)
    assert {r.message["To"].addresses[0].display_name for r in received} == {
        "Ada Byron",
        "Ben Okri",
        "Cat Stevens",
    }
    rows = recipient_rows(app)
    assert sorted(rows) == sorted(RECIPIENTS)
    assert all(status == ("sent", True, "") for status in rows.values())
    with app.app_context():
        circulation = db.session.scalar(sa.select(Circulation))
        assert circulation.finished_at is not None
        assert circulation.subject == f"Notes of meeting 10: {TITLE}"


def test_send_through_a_real_smtp_server(app, client, facilitator, smtp):
    """With an SMTP host, one message per member goes through it; the outbox stays empty."""
    assert send(client).status_code == 302
    check_messages(smtp.received)
    assert outbox_messages(app) == []
    page = client.get(PAGE).get_data(as_text=True)
    assert "Received by 3 of 3." in page
    for address in RECIPIENTS:
        assert address in page


def test_the_page_previews_the_message_and_counts_recipients(client, facilitator):
    """The page shows the leak check, the recipient count and the message itself."""
    page = client.get(PAGE).get_data(as_text=True)
    assert "Send to 3 members" in page
    assert f"Notes of meeting 10: {TITLE}" in page
    assert RELEASED_CREDIT in page and MEMBERS_ITEM in page
    assert "not been circulated yet" in page
    assert_never_planted(page.replace(FACILITATOR_NAME, ""), "page")


def test_html_is_escaped_and_the_text_plain(app, client, facilitator):
    """Markup in a title or display name is text in the HTML part and
    untouched in the plain one."""
    hostile = 'Data & "trust" <script>alert(1)</script>'
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        meeting.title = hostile
        db.session.commit()
    assert send(client).status_code == 302
    for each in outbox_messages(app):
        assert "<script" not in each.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in each.html
        assert hostile in each.text
        assert each.message["Subject"] == f"Notes of meeting 10: {hostile}"


def test_sending_again_asks_first(app, client, facilitator):
    """A second send shows the question and sends nothing; confirming sends
    once more; a confirmation over an older circulation asks again."""
    assert send(client).status_code == 302
    first = len(outbox_messages(app))
    asked = send(client)
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "These notes were sent on" in html and "to 3 members" in html
    assert len(outbox_messages(app)) == first
    assert circulation_count(app) == 1
    latest = re.search(r'name="confirm" type="hidden" value="(\d+)"', html) or re.search(
        r'value="(\d+)"[^>]*name="confirm"', html
    )
    assert latest is not None
    token = csrf_token_from(html)
    sent = client.post(PAGE, data={"csrf_token": token, "confirm": latest.group(1)})
    assert sent.status_code == 302
    assert len(outbox_messages(app)) == first + len(RECIPIENTS)
    assert circulation_count(app) == 2
    # Confirming over the first circulation, now that a second exists, asks again.
    again = client.post(PAGE, data={"csrf_token": token, "confirm": latest.group(1)})
    assert again.status_code == 200 and "These notes were sent on" in again.get_data(as_text=True)
    assert circulation_count(app) == 2


def test_a_malformed_confirmation_is_refused(app, client, facilitator):
    """A confirm field that is not an id re-renders the page with 422 and sends nothing."""
    response = send(client, confirm="yes please")
    assert response.status_code == 422
    assert "Reload the page." in response.get_data(as_text=True)
    assert outbox_messages(app) == [] and circulation_count(app) == 0


def set_title(app, title: str) -> None:
    with app.app_context():
        db.session.scalar(sa.select(Meeting)).title = title
        db.session.commit()


@pytest.mark.parametrize(
    "title",
    [
        "Catch-up with Zéphyrine Oakenshaw",
        "ZEPHYRINE OAKENSHAW'S review",
        "Zéphyrine Oaken\u200bshaw on data",
        "Quillfeather Holdings update",
        "Notes for zeph@quillfeather.example",
    ],
)
def test_the_leak_check_blocks_sending(app, client, facilitator, title):
    """Something members may not see in the meeting title reaches the
    subject and the body: the page lists the finding, the POST answers 409
    and nothing is sent or recorded until the title is fixed."""
    set_title(app, title)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Nothing is sent while a finding stands" in page
    assert "Send to 3 members" not in page
    response = send(client)
    assert response.status_code == 409
    assert "subject" in response.get_data(as_text=True)
    assert outbox_messages(app) == [] and circulation_count(app) == 0
    set_title(app, TITLE)
    assert send(client).status_code == 302
    check_messages(outbox_messages(app))


def test_an_overridden_finding_lets_the_notes_go(app, client, facilitator):
    """A facilitator overrides each finding with a written reason on the
    page; then the notes are sent (with the title as it stands)."""
    set_title(app, "Catch-up with Zéphyrine Oakenshaw")
    for _ in range(10):
        page = client.get(PAGE).get_data(as_text=True)
        form = re.search(
            r'<form method="post" action="([^"]+/override)".*?name="findings" value="([^"]+)"',
            page,
            re.S,
        )
        if form is None:
            break
        response = client.post(
            form.group(1),
            data={
                "csrf_token": csrf_token_from(page),
                "findings": form.group(2),
                "reason": "The meeting's title is public on the website already.",
                "next": PAGE,
            },
        )
        assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    assert "Send to 3 members" in client.get(PAGE).get_data(as_text=True)
    assert send(client).status_code == 302
    assert len(outbox_messages(app)) == len(RECIPIENTS)


def test_a_consent_withdrawal_reaches_the_next_message(app, client, facilitator):
    """The message is made from the current rows: after Jane's grant is
    withdrawn, the next circulation no longer names her."""
    from notesbase.models import Consent, utcnow

    with app.app_context():
        for consent in db.session.scalars(sa.select(Consent)):
            consent.withdrawn_at = utcnow()
        db.session.commit()
    assert send(client).status_code == 302
    for each in outbox_messages(app):
        assert "Jane Doe" not in each.everything()
        assert "Open Data Manchester" not in each.everything()


def test_nothing_to_send_without_notes_or_members(app, client, facilitator):
    """A series without active members, or notes members cannot read, is
    refused with a reason and nothing is recorded."""
    from notesbase.models import Item, Member

    with app.app_context():
        for member in db.session.scalars(sa.select(Member).where(Member.email.in_(RECIPIENTS))):
            member.active = False
        db.session.commit()
    response = send(client)
    assert response.status_code == 409
    assert "no active members" in response.get_data(as_text=True)
    with app.app_context():
        db.session.execute(sa.delete(Item))
        db.session.commit()
    response = send(client)
    assert response.status_code == 409
    assert "nothing to send" in response.get_data(as_text=True)
    assert circulation_count(app) == 0


def test_sending_is_audited_with_counts_only(app, client, facilitator):
    """The audit event names the circulation and counts, never an address."""
    send(client)
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "circulation.send")
        )
        assert event is not None and event.target_type == "circulation"
        assert event.details == {
            "recipients": 3,
            "sent": 3,
            "failed": 0,
            "uncertain": 0,
            "not_attempted": 0,
        }
        assert not any("@" in str(value) for value in event.details.values())


@pytest.mark.parametrize("who", [None, Role.MEMBER, "other-series"])
def test_only_facilitators_reach_the_page(app, client, auth, make_member, world, who):
    """The public, members of the series and members of other series get the
    404 of a missing meeting, for the page, sending and resuming alike."""
    if who == Role.MEMBER:
        auth.login("ada@example.org")
    elif who == "other-series":
        auth.login("eve@example.org")
    missing = client.get("/series/cop/meetings/99/circulate")
    assert missing.status_code == 404
    assert client.get(PAGE).status_code == 404
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post(PAGE, data={"csrf_token": token}).status_code == 404
    assert client.post(PAGE + "/1/resume", data={"csrf_token": token}).status_code == 404
    assert outbox_messages(app) == [] and circulation_count(app) == 0


def test_get_changes_nothing(app, client, facilitator):
    """Looking at the page sends nothing and records nothing."""
    assert client.get(PAGE).status_code == 200
    assert outbox_messages(app) == [] and circulation_count(app) == 0


def test_resuming_another_meetings_circulation_is_404(app, client, facilitator):
    """A circulation id is only good under its own meeting's address."""
    assert send(client).status_code == 302
    with app.app_context():
        circulation_id = db.session.scalar(sa.select(Circulation.id))
        meeting = Meeting(
            series_id=db.session.scalar(sa.select(Meeting.series_id)),
            number=11,
            title="Next",
            date=db.session.scalar(sa.select(Meeting.date)),
        )
        db.session.add(meeting)
        db.session.commit()
    url = f"/series/cop/meetings/11/circulate/{circulation_id}/resume"
    response = post_form(client, url, {}, page=PAGE)
    assert response.status_code == 404
