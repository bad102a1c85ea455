"""The items that credit or name a person, each with every version, as the
person may read them.

An item counts when any version of it was spoken by the person, or names
them (``item_mentions``, and the matcher over the current text and every
revision: a name typed in an old version counts). Each version goes through
``disclose`` for the audience the person reads that series as, with their
own details released to themselves and nobody else's (``review.shown.as_named``).
A version that audience may not see (a confidential item, or members-only
for the public) is shown only when the person spoke it, and then as the
review shows a reviewer their own words: whole when the matcher finds
nobody else in it, else with everyone else as that audience sees them.
Versions that merely name the person and that the audience may not see are
left out with no marker or count. Last, the leak check's people rules read
every text of a version: anyone else found, the version's texts are held
back (fail closed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notesbase.db import db
from notesbase.disclosure import Audience, ItemFacts, Notes, disclose
from notesbase.disclosure.mentions import Mentions
from notesbase.models import Item, ItemRevision, Meeting, Member, Person, item_mentions
from notesbase.notes.facts import item_facts, load_notes, people_mentions, person_facts
from notesbase.privacy.subject_access.texts import audience_for
from notesbase.review.shown import as_named, names_others

BATCH = 500


def item_ids(person: Person) -> set[int]:
    """Every item that credits or names ``person`` in any version."""
    ids = set(db.session.scalars(sa.select(Item.id).where(Item.speaker_id == person.id)))
    ids |= set(
        db.session.scalars(
            sa.select(ItemRevision.item_id).where(ItemRevision.speaker_id == person.id)
        )
    )
    ids |= set(
        db.session.scalars(
            sa.select(item_mentions.c.item_id).where(item_mentions.c.person_id == person.id)
        )
    )
    # Only this person: the scan asks whether they are named, and alone the
    # matcher never gives way to someone who shares a word with them.
    alone = Mentions([person_facts(person)])
    for statement in (
        sa.select(Item.id, Item.body, Item.section),
        sa.select(ItemRevision.item_id, ItemRevision.body, ItemRevision.section),
    ):
        for item_id, body, section in db.session.execute(
            statement.execution_options(yield_per=BATCH)
        ):
            if item_id not in ids and alone.people_in_all([body or "", section or ""]):
                ids.add(item_id)
    return ids


def _versions(item: Item) -> list[ItemFacts]:
    """Every kept version of ``item``, oldest first, the current one included."""
    kept = {
        r.version: ItemFacts(
            id=item.id,
            position=item.position,
            kind=r.kind,
            body=r.body,
            confidentiality=r.confidentiality,
            section=r.section,
            speaker_id=r.speaker_id,
            version=r.version,
        )
        for r in item.revisions
    }
    kept.setdefault(item.version, item_facts(item))
    return [kept[v] for v in sorted(kept)]


def _version(
    notes: Notes, facts: ItemFacts, person_id: int, audience: Audience, saved: Any
) -> dict[str, Any] | None:
    one = replace(notes, items=[facts])
    spoke = facts.speaker_id == person_id
    visible = facts.confidentiality.visible_to(audience)
    if not visible and not spoke:
        return None
    named = people_mentions(db.session).people_in_all([facts.body, facts.section])
    if visible or named - {person_id}:
        shown = as_named(one, person_id, facts.id, audience)
    else:
        whole = disclose(one, Audience.FACILITATOR, keep=False).items
        shown = whole[0] if whole else None
    record: dict[str, Any] = {
        "version": facts.version,
        "saved_at": saved,
        "you_spoke": spoke,
        "kind": facts.kind.value,
    }
    if spoke:
        record["confidentiality"] = facts.confidentiality.value
    texts = [shown.section, shown.body_text, shown.attribution or ""] if shown is not None else []
    if shown is None or names_others(one, texts, person_id, audience):
        record.update(section=None, text=None, credited_as=None, held=True)
    else:
        record.update(
            section=shown.section, text=shown.body_text, credited_as=shown.attribution, held=False
        )
    return record


def subject_items(person: Person, member: Member | None) -> list[dict[str, Any]]:
    """The person's items, by meeting and position, as the module docstring says."""
    ids = item_ids(person)
    if not ids:
        return []
    items = db.session.scalars(
        sa.select(Item)
        .where(Item.id.in_(sorted(ids)))
        .options(
            selectinload(Item.revisions), selectinload(Item.meeting).joinedload(Meeting.series)
        )
        .order_by(Item.meeting_id, Item.position, Item.id)
    ).all()
    by_meeting: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        by_meeting[item.meeting_id].append(item)
    found = []
    for meeting_items in by_meeting.values():
        meeting = meeting_items[0].meeting
        audience = audience_for(member, meeting.series)
        notes = load_notes(meeting)
        saved = {}
        for item in meeting_items:
            saved = {r.version: r.created_at for r in item.revisions}
            versions = [
                v
                for facts in _versions(item)
                if (v := _version(notes, facts, person.id, audience, saved.get(facts.version)))
                is not None
            ]
            if not versions:
                continue
            found.append(
                {
                    "id": item.id,
                    "series": meeting.series.title,
                    "meeting": meeting.number,
                    "meeting_title": meeting.title,
                    "meeting_date": meeting.date,
                    "shown_as": audience.value,
                    "versions": versions,
                }
            )
    return found
