"""Shared by the subject-access tests (no tests here): a series whose notes
credit a guest (Gwen, an email, no account) and a member (Mina, linked to
her account), and name Harold, who released nothing, with look-alike
letters, a zero-width space and his organisation's distinctive word; and
helpers to open an archive and scan every byte of it."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from typing import Any

from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.meetings import service
from notesbase.models import Consent, Item, Member, Role, Series
from notesbase.notes import items, people
from notesbase.notes.facts import people_mentions

GUEST = "Gwendolyn Quarrington"
GUEST_EMAIL = "gwen@example.org"
MEMBER = "Mina Oyelaran-Petrosyan"
MEMBER_EMAIL = "mina@example.org"
HIDDEN = "Harold Zimmerwald"
HIDDEN_ORG = "Zimmerwald Foundation"
HIDDEN_EMAIL = "harold@example.org"

OWN = "We should publish the registers openly."
# Harold, as an attacker might type him: a Cyrillic "а", a zero-width space,
# his surname alone, his organisation's distinctive word, his address.
HOSTILE = (
    "As H\u0430rold Zim\u200bmerwald argued, and Zimmerwald people agree "
    "(write to harold@example.org), the budget is short."
)
OWN_CONFIDENTIAL = "PLANTEDOWNCONF my own words, kept confidential."
HAROLDS_SECRET = f"PLANTEDSECRET {GUEST} and {MEMBER} may leave the programme."
HAROLDS_OPEN = "PLANTEDHAROLD the budget will be cut."
NAMING_IN_MEMBERS = f"{GUEST} and {MEMBER} offered to share the template."
OLD_NAMING = f"{GUEST} asked about procurement."
NEW_UNNAMING = "Someone asked about procurement."
CONSENT_NOTE = f"Agreed in the room, beside {HIDDEN}"

# Every spelling of Harold's details that must not reach an archive.
FORBIDDEN = (
    "Harold",
    "H\u0430rold",
    "Zimmerwald",
    "Zim\u200bmerwald",
    "harold@",
    "PLANTEDSECRET",
    "PLANTEDHAROLD",
)


def build_world(app: Any, make_member: Any, make_series: Any) -> dict[str, int]:
    """Series "cop" with meeting 1; a facilitator, an admin, Mina's account
    (a member of cop) and an outsider's; the notes as the module says."""
    cop = make_series("cop", "Community of Practice")
    make_member("facilitator@example.org", role=Role.FACILITATOR, name="Fiona Facilitator")
    make_member("admin@example.org", role=Role.ADMIN, name="Ada Admin")
    mina_account = make_member(MEMBER_EMAIL, series=[cop], name="Mina")
    make_member("outsider@example.org", series=[cop], name="Otto")
    world: dict[str, int] = {}
    with app.app_context():
        meeting = service.create_meeting(
            db.session.get(Series, cop.id),
            service.MeetingFields(number=1, title="First meeting", date=date(2025, 1, 15)),
        )
        gwen = people.create_person(
            people.PersonFields(GUEST, "Quarry Trust", "a data lead", GUEST_EMAIL), actor=None
        )
        mina = people.create_person(
            people.PersonFields(MEMBER, "Petrosyan Labs", "", MEMBER_EMAIL), actor=None
        )
        people.link_member(mina, db.session.get(Member, mina_account.id), actor=None)
        harold = people.create_person(
            people.PersonFields(HIDDEN, HIDDEN_ORG, "", HIDDEN_EMAIL), actor=None
        )
        given = grants.grant(
            gwen,
            ConsentAudience.PUBLIC,
            Level.AFFILIATION,
            grants.Scope(),
            actor=None,
            note=CONSENT_NOTE,
        )
        grants.withdraw(db.session.get(Consent, given.id), actor=None)

        def add(body: str, speaker: Any, confidentiality: Confidentiality) -> int:
            fields = items.ItemFields(Kind.QUOTE if speaker else Kind.POINT, body)
            fields.speaker_id = speaker.id if speaker else None
            fields.confidentiality = confidentiality
            return items.create_item(meeting, fields, actor=None).id

        for who, key in ((gwen, "gwen"), (mina, "mina")):
            world[f"{key}_own"] = add(OWN, who, Confidentiality.OPEN)
            world[f"{key}_hostile"] = add(HOSTILE, who, Confidentiality.OPEN)
            world[f"{key}_confidential"] = add(OWN_CONFIDENTIAL, who, Confidentiality.CONFIDENTIAL)
        world["secret"] = add(HAROLDS_SECRET, harold, Confidentiality.CONFIDENTIAL)
        world["harolds"] = add(HAROLDS_OPEN, harold, Confidentiality.OPEN)
        world["members"] = add(NAMING_IN_MEMBERS, None, Confidentiality.MEMBERS)
        world["edited"] = add(OLD_NAMING, None, Confidentiality.OPEN)
        edited = db.session.get(Item, world["edited"])
        items.update_item(edited, items.ItemFields(Kind.POINT, NEW_UNNAMING), actor=None)
        world.update(gwen=gwen.id, mina=mina.id, harold=harold.id, meeting=meeting.id)
        world["mina_account"] = mina_account.id
        db.session.commit()
    return world


def open_archive(data: bytes) -> dict[str, str]:
    """Every file of the zip, by name, as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def archive_json(data: bytes) -> dict[str, Any]:
    return json.loads(open_archive(data)["subject-access.json"])


def leaks(app: Any, data: bytes, hidden_id: int) -> list[str]:
    """What of Harold is anywhere in the zip: his spellings in any file's
    text or in the raw bytes, and whatever the canonical matcher finds of him."""
    found = [word for word in FORBIDDEN if word.encode() in data]
    files = open_archive(data)
    with app.app_context():
        mentions = people_mentions(db.session)
        for name, text in files.items():
            folded = text.casefold()
            found += [f"{name}: {word!r}" for word in FORBIDDEN if word.casefold() in folded]
            if hidden_id in mentions.people_in(text):
                found.append(f"{name}: the matcher finds him")
            if hidden_id in mentions.people_in(name):
                found.append(f"the file name {name}")
    return found
