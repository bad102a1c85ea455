"""The admin's audit page: every event in words, in the reader's time zone
(the series' by default), filtered by who, what and when through a GET form
whose every mistake is a clear 400, a page at a time."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import notesbase
from notesbase import audit
from notesbase.admin.audit_names import Link, Names
from notesbase.admin.audit_words import WORDINGS, sentence
from notesbase.db import db
from notesbase.models import AuditEvent, Meeting, Member, Person, Role, Series
from tests.admin.audit_support import audit_rows
from tests.conftest import PASSWORD, post_form

PACKAGE = Path(notesbase.__file__).parent


@pytest.fixture
def world(app, make_member):
    """A series with a meeting held in UK time, a person, a member and an admin."""
    with app.app_context():
        cop = Series(slug="cop", title="Community of Practice")
        db.session.add_all(
            [cop, Meeting(series=cop, number=1, title="First", date=date(2025, 1, 15))]
        )
        jane = Person(name="Jane Doe", affiliation="ODM")
        db.session.add(jane)
        db.session.commit()
        ids = {"cop": cop.id, "jane": jane.id}
    ids["member"] = make_member("ann@example.org", name="Ann").id
    ids["admin"] = make_member("admin@example.org", role=Role.ADMIN, name="Adele").id
    return ids


def admin_client(app):
    client = app.test_client()
    response = post_form(client, "/login", {"email": "admin@example.org", "password": PASSWORD})
    assert response.status_code == 302
    return client


def add_event(app, action, target_type, target_id, *, at, actor_id=None, **details):
    """Record an event as if at ``at`` (UTC)."""
    with app.app_context():
        actor = db.session.get(Member, actor_id) if actor_id else None
        event = audit.record(action, target_type, target_id, actor=actor, **details)
        db.session.flush()
        event.at = at
        db.session.commit()
        return event.id


def rows_of(client, query=""):
    response = client.get("/admin/audit" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return audit_rows(response.get_data(as_text=True))


# --- every action has a wording ---------------------------------------------


def _recorded_actions() -> set[str]:
    """Every literal action passed to ``audit.record`` in the package source,
    or to a function that hands its first argument on to it."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in ("record", "record_attempt"):
                continue
            first = node.args[0]
            options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            found |= {o.value for o in options if isinstance(o, ast.Constant)}
    return {action for action in found if isinstance(action, str)}


def test_every_action_the_code_records_has_a_wording():
    """Each action literal given to audit.record in the source is registered,
    every registered action is worded, and none is worded that is not registered."""
    recorded = _recorded_actions()
    assert {"account.login", "consent.withdraw", "item.create", "circulation.send"} <= recorded
    assert recorded <= audit.ACTIONS, recorded - audit.ACTIONS
    assert set(WORDINGS) == audit.ACTIONS, set(WORDINGS) ^ audit.ACTIONS


def test_every_registered_action_is_used_in_the_code():
    """No registered action is dead: each is named somewhere outside audit.py."""
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py") if p.name != "audit.py"
    )
    unused = {a for a in audit.ACTIONS if f'"{a}"' not in source}
    assert unused == set()


def test_an_unregistered_action_is_refused(app):
    """record() refuses an action without a wording instead of logging a raw code."""
    with app.app_context(), pytest.raises(audit.UnknownAction):
        audit.record("item.teleport", "item", 1, actor=None)


@pytest.mark.parametrize("action", sorted(audit.ACTIONS))
def test_every_wording_reads_an_event_with_or_without_details(app, action):
    """An event missing its details (an older one) or its target still reads
    as a sentence, with no raw action code in it."""
    with app.test_request_context():
        for target_id, meeting_id in ((None, None), (999, 999)):
            event = AuditEvent(
                id=1,
                action=action,
                target_type="member",
                target_id=target_id,
                meeting_id=meeting_id,
                actor_label="x",
                details={},
            )
            parts = sentence(event, Names([event]))
            text = "".join(p.text if isinstance(p, Link) else p for p in parts)
            assert text and text[0].isupper()
            assert action not in text


# --- in words, in the series' time zone -----------------------------------------


def test_events_read_as_sentences_naming_what_they_touch(app, world):
    """Sign-ins, consent and account changes read in words, naming the person
    and the member (linked), never as raw codes."""
    at = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
    add_event(app, "person.create", "person", world["jane"], at=at, actor_id=world["admin"])
    add_event(
        app,
        "consent.withdraw",
        "person",
        world["jane"],
        at=at,
        actor_id=world["admin"],
        audience="public",
        level="named",
        series_id=world["cop"],
        consent_id=1,
    )
    add_event(
        app,
        "account.series",
        "member",
        world["member"],
        at=at,
        actor_id=world["admin"],
        added=["cop"],
        removed=[],
    )
    client = admin_client(app)
    page = client.get("/admin/audit").get_data(as_text=True)
    said = "\n".join(audit_rows(page))
    assert "Signed in." in said
    assert "Added the person Jane Doe." in said
    assert (
        "Withdrew consent for Jane Doe to be credited by name and affiliation, "
        "to the public, at every meeting of Community of Practice." in said
    )
    assert "Changed the series of Ann (ann@example.org): added Community of Practice." in said
    assert f'href="/people/{world["jane"]}"' in page
    assert f'href="/admin/members/{world["member"]}"' in page
    for code in ("consent.withdraw", "account.series", "account.login", "person.create"):
        assert code not in said


def test_times_are_in_the_series_zone_unless_the_reader_picks_one(app, world):
    """Noon UTC in July reads 13:00 in UK time (the meetings' zone), 12:00 in
    UTC, and 08:00 once the series' meetings are held in New York."""
    add_event(
        app, "person.create", "person", world["jane"], at=datetime(2025, 7, 1, 12, tzinfo=UTC)
    )
    client = admin_client(app)
    page = client.get("/admin/audit?action=people").get_data(as_text=True)
    assert "When (UK time / Europe/London)" in page
    assert audit_rows(page)[0].startswith("1 Jul 2025, 13:00:00 |")
    assert rows_of(client, "?action=people&tz=UTC")[0].startswith("1 Jul 2025, 12:00:00 |")
    with app.app_context():
        for meeting in db.session.scalars(sa.select(Meeting)):
            meeting.timezone = "America/New_York"
        db.session.commit()
    page = client.get("/admin/audit?action=people").get_data(as_text=True)
    assert "When (America/New_York)" in page
    assert audit_rows(page)[0].startswith("1 Jul 2025, 08:00:00 |")


# --- filters ---------------------------------------------------------------------


def test_filters_by_who_what_and_days_in_the_chosen_zone(app, world):
    """Who: a member, the command line; what: one action or a group; dates:
    whole days in the page's zone (23:30 UTC on 1 July is 2 July in the UK)."""
    late = datetime(2025, 7, 1, 23, 30, tzinfo=UTC)
    add_event(app, "person.update", "person", world["jane"], at=late, changed=["name"])
    add_event(
        app,
        "account.role",
        "member",
        world["member"],
        at=datetime(2025, 6, 1, 9, tzinfo=UTC),
        actor_id=world["admin"],
        old="member",
        new="facilitator",
    )
    client = admin_client(app)
    by_cli = rows_of(client, "?actor=command-line")
    assert len(by_cli) == 1 and "Edited Jane Doe: changed the name." in by_cli[0]
    by_admin = rows_of(client, f"?actor={world['admin']}")
    assert any("Changed the role of Ann" in row for row in by_admin)
    assert all("Edited Jane Doe" not in row for row in by_admin)
    assert [r for r in rows_of(client, "?action=account.role") if "Changed the role" in r]
    assert len(rows_of(client, "?action=account.role")) == 1
    in_accounts = rows_of(client, "?action=accounts")
    assert len(in_accounts) == 1 and "Changed the role" in in_accounts[0]
    uk_second = rows_of(client, "?from=2025-07-02&to=2025-07-02")
    assert len(uk_second) == 1 and uk_second[0].startswith("2 Jul 2025, 00:30:00")
    assert rows_of(client, "?from=2025-07-02&to=2025-07-02&tz=UTC") == []
    utc_first = rows_of(client, "?from=2025-07-01&to=2025-07-01&tz=UTC")
    assert len(utc_first) == 1 and utc_first[0].startswith("1 Jul 2025, 23:30:00")
    june = rows_of(client, "?to=2025-06-30")
    assert len(june) == 1 and "Changed the role" in june[0]
    nothing = client.get("/admin/audit?action=invitations").get_data(as_text=True)
    assert "No events match that filter." in nothing


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2025-13-45", "Give a real date as year-month-day, such as 2025-03-14."),
        ("to=yesterday", "Give a real date as year-month-day, such as 2025-03-14."),
        ("from=2025-07-02&to=2025-07-01", "The end date is before the start date."),
        ("actor=99999", "Choose one of the options listed."),
        ("action=nothing.", "Choose one of the options listed."),
        ("tz=Mars/Olympus", "Give a time zone name like Europe/London"),
    ],
)
def test_a_filter_it_cannot_read_is_a_clear_400(app, world, query, message):
    """A bad date, a reversed range, an unknown member, action or time zone:
    400 with the reason beside the field, and no events listed."""
    response = admin_client(app).get("/admin/audit?" + query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "There is a problem" in page
    assert audit_rows(page) == []


def test_pages_newest_first_keeping_the_filter(app, world):
    """50 events a page, newest first; the link to older ones keeps the filter."""
    at = datetime(2025, 7, 1, 12, tzinfo=UTC)
    for n in range(55):
        add_event(app, "person.update", "person", world["jane"], at=at, changed=[f"f{n}"])
    client = admin_client(app)
    page = client.get("/admin/audit?action=person.update").get_data(as_text=True)
    first = audit_rows(page)
    assert len(first) == 50 and "changed the f54" in first[0]
    older = re.search(r'href="(/admin/audit\?[^"]*before=\d+[^"]*)"', page)
    assert older is not None and "action=person.update" in older.group(1)
    second = rows_of(client, older.group(1).replace("&amp;", "&")[len("/admin/audit") :])
    assert len(second) == 5 and "changed the f4" in second[0] and "changed the f0" in second[-1]
