"""The leak-check page, its override form and ``notesbase check``: for
facilitators only (everyone else gets the 404 of a missing meeting), every
override needs a written reason, and the command exits 1 while a finding
stands."""

from __future__ import annotations

from html import unescape

import pytest
import sqlalchemy as sa
from flask import render_template

from notesbase.db import db
from notesbase.models import AuditEvent, LeakOverride, Member, Role, Series
from notesbase.publishing import leakcheck
from notesbase.publishing.leakcheck import Field
from tests.conftest import csrf_token_from, post_form
from tests.publishing.test_leakcheck_support import (  # noqa: F401 - fixtures
    MEMBER_CHANNEL,
    OUTPUT,
    PUBLIC_CHANNEL,
    channels_fixture,
    the_meeting,
    world_fixture,
)

PAGE = "/series/cop/meetings/1/leak-check"
OVERRIDE = PAGE + f"/{PUBLIC_CHANNEL}/override"
WHY = "Alex Smith has not agreed to be named to the public."


@pytest.fixture
def leaky(world, channels):
    """The public test channel names Alex; the member one is clean."""
    OUTPUT[PUBLIC_CHANNEL] = [Field("summary", "Thanks to Alex Smith.")]
    OUTPUT[MEMBER_CHANNEL] = [Field("summary", "Thanks to everyone.")]
    return world


def alex_key(app) -> str:
    with app.app_context():
        return leakcheck.check(the_meeting(), PUBLIC_CHANNEL).findings[0].key


def overrides(app) -> list[LeakOverride]:
    with app.app_context():
        return list(db.session.scalars(sa.select(LeakOverride)))


def test_page_shows_every_channel_with_findings_and_forms(client, login_as, leaky):
    """Each registered channel's report: the findings with where, why and
    what was found, and a form asking for a reason; a clean one says so."""
    login_as(Role.FACILITATOR)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "Test P" in html and "Test M" in html
    assert WHY in html and "<code>Alex Smith</code>" in html and "summary" in html
    assert f'action="{OVERRIDE}"' in html
    assert 'name="reason"' in html and csrf_token_from(html)
    assert "No findings" in html


def test_override_through_the_form(app, client, login_as, leaky):
    """A reason overrides the finding: back to the page with a message, the
    finding shown as overridden with the reason, and the action audited."""
    login_as(Role.FACILITATOR)
    key = alex_key(app)
    response = post_form(
        client, OVERRIDE, {"finding_key": key, "reason": "Alex Smith is our guest"}, page=PAGE
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PAGE)
    html = unescape(client.get(PAGE).get_data(as_text=True))
    assert "Finding overridden" in html and "“Alex Smith is our guest”" in html
    assert "may go out" in html
    [row] = overrides(app)
    assert (row.finding_key, row.channel, row.reason) == (
        key,
        PUBLIC_CHANNEL,
        "Alex Smith is our guest",
    )
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "leakcheck.override")
        )
        assert event is not None and event.actor_label == "facilitator@example.org"
        assert "guest" not in str(event.details)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": ""}, "Write why this is not a leak."),
        ({"reason": "   "}, "Write why this is not a leak."),
        ({"reason": "x" * 2001}, "A reason is at most 2,000 characters."),
        ({"reason": "fine", "finding_key": "0" * 64}, "That finding is no longer there"),
    ],
)
def test_refused_override_is_422_with_the_error(app, client, login_as, leaky, data, error):
    """A missing or long reason, or a finding that is not there, answers 422
    with the error on the page, and nothing is written."""
    login_as(Role.FACILITATOR)
    response = post_form(client, OVERRIDE, {"finding_key": alex_key(app), **data}, page=PAGE)
    assert response.status_code == 422
    assert error in unescape(response.get_data(as_text=True))
    assert overrides(app) == []


@pytest.mark.parametrize(
    ("next_url", "lands"),
    [
        ("/series/cop/meetings/1", "/series/cop/meetings/1"),
        ("https://evil.example/", PAGE),
        ("//evil.example/", PAGE),
    ],
)
def test_override_goes_back_only_to_this_site(app, client, login_as, leaky, next_url, lands):
    """``next`` brings the facilitator back to the page they came from, and
    never to another site."""
    login_as(Role.FACILITATOR)
    data = {"finding_key": alex_key(app), "reason": "ok", "next": next_url}
    response = post_form(client, OVERRIDE, data, page=PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(lands)
    assert "evil" not in response.headers["Location"]


def test_unknown_channel_or_meeting_is_404(app, client, login_as, leaky):
    login_as(Role.FACILITATOR)
    assert client.get("/series/cop/meetings/2/leak-check").status_code == 404
    assert client.get("/series/nope/meetings/1/leak-check").status_code == 404
    data = {"finding_key": alex_key(app), "reason": "ok"}
    response = post_form(client, PAGE + "/no-such-channel/override", data, page=PAGE)
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["public", "member", "other series", "inactive facilitator"])
def test_everyone_else_gets_the_404_of_a_missing_meeting(
    app, client, make_member, auth, leaky, who
):
    """The page and the form exist for facilitators only; to anyone else
    they answer as a missing meeting does, and change nothing."""
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    if who != "public":
        with app.app_context():
            cop = db.session.scalar(sa.select(Series).where(Series.slug == "cop"))
            other = Series(slug="other", title="Other")
            db.session.add(other)
            db.session.commit()
            series = {"member": [cop], "other series": [other]}.get(who, [])
        role = Role.FACILITATOR if who == "inactive facilitator" else Role.MEMBER
        member = make_member("someone@example.org", role=role, series=series)
        auth.login("someone@example.org")
        token = csrf_token_from(client.get("/").get_data(as_text=True))
        if who == "inactive facilitator":
            with app.app_context():
                db.session.get(Member, member.id).active = False
                db.session.commit()
    assert client.get("/series/cop/meetings/99/leak-check").status_code == 404
    assert client.get(PAGE).status_code == 404
    data = {"csrf_token": token, "finding_key": alex_key(app), "reason": "ok"}
    assert client.post(OVERRIDE, data=data).status_code == 404
    assert overrides(app) == []


def test_override_without_csrf_token_is_400(app, client, login_as, leaky):
    login_as(Role.FACILITATOR)
    response = client.post(OVERRIDE, data={"finding_key": alex_key(app), "reason": "ok"})
    assert response.status_code == 400
    assert overrides(app) == []


def test_findings_partial_for_other_pages(app, leaky):
    """``leakcheck/_findings.html`` shows one report with its override forms
    coming back to ``next_url``: the write-up and circulation pages include it."""
    with app.test_request_context("/"):
        report = leakcheck.check(the_meeting(), PUBLIC_CHANNEL)
        html = unescape(
            render_template("leakcheck/_findings.html", report=report, next_url="/back")
        )
    assert WHY in html and f'action="{OVERRIDE}"' in html
    assert 'name="next" value="/back"' in html
    assert 'name="finding_key" value="' + report.findings[0].key + '"' in html


# notesbase check ------------------------------------------------------------


def test_cli_exit_codes(app, runner, leaky):
    """1 with the findings listed while one stands, 0 once it is overridden
    (or the output is clean)."""
    result = runner.invoke(args=["check", "cop", "1", "--channel", PUBLIC_CHANNEL])
    assert result.exit_code == 1, result.output
    assert f"summary · name · {WHY}" in result.output
    clean = runner.invoke(args=["check", "cop", "1", "--channel", MEMBER_CHANNEL])
    assert clean.exit_code == 0, clean.output
    assert "clean" in clean.output
    with app.app_context():
        leakcheck.override(the_meeting(), PUBLIC_CHANNEL, alex_key(app), "guest", actor=None)
        db.session.commit()
    result = runner.invoke(args=["check", "cop", "1", "--channel", PUBLIC_CHANNEL])
    assert result.exit_code == 0, result.output
    assert "[overridden]" in result.output


def test_cli_checks_every_channel(runner, leaky):
    result = runner.invoke(args=["check", "cop", "1"])
    assert PUBLIC_CHANNEL in result.output and MEMBER_CHANNEL in result.output
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["check", "nope", "1"], "there is no series 'nope'"),
        (["check", "cop", "7"], "series 'cop' has no meeting 7"),
        (["check", "cop", "1", "--channel", "nope"], "there is no channel 'nope'"),
    ],
)
def test_cli_usage_errors(runner, leaky, args, error):
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert error in result.output
