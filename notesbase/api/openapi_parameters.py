"""The parameters of the OpenAPI document: the path's names, the search's
query and a consent withdrawal's."""

from __future__ import annotations

from typing import Any

from notesbase.api.openapi_schemas import SEARCH_KIND_VALUES
from notesbase.api.openapi_types import SERIES_SLUG_MAX, Schema, enum, values
from notesbase.disclosure import ConsentAudience
from notesbase.routing import INT_MAX
from notesbase.search.review_states import STATES as REVIEW_STATES
from notesbase.search.service import MAX_PAGE


def path_parameter(name: str, schema: Schema, example: Any) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, "example": example}


def query(name: str, schema: Schema, description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description, **extra}


ROW = {"type": "integer", "minimum": 0, "maximum": INT_MAX}  # 0 passes the router: a 404
PATH_PARAMETERS = {
    "slug": path_parameter("slug", {"type": "string", "maxLength": SERIES_SLUG_MAX}, "cop"),
    "number": path_parameter("number", ROW, 1),
    "item_id": path_parameter("item_id", ROW, 1),
    "person_id": path_parameter("person_id", ROW, 1),
    "request_id": path_parameter("request_id", ROW, 1),
}

SEARCH = (
    query(
        "q",
        {"type": "string", "maxLength": 300},
        'Words, "phrases", -excluded words, topic:, kind:, meeting: and date: filters.',
        example="data",
    ),
    query("series", {"type": "array", "items": {"type": "string"}}, "Series slugs.", explode=True),
    query("topic", {"type": "array", "items": {"type": "string"}}, "Topic slugs.", explode=True),
    query(
        "kind",
        {"type": "array", "items": enum(SEARCH_KIND_VALUES)},
        "Kinds of result.",
        explode=True,
    ),
    query(
        "meeting_from",
        {"type": "integer", "minimum": 1, "maximum": INT_MAX},
        "Lowest meeting number.",
    ),
    query(
        "meeting_to",
        {"type": "integer", "minimum": 1, "maximum": INT_MAX},
        "Highest meeting number.",
    ),
    query("from", {"type": "string"}, "From a date: 2025, 2025-03 or 2025-03-14."),
    query("to", {"type": "string"}, "Up to a date: 2025, 2025-03 or 2025-03-14."),
    query(
        "review",
        {"type": "array", "items": enum(list(REVIEW_STATES))},
        "Facilitators only (anyone else: 400): meetings of the series they facilitate whose"
        " latest review is in one of these states; `none`: never reviewed.",
        explode=True,
    ),
    query(
        "page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page number."
    ),
    query("sort", {"type": "string"}, "'date' for newest first; anything else ranks by relevance."),
)

WITHDRAW = (
    query(
        "audience",
        enum(values(ConsentAudience)),
        "The audience of the grant.",
        required=True,
        example="member",
    ),
    query("series", {"type": "string", "maxLength": SERIES_SLUG_MAX}, "The series of the scope."),
    query(
        "meeting",
        {"type": "integer", "minimum": 1, "maximum": 999_999_999},
        "A meeting number in `series`.",
    ),
)
