"""Series, meetings and topics in the browser."""

from notesbase.meetings.views import bp

__all__ = ["bp"]
