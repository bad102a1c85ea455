"""Producing a person's archive, audited (``person.subject_access``) with
who asked and through which channel. Flushes; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from notesbase import audit
from notesbase.models import Member, Person
from notesbase.privacy.subject_access.archive import build, file_name

WEB, API, COMMAND = "web", "api", "command line"


@dataclass(frozen=True)
class Archive:
    name: str
    data: bytes


def asked_as(actor: Member | None, person: Person) -> str:
    """Who asked, in the audit's words: the person themself, or a role."""
    if actor is None:
        return "command line"
    if person.member_id is not None and person.member_id == actor.id:
        return "self"
    return actor.role.value


def produce(person: Person, *, actor: Member | None, via: str) -> Archive:
    """The archive of ``person``, and its audit entry in the session."""
    archive = Archive(file_name(person), build(person))
    audit.record(
        "person.subject_access",
        "person",
        person.id,
        actor=actor,
        asked_by=asked_as(actor, person),
        via=via,
        size=len(archive.data),
    )
    return archive
