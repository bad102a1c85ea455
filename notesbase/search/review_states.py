"""Review state as a search filter for facilitators (``review=``), as the
review package fills it in at start-up (as ``sources`` are), so search
imports no feature.

- ``STATES``: the filter's words, each the state of a meeting's latest
  review as the review pages and the API name it, and ``none`` for a
  meeting never reviewed; with their labels on the search form;
- ``register_review_states(read)``: ``read(series)`` maps each state to
  the ids of the meetings of ``series`` (series ids) in it now, every
  meeting of those series in exactly one state;
- ``meetings_in(states, series)``: asked once per search, never kept: a
  review changes state with the clock (its deadline) as well as with
  writes; ``meetings_for(states, access)`` asks it for the series the
  reader facilitates, refusing anyone who facilitates none."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from notesbase.disclosure import Audience
from notesbase.search.query import QueryError
from notesbase.search.request import Access

FACILITATOR = Audience.FACILITATOR.value
REVIEW_REFUSED = (
    "Only facilitators can search by review state, among the series they facilitate:"
    " search again without it."
)

STATES = {
    "none": "Never reviewed",
    "draft": "Review prepared, links not sent",
    "in_review": "In review",
    "agreed": "Agreed by everyone asked",
    "closed": "Closed (deadline passed or ended)",
    "circulated": "Circulated after the review opened",
}

ReadStates = Callable[[Sequence[int]], Mapping[str, Collection[int]]]

READERS: list[ReadStates] = []


def register_review_states(read: ReadStates) -> None:
    """Make ``read`` the one source of meetings' review states."""
    READERS[:] = [read]


def available() -> bool:
    """Whether a feature gives review states (the filter runs only then)."""
    return bool(READERS)


def meetings_in(states: Collection[str], series: Sequence[int]) -> frozenset[int]:
    """The meetings of ``series`` whose review is in any of ``states`` now;
    none when no feature gives review states."""
    if not READERS or not series:
        return frozenset()
    by_state = READERS[0](series)
    return frozenset(meeting for state in states for meeting in by_state.get(state, ()))


def facilitated(access: Access) -> list[int]:
    """The series the reader reads as a facilitator."""
    return [series for series, audience in access.by_series if audience == FACILITATOR]


def meetings_for(states: tuple[str, ...], access: Access) -> frozenset[int]:
    """The meetings of the series the reader facilitates whose review is in
    any of ``states``. Fail closed: a reader who facilitates no series is
    refused whatever they ask, so the filter tells them nothing."""
    series = facilitated(access)
    if not series or not available():
        raise QueryError(REVIEW_REFUSED)
    unknown = [state for state in states if state not in STATES]
    if unknown:
        raise QueryError(f"Choose a review state from: {', '.join(STATES)}.")
    return meetings_in(states, series)
