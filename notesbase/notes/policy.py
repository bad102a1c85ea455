"""Who reads a series' notes, and as which audience. The one place that
decides; pages, the API and every later channel ask here."""

from __future__ import annotations

from notesbase.disclosure import Audience
from notesbase.models import Member, Person, Series


def notes_audience(member: Member | None, series: Series) -> Audience | None:
    """The audience ``member`` reads ``series``' notes as, or None when they
    may not read them at all (the public, members of other series)."""
    if member is None or not member.active:
        return None
    if member.is_facilitator:
        return Audience.FACILITATOR
    if any(s.id == series.id for s in member.series):
        return Audience.MEMBER
    return None


def can_write_notes(member: Member | None) -> bool:
    return member is not None and member.active and member.is_facilitator


def can_set_consent(member: Member | None, person: Person) -> bool:
    """Facilitators record consent for anyone; a member for the person they are."""
    if member is None or not member.active:
        return False
    if member.is_facilitator:
        return True
    return person.member_id is not None and person.member_id == member.id
