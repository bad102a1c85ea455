"""The index kept up one write at a time equals a full rebuild, and the
outbox asks for exactly the work each kind of change needs."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.meetings import service as meetings
from notesbase.models import (
    IndexOutbox,
    Item,
    Meeting,
    Member,
    Person,
    RetentionAction,
    Role,
    Series,
    utcnow,
)
from notesbase.notes import items as item_service
from notesbase.notes.people import PersonFields, update_person
from notesbase.search import checking, indexer, service
from tests.conftest import build_app
from tests.search.procs_support import (
    World,
    build_world,
    index_bytes,
    item_fields,
    meeting_fields,
    snapshot,
)

TOPICS = ["Open data", "Health", "Councils", "Ethics", "Governance"]
NAMES = {
    "jane": ["Jane Doe", "Jane Okafor", "Janet Doe"],
    "raj": ["Raj Patel", "Raj Patel-Khan", "Rajesh Patel"],
}


# -- the changes a facilitator makes ----------------------------------------------


def _items(world: World) -> list[Item]:
    return list(db.session.scalars(sa.select(Item).order_by(Item.id)))


def _meeting(world: World, n: int) -> Meeting:
    ids = sorted(world.meetings.values())
    meeting = db.session.get(Meeting, ids[n % len(ids)])
    assert meeting is not None
    return meeting


def _person(world: World, n: int) -> Person | None:
    ids = sorted(world.people.values())
    return db.session.get(Person, ids[n % len(ids)])


def create_item(world: World, n: int) -> None:
    person = _person(world, n)
    fields = item_service.ItemFields(
        kind=Kind.POINT,
        body=f"New point {n}: Raj Patel and Civic Lab on open registers",
        section="Later",
        speaker_id=person.id if person is not None and n % 3 else None,
        confidentiality=list(Confidentiality)[n % 3],
    )
    item_service.create_item(_meeting(world, n), fields, actor=None)


def edit_item(world: World, n: int) -> None:
    items = _items(world)
    if items:
        item = items[n % len(items)]
        body = f"{item.body.split(' / ')[0]} / edited {n}, with Jane Doe"
        item_service.update_item(item, item_fields(item, body=body), actor=None)


def change_confidentiality(world: World, n: int) -> None:
    items = _items(world)
    if items:
        item = items[n % len(items)]
        chosen = list(Confidentiality)[(list(Confidentiality).index(item.confidentiality) + 1) % 3]
        item_service.update_item(item, item_fields(item, confidentiality=chosen), actor=None)


def move_item(world: World, n: int) -> None:
    items = _items(world)
    if items:
        item_service.move(items[n % len(items)], -1 if n % 2 else 1, actor=None)


def delete_item(world: World, n: int) -> None:
    items = _items(world)
    if items:
        item_service.delete_item(items[n % len(items)], actor=None)


def retitle_meeting(world: World, n: int) -> None:
    meeting = _meeting(world, n)
    meetings.update_meeting(meeting, meeting_fields(meeting, title=f"Retitled {n}"))


def change_topics(world: World, n: int) -> None:
    meeting = _meeting(world, n)
    chosen = [t for i, t in enumerate(TOPICS) if (n >> i) & 1] or [TOPICS[n % len(TOPICS)]]
    meetings.update_meeting(meeting, meeting_fields(meeting, topics=chosen))


def grant_consent(world: World, n: int) -> None:
    person = _person(world, n)
    if person is not None:
        level = [Level.DESCRIPTOR, Level.AFFILIATION, Level.NAMED][n % 3]
        audience = [ConsentAudience.MEMBER, ConsentAudience.PUBLIC][(n // 3) % 2]
        scope = grants.Scope(meeting=_meeting(world, n)) if n % 4 == 3 else grants.Scope()
        grants.grant(person, audience, level, scope, actor=None)


def withdraw_consent(world: World, n: int) -> None:
    person = _person(world, n)
    if person is not None:
        active = grants.active_grants(person)
        if active:
            grants.withdraw(active[n % len(active)], actor=None)


def rename_person(world: World, n: int) -> None:
    key = sorted(world.people)[n % len(world.people)]
    person = db.session.get(Person, world.people[key])
    if person is not None:
        names = NAMES[key]
        name = names[(names.index(person.name) + 1) % len(names)]
        update_person(person, PersonFields(name, person.affiliation, person.descriptor), actor=None)


OPERATIONS: dict[str, Callable[[World, int], None]] = {
    "create item": create_item,
    "edit item": edit_item,
    "change confidentiality": change_confidentiality,
    "move item": move_item,
    "delete item": delete_item,
    "retitle meeting": retitle_meeting,
    "change topics": change_topics,
    "grant consent": grant_consent,
    "withdraw consent": withdraw_consent,
    "rename person": rename_person,
}


def run_step(app: Flask, world: World, name: str, n: int) -> None:
    """One change, committed, then the outbox applied (what a worker or the
    next search does; the commit hook's own apply is tested separately)."""
    with app.app_context():
        OPERATIONS[name](world, n)
        db.session.commit()
    indexer.apply(app)


def assert_incremental_equals_rebuild(app: Flask) -> None:
    report = checking.check(app)
    assert report.ok, f"missing {report.missing}, extra {report.extra}, stale {report.stale}"
    incremental = snapshot(app)
    indexer.rebuild(app)
    rebuilt = snapshot(app)
    assert incremental == rebuilt
    assert checking.check(app).ok


# -- one write at a time equals a rebuild -------------------------------------------

SEQUENCE = [
    ("create item", 1),
    ("edit item", 2),
    ("move item", 3),
    ("change confidentiality", 4),
    ("retitle meeting", 0),
    ("change topics", 5),
    ("grant consent", 0),
    ("grant consent", 7),
    ("edit item", 6),
    ("withdraw consent", 0),
    ("delete item", 0),
    ("change topics", 10),
]


def test_one_write_at_a_time_equals_a_rebuild(app):
    """Creates, edits, moves, deletes, meeting and consent changes, each
    applied as it commits, leave the same documents as a full rebuild."""
    world = build_world(app)
    indexer.apply(app)
    for name, n in SEQUENCE:
        run_step(app, world, name, n)
        report = checking.check(app)
        assert report.ok, (name, n, report)
    assert_incremental_equals_rebuild(app)


def test_a_renamed_person_leaves_no_stale_document(app):
    """Renaming a person re-indexes the items whose text names them by their
    old name (which stops being withheld) as well as the new one."""
    world = build_world(app)
    indexer.apply(app)
    run_step(app, world, "rename person", 1)  # Raj Patel -> Raj Patel-Khan
    assert_incremental_equals_rebuild(app)


def test_an_affiliation_consent_reaches_items_that_name_the_affiliation(app):
    """A grant releasing an affiliation re-indexes the items that mention the
    affiliation without the person speaking or being named in them."""
    world = build_world(app)
    indexer.apply(app)
    with app.app_context():
        jane = db.session.get(Person, world.people["jane"])
        grants.grant(jane, "member", Level.AFFILIATION, grants.Scope(), actor=None)
        db.session.commit()
    indexer.apply(app)
    assert_incremental_equals_rebuild(app)


@pytest.mark.parametrize("change", ["edit item", "delete item"])
def test_an_item_change_reaches_the_published_writeup_that_carries_it(app, change):
    """The public write-up's text is computed from its items: editing or
    deleting one of them re-indexes the write-up's document too."""
    world = build_world(app)
    indexer.apply(app)
    assert f"writeup:{world.meetings['first']}" in snapshot(app)
    run_step(app, world, change, 0)
    assert_incremental_equals_rebuild(app)


def test_a_search_after_an_edit_counts_only_the_current_text(app, make_member):
    """The searcher reused between requests sees the documents an edit
    replaced as gone: no count, no duplicate hit."""
    world = build_world(app)
    reader = make_member("f@example.org", role=Role.FACILITATOR)

    def search(words: str) -> tuple[int, list[int | None]]:
        with app.app_context():
            result = service.search(db.session.get(Member, reader.id), words)
            return result.total, [hit.item_id for hit in result.hits]

    edited = world.items[2]  # "Budget figures stay internal"
    assert search("figures") == (1, [edited])
    with app.app_context():
        item = db.session.get(Item, edited)
        body = "Budget numbers stay internal"
        item_service.update_item(item, item_fields(item, body=body), actor=None)
        db.session.commit()
    indexer.apply(app)
    assert search("figures") == (0, [])
    assert search("numbers") == (1, [edited])


@pytest.fixture(scope="module")
def property_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property")


@settings(max_examples=6, deadline=None, derandomize=True, phases=(Phase.explicit, Phase.generate))
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(OPERATIONS)), st.integers(0, 63)), min_size=1, max_size=6
    )
)
def test_any_sequence_of_writes_equals_a_rebuild(property_root, suite_postgres, steps):
    """Property: whatever changes are made, one at a time, the index ends up
    as a full rebuild would make it."""
    with tempfile.TemporaryDirectory(dir=property_root) as folder:
        app = build_app(Path(folder), suite_postgres)
        try:
            world = build_world(app)
            indexer.apply(app)
            for name, n in steps:
                run_step(app, world, name, n)
            assert_incremental_equals_rebuild(app)
        finally:
            with app.app_context():
                db.engine.dispose()


# -- what the outbox is asked ------------------------------------------------------


def outbox_rows(session: Any, after: int = 0) -> list[tuple[str, int]]:
    return [
        (row.target, row.target_id)
        for row in session.scalars(
            sa.select(IndexOutbox).where(IndexOutbox.id > after).order_by(IndexOutbox.id)
        )
    ]


def last_outbox_id(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.max(IndexOutbox.id))) or 0)


def test_recording_a_retention_run_on_a_meeting_redoes_none_of_its_documents(app):
    """A meeting's retention record is read by no document: setting it writes
    no outbox row, while a change to its title (or topics) does."""
    world = build_world(app)
    start = last_outbox_id(app)
    with app.app_context():
        first = db.session.get(Meeting, world.meetings["first"])
        first.retention_applied = RetentionAction.PURGE_RESTRICTED
        first.retention_applied_at = utcnow()
        db.session.commit()
        assert outbox_rows(db.session, start) == []
        first.title = "A new title"
        db.session.commit()
        assert outbox_rows(db.session, start) == [("meeting", first.id)]


def test_an_item_edit_writes_one_outbox_row_in_its_own_transaction(app):
    """The edit and its one outbox row commit together; a rolled-back edit
    leaves no row."""
    world = build_world(app)
    start = last_outbox_id(app)
    with app.app_context():
        item = db.session.get(Item, world.items[0])
        item_service.update_item(item, item_fields(item, body="Changed, then undone"), actor=None)
        assert outbox_rows(db.session, start) == [("item", item.id)]
        db.session.rollback()
    with app.app_context():
        assert outbox_rows(db.session, start) == []
        item = db.session.get(Item, world.items[0])
        assert item.version == 1
        item_service.update_item(item, item_fields(item, body="Changed for good"), actor=None)
        db.session.commit()
    with app.app_context():
        assert outbox_rows(db.session, start) == [("item", world.items[0])]


@pytest.mark.parametrize("change", ["grant", "withdraw"])
def test_a_consent_change_enqueues_the_person(app, change):
    """Granting or withdrawing consent asks for the person's items again."""
    world = build_world(app)
    with app.app_context():
        jane = db.session.get(Person, world.people["jane"])
        grants.grant(jane, "member", Level.NAMED, grants.Scope(), actor=None)
        db.session.commit()
    start = last_outbox_id(app)
    with app.app_context():
        jane = db.session.get(Person, world.people["jane"])
        if change == "grant":
            grants.grant(jane, "public", Level.DESCRIPTOR, grants.Scope(), actor=None)
        else:
            grants.withdraw(grants.active_grants(jane)[0], actor=None)
        db.session.commit()
    with app.app_context():
        assert outbox_rows(db.session, start) == [("person", world.people["jane"])]


def stored_topics(app: Flask, meeting_id: int) -> dict[str, tuple[str, ...]]:
    return {
        doc.doc_id: tuple(sorted(doc.topics))
        for doc in indexer.engine_for(app).stored_documents()
        if doc.meeting == meeting_id
    }


def test_a_topic_change_reaches_the_meetings_items_at_commit(app):
    """After commit (the embedded default, no worker), every document of the
    meeting carries its new topics."""
    world = build_world(app)
    indexer.apply(app)
    with app.app_context():
        first = db.session.get(Meeting, world.meetings["first"])
        meetings.update_meeting(first, meeting_fields(first, topics=["Ethics", "Open data"]))
        db.session.commit()
    topics = stored_topics(app, world.meetings["first"])
    assert len(topics) >= 6
    assert set(topics.values()) == {("ethics", "open-data")}, topics


def test_a_topic_change_shows_in_a_searchs_topic_counts(app, make_member):
    """The next search counts the meeting's items under their new topic."""
    world = build_world(app)
    indexer.apply(app)
    facilitator = make_member("f@example.org", role=Role.FACILITATOR)
    with app.app_context():
        first = db.session.get(Meeting, world.meetings["first"])
        meetings.update_meeting(first, meeting_fields(first, topics=["Ethics"]))
        db.session.commit()
        result = service.search(db.session.get(Member, facilitator.id), "topic:ethics")
        counts = {topic.slug: count for topic, count in result.topic_counts}
    # Five items of the first meeting, its own document and its write-up.
    assert counts == {"ethics": 7}
    assert result.total == 7


def test_deleting_a_person_reindexes_the_items_they_spoke(app):
    """Their items lose the speaker's credit in the index as in the database."""
    world = build_world(app)
    indexer.apply(app)
    with app.app_context():
        raj = db.session.get(Person, world.people["raj"])
        spoken = set(db.session.scalars(sa.select(Item.id).where(Item.speaker_id == raj.id)))
        db.session.delete(raj)
        db.session.commit()
    indexer.apply(app)
    report = checking.check(app)
    stale_items = {int(d.split(":")[1]) for d in report.stale + report.missing + report.extra}
    assert not stale_items & spoken, report


def test_deleting_a_person_reindexes_the_items_that_name_them(app):
    """Items naming the person in their text (no longer withheld once the
    person is gone) are re-indexed as well: the index equals a rebuild."""
    world = build_world(app)
    indexer.apply(app)
    with app.app_context():
        db.session.delete(db.session.get(Person, world.people["raj"]))
        db.session.commit()
    indexer.apply(app)
    assert_incremental_equals_rebuild(app)


def test_a_withdrawn_affiliation_is_not_counted_in_a_members_search(app, make_member):
    """After a withdrawal commits, a member's search for the withheld
    affiliation finds nothing, and its count says so too."""
    world = build_world(app)
    with app.app_context():
        jane = db.session.get(Person, world.people["jane"])
        grants.grant(jane, "member", Level.AFFILIATION, grants.Scope(), actor=None)
        db.session.commit()
    indexer.rebuild(app)
    with app.app_context():
        series = db.session.get(Series, world.series["cop"])
    member = make_member("reader@example.org", series=[series])
    with app.app_context():
        reader = db.session.get(Member, member.id)
        assert service.search(reader, "Manchester").total >= 1
        jane = db.session.get(Person, world.people["jane"])
        grants.withdraw(grants.active_grants(jane)[0], actor=None)
        db.session.commit()
    indexer.apply(app)
    with app.app_context():
        reader = db.session.get(Member, member.id)
        result = service.search(reader, "Manchester")
        assert (result.total, result.hits) == (0, [])


PLANTED = "Quokkavelt"


def test_purging_a_confidential_item_removes_its_text_from_the_index_files(app):
    """A purged item's words are gone from every file of the index, not only
    marked deleted in a segment."""
    world = build_world(app)
    with app.app_context():
        first = db.session.get(Meeting, world.meetings["first"])
        secret = item_service.create_item(
            first,
            item_service.ItemFields(
                Kind.POINT,
                f"The {PLANTED} merger is off",
                "",
                None,
                Confidentiality.CONFIDENTIAL,
            ),
            actor=None,
        )
        db.session.commit()
        secret_id = secret.id
    indexer.apply(app)
    engine = indexer.engine_for(app)
    token = engine.analyse(PLANTED)[0].encode()
    assert token in index_bytes(engine.root)
    assert {d.doc_id for d in engine.stored_documents() if d.target == secret_id} == {
        f"item:{secret_id}:facilitator"
    }
    with app.app_context():
        item_service.purge_item(db.session.get(Item, secret_id), actor=None)
        db.session.commit()
        item_service.clear_freed_space()
    indexer.apply(app)
    assert not [
        d for d in engine.stored_documents() if d.doctype == "item" and d.target == secret_id
    ]
    assert token not in index_bytes(engine.root)


def test_a_purge_rewrites_only_the_segments_that_held_what_went(app):
    """After a purge, a segment that held no deleted document is kept as it
    was (its files untouched); the one that held the purged item is rewritten
    without it, and a search still finds what stayed."""
    world = build_world(app)
    indexer.apply(app)
    with app.app_context():
        first = db.session.get(Meeting, world.meetings["first"])
        fields = item_service.ItemFields(
            Kind.POINT, f"The {PLANTED} merger is off", "", None, Confidentiality.CONFIDENTIAL
        )
        secret = item_service.create_item(first, fields, actor=None)
        db.session.commit()
        secret_id = secret.id
    indexer.apply(app)  # its own small segment, beside the world's
    engine = indexer.engine_for(app)
    with app.app_context():
        third = db.session.get(Meeting, world.meetings["third"])
        fields = item_service.ItemFields(Kind.POINT, "Budgets stay as they are", "", None)
        item_service.create_item(third, fields, actor=None)
        db.session.commit()
    indexer.apply(app)  # another, of another meeting, written after it
    before = {segment.id for segment in engine.segments()}
    untouched = engine.segments()[-1].id
    assert len(before) >= 3
    with app.app_context():
        item_service.purge_item(db.session.get(Item, secret_id), actor=None)
        db.session.commit()
    indexer.apply(app)
    after = {segment.id for segment in engine.segments()}
    assert before - after  # the purged item's segment was rewritten
    assert untouched in after  # a segment with nothing deleted was kept as it was
    token = engine.analyse(PLANTED)[0].encode()
    assert token not in index_bytes(engine.root)
    assert checking.check(app).ok
