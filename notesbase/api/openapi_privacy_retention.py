"""A series' retention schedule in the OpenAPI document. The limits are
the schedule's own (``notesbase.privacy.retention.schedule``), named here
in words, as the review's are."""

from __future__ import annotations

from typing import Any

from notesbase.api.openapi_types import (
    DATE,
    ID,
    LINK,
    STRING,
    Schema,
    closed,
    enum,
    nullable,
    values,
)
from notesbase.models import RetentionAction

MONTHS = {"type": "integer", "minimum": 1, "maximum": 600}
ACTIONS = enum(values(RetentionAction))

RESPONSES: dict[str, Schema] = {
    "RetentionSchedule": closed(
        {
            "series": STRING,
            "keep": {"type": "boolean"},
            "months": nullable(MONTHS),
            "action": nullable(ACTIONS),
            "description": STRING,
            "applied_up_to": nullable(closed({"action": ACTIONS, "date": DATE})),
            "links": closed({"self": LINK}),
        }
    ),
    "RetentionPreview": closed(
        {
            "series": STRING,
            "action": nullable(ACTIONS),
            "due": {"type": "integer", "minimum": 0},
            "meetings": {
                "type": "array",
                "items": closed(
                    {
                        "number": ID,
                        "date": DATE,
                        "changes": {
                            "type": "object",
                            "additionalProperties": {"type": "integer", "minimum": 0},
                        },
                        "made_confidential": {"type": "integer", "minimum": 0},
                    }
                ),
            },
        }
    ),
}

REQUESTS: dict[str, Schema] = {
    "SetRetention": {
        "oneOf": [
            closed({"keep": {"const": True}}, ["keep"]),
            closed(
                {"keep": {"const": False}, "months": MONTHS, "action": ACTIONS},
                ["months", "action"],
            ),
        ],
        "description": '`{"keep": true}` keeps the full notes until the schedule changes; '
        "otherwise the months after each meeting (calendar months, by the UTC date) and "
        "what happens then.",
        "examples": [{"months": 24, "action": "anonymise"}],
    }
}


def operations(guarded: Any, ok: Any) -> tuple[Any, ...]:
    """The schedule's operations, made by ``openapi``'s own helpers."""
    path = "/series/{slug}/retention"
    return (
        guarded("get", path, "The retention schedule", ok("RetentionSchedule")),
        guarded(
            "put",
            path,
            "Set the retention schedule (facilitators)",
            ok("RetentionSchedule"),
            body="SetRetention",
        ),
        guarded(
            "get",
            f"{path}/preview",
            "What the schedule would change now (facilitators; changes nothing)",
            ok("RetentionPreview"),
        ),
    )
