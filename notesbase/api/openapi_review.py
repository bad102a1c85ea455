"""The review rounds in the OpenAPI document: their schemas, and the
security scheme of a reviewer's session (``Review-Session``). The limits
are the models' (the review package sits above the API, which names it
only here, in words)."""

from __future__ import annotations

from notesbase.api.openapi_types import (
    DATE,
    DATE_TIME,
    ID,
    LINK,
    STRING,
    Schema,
    closed,
    enum,
    example,
    nullable,
    ref,
    text,
    values,
)
from notesbase.disclosure import ConsentAudience, Kind, Level
from notesbase.models import COMMENT_MAX, REASON_MAX, RequestKind, RequestStatus, ReviewStatus
from notesbase.notes.items import BODY_MAX

STATES = [*values(ReviewStatus), "circulated"]
PERSON = closed({"id": ID, "name": STRING})
SHOWN = nullable(
    closed(
        {
            "kind": enum(values(Kind)),
            "section": STRING,
            "body_html": STRING,
            "body_text": STRING,
            "attribution": nullable(STRING),
        }
    )
)
SESSION_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "Review-Session",
    "description": "A reviewer's session secret, from POST /review/session with their link's "
    "secret in the Review-Link header. It reaches only the /review/me routes.",
}
LINK_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "Review-Link",
    "description": "The secret of a person's review link (the last part of its address). "
    "It works once, for the browser or the API.",
}

RESPONSES: dict[str, Schema] = {
    "ReviewRequest": closed(
        {
            "id": ID,
            "person": PERSON,
            "item": nullable(ID),
            "item_version": ID,
            "stale": {"type": "boolean"},
            "kind": enum(values(RequestKind)),
            "suggested": STRING,
            "comment": STRING,
            "status": enum(values(RequestStatus)),
            "reason": STRING,
            "created_at": DATE_TIME,
            "resolved_at": nullable(DATE_TIME),
        }
    ),
    "ReviewState": closed(
        {
            "series": STRING,
            "number": ID,
            "state": enum(STATES),
            "deadline": DATE_TIME,
            "opened_at": nullable(DATE_TIME),
            "ended_at": nullable(DATE_TIME),
            "reviewers": {
                "type": "array",
                "items": closed(
                    {
                        "person": PERSON,
                        "invited_at": nullable(DATE_TIME),
                        "opened": {"type": "boolean"},
                        "revoked": {"type": "boolean"},
                        "approved_at": nullable(DATE_TIME),
                        "answered": {"type": "boolean"},
                    }
                ),
            },
            "waiting": {"type": "array", "items": STRING},
            "requests": {"type": "array", "items": ref("ReviewRequest")},
            "links": closed({"self": LINK}),
        }
    ),
    "ReviewSession": closed(
        {"session": STRING, "expires_at": DATE_TIME, "links": closed({"review": LINK})}
    ),
    "OwnReviewRequest": closed(
        {
            "id": ID,
            "item": nullable(ID),
            "kind": enum(values(RequestKind)),
            "suggested": STRING,
            "comment": STRING,
            "status": enum(values(RequestStatus)),
            "reason": {"type": "string", "description": "Empty when it names anyone else."},
        }
    ),
    "MyReview": closed(
        {
            "person": PERSON,
            "series": {"type": "string", "description": "The series' title."},
            "number": ID,
            "date": DATE,
            "state": enum(STATES),
            "deadline": DATE_TIME,
            "approved_at": nullable(DATE_TIME),
            "published": {"type": "boolean"},
            "items": {
                "type": "array",
                "items": closed(
                    {
                        "id": ID,
                        "spoke": {"type": "boolean"},
                        "members": SHOWN,
                        "public": SHOWN,
                        "own_html": nullable(STRING),
                        "own_safe": {"type": "boolean"},
                        "held": {
                            "type": "boolean",
                            "description": "Held back while a facilitator checks it: no text.",
                        },
                        "editable": STRING,
                        "kinds": {"type": "array", "items": enum(values(RequestKind))},
                    }
                ),
            },
            "requests": {"type": "array", "items": ref("OwnReviewRequest")},
        }
    ),
    "ReviewConsent": closed(
        {
            "audience": enum(values(ConsentAudience)),
            "level": enum(values(Level)),
            "scope": enum(["meeting", "series", "everywhere"]),
        }
    ),
    "ReviewApproved": closed({"approved_at": nullable(DATE_TIME), "state": enum(STATES)}),
}

REQUESTS: dict[str, Schema] = {
    "OpenReview": example(
        closed({"deadline": {**DATE, "pattern": r"^\d{4}-\d{2}-\d{2}$"}}),
        {"deadline": "2099-01-01"},
    ),
    "AnswerRequest": example(
        closed(
            {
                "answer": enum(["accept", "decline"]),
                "reason": text(REASON_MAX, description="Required to decline; sent to the person."),
            },
            required=["answer"],
        ),
        {"answer": "decline", "reason": "The notes record what was said."},
    ),
    "AskForChange": example(
        closed(
            {
                "item": ID,
                "kind": enum(values(RequestKind)),
                "suggested": text(BODY_MAX, description="The text as you would have it."),
                "comment": text(COMMENT_MAX),
            },
            required=["item", "kind"],
        ),
        {"item": 1, "kind": "members_only", "comment": "Please keep this in the network."},
    ),
    "ReviewConsentChange": example(
        closed(
            {
                "audience": enum(values(ConsentAudience)),
                "level": enum(values(Level)),
                "scope": enum(["meeting", "series", "everywhere"]),
            }
        ),
        {"audience": "member", "level": "named", "scope": "meeting"},
    ),
}
