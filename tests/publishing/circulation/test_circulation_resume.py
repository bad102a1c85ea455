"""A circulation that fails part-way says who did and did not receive the
notes, and resuming sends only to the rest, exactly once each, even when
Resume is clicked twice at once. A real SMTP server on loopback refuses a
recipient, goes down mid-batch, or breaks the connection after a message."""

from __future__ import annotations

import re
import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import AuditEvent, Circulation, CirculationRecipient, RecipientStatus
from notesbase.publishing.circulation import delivery
from tests.conftest import PASSWORD, post_form
from tests.publishing.circulation.circulation_support import (
    CONFIRM,
    FACILITATOR,
    PAGE,
    RECIPIENTS,
    SmtpServer,
    build_world,
    confirm_and_send,
    recipient_rows,
    send_form_of,
)
from tests.support.loopback_support import free_port

ADA, BEN, CAT = RECIPIENTS


@pytest.fixture
def world(app, make_member, make_series):
    return build_world(app, make_member, make_series)


@pytest.fixture
def facilitator(auth, world):
    assert auth.login(FACILITATOR).status_code == 302


@pytest.fixture
def servers():
    """Start SMTP servers on demand; every one is stopped at the end."""
    started: list[SmtpServer] = []

    def start(**options) -> SmtpServer:
        server = SmtpServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def send(client):
    return confirm_and_send(client)


def circulation_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(Circulation.id)))


def resume(client, app):
    return post_form(client, f"{PAGE}/{circulation_id(app)}/resume", {}, page=PAGE)


def flashed(client, response) -> str:
    return client.get(response.headers["Location"]).get_data(as_text=True)


def delivered_once_each(*servers: SmtpServer) -> Counter:
    return Counter(address for server in servers for address in server.addresses())


def test_a_refused_recipient_is_reported_and_resumed_once(app, client, facilitator, servers):
    """The server refuses Ben (550): Ada and Cat get it, Ben is reported
    failed with the reason; resuming sends to Ben only, and again to nobody."""
    smtp = servers(reject={BEN})
    smtp.configure(app)
    response = send(client)
    assert response.status_code == 302
    page = flashed(client, response)
    assert "Not everyone received the notes" in page
    assert "Received by 2 of 3." in page and "Failed for 1." in page
    assert "550" in page and "Resume: send to the 1 who did not receive it" in page
    assert smtp.addresses() == [ADA, CAT]
    rows = recipient_rows(app)
    assert rows[ADA][:2] == rows[CAT][:2] == ("sent", True)
    assert rows[BEN][0] == "failed" and "550" in rows[BEN][2]

    smtp.reject.clear()
    response = resume(client, app)
    assert response.status_code == 302
    assert "The notes were sent: sent to 1." in flashed(client, response)
    assert delivered_once_each(smtp) == Counter(RECIPIENTS)
    assert recipient_rows(app)[BEN][:2] == ("sent", True)

    response = resume(client, app)
    assert "Nothing was left to send" in flashed(client, response)
    assert delivered_once_each(smtp) == Counter(RECIPIENTS)
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action.like("circulation.%"))
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.details["sent"], e.details["failed"]) for e in events] == [
            ("circulation.send", 2, 1),
            ("circulation.resume", 1, 0),
            ("circulation.resume", 0, 0),
        ]
        circulation = db.session.scalar(sa.select(Circulation))
        assert circulation.finished_at is not None


def test_the_server_going_down_midway(app, client, facilitator, servers):
    """After Ada's message the server stops: Ben's attempt fails, Cat is not
    tried; resuming while it is still down changes nothing; resuming once it
    is back reaches Ben and Cat, each once, and Ada never again."""
    first = servers(go_down_after=1)
    first.configure(app)
    page = flashed(client, send(client))
    assert "Received by 1 of 3." in page and "Failed for 1." in page
    assert "Not yet tried for 1." in page and "Sending stopped" in page
    assert first.addresses() == [ADA]
    rows = recipient_rows(app)
    assert rows[ADA][:2] == ("sent", True)
    assert rows[BEN][0] == "failed" and "connect" in rows[BEN][2]
    assert rows[CAT][0] == "pending"

    page = flashed(client, resume(client, app))
    assert "Received by 1 of 3." in page
    assert recipient_rows(app)[CAT][0] == "pending"

    second = servers()
    second.configure(app)
    page = flashed(client, resume(client, app))
    assert "Received by 3 of 3." in page
    assert delivered_once_each(first, second) == Counter(RECIPIENTS)
    assert second.addresses() == [BEN, CAT]


def test_no_server_at_all_then_resume(app, client, facilitator, servers):
    """With nothing listening, nobody receives it and every member is listed
    as not received; once a server answers, resume reaches all three."""
    app.config.update(MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=free_port())
    page = flashed(client, send(client))
    assert "Received by 0 of 3." in page and "cannot connect to the mail server" in page
    smtp = servers()
    smtp.configure(app)
    resume(client, app)
    assert delivered_once_each(smtp) == Counter(RECIPIENTS)


def test_two_resumes_at_once_send_once_each(app, client, facilitator, servers):
    """Resume clicked twice at the same moment (two requests in two threads,
    a slow server): every member gets exactly one message."""
    app.config.update(MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=free_port())
    send(client)
    assert {row[0] for row in recipient_rows(app).values()} == {"failed", "pending"}
    smtp = servers()
    smtp.delay = 0.3
    smtp.configure(app)
    url = f"{PAGE}/{circulation_id(app)}/resume"
    clients = logged_in_clients(app)
    answers = at_once(url, clients)
    assert answers == [302, 302]
    assert delivered_once_each(smtp) == Counter(RECIPIENTS)
    assert all(row[:2] == ("sent", True) for row in recipient_rows(app).values())
    with app.app_context():
        resumes = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "circulation.resume")
        ).all()
        assert len(resumes) == 2 and sum(e.details["sent"] for e in resumes) == 3


def logged_in_clients(app, count: int = 2) -> list[tuple[object, str]]:
    """Facilitator clients, each with a CSRF token from the page."""
    clients = []
    for _ in range(count):
        other = app.test_client()
        post_form(other, "/login", {"email": FACILITATOR, "password": PASSWORD})
        html = other.get(PAGE).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        clients.append((other, token))
    return clients


def at_once(url: str, clients, data=None) -> list[int]:
    """POST from every client at the same moment; the status codes, sorted."""
    start = threading.Barrier(len(clients))
    answers: list[int] = []

    def click(pair) -> None:
        other, token = pair
        start.wait()
        answers.append(other.post(url, data={"csrf_token": token, **(data or {})}).status_code)

    threads = [threading.Thread(target=click, args=(pair,)) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(answers)


def test_send_clicked_twice_at_once_sends_once(app, facilitator, servers):
    """Two first sends, confirmed alike, at the same moment: one circulation
    goes out, the other request is asked to confirm again (409), and each
    member gets one message."""
    smtp = servers()
    smtp.configure(app)
    clients = logged_in_clients(app)
    confirmed = send_form_of(clients[0][0].get(CONFIRM).get_data(as_text=True))
    answers = at_once(PAGE, clients, {"fingerprint": confirmed["fingerprint"]})
    assert answers == [302, 409]
    assert delivered_once_each(smtp) == Counter(RECIPIENTS)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Circulation)) == 1


def test_a_claimed_row_is_never_claimed_again(app, world):
    """The claim is an update guarded by status != 'sent': only the first wins."""
    with app.app_context():
        circulation = Circulation(meeting_id=world["meeting_id"], subject="s")
        db.session.add(circulation)
        db.session.flush()
        row = CirculationRecipient(circulation_id=circulation.id, member_id=None, email="x@y.z")
        db.session.add(row)
        db.session.commit()
        assert delivery._claim(row.id) is True
        assert delivery._claim(row.id) is False
        refreshed = db.session.get(CirculationRecipient, row.id)
        assert refreshed.status is RecipientStatus.SENT and refreshed.sent_at is None


class BreaksAfterData(SmtpServer):
    """Takes Ben's message, then drops the connection instead of answering:
    the sender cannot know whether it arrived."""

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if BEN in envelope.rcpt_tos:
            server.transport.abort()
        return answer


def test_an_uncertain_message_is_never_sent_again(app, client, facilitator):
    """The connection breaks after Ben's message was handed over: Ben is
    shown as uncertain, Cat waits; resuming reaches Cat and never Ben again."""
    smtp = BreaksAfterData().start()
    try:
        smtp.configure(app)
        page = flashed(client, send(client))
        assert "Uncertain for 1" in page and "it may have arrived" in page
        rows = recipient_rows(app)
        assert rows[BEN][:2] == ("sent", False)
        assert rows[CAT][0] == "pending"
        assert "Resume: send to the 1 who did not receive it" in page
        resume(client, app)
        assert Counter(smtp.addresses()) == Counter({ADA: 1, BEN: 1, CAT: 1})
        assert recipient_rows(app)[BEN][:2] == ("sent", False)
    finally:
        smtp.stop()


def test_a_member_who_left_meanwhile_gets_nothing_on_resume(app, client, facilitator, servers):
    """Ben is refused, then deactivated: the resume does not send to him and
    says why; nobody else is sent anything twice."""
    from notesbase.models import Member

    smtp = servers(reject={BEN})
    smtp.configure(app)
    send(client)
    smtp.reject.clear()
    with app.app_context():
        db.session.scalar(sa.select(Member).where(Member.email == BEN)).active = False
        db.session.commit()
    page = flashed(client, resume(client, app))
    assert "no longer an active member of the series" in page
    assert smtp.addresses() == [ADA, CAT]
    assert recipient_rows(app)[BEN][0] == "failed"
