"""Review state as a search filter (``review=``): facilitators only, among
the series they facilitate; it narrows inside the engine, so totals, pages,
topic counts and order are those of a search limited by hand to the same
meetings; everyone else is refused with a 400 that counts nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Audience, Kind
from notesbase.meetings import service as meetings
from notesbase.models import (
    Circulation,
    Meeting,
    Member,
    ReviewRound,
    ReviewStatus,
    Role,
    Series,
    utcnow,
)
from notesbase.notes import items
from notesbase.search import review_states, service
from notesbase.search.query import Filters
from tests.review.review_support import log_in, token_for

WORD = "harbour"
FACILITATOR = "facilitator@example.org"

# Each state, and the meetings (series, number) in it. Meeting 5's review is
# in review but its deadline has passed; meeting 8's latest review counts,
# not the agreed one before it.
EXPECTED = {
    "none": {("cop", 1), ("north", 2)},
    "draft": {("cop", 2)},
    "in_review": {("cop", 3), ("cop", 8), ("north", 1)},
    "agreed": {("cop", 4)},
    "closed": {("cop", 5), ("cop", 6)},
    "circulated": {("cop", 7)},
}


def _round(meeting: Meeting, status: ReviewStatus, *, days: int = 10) -> None:
    now = utcnow()
    opened = None if status is ReviewStatus.DRAFT else now - timedelta(days=1)
    db.session.add(
        ReviewRound(
            meeting_id=meeting.id,
            status=status,
            deadline=now + timedelta(days=days),
            opened_at=opened,
        )
    )
    db.session.flush()


@pytest.fixture
def states(app: Any, make_member: Any, make_series: Any) -> None:
    """Series "cop" (meetings 1-8) and "north" (1-2), each meeting with an
    item saying ``WORD`` and a topic, in the states of ``EXPECTED``."""
    cop = make_series("cop", "Community of Practice")
    north = make_series("north", "Northern Network")
    make_member(FACILITATOR, role=Role.FACILITATOR)
    make_member("member@example.org", series=[cop])
    with app.app_context():
        made: dict[tuple[str, int], Meeting] = {}
        for series, count in ((cop, 8), (north, 2)):
            for number in range(1, count + 1):
                fields = meetings.MeetingFields(
                    number=number,
                    title=f"Gathering {number}",
                    date=date(2025, 1, number),
                    topics=("Open data" if number % 2 else "Health",),
                )
                meeting = meetings.create_meeting(db.session.get(Series, series.id), fields)
                for words in (f"The {WORD} plan, part {number}.", f"Another {WORD} note."):
                    items.create_item(meeting, items.ItemFields(Kind.POINT, words), actor=None)
                made[(series.slug, number)] = meeting
        _round(made[("cop", 2)], ReviewStatus.DRAFT)
        _round(made[("cop", 3)], ReviewStatus.IN_REVIEW)
        _round(made[("cop", 4)], ReviewStatus.AGREED)
        _round(made[("cop", 5)], ReviewStatus.IN_REVIEW, days=-1)
        _round(made[("cop", 6)], ReviewStatus.CLOSED)
        _round(made[("cop", 7)], ReviewStatus.IN_REVIEW)
        db.session.add(Circulation(meeting_id=made[("cop", 7)].id, subject="Notes"))
        _round(made[("cop", 8)], ReviewStatus.AGREED)
        _round(made[("cop", 8)], ReviewStatus.IN_REVIEW)
        _round(made[("north", 1)], ReviewStatus.IN_REVIEW)
        db.session.commit()


def api(client: Any, headers: dict[str, str], **query: Any) -> Any:
    return client.get("/api/v1/search", query_string=query, headers=headers)


def found(answer: Any) -> set[tuple[str, int]]:
    assert answer.status_code == 200, answer.get_json()
    return {(hit["series"], hit["meeting"]) for hit in answer.get_json()["results"]}


def found_on_every_page(client: Any, headers: dict[str, str], **query: Any) -> set[tuple[str, int]]:
    first = api(client, headers, **query)
    meetings = found(first)
    for page in range(2, first.get_json()["pages"] + 1):
        meetings |= found(api(client, headers, page=page, **query))
    return meetings


@pytest.mark.parametrize("state", list(EXPECTED))
def test_each_state_narrows_to_exactly_its_meetings(app, client, states, state):
    """Words or none, the results are the documents of the state's meetings."""
    headers = token_for(app, FACILITATOR)
    assert found(api(client, headers, q=WORD, review=state)) == EXPECTED[state]
    assert found(api(client, headers, review=state)) == EXPECTED[state]


def test_states_can_be_combined(app, client, states):
    """Several states: the meetings in any of them."""
    answer = api(client, token_for(app, FACILITATOR), q=WORD, review=["draft", "agreed"])
    assert found(answer) == EXPECTED["draft"] | EXPECTED["agreed"]


def _page(result: service.SearchPage) -> tuple[Any, ...]:
    hits = [(hit.doctype, hit.item_id, hit.meeting.id) for hit in result.hits]
    counts = [(topic.slug, count) for topic, count in result.topic_counts]
    return result.total, result.pages, counts, hits


@pytest.mark.parametrize("state", list(EXPECTED))
@pytest.mark.parametrize("by_date", [False, True])
def test_counts_and_order_equal_a_search_limited_by_hand(app, states, state, by_date):
    """Total, pages, topic counts and every page's hits, in order, are those
    of the same search limited by hand to the state's meetings."""
    with app.test_request_context():
        member = db.session.scalar(sa.select(Member).filter_by(email=FACILITATOR))
        ids = frozenset(
            db.session.scalars(
                sa.select(Meeting.id)
                .join(Series)
                .where(sa.tuple_(Series.slug, Meeting.number).in_(list(EXPECTED[state])))
            )
        )
        assert len(ids) == len(EXPECTED[state])
        pages = 2 * len(ids)  # two items a meeting, one a page
        for page in range(1, pages + 1):
            asked = dict(page=page, per_page=1, by_date=by_date)
            filtered = service.search(member, WORD, Filters(review=(state,)), **asked)
            by_hand = service.search(member, WORD, Filters(meetings=ids), **asked)
            assert _page(filtered) == _page(by_hand)
            assert filtered.total == filtered.pages == pages


@pytest.mark.parametrize(
    ("state", "low", "high"), [("draft", 2, 2), ("agreed", 4, 4), ("closed", 5, 6)]
)
def test_the_api_answers_as_for_the_same_meetings_by_number(app, client, states, state, low, high):
    """The whole answer (total, pages, topic counts, results in order) is the
    one for the same meetings chosen by series and number."""
    headers = token_for(app, FACILITATOR)
    for sort in ("relevance", "date"):
        filtered = api(client, headers, q=WORD, review=state, sort=sort)
        by_number = api(
            client, headers, q=WORD, series="cop", meeting_from=low, meeting_to=high, sort=sort
        )
        assert filtered.status_code == by_number.status_code == 200
        assert filtered.get_json() == by_number.get_json()


def test_the_form_offers_the_filter_to_facilitators_only(app, client, states):
    """A labelled select, with a hint, for facilitators; nothing for others."""
    assert 'name="review"' not in client.get("/search").get_data(as_text=True)
    member = app.test_client()
    log_in(member, "member@example.org")
    assert 'name="review"' not in member.get("/search").get_data(as_text=True)
    log_in(client, FACILITATOR)
    html = client.get("/search").get_data(as_text=True)
    assert '<label for="search-review">Review state</label>' in html
    assert 'id="search-review" name="review" aria-describedby="search-review-hint"' in html
    page = client.get("/search", query_string={"q": WORD, "review": "closed"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "4 results" in text and '<option value="closed" selected>' in text


@pytest.mark.parametrize("who", [None, "member@example.org"])
def test_readers_who_facilitate_nothing_are_refused_and_told_nothing(app, client, states, who):
    """The same 400, with no count, whatever the state asked for (one with
    meetings, one without, an unknown one), on the API and the page."""
    headers = token_for(app, who) if who else {}
    answers = []
    for state in ("in_review", "circulated", "draft", "bogus"):
        answer = api(client, headers, q=WORD, review=state)
        assert answer.status_code == 400
        body = answer.get_json()
        assert "total" not in body and "results" not in body and "topics" not in body
        answers.append(body)
    assert all(body == answers[0] for body in answers)
    assert answers[0]["error"]["message"] == review_states.REVIEW_REFUSED
    if who:
        log_in(client, who)
    pages = [
        client.get("/search", query_string={"q": WORD, "review": state})
        for state in ("in_review", "draft", "bogus")
    ]
    for page in pages:
        text = page.get_data(as_text=True)
        assert page.status_code == 400
        assert review_states.REVIEW_REFUSED in text
        assert "result" not in text.split("</form>", 1)[1]
    assert api(client, headers, q=WORD).status_code == 200


def test_refused_to_facilitators_too_when_no_feature_gives_states(app, client, states, monkeypatch):
    """Fail closed: with no review states registered the filter runs for nobody."""
    monkeypatch.setattr(review_states, "READERS", [])
    answer = api(client, token_for(app, FACILITATOR), q=WORD, review="none")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"] == review_states.REVIEW_REFUSED


def test_a_facilitator_of_one_series_never_matches_another(app, client, states, monkeypatch):
    """Reading "north" as a member only, a facilitator's filter asks about
    "cop" alone and finds none of north's meetings, though north's notes
    are found without it; with it, they only ever see less."""
    facilitates_cop = service.notes_audience

    def audience(member: Any, series: Series) -> Audience | None:
        found = facilitates_cop(member, series)
        return Audience.MEMBER if found and series.slug == "north" else found

    monkeypatch.setattr(service, "notes_audience", audience)
    [read] = review_states.READERS
    asked: list[list[int]] = []

    def recording(series: Any) -> Any:
        asked.append(list(series))
        return read(series)

    monkeypatch.setattr(review_states, "READERS", [recording])
    headers = token_for(app, FACILITATOR)
    everything = found_on_every_page(client, headers, q=WORD)
    assert ("north", 1) in everything and ("north", 2) in everything
    for state, meetings_in_it in EXPECTED.items():
        narrowed = found_on_every_page(client, headers, q=WORD, review=state)
        assert narrowed == {m for m in meetings_in_it if m[0] == "cop"}
        assert narrowed <= everything
    with app.app_context():
        cop = db.session.scalar(sa.select(Series.id).where(Series.slug == "cop"))
    assert asked and all(series == [cop] for series in asked)
