"""The JSON Schemas of the OpenAPI document: what the API answers (closed
objects, so a field nobody documented is a contract failure) and what it
accepts (the limits come from the same constants the server checks); the
building blocks are in ``openapi_types``, the review rounds' in ``openapi_review``."""

from __future__ import annotations

from notesbase.api.openapi_types import (
    COUNT,
    DATE,
    DATE_TIME,
    EMAIL_MAX,
    ID,
    LINK,
    REMOVED,
    SERIES_SLUG_MAX,
    STRING,
    URL_MAX,
    Schema,
    closed,
    enum,
    example,
    nullable,
    ref,
    text,
    values,
)
from notesbase.consent.grants import NOTE_MAX
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.meetings import forms
from notesbase.meetings.timeline import DEFAULT_TIMEZONE
from notesbase.models import MeetingFormat, MeetingStatus
from notesbase.notes.items import BODY_MAX, SECTION_MAX
from notesbase.notes.people import NAME_MAX
from notesbase.publishing.writeups.service import ITEMS_MAX, SUMMARY_MAX
from notesbase.routing import INT_MAX
from notesbase.search.query import KINDS as SEARCH_KINDS

ERROR_DETAIL = closed(
    {
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "message": {"type": "string", "minLength": 1},
        "fields": {
            "type": "object",
            "additionalProperties": STRING,
            "description": "One message per field that is missing, unknown or wrong.",
        },
        "findings": {"type": "array", "items": ref("LeakFinding")},
    },
    required=["status", "message"],
)

LEAK_FINDING = closed({name: STRING for name in ("key", "rule", "where", "match", "why")})

SPEAKER = closed(
    {
        "id": ID,
        "name": STRING,
        "affiliation": STRING,
        "descriptor": STRING,
    }
)

FACILITATOR_ONLY = {
    "body": {"type": "string", "description": "The raw Markdown (facilitators only)."},
    "speaker": nullable(ref("Person")),
    "confidentiality": enum(values(Confidentiality)),
    "version": ID,
}

DISCLOSED = {
    "id": ID,
    "kind": enum(values(Kind)),
    "section": STRING,
    "body_html": STRING,
    "attribution": nullable(STRING),
}

STATUS_RULE = (
    "A meeting is upcoming until its day (in its time zone) has passed, then held, "
    "unless cancelled: a meeting dated before today is saved and shown as held."
)

MEETING = {
    "series": STRING,
    "number": ID,
    "title": STRING,
    "date": DATE,
    "start_time": nullable({"type": "string", "pattern": r"^\d{2}:\d{2}$"}),
    "timezone": STRING,
    "status": {**enum(values(MeetingStatus)), "description": STATUS_RULE},
    "upcoming": {"type": "boolean"},
    "format": nullable(enum(values(MeetingFormat))),
    "theme": STRING,
    "topics": {"type": "array", "items": STRING},
    "speakers": STRING,
    "registration_url": nullable(STRING),
    "description": STRING,
    "chatham_house": {"type": "boolean"},
    "links": closed({"self": LINK, "html": LINK, "series": LINK}),
}

SEARCH_HIT = closed(
    {
        "type": enum(["item", "meeting", "writeup"]),
        "kind": STRING,
        "series": STRING,
        "meeting": ID,
        "title": STRING,
        "date": DATE,
        "topics": {"type": "array", "items": STRING},
        "section": STRING,
        "attribution": nullable(STRING),
        "item": nullable(ID),
        "snippet_html": STRING,
        "url": LINK,
    }
)

WRITEUP_ITEM = closed(
    {
        "id": ID,
        "kind": enum(values(Kind)),
        "section": STRING,
        "body_html": STRING,
        "body_text": STRING,
        "attribution": nullable(STRING),
    }
)

RESPONSES: dict[str, Schema] = {
    "ErrorDetail": ERROR_DETAIL,
    "LeakFinding": LEAK_FINDING,
    "Series": closed(
        {
            "slug": STRING,
            "title": STRING,
            "description": STRING,
            "meeting_count": COUNT,
            "links": closed({"self": LINK, "meetings": LINK, "html": LINK}),
        }
    ),
    "SeriesList": closed({"series": {"type": "array", "items": ref("Series")}}),
    "Meeting": closed(MEETING),
    "MeetingList": closed(
        {"series": STRING, "meetings": {"type": "array", "items": ref("Meeting")}}
    ),
    "MeetingWithNotes": closed(
        {**MEETING, "items": {"type": "array", "items": ref("Item")}},
        required=list(MEETING),
    ),
    "Item": {
        **closed({**DISCLOSED, **FACILITATOR_ONLY}, required=list(DISCLOSED)),
        "description": "An item as ``disclose`` gives it to the caller's audience; "
        "body, speaker, confidentiality and version for facilitators only.",
    },
    "ItemDetail": closed(
        {
            **DISCLOSED,
            **FACILITATOR_ONLY,
            "meeting": closed({"series": STRING, "number": ID}),
            "removed_characters": REMOVED,
        },
        required=[*DISCLOSED, *FACILITATOR_ONLY, "meeting"],
    ),
    "Created": closed({"id": ID, "removed_characters": REMOVED}, required=["id"]),
    "CreatedItem": closed(
        {"id": ID, "version": ID, "removed_characters": REMOVED}, required=["id", "version"]
    ),
    "Person": SPEAKER,
    "PersonDetail": closed({**SPEAKER["properties"], "email": nullable(STRING)}),
    "Grant": closed(
        {
            "id": ID,
            "person": ID,
            "audience": enum(values(ConsentAudience)),
            "level": enum(values(Level)),
            "scope": closed({"series": nullable(STRING), "meeting": nullable(ID)}),
            "granted_at": nullable(DATE_TIME),
        }
    ),
    "GrantList": closed({"person": ID, "grants": {"type": "array", "items": ref("Grant")}}),
    "MemberAdded": closed(
        {
            "series": STRING,
            "member": closed({"id": ID, "email": STRING, "name": STRING}),
            "added": {"type": "boolean"},
        }
    ),
    "SearchPage": closed(
        {
            "query": STRING,
            "total": COUNT,
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "topics": {
                "type": "array",
                "items": closed({"slug": STRING, "name": STRING, "count": COUNT}),
            },
            "results": {"type": "array", "items": SEARCH_HIT},
        }
    ),
    "WriteupDraft": closed(
        {
            "series": STRING,
            "number": ID,
            "version": ID,
            "summary": {"type": "string", "description": "Markdown, as written."},
            "items": {"type": "array", "items": ID},
            "published": {"type": "boolean"},
            "links": closed({"self": LINK, "edit": LINK}),
        }
    ),
    "Writeup": closed(
        {
            "series": STRING,
            "number": ID,
            "title": STRING,
            "meeting_title": STRING,
            "date": DATE,
            "published_at": nullable(DATE_TIME),
            "first_published_at": nullable(DATE_TIME),
            "summary_html": STRING,
            "summary_text": STRING,
            "items": {"type": "array", "items": WRITEUP_ITEM},
            "links": closed({"self": LINK, "html": LINK, "meeting": LINK, "feed": LINK}),
        }
    ),
}

_ITEM_FIELDS = {
    "kind": enum(values(Kind)),
    "body": text(
        BODY_MAX, blank=False, description="Markdown; spans marked {.confidential} are redacted."
    ),
    "section": nullable(text(SECTION_MAX)),
    "speaker": nullable({**ID, "description": "A person's id."}),
    "confidentiality": {**enum(values(Confidentiality)), "default": "open"},
}

REQUESTS: dict[str, Schema] = {
    "NewSeries": example(
        closed(
            {
                "slug": {
                    **text(SERIES_SLUG_MAX, blank=False),
                    "pattern": f"^{forms.SLUG_PATTERN.pattern}$",
                    "not": {"enum": sorted(forms.RESERVED_SLUGS)},
                },
                "title": text(200, blank=False),
                "description": text(forms.MAX_TEXT),
            },
            required=["slug", "title"],
        ),
        {"slug": "board", "title": "Board", "description": "The trustees."},
    ),
    "NewMeeting": example(
        closed(
            {
                "number": {"type": "integer", "minimum": 1, "maximum": forms.MAX_MEETING_NUMBER},
                "title": text(200, blank=False),
                "date": {**DATE, "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "start_time": nullable(
                    {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "description": "HH:MM"}
                ),
                "timezone": {
                    **text(64),
                    "default": DEFAULT_TIMEZONE,
                    "examples": [DEFAULT_TIMEZONE, "America/New_York"],
                    "description": "An IANA time zone name this server knows (422 otherwise).",
                },
                "format": nullable(enum(values(MeetingFormat))),
                "status": {
                    **enum(values(MeetingStatus)),
                    "default": "upcoming",
                    "description": STATUS_RULE,
                },
                "theme": text(300),
                "topics": {
                    "type": "array",
                    "maxItems": forms.MAX_TOPICS,
                    "items": text(forms.MAX_TOPIC_LENGTH),
                },
                "speakers": text(5000),
                "registration_url": nullable(
                    text(URL_MAX, pattern=r"^(?:[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+\S*)?$")
                ),
                "description": text(forms.MAX_TEXT),
                "chatham_house": {"type": "boolean", "default": True},
            },
            required=["number", "title", "date"],
        ),
        {"number": 3, "title": "Kick-off", "date": "2025-11-12", "topics": ["Open data"]},
    ),
    "NewMember": example(
        closed({"email": text(EMAIL_MAX, blank=False, format="email")}),
        {"email": "member@example.org"},
    ),
    "NewPerson": example(
        closed(
            {
                "name": text(NAME_MAX, blank=False),
                "affiliation": nullable(text(NAME_MAX)),
                "descriptor": nullable(text(NAME_MAX)),
                "email": nullable(text(EMAIL_MAX, description="An email address; empty for none.")),
            },
            required=["name"],
        ),
        {"name": "Ann Other", "affiliation": "Leeds City Council", "descriptor": "a planner"},
    ),
    "NewItem": example(
        closed(_ITEM_FIELDS, required=["kind", "body"]),
        {"kind": "quote", "body": "We should *publish* it.", "section": "Open data"},
    ),
    "ItemChange": example(
        closed(
            {**_ITEM_FIELDS, "version": nullable({**ID, "description": "409 if changed since."})},
            required=[],
        ),
        {"body": "We must publish it."},
    ),
    "ConsentGrant": example(
        closed(
            {
                "audience": enum(values(ConsentAudience)),
                "level": enum(values(Level)),
                "series": nullable(text(SERIES_SLUG_MAX)),
                "meeting": nullable({**ID, "description": "A meeting number in `series`."}),
                "note": text(NOTE_MAX),
            },
            required=["audience", "level"],
        ),
        {"audience": "public", "level": "affiliation", "series": "cop"},
    ),
    "SaveWriteup": example(
        closed(
            {
                "summary": {
                    "type": "string",
                    "maxLength": SUMMARY_MAX,
                    "description": "Markdown; names the public may not see are replaced.",
                },
                "items": {
                    "type": "array",
                    "maxItems": ITEMS_MAX,
                    "items": {**ID, "description": "An open item of this meeting."},
                },
                "version": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": INT_MAX,
                    "description": "The version you read (0: there is no write-up yet); "
                    "409 with the current one if it changed since.",
                },
            }
        ),
        {"summary": "We agreed to **publish** the data.", "items": [1], "version": 1},
    ),
    "PublishWriteup": example(
        closed(
            {
                "version": nullable({**ID, "description": "409 if the write-up changed since."}),
                "confirm_open_review": {
                    "type": "boolean",
                    "default": False,
                    "description": "Publish although a review of the notes is open "
                    "(otherwise 409 naming who has not answered).",
                },
            },
            required=[],
        ),
        {},
    ),
}

SEARCH_KIND_VALUES = list(SEARCH_KINDS)
