"""Counts, pages and order come only from what the reader may see: the
ranking's statistics are the reader's, ties break by a stable key, and an
index holding hidden documents answers a reader exactly as an index built
of only what that reader may see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notesbase.search.engine import Document, Engine, EngineResults
from notesbase.search.query import Filters, parse
from notesbase.search.request import Access, SearchRequest

MEMBER = Access(((1, "member"),))
READERS = {
    "public": Access(()),
    "member of series 1": MEMBER,
    "facilitator of series 2": Access(((2, "facilitator"),)),
}
VOCABULARY = ("budget", "housing", "river", "library", "transport", "council")
TOPICS = ("open-data", "health-data")
MEETING_TITLES = ("budget round", "river gathering", "library forum")


def item(
    number: int,
    text: str,
    *,
    series: int = 1,
    audiences: Sequence[str] = ("member", "facilitator"),
    meeting: int = 1,
    title: str = "gathering",
    topics: Sequence[str] = (),
    day: int | None = None,
) -> Document:
    """An item's document as the indexer writes one."""
    return Document(
        doc_id=f"item:{number}:{'+'.join(audiences)}",
        key=f"item:{number}",
        doctype="item",
        target=number,
        audiences=tuple(audiences),
        series=series,
        meeting=series * 100 + meeting,
        number=meeting,
        day=day if day is not None else date(2025, 1, meeting).toordinal(),
        topics=tuple(topics),
        kind="point",
        version=1,
        fingerprint="-",
        title=title,
        text=text,
    )


def meeting_details(series: int, meeting: int, text: str, title: str) -> Document:
    """A meeting's public document (everyone finds it)."""
    return Document(
        doc_id=f"meeting:{series * 100 + meeting}",
        key=f"meeting:{series * 100 + meeting}",
        doctype="meeting",
        target=series * 100 + meeting,
        audiences=("public", "member", "facilitator"),
        series=series,
        meeting=series * 100 + meeting,
        number=meeting,
        day=date(2025, 1, meeting).toordinal(),
        topics=(),
        kind="meeting",
        version=0,
        fingerprint="-",
        title=title,
        text=text,
    )


def index(root: Path, *saves: Iterable[Document]) -> Engine:
    """An index at ``root`` written one save at a time (each a segment;
    a document saved again replaces the one before, which stays in its
    segment as deleted until a merge)."""
    engine = Engine(root)
    path = engine.new_generation()
    engine.switch_to(path)
    with engine.writer_lock():
        for documents in saves:
            documents = list(documents)
            engine.write(path, [("key", d.key) for d in documents], documents)
    return engine


def every_page(
    engine: Engine, text: str, access: Access, *, per_page: int, by_date: bool = False
) -> tuple[list[str], list[EngineResults]]:
    """The hits of every page in turn, and each page's answer."""
    shown: list[str] = []
    answers: list[EngineResults] = []
    page = 1
    while True:
        answer = engine.search(
            SearchRequest(parse(text), access, page=page, per_page=per_page, by_date=by_date)
        )
        answers.append(answer)
        if not answer.docs:
            return shown, answers
        shown.extend(doc.doc_id for doc in answer.docs)
        page += 1


def test_forty_tied_hits_paged_ten_at_a_time_are_forty_hits(tmp_path):
    """Forty hits in two groups of equal scores, alternating in the index,
    are each shown exactly once over four pages: best first, then newest
    meeting, then by item (by date: newest meeting, then by item)."""
    documents = [
        item(n, "budget" if n % 2 == 0 else "budget housing", meeting=1 + n % 4)
        for n in range(1, 41)
    ]
    engine = index(tmp_path / "index", documents)
    for by_date in (False, True):
        shown, answers = every_page(engine, "budget", MEMBER, per_page=10, by_date=by_date)
        assert len(shown) == len(set(shown)) == 40, by_date
        assert {answer.total for answer in answers} == {40}
        order = [int(doc_id.split(":")[1]) for doc_id in shown]
        best = 0 if by_date else 1  # the shorter text scores higher

        def key(n: int, best: int = best) -> tuple[int, int, int]:
            return (best * (n % 2), -(1 + n % 4), n)

        assert order == sorted(range(1, 41), key=key), by_date


def test_documents_the_member_cannot_see_do_not_change_their_order(tmp_path):
    """Confidential items of their own series, another series' items and
    deleted documents change none of a member's scores, so not the order
    (in the whole index their words would weigh differently)."""
    theirs = [
        item(1, "budget budget budget housing"),
        item(2, "budget housing housing housing"),
        item(3, "budget housing river library transport council budget housing"),
        item(4, "housing budget"),
    ]
    hidden = [
        *(item(10 + n, "budget " * 12, series=2) for n in range(20)),
        *(item(40 + n, "budget", audiences=("facilitator",)) for n in range(20)),
    ]
    replaced = [item(n, "housing " * 30) for n in range(1, 5)]
    alone = index(tmp_path / "alone", theirs)
    crowded = index(tmp_path / "crowded", hidden, replaced, theirs)
    for text in ("budget housing", "budget OR housing", "housing", '"budget housing"'):
        expected, _ = every_page(alone, text, MEMBER, per_page=3)
        found, _ = every_page(crowded, text, MEMBER, per_page=3)
        assert found == expected, text


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[list[Document]], list[Document]]:
    """Saves of documents in two series, for members, facilitators or
    everyone, some saved twice (the first version left deleted in its
    segment); and the final documents."""
    words = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6).map(" ".join)
    groups: list[list[Document]] = []
    for number in range(1, draw(st.integers(3, 18)) + 1):
        series = draw(st.integers(1, 2))
        meeting = draw(st.integers(1, 3))
        where = {
            "series": series,
            "meeting": meeting,
            "title": MEETING_TITLES[meeting - 1],
            "topics": draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=2)),
        }
        if draw(st.booleans()):
            groups.append([item(number, draw(words), **where)])  # type: ignore[arg-type]
        else:  # members and facilitators see different text
            groups.append(
                [
                    item(number, draw(words), audiences=(audience,), **where)  # type: ignore[arg-type]
                    for audience in ("member", "facilitator")
                ]
            )
    for series, meeting in sorted({(g[0].series, g[0].number) for g in groups}):
        groups.append([meeting_details(series, meeting, draw(words), MEETING_TITLES[meeting - 1])])
    order = draw(st.permutations(groups))
    cut = draw(st.integers(0, len(order)))
    earlier = [
        item(group[0].target, draw(words), series=group[0].series, meeting=group[0].number)
        for group in order[:cut]
        if group[0].doctype == "item" and draw(st.booleans())
    ]
    saves = [earlier, [d for g in order[:cut] for d in g], [d for g in order[cut:] for d in g]]
    documents = [d for g in groups for d in g]
    return [save for save in saves if save], documents


def sees(access: Access, document: Document) -> bool:
    return "public" in document.audiences or any(
        document.series == series and audience in document.audiences
        for series, audience in access.by_series
    )


QUERIES = (
    "budget",
    "housing river",
    "budget OR library",
    '"budget housing"',
    "council -river",
    "lib*",
    "gathering",
)


@given(world=worlds(), reader=st.sampled_from(list(READERS)), per_page=st.integers(2, 5))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_a_reader_is_answered_as_by_an_index_of_only_what_they_see(
    tmp_path_factory, world, reader, per_page
):
    """For random worlds with hidden documents, a reader's totals, topic
    counts, pages and order are identical to an index built only of what
    that reader may see (saved in another order, in one segment)."""
    saves, documents = world
    access = READERS[reader]
    root = tmp_path_factory.mktemp("world")
    whole = index(root / "whole", *saves)
    theirs = index(root / "theirs", reversed([d for d in documents if sees(access, d)]))
    for text in QUERIES:
        for filters in (Filters(), Filters(topics=(TOPICS[0],))):
            for by_date in (False, True):
                parsed = parse(text, filters)
                pages = [
                    [
                        engine.search(
                            SearchRequest(
                                parsed, access, page=page, per_page=per_page, by_date=by_date
                            )
                        )
                        for page in range(1, 5)
                    ]
                    for engine in (whole, theirs)
                ]
                found, expected = (
                    (
                        [[d.doc_id for d in answer.docs] for answer in answers],
                        {answer.total for answer in answers},
                        [answer.topic_counts for answer in answers],
                    )
                    for answers in pages
                )
                assert found == expected, (text, filters, by_date)
                assert len(found[1]) == 1
                shown = [doc_id for page in found[0] for doc_id in page]
                assert len(shown) == len(set(shown)) == min(found[1].pop(), 4 * per_page)
