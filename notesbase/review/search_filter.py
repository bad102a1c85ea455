"""Review state as a search filter: each meeting of the series asked for,
by the state of its latest review (``service.state_at``, as the board reads
it), or "none" without one. Read afresh for every search that asks, in
three queries a part of ``chunks`` series; registered with search
(``search.review_states``), which imports nothing of review."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import Circulation, Meeting, ReviewRound, utcnow
from notesbase.review import service
from notesbase.search.naming import chunks
from notesbase.search.review_states import STATES

NONE = "none"


def meetings_by_state(series: Sequence[int]) -> dict[str, set[int]]:
    """Every state of ``search.review_states.STATES`` and the meetings of
    ``series`` in it now."""
    found: dict[str, set[int]] = {state: set() for state in STATES}
    for part in chunks(set(series)):
        for meeting, state in _states(part):
            found[state].add(meeting)
    return found


def _states(series: list[int]) -> Iterator[tuple[int, str]]:
    in_series = Meeting.series_id.in_(series)
    meetings = db.session.scalars(sa.select(Meeting.id).where(in_series)).all()
    latest = (
        sa.select(sa.func.max(ReviewRound.id))
        .join(Meeting, Meeting.id == ReviewRound.meeting_id)
        .where(in_series)
        .group_by(ReviewRound.meeting_id)
    )
    rounds = {
        review.meeting_id: review
        for review in db.session.scalars(
            sa.select(ReviewRound).where(ReviewRound.id.in_(latest.scalar_subquery()))
        )
    }
    circulated = {
        meeting: last
        for meeting, last in db.session.execute(
            sa.select(Circulation.meeting_id, sa.func.max(Circulation.started_at))
            .join(Meeting, Meeting.id == Circulation.meeting_id)
            .where(in_series)
            .group_by(Circulation.meeting_id)
        )
    }
    now = utcnow()
    for meeting in meetings:
        review = rounds.get(meeting)
        if review is None:
            yield meeting, NONE
        else:
            yield meeting, service.state_at(review, circulated.get(meeting), now)
