"""The OpenAPI 3.1 document of ``/api/v1``, served by the app at
``GET /api/v1/openapi.json``. It is built once from the same constants the
server validates with; a test checks that it names every route and nothing
else, and a schemathesis run checks the live server against it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request

from notesbase.api import openapi_privacy_access as privacy_access
from notesbase.api import openapi_privacy_erasure as erasure
from notesbase.api import openapi_privacy_retention as retention
from notesbase.api import openapi_review as review
from notesbase.api.blueprint import bp
from notesbase.api.idempotency import HEADER, KEEP_FOR, REPLAYED
from notesbase.api.openapi_parameters import PATH_PARAMETERS, SEARCH, WITHDRAW
from notesbase.api.openapi_schemas import REQUESTS, RESPONSES
from notesbase.api.openapi_types import Schema, ref
from notesbase.api_support.errors import MESSAGES
from notesbase.models.idempotency import KEY_MAX

OPENAPI_VERSION = "3.1.0"
CACHE_FOR = "public, max-age=3600"
BEARER = [{"bearer": []}]
PUBLIC = [{}, {"bearer": []}]  # no token needed; a token that is sent must be valid
REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    410: "Gone",
    413: "TooLarge",
    415: "NotJson",
    422: "Invalid",
    429: "TooManyRequests",
    503: "Unavailable",
}
BODY_ERRORS = (400, 413, 415, 422)
# Any write: a bad Idempotency-Key (400), a clash or a key in use (409), a
# body past the limit (413), a key already used for another request (422).
WRITE_ERRORS = (400, 409, 413, 422)
RETRY_AFTER = {"description": "Seconds to wait.", "schema": {"type": "string", "pattern": r"^\d+$"}}
IDEMPOTENCY_KEY = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Any string of your own (a random UUID is a good one) that makes this write safe to "
        "send again: the first successful answer is kept with the key, for "
        f"{KEEP_FOR.total_seconds() / 3600:.0f} hours, and a request sent again with the same "
        f"key gets that answer (marked `{REPLAYED}: true`) without the work being done twice. "
        "The same key with a different request is a 422; while a request holding the key is "
        "still at work, another one with it waits for its answer (409 after the lock "
        "timeout). A refusal (4xx) or a 503 keeps nothing: the key can be sent again. Keys "
        "are per token's member."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX, "pattern": "^[ -~]+$"},
    "example": "3f0c9d0e-5b1a-4c53-9a8e-8d2f7b6f4a10",
}
REPLAYED_HEADER = {
    "description": "Present (true) when this is the kept answer to an earlier request "
    "with the same Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}


def json_content(schema: Schema) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def error_response(status: int) -> dict[str, Any]:
    """The API's error shape, with ``status`` equal to the HTTP status."""
    schema = {
        "type": "object",
        "properties": {
            "error": {"allOf": [ref("ErrorDetail"), {"properties": {"status": {"const": status}}}]}
        },
        "required": ["error"],
        "additionalProperties": False,
    }
    response: dict[str, Any] = {
        "description": MESSAGES.get(status, ""),
        "content": json_content(schema),
    }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {
                "required": True,
                "schema": {"type": "string", "pattern": "^Bearer "},
            }
        }
    elif status == 503:
        response["headers"] = {"Retry-After": {**RETRY_AFTER, "required": True}}
        response["description"] = (
            "The database is busy or unreachable. The message says what became of a write: "
            "nothing was changed; or the connection was lost while saving, so the outcome is "
            "unknown (send it again with the same Idempotency-Key, or check first)."
        )
    elif status in (409, 429):
        response["headers"] = {"Retry-After": RETRY_AFTER}
    return response


def answer(schema_name: str | None, description: str, *, created: bool = False) -> dict[str, Any]:
    """A success response: JSON of ``schema_name`` (None: no body)."""
    response: dict[str, Any] = {"description": description}
    if schema_name is not None:
        response["content"] = json_content(ref(schema_name))
    if created:
        response["headers"] = {
            "Location": {"required": True, "schema": {"type": "string", "format": "uri-reference"}}
        }
    return response


def ok(schema_name: str) -> dict[str, Any]:
    return {"200": answer(schema_name, "OK.")}


def created(schema_name: str) -> dict[str, Any]:
    return {"201": answer(schema_name, "Created.", created=True)}


DONE = {"204": answer(None, "Done; no body.")}


@dataclass(frozen=True)
class Operation:
    """What sets one operation apart; the rest follows from the API's rules:
    401 and 503 anywhere (an invalid token is refused even where none is
    needed; the database may be busy), 404 wherever the path names something,
    400/409/413/422 and the Idempotency-Key header for any write,
    400/413/415/422 wherever a JSON body is read, 403 wherever a token is needed."""

    method: str
    path: str
    summary: str
    answers: dict[str, Any]
    public: bool  # no token needed; else a token whose member has the role (or is the person)
    security: tuple[dict[str, list[str]], ...] = ()  # another credential than a bearer token
    body: str | None = None  # the request body's schema
    query: tuple[dict[str, Any], ...] = ()
    also: tuple[int, ...] = ()  # statuses no rule above implies

    @property
    def writes(self) -> bool:
        return self.method != "get"

    def statuses(self) -> list[int]:
        implied = {401, 503, *self.also}
        implied |= {404} if "{" in self.path else set()
        implied |= set(WRITE_ERRORS) if self.writes else set()
        implied |= {403} if not self.public else set()
        implied |= set(BODY_ERRORS) if self.body else set()
        return sorted(implied)

    def successes(self) -> dict[str, Any]:
        """The success answers; a write's may be a replay."""
        if not self.writes:
            return self.answers
        return {
            status: {**answer, "headers": {**answer.get("headers", {}), REPLAYED: REPLAYED_HEADER}}
            for status, answer in self.answers.items()
        }

    def document(self) -> dict[str, Any]:
        errors = {str(s): {"$ref": f"#/components/responses/{REASONS[s]}"} for s in self.statuses()}
        names = re.findall(r"{(\w+)}", self.path)
        op: dict[str, Any] = {
            "summary": self.summary,
            "tags": [tag_of(self.path)],
            "security": list(self.security) or (PUBLIC if self.public else BEARER),
            "responses": {**self.successes(), **errors},
        }
        parameters = [PATH_PARAMETERS[name] for name in names] + list(self.query)
        if self.writes:
            parameters.append(IDEMPOTENCY_KEY)
        if parameters:
            op["parameters"] = parameters
        if self.body:
            optional = self.body in OPTIONAL_BODIES
            op["requestBody"] = {"required": not optional, "content": json_content(ref(self.body))}
        return op


def tag_of(path: str) -> str:
    tags = (
        ("/subject-access", "data protection"),
        ("/privacy", "data protection"),
        ("/review", "review rounds"),
        ("/retention", "retention"),
        ("/writeup", "write-ups"),
        ("/items", "notes"),
        ("/people", "people"),
    )
    for part, tag in tags:
        if part in path:
            return tag
    return "series and meetings" if path.startswith("/series") else "search and document"


def public(path: str, summary: str, answers: dict[str, Any], **more: Any) -> Operation:
    return Operation("get", path, summary, answers, public=True, **more)


def guarded(
    method: str, path: str, summary: str, answers: dict[str, Any], **more: Any
) -> Operation:
    return Operation(method, path, summary, answers, public=False, **more)


OPTIONAL_BODIES = {"PublishWriteup"}
M = "/series/{slug}/meetings/{number}"
LINK = ({"reviewLink": []},)
SPEAKER = {"security": ({"reviewSession": []},), "also": (410,)}
PERSON = "/people/{person_id}"
ADDED = {**ok("MemberAdded"), "201": answer("MemberAdded", "Added.")}
DOCUMENT_ANSWERS = {
    "200": {"description": "This document.", "content": json_content({"type": "object"})},
    "304": answer(None, "Unchanged since the ETag sent in If-None-Match."),
}
OPERATIONS = (
    public("/series", "Every series, with its number of meetings", ok("SeriesList")),
    guarded("post", "/series", "Create a series", created("Series"), body="NewSeries"),
    public("/series/{slug}", "One series", ok("Series")),
    public("/series/{slug}/meetings", "The public details of its meetings", ok("MeetingList")),
    guarded(
        "post", "/series/{slug}/meetings", "Create a meeting", created("Meeting"), body="NewMeeting"
    ),
    public(M, "A meeting; its notes for the series' members", ok("MeetingWithNotes")),
    guarded("post", f"{M}/items", "Add an item", created("CreatedItem"), body="NewItem"),
    public(f"{M}/writeup", "The published write-up", ok("Writeup")),
    guarded(
        "put",
        f"{M}/writeup",
        "Write the draft: summary and items (leak check first once published)",
        ok("WriteupDraft"),
        body="SaveWriteup",
    ),
    guarded(
        "post", f"{M}/writeup", "Publish (leak check first)", ok("Writeup"), body="PublishWriteup"
    ),
    guarded("delete", f"{M}/writeup", "Unpublish the write-up", DONE),
    guarded(
        "post",
        "/series/{slug}/members",
        "Add an account (200: in already)",
        ADDED,
        body="NewMember",
    ),
    guarded("get", "/items/{item_id}", "An item as facilitators see it", ok("ItemDetail")),
    guarded(
        "patch", "/items/{item_id}", "Change the fields sent", ok("ItemDetail"), body="ItemChange"
    ),
    guarded("delete", "/items/{item_id}", "Delete an item", DONE),
    guarded("post", "/people", "Record a person", created("Created"), body="NewPerson"),
    guarded("get", PERSON, "A person", ok("PersonDetail")),
    guarded("get", f"{PERSON}/consent", "Their active consent grants", ok("GrantList")),
    guarded(
        "put", f"{PERSON}/consent", "Grant a level in a scope", ok("Grant"), body="ConsentGrant"
    ),
    guarded("delete", f"{PERSON}/consent", "Withdraw a grant", DONE, query=WITHDRAW, also=(422,)),
    public(
        "/search",
        "Search what the caller may read",
        ok("SearchPage"),
        query=SEARCH,
        also=(400, 429, 503),
    ),
    public("/openapi.json", "This document", DOCUMENT_ANSWERS),
    guarded("get", f"{M}/review", "The review: who was asked and answered", ok("ReviewState")),
    guarded(
        "post",
        f"{M}/review",
        "Open a review: each person is emailed their link",
        created("ReviewState"),
        body="OpenReview",
    ),
    guarded("post", f"{M}/review/close", "Close the review", ok("ReviewState")),
    guarded(
        "post",
        f"{M}/review/requests/{{request_id}}",
        "Accept or decline a request (the person is emailed)",
        ok("ReviewRequest"),
        body="AnswerRequest",
    ),
    guarded(
        "post",
        "/review/session",
        "Use a review link (once) for a session",
        created("ReviewSession"),
        security=LINK,
        also=(410,),
    ),
    guarded("get", "/review/me", "What the reviewer's page shows", ok("MyReview"), **SPEAKER),
    guarded(
        "post",
        "/review/me/requests",
        "Ask for a change to one of your items",
        created("OwnReviewRequest"),
        body="AskForChange",
        **SPEAKER,
    ),
    guarded(
        "put",
        "/review/me/consent",
        "Set how you are credited",
        ok("ReviewConsent"),
        body="ReviewConsentChange",
        **SPEAKER,
    ),
    guarded("post", "/review/me/approve", "Approve the record", ok("ReviewApproved"), **SPEAKER),
)


def paths() -> dict[str, Any]:
    document: dict[str, Any] = {}
    privacy = (
        *privacy_access.operations(guarded, public, ok),
        *retention.operations(guarded, ok),
        *erasure.operations(guarded, ok),
    )
    for operation in (*OPERATIONS, *privacy):
        document.setdefault(operation.path, {})[operation.method] = operation.document()
    return document


def build_document() -> dict[str, Any]:
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "notesbase API",
            "version": "1",
            "description": "Notes of meetings held under the Chatham House Rule, as each "
            "caller's audience may see them. Without a token you are the public.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": BEARER,
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "An API token: `notesbase token create EMAIL`, "
                        "or Your account → API tokens."
                    ),
                }
            },
            "schemas": {
                **RESPONSES,
                **REQUESTS,
                **review.RESPONSES,
                **review.REQUESTS,
                **erasure.RESPONSES,
                **erasure.REQUESTS,
                **privacy_access.RESPONSES,
                **privacy_access.REQUESTS,
                **retention.RESPONSES,
                **retention.REQUESTS,
            },
            "responses": {name: error_response(status) for status, name in REASONS.items()},
        },
    }


DOCUMENT = build_document()
DOCUMENT_JSON = json.dumps(DOCUMENT, ensure_ascii=False, separators=(",", ":"))
ETAG = hashlib.sha256(DOCUMENT_JSON.encode()).hexdigest()[:32]


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The document: the same for everyone, so caches may keep it."""
    response = current_app.response_class(DOCUMENT_JSON, mimetype="application/json")
    response.headers["Cache-Control"] = CACHE_FOR
    response.set_etag(ETAG)
    return response.make_conditional(request)
