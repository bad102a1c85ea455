"""A deterministic synthetic corpus of meeting notes, loaded straight into
an instance's database.

The text reads like public-sector meeting notes: sentences drawn from a
vocabulary with a Zipf-like distribution (a few words in nearly every item,
a long tail of rare ones), topic words and phrases from the meeting's
topics, people named in the text, redacted spans, members-only and
confidential items, and speakers whose consents vary by audience and series,
so ``disclose`` does real work. The same ``Spec`` always gives the same rows.

Rows go in with SQLAlchemy Core bulk inserts, which skip the ORM and so the
search outbox hooks: nothing is indexed while loading; build the index
afterwards with ``notesbase.search.indexer.rebuild``."""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench.words import (
    BODIES,
    DESCRIPTORS,
    FIRST_NAMES,
    PLACES,
    RARE_RANK,
    SECTIONS,
    SURNAMES,
    TOPICS,
    Writer,
    vocabulary,
)
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import (
    Consent,
    Item,
    Meeting,
    MeetingStatus,
    Member,
    Person,
    Role,
    Series,
    Topic,
    meeting_topics,
    series_memberships,
)
from notesbase.search.naming import record_all
from notesbase.text import slugify

PASSWORD = "benchmark password"  # noqa: S105 - a throw-away database
MEMBER_EMAIL = "bench.member@example.org"
BATCH = 2_000


KINDS = [Kind.POINT, Kind.QUOTE, Kind.ACTION, Kind.DECISION, Kind.QUESTION, Kind.RESOURCE]
KIND_WEIGHTS = [50, 10, 12, 8, 12, 8]
CONFIDENTIALITY = [Confidentiality.OPEN, Confidentiality.MEMBERS, Confidentiality.CONFIDENTIAL]
CONFIDENTIALITY_WEIGHTS = [86, 10, 4]
LEVELS = [Level.ANONYMOUS, Level.DESCRIPTOR, Level.AFFILIATION, Level.NAMED]
LEVEL_WEIGHTS = [30, 25, 20, 25]


@dataclass(frozen=True)
class Spec:
    """What to generate. The same spec always gives the same corpus."""

    items: int = 10_000
    items_per_meeting: int = 40
    series: int = 3
    people: int = 300
    words_per_item: int = 150
    seed: int = 1

    @property
    def meetings(self) -> int:
        return max(1, math.ceil(self.items / self.items_per_meeting))


@dataclass(frozen=True)
class Query:
    """One benchmark query: the text typed, a topic filter if any, the page
    of results asked for, a range of meeting numbers if any, a range of
    dates as the form takes them ("2012-03") if any, and newest first or not."""

    name: str
    text: str
    topic: str | None = None
    page: int = 1
    meetings: tuple[int, int] | None = None
    dates: tuple[str, str] | None = None
    by_date: bool = False


@dataclass(frozen=True)
class Loaded:
    """What was loaded, for the benchmark to use."""

    spec: Spec
    member_id: int
    member_email: str
    password: str
    items: int
    meetings: int
    open_item_ids: tuple[int, ...]


def queries() -> list[Query]:
    """The benchmark's queries: the same for every corpus size."""
    return [
        Query("common word", "data"),
        Query("rare word", vocabulary()[RARE_RANK]),
        Query("two words", "public trust"),
        Query("phrase", '"data sharing"'),
        Query("topic filter", "community", topic=slugify(TOPICS[0][0])),
        Query("prefix", "comm*"),
    ]


# -- rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    affiliation: str
    descriptor: str
    email: str


@dataclass(frozen=True)
class MeetingRow:
    id: int
    series_id: int
    number: int
    day: date
    topic_ids: tuple[int, ...]


def _rng(spec: Spec, part: str) -> random.Random:
    return random.Random(f"{spec.seed}:{part}")  # noqa: S311 - repeatable data, not security


def people(spec: Spec) -> list[PersonRow]:
    rng = _rng(spec, "people")
    names = [f"{first} {last}" for first in FIRST_NAMES for last in SURNAMES]
    chosen = rng.sample(names, min(spec.people, len(names)))
    rows = []
    for number, name in enumerate(chosen, start=1):
        affiliation = f"{rng.choice(PLACES)} {rng.choice(BODIES)}"
        email = name.lower().replace(" ", ".") + "@example.org"
        rows.append(PersonRow(number, name, affiliation, rng.choice(DESCRIPTORS), email))
    return rows


def consents(spec: Spec, persons: Sequence[PersonRow]) -> Iterator[dict[str, Any]]:
    """A grant per person and audience; some series-scoped ones that differ;
    some withdrawn ones (history, which must count for nothing)."""
    rng = _rng(spec, "consents")
    granted = datetime(2020, 1, 1, tzinfo=UTC)
    for person in persons:
        for audience in ConsentAudience:
            yield _grant(person.id, audience, rng.choices(LEVELS, LEVEL_WEIGHTS)[0], granted)
        if rng.random() < 0.2:
            level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
            row = _grant(person.id, ConsentAudience.MEMBER, level, granted + timedelta(days=30))
            yield row | {"series_id": rng.randint(1, spec.series)}
        if rng.random() < 0.05:
            row = _grant(person.id, ConsentAudience.MEMBER, Level.NAMED, granted)
            yield row | {"withdrawn_at": granted + timedelta(days=60)}


def _grant(person_id: int, audience: ConsentAudience, level: Level, at: datetime) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "audience": audience,
        "level": level,
        "series_id": None,
        "meeting_id": None,
        "granted_at": at,
        "withdrawn_at": None,
        "note": "in the room",
    }


def meeting_day(number: int, series_id: int) -> date:
    """The day of a series' meeting: every fortnight from January 2012."""
    return date(2012, 1, 11) + timedelta(days=14 * (number - 1) + series_id)


def meetings(spec: Spec) -> list[MeetingRow]:
    """Meetings in turn across the series, every fortnight, each about one
    to three topics (some topics far more common than others)."""
    rng = _rng(spec, "meetings")
    weights = [1.0 / (rank + 1) ** 0.7 for rank in range(len(TOPICS))]
    rows = []
    for index in range(spec.meetings):
        series_id = index % spec.series + 1
        number = index // spec.series + 1
        count = rng.choice((1, 2, 2, 3))
        topic_ids: set[int] = set()
        while len(topic_ids) < count:
            topic_ids.add(rng.choices(range(1, len(TOPICS) + 1), weights)[0])
        day = meeting_day(number, series_id)
        rows.append(MeetingRow(index + 1, series_id, number, day, tuple(sorted(topic_ids))))
    return rows


def items(
    spec: Spec, meeting_rows: Sequence[MeetingRow], persons: Sequence[PersonRow]
) -> Iterator[dict[str, Any]]:
    """Item rows, meeting by meeting, with ids from 1."""
    rng = _rng(spec, "items")
    writer = Writer(rng)
    item_id = 0
    for meeting in meeting_rows:
        count = min(spec.items_per_meeting, spec.items - item_id)
        topic_words = [w for t in meeting.topic_ids for w in TOPICS[t - 1][1]]
        for position in range(1, count + 1):
            item_id += 1
            speaker = rng.choice(persons).id if persons and rng.random() < 0.7 else None
            yield {
                "id": item_id,
                "meeting_id": meeting.id,
                "position": position,
                "section": SECTIONS[(position - 1) * len(SECTIONS) // count],
                "kind": rng.choices(KINDS, KIND_WEIGHTS)[0],
                "body": writer.body(topic_words, persons, spec.words_per_item),
                "speaker_id": speaker,
                "confidentiality": rng.choices(CONFIDENTIALITY, CONFIDENTIALITY_WEIGHTS)[0],
                "version": 1,
            }


def _meeting_row(meeting: MeetingRow, writer: Writer) -> dict[str, Any]:
    theme, words = TOPICS[meeting.topic_ids[0] - 1]
    description = " ".join(writer.sentence(words) for _ in range(3))
    return {
        "id": meeting.id,
        "series_id": meeting.series_id,
        "number": meeting.number,
        "title": f"{theme}: meeting {meeting.number}",
        "date": meeting.day,
        "status": MeetingStatus.HELD,
        "theme": theme,
        "speakers": "",
        "description": f"**{theme}.** {description}",
        "chatham_house": True,
        "timezone": "Europe/London",
    }


# -- loading ---------------------------------------------------------------------


def _insert(connection: sa.Connection, table: sa.Table, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    for batch in _batches(rows, BATCH):
        connection.execute(sa.insert(table), batch)
        count += len(batch)
    return count


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def load(connection: sa.Connection, spec: Spec, password_hash: str) -> Loaded:
    """Insert the corpus (and one member of every series, who logs in with
    ``PASSWORD``) into an empty database."""
    persons = people(spec)
    meeting_rows = meetings(spec)
    writer = Writer(_rng(spec, "descriptions"))
    series_rows = (
        {"id": s, "slug": f"series-{s}", "title": f"Benchmark series {s}", "description": ""}
        for s in range(1, spec.series + 1)
    )
    _insert(connection, Series.__table__, series_rows)  # type: ignore[arg-type]
    topic_rows = (
        {"id": i, "slug": slugify(name), "name": name}
        for i, (name, _) in enumerate(TOPICS, start=1)
    )
    _insert(connection, Topic.__table__, topic_rows)  # type: ignore[arg-type]
    _insert(connection, Meeting.__table__, (_meeting_row(m, writer) for m in meeting_rows))  # type: ignore[arg-type]
    links = ({"meeting_id": m.id, "topic_id": t} for m in meeting_rows for t in m.topic_ids)
    _insert(connection, meeting_topics, links)
    person_rows = (
        {
            "id": p.id,
            "name": p.name,
            "affiliation": p.affiliation,
            "descriptor": p.descriptor,
            "email": p.email,
        }
        for p in persons
    )
    _insert(connection, Person.__table__, person_rows)  # type: ignore[arg-type]
    _insert(connection, Consent.__table__, consents(spec, persons))  # type: ignore[arg-type]
    member = {
        "id": 1,
        "email": MEMBER_EMAIL,
        "display_name": "Bench Member",
        "password_hash": password_hash,
        "role": Role.MEMBER,
        "active": True,
    }
    _insert(connection, Member.__table__, iter([member]))  # type: ignore[arg-type]
    memberships = ({"series_id": s, "member_id": 1} for s in range(1, spec.series + 1))
    _insert(connection, series_memberships, memberships)
    open_ids: list[int] = []

    def noting_open(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            if row["confidentiality"] is Confidentiality.OPEN and "{." not in row["body"]:
                open_ids.append(row["id"])
            yield row

    count = _insert(connection, Item.__table__, noting_open(items(spec, meeting_rows, persons)))  # type: ignore[arg-type]
    record_all(connection)  # who is named where, as saving them would record
    _advance_sequences(connection)
    return Loaded(spec, 1, MEMBER_EMAIL, PASSWORD, count, len(meeting_rows), tuple(open_ids))


def add_series(connection: sa.Connection, spec: Spec, meetings_count: int, items_each: int) -> str:
    """Insert one more series after ``spec``'s, of ``meetings_count``
    meetings with ``items_each`` items of notes each, written like the rest
    and speaking and naming ``spec``'s people (already loaded); its slug.
    The page benchmark checks meetings of a given length in it."""
    extra = Spec(
        items=meetings_count * items_each,
        items_per_meeting=items_each,
        series=1,
        people=spec.people,
        words_per_item=spec.words_per_item,
        seed=spec.seed + 1,
    )
    series_id = spec.series + 1
    slug = f"series-{series_id}"
    row = {"id": series_id, "slug": slug, "title": f"Benchmark series {series_id}"}
    _insert(connection, Series.__table__, iter([row | {"description": ""}]))  # type: ignore[arg-type]
    meeting_rows = [
        dataclasses.replace(m, id=m.id + spec.meetings, series_id=series_id)
        for m in meetings(extra)
    ]
    writer = Writer(_rng(extra, "descriptions"))
    _insert(connection, Meeting.__table__, (_meeting_row(m, writer) for m in meeting_rows))  # type: ignore[arg-type]
    links = ({"meeting_id": m.id, "topic_id": t} for m in meeting_rows for t in m.topic_ids)
    _insert(connection, meeting_topics, links)
    first_id = connection.scalar(sa.select(sa.func.coalesce(sa.func.max(Item.id), 0)))
    rows = (row | {"id": row["id"] + first_id} for row in items(extra, meeting_rows, people(spec)))
    _insert(connection, Item.__table__, rows)  # type: ignore[arg-type]
    record_all(connection, after=first_id)
    _advance_sequences(connection)
    return slug


def _advance_sequences(connection: sa.Connection) -> None:
    """PostgreSQL: ids were given explicitly, so move each table's sequence
    past them (SQLite needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for table in ("series", "topics", "meetings", "people", "consents", "members", "items"):
        connection.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - constants
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        )


def load_into(app: Flask, spec: Spec, *, create_schema: bool = True) -> Loaded:
    """Load the corpus into ``app``'s empty database in one transaction,
    after creating the schema (Alembic) unless it is there already. Set
    ``SEARCH_APPLY_ON_COMMIT`` False on ``app`` first if anything else is to
    be written through the ORM meanwhile."""
    from notesbase import migrate
    from notesbase.auth.passwords import hash_password
    from notesbase.db import db

    with app.app_context():
        if create_schema:
            migrate.upgrade(db.engine)
        password_hash = hash_password(PASSWORD)
        with db.engine.begin() as connection:
            return load(connection, spec, password_hash)
