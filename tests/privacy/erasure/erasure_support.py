"""Shared by the erasure tests (no tests here): a series whose notes credit
and name a person with a distinctive, non-ASCII name, in current text, old
versions, headings, a review, the audit log, a circulation in the outbox, a
published write-up and the search index; and the byte scan."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from notesbase import audit
from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.meetings import service as meetings
from notesbase.models import (
    Item,
    Member,
    RequestKind,
    Reviewer,
    ReviewRequest,
    ReviewRound,
    Role,
    Series,
    utcnow,
)
from notesbase.notes import items, people
from notesbase.publishing.writeups.service import publish_writeup, save_writeup
from notesbase.search import background, indexer

NAME = "Zoë Quennell-Ångström"
FIRST, SURNAME = "Zoë", "Quennell-Ångström"
AFFILIATION = "Vrestholm Fjordworks"
DESCRIPTOR = "a Brackenwick ombudsfolk lead"
EMAIL = "zoe.quennell@vrestholm.example"
OTHER = "Raj Patelwick"
OTHER_AFFILIATION = "Patelwick Trust"

# Every form of every detail that must leave no byte behind.
TERMS = (
    NAME,
    FIRST,
    SURNAME,
    AFFILIATION,
    DESCRIPTOR,
    EMAIL,
    "Quennell",
    "Vrestholm",
    "Brackenwick",
)


@dataclass
class World:
    person: int = 0
    other: int = 0
    member: int = 0
    meeting: int = 0
    items: dict[str, int] = field(default_factory=dict)


def build_world(app: Flask, make_member: Any, make_series: Any) -> World:
    """Series "cop", meeting 1: Zoë speaks, is named in others' items, in
    an earlier version, a heading, a review, the audit log; she has an
    account in the series; the notes are circulated, a write-up is
    published and the index is up to date."""
    cop = make_series("cop", "Community of Practice")
    make_member("facilitator@example.org", role=Role.FACILITATOR, name="Fiona Facilitator")
    make_member("admin@example.org", role=Role.ADMIN, name="Ada Admin")
    zoe_member = make_member(EMAIL, name=NAME, series=[cop])
    make_member("member@example.org", series=[cop])
    world = World(member=zoe_member.id)
    with app.app_context():
        meeting = meetings.create_meeting(
            db.session.get(Series, cop.id),
            meetings.MeetingFields(
                number=1,
                title="First meeting",
                date=date(2025, 1, 15),
                speakers=f"{NAME} and {OTHER}",
            ),
        )
        zoe = people.create_person(
            people.PersonFields(NAME, AFFILIATION, DESCRIPTOR, EMAIL), actor=None
        )
        raj = people.create_person(
            people.PersonFields(OTHER, OTHER_AFFILIATION, "", "raj@example.org"), actor=None
        )
        people.link_member(zoe, db.session.get(Member, zoe_member.id), actor=None)
        for audience in ConsentAudience:
            grants.grant(zoe, audience, Level.NAMED, grants.Scope(), actor=None, note="in the room")
            grants.grant(raj, audience, Level.NAMED, grants.Scope(), actor=None)

        def add(key: str, body: str, speaker: Any, section: str = "", **kw: Any) -> Item:
            fields = items.ItemFields(
                Kind.QUOTE if speaker else Kind.POINT,
                body,
                section,
                speaker.id if speaker else None,
                kw.get("confidentiality", Confidentiality.OPEN),
            )
            item = items.create_item(meeting, fields, actor=None)
            world.items[key] = item.id
            return item

        add("zoe_removed", "Our budget doubles next year, PLANTEDREMOVED.", zoe)
        add("zoe_kept", f"As {AFFILIATION} we publish registers weekly.", zoe)
        add("raj_naming", f"{OTHER} agreed with {FIRST} about **{SURNAME}**'s plan.", raj)
        add("heading", "Open registers are cheap.", raj, section=f"Questions from {NAME}")
        history = add("history", f"Email {EMAIL} for the template.", None)
        items.update_item(history, items.ItemFields(Kind.POINT, "Ask the network."), actor=None)
        add("untouched", f"{OTHER} of {OTHER_AFFILIATION} closed the meeting.", raj)
        review = ReviewRound(meeting_id=meeting.id, deadline=utcnow() + timedelta(days=5))
        db.session.add(review)
        db.session.flush()
        for who, comment in ((zoe, "Please correct my words"), (raj, f"Ask {NAME} first")):
            reviewer = Reviewer(round_id=review.id, person_id=who.id, token_hash=who.name[:8] * 8)
            db.session.add(reviewer)
            db.session.flush()
            db.session.add(
                ReviewRequest(
                    reviewer_id=reviewer.id,
                    item_id=world.items["raj_naming"],
                    item_version=1,
                    kind=RequestKind.CORRECTION,
                    suggested=f"{DESCRIPTOR} said so",
                    comment=comment,
                )
            )
        audit.record(
            "item.reorder", "meeting", meeting.id, actor=None, actor_label=EMAIL, note=NAME
        )
        save_writeup(
            meeting,
            f"The network heard from {NAME} of {AFFILIATION}.",
            [world.items["zoe_kept"], world.items["raj_naming"]],
            actor=None,
            expected_version=None,
        )
        publish_writeup(meeting, actor=None)
        db.session.commit()
        world.person, world.other, world.meeting = zoe.id, raj.id, meeting.id
    return world


def circulate(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["circulate", "cop", "1", "--yes"])
    assert result.exit_code == 0, result.output


def settle_index(app: Flask) -> Path:
    """Apply the outbox to the index, wait for merges; the index folder."""
    indexer.apply(app)
    background.wait_for_merges(timeout=30)
    return indexer.engine_for(app).root


def forms(term: str) -> set[bytes]:
    """The term as bytes in UTF-8: as written, case-folded, NFC and NFD."""
    found: set[bytes] = set()
    for text in (term, term.casefold(), term.lower(), term.upper()):
        for form in ("NFC", "NFD", "NFKC", "NFKD"):
            found.add(unicodedata.normalize(form, text).encode("utf-8"))
    return found


def index_forms(app: Flask, term: str) -> set[bytes]:
    """The words of ``term`` as the index stores them (analysed)."""
    engine = indexer.engine_for(app)
    return {token.encode("utf-8") for token in engine.analyse(term) if len(token) > 3}


def files_under(*folders: Path) -> list[Path]:
    return [
        p for folder in folders if folder.exists() for p in sorted(folder.rglob("*")) if p.is_file()
    ]


def leftovers(paths: list[Path], needles: set[bytes]) -> list[str]:
    """``path: needle`` for every needle found in any of ``paths``."""
    found = []
    for path in paths:
        data = path.read_bytes()
        found += [f"{path}: {needle!r}" for needle in sorted(needles) if needle in data]
    return found
