"""A repeatable corpus of meeting notes for the tests that need many items at
once: series of numbered meetings on topics, people who speak and are named
in the text, consents that differ by audience and series (some withdrawn),
and items of every kind and confidentiality, some with redacted spans. Words
are drawn so that a few are in nearly every item and most are rare, as in
real notes. The same ``Spec`` always writes the same rows.

Rows go in through SQLAlchemy Core, past the session's search hooks: give
the app ``SEARCH_APPLY_ON_COMMIT`` False and rebuild the index afterwards."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import (
    Consent,
    Item,
    Meeting,
    MeetingStatus,
    Person,
    Series,
    Topic,
    meeting_topics,
)
from notesbase.search.naming import record_all
from notesbase.text import slugify


@dataclass(frozen=True)
class Spec:
    """How much to write: ``items`` in meetings of ``items_per_meeting``,
    taken in turn by ``series`` series, ``people`` who speak."""

    items: int
    items_per_meeting: int
    series: int
    people: int
    words_per_item: int = 60
    seed: int = 1


# Queries of every kind the engine answers (words, phrases, OR, NOT,
# prefixes), over this corpus's words: what engine tests search it for.
QUERIES = [
    "data",
    "public trust",
    '"data sharing"',
    '"public sector data"',
    "community OR council",
    "data -trust",
    'data -"data sharing"',
    "comm*",
    "publ* trust",
    "participants",
]


def _words(block: str) -> list[str]:
    """The words of a block of text (a list easier to read and edit)."""
    return block.split()


# Most frequent first, so the words the tests search for are common ones.
COMMON = _words("""
data public trust community council participants sharing sector people services
local research evidence engagement government health information group policy
project support residents design panel citizens decision views risk team digital
value impact practice learning funding pilot survey methods consultation feedback
report ethics privacy consent transparency fairness technology partners housing
transport education care planning climate standards guidance rights inclusion
communication workshop conversation listening volunteers charity university
statistics records dataset quality access security governance board committee
""")
FUNCTION = _words("the of and to in a that is for on with as was it be by this are from at or we")
# Each topic's phrases stay together in the text, so phrase searches find them.
TOPICS = {
    "Data sharing": ("data sharing", "public sector data", "linkage"),
    "Public trust": ("public trust", "confidence", "legitimacy"),
    "Community engagement": ("community groups", "outreach", "seldom heard"),
    "Council services": ("council", "adult social care", "local authority"),
    "Research methods": ("surveys", "focus groups", "interviews"),
    "Digital inclusion": ("digital skills", "broadband", "devices"),
}
FIRST_NAMES = _words("""
Amara Bartholomew Celestine Desmond Eilidh Florentyna Gwendolyn Horatio Ingrid
Jolyon Kasimir Leocadia
""")
SURNAMES = _words("""
Abernethy Brightwater Castellanos Delacroix Ekwueme Fitzwilliam Grimaldi
Hollingsworth Jankowska Lindqvist Montgomerie Nakashima
""")
PLACES = _words("Northfield Riverside Eastmoor Westbrook Highgate Lowther Ashcombe Bramley")
BODIES = ["Borough Council", "Health Trust", "Data Institute", "University", "Housing Association"]
DESCRIPTORS = [
    "a local authority data lead",
    "a researcher in participatory methods",
    "a community organiser",
    "a health service analyst",
]
SECTIONS = ["Welcome", "Updates from the network", "Main discussion", "Actions and next steps"]
KINDS = {Kind.POINT: 50, Kind.QUOTE: 10, Kind.ACTION: 12, Kind.DECISION: 8, Kind.QUESTION: 12}
CONFIDENTIALITIES = {
    Confidentiality.OPEN: 85,
    Confidentiality.MEMBERS: 10,
    Confidentiality.CONFIDENTIAL: 5,
}
LEVELS = {Level.ANONYMOUS: 30, Level.DESCRIPTOR: 25, Level.AFFILIATION: 20, Level.NAMED: 25}
GRANTED = datetime(2019, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Speaker:
    id: int
    name: str
    affiliation: str


def load(app: Flask, spec: Spec) -> None:
    """Write ``spec``'s corpus into ``app``'s database, whose tables exist."""
    rng = random.Random(spec.seed)  # noqa: S311 - repeatable text, not a secret
    with app.app_context(), db.engine.begin() as connection:
        series = [
            _insert(connection, Series, slug=f"series-{n}", title=f"Corpus series {n}")
            for n in range(1, spec.series + 1)
        ]
        topics = {
            name: _insert(connection, Topic, slug=slugify(name), name=name) for name in TOPICS
        }
        speakers = _people(connection, rng, spec.people)
        _consents(connection, rng, speakers, series)
        writer = Writer(rng, speakers, spec.words_per_item)
        for first in range(0, spec.items, spec.items_per_meeting):
            index = first // spec.items_per_meeting
            count = min(spec.items_per_meeting, spec.items - first)
            number = index // spec.series + 1
            series_id = series[index % spec.series]
            about = rng.sample(sorted(TOPICS), rng.choice((1, 2, 2, 3)))
            phrases = [phrase for name in about for phrase in TOPICS[name]]
            description = " ".join(writer.sentence(phrases) for _ in range(3))
            meeting_id = _insert(
                connection,
                Meeting,
                series_id=series_id,
                number=number,
                title=f"{about[0]}: meeting {number}",
                date=date(2019, 1, 10) + timedelta(days=120 * (number - 1) + series_id),
                status=MeetingStatus.HELD,
                theme=about[0],
                description=f"**{about[0]}.** {description}",
            )
            links = [{"meeting_id": meeting_id, "topic_id": topics[name]} for name in about]
            connection.execute(sa.insert(meeting_topics), links)
            rows = [writer.item(meeting_id, position, count, phrases) for position in range(count)]
            connection.execute(sa.insert(Item), rows)
        record_all(connection)  # who is named where, as saving each item would


def _insert(connection: sa.Connection, model: Any, **values: Any) -> int:
    """One row; its id."""
    return int(connection.scalar(sa.insert(model).values(**values).returning(model.id)))


def _people(connection: sa.Connection, rng: random.Random, count: int) -> list[Speaker]:
    names = rng.sample([f"{a} {b}" for a in FIRST_NAMES for b in SURNAMES], count)
    speakers = []
    for name in names:
        affiliation = f"{rng.choice(PLACES)} {rng.choice(BODIES)}"
        person_id = _insert(
            connection,
            Person,
            name=name,
            affiliation=affiliation,
            descriptor=rng.choice(DESCRIPTORS),
            email=name.lower().replace(" ", ".") + "@example.org",
        )
        speakers.append(Speaker(person_id, name, affiliation))
    return speakers


def _consents(
    connection: sa.Connection, rng: random.Random, speakers: Sequence[Speaker], series: list[int]
) -> None:
    """A grant per person and audience; for some, a series of their own
    that differs, or a withdrawn grant (history, which counts for nothing)."""
    rows = []
    for speaker in speakers:
        grant = {"person_id": speaker.id, "granted_at": GRANTED, "note": "in the room"}
        for audience in ConsentAudience:
            rows.append(grant | {"audience": audience, "level": _weighted(rng, LEVELS)})
        grant |= {"audience": ConsentAudience.MEMBER}
        if rng.random() < 0.2:
            level = _weighted(rng, LEVELS)
            rows.append(grant | {"level": level, "series_id": rng.choice(series)})
        if rng.random() < 0.05:
            withdrawn = GRANTED + timedelta(days=60)
            rows.append(grant | {"level": Level.NAMED, "withdrawn_at": withdrawn})
    unscoped = {"series_id": None, "withdrawn_at": None}
    connection.execute(sa.insert(Consent), [unscoped | row for row in rows])


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), list(weights.values()))[0]


class Writer:
    """Sentences and items from one random stream: a word's chance falls
    with its rank (a few in nearly every item, a long tail of rare ones)."""

    def __init__(self, rng: random.Random, speakers: Sequence[Speaker], words: int) -> None:
        self.rng = rng
        self.speakers = speakers
        self.words_per_item = words
        self.vocabulary = COMMON + _made_up_words(400)
        ranks = range(1, len(self.vocabulary) + 1)
        self.cumulative = list(itertools.accumulate(1.0 / rank for rank in ranks))

    def sentence(self, phrases: Sequence[str]) -> str:
        drawn = self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=12)
        text = " ".join(self._or_other(word, phrases) for word in drawn)
        return text[0].upper() + text[1:] + "."

    def _or_other(self, word: str, phrases: Sequence[str]) -> str:
        """``word``, or now and then a function word or one of the topics' phrases."""
        roll = self.rng.random()
        if roll < 0.3:
            return self.rng.choice(FUNCTION)
        return self.rng.choice(phrases) if roll < 0.42 else word

    def body(self, phrases: Sequence[str]) -> str:
        """About ``words_per_item`` words; a quarter name someone, one in ten
        has a span redacted for the public or for everyone but facilitators."""
        rng = self.rng
        sentences = [self.sentence(phrases) for _ in range(max(2, self.words_per_item // 12))]
        if rng.random() < 0.25:
            speaker = rng.choice(self.speakers)
            said = self.sentence(phrases)
            lower = said[0].lower() + said[1:]
            mention = rng.choice(
                (
                    f"{speaker.name} of {speaker.affiliation} said: {said}",
                    f"As {speaker.name.split()[-1]} put it, {lower}",
                    f"{speaker.name} asked whether {lower}",
                )
            )
            sentences.insert(rng.randrange(len(sentences) + 1), mention)
        roll = rng.random()
        if roll < 0.1:
            at = rng.randrange(len(sentences))
            redaction = "confidential" if roll < 0.05 else "members"
            sentences[at] = f"[{sentences[at]}]{{.{redaction}}}"
        half = len(sentences) // 2
        return " ".join(sentences[:half]) + "\n\n" + " ".join(sentences[half:])

    def item(
        self, meeting_id: int, position: int, count: int, phrases: Sequence[str]
    ) -> dict[str, Any]:
        speaker = self.rng.choice(self.speakers).id if self.rng.random() < 0.7 else None
        return {
            "meeting_id": meeting_id,
            "position": position + 1,
            "section": SECTIONS[position * len(SECTIONS) // count],
            "kind": _weighted(self.rng, KINDS),
            "body": self.body(phrases),
            "speaker_id": speaker,
            "confidentiality": _weighted(self.rng, CONFIDENTIALITIES),
        }


def _made_up_words(count: int) -> list[str]:
    """The long tail of rare words, made up (the same every time)."""
    rng = random.Random("corpus tail")  # noqa: S311 - repeatable text, not a secret
    onsets, vowels, codas = _words("b br d f g k l m n p r s t v z"), "aeiou", "nrlst"
    words: set[str] = set()
    while len(words) < count:
        syllables = (rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.choice((2, 3))))
        words.add("".join(syllables) + rng.choice(codas))
    return sorted(words)
