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
  writes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

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
