"""An erasure's files: the email outbox's messages that carry the person
(deleted: a rewritten copy of a sent message would misstate what was sent),
the search index and the database's freed space, and the backups that
cannot be erased.

The database commits first; the files follow. So that a crash between the
two leaves nothing behind, the file work is written down before the
commit, in ``instance/erasure-pending/``, by the person's id and the file
names only (nothing that identifies them): ``finish_pending`` completes it
once the person is gone, or drops it when their erasure never committed
(ids are never reused). Every erasure, and ``notesbase erase --finish``,
finishes what an earlier one left."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from notesbase import private_files
from notesbase.db import db
from notesbase.disclosure.facts import PersonFacts
from notesbase.models import AuditEvent, Base, Person
from notesbase.notes.items import clear_freed_space
from notesbase.privacy.erasure.texts import any_names
from notesbase.publishing.circulation.mail_settings import OUTBOX_FOLDER

PENDING_FOLDER = "erasure-pending"
log = logging.getLogger(__name__)


def outbox_folder(app: Flask) -> Path:
    return Path(app.instance_path) / OUTBOX_FOLDER


def _message_texts(data: bytes) -> list[str]:
    """Every header and text part of a message, decoded."""
    message = message_from_bytes(data, policy=policy.default)
    texts = [f"{name}: {value}" for name, value in message.items()]
    assert isinstance(message, EmailMessage)
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                texts.append(str(part.get_content()))  # type: ignore[attr-defined]
            except (LookupError, ValueError):
                texts.append(part.get_payload(decode=True).decode("utf-8", "replace"))  # type: ignore[union-attr]
    texts.append(data.decode("utf-8", "replace"))
    return texts


def outbox_carrying(app: Flask, facts: PersonFacts) -> list[str]:
    """The names of the outbox's messages that carry the person anywhere."""
    folder = outbox_folder(app)
    if not folder.is_dir():
        return []
    return sorted(
        path.name
        for path in folder.glob("*.eml")
        if path.is_file() and any_names(_message_texts(path.read_bytes()), facts)
    )


def write_pending(app: Flask, person_id: int, messages: list[str]) -> Path:
    """Write down the file work of an erasure before its commit."""
    folder = Path(app.instance_path) / PENDING_FOLDER
    private_files.make_folder(folder, exist_ok=True)
    path = folder / f"person-{person_id}.json"
    text = json.dumps({"person_id": person_id, "outbox": messages})
    private_files.write_replacing(path, text)
    return path


def finish_pending(app: Flask) -> int:
    """Complete the file work of every committed erasure; drop the notes of
    those that never committed. How many erasures were finished."""
    folder = Path(app.instance_path) / PENDING_FOLDER
    if not folder.is_dir():
        return 0
    finished = 0
    for path in sorted(folder.glob("person-*.json")):
        try:
            work = json.loads(path.read_text(encoding="utf-8"))
            person_id = int(work["person_id"])
            names = [str(n) for n in work.get("outbox", [])]
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("erasure: unreadable pending file %s left for an operator", path.name)
            continue
        gone = db.session.get(Person, person_id) is None
        db.session.rollback()  # no read may hold the checkpoint back
        if gone:
            for name in names:
                (outbox_folder(app) / Path(name).name).unlink(missing_ok=True)
            clear_database_space()
            finished += 1
        path.unlink(missing_ok=True)
    return finished


def clear_database_space() -> None:
    """No copy of a rewritten or deleted row left in the database's files.
    SQLite: ``secure_delete`` overwrote them; the WAL is checkpointed and
    truncated. PostgreSQL: every table is rewritten (``VACUUM FULL``,
    which locks each table while it runs) and analysed again, so neither
    dead rows nor the planner's samples keep the old values."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        _checkpoint(engine)
        return
    clear_freed_space()
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        autocommit.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {names}")
        # The statistics' own dead rows; refused (a warning) unless superuser.
        autocommit.exec_driver_sql("VACUUM FULL pg_catalog.pg_statistic")


def _checkpoint(engine: sa.Engine, attempts: int = 50) -> None:
    """Checkpoint and truncate the WAL, waiting for readers to let go; a
    reader that never does is logged, and the next erasure tries again."""
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        for _ in range(attempts):
            busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                return
            time.sleep(0.1)
    log.warning("erasure: the WAL could not be truncated (a reader held it); run it again")


@dataclass(frozen=True)
class Backup:
    """A backup written before the erasure, which still holds the person."""

    path: str
    written_at: datetime
    ages_out: datetime


def backups_before(when: datetime, keep_days: int) -> list[Backup]:
    """Backups recorded (``backup.write``) before ``when`` that have not yet
    aged out by ``keep_days``."""
    found = []
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "backup.write", AuditEvent.at <= when)
        .order_by(AuditEvent.at)
    )
    for event in events:
        ages_out = event.at + timedelta(days=keep_days)
        if ages_out > when:
            found.append(Backup(str((event.details or {}).get("path", "")), event.at, ages_out))
    return found
