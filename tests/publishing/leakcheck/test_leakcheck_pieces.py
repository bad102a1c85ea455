"""The leak check reads each distinct line and sentence of an audience's
outputs once (``leakcheck.lines``), and finds exactly what reading every text
whole finds (``check(..., whole=True)``, as it read before): the same
findings, rules, places, parts, item numbers, people and override keys, in
the same order. Compared on the leak-check world with hostile texts typed
across every kind of break, on the hostile worlds (XSS payloads and
look-alike spellings in every field, published) and on a corpus of long
meetings."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Audience, ConsentAudience, Kind, Level, PersonFacts, disclose
from notesbase.meetings import service
from notesbase.models import Meeting
from notesbase.notes import items, people
from notesbase.notes.facts import load_notes
from notesbase.publishing.leakcheck import audience as leak_audience
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.leakcheck import lines as leak_lines
from notesbase.publishing.leakcheck import text as leak_text
from notesbase.publishing.leakcheck.check import Field
from notesbase.publishing.leakcheck.people import PeopleCheck
from notesbase.publishing.leakcheck.secrets import SecretsCheck
from notesbase.publishing.writeups.service import save_writeup
from notesbase.text import clean_line
from tests.conftest import build_app as fresh_app
from tests.disclosure import builders_support as builders
from tests.disclosure.builders_support import CONTEXTS, QUILLON
from tests.disclosure.builders_support import TERMS as SPELLING_TERMS
from tests.hostile.spellings_support import corpus as spellings
from tests.hostile.spellings_support import disguise
from tests.hostile.world_support import build as build_hostile_world
from tests.publishing.leakcheck.leakcheck_support import (  # noqa: F401 - fixtures
    BUDGET,
    CHARTER,
    MEMBER_CHANNEL,
    MERGER,
    NIGHTINGALE,
    OUTPUT,
    PUBLIC_CHANNEL,
    channels_fixture,
    the_meeting,
    world_fixture,
)
from tests.support import corpus_support

ZW = "\u200b"
# What the test world's outputs are made of: its people's names, parts,
# affiliations, descriptor and email, its secrets, headings of lists of
# who attended, look-alike and invisible letters, Markdown and HTML.
FRAGMENTS = [
    "Alex Smith", "Alex", "Smith", "SMITH", "Smith's", "àlex smíth", f"Al{ZW}ex",
    "\u0410lex", "Acme Analytics", "Acme", "Acme-Analytics", "alex@example.org",
    "a local authority data lead", "Renée Dubois", "Dubois", "Ministère du Numérique",
    "Priya Raman", "Raman", "Will Bell", "Bell", "bell", "Bell Labs", "Will",
    *MERGER.split(), MERGER, *BUDGET.split(), BUDGET, NIGHTINGALE, "Nightingale",
    *CHARTER.split(), CHARTER, "Attendees:", "Present:", "who was there", "List of participants -",
    "## Attendees", "the", "pilot", "ran", "We", "spring", "register", "data", "2026",
    "**", "_", "`", "~", "*", "[a link](https://example.org/alex-smith)", "](", "](<",
    "https://example.org/alexsmith", "www.acme-analytics.example", "<p>", "</p>",
    '<a href="/p/alex-smith">x</a>', "<em>", "</em>", "&amp;", "·", "“", "”", "|", "0",
    "ﬁ", "m", "I", "\u00ad", "Mr", "the", "of", "Northwind", "N\u043erthwind",
]  # fmt: skip
BREAKS = [
    " ", " ", " ", "\n", ". ", "! ", "? ", "\n\n", "  ", "\t", "\n  ", "", ", ", "-",
    ZW, ".\n", ":\n", "\n- ", "\n* ", ". \t", ".  ",
]  # fmt: skip


def texts(seed: int, count: int) -> Iterator[str]:
    """``count`` texts of the fragments, joined by every kind of break."""
    rng = random.Random(seed)  # noqa: S311 - a test corpus, not a secret
    for _ in range(count):
        parts = rng.choices(FRAGMENTS, k=rng.randint(1, 40))
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(BREAKS) + part
        yield text


def rows(report: leakcheck.LeakReport) -> list[tuple[object, ...]]:
    """Everything a finding is, in order."""
    return [
        (
            f.key,
            f.rule,
            f.where,
            f.match,
            f.why,
            f.parts,
            f.item_id,
            f.people,
            f.version,
            f.override.id if f.override is not None else None,
        )
        for f in report.findings
    ]


def assert_same(meeting: Meeting, names: list[str] | None = None) -> int:
    """The channels' findings read piece by piece and read whole are the
    same; how many there are."""
    names = names or sorted(leakcheck.CHANNELS)
    pieces = [rows(report) for report in leakcheck.checks(meeting, names)]
    whole = [rows(leakcheck.check(meeting, name, whole=True)) for name in names]
    assert pieces == whole
    return sum(len(found) for found in pieces)


def readers(meeting: Meeting, audience: Audience) -> tuple[leak_lines.Lines, leak_lines.Lines]:
    """Two readers of ``meeting``'s outputs for ``audience``: piece by piece, whole."""
    notes = load_notes(meeting)
    view = disclose(notes, audience)
    return (
        leak_audience.reader_of(meeting, notes, view),
        leak_audience.reader_of(meeting, notes, view, whole=True),
    )


# The leak-check world, every kind of break ---------------------------------


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBER])
def test_every_reading_of_hostile_texts_finds_the_same(app, world, audience) -> None:
    """1,500 texts of names, secrets, headings and markup joined by line
    breaks, sentence ends, indentation, nothing at all: each reading of
    each, read piece by piece (one reader for all, as a check's channels
    share one), finds what reading it whole finds; some had to be read whole."""
    with app.app_context():
        pieces, whole = readers(the_meeting(), audience)
        found = 0
        for text in texts(seed=audience.value.__hash__() % 1000, count=1500):
            for reading in leak_text.readings(text):
                expected = whole.hits(reading)
                assert pieces.hits(reading) == expected, reading
                found += len(expected)
        assert found > 1500  # the texts hold plenty of things to find
        assert pieces.read_whole > 0  # a term across a break was read whole


CROSSED = [
    ["Alex\nSmith said the pilot ran.", "Acme\nAnalytics"],
    ["We met Alex. Smith was there.", "alex@example.\norg"],
    ["Attendees:\nAlex Smith\nRenée Dubois\nPriya Raman\nWill Bell"],
    ["- Alex Smith\n- Renée Dubois\n- Will Bell\n\nThe pilot ran."],
    ["Alex Smith. Renée Dubois. Will Bell. Priya Raman."],
    [f"{MERGER[:20]}\n{MERGER[20:]}", f"It said: {BUDGET.replace(' ', '. ')}"],
    [f"Some text.\n\n  {NIGHTINGALE} starts. {CHARTER}\n\t{CHARTER}"],
    ["See [the page](\nhttps://example.org/alex-smith) and www.acme.example/Smith"],
    ['<p>Ja<em>mes</em> and <a href="/p/alexsmith">a friend</a> Re&shy;n&eacute;e</p>'],
    ["**Alex** Smith\n_Acme_ Analytics\n`Dubois`", "Will\n\nBell of Bell Labs"],
]


@pytest.mark.parametrize("fields", CROSSED)
def test_a_channel_finds_the_same_read_either_way(app, world, channels, fields) -> None:
    """Names, secrets and lists of who attended typed across lines and
    sentences, in Markdown and HTML: both channels' findings are the same
    read piece by piece and read whole (keys, places, parts and all)."""
    with app.app_context():
        for channel in (PUBLIC_CHANNEL, MEMBER_CHANNEL):
            OUTPUT[channel] = [Field(f"part {n}", text) for n, text in enumerate(fields, 1)]
        assert assert_same(the_meeting(), [PUBLIC_CHANNEL, MEMBER_CHANNEL]) > 0


def test_each_distinct_line_is_read_once_per_audience(app, world, monkeypatch) -> None:
    """Two readings holding the same paragraph (as the email's text and
    HTML, or the Markdown and print exports do) look its terms up once, and
    a sentence holding no word of any term is not read for them at all."""
    with app.app_context():
        pieces, _whole = readers(the_meeting(), Audience.PUBLIC)
        asked: list[str] = []
        matcher = pieces.people.matcher
        original = type(matcher).matches

        def counted(self, text, **kwargs):  # type: ignore[no-untyped-def]
            if self is matcher:
                asked.append(text)
            return original(self, text, **kwargs)

        monkeypatch.setattr(type(matcher), "matches", counted)
        paragraph = "We met Alex Smith. The pilot ran in the spring."
        first = pieces.hits(f"* Point\n  {paragraph}\n\n  Then it stopped.\n")
        second = pieces.hits(f"Point\n\n{paragraph}\n\nThen it stopped.")
        assert asked == ["We met Alex Smith."]
        for found in (first, second):
            assert [hit.match for hit in found if hit.rule == "name"] == ["Alex Smith"]


def test_a_text_that_may_hold_a_risky_term_is_read_whole() -> None:
    """People whose names a longer text finds differently ("Lee Ann Lee"
    overlaps itself, ``Joins.risky``): a reading that may hold one is read
    whole, and finds what reading it whole finds (not what its lines alone
    would)."""
    names = ["Jo Lee", "Lee Ann Lee", "Ada Byron", "Bo Chen", "Cy Dunn", "Di Evans", "Ed Fox"]
    facts = [PersonFacts(id=n, name=name, affiliation="") for n, name in enumerate(names, 1)]
    world = builders.notes([builders.item("A plain point.")], people=facts)
    for audience in (Audience.PUBLIC, Audience.MEMBER):
        people = PeopleCheck(world, audience, "")
        secrets = SecretsCheck(world, audience, [])
        pieces = leak_lines.Lines(people, secrets)
        whole = leak_lines.Lines(people, secrets, whole=True)
        reading = "Jo Lee Ann Lee Ann Lee.\nAda Byron. Bo Chen, Cy Dunn. Di Evans, Ed Fox."
        assert pieces.hits(reading) == whole.hits(reading)
        assert pieces.read_whole > 0
        line = "Jo Lee Ann Lee Ann Lee."
        in_line = [hit for hit in whole.hits(reading) if hit.start < len(line)]
        assert in_line != whole.hits(line)  # the line read alone finds otherwise


# The hostile worlds --------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory, suite_postgres: str | None
) -> Iterator[Flask]:
    app = fresh_app(tmp_path_factory.mktemp("hostile-pieces"), suite_postgres)
    app.config["BASE_URL"] = "http://localhost"
    try:
        build_hostile_world(app)
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_xss_world_finds_the_same(hostile: Flask) -> None:
    """Every meeting of the world with every XSS payload in every field (its
    write-ups published with their findings overridden): each channel's
    findings, overrides included, are the same read either way."""
    with hostile.test_request_context():
        meetings = db.session.scalars(sa.select(Meeting).order_by(Meeting.id)).all()
        assert len(meetings) > 2
        assert sum(assert_same(meeting) for meeting in meetings) > 0


def test_the_spelling_world_finds_the_same(app) -> None:
    """Over two hundred look-alike spellings of a withheld name, surname,
    affiliation, descriptor and email in items and headings, each
    paragraph a context of its own, a first name alone; and a write-up."""
    planted = spellings(SPELLING_TERMS, 210, seed=17)
    with app.test_request_context():
        cop = service.create_series(service.SeriesFields("cop", "Community of Practice"))
        meeting = service.create_meeting(
            cop, service.MeetingFields(number=1, title="Spellings", date=date(2025, 7, 9))
        )
        quillon = people.create_person(
            people.PersonFields(
                QUILLON.name, QUILLON.affiliation, QUILLON.descriptor, QUILLON.email
            ),
            actor=None,
        )
        grants.grant(quillon, ConsentAudience.MEMBER, Level.DESCRIPTOR, grants.Scope(), actor=None)
        ids: list[int] = []
        for start in range(0, len(planted), 5):
            group = planted[start : start + 5]
            body = "\n\n".join(
                CONTEXTS[(start + index) % len(CONTEXTS)].format(spelling.text)
                for index, spelling in enumerate(group)
            )
            section = clean_line(group[0].text)[:200] if start % 20 == 0 else ""
            fields = items.ItemFields(Kind.POINT, body + "\n\nThe pilot ran.", section, quillon.id)
            ids.append(items.create_item(meeting, fields, actor=None).id)
        rng = random.Random(17)  # noqa: S311 - a test corpus, not a secret
        for _ in range(6):  # a first name alone, which the leak check reports
            text = f"Thanks to {disguise(rng, 'Quillon')} for the pilot."
            items.create_item(meeting, items.ItemFields(Kind.POINT, text), actor=None)
        summary = " ".join(spelling.text for spelling in planted[:10])
        save_writeup(meeting, summary, ids, actor=None, expected_version=None)
        db.session.commit()
        assert assert_same(meeting) > 0


# A corpus of long meetings -------------------------------------------------


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"SEARCH_APPLY_ON_COMMIT": False, "BASE_URL": "https://notes.example.org"}


def test_a_corpus_of_long_meetings_finds_the_same(app) -> None:
    """Meetings of 100 items (people named in them, redacted spans,
    members-only and confidential items): the same findings; and no line of
    it had to be read whole."""
    spec = corpus_support.Spec(items=300, items_per_meeting=100, series=1, people=120)
    corpus_support.load(app, spec)
    with app.test_request_context():
        meetings = db.session.scalars(sa.select(Meeting)).all()
        assert len(meetings) == 3
        assert sum(assert_same(meeting) for meeting in meetings) > 100
