"""The series and the meeting an API address names, or a 404 in the API's
shape saying which is missing."""

from __future__ import annotations

from notesbase.api_support.errors import ApiError
from notesbase.api_support.payload import storable
from notesbase.meetings import service
from notesbase.models import Meeting, Series


def find_series(slug: str) -> Series | None:
    """The series with this slug; None, without asking the database, for a
    slug no series can have (a NUL is an error in PostgreSQL, not a miss)."""
    if not storable(slug):
        return None
    return service.series_by_slug(slug)


def load_series(slug: str) -> Series:
    series = find_series(slug)
    if series is None:
        raise ApiError(404, f"There is no series '{slug}'.")
    return series


def load_meeting(series: Series, number: int) -> Meeting:
    meeting = service.meeting_by_number(series, number)
    if meeting is None:
        raise ApiError(404, f"Series '{series.slug}' has no meeting {number}.")
    return meeting
