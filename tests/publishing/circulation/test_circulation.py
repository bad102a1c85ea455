"""Circulating the notes by email, end to end through the web app: each
active member of the series gets exactly one message with the members' view
of the notes and nothing they may not see; nothing is sent but from a
confirmation of exactly what would be sent; sending again asks first; the
leak check blocks; only facilitators ever reach the page."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import (
    AuditEvent,
    Circulation,
    Consent,
    Item,
    Meeting,
    Member,
    Role,
    Series,
    utcnow,
)
from tests.conftest import csrf_token_from, post_form
from tests.publishing.circulation.circulation_support import (
    CONFIRM,
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
    confirm_and_send,
    outbox_messages,
    recipient_rows,
    send_form_of,
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


def send(client, **overrides):
    return confirm_and_send(client, **overrides)


def confirmation(client) -> tuple[str, dict[str, str]]:
    """The confirmation page, and what its send form posts."""
    html = client.get(CONFIRM).get_data(as_text=True)
    return html, send_form_of(html)


def fact(html: str, name: str) -> str:
    """The text of one line of the confirmation (recipients, leak check)."""
    found = re.search(rf'<dd id="confirm-{name}">(.*?)</dd>', html, re.S)
    assert found, name
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


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
    """Once sent, a confirmation given before is refused (a double click sends
    once); the confirmation then says when and to how many the notes went, and
    sends once more; that confirmation, used again, is refused in turn."""
    _, before = confirmation(client)
    assert client.post(PAGE, data=before).status_code == 302
    first = len(outbox_messages(app))
    stale = client.post(PAGE, data=before)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "someone else circulated these notes" in html and "Nothing was sent" in html
    assert len(outbox_messages(app)) == first and circulation_count(app) == 1
    html, again = confirmation(client)
    assert "Send the notes of meeting 10 again?" in html
    assert "Sent before" in html and "to 3 members" in html
    assert again["confirm"] and again["confirm"] != before["confirm"]
    assert client.post(PAGE, data=again).status_code == 302
    assert len(outbox_messages(app)) == first + len(RECIPIENTS)
    assert circulation_count(app) == 2
    once_more = client.post(PAGE, data=again)
    assert once_more.status_code == 409 and "Sent before" in once_more.get_data(as_text=True)
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
    _, confirmed_before = confirmation(client)
    set_title(app, title)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Nothing is sent while a finding stands" in page
    assert "Send to 3 members" not in page
    html, fields = confirmation(client)
    assert fields == {} and "standing" in html
    response = client.post(PAGE, data=confirmed_before)
    assert response.status_code == 409
    assert "subject" in response.get_data(as_text=True)
    assert outbox_messages(app) == [] and circulation_count(app) == 0
    set_title(app, TITLE)
    assert send(client).status_code == 302
    check_messages(outbox_messages(app))


def test_an_overridden_finding_lets_the_notes_go(app, client, facilitator):
    """While findings stand the confirmation says so and offers no sending;
    a facilitator overrides each with a written reason on the page; the
    confirmation then says they are overridden, and the notes are sent (with
    the title as it stands)."""
    set_title(app, "Catch-up with Zéphyrine Oakenshaw")
    html, fields = confirmation(client)
    assert re.match(r"\d+ findings? standing", fact(html, "leak-check")) and fields == {}
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
    html, fields = confirmation(client)
    assert re.match(r"\d+ findings? overridden", fact(html, "leak-check"))
    assert client.post(PAGE, data=fields).status_code == 302
    assert len(outbox_messages(app)) == len(RECIPIENTS)


def test_a_consent_withdrawal_reaches_the_next_message(app, client, facilitator):
    """The message is made from the current rows: after Jane's grant is
    withdrawn, the next circulation no longer names her."""
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
    _, fields = confirmation(client)
    with app.app_context():
        for member in db.session.scalars(sa.select(Member).where(Member.email.in_(RECIPIENTS))):
            member.active = False
        db.session.commit()
    response = client.post(PAGE, data=fields)
    assert response.status_code == 409
    assert "no active members" in response.get_data(as_text=True)
    with app.app_context():
        db.session.execute(sa.delete(Item))
        db.session.commit()
    response = client.post(PAGE, data=fields)
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
    assert client.get(CONFIRM).status_code == 404
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post(PAGE, data={"csrf_token": token}).status_code == 404
    assert client.post(PAGE + "/1/resume", data={"csrf_token": token}).status_code == 404
    assert outbox_messages(app) == [] and circulation_count(app) == 0


def test_get_changes_nothing(app, client, facilitator):
    """Looking at the page or the confirmation sends nothing and records nothing."""
    assert client.get(PAGE).status_code == 200
    assert client.get(CONFIRM).status_code == 200
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


# --- the confirmation ----------------------------------------------------------


def nothing_sent(app) -> bool:
    return outbox_messages(app) == [] and circulation_count(app) == 0


def test_the_page_offers_only_the_way_to_the_confirmation(client, facilitator):
    """The circulation page has no form that sends: its button opens the confirmation."""
    page = client.get(PAGE).get_data(as_text=True)
    assert f'action="{PAGE}"' not in page
    assert f'href="{CONFIRM}"' in page


def test_nothing_is_sent_without_the_confirmation(app, client, facilitator):
    """A POST without the confirmation's fingerprint, or with one made up,
    sends nothing: 422 saying to confirm first, or 409 asking again."""
    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    unconfirmed = client.post(PAGE, data={"csrf_token": token})
    assert unconfirmed.status_code == 422
    assert "confirm the sending on the confirmation page first" in unconfirmed.get_data(
        as_text=True
    )
    made_up = client.post(PAGE, data={"csrf_token": token, "fingerprint": "0" * 64})
    assert made_up.status_code == 409
    assert "changed after you were asked to confirm" in made_up.get_data(as_text=True)
    assert nothing_sent(app)


def test_the_confirmation_counts_the_recipients_and_sends_to_exactly_them(app, client, facilitator):
    """The count is the series' active members (not the inactive one, not
    another series'), and the sending reaches exactly that many."""
    html, fields = confirmation(client)
    assert fact(html, "recipients").startswith("3 active members of Community of Practice")
    assert fact(html, "leak-check").startswith("Clean")
    assert "Send to 3 members" in html
    assert client.post(PAGE, data=fields).status_code == 302
    assert sorted(m.to for m in outbox_messages(app)) == sorted(RECIPIENTS)


def _change_title(app, world):
    db.session.get(Meeting, world["meeting_id"]).title = "Shared data, revised"


def _edit_an_item(app, world):
    item = db.session.scalars(sa.select(Item).where(Item.meeting_id == world["meeting_id"])).first()
    item.body = item.body + " Added after the confirmation."


def _edit_a_confidential_item(app, world):
    """No member reads it, but the notes are a new version all the same."""
    item = db.session.scalar(sa.select(Item).where(Item.confidentiality == "confidential"))
    item.body = item.body + " (revised)"


def _withdraw_consent(app, world):
    for consent in db.session.scalars(sa.select(Consent)):
        consent.withdrawn_at = utcnow()


def _add_a_member(app, world):
    newcomer = db.session.scalar(sa.select(Member).where(Member.email == "eve@example.org"))
    newcomer.series.append(db.session.get(Series, world["cop"].id))


def _deactivate_a_member(app, world):
    db.session.scalar(sa.select(Member).where(Member.email == "ben@example.org")).active = False


@pytest.mark.parametrize(
    "change",
    [
        _change_title,
        _edit_an_item,
        _edit_a_confidential_item,
        _withdraw_consent,
        _add_a_member,
        _deactivate_a_member,
    ],
)
def test_a_change_after_the_confirmation_is_refused(app, client, facilitator, world, change):
    """The meeting, an item, a consent or the series' members changed after
    the confirmation page: 409 with a clear message and a fresh confirmation,
    nothing sent; the fresh confirmation then sends."""
    _, fields = confirmation(client)
    with app.app_context():
        change(app, world)
        db.session.commit()
    refused = client.post(PAGE, data=fields)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Nothing was sent" in html and "changed after you were asked to confirm" in html
    assert nothing_sent(app)
    fresh = send_form_of(html)
    assert fresh["fingerprint"] != fields["fingerprint"]
    assert client.post(PAGE, data=fresh).status_code == 302
    assert circulation_count(app) == 1


def test_history_times_are_on_the_meetings_clock(app, client, facilitator):
    """The history gives when it was sent as the meeting's own clock reads
    it, with its zone ("BST" in summer, "GMT" in winter), never in UTC."""
    assert send(client).status_code == 302
    with app.app_context():
        circulation = db.session.scalar(sa.select(Circulation))
        started = circulation.started_at
        zone = circulation.meeting.timezone
    local = started.astimezone(ZoneInfo(zone))
    page = client.get(PAGE).get_data(as_text=True)
    heading = re.search(r"<h3 id=\"circulation-\d+-heading\">(.*?)</h3>", page, re.S).group(1)
    assert f"{local:%H:%M} {local.tzname()}</time>" in heading
    assert "UTC" not in heading
