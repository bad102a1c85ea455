"""People who spoke or took part. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from notesbase import audit
from notesbase.db import db
from notesbase.disclosure.folding import fold
from notesbase.disclosure.words import term_problem
from notesbase.models import Member, Person
from notesbase.notes.errors import NotesError
from notesbase.text import clean_line

NAME_MAX = 200
_WHAT = {"name": "name", "affiliation": "affiliation", "descriptor": "description"}


@dataclass
class PersonFields:
    name: str
    affiliation: str = ""
    descriptor: str = ""
    email: str | None = None


def _clean(value: str | None) -> str:
    return clean_line(value)


def check_fields(fields: PersonFields) -> PersonFields:
    """Normalised fields, or NotesError naming the field that is wrong. A
    name, affiliation or descriptor is replaced wherever it is typed in the
    notes for those it is withheld from, so one that is a common word (or a
    stop word, or under three letters) is refused: it would rewrite every
    text ("the" as a descriptor)."""
    name = _clean(fields.name)
    if not name:
        raise NotesError("name", "Enter the person's name.")
    for field, value in (
        ("name", name),
        ("affiliation", _clean(fields.affiliation)),
        ("descriptor", _clean(fields.descriptor)),
    ):
        if len(value) > NAME_MAX:
            raise NotesError(field, f"At most {NAME_MAX} characters.")
        problem = term_problem(value, _WHAT[field]) if value else None
        if problem is not None:
            raise NotesError(field, problem)
    email = clean_line(fields.email).lower() or None
    if email is not None:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as error:
            raise NotesError("email", f"That is not a valid email address: {error}") from None
    return PersonFields(name, _clean(fields.affiliation), _clean(fields.descriptor), email)


def all_people() -> list[Person]:
    people = db.session.scalars(sa.select(Person)).all()
    return sorted(people, key=lambda p: (fold(p.name), p.id))


def find_by_name(name: str) -> Person | None:
    """The person with this name (ignoring case, accents and spacing), if one."""
    wanted = fold(name)
    matches = [p for p in db.session.scalars(sa.select(Person)) if fold(p.name) == wanted]
    return matches[0] if len(matches) == 1 else None


def person_for_member(member: Member) -> Person | None:
    return db.session.scalar(sa.select(Person).where(Person.member_id == member.id))


def create_person(fields: PersonFields, *, actor: Member | None) -> Person:
    fields = check_fields(fields)
    person = Person(
        name=fields.name,
        affiliation=fields.affiliation,
        descriptor=fields.descriptor,
        email=fields.email,
    )
    db.session.add(person)
    db.session.flush()
    audit.record("person.create", "person", person.id, actor=actor)
    return person


def update_person(person: Person, fields: PersonFields, *, actor: Member | None) -> bool:
    fields = check_fields(fields)
    changed = [
        name
        for name in ("name", "affiliation", "descriptor", "email")
        if getattr(person, name) != getattr(fields, name)
    ]
    if not changed:
        return False
    for name in changed:
        setattr(person, name, getattr(fields, name))
    db.session.flush()
    audit.record("person.update", "person", person.id, actor=actor, changed=changed)
    return True


def link_member(person: Person, member: Member | None, *, actor: Member | None) -> None:
    """Link ``person`` to a member account (or unlink with None)."""
    if member is not None:
        other = person_for_member(member)
        if other is not None and other.id != person.id:
            raise NotesError("member", "That member is already linked to another person.")
    person.member_id = member.id if member is not None else None
    db.session.flush()
    audit.record(
        "person.link",
        "person",
        person.id,
        actor=actor,
        member_id=member.id if member is not None else None,
    )
