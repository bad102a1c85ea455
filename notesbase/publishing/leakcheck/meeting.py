"""The leak check's "meeting" channel: a meeting's own public fields as the
public receives them, on every channel made from them.

The public meeting page (and the API's meeting answer) carry the title, the
theme, the speakers and the description, with the spans the public may not
see cut (``disclosure.meeting_fields``); the calendar feed carries an event
named from the title (``calendar.feed.summary``); the write-up feed, once a
write-up is published, an entry titled from it. A confidential word, a
withheld name or a typed-out list of attendees in any of them is a finding
at "the meeting's details", and so is a redaction the parser cannot read
(hidden from the public meanwhile; the writer is told here)."""

from __future__ import annotations

from notesbase.disclosure import Audience
from notesbase.disclosure.render import attribute_values
from notesbase.meetings.shown import shown_fields
from notesbase.models import Meeting
from notesbase.publishing.calendar import feed as calendar_feed
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.leakcheck.places import MEETING

CHANNEL = "meeting"
AUDIENCE = Audience.PUBLIC
LABEL = "Public meeting details (page, calendar, feed)"


def meeting_fields(meeting: Meeting) -> list[leakcheck.Field]:
    """Every text the public receives made from the meeting's own fields,
    each placed at the meeting's details."""
    from notesbase.publishing.writeups.feed import entry_title
    from notesbase.publishing.writeups.public import published_writeup

    shown = shown_fields(meeting, AUDIENCE)
    Field = leakcheck.Field
    fields = [
        Field("page title", f"Meeting {meeting.number}: {meeting.title}", MEETING),
        Field("theme", shown.theme_text, MEETING),
        Field("speakers", shown.speakers_text, MEETING),
        Field("description", shown.description_text, MEETING),
        Field("description links", "\n".join(attribute_values(shown.description_html)), MEETING),
        Field("calendar event", calendar_feed.summary(meeting), MEETING),
    ]
    published = published_writeup(meeting)
    if published is not None:
        fields.append(Field("write-up feed entry title", entry_title(published), MEETING))
    return [field for field in fields if field.text]


def register_channel() -> None:
    leakcheck.register_channel(CHANNEL, AUDIENCE, meeting_fields, LABEL, details=True)
