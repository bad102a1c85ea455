"""A stale index never answers with counts: the total, the topic counts and
the "only N pages" answer leave out every document the re-check drops.

An index document is made stale here the way a second, weaker rule would
leave one (an item's text changed with no outbox row to follow it), so
only the search's own re-check stands between it and the reader."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import Item, Member
from notesbase.search import service
from notesbase.search.query import QueryError
from tests.search import search_support as s

URL = "/api/v1/search"
# What the member finds by ``plant*`` once "open" and "mem" are stale.
CLEAN = {"desc", "mention"}


@pytest.fixture
def world(app, make_member, make_series) -> s.World:
    return s.build_world(app, make_member, make_series)


def make_stale(app: Any, world: s.World, *labels: str) -> None:
    """Change the items' text behind the index's back (no outbox row)."""
    with app.app_context():
        for label in labels:
            db.session.execute(
                sa.update(Item).where(Item.id == world.ids[label]).values(body="Nothing here.")
            )
        db.session.commit()


def as_member(app: Any, text: str, **options: Any) -> service.SearchPage:
    with app.test_request_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == "member@example.org"))
        result = service.search(member, text, **options)
        result.hits = list(result.hits)
        return result


def labels(world: s.World, result: service.SearchPage) -> set[str]:
    found = set()
    for hit in result.hits:
        if hit.doctype == "item":
            found.add(world.label_of({"type": "item", "item": hit.item_id}))
        else:
            found.add(s.MEETING_LABELS[(hit.meeting.series.slug, hit.meeting.number)])
    return found


@pytest.mark.parametrize(
    "query",
    [
        {"q": s.OPEN_WORD},
        {"q": f"{s.OPEN_WORD} meeting:1 kind:point topic:open-data"},
        {"q": s.OPEN_WORD, "page": "2"},
    ],
    ids=["word", "narrowed to its meeting", "page 2"],
)
def test_a_stale_document_has_no_count_and_no_pages(client, app, world, query):
    """A hit the re-check drops is in no total, no topic count and no page
    range: the member is answered as if the index never held it (before,
    ``{"total": 1, "results": []}``, and on page 2 "There are only 1 pages")."""
    make_stale(app, world, "open")
    response = client.get(URL, query_string=query, headers=world.headers("member"))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert (data["total"], data["results"], data["topics"], data["pages"]) == (0, [], [], 1)


def test_the_search_runs_again_without_what_the_re_check_dropped(app, world):
    """Stale hits on the page are left out and the page filled from the
    rest (here, the second stale hit moves up and is dropped in turn): the
    total and topic counts are those of what can be shown."""
    make_stale(app, world, "open", "mem")
    result = as_member(app, "plant*", per_page=3)
    assert result.total == len(CLEAN)
    assert labels(world, result) == CLEAN
    assert {topic.slug: n for topic, n in result.topic_counts} == {
        "open-data": 1,
        "health-data": 1,
    }


def test_only_n_pages_is_counted_after_the_re_check(app, world):
    """Asked for a page past the last, the search re-checks the last page
    before saying how many pages there are."""
    make_stale(app, world, "open", "mem")
    with pytest.raises(QueryError, match="There are only 2 pages of results"):
        as_member(
            app,
            f"{s.OPEN_WORD} OR {s.MEM_ITEM} OR {s.DESC_WORD} OR {s.MENTION}",
            per_page=1,
            page=5,
        )


def test_without_convergence_the_counts_leave_out_every_dropped_hit(app, world, monkeypatch):
    """When the re-check still drops hits on the last run allowed, they are
    taken off the counts by hand: the answer counts what it shows."""
    monkeypatch.setattr(service, "MAX_RECHECKS", 1)
    make_stale(app, world, "open", "mem")
    result = as_member(app, "plant*")
    assert labels(world, result) == CLEAN
    assert result.total == len(CLEAN)
    assert {topic.slug: n for topic, n in result.topic_counts} == {
        "open-data": 1,
        "health-data": 1,
    }
