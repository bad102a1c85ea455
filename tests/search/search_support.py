"""A small world for the search tests: two series, notes with planted words
in every kind of place (open text, redacted spans, members-only and
confidential items, typed names, meeting descriptions), people with every
consent level, a member of each series, a facilitator and a deactivated
member; and what each reader may find, written out by hand.

Planted words share the prefix ``plant`` so ``plant*`` reaches them all,
and none is an English word, so stemming leaves them alone."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Flask

from notesbase.auth import tokens
from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.meetings.topics import get_or_create_topics
from notesbase.models import Consent, Item, Meeting, Member, Role, Series
from notesbase.notes import items, people

OPEN_WORD = "plantopen"
CONF_SPAN = "plantconfspan"
MEM_SPAN = "plantmemspan"
MEM_ITEM = "plantmemitem"
CONF_ITEM = "plantconfitem"
MENTION = "plantmention"
SECTION_WORD = "plantsection"
GONE_WORD = "plantgone"
OTHER_WORD = "plantother"
DESC_WORD = "plantdesc"

# name, affiliation, {consent audience: level}
XYLIA = ("Xylia Vantablack", "Quorvex Institute", {ConsentAudience.MEMBER: Level.NAMED})
OSWIN = ("Oswin Plumtrevor", "Glimmerstaff Trust", {})
HESPER = ("Hesper Dunwoody", "Marrowgate Council", {ConsentAudience.PUBLIC: Level.NAMED})

READERS = ("public", "member", "other", "facilitator", "inactive")
KICKOFF = ("kickoff", "gathering")
SECOND = ("second", "gathering")
ELSEWHERE = ("elsewhere", "gathering")


@dataclass(frozen=True)
class Doc:
    """One thing search can find, as the test expects it: where it is, who
    may find it, and the words each audience finds it by (the meeting's
    title words included, as the index has them)."""

    series: str
    number: int
    day: date
    topics: tuple[str, ...]
    kind: str
    readers: frozenset[str]
    member_words: frozenset[str]
    facilitator_words: frozenset[str]

    def words(self, reader: str) -> frozenset[str]:
        if reader not in self.readers:
            return frozenset()
        return self.facilitator_words if reader == "facilitator" else self.member_words


def _doc(
    where: tuple[str, int, date, tuple[str, ...]],
    kind: str,
    readers: Iterable[str],
    member: Iterable[str],
    facilitator_extra: Iterable[str] = (),
    title: tuple[str, ...] = (),
) -> Doc:
    series, number, day, topics = where
    member_words = frozenset((*member, *title))
    return Doc(
        series,
        number,
        day,
        topics,
        kind,
        frozenset(readers),
        member_words,
        member_words | frozenset(facilitator_extra),
    )


COP_1 = ("cop", 1, date(2025, 1, 15), ("open-data",))
COP_2 = ("cop", 2, date(2025, 3, 10), ("health-data",))
OTHER_1 = ("other", 1, date(2025, 2, 1), ("climate", "open-data"))
COP_READERS = ("member", "facilitator")

# Everything in the world, by label: the five items, and each meeting's own
# public document (title, theme, description), which everyone finds.
DOCS: dict[str, Doc] = {
    "open": _doc(
        COP_1,
        "point",
        COP_READERS,
        {OPEN_WORD, MEM_SPAN, "xylia", "vantablack", "quorvex"},
        {CONF_SPAN},
        KICKOFF,
    ),
    # Hesper is named to the public only: members never see less, so they
    # find her by name on this members-only item.
    "mem": _doc(
        COP_1, "decision", COP_READERS, {MEM_ITEM, "hesper", "dunwoody", "marrowgate"}, (), KICKOFF
    ),
    "conf": _doc(
        COP_1,
        "quote",
        ("facilitator",),
        {CONF_ITEM, "oswin", "plumtrevor", "glimmerstaff"},
        (),
        KICKOFF,
    ),
    "mention": _doc(
        COP_2, "action", COP_READERS, {MENTION, SECTION_WORD}, {"oswin", "plumtrevor"}, SECOND
    ),
    # every word of it redacted: left out for members as if confidential
    "gone": _doc(COP_2, "question", ("facilitator",), {GONE_WORD}, (), SECOND),
    "other": _doc(OTHER_1, "point", ("other", "facilitator"), {OTHER_WORD}, (), ELSEWHERE),
    "desc": _doc(COP_1, "meeting", READERS, {DESC_WORD}, (), KICKOFF),
    "m2": _doc(COP_2, "meeting", READERS, (), (), SECOND),
    "else": _doc(OTHER_1, "meeting", READERS, (), (), ELSEWHERE),
}
ITEM_LABELS = ("open", "mem", "conf", "mention", "gone", "other")
MEETING_LABELS = {("cop", 1): "desc", ("cop", 2): "m2", ("other", 1): "else"}

# Never in any answer to a reader who may not see them (checked in the raw
# response text, whatever the query). Meeting titles and descriptions are
# public, so they are not here.
SECRET_OF: dict[str, set[str]] = {
    CONF_SPAN: {"facilitator"},
    CONF_ITEM: {"facilitator"},
    MEM_SPAN: {"member", "facilitator"},
    MEM_ITEM: {"member", "facilitator"},
    OPEN_WORD: {"member", "facilitator"},
    MENTION: {"member", "facilitator"},
    SECTION_WORD: {"member", "facilitator"},
    GONE_WORD: {"facilitator"},
    OTHER_WORD: {"other", "facilitator"},
    "Plumtrevor": {"facilitator"},
    "Glimmerstaff": {"facilitator"},
    "Dunwoody": {"member", "facilitator"},
    "Marrowgate": {"member", "facilitator"},
    "Vantablack": {"member", "facilitator"},
    "Quorvex": {"member", "facilitator"},
}


def forbidden_for(reader: str) -> list[str]:
    return [secret for secret, allowed in SECRET_OF.items() if reader not in allowed]


@dataclass
class World:
    """Ids of what was made, and an API token per reader who can have one."""

    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, reader: str) -> dict[str, str]:
        token = self.tokens.get(reader)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def label_of(self, hit: dict[str, Any]) -> str:
        """The label of a hit in the API's JSON."""
        if hit["type"] == "meeting":
            return MEETING_LABELS.get((hit["series"], hit["meeting"]), "another meeting")
        by_id = {self.ids[label]: label for label in ITEM_LABELS}
        return by_id.get(hit["item"], f"{hit['type']} {hit['item']}")

    def label_of_url(self, url: str) -> str:
        """The label of a hit on the page, from its link."""
        match = re.fullmatch(r"/series/([^/]+)/meetings/(\d+)(?:/notes#item-(\d+))?", url)
        assert match, url
        if match.group(3) is None:
            return MEETING_LABELS.get((match.group(1), int(match.group(2))), url)
        by_id = {self.ids[label]: label for label in ITEM_LABELS}
        return by_id.get(int(match.group(3)), url)


def _member(email: str) -> Member:
    member = db.session.scalar(sa.select(Member).where(Member.email == email))
    assert member is not None, email
    return member


def _person(spec: tuple[str, str, dict[ConsentAudience, Level]]) -> Any:
    name, affiliation, levels = spec
    person = people.create_person(people.PersonFields(name, affiliation, "", None), actor=None)
    for audience, level in levels.items():
        grants.grant(person, audience, level, grants.Scope(), actor=None)
    return person


def add_meeting(
    series: Series, number: int, title: str, day: date, topics: list[str], description: str = ""
) -> Meeting:
    """A meeting made directly (the meetings service flushes in a savepoint,
    which a test of its own covers; here it would only slow every world)."""
    meeting = Meeting(
        series=series,
        number=number,
        title=title,
        date=day,
        topics=get_or_create_topics(topics),
        description=description,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def build_world(app: Flask, make_member: Any, make_series: Any) -> World:
    """The planted world; every change committed (so indexed on commit)."""
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Other Network")
    make_member("member@example.org", series=[cop])
    make_member("other@example.org", series=[other])
    make_member("facilitator@example.org", role=Role.FACILITATOR)
    make_member("inactive@example.org", series=[cop])
    make_member("admin@example.org", role=Role.ADMIN)
    world = World()
    with app.app_context():
        cop_row, other_row = db.session.get(Series, cop.id), db.session.get(Series, other.id)
        first = add_meeting(
            cop_row,
            1,
            "Kickoff gathering",
            date(2025, 1, 15),
            ["Open data"],
            description=f"We talk about {DESC_WORD} and more.",
        )
        second = add_meeting(cop_row, 2, "Second gathering", date(2025, 3, 10), ["Health data"])
        elsewhere = add_meeting(
            other_row, 1, "Elsewhere gathering", date(2025, 2, 1), ["Climate", "Open data"]
        )
        xylia, oswin, hesper = _person(XYLIA), _person(OSWIN), _person(HESPER)

        def add(
            meeting: Meeting, body: str, speaker: Any, kind: Kind, level: str, section: str = ""
        ) -> int:
            fields = items.ItemFields(
                kind, body, section, speaker.id if speaker else None, Confidentiality(level)
            )
            return items.create_item(meeting, fields, actor=None).id

        world.ids["open"] = add(
            first,
            f"We said {OPEN_WORD} aloud, then [{CONF_SPAN}]{{.confidential}} quietly"
            f" and [{MEM_SPAN}]{{.members}} among ourselves.",
            xylia,
            Kind.POINT,
            "open",
        )
        world.ids["mem"] = add(
            first, f"Agreed {MEM_ITEM} for members.", hesper, Kind.DECISION, "members"
        )
        world.ids["conf"] = add(
            first, f"Told {CONF_ITEM} in confidence.", oswin, Kind.QUOTE, "confidential"
        )
        world.ids["mention"] = add(
            second,
            f"Then {MENTION}: Oswin Plumtrevor will follow up.",
            None,
            Kind.ACTION,
            "open",
            section=f"Follow-up {SECTION_WORD} by Oswin Plumtrevor",
        )
        world.ids["gone"] = add(
            second, f"[{GONE_WORD} entirely]{{.confidential}}", None, Kind.QUESTION, "open"
        )
        world.ids["other"] = add(elsewhere, f"Over there {OTHER_WORD}.", None, Kind.POINT, "open")
        world.ids["xylia"], world.ids["oswin"], world.ids["hesper"] = xylia.id, oswin.id, hesper.id
        world.ids["first"], world.ids["second"] = first.id, second.id
        for reader in ("member", "other", "facilitator", "admin", "inactive"):
            _row, token = tokens.create_token(_member(f"{reader}@example.org"), reader, actor=None)
            world.tokens[reader] = token
        db.session.commit()
        # Deactivated after getting a token: the token must stop working.
        _member("inactive@example.org").active = False
        db.session.commit()
    return world


def member_consent(app: Flask, person_id: int, audience: ConsentAudience) -> int:
    """The id of ``person_id``'s active everywhere-grant for ``audience``."""
    with app.app_context():
        consent = db.session.scalar(
            sa.select(Consent).where(
                Consent.person_id == person_id,
                Consent.audience == audience,
                Consent.withdrawn_at.is_(None),
            )
        )
        assert consent is not None
        return consent.id


def edit_item(app: Flask, item_id: int, **changes: Any) -> None:
    """Change an item through the notes service, and commit."""
    with app.app_context():
        item = db.session.get(Item, item_id)
        assert item is not None
        fields = items.ItemFields(
            kind=changes.get("kind", item.kind),
            body=changes.get("body", item.body),
            section=changes.get("section", item.section),
            speaker_id=changes.get("speaker_id", item.speaker_id),
            confidentiality=changes.get("confidentiality", item.confidentiality),
        )
        assert items.update_item(item, fields, actor=None)
        db.session.commit()


TAG = re.compile(r"<[^>]*>")


def visible_text(response_text: str) -> str:
    """A response as a reader could read it: tags out, entities decoded."""
    return html.unescape(TAG.sub(" ", response_text))


def assert_none_of(text: str, secrets: Iterable[str], where: str = "") -> None:
    """None of ``secrets`` appears in ``text``, raw or as a reader sees it
    (case-insensitive)."""
    folded = (text + "\n" + visible_text(text)).lower()
    found = [secret for secret in secrets if secret.lower() in folded]
    assert not found, f"{where}: {found} surfaced"


# Queries and parameters no search can run: each gets a 400 with a message,
# quickly, on the page and in the API.
GARBAGE: dict[str, dict[str, str]] = {
    "empty": {"q": ""},
    "only spaces": {"q": "   \t  "},
    "brackets": {"q": "((("},
    "a star": {"q": "*"},
    "one letter and a star": {"q": "a*"},
    "two letters and a star": {"q": "ab*"},
    "quotes": {"q": '"""'},
    "ten kilobytes": {"q": "x" * 10_240},
    "ten kilobytes of words": {"q": "plant " * 1_800},
    "control characters": {"q": "\x00\x01\x02\x1b\x7f"},
    "OR alone": {"q": "OR OR OR"},
    "exclusion alone": {"q": "-foo"},
    "exclusions alone": {"q": '-foo -"bar baz"'},
    "too many words": {"q": " ".join(f"w{i}" for i in range(40))},
    "empty field": {"q": "topic:"},
    "bad meeting field": {"q": "plant meeting:x"},
    "meeting zero": {"q": "plant meeting:0"},
    "huge meeting": {"q": "plant meeting:99999999999999999999"},
    "bad date field": {"q": "plant date:2025-02-30"},
    "unknown kind": {"q": "plant", "kind": "banana"},
    "page zero": {"q": "plant", "page": "0"},
    "page not a number": {"q": "plant", "page": "abc"},
    "page huge": {"q": "plant", "page": str(10**9)},
    "page negative": {"q": "plant", "page": "-1"},
    "bad from date": {"q": "plant", "from": "2025-13-45"},
    "bad to date": {"q": "plant", "to": "yesterday"},
    "meeting_from not a number": {"q": "plant", "meeting_from": "x"},
    "meeting_to negative": {"q": "plant", "meeting_to": "-3"},
}
