"""Erasure in the OpenAPI document: the preview's query, the request and
the result (``notesbase.privacy.erasure.api``), described here in words."""

from __future__ import annotations

from typing import Any

from notesbase.api.openapi_parameters import query
from notesbase.api.openapi_types import COUNT, DATE_TIME, ID, STRING, Schema, closed, enum

CHOICES = ["remove", "anonymise"]
DEFAULT = (
    query(
        "default",
        enum(CHOICES),
        "What becomes of the items that credit the person (default: anonymise).",
        example="anonymise",
    ),
)
PLANNED = closed(
    {
        "id": ID,
        "series": STRING,
        "meeting": ID,
        "credits": {"type": "boolean"},
        "choice": enum(CHOICES),
    }
)
BACKUP = closed({"path": STRING, "written_at": DATE_TIME, "ages_out": DATE_TIME})

RESPONSES: dict[str, Schema] = {
    "ErasureResult": closed(
        {
            "person": ID,
            "dry_run": {"type": "boolean"},
            "items": {"type": "array", "items": PLANNED},
            "removed": COUNT,
            "anonymised": COUNT,
            "made_confidential": {"type": "array", "items": ID},
            "rows": {"type": "object", "additionalProperties": COUNT},
            "audit_events": COUNT,
            "outbox_messages": COUNT,
            "member_account": {"type": "boolean"},
            "backups": {"type": "array", "items": BACKUP},
            "not_erasable": {"type": "array", "items": STRING},
        }
    )
}
REQUESTS: dict[str, Schema] = {
    "Erasure": {
        **closed(
            {
                "default": enum(CHOICES),
                "items": {
                    "type": "object",
                    "description": "Item id to choice, overriding the default for that item.",
                    "additionalProperties": enum(CHOICES),
                },
            },
            required=[],
        ),
        "examples": [{"default": "anonymise", "items": {}}],
    }
}


def operations(guarded: Any, ok: Any) -> tuple[Any, ...]:
    """The two operations, made by ``openapi``'s own helpers."""
    path = "/people/{person_id}/erasure"
    return (
        guarded(
            "get",
            path,
            "Preview erasing a person (admins)",
            ok("ErasureResult"),
            query=DEFAULT,
            also=(422,),
        ),
        guarded(
            "post", path, "Erase a person for good (admins)", ok("ErasureResult"), body="Erasure"
        ),
    )
