"""What an erasure does to one item: removes it with every version (as a
purge does, whatever its confidentiality), or keeps the words anonymised:
the speaker unlinked, the text and heading rewritten, every earlier version
rewritten or, where rewriting cannot clear it, purged. Text that cannot be
cleared in place makes the item confidential (fail closed)."""

from __future__ import annotations

import sqlalchemy as sa

from notesbase import audit
from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.disclosure.facts import PersonFacts
from notesbase.models import Item, ItemRevision, Member
from notesbase.models.search import request_purge
from notesbase.notes import items as item_service
from notesbase.privacy.erasure.texts import rewritten

# An item's text when nothing of it could be kept without the person.
TEXT_GONE = "The words of this item were removed when a person was erased."


def remove(item: Item, *, actor: Member | None) -> None:
    """The item and every version of it, for good (the index too)."""
    item_id = item.id
    audit.record(
        "item.purge", "item", item_id, actor=actor, meeting_id=item.meeting_id, version=item.version
    )
    db.session.execute(sa.delete(ItemRevision).where(ItemRevision.item_id == item_id))
    request_purge(db.session, item_id)
    db.session.delete(item)
    db.session.flush()
    item_service.text_removed.send(None, item_id=item_id)


def _rewrite_revisions(item: Item, facts: PersonFacts) -> tuple[int, int]:
    """Rewrite each earlier version; purge those that cannot be cleared.
    Returns (rewritten, purged)."""
    changed = purged = 0
    for revision in list(item.revisions):
        body = rewritten(revision.body, facts)
        section = rewritten(revision.section, facts)
        if not (body.complete and section.complete):
            db.session.delete(revision)
            purged += 1
            continue
        touched = body.changed or section.changed or revision.speaker_id == facts.id
        if touched:
            revision.body = body.text
            revision.section = section.text
            if revision.speaker_id == facts.id:
                revision.speaker_id = None
            changed += 1
    db.session.flush()
    return changed, purged


def anonymise(item: Item, facts: PersonFacts, *, actor: Member | None) -> bool:
    """Keep the words without the person; False when the text could not be
    cleared in place, so the item was made confidential."""
    _rewrite_revisions(item, facts)
    body = rewritten(item.body, facts)
    section = rewritten(item.section, facts)
    complete = body.complete and section.complete
    text = body.text if body.text.strip() else TEXT_GONE
    confidentiality = item.confidentiality if complete else Confidentiality.CONFIDENTIAL
    fields = item_service.ItemFields(
        kind=item.kind,
        body=text,
        section=section.text,
        speaker_id=None if item.speaker_id == facts.id else item.speaker_id,
        confidentiality=confidentiality,
    )
    item_service.update_item(item, fields, actor=actor)
    request_purge(db.session, item.id)
    db.session.expire(item, ["revisions"])
    return complete
