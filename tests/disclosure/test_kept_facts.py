"""People and active grants are kept between requests only while the
database's disclosure stamp vouches for them: any change to people or
consents, by any route, is seen by the very next read; a rolled-back change
never is; without the triggers nothing is kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase.consent import grants
from notesbase.consent.grants import Scope
from notesbase.db import db
from notesbase.disclosure import ConsentAudience, Level
from notesbase.models import Consent, Meeting, Person, Series
from notesbase.models.stamp import STAMP_TRIGGERS, current_token, install
from notesbase.notes.facts import active_grants, grants_reaching, people_facts

T = TypeVar("T")


@pytest.fixture
def jane(app: Flask) -> int:
    with app.app_context():
        person = Person(name="Jane Doe", affiliation="Ministry of Data")
        db.session.add(person)
        db.session.flush()
        grants.grant(person, ConsentAudience.PUBLIC, Level.NAMED, Scope(), actor=None)
        db.session.commit()
        return person.id


def _levels(person_id: int) -> list[Level]:
    return [g.level for g in active_grants(db.session) if g.person_id == person_id]


def _names() -> list[str]:
    return [p.name for p in people_facts(db.session)]


def _token() -> str | None:
    return current_token(db.session, db.engine.dialect.name)


def _read(app: Flask, read: Callable[[], T]) -> T:
    with app.app_context():
        return read()


def test_a_schema_from_the_models_has_the_stamp(app: Flask, jane: int) -> None:
    with app.app_context():
        assert _token() is not None


def test_facts_are_kept_while_nothing_changes(app: Flask, jane: int) -> None:
    """Two requests with no change in between share the same facts."""
    first = _read(app, lambda: people_facts(db.session))
    second = _read(app, lambda: people_facts(db.session))
    assert first is second
    assert _read(app, lambda: active_grants(db.session)) is _read(
        app, lambda: active_grants(db.session)
    )


def test_a_withdrawal_is_seen_on_the_next_read(app: Flask, jane: int) -> None:
    assert _read(app, lambda: _levels(jane)) == [Level.NAMED]
    with app.app_context():
        grants.withdraw_all(db.session.get(Person, jane), actor=None)
        db.session.commit()
    assert _read(app, lambda: _levels(jane)) == []


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE consents SET withdrawn_at = CURRENT_TIMESTAMP",
        "DELETE FROM consents",
        "UPDATE people SET name = 'Janet Doe'",
        "INSERT INTO people (name, affiliation, descriptor, created_at, updated_at)"
        " VALUES ('Raj Patel', '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    ],
)
def test_a_change_in_plain_sql_from_another_connection_is_seen(
    app: Flask, jane: int, change: str
) -> None:
    """Whatever writes people or consents (another process, a console, a
    script) changes the stamp: the kept facts are not used again."""
    before = _read(app, lambda: (_names(), _levels(jane)))
    assert before == (["Jane Doe"], [Level.NAMED])
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql(change)
    after = _read(app, lambda: (_names(), _levels(jane)))
    assert after != before


def test_a_rolled_back_change_is_never_served(app: Flask, jane: int) -> None:
    """A session that changed people reads its own change (under a token of
    its own); once it rolls back, nobody is given what it read."""
    _read(app, _names)
    with app.app_context():
        db.session.get(Person, jane).name = "Someone Else"
        assert _names() == ["Someone Else"]  # flushed before the stamp is read
        db.session.rollback()
    assert _read(app, _names) == ["Jane Doe"]


def test_without_a_trigger_nothing_is_kept(app: Flask, jane: int) -> None:
    """A schema missing a trigger (copied without them, say) could change
    unseen: the facts are read afresh every time."""
    with app.app_context():
        trigger = STAMP_TRIGGERS[db.engine.dialect.name][0]
        drop = (
            f"DROP TRIGGER {trigger} ON people"
            if db.engine.dialect.name == "postgresql"
            else f"DROP TRIGGER {trigger}"
        )
        try:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(drop)
            assert _token() is None
            assert _names() == ["Jane Doe"]
            with db.engine.begin() as connection:
                connection.exec_driver_sql("UPDATE consents SET level = 'anonymous'")
                connection.exec_driver_sql("UPDATE people SET name = 'Janet Doe'")
            db.session.rollback()
            assert _names() == ["Janet Doe"]
            assert _levels(jane) == [Level.ANONYMOUS]
        finally:
            db.session.rollback()
            with db.engine.begin() as connection:
                install(connection)
        db.session.rollback()
        assert _token() is not None


def test_a_missing_stamp_row_keeps_nothing_until_the_next_change(app: Flask, jane: int) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM disclosure_stamp")
        assert _token() is None
        assert _names() == ["Jane Doe"]
        db.session.rollback()
        db.session.get(Person, jane).descriptor = "a data lead"
        db.session.commit()
        assert _token() is not None


def test_grants_reaching_filters_the_kept_grants_as_the_query_did(app: Flask, jane: int) -> None:
    """Only grants for everywhere, the meetings' series and the meetings
    themselves, for the audiences asked for."""
    with app.app_context():
        series = [Series(slug=f"s{i}", title=f"Series {i}") for i in range(2)]
        db.session.add_all(series)
        db.session.flush()
        meetings = []
        for i, s in enumerate(series):
            meeting = Meeting(series_id=s.id, number=1, title=f"M{i}", date=date(2026, 1, 15))
            db.session.add(meeting)
            meetings.append(meeting)
        db.session.flush()
        person = db.session.get(Person, jane)
        for audience in ConsentAudience:
            for scope in (Scope(series=series[0]), Scope(series=series[1])):
                grants.grant(person, audience, Level.AFFILIATION, scope, actor=None)
            for meeting in meetings:
                scope = Scope(meeting=meeting)
                grants.grant(person, audience, Level.DESCRIPTOR, scope, actor=None)
        db.session.commit()
        expected = {
            (c.audience, c.series_id, c.meeting_id)
            for c in db.session.scalars(
                sa.select(Consent).where(
                    Consent.withdrawn_at.is_(None),
                    Consent.audience == ConsentAudience.MEMBER,
                    sa.or_(
                        sa.and_(Consent.series_id.is_(None), Consent.meeting_id.is_(None)),
                        Consent.series_id == series[0].id,
                        Consent.meeting_id == meetings[0].id,
                    ),
                )
            )
        }
        found = grants_reaching(db.session, [meetings[0]], [ConsentAudience.MEMBER])
        assert {(g.audience, g.series_id, g.meeting_id) for g in found} == expected
        assert len(expected) == 2  # the series' and the meeting's (no member grant everywhere)
        assert grants_reaching(db.session, [meetings[0]], []) == ()
