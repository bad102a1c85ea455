"""Subject access and the privacy notice in the OpenAPI document: the
archive's answer (a zip, not JSON) and the notice's schemas. The privacy
package sits above the API, which names it only here, in words."""

from __future__ import annotations

from typing import Any

from notesbase.api.openapi_types import STRING, Schema, closed, example, text

NOTICE_MAX = 20_000  # the notice's limit, as ``notesbase.privacy.notice.service`` sets it

ARCHIVE: dict[str, Any] = {
    "200": {
        "description": "The archive: a zip holding subject-access.json and report.md. "
        "The download is recorded in the audit log.",
        "headers": {
            "Content-Disposition": {
                "required": True,
                "schema": {"type": "string", "pattern": "^attachment; filename="},
            },
            "Cache-Control": {"required": True, "schema": {"type": "string", "const": "no-store"}},
        },
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}

RESPONSES: dict[str, Schema] = {
    "PrivacyNotice": closed(
        {
            "text": {"type": "string", "description": "The notice in Markdown."},
            "html": {"type": "string", "description": "The notice as sanitised HTML."},
            "default": {"type": "boolean", "description": "No admin has set its text."},
            "retention": {
                "type": "array",
                "items": closed({"series": STRING, "schedule": STRING}),
            },
        }
    ),
}

REQUESTS: dict[str, Schema] = {
    "PrivacyNoticeChange": example(
        closed(
            {"text": text(NOTICE_MAX, description="Markdown; empty for the default text.")},
            required=["text"],
        ),
        {"text": "## What we keep\n\nThe notes of each meeting."},
    ),
}


def operations(guarded: Any, public: Any, ok: Any) -> tuple[Any, ...]:
    """The archive's and the notice's operations, made by ``openapi``'s own helpers."""
    return (
        guarded(
            "get",
            "/people/{person_id}/subject-access",
            "Everything held about a person, as one zip (audited)",
            ARCHIVE,
        ),
        guarded(
            "get",
            "/me/subject-access",
            "Everything held about you, as one zip (audited)",
            ARCHIVE,
            also=(404,),
        ),
        public("/privacy", "The privacy notice and each series' retention", ok("PrivacyNotice")),
        guarded(
            "put",
            "/privacy",
            "Set the privacy notice's text (admins)",
            ok("PrivacyNotice"),
            body="PrivacyNoticeChange",
        ),
    )
