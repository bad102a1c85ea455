"""A search, as one reader.

1. The reader's access (the series they read, as which audience; public
   documents for everyone) is part of the engine query, so counts, facets
   and pages only ever cover what they may see.
2. Every hit is re-checked against the database before it is shown: the
   item still exists at the indexed version, the reader still reads its
   series as one of the document's audiences, and ``disclose`` gives them
   the same text now (a consent withdrawal changes no version but does
   change the text). Snippets are highlighted from the current disclosed
   text, never from anything stored in the index.
3. A stale hit is dropped and its item queued for re-indexing, and the
   search runs again without it, so no total, topic count or page range
   counts a hit the re-check dropped (``_checked``).
4. The review state filter (``review_states.meetings_for``) is a list of meetings the
   engine may find documents of, among the series the reader facilitates:
   like every filter it narrows inside the engine, before counting and
   paging, and never widens what the reader may see."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import replace

import nh3
import sqlalchemy as sa
from flask import Flask, current_app
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from notesbase.access import notes_audience
from notesbase.db import db
from notesbase.disclosure import Audience, DisclosedItem
from notesbase.models import IndexOutbox, Item, Meeting, Member, Series, Topic, utcnow
from notesbase.search import backlog, indexer, retries, review_states
from notesbase.search.documents import (
    Facts,
    disclosed_across,
    fingerprint,
    item_text,
    meeting_text,
)
from notesbase.search.engine import Access, EngineResults, IndexUnavailable, StoredDoc
from notesbase.search.naming import like_pattern
from notesbase.search.query import Filters, QueryError, parse
from notesbase.search.request import SearchRequest
from notesbase.search.results import (
    CATCHING_UP,
    MAX_PAGE,
    PER_PAGE,
    Hit,
    SearchPage,
    SearchUnavailable,
)
from notesbase.search.sources import public_text

SNIPPET_CHARS = 240
# Runs of a search whose re-check drops hits before it answers with
# counts taken off by hand (``_checked``).
MAX_RECHECKS = 3


def reader_access(member: Member | None) -> tuple[Access, dict[int, Audience]]:
    """The series ``member`` reads and as which audience (the one place
    that decides, ``notes_audience``, asked for each series)."""
    audiences: dict[int, Audience] = {}
    if member is not None and member.active:
        for series in db.session.scalars(sa.select(Series)):
            audience = notes_audience(member, series)
            if audience is not None:
                audiences[series.id] = audience
    access = Access(tuple((sid, audience.value) for sid, audience in sorted(audiences.items())))
    return access, audiences


def resolve_filters(filters: Filters, access: Access) -> Filters:
    """Series are named by slug in URLs and by id in the index; review
    states become the meetings in them (``review_states.meetings_for``)."""
    if filters.series:
        ids = db.session.scalars(sa.select(Series.id).where(Series.slug.in_(filters.series))).all()
        # An unknown slug matches nothing rather than everything.
        filters = replace(filters, series=tuple(str(i) for i in ids) or ("0",))
    if filters.review:
        filters = replace(filters, meetings=review_states.meetings_for(filters.review, access))
    return filters


def review_offered(member: Member | None) -> dict[str, str]:
    """The review states the search form offers ``member``: none unless
    they facilitate a series."""
    access, _audiences = reader_access(member)
    if not review_states.facilitated(access) or not review_states.available():
        return {}
    return review_states.STATES


def search(
    member: Member | None,
    text: str,
    filters: Filters | None = None,
    *,
    page: int = 1,
    by_date: bool = False,
    per_page: int = PER_PAGE,
) -> SearchPage:
    """Run a search as ``member`` (None: the public). Raises ``QueryError``
    with a message for the reader, or ``SearchUnavailable``. The total,
    topic counts and pages never count a document the re-check dropped
    (``_checked``), and "There are only N pages" is decided after it."""
    parsed = parse(text, filters)
    if parsed.empty:
        raise QueryError("Type a word or two to search for, or choose a topic.")
    page = max(1, min(page, MAX_PAGE))
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    access, audiences = reader_access(member)
    parsed = replace(parsed, filters=resolve_filters(parsed.filters, access))
    waiting = _catch_up(app)
    engine = indexer.engine_for(app)
    request = SearchRequest(
        parsed,
        access,
        page=page,
        per_page=per_page,
        by_date=by_date,
        stale_keys=frozenset(waiting[0]),
        stale_scopes=frozenset(waiting[1]),
    )

    def run(asked: SearchRequest) -> EngineResults:
        try:
            return engine.search(asked)
        except IndexUnavailable:
            if not indexer.repair(app):
                raise SearchUnavailable() from None
            return engine.search(asked)

    results, hits = _checked(run, request, audiences)
    result = SearchPage(
        text=text, parsed=parsed, total=results.total, page=page, per_page=per_page, by_date=by_date
    )
    if result.total and result.page > result.pages:
        raise QueryError(f"There are only {result.pages} pages of results.")
    result.hits = hits
    result.topic_counts = _topics(results.topic_counts)
    return result


def _last_page(total: int, per_page: int) -> int:
    return max(1, min(MAX_PAGE, math.ceil(total / per_page)))


def _checked(
    run: Callable[[SearchRequest], EngineResults],
    request: SearchRequest,
    audiences: dict[int, Audience],
) -> tuple[EngineResults, list[Hit]]:
    """The engine's answer for ``request`` and its hits that pass the
    re-check, such that the total, the topic counts and the pages count no
    document the re-check dropped: each dropped document is left out (by
    its key) and the query runs again, until the hits pass whole.

    A page past the last has no hits to check, yet its answer ("only N
    pages") is a count: every hit up to the last page is re-checked then,
    so N counts only hits that pass. After ``MAX_RECHECKS`` runs that still
    drop hits, the last ones dropped are taken off the counts by hand (fail
    closed: a count may then miss a document, never include a dropped one)."""
    for _ in range(MAX_RECHECKS):
        results = run(request)
        last = _last_page(results.total, request.per_page)
        past_the_end = results.total > 0 and request.page > last
        if past_the_end:
            results = run(replace(request, page=1, per_page=last * request.per_page))
        hits, stale = _recheck(results, audiences)
        if not stale:
            return results, [] if past_the_end else hits
        request = replace(request, stale_keys=request.stale_keys | {doc.key for doc in stale})
    return _without(results, stale), [] if past_the_end else hits


def _without(results: EngineResults, stale: list[StoredDoc]) -> EngineResults:
    """``results`` with ``stale`` documents taken off the page and counts."""
    counts = dict(results.topic_counts)
    for doc in stale:
        for topic in doc.topics:
            counts[topic] = counts.get(topic, 0) - 1
    return EngineResults(
        total=max(0, results.total - len(stale)),
        docs=[doc for doc in results.docs if doc not in stale],
        topic_counts={topic: count for topic, count in counts.items() if count > 0},
        terms=results.terms,
    )


def _catch_up(app: Flask) -> tuple[set[str], set[str]]:
    """The next search sees every committed change: apply what another
    process committed but has not applied yet (quickly, or not at all), and
    return what is still waiting, for the search to leave out."""
    if not indexer.ensure(app):
        raise SearchUnavailable()
    try:
        if backlog.pending(app):
            indexer.apply_soon(app)
            if backlog.pending(app):
                return backlog.unapplied(app)
    except backlog.CatchingUp:
        # Which documents a waiting change touches is not known yet: any
        # answer could count one. Fail closed, and say so.
        raise SearchUnavailable(CATCHING_UP) from None
    except Exception as error:
        # A search never fails for want of the latest changes: it answers
        # from the index as it is, and the re-check guards every hit.
        retries.log_once(error, [], "could not read the search outbox; searching the index as is")
    return set(), set()


def _topics(counts: dict[str, int]) -> list[tuple[Topic, int]]:
    if not counts:
        return []
    topics = db.session.scalars(sa.select(Topic).where(Topic.slug.in_(list(counts)))).all()
    return sorted(((t, counts[t.slug]) for t in topics), key=lambda pair: (-pair[1], pair[0].name))


def _recheck(
    results: EngineResults, audiences: dict[int, Audience]
) -> tuple[list[Hit], list[StoredDoc]]:
    """The page's hits that pass the re-check, and the documents that do
    not (asked to be indexed again)."""
    docs = results.docs
    meeting_ids = {doc.meeting for doc in docs}
    meetings = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.id.in_(meeting_ids))
            .options(selectinload(Meeting.topics), selectinload(Meeting.series))
        )
    }
    item_ids = [doc.target for doc in docs if doc.doctype == "item"]
    items = (
        {i.id: i for i in db.session.scalars(sa.select(Item).where(Item.id.in_(item_ids)))}
        if item_ids
        else {}
    )
    facts = (
        Facts.for_views(db.session, list(meetings.values()), audiences.values()) if items else None
    )
    # The hits are disclosed together: one ``disclose`` per series and
    # audience (``disclosed_across``), not one per hit or meeting.
    current: dict[int, DisclosedItem] = {}
    if facts is not None:
        by_audience: dict[Audience, list[Item]] = {}
        for item in items.values():
            audience = (
                audiences.get(meetings[item.meeting_id].series_id)
                if item.meeting_id in meetings
                else None
            )
            if audience is not None:
                by_audience.setdefault(audience, []).append(item)
        for audience, group in by_audience.items():
            current.update(disclosed_across(facts, meetings, group, audience))
    hits: list[Hit] = []
    dropped: list[StoredDoc] = []
    stale: list[tuple[str, int]] = []
    for position, doc in enumerate(docs):
        meeting = meetings.get(doc.meeting)
        if meeting is None:
            dropped.append(doc)
            continue
        if doc.doctype == "item":
            hit = _item_hit(results, position, doc, meeting, items, audiences, current)
        elif doc.doctype == "meeting":
            hit = _meeting_hit(results, position, doc, meeting)
        else:
            hit = _source_hit(results, position, doc, meeting)
        if hit is not None:
            hits.append(hit)
        else:
            dropped.append(doc)
            stale.append((doc.doctype, doc.target))
    if stale:
        _requeue(stale)
    return hits, dropped


def _item_hit(
    results: EngineResults,
    position: int,
    doc: StoredDoc,
    meeting: Meeting,
    items: dict[int, Item],
    audiences: dict[int, Audience],
    current: dict[int, DisclosedItem],
) -> Hit | None:
    item = items.get(doc.target)
    audience = audiences.get(meeting.series_id)
    if item is None or audience is None or item.version != doc.version:
        return None
    if audience.value not in doc.audiences or item.meeting_id != meeting.id:
        return None
    disclosed = current.get(item.id)
    if disclosed is None or fingerprint(item_text(disclosed)) != doc.fingerprint:
        return None
    return Hit(
        doctype="item",
        meeting=meeting,
        kind=disclosed.kind.value,
        snippet=_snippet(results, position, disclosed.body_text),
        section=disclosed.section,
        attribution=disclosed.attribution,
        item_id=item.id,
    )


def _meeting_hit(
    results: EngineResults, position: int, doc: StoredDoc, meeting: Meeting
) -> Hit | None:
    text = meeting_text(meeting)
    if fingerprint(meeting.title, text) != doc.fingerprint:
        return None
    return Hit("meeting", meeting, "meeting", _snippet(results, position, text))


def _source_hit(
    results: EngineResults, position: int, doc: StoredDoc, meeting: Meeting
) -> Hit | None:
    """A hit on a feature's public document (the write-up), as its source
    gives the text now."""
    published = public_text(doc.doctype, meeting)
    if published is None or fingerprint(*published) != doc.fingerprint:
        return None
    return Hit(doc.doctype, meeting, doc.doctype, _snippet(results, position, published[1]))


def _snippet(results: EngineResults, position: int, text: str) -> Markup:
    """Highlighted fragments of the current text; its start when the words
    matched elsewhere (the title)."""
    highlighted = results.highlight(position, text) if text else ""
    if not highlighted:
        cut = text[:SNIPPET_CHARS]
        if len(text) > SNIPPET_CHARS:
            cut = cut.rsplit(" ", 1)[0] + " …"
        return Markup(html.escape(cut))  # noqa: S704 - escaped just now
    return Markup(nh3.clean(highlighted, tags={"mark"}, attributes={}))  # noqa: S704


def _requeue(targets: list[tuple[str, int]]) -> None:
    """Ask for documents that failed the re-check to be redone (in a
    transaction of its own, so the reader's session is left alone). A hit
    the reader may no longer see is not always stale; redoing it is cheap.
    Work already failing on this host is not asked for again."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    targets = sorted(set(targets) - backlog.held_targets(app))
    if not targets:
        return
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(
            sa.insert(IndexOutbox),
            [{"target": t, "target_id": i, "created_at": now} for t, i in sorted(set(targets))],
        )


def suggestions(member: Member | None, prefix: str, limit: int = 8) -> list[str]:
    """Completions for the search box: topic names and meeting titles only.
    Both are public, so no suggestion can carry a redacted or withheld word."""
    prefix = " ".join("".join(c if c.isprintable() else " " for c in prefix).split())[:60]
    if len(prefix) < 2:
        return []
    pattern = like_pattern(prefix)
    names = db.session.scalars(
        sa.select(Topic.name)
        .where(sa.func.lower(Topic.name).like(pattern, escape="\\"))
        .order_by(Topic.name)
        .limit(limit)
    ).all()
    titles = db.session.scalars(
        sa.select(Meeting.title)
        .where(sa.func.lower(Meeting.title).like(pattern, escape="\\"))
        .distinct()
        .order_by(Meeting.title)
        .limit(limit)
    ).all()
    return list(dict.fromkeys([*names, *titles]))[:limit]
