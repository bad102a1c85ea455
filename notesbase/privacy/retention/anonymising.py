"""Anonymising a meeting's notes: nothing links the people recorded in it
to what was said. The speakers are unlinked from every item (and from the
published copies), their names, affiliations, descriptors and emails are
taken out of the current text and headings (``privacy.rewrite``), the
meeting's own consents and its reviewers go, and earlier versions are
purged (``work.finish``). Where a text cannot be rewritten safely, the
item becomes confidential (fail closed) and the run says so. The people
themselves stay: they may be recorded in other meetings."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Confidentiality, PersonFacts
from notesbase.models import (
    Consent,
    ItemRevision,
    Person,
    Reviewer,
    ReviewRound,
    item_mentions,
    writeup_snapshot_people,
)
from notesbase.notes.facts import person_facts
from notesbase.privacy.retention.work import Work, change_item, snapshot_rows
from notesbase.privacy.rewrite import Rewritten, rewriter


def people_recorded(work: Work) -> list[PersonFacts]:
    """The speakers of the meeting's items (now or in any version) and
    everyone its items name (``item_mentions``)."""
    ids = work.item_ids()
    if not ids:
        return []
    speakers = {item.speaker_id for item in work.items if item.speaker_id is not None}
    speakers |= set(
        db.session.scalars(
            sa.select(ItemRevision.speaker_id).where(
                ItemRevision.item_id.in_(ids), ItemRevision.speaker_id.is_not(None)
            )
        )
    )
    named = set(
        db.session.scalars(
            sa.select(item_mentions.c.person_id).where(item_mentions.c.item_id.in_(ids))
        )
    )
    people = db.session.scalars(sa.select(Person).where(Person.id.in_(speakers | named)))
    return [person_facts(person) for person in people]


def anonymise(work: Work) -> None:
    people = people_recorded(work)
    rewrite = rewriter(people)
    for item in work.items:
        fields: dict[str, object] = {}
        if item.speaker_id is not None:
            fields["speaker_id"] = None
            work.counts["speakers_unlinked"] += 1
        body = rewrite(item.body)
        section = rewrite(item.section)
        if body.changed:
            fields["body"] = body.text
        if section.changed:
            fields["section"] = section.text
        if body.changed or section.changed:
            work.counts["texts_rewritten"] += 1
        if not (body.complete and section.complete):
            if item.confidentiality is not Confidentiality.CONFIDENTIAL:
                fields["confidentiality"] = Confidentiality.CONFIDENTIAL
            work.notes.append(
                f"item {item.id}: the people could not be taken out of its text safely;"
                " it is now confidential"
            )
        if not fields:
            continue
        if work.dry_run:
            work.rewritten[item.id] = item
        else:
            change_item(work, item, **fields)
    _published_copies(work, people, rewrite)
    _meeting_consents(work)
    _reviewers(work)


def _published_copies(
    work: Work, people: list[PersonFacts], rewrite: Callable[[str], Rewritten]
) -> None:
    rows = snapshot_rows(work)
    for row in rows:
        body, section = rewrite(row.body), rewrite(row.section)
        if work.dry_run:
            continue
        row.speaker_id = None
        row.body, row.section = body.text, section.text
        if not (body.complete and section.complete):
            row.confidentiality = Confidentiality.CONFIDENTIAL
    if rows and people and not work.dry_run:
        db.session.execute(
            sa.delete(writeup_snapshot_people).where(
                writeup_snapshot_people.c.snapshot_id.in_({row.snapshot_id for row in rows}),
                writeup_snapshot_people.c.person_id.in_([p.id for p in people]),
            )
        )


def _meeting_consents(work: Work) -> None:
    found = db.session.scalar(
        sa.select(sa.func.count(Consent.id)).where(Consent.meeting_id == work.meeting.id)
    )
    work.counts["consents_removed"] += int(found or 0)
    if found and not work.dry_run:
        db.session.execute(sa.delete(Consent).where(Consent.meeting_id == work.meeting.id))


def _reviewers(work: Work) -> None:
    rounds = sa.select(ReviewRound.id).where(ReviewRound.meeting_id == work.meeting.id)
    found = db.session.scalar(
        sa.select(sa.func.count(Reviewer.id)).where(Reviewer.round_id.in_(rounds))
    )
    work.counts["reviewers_removed"] += int(found or 0)
    if found and not work.dry_run:
        db.session.execute(sa.delete(Reviewer).where(Reviewer.round_id.in_(rounds)))
