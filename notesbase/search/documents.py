"""What goes into the index, made only from what ``disclose`` gives each
audience: no raw bodies, no speaker ids, no authors.

Documents per meeting:
- one per item and distinct audience view (members and facilitators; when
  both see the same text, one document lists both audiences). The public
  reads no notes, only write-ups, so items have no public document;
- one for the meeting's own public fields (title, theme, description), as
  the public reads them;
- one for its published write-up, if any, as the public reads it (its
  text comes from the source publishing registers: ``sources``)."""

from __future__ import annotations

import hashlib
import html
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import nh3
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session, selectinload

from notesbase.db import db
from notesbase.disclosure import (
    Audience,
    DisclosedItem,
    Grant,
    Notes,
    PersonFacts,
    disclose,
)
from notesbase.disclosure.consent import deciding_audiences
from notesbase.disclosure.meeting_fields import meeting_fields
from notesbase.markdown import render_markdown
from notesbase.models import Consent, Item, Meeting
from notesbase.notes.facts import active_grants, grants_reaching, item_facts, people_facts
from notesbase.search.engine import Document
from notesbase.search.naming import chunks
from notesbase.search.sources import doctypes, public_text

log = logging.getLogger(__name__)

ITEM_AUDIENCES = (Audience.MEMBER, Audience.FACILITATOR)
PUBLIC_AUDIENCES = ("public", "member", "facilitator")


def fingerprint(*parts: str) -> str:
    """Identifies a text: a document whose fingerprint differs from the one
    computed now is stale and is not shown."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8"))
    return digest.hexdigest()[:32]


def item_text(item: DisclosedItem) -> str:
    return "\n".join(part for part in (item.section, item.body_text, item.attribution) if part)


def markdown_text(text: str) -> str:
    return " ".join(html.unescape(nh3.clean(str(render_markdown(text or "")), tags=set())).split())


def meeting_text(meeting: Meeting) -> str:
    """The meeting's theme and description as the public reads them (spans
    cut, unreadable redactions hidden): one document serves every audience,
    so it holds only what all of them may see."""
    shown = meeting_fields(
        meeting.theme or "", meeting.speakers or "", meeting.description or "", Audience.PUBLIC
    )
    description = " ".join(shown.description_text.split())
    return "\n".join(part for part in (shown.theme_text, description) if part)


@dataclass(frozen=True)
class Facts:
    """People and active grants, read once and shared by many meetings."""

    people: tuple[PersonFacts, ...]
    grants: tuple[Grant, ...]

    @classmethod
    def load(cls, session: Session) -> Facts:
        """Everyone, and every active grant."""
        return cls(people_facts(session), active_grants(session))

    @classmethod
    def for_views(
        cls, session: Session, meetings: Sequence[Meeting], audiences: Iterable[Audience]
    ) -> Facts:
        """Everyone, and only the active grants that bear on these meetings
        as ``audiences`` see them (a search re-checks a handful of meetings,
        as one reader; facilitators need no grants at all)."""
        wanted = sorted({whose for a in audiences for whose in deciding_audiences(a)})
        return cls(people_facts(session), grants_reaching(session, meetings, wanted))

    def notes(self, meeting: Meeting, items: Sequence[Item]) -> Notes:
        grants = tuple(
            grant
            for grant in self.grants
            if (grant.series_id is None and grant.meeting_id is None)
            or grant.series_id == meeting.series_id
            or grant.meeting_id == meeting.id
        )
        return Notes(
            series_id=meeting.series_id,
            meeting_id=meeting.id,
            items=[item_facts(item) for item in items],
            people=self.people,
            grants=grants,
        )


def disclosed_items(
    facts: Facts, meeting: Meeting, items: Sequence[Item], audience: Audience
) -> dict[int, DisclosedItem]:
    """``items`` of ``meeting`` as ``audience`` sees them now, by id (an
    item the audience may not see is absent)."""
    if not items:
        return {}
    view = disclose(facts.notes(meeting, items), audience)
    return {item.id: item for item in view.items}


def warm_rechecks(app: Flask) -> int:
    """``warm_disclosure`` for members and the public, in a new server
    process before its first request. Never keeps a worker from starting:
    a failure is logged, and the first re-check builds what it needs."""
    with app.app_context():
        try:
            return warm_disclosure(db.session, (Audience.MEMBER, Audience.PUBLIC))
        except Exception:
            log.warning("could not prepare the search re-check ahead of requests", exc_info=True)
            return 0


def warm_disclosure(session: Session, audiences: Sequence[Audience], most: int = 16) -> int:
    """For a new server process, before its first request: build the
    disclosure rule's matchers a search re-check needs (``disclose`` keeps
    them while the people and their levels stay the same) for the
    ``most`` series met last, as each of ``audiences`` sees them; returns
    how many views were made. A meeting with grants of its own has levels
    of its own, so each series is warmed through its last one without."""
    own = sa.select(Consent.meeting_id).where(Consent.meeting_id.is_not(None))
    last = (
        sa.select(sa.func.max(Meeting.id))
        .where(Meeting.id.not_in(own))
        .group_by(Meeting.series_id)
        .order_by(sa.func.max(Meeting.date).desc())
        .limit(most)
    )
    meetings = list(session.scalars(sa.select(Meeting).where(Meeting.id.in_(last))))
    if not meetings:
        return 0
    facts = Facts.for_views(session, meetings, audiences)
    for meeting in meetings:
        for audience in audiences:
            disclose(facts.notes(meeting, []), audience)
    return len(meetings) * len(audiences)


def disclosed_across(
    facts: Facts, meetings: dict[int, Meeting], items: Sequence[Item], audience: Audience
) -> dict[int, DisclosedItem]:
    """Items of several meetings as ``audience`` sees them now, by id.
    ``disclose`` reads a meeting only for the consent levels, and meetings of
    one series that no meeting's own grant reaches have the same levels: their
    items are disclosed together, one ``disclose`` per series instead of one
    per meeting (a page of search hits spans ten meetings)."""
    own_grants = {grant.meeting_id for grant in facts.grants if grant.meeting_id is not None}
    groups: dict[tuple[int, int | None], list[Item]] = {}
    for item in items:
        meeting = meetings[item.meeting_id]
        alone = meeting.id if meeting.id in own_grants else None
        groups.setdefault((meeting.series_id, alone), []).append(item)
    found: dict[int, DisclosedItem] = {}
    for group in groups.values():
        found.update(disclosed_items(facts, meetings[group[0].meeting_id], group, audience))
    return found


class Builder:
    """Turns current rows into documents."""

    def __init__(self, session: Session, meeting_ids: Iterable[int] | None = None) -> None:
        """With ``meeting_ids``, only the documents of those meetings will be
        made, and only the grants that bear on them are read."""
        self.session = session
        self.meeting_ids = None if meeting_ids is None else sorted(set(meeting_ids))

    @cached_property
    def facts(self) -> Facts:
        if self.meeting_ids is None:
            return Facts.load(self.session)
        return Facts.for_views(self.session, list(self.meetings(self.meeting_ids)), ITEM_AUDIENCES)

    def _base(self, meeting: Meeting) -> dict[str, object]:
        return {
            "series": meeting.series_id,
            "meeting": meeting.id,
            "number": meeting.number,
            "day": meeting.date.toordinal(),
            "topics": tuple(topic.slug for topic in meeting.topics),
        }

    def item_documents(self, meeting: Meeting, items: Sequence[Item]) -> list[Document]:
        views = {
            audience: disclosed_items(self.facts, meeting, items, audience)
            for audience in ITEM_AUDIENCES
        }
        documents: list[Document] = []
        base = self._base(meeting)
        for item in items:
            texts: dict[str, list[str]] = defaultdict(list)
            shown: dict[str, DisclosedItem] = {}
            for audience in ITEM_AUDIENCES:
                disclosed = views[audience].get(item.id)
                if disclosed is not None:
                    text = item_text(disclosed)
                    texts[text].append(audience.value)
                    shown[text] = disclosed
            for text, audiences in texts.items():
                documents.append(
                    Document(
                        doc_id=f"item:{item.id}:{'+'.join(audiences)}",
                        key=f"item:{item.id}",
                        doctype="item",
                        target=item.id,
                        audiences=tuple(audiences),
                        kind=shown[text].kind.value,
                        version=item.version,
                        fingerprint=fingerprint(text),
                        title=meeting.title,
                        text=text,
                        **base,  # type: ignore[arg-type]
                    )
                )
        return documents

    def meeting_document(self, meeting: Meeting) -> Document:
        text = meeting_text(meeting)
        return Document(
            doc_id=f"meeting:{meeting.id}",
            key=f"meeting:{meeting.id}",
            doctype="meeting",
            target=meeting.id,
            audiences=PUBLIC_AUDIENCES,
            kind="meeting",
            version=0,
            fingerprint=fingerprint(meeting.title, text),
            title=meeting.title,
            text=text,
            **self._base(meeting),  # type: ignore[arg-type]
        )

    def source_document(self, meeting: Meeting, doctype: str) -> Document | None:
        """The meeting's public document of ``doctype`` from the source a
        feature registered (the published write-up), if the public reads one."""
        published = public_text(doctype, meeting)
        if published is None:
            return None
        title, text = published
        return Document(
            doc_id=f"{doctype}:{meeting.id}",
            key=f"{doctype}:{meeting.id}",
            doctype=doctype,
            target=meeting.id,
            audiences=PUBLIC_AUDIENCES,
            kind=doctype,
            version=0,
            fingerprint=fingerprint(title, text),
            title=title,
            text=text,
            **self._base(meeting),  # type: ignore[arg-type]
        )

    def meeting_documents(self, meeting: Meeting) -> list[Document]:
        """Everything the index holds for one meeting."""
        items = self.session.scalars(
            sa.select(Item).where(Item.meeting_id == meeting.id).order_by(Item.position, Item.id)
        ).all()
        documents = self.item_documents(meeting, items)
        documents.append(self.meeting_document(meeting))
        for doctype in doctypes():
            published = self.source_document(meeting, doctype)
            if published is not None:
                documents.append(published)
        return documents

    def meetings(self, ids: Iterable[int] | None = None) -> Iterator[Meeting]:
        statement = sa.select(Meeting).options(selectinload(Meeting.topics)).order_by(Meeting.id)
        if ids is None:
            yield from self.session.scalars(statement)
            return
        for some in chunks(set(ids)):
            yield from self.session.scalars(statement.where(Meeting.id.in_(some)))

    def all_documents(self) -> Iterator[tuple[int, list[Document]]]:
        """(number of meetings, documents of one meeting) for every meeting."""
        meetings = list(self.meetings())
        for meeting in meetings:
            yield len(meetings), self.meeting_documents(meeting)
