"""A meeting's own fields on every page, feed and answer: as the reader's
audience may see them (``notesbase.disclosure.meeting_fields``). The one
place the meeting pages, the API, search and the leak check ask."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from notesbase.access import current_member, notes_audience
from notesbase.disclosure import Audience
from notesbase.disclosure.meeting_fields import MeetingFields, meeting_fields
from notesbase.models import Meeting, Member, Series


def reader_audience(member: Member | None, series: Series) -> Audience:
    """Who ``member`` is to ``series``' meeting fields: facilitators see
    every span (marked), members of the series the members' spans, and
    everyone else what the public sees."""
    return notes_audience(member, series) or Audience.PUBLIC


def shown_fields(meeting: Meeting, audience: Audience) -> MeetingFields:
    """The theme, speakers and description of ``meeting`` for ``audience``."""
    return meeting_fields(
        meeting.theme or "", meeting.speakers or "", meeting.description or "", audience
    )


@dataclass(frozen=True)
class PageFields:
    """The fields for a template, their HTML ready to place (sanitised by
    ``disclosure.render``, so safe as it is)."""

    fields: MeetingFields

    @property
    def theme(self) -> Markup:
        return Markup(self.fields.theme_html)  # noqa: S704 - sanitised by nh3

    @property
    def speakers(self) -> Markup:
        return Markup(self.fields.speakers_html)  # noqa: S704 - sanitised by nh3

    @property
    def description(self) -> Markup:
        return Markup(self.fields.description_html)  # noqa: S704 - sanitised by nh3


def page_fields(meeting: Meeting) -> PageFields:
    """For templates: ``meeting``'s fields as the current reader sees them."""
    return PageFields(shown_fields(meeting, reader_audience(current_member(), meeting.series)))
