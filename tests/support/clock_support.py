"""One "today" for the tests that compare meetings with the current date.

The date is taken once, in the zone meetings are held in by default
(``timeline.DEFAULT_TIMEZONE``), and the ``noon_today`` fixture
(tests/conftest.py) sets the clock to noon of that day for a test, still
ticking. A run that passes midnight, or a machine whose own zone is a day
apart from the meetings', then sees the same day as the app."""

from __future__ import annotations

from datetime import date, datetime, time

from notesbase.meetings.timeline import DEFAULT_TIMEZONE, zone

MEETINGS_ZONE = zone(DEFAULT_TIMEZONE)
TODAY: date = datetime.now(MEETINGS_ZONE).date()
NOON_TODAY = datetime.combine(TODAY, time(12, 0), tzinfo=MEETINGS_ZONE)
