"""``notesbase demo`` loads a labelled demo series and demo accounts."""

from __future__ import annotations

import re
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from notesbase.db import db
from notesbase.demo import ACCOUNTS_FILE, DEMO_SERIES, load_demo
from notesbase.models import Meeting, MeetingFormat, MeetingStatus, Member, Role, Series

DEMO_DATES = [
    date(2024, 7, 18),
    date(2024, 10, 3),
    date(2024, 12, 11),
    date(2025, 1, 15),
    date(2025, 2, 12),
    date(2025, 3, 12),
    date(2025, 4, 9),
    date(2025, 5, 14),
    date(2025, 6, 18),
    date(2025, 7, 9),
]
ACCOUNT_LINE = re.compile(r"^\s+(\w+)\s+(\S+@demo\.notesbase\.invalid)\s+(\S+)$", re.M)


def accounts_in(output: str) -> dict[str, tuple[str, str]]:
    """{email: (role, password)} from the printed account list."""
    return {email: (role, pw) for role, email, pw in ACCOUNT_LINE.findall(output)}


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Series, Meeting, Member)
        )


def test_demo_loads_ten_meetings_with_the_fixture_dates(app, runner):
    """The demo series has meetings 1-10 on the dates the event page gives, online at
    2pm London time under the Chatham House Rule, labelled as demo data."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        series = db.session.scalar(sa.select(Series))
        assert series.title == "Data and AI public engagement: Community of Practice"
        assert "DEMO DATA" in series.description
        meetings = series.meetings
        assert [m.number for m in meetings] == list(range(1, 11))
        assert [m.date for m in meetings] == DEMO_DATES
        for m in meetings:
            assert m.format == MeetingFormat.ONLINE and m.chatham_house
            assert m.timezone == "Europe/London" and m.start_time.hour == 14
            assert "DEMO DATA" in m.description
            assert {"Public sector", "People and Participation"} <= {t.name for t in m.topics}
        tenth = meetings[-1]
        assert tenth.speakers == "TBC" and tenth.registration_url.startswith("https://")
        assert "Public Voices in AI" in meetings[6].theme
        assert "Open Data Manchester" in meetings[7].theme


def test_statuses_follow_today(app):
    """Meetings dated before the day of loading are held; the rest upcoming."""
    with app.app_context():
        load_demo(datetime(2025, 7, 1, 12, tzinfo=UTC))
        statuses = db.session.scalars(sa.select(Meeting.status).order_by(Meeting.number)).all()
        db.session.rollback()
    assert statuses == [MeetingStatus.HELD] * 9 + [MeetingStatus.UPCOMING]


def test_demo_accounts_log_in_with_printed_passwords(app, runner, auth):
    """Each printed demo account logs in with its printed password and has its role."""
    result = runner.invoke(args=["demo"])
    accounts = accounts_in(result.output)
    assert set(accounts) == {
        "admin@demo.notesbase.invalid",
        "facilitator@demo.notesbase.invalid",
        "member@demo.notesbase.invalid",
    }
    for email, (_role, password) in accounts.items():
        response = auth.login(email, password)
        assert response.status_code == 302, email
        auth.logout()
    assert auth.login("admin@demo.notesbase.invalid", "wrong password").status_code == 401
    with app.app_context():
        members = {m.email: m for m in db.session.scalars(sa.select(Member))}
        assert members["admin@demo.notesbase.invalid"].role == Role.ADMIN
        assert members["facilitator@demo.notesbase.invalid"].role == Role.FACILITATOR
        member = members["member@demo.notesbase.invalid"]
        assert member.role == Role.MEMBER
        assert [s.slug for s in member.series] == [DEMO_SERIES.slug]
        assert all("demo" in m.display_name.lower() for m in members.values())


def test_accounts_file_is_private_and_matches_output(app, runner):
    """The accounts are kept in instance/demo-accounts.txt, readable only by its owner."""
    result = runner.invoke(args=["demo"])
    path = Path(app.instance_path) / ACCOUNTS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert accounts_in(path.read_text()) == accounts_in(result.output)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(f".{ACCOUNTS_FILE}")]


def test_if_empty_is_idempotent_and_prints_the_same_passwords(app, runner):
    """`demo --if-empty` twice loads once and prints the same accounts both times."""
    first = runner.invoke(args=["demo", "--if-empty"])
    second = runner.invoke(args=["demo", "--if-empty"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "already loaded" in second.output
    assert accounts_in(first.output) == accounts_in(second.output)
    assert len(accounts_in(second.output)) == 3
    assert counts(app) == (1, 10, 3)


def test_plain_demo_refuses_a_database_with_data(app, runner, make_member):
    """`demo` without --if-empty refuses, with a clear message, when there is data."""
    make_member("someone@example.org")
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "already has data (0 series, 1 members)" in result.output
    assert "Traceback" not in result.output
    assert counts(app) == (0, 0, 1)
    assert not (Path(app.instance_path) / ACCOUNTS_FILE).exists()


def test_plain_demo_refuses_a_second_load(app, runner):
    """Running `demo` twice refuses the second time and keeps the first accounts."""
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert second.exit_code != 0 and "already has data" in second.output
    assert counts(app) == (1, 10, 3)
    path = Path(app.instance_path) / ACCOUNTS_FILE
    assert accounts_in(path.read_text()) == accounts_in(first.output)


def test_if_empty_leaves_other_data_alone(app, runner, make_series):
    """`demo --if-empty` on a database with other data loads nothing and exits 0."""
    make_series("cop", "Real series")
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already has data" in result.output and "no demo data loaded" in result.output
    assert counts(app) == (1, 0, 0)


def test_stale_accounts_file_is_replaced(app, runner):
    """A leftover accounts file from an earlier database is replaced on loading."""
    path = Path(app.instance_path) / ACCOUNTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("  admin  admin@demo.notesbase.invalid  stale-password\n")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    assert "stale-password" not in path.read_text()
    assert accounts_in(path.read_text()) == accounts_in(result.output)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_demo_pages_render(app, runner, client):
    """The demo series and its tenth meeting render publicly, labelled as demo data."""
    runner.invoke(args=["demo"])
    html = client.get(f"/series/{DEMO_SERIES.slug}").get_data(as_text=True)
    assert "DEMO DATA" in html
    assert all(f"Meeting {n}<" in html for n in range(1, 11))
    tenth = client.get(f"/series/{DEMO_SERIES.slug}/meetings/10").get_data(as_text=True)
    assert "Wednesday 9 July 2025, 2pm (UK time / Europe/London)" in tenth
    assert "DEMO DATA" in tenth
    topics = client.get("/topics/public-sector").get_data(as_text=True)
    assert topics.count('class="meeting-entry"') == 10


def test_demo_publishes_a_writeup_that_passes_the_leak_check(app, runner, client):
    """Meeting 9's write-up was published (so its leak check passed) and is
    on its public page and in search."""
    runner.invoke(args=["demo"])
    page = client.get(f"/series/{DEMO_SERIES.slug}/meetings/9/writeup")
    assert page.status_code == 200
    assert "people who kept it going" in page.get_data(as_text=True)
    found = client.get("/search?q=mapping&kind=writeup").get_data(as_text=True)
    assert f"/series/{DEMO_SERIES.slug}/meetings/9/writeup" in found
