"""Forgetting a person: ``forget`` makes every change in the database in
the caller's transaction (it flushes, never commits) and says what it did;
``erase`` is the whole of it for a page or a command: the database, the
commit, then the files (``files``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app

from notesbase import audit
from notesbase.db import db
from notesbase.models import Item, Member, Person, utcnow
from notesbase.models.search import request_purge
from notesbase.notes.facts import person_facts
from notesbase.privacy.erasure import files, items, records
from notesbase.privacy.erasure.plan import Choice, ErasureError, PlannedItem, plan

# What no erasure can reach, said in every result.
EMAILED = "Copies of emails already sent (circulated notes, review links) cannot be recalled."
EXPORTS = (
    "Exports written to a file of your choosing (`notesbase export ... --output`) are not"
    " tracked: delete any you keep."
)


@dataclass
class Result:
    """What an erasure did (or, on a dry run, would do)."""

    person_id: int
    dry_run: bool
    at: datetime
    items: list[PlannedItem]
    # Items whose text could not be cleared in place: made confidential.
    made_confidential: list[int] = field(default_factory=list)
    rows: Counter[str] = field(default_factory=Counter)
    audit_events: int = 0
    kept_answers: int = 0
    outbox: list[str] = field(default_factory=list)
    member_erased: bool = False
    backups: list[files.Backup] = field(default_factory=list)
    not_erasable: tuple[str, ...] = (EMAILED, EXPORTS)

    def count(self, choice: Choice) -> int:
        return sum(1 for i in self.items if i.choice == choice)


def find_person(reference: str | int) -> Person:
    """The person by id or email, or a 404 that says they may be gone."""
    text = str(reference).strip()
    person = None
    if text.isascii() and text.isdigit() and len(text) < 12:
        person = db.session.get(Person, int(text))
    elif "@" in text:
        query = sa.select(Person).where(sa.func.lower(Person.email) == text.lower())
        matches = db.session.scalars(query).all()
        person = matches[0] if len(matches) == 1 else None
    if person is None:
        raise ErasureError(
            404,
            f"There is no person {text[:80]!r}: they may have been erased already"
            " (the audit log records each erasure).",
            "person",
        )
    return person


def forget(
    person: Person,
    default: Choice = Choice.ANONYMISE,
    overrides: Mapping[int, Choice] | None = None,
    *,
    actor: Member | None,
    dry_run: bool = False,
) -> Result:
    """Forget ``person`` everywhere in the database; see ``Result``."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    facts = person_facts(person)
    member = person.member
    now = utcnow()
    result = Result(person.id, dry_run, now, plan(person, facts, default, overrides))
    result.outbox = files.outbox_carrying(app, facts)
    result.backups = files.backups_before(now, int(app.config.get("BACKUP_KEEP_DAYS", 35)))
    result.member_erased = member is not None
    if dry_run:
        return result
    for planned in result.items:
        item = db.session.get(Item, planned.item_id)
        assert item is not None
        if planned.choice is Choice.REMOVE:
            items.remove(item, actor=actor)
        elif not items.anonymise(item, facts, actor=actor):
            result.made_confidential.append(planned.item_id)
    result.rows = records.remove_rows(person, member)
    result.rows.update(records.rewrite_texts(facts))
    result.audit_events = records.rewrite_audit(facts, member)
    result.kept_answers = records.drop_kept_answers(person, facts, member)
    if member is not None:
        records.erase_member(member)
    person.member_id = None
    db.session.delete(person)
    # Old segments of the index keep what they held until rewritten: a
    # purge asks for that, even when no item was touched.
    request_purge(db.session, result.items[0].item_id if result.items else 0)
    audit.record(
        "person.erase",
        "person",
        result.person_id,
        actor=actor,
        removed=result.count(Choice.REMOVE),
        anonymised=result.count(Choice.ANONYMISE),
        made_confidential=len(result.made_confidential),
        rows=sum(result.rows.values()),
        audit_events=result.audit_events,
        outbox=len(result.outbox),
        member=result.member_erased,
    )
    db.session.flush()
    return result


def prepare_files(result: Result) -> None:
    """Before the commit: write down the file work (``files``)."""
    if not result.dry_run:
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        files.write_pending(app, result.person_id, result.outbox)


def finish_files(app: Flask) -> int:
    """After the commit: the outbox, the index's and the database's freed space."""
    return files.finish_pending(app)


def erase(
    person: Person,
    default: Choice = Choice.ANONYMISE,
    overrides: Mapping[int, Choice] | None = None,
    *,
    actor: Member | None,
    dry_run: bool = False,
) -> Result:
    """``forget``, committed, then the files; a dry run changes nothing."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    finish_files(app)
    try:
        result = forget(person, default, overrides, actor=actor, dry_run=dry_run)
        if dry_run:
            db.session.rollback()
            return result
        prepare_files(result)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        finish_files(app)  # the person is still there: the notes are dropped
        raise
    finish_files(app)
    return result
