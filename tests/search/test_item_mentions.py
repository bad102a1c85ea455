"""One rule for who is named where: ``item_mentions`` is kept by the matcher
``disclose`` uses, so a withdrawal, a rename or a new person re-indexes every
item that names the person however the name was typed (across a line break,
with a double space, in emphasis, split by a link, in look-alike letters),
and no index document keeps the withheld text or counts it."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase import create_app, migrate
from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind, Level
from notesbase.meetings import service as meetings
from notesbase.models import Item, Member, Person, Role, item_mentions
from notesbase.notes import items as item_service
from notesbase.notes.people import PersonFields, create_person, update_person
from notesbase.search import background, backlog, checking, indexer, naming, service
from tests.conftest import make_test_config

# A surname too short to be looked for alone by a LIKE rule.
NAME = "Ronan Li"
AFFILIATION = "Marrowfield Borough Council"
LINK = "https://example.org/page"

# How people type an affiliation or a name that the matcher still finds:
# (the text in an item, the words a reader would search for).
SPELLINGS = {
    "affiliation, newline": ("Marrowfield\nBorough Council", ["Marrowfield", "Borough"]),
    "affiliation, double space": ("Marrowfield  Borough Council", ["Marrowfield", "Borough"]),
    "affiliation, emphasis": ("*Marrowfield* Borough Council", ["Marrowfield", "Borough"]),
    "affiliation, link split": (f"[Marrowfield]({LINK}) Borough Council", ["Marrowfield"]),
    "affiliation, look-alike": ("\u041carrowfield Borough Council", ["\u041carrowfield"]),
    "name, newline": ("Ronan\nLi", ["Ronan"]),
    "name, double space": ("Ronan  Li", ["Ronan"]),
    "name, emphasis": ("**Ronan** Li", ["Ronan"]),
    "name, link split": (f"[Ronan]({LINK}) Li", ["Ronan"]),
    "name, look-alike": ("R\u043enan Li", ["R\u043enan"]),
}


@pytest.fixture
def app_config() -> dict[str, Any]:
    # Changes wait in the outbox until a test applies them.
    return {"SEARCH_APPLY_ON_COMMIT": False}


def world(app: Flask, body: str, person: PersonFields) -> dict[str, int]:
    """A series with a member, one meeting with a topic, one person, and an
    open item (not spoken by the person) whose body is ``body``. The index
    is made first and kept up to date."""
    indexer.apply(app)
    with app.app_context():
        series = meetings.create_series(meetings.SeriesFields("cop", "Community of Practice"))
        meeting = meetings.create_meeting(
            series,
            meetings.MeetingFields(
                number=1, title="Budgets", date=date(2025, 1, 15), topics=["Open data"]
            ),
        )
        someone = create_person(person, actor=None)
        item = item_service.create_item(
            meeting,
            item_service.ItemFields(
                Kind.POINT, f"The budget from {body} was cut.", "Money", None, Confidentiality.OPEN
            ),
            actor=None,
        )
        reader = Member(email="reader@example.org", display_name="Reader", series=[series])
        db.session.add(reader)
        db.session.commit()
        ids = {"series": series.id, "meeting": meeting.id, "person": someone.id, "item": item.id}
        ids["reader"] = reader.id
    indexer.apply(app)
    return ids


def search(app: Flask, ids: dict[str, int], words: str) -> service.SearchPage:
    with app.app_context():
        return service.search(db.session.get(Member, ids["reader"]), words)


def assert_found(app: Flask, ids: dict[str, int], words: list[str]) -> None:
    for word in words:
        result = search(app, ids, word)
        assert result.total == 1 and len(result.hits) == 1, word


def assert_nothing_counted(app: Flask, ids: dict[str, int], words: list[str]) -> None:
    """Neither a hit, nor a total, nor a topic count for any of ``words``."""
    for word in words:
        result = search(app, ids, word)
        assert (result.total, result.hits, result.topic_counts) == (0, [], []), word


def assert_catching_up(app: Flask, ids: dict[str, int], words: list[str]) -> None:
    """No answer at all, only "catching up": any count could include a
    document the waiting change touches."""
    for word in words:
        with pytest.raises(service.SearchUnavailable) as unavailable:
            search(app, ids, word)
        assert unavailable.value.message == service.CATCHING_UP


def assert_index_current(app: Flask) -> None:
    report = checking.check(app)
    assert (report.stale, report.missing, report.extra) == ([], [], []), report


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_withdrawal_reindexes_every_spelling(app: Flask, spelling: str) -> None:
    """After a person's grant to members is withdrawn, the item naming them
    however typed is re-indexed: the index equals a rebuild and a member's
    search for the withheld words counts nothing."""
    body, words = SPELLINGS[spelling]
    ids = world(app, body, PersonFields(NAME, AFFILIATION))
    with app.app_context():
        person = db.session.get(Person, ids["person"])
        grants.grant(person, "member", Level.NAMED, grants.Scope(), actor=None)
        db.session.commit()
    indexer.apply(app)
    assert_found(app, ids, words)
    with app.app_context():
        grants.withdraw_all(db.session.get(Person, ids["person"]), actor=None)
        db.session.commit()
    indexer.apply(app)
    assert_index_current(app)
    assert_nothing_counted(app, ids, words)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_rename_reindexes_every_spelling_of_the_new_details(app: Flask, spelling: str) -> None:
    """An item written before anyone was called so carries the words in
    full; once a person is renamed to that name and affiliation (no
    consent), the item is found by the scan and re-indexed without them."""
    body, words = SPELLINGS[spelling]
    ids = world(app, body, PersonFields("Tamsin Ollerby", "Harbourline Trust"))
    assert_found(app, ids, words)
    with app.app_context():
        person = db.session.get(Person, ids["person"])
        update_person(person, PersonFields(NAME, AFFILIATION), actor=None)
        db.session.commit()
    indexer.apply(app)
    assert_index_current(app)
    assert_nothing_counted(app, ids, words)
    with app.app_context():
        recorded = {tuple(row) for row in db.session.execute(sa.select(item_mentions))}
    assert (ids["item"], ids["person"]) in recorded


def test_a_new_person_is_found_in_items_written_before(app: Flask) -> None:
    """A person created after the items naming them: the scan records the
    item and re-indexes it, so the new name is withheld from the index."""
    body, words = SPELLINGS["name, look-alike"]
    ids = world(app, body, PersonFields("Tamsin Ollerby"))
    with app.app_context():
        ronan = create_person(PersonFields(NAME), actor=None)
        db.session.commit()
        ronan_id = ronan.id
    indexer.apply(app)
    assert_index_current(app)
    assert_nothing_counted(app, ids, words)
    with app.app_context():
        assert naming.items_mentioning(db.session, [ronan_id]) == {ids["item"]}


def test_a_search_before_the_scan_counts_nothing_it_cannot_vouch_for(app: Flask) -> None:
    """While another process holds the index (the scan for a renamed person
    cannot run), which documents carry the new name is not known: a search
    answers that it is catching up, with no count. Once applied, it finds
    nothing of the old words, and the rest is found again."""
    body, words = SPELLINGS["affiliation, link split"]
    ids = world(app, body, PersonFields("Tamsin Ollerby", "Harbourline Trust"))
    assert_found(app, ids, words)
    with app.app_context():
        person = db.session.get(Person, ids["person"])
        update_person(person, PersonFields(NAME, AFFILIATION), actor=None)
        db.session.commit()
    with indexer.engine_for(app).writer_lock(5):
        assert backlog.pending(app)
        assert_catching_up(app, ids, words)
    assert_nothing_counted(app, ids, words)  # applied by this search
    assert not backlog.pending(app)
    assert search(app, ids, "budget").total == 2  # the meeting and its item


def test_index_check_reports_the_document_a_withdrawal_left_stale(app: Flask, runner: Any) -> None:
    """Until the outbox is applied, the document still holding a withdrawn
    affiliation is reported by ``notesbase index check`` (exit 1)."""
    body, _words = SPELLINGS["affiliation, newline"]
    ids = world(app, body, PersonFields(NAME, AFFILIATION))
    with app.app_context():
        person = db.session.get(Person, ids["person"])
        grants.grant(person, "member", Level.AFFILIATION, grants.Scope(), actor=None)
        db.session.commit()
    indexer.apply(app)
    assert runner.invoke(args=["index", "check"]).exit_code == 0
    with app.app_context():
        grants.withdraw_all(db.session.get(Person, ids["person"]), actor=None)
        db.session.commit()
    checked = runner.invoke(args=["index", "check"])
    assert checked.exit_code == 1
    assert f"item:{ids['item']}:member" in checked.output
    indexer.apply(app)
    assert runner.invoke(args=["index", "check"]).exit_code == 0


def test_every_save_records_who_the_item_names_and_credits(app: Flask) -> None:
    """Creating, editing and re-crediting an item keep its rows: the people
    its body or heading names, and its speaker; deleting it drops them."""
    ids = world(app, "nobody in particular", PersonFields(NAME, AFFILIATION))
    with app.app_context():
        tamsin = create_person(PersonFields("Tamsin Ollerby"), actor=None)
        db.session.flush()
        item = db.session.get(Item, ids["item"])
        assert naming.items_mentioning(db.session, [ids["person"]]) == set()
        fields = item_service.ItemFields(
            Kind.POINT,
            "As Marrowfield\nBorough said",
            "Tamsin's heading",
            None,
            item.confidentiality,
        )
        item_service.update_item(item, fields, actor=None)
        db.session.flush()
        assert people_of(item.id) == {ids["person"], tamsin.id}
        plain = item_service.ItemFields(Kind.POINT, "Plain words", "", tamsin.id)
        item_service.update_item(item, plain, actor=None)
        db.session.flush()
        assert people_of(item.id) == {tamsin.id}
        db.session.delete(item)
        db.session.flush()
        assert people_of(ids["item"]) == set()
        db.session.rollback()


def people_of(item_id: int) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(item_mentions.c.person_id).where(item_mentions.c.item_id == item_id)
        )
    )


def test_migration_records_who_existing_items_name(tmp_path: Any) -> None:
    """A database from before ``item_mentions``: the upgrade fills it for
    the items already there, by the matcher (a newline inside a name too)."""
    app = create_app(make_test_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        migrate.upgrade(db.engine, "0005")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO people (id, name, affiliation, descriptor, created_at, updated_at)"
                " VALUES (1, 'Ronan Li', 'Marrowfield Borough Council', '',"
                " '2025-01-01', '2025-01-01'), (2, 'Tamsin Ollerby', '', '', '2025-01-01',"
                " '2025-01-01')"
            )
            connection.exec_driver_sql(
                "INSERT INTO series (id, slug, title, description, created_at, updated_at)"
                " VALUES (1, 'cop', 'CoP', '', '2025-01-01', '2025-01-01')"
            )
            connection.exec_driver_sql(
                "INSERT INTO meetings (id, series_id, number, title, date, timezone, status,"
                " theme, speakers, description, chatham_house, external_writeup, created_at,"
                " updated_at) VALUES (1, 1, 1, 'M', '2025-01-01', 'Europe/London', 'upcoming',"
                " '', '', '', 1, 0, '2025-01-01', '2025-01-01')"
            )
            connection.exec_driver_sql(
                "INSERT INTO items (id, meeting_id, position, section, kind, body, speaker_id,"
                " confidentiality, version, created_at, updated_at) VALUES"
                " (1, 1, 1, '', 'point', 'From Marrowfield\nBorough', NULL, 'open', 1,"
                " '2025-01-01', '2025-01-01'),"
                " (2, 1, 2, '', 'point', 'Nothing', 2, 'open', 1, '2025-01-01', '2025-01-01')"
            )
        migrate.upgrade(db.engine, "head")
        with db.engine.connect() as connection:
            rows = {tuple(row) for row in connection.execute(sa.select(item_mentions))}
        assert rows == {(1, 1), (2, 2)}
        db.engine.dispose()


def test_a_large_database_scans_in_the_background_and_fails_closed_meanwhile(
    app: Flask,
) -> None:
    """Past ``SEARCH_SYNC_REBUILD_MAX_ITEMS`` items, the commit of a rename
    leaves the scan to a background thread and returns; a search meanwhile
    says it is catching up (503 on the page and the API, with Retry-After),
    and afterwards the index is current."""
    body, words = SPELLINGS["affiliation, emphasis"]
    ids = world(app, body, PersonFields("Tamsin Ollerby", "Harbourline Trust"))
    app.config.update(SEARCH_APPLY_ON_COMMIT=True, SEARCH_SYNC_REBUILD_MAX_ITEMS=0)
    with indexer.engine_for(app).writer_lock(5), app.app_context():
        person = db.session.get(Person, ids["person"])
        update_person(person, PersonFields(NAME, AFFILIATION), actor=None)
        db.session.commit()  # the scan waits for the lock, in its own thread
        assert [t for t in threading.enumerate() if t.name == "notesbase-mention-scan"]
        assert_catching_up(app, ids, words)
    assert background.wait_for_merges(timeout=30)
    assert not backlog.pending(app)
    assert_index_current(app)
    assert_nothing_counted(app, ids, words)


def test_catching_up_is_said_on_the_page_and_the_api(
    app: Flask, client: Any, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the waiting changes cannot be told apart, the search page and
    the API answer 503 with the reason and Retry-After, never a count."""

    def not_known(_app: Flask) -> Any:
        raise backlog.CatchingUp("a renamed person is not yet looked for")

    monkeypatch.setattr(backlog, "pending", lambda _app: True)
    monkeypatch.setattr(indexer, "apply_soon", lambda _app: None)
    monkeypatch.setattr(backlog, "unapplied", not_known)
    login_as(role=Role.MEMBER)
    page = client.get("/search", query_string={"q": "budget"})
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert "catching up with a change to the people" in page.get_data(as_text=True)
    api = client.get("/api/v1/search", query_string={"q": "budget"})
    assert api.status_code == 503 and api.headers["Retry-After"]
    assert api.get_json()["error"]["message"] == service.CATCHING_UP
