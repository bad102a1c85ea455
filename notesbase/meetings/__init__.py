"""Series, meetings and topics in the browser."""

from notesbase.meetings import manage  # noqa: F401 - registers the facilitators' pages
from notesbase.meetings.views import bp

__all__ = ["bp"]
