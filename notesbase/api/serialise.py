"""Plain dicts for the API's JSON. Meetings carry only what the public meeting
page shows; items come only from a disclosed view, never from raw rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for

from notesbase.api_support.payload import iso
from notesbase.db import db
from notesbase.disclosure import Audience, DisclosedItem, NotesView
from notesbase.disclosure.meeting_fields import meeting_fields
from notesbase.meetings import timeline
from notesbase.models import Consent, Item, Meeting, Person, Series


def series_json(series: Series, meeting_count: int) -> dict[str, Any]:
    return {
        "slug": series.slug,
        "title": series.title,
        "description": series.description,
        "meeting_count": meeting_count,
        "links": {
            "self": url_for("api.series_detail", slug=series.slug),
            "meetings": url_for("api.series_meetings", slug=series.slug),
            "html": url_for("meetings.series", slug=series.slug),
        },
    }


def meeting_json(
    meeting: Meeting, now: datetime, audience: Audience = Audience.PUBLIC
) -> dict[str, Any]:
    """A meeting's details, as its page shows them to ``audience`` (the
    registration link only while the meeting is still to come). Facilitators
    get the theme, speakers and description as written (Markdown, spans and
    all: they edit them); everyone else gets them as words, with the spans
    they may not see cut (``disclosure.meeting_fields``)."""
    slug = meeting.series.slug
    if audience is Audience.FACILITATOR:
        theme, speakers, description = meeting.theme, meeting.speakers, meeting.description
    else:
        shown = meeting_fields(
            meeting.theme or "", meeting.speakers or "", meeting.description or "", audience
        )
        theme, speakers = shown.theme_text, shown.speakers_text
        description = shown.description_text
    return {
        "series": slug,
        "number": meeting.number,
        "title": meeting.title,
        "date": meeting.date.isoformat(),
        "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else None,
        "timezone": meeting.timezone,
        "status": timeline.status_of(meeting, now).value,
        "upcoming": timeline.is_upcoming(meeting, now),
        "format": meeting.format.value if meeting.format else None,
        "theme": theme,
        "topics": [topic.name for topic in meeting.topics],
        "speakers": speakers,
        "registration_url": timeline.registration_link(meeting, now),
        "description": description,
        "chatham_house": meeting.chatham_house,
        "links": {
            "self": url_for("api.meeting_detail", slug=slug, number=meeting.number),
            "html": url_for("meetings.meeting", slug=slug, number=meeting.number),
            "series": url_for("api.series_detail", slug=slug),
        },
    }


def person_json(person: Person) -> dict[str, Any]:
    """Everything about a person: for facilitators only."""
    return {
        "id": person.id,
        "name": person.name,
        "affiliation": person.affiliation,
        "descriptor": person.descriptor,
    }


def items_json(view: NotesView) -> list[dict[str, Any]]:
    """A disclosed view's items; ``body``, ``speaker``, ``confidentiality`` and
    ``version`` appear only where the view carries them (facilitators)."""
    speaker_ids = {item.speaker_id for item in view.items if item.speaker_id is not None}
    people = {pid: db.session.get(Person, pid) for pid in speaker_ids}
    facilitator = view.audience is Audience.FACILITATOR
    return [_item_json(item, people, facilitator) for item in view.items]


def _item_json(
    item: DisclosedItem, people: dict[int, Person | None], facilitator: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind.value,
        "section": item.section,
        "body_html": item.body_html,
        "attribution": item.attribution,
    }
    if facilitator and item.confidentiality is not None:
        speaker = people.get(item.speaker_id) if item.speaker_id is not None else None
        data["body"] = item.body
        data["speaker"] = person_json(speaker) if speaker is not None else None
        data["confidentiality"] = item.confidentiality.value
        data["version"] = item.version
    return data


def item_link(item: Item) -> str:
    return url_for("api.item_detail", item_id=item.id)


def grant_json(consent: Consent) -> dict[str, Any]:
    meeting = consent.meeting
    series = consent.series or (meeting.series if meeting is not None else None)
    return {
        "id": consent.id,
        "person": consent.person_id,
        "audience": consent.audience.value,
        "level": consent.level.value,
        "scope": {
            "series": series.slug if series is not None else None,
            "meeting": meeting.number if meeting is not None else None,
        },
        "granted_at": iso(consent.granted_at),
    }
