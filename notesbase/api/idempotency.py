"""``Idempotency-Key``: a write sent again with the same key gets the first
answer instead of being done twice.

The key is claimed by the first statement of the write's transaction (a row
with no answer yet), the view does the work, and the answer is written into
that row just before the one COMMIT (``unit_of_work``): the work and its key
commit together or not at all. A second request with the same key waits on
the claim: PostgreSQL holds its insert until the first transaction ends (up
to ``DATABASE_LOCK_TIMEOUT``, then 409 "in progress"), SQLite's write lock
does the same; then it finds the answer and replays it. A refusal or a 503
changed nothing and keeps nothing: sending it again does the work then.

Keys belong to the member behind the token, and are kept ``KEEP_FOR``."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, current_app, g, request
from sqlalchemy.dialects import postgresql, sqlite

from notesbase.api.blueprint import bp
from notesbase.api_support.errors import ApiError, error_response
from notesbase.api_support.payload import MAX_BODY
from notesbase.db import SAFE_METHODS, db
from notesbase.models import IdempotencyKey, Member, utcnow
from notesbase.models.idempotency import KEY_MAX, PATH_MAX
from notesbase.notes import items

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEEP_FOR = timedelta(hours=24)
PRUNE_EVERY = 60.0  # seconds between two prunes of expired keys, per process
KEPT_HEADERS = ("Content-Type", "Location", "ETag")
# The header's value as HTTP leaves it (surrounding spaces are not part of it).
KEY_PATTERN = rf"[\x20-\x7e]{{1,{KEY_MAX}}}"
_PRINTABLE = re.compile(KEY_PATTERN)
_CLAIM = "api_idempotency_claim"
_LOCK_NOT_AVAILABLE = "55P03"
IN_PROGRESS = (
    "A request with this Idempotency-Key is still in progress; "
    "send it again in a moment to get its answer."
)
OTHER_REQUEST = (
    "This Idempotency-Key was already used for a different request (another method, "
    "path, query or body, or your account had another role then). "
    "Use a new key for a new request."
)
BAD_KEY = (
    f"An {HEADER} is 1 to {KEY_MAX} printable ASCII characters (letters, digits, "
    "punctuation, spaces); a random UUID is a good key."
)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    row_id: int
    key: str


def requested_key() -> str | None:
    """The key sent, None without the header; 400 for one that is not
    printable ASCII of the right length."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not _PRINTABLE.fullmatch(value):
        raise ApiError(400, BAD_KEY)
    return value


def current_key() -> str | None:
    """The key this request claimed, if any."""
    claim = g.get(_CLAIM)
    return claim.key if claim is not None else None


def fingerprint(member: Member) -> str:
    """SHA-256 of the caller's role, the method, path, query and body (a
    JSON body by its meaning, so the order of its keys or its spacing does
    not count). The role counts: a member whose role was lowered since gets
    no replay of what only the higher role could see."""
    length = request.content_length
    if length is not None and length > MAX_BODY:
        raise ApiError(413, f"The body is at most {MAX_BODY:,} bytes.")
    body = request.get_data(cache=True)
    if len(body) > MAX_BODY:
        raise ApiError(413, f"The body is at most {MAX_BODY:,} bytes.")
    digest = hashlib.sha256()
    query = request.query_string.decode("latin-1")
    for part in (member.role.value, request.method, request.path, query):
        digest.update(part.encode("utf-8", "replace") + b"\0")
    digest.update(_canonical(body))
    return digest.hexdigest()


def _canonical(body: bytes) -> bytes:
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return b"raw\0" + body
    return b"json\0" + json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()


def claim(member: Member, key: str) -> Response | None:
    """Claim ``key`` for this request (None: go on and do the work), or the
    answer to give instead: the stored one replayed, 422 for a key used for
    another request, 409 while another request holds it too long."""
    prune_expired()  # first: its own transaction, before this request's begins
    request_hash = fingerprint(member)
    now = utcnow()
    try:
        row_id = _insert(member.id, key, request_hash)
        if row_id is None:
            row = db.session.scalar(
                sa.select(IdempotencyKey).where(
                    IdempotencyKey.member_id == member.id, IdempotencyKey.key == key
                )
            )
            if row is not None and row.created_at >= now - KEEP_FOR:
                return _answer(row, request_hash)
            if row is not None:  # expired, not pruned yet: a new key
                db.session.delete(row)
                db.session.flush()
            row_id = _insert(member.id, key, request_hash)
    except sa.exc.OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        db.session.rollback()
        return _in_progress()
    if row_id is None:  # claimed again meanwhile, by a request still at work
        return _in_progress()
    setattr(g, _CLAIM, Claim(row_id, key))
    return None


def _insert(member_id: int, key: str, request_hash: str) -> int | None:
    """Insert the claim; None when a committed row holds the key already."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    statement = (
        dialect.insert(IdempotencyKey)
        .values(
            member_id=member_id,
            key=key,
            request_hash=request_hash,
            path=request.path[:PATH_MAX],
            status=None,
            body="",
            headers={},
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["member_id", "key"])
        .returning(IdempotencyKey.id)
    )
    return db.session.execute(statement).scalar()


def _answer(row: IdempotencyKey, request_hash: str) -> Response:
    if row.request_hash != request_hash:
        raise ApiError(422, OTHER_REQUEST, {HEADER: OTHER_REQUEST})
    if row.status is None:
        return _in_progress()
    response = current_app.response_class(row.body, status=row.status)
    for name, value in row.headers.items():
        response.headers[name] = value
    response.headers[REPLAYED] = "true"
    return response


def _in_progress() -> Response:
    response = error_response(409, IN_PROGRESS)
    response.headers["Retry-After"] = "1"
    return response


def record(response: Response) -> None:
    """Write the answer into this request's claim, if it made one (flushed:
    it commits with the work)."""
    claimed = g.get(_CLAIM)
    if claimed is None:
        return
    row = db.session.get(IdempotencyKey, claimed.row_id)
    if row is None:
        raise RuntimeError("the claimed idempotency key is gone from this transaction")
    row.status = response.status_code
    row.body = response.get_data(as_text=True)
    kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    row.headers = kept
    db.session.flush()


_pruned_at: dict[str, float] = {}
_prune_lock = threading.Lock()


def prune_expired(force: bool = False) -> int:
    """Delete keys past ``KEEP_FOR``, at most once a ``PRUNE_EVERY`` per
    process and database, in a short transaction of its own: never while
    the request's session is in one (on SQLite it would wait for the lock
    its own request holds). Housekeeping: a busy database skips it."""
    if db.session.in_transaction():
        return 0
    url = str(db.engine.url)
    with _prune_lock:
        last = _pruned_at.get(url)
        if not force and last is not None and time.monotonic() - last < PRUNE_EVERY:
            return 0
        _pruned_at[url] = time.monotonic()
    try:
        with db.engine.begin() as connection:
            deleted = connection.execute(
                sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEEP_FOR)
            )
    except sa.exc.OperationalError:
        log.info("expired idempotency keys not pruned (database busy)")
        return 0
    return deleted.rowcount or 0


def forget_item(_sender: object, *, item_id: int) -> None:
    """Forget the kept answers to writes of an item whose text was just
    deleted or purged (a change's answer holds the item's Markdown): a
    purge leaves no copy, not even one a retry could replay. In the purge's
    own transaction; a claim still at work (this very request's) stays."""
    db.session.execute(
        sa.delete(IdempotencyKey).where(
            IdempotencyKey.path == f"{bp.url_prefix}/items/{item_id}",
            IdempotencyKey.status.is_not(None),
        )
    )


items.text_removed.connect(forget_item)


@bp.before_app_request
def prune_on_writes() -> None:
    """Every write, on a page as in the API, prunes expired keys (at most once
    a ``PRUNE_EVERY`` per process): kept answers do not outlive ``KEEP_FOR``
    because no API write came along."""
    if request.method not in SAFE_METHODS:
        prune_expired()
