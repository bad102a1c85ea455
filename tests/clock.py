"""One "today" for the tests that compare meetings with the current date.

The date is taken once, where meetings are held by default (Europe/London),
and the ``noon_today`` fixture (tests/conftest.py) sets the clock to noon of
that day for a test, still ticking. A run that passes midnight, or a machine
whose own zone is a day apart from London, then sees the same day as the app."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
TODAY: date = datetime.now(LONDON).date()
NOON_TODAY = datetime.combine(TODAY, time(12, 0), tzinfo=LONDON)
