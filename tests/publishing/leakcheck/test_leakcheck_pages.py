"""The leak-check page, its override form and ``notesbase check``: for
facilitators only (everyone else gets the 404 of a missing meeting), every
override needs a written reason, and the command exits 1 while a finding
stands."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa
from flask import render_template

from notesbase.db import db
from notesbase.models import AuditEvent, LeakOverride, Member, Role, Series
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.leakcheck.check import Field
from tests.conftest import csrf_token_from, post_form
from tests.publishing.leakcheck.leakcheck_support import (  # noqa: F401 - fixtures
    MEMBER_CHANNEL,
    OUTPUT,
    PUBLIC_CHANNEL,
    channels_fixture,
    the_meeting,
    world_fixture,
)

PAGE = "/series/cop/meetings/1/leak-check"
OVERRIDE = PAGE + "/override"
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


def alex_findings(app) -> str:
    """The override form's value for Alex's one place: channel:key."""
    return f"{PUBLIC_CHANNEL}:{alex_key(app)}"


def overrides(app) -> list[LeakOverride]:
    with app.app_context():
        return list(db.session.scalars(sa.select(LeakOverride)))


def test_page_shows_every_channel_with_findings_and_forms(client, login_as, leaky):
    """The channels gathered by audience: each thing found with why, what
    was found and where, a small override (a one-line reason, on demand)
    per place, and a line per clean channel saying so."""
    login_as(Role.FACILITATOR)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "Test P" in html and "Test M" in html
    assert "What the public receives" in html and "What members of the series receive" in html
    assert WHY in html and "<code>Alex Smith</code>" in html and "Summary" in html
    assert f'action="{OVERRIDE}"' in html and '<details class="leak-override">' in html
    assert 'name="reason"' in html and "<textarea" not in html and csrf_token_from(html)
    assert f'name="findings" value="{PUBLIC_CHANNEL}:' in html
    assert "Test M: no findings" in html


def test_override_through_the_form(app, client, login_as, leaky):
    """A reason overrides the place: back to the page with a message, the
    finding shown as overridden with the reason, and the action audited."""
    login_as(Role.FACILITATOR)
    key = alex_key(app)
    response = post_form(
        client, OVERRIDE, {"findings": alex_findings(app), "reason": "Alex is our guest"}, page=PAGE
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PAGE)
    html = unescape(client.get(PAGE).get_data(as_text=True))
    assert "Overridden for Test P" in html and "“Alex is our guest”" in html
    assert "may go out" in html
    [row] = overrides(app)
    assert (row.finding_key, row.channel, row.reason) == (key, PUBLIC_CHANNEL, "Alex is our guest")
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "leakcheck.override")
        )
        assert event is not None and event.actor_label == "facilitator@example.org"
        assert "guest" not in str(event.details)


def test_one_override_covers_a_place_on_every_channel_listed(app, client, login_as, leaky):
    """A place carried by two channels of one audience is overridden on both
    at once, one row each with the same reason."""
    OUTPUT[MEMBER_CHANNEL] = [Field("summary", "Thanks to alex@example.org.")]
    OUTPUT["leaktest-member2"] = [Field("summary", "Thanks to alex@example.org.")]
    from notesbase.disclosure import Audience

    leakcheck.register_channel(
        "leaktest-member2", Audience.MEMBER, lambda m: OUTPUT["leaktest-member2"], "Test M2"
    )
    try:
        login_as(Role.FACILITATOR)
        html = unescape(client.get(PAGE).get_data(as_text=True))
        [value] = re.findall(r'name="findings" value="(leaktest-member[^"]*)"', html)
        assert value.startswith(f"{MEMBER_CHANNEL}:") and " leaktest-member2:" in value
        assert "Test M (summary) · Test M2 (summary)" not in html  # own place: not named twice
        data = {"findings": value, "reason": "Alex asked us to share it"}
        assert post_form(client, OVERRIDE, data, page=PAGE).status_code == 302
        assert sorted(row.channel for row in overrides(app)) == [
            MEMBER_CHANNEL,
            "leaktest-member2",
        ]
        with app.app_context():
            assert leakcheck.check(the_meeting(), "leaktest-member2").ok
    finally:
        leakcheck.CHANNELS.pop("leaktest-member2", None)
        OUTPUT.pop("leaktest-member2", None)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": ""}, "Write why this is not a leak."),
        ({"reason": "   "}, "Write why this is not a leak."),
        ({"reason": "x" * 2001}, "A reason is at most 2,000 characters."),
        ({"reason": "fine", "findings": f"{PUBLIC_CHANNEL}:{'0' * 64}"}, "no longer there"),
        ({"reason": "fine", "findings": "no-such-channel:" + "0" * 64}, "no longer listed"),
        ({"reason": "fine", "findings": "not a finding"}, "no longer listed"),
        ({"reason": "fine", "findings": ""}, "no longer listed"),
    ],
)
def test_refused_override_is_422_with_the_error(app, client, login_as, leaky, data, error):
    """A missing or long reason, or a finding that is not there (or not a
    finding at all), answers 422 with the error on the page, and nothing
    is written."""
    login_as(Role.FACILITATOR)
    response = post_form(client, OVERRIDE, {"findings": alex_findings(app), **data}, page=PAGE)
    assert response.status_code == 422
    assert error in unescape(response.get_data(as_text=True))
    assert overrides(app) == []


def test_a_refused_override_keeps_the_reason_at_its_place(app, client, login_as, leaky):
    """The place's override opens again with the reason typed and the error
    beside it."""
    login_as(Role.FACILITATOR)
    data = {"findings": alex_findings(app), "reason": "x" * 2001}
    html = unescape(post_form(client, OVERRIDE, data, page=PAGE).get_data(as_text=True))
    assert '<details class="leak-override" open>' in html
    assert 'aria-invalid="true"' in html and 'value="' + "x" * 2001 + '"' in html


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
    data = {"findings": alex_findings(app), "reason": "ok", "next": next_url}
    response = post_form(client, OVERRIDE, data, page=PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(lands)
    assert "evil" not in response.headers["Location"]


def test_unknown_meeting_is_404(app, client, login_as, leaky):
    login_as(Role.FACILITATOR)
    assert client.get("/series/cop/meetings/2/leak-check").status_code == 404
    assert client.get("/series/nope/meetings/1/leak-check").status_code == 404
    data = {"findings": alex_findings(app), "reason": "ok"}
    response = post_form(client, "/series/cop/meetings/2/leak-check/override", data, page=PAGE)
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
    data = {"csrf_token": token, "findings": alex_findings(app), "reason": "ok"}
    assert client.post(OVERRIDE, data=data).status_code == 404
    assert overrides(app) == []


def test_override_without_csrf_token_is_400(app, client, login_as, leaky):
    login_as(Role.FACILITATOR)
    response = client.post(OVERRIDE, data={"findings": alex_findings(app), "reason": "ok"})
    assert response.status_code == 400
    assert overrides(app) == []


def test_findings_partial_for_other_pages(app, leaky):
    """``leakcheck/_findings.html`` shows one report, grouped, with its
    override forms coming back to ``next_url``: the write-up and circulation
    pages include it."""
    with app.test_request_context("/"):
        meeting = the_meeting()
        report = leakcheck.check(meeting, PUBLIC_CHANNEL)
        html = unescape(
            render_template(
                "leakcheck/_findings.html", report=report, meeting=meeting, next_url="/back"
            )
        )
    assert WHY in html and f'action="{OVERRIDE}"' in html
    assert 'name="next" value="/back"' in html
    assert f'name="findings" value="{PUBLIC_CHANNEL}:{report.findings[0].key}"' in html


# notesbase check ------------------------------------------------------------


def test_cli_exit_codes(app, runner, leaky):
    """1 with the findings listed while one stands, 0 once it is overridden
    (or the output is clean)."""
    result = runner.invoke(args=["check", "cop", "1", "--channel", PUBLIC_CHANNEL])
    assert result.exit_code == 1, result.output
    assert f"  name “Alex Smith” · {WHY}\n    at summary\n" in result.output
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
