"""``notesbase circulate SLUG NUMBER``: the page's sending from the command
line, with the same leak check, question before sending again, and resume."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import AuditEvent, Circulation, Meeting
from tests.publishing.circulation.circulation_support import (
    RECIPIENTS,
    SmtpServer,
    build_world,
    circulation_count,
    outbox_messages,
)
from tests.support.loopback_support import free_port


@pytest.fixture
def world(app, make_member, make_series):
    return build_world(app, make_member, make_series)


def circulate(runner, *args, input=None):
    return runner.invoke(args=["circulate", "cop", "10", *args], input=input)


def test_circulate_with_yes_sends_once_to_each_member(app, runner, world):
    """--yes sends without asking; the audit names the command line."""
    result = circulate(runner, "--yes")
    assert result.exit_code == 0, result.output
    assert "sent to 3" in result.output
    assert sorted(m.to for m in outbox_messages(app)) == sorted(RECIPIENTS)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action.like("circ%")))
        assert (event.action, event.actor_label, event.details["sent"]) == (
            "circulation.send",
            "command line",
            3,
        )


def test_it_asks_first_and_again_before_resending(app, runner, world):
    """Without --yes it asks; "no" sends nothing; a second run says when
    the notes were sent and asks before sending again."""
    declined = circulate(runner, input="n\n")
    assert declined.exit_code == 1 and "to 3 member(s)?" in declined.output
    assert outbox_messages(app) == [] and circulation_count(app) == 0
    assert circulate(runner, input="y\n").exit_code == 0
    again = circulate(runner, input="n\n")
    assert again.exit_code == 1 and "These notes were sent on" in again.output
    assert len(outbox_messages(app)) == 3 and circulation_count(app) == 1
    assert circulate(runner, input="y\n").exit_code == 0
    assert len(outbox_messages(app)) == 6 and circulation_count(app) == 2


def test_a_failed_run_is_resumed_from_the_command_line(app, runner, world):
    """Nothing listening: the command fails and says how to resume; with a
    server, --resume ID reaches everyone once."""
    app.config.update(MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=free_port())
    failed = circulate(runner, "--yes")
    assert failed.exit_code == 1
    assert "cannot connect" in failed.output and "--resume 1" in failed.output
    server = SmtpServer().start()
    try:
        server.configure(app)
        resumed = circulate(runner, "--resume", "1", "--yes")
        assert resumed.exit_code == 0, resumed.output
        again = circulate(runner, "--resume", "1", "--yes")
        assert again.exit_code == 0 and "sent to 0" in again.output
        assert Counter(server.addresses()) == Counter(RECIPIENTS)
    finally:
        server.stop()


def test_unknown_circulation_or_meeting(runner, world):
    assert "no circulation 7" in circulate(runner, "--resume", "7", "--yes").output
    result = runner.invoke(args=["circulate", "cop", "99", "--yes"])
    assert result.exit_code == 1 and "has no meeting 99" in result.output


def test_the_leak_check_blocks_the_command(app, runner, world):
    """A standing finding is listed and nothing is sent or recorded."""
    with app.app_context():
        db.session.scalar(sa.select(Meeting)).title = "With Zéphyrine Oakenshaw"
        db.session.commit()
    result = circulate(runner, "--yes")
    assert result.exit_code == 1 and "nothing was sent" in result.output
    assert "subject" in result.output
    assert outbox_messages(app) == [] and circulation_count(app) == 0


def test_the_link_uses_the_public_address(app, runner, world):
    """--base-url (or BASE_URL) is the address the email links to."""
    result = circulate(runner, "--yes", "--base-url", "https://notes.example.org/nb")
    assert result.exit_code == 0, result.output
    for message in outbox_messages(app):
        assert "https://notes.example.org/nb/series/cop/meetings/10/notes" in message.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Circulation)) == 1


def test_without_its_own_address_the_command_says_so(app, runner, world):
    """From the command line with no BASE_URL or SERVER_NAME, the link cannot
    be made: a clear error, and nothing is sent or recorded."""
    app.config.update(SERVER_NAME=None, BASE_URL=None)
    result = circulate(runner, "--yes")
    assert result.exit_code == 1 and "set BASE_URL" in result.output
    assert outbox_messages(app) == [] and circulation_count(app) == 0
