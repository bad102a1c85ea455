"""Published write-ups stay clean, or are withheld, in the transaction of
whatever changed under them.

What the public reads of a write-up is its snapshot under the current people
and consents, so a change elsewhere can change it: a consent granted or
withdrawn, a person's name, affiliation, descriptor or email, a new person
whose name the snapshot holds, an item of the meeting edited, made
confidential, deleted or purged, the meeting's details. Session hooks note
such changes as they are flushed (whatever made them: a page, the API, a
command, an import), and before the transaction commits every published
write-up they bear on is rendered again and put through the leak check:

- a change to a person or their consent: the snapshots recorded as naming
  or crediting them (``writeup_snapshot_people``), not every write-up;
- a new or renamed person: every snapshot's text is scanned once for them
  (``Mentions``) and those naming them are recorded and checked;
- a change to a meeting or its items: that meeting's write-up.

If a finding stands un-overridden (or a renamed or deleted person's former
name, which no rule knows any more, is still in the public text), the
write-up is withheld: ``published_writeup`` answers None for it on every
channel, its search document is removed, facilitators are emailed after the
commit, and the audit log records ``writeup.withhold``. Only publishing it
again lifts that."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session, UOWTransaction

from notesbase import audit
from notesbase.disclosure import Audience, Level, PersonFacts
from notesbase.disclosure.consent import released_levels
from notesbase.disclosure.mentions import Mentions
from notesbase.models import (
    Consent,
    IndexOutbox,
    Item,
    Meeting,
    Member,
    Person,
    Role,
    Writeup,
    WriteupSnapshot,
    WriteupSnapshotItem,
    utcnow,
    writeup_snapshot_people,
)
from notesbase.notes import items as item_service
from notesbase.notes.facts import load_notes, person_facts
from notesbase.publishing.circulation import mail, mail_headers, mail_settings
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups.public import CHANNEL, public_writeup, serving_snapshot
from notesbase.publishing.writeups.snapshot import drop_superseded, record_people

log = logging.getLogger(__name__)

_PENDING = "writeup_guard_pending"
_AFTER_COMMIT = "writeup_guard_after_commit"
_NAMING = ("name", "affiliation", "descriptor", "email")


@dataclass
class Pending:
    """What this transaction changed that may alter a published write-up."""

    people: set[int] = field(default_factory=set)
    meetings: set[int] = field(default_factory=set)
    scan: dict[int, PersonFacts] = field(default_factory=dict)
    former: dict[int, PersonFacts] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.people or self.meetings or self.scan or self.former)


@dataclass
class AfterCommit:
    """Work for after the commit: index targets and facilitators' emails."""

    index: set[int] = field(default_factory=set)
    notices: list[EmailMessage] = field(default_factory=list)


def pending(session: Session) -> Pending:
    return session.info.setdefault(_PENDING, Pending())


def _old_facts(person: Person) -> PersonFacts | None:
    """What ``person`` was called before this flush's change; None when
    none of the fields that identify them changed."""
    state = sa.inspect(person)
    history = {name: state.attrs[name].history for name in _NAMING}
    if not any(h.deleted for h in history.values()):
        return None
    old = {name: (h.deleted or [getattr(person, name)])[0] for name, h in history.items()}
    return PersonFacts(
        person.id,
        old["name"] or "",
        old["affiliation"] or "",
        old["descriptor"] or "",
        old["email"],
    )


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    # A deleted person's snapshot records go with them (ON DELETE CASCADE):
    # the write-ups naming them are found now, by what they were called.
    deleted = [obj for obj in session.deleted if isinstance(obj, Person) and obj.id]
    if not deleted:
        return
    with session.no_autoflush:
        meetings = _meetings_naming(session, {person.id for person in deleted})
    work = pending(session)
    work.meetings |= meetings
    for person in deleted:
        work.former[person.id] = person_facts(person)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    work = pending(session)
    changed = [*session.new, *(o for o in session.dirty if session.is_modified(o))]
    for obj in [*changed, *session.deleted]:
        if isinstance(obj, Consent) and obj.person_id is not None:
            work.people.add(obj.person_id)
        elif isinstance(obj, Item) and obj.meeting_id is not None:
            work.meetings.add(obj.meeting_id)
        elif isinstance(obj, Meeting) and obj.id is not None and obj not in session.new:
            work.meetings.add(obj.id)
        elif isinstance(obj, Person) and obj.id is not None and obj not in session.deleted:
            if obj in session.new:
                work.scan[obj.id] = person_facts(obj)
                continue
            old = _old_facts(obj)
            if old is not None:
                work.people.add(obj.id)
                work.scan[obj.id] = person_facts(obj)
                work.former.setdefault(obj.id, old)
    if not work:
        session.info.pop(_PENDING, None)


def _item_text_removed(_sender: object, item_id: int, **_kw: object) -> None:
    """An item's text was deleted or purged: a snapshot keeping an earlier
    version of it loses it too."""
    from notesbase.db import db

    pending(db.session).meetings |= drop_superseded(db.session, item_id)


def _before_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a SAVEPOINT: the real commit comes later
    work = session.info.pop(_PENDING, None)
    if not work:
        return
    recheck(session, work)


def _meetings_naming(session: Session, people: set[int]) -> set[int]:
    rows = session.scalars(
        sa.select(Writeup.meeting_id)
        .join(WriteupSnapshot, WriteupSnapshot.writeup_id == Writeup.id)
        .join(
            writeup_snapshot_people,
            writeup_snapshot_people.c.snapshot_id == WriteupSnapshot.id,
        )
        .where(writeup_snapshot_people.c.person_id.in_(sorted(people)))
    )
    return set(rows)


def _scan(session: Session, people: dict[int, PersonFacts]) -> set[int]:
    """Meetings whose published snapshot names one of ``people`` (new, or
    called something new), recording that it does."""
    mentions = Mentions(people.values())
    texts: dict[int, list[str]] = {}
    for snapshot_id, summary in session.execute(
        sa.select(WriteupSnapshot.id, WriteupSnapshot.summary)
    ):
        texts[snapshot_id] = [summary]
    rows = sa.select(
        WriteupSnapshotItem.snapshot_id, WriteupSnapshotItem.section, WriteupSnapshotItem.body
    )
    for snapshot_id, section, body in session.execute(rows):
        texts.setdefault(snapshot_id, []).extend((section, body))
    meetings: set[int] = set()
    for snapshot_id, parts in texts.items():
        found = set(mentions.people_in_all(parts))
        if found:
            snapshot = session.get(WriteupSnapshot, snapshot_id)
            if snapshot is not None:
                record_people(snapshot, found)
                meetings.add(snapshot.writeup.meeting_id)
    return meetings


def recheck(session: Session, work: Pending) -> None:
    """Render and check every published write-up ``work`` bears on;
    withhold those a finding stands against (see the module docstring)."""
    meetings = set(work.meetings)
    if work.people:
        meetings |= _meetings_naming(session, work.people)
    if work.scan:
        meetings |= _scan(session, work.scan)
    if not meetings:
        return
    writeups = session.scalars(
        sa.select(Writeup)
        .join(WriteupSnapshot, WriteupSnapshot.writeup_id == Writeup.id)
        .where(Writeup.meeting_id.in_(sorted(meetings)), Writeup.published_at.is_not(None))
        .order_by(Writeup.meeting_id)
    ).all()
    after = session.info.setdefault(_AFTER_COMMIT, AfterCommit())
    for writeup in writeups:
        standing = _standing(writeup, work.former)
        if standing and not writeup.withheld:
            withhold(session, writeup, standing, after)
            # Its search document goes. A re-rendering that stays public is
            # redone by the outbox rows of the change itself (the person's or
            # the item's), and search re-checks every hit's text meanwhile.
            after.index.add(writeup.meeting_id)
    for meeting_id in sorted(after.index):
        session.add(IndexOutbox(target="writeup", target_id=meeting_id, created_at=utcnow()))


def _standing(writeup: Writeup, former: dict[int, PersonFacts]) -> int:
    """How many findings stand against the public rendering of ``writeup``."""
    meeting = writeup.meeting
    with serving_snapshot():
        report = leakcheck.check(meeting, CHANNEL)
        count = len(report.blocking)
        if former:
            count += _former_names(meeting, writeup, former)
    return count


def _former_names(meeting: Meeting, writeup: Writeup, former: dict[int, PersonFacts]) -> int:
    """How many renamed or deleted people are still named in the public
    text by what they were called, where they have not released it."""
    levels = released_levels(load_notes(meeting, []), Audience.PUBLIC)
    withheld: list[PersonFacts] = []
    for person_id, old in former.items():
        level = levels.get(person_id, Level.ANONYMOUS)
        if level is Level.NAMED:
            continue
        keep_affiliation = level is Level.AFFILIATION
        keep_descriptor = level in (Level.AFFILIATION, Level.DESCRIPTOR)
        withheld.append(
            replace(
                old,
                affiliation="" if keep_affiliation else old.affiliation,
                descriptor="" if keep_descriptor else old.descriptor,
            )
        )
    if not withheld:
        return 0
    public = public_writeup(meeting, writeup)
    texts = [public.title, public.text(), *(item.body_html for item in public.items)]
    return len(Mentions(withheld).people_in_all(texts))


def withhold(session: Session, writeup: Writeup, standing: int, after: AfterCommit) -> None:
    """Take ``writeup`` out of public view until it is published again."""
    snapshot = writeup.snapshot
    assert snapshot is not None
    snapshot.withheld_at = utcnow()
    snapshot.withheld_findings = standing
    meeting = writeup.meeting
    audit.record(
        "writeup.withhold",
        "writeup",
        writeup.id,
        actor=None,
        actor_label="leak check",
        meeting_id=meeting.id,
        version=writeup.version,
        findings=standing,
    )
    after.notices.extend(_notices(session, meeting, standing))


def _notices(session: Session, meeting: Meeting, standing: int) -> list[EmailMessage]:
    """One email per active facilitator: which write-up, how many findings,
    where to fix it. Never the words found."""
    if not has_app_context():
        return []
    from notesbase import site

    facilitators = session.scalars(
        sa.select(Member)
        .where(Member.active.is_(True), Member.role.in_([Role.FACILITATOR, Role.ADMIN]))
        .order_by(Member.id)
    ).all()
    settings = mail_settings.settings_for(current_app)
    path = f"/series/{meeting.series.slug}/meetings/{meeting.number}/writeup/edit"
    address = site.known_base_url()
    link = (address.rstrip("/") + path) if address else path
    subject = mail_headers.safe_header_text(
        f"Withheld: the write-up of meeting {meeting.number}: {meeting.title}"
    )
    body = (
        f"The public write-up of meeting {meeting.number} of {meeting.series.title} has been "
        f"withheld from the public.\n\nSomething changed after it was published (a consent, a "
        f"person's details, or the notes), and the leak check now finds {standing} thing"
        f"{'' if standing == 1 else 's'} in it the public may not see. Its public page, feed "
        f"entry, search result and API answer are gone until it is fixed and published "
        f"again.\n\nSee why, fix it and publish it again: {link}\n"
    )
    messages = []
    for member in facilitators:
        message = EmailMessage()
        try:
            sender = mail_headers.address_header("From", *parseaddr(settings.sender))
            mail_headers.put_header(message, "From", sender)
            mail_headers.put_header(
                message, "To", mail_headers.address_header("To", None, member.email)
            )
        except ValueError:
            log.warning("member %s cannot be emailed about a withheld write-up", member.id)
            continue
        mail_headers.put_header(message, "Subject", mail_headers.text_header("Subject", subject))
        message.set_content(body)
        messages.append(message)
    return messages


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return
    after = session.info.pop(_AFTER_COMMIT, None)
    if after is None or not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if after.index and app.config.get("SEARCH_APPLY_ON_COMMIT", True):
        from notesbase.search.indexer import apply_after_commit

        apply_after_commit(app)
    if after.notices:
        settings = mail_settings.settings_for(app)
        if settings.smtp_host:
            # Never keep the request waiting on a mail server.
            threading.Thread(
                target=send_notices, args=(settings, after.notices), daemon=True
            ).start()
        else:
            send_notices(settings, after.notices)


def send_notices(settings: mail_settings.MailSettings, messages: list[EmailMessage]) -> None:
    """Send the facilitators' notices; a failure is logged, never raised
    (the withholding stands, and the write-up page says why)."""
    try:
        with mail.connect(settings) as transport:
            for message in messages:
                transport.send(message)
    except mail.MailError as error:
        log.warning("a write-up withholding notice was not sent: %s", error.reason)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_AFTER_COMMIT, None)


_installed = False


def install() -> None:
    """Listen on every session (once per process)."""
    global _installed
    if _installed:
        return
    sa.event.listen(Session, "before_flush", _before_flush)
    sa.event.listen(Session, "after_flush", _after_flush)
    sa.event.listen(Session, "before_commit", _before_commit)
    sa.event.listen(Session, "after_commit", _after_commit)
    sa.event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
    item_service.text_removed.connect(_item_text_removed)
    _installed = True
