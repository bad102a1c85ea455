"""What a reviewer sees: each item that credits or names them, as each
audience sees it, and nothing else of the notes.

Everything shown comes from ``disclose``. The one exception is the
facilitators' text of an item the reviewer spoke (their own words), and even
that only when the matcher finds nobody else in it; otherwise they get the
members' rendering of it with themselves named and everyone else as members
see them (redacted passages cut). Confidential items are shown only to the
person who spoke them; an item that merely names the reviewer is shown only as
members see it, or not at all.

The leak check's people rules then read every text of an item the page
would show (``held``): when they find anyone but the reviewer in it (a
withheld person's first name alone, say, which ``disclose`` leaves), none
of the item's texts is shown until a facilitator fixes it (fail closed).
The reviewer may still ask for a change to it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from notesbase.disclosure import (
    Audience,
    Confidentiality,
    ConsentAudience,
    DisclosedItem,
    Grant,
    Level,
    Notes,
    disclose,
)
from notesbase.models import Item, Meeting, Person, RequestKind, Reviewer, utcnow
from notesbase.notes.facts import load_notes
from notesbase.publishing.leakcheck.draft import people_found
from notesbase.publishing.writeups.public import published_writeup
from notesbase.review.service import items_of, people_in


@dataclass(frozen=True)
class ShownReviewItem:
    """One of the reviewer's items. ``own_text`` is the facilitators' text
    when it names nobody else (``own_safe``), or else their members'
    rendering with them named; ``editable`` is what a correction starts from."""

    item: Item
    spoke: bool
    member: DisclosedItem | None
    public: DisclosedItem | None
    own_html: str | None
    own_safe: bool
    editable: str
    kinds: tuple[RequestKind, ...]
    held: bool = False


@dataclass(frozen=True)
class ReviewPage:
    person: Person
    meeting: Meeting
    items: list[ShownReviewItem]
    published: bool


def as_named(
    notes: Notes, person_id: int, facts_id: int, audience: Audience = Audience.MEMBER
) -> DisclosedItem | None:
    """The item as ``audience`` (members or the public) would see it if it
    were open and the person had let that audience name them: nobody else
    gains anything. Subject access reads a person's items through it too."""
    item = next(f for f in notes.items if f.id == facts_id)
    consent_audience = ConsentAudience(audience.value)
    grants = [
        g for g in notes.grants if not (g.person_id == person_id and g.audience is consent_audience)
    ]
    grants.append(
        Grant(
            person_id=person_id,
            audience=consent_audience,
            level=Level.NAMED,
            granted_at=utcnow(),
            meeting_id=notes.meeting_id,
        )
    )
    own = replace(notes, items=[replace(item, confidentiality=Confidentiality.OPEN)], grants=grants)
    shown = disclose(own, audience, keep=False).items
    return shown[0] if shown else None


def review_page(reviewer: Reviewer) -> ReviewPage:
    person = reviewer.person
    meeting = reviewer.round.meeting
    items = items_of(meeting)
    notes = load_notes(meeting, items)
    members = {i.id: i for i in disclose(notes, Audience.MEMBER).items}
    facilitators = {i.id: i for i in disclose(notes, Audience.FACILITATOR).items}
    public = published_writeup(meeting)
    in_public = {i.id: i for i in public.items} if public is not None else {}
    shown = []
    for item in items:
        named = people_in(item)
        if person.id not in named:
            continue
        spoke = item.speaker_id == person.id
        member = members.get(item.id)
        if not spoke and (member is None or item.confidentiality is Confidentiality.CONFIDENTIAL):
            continue
        own_html, own_safe, editable = None, False, ""
        if spoke:
            own_safe = named <= {person.id} and item.id in facilitators
            if own_safe:
                own_html = facilitators[item.id].body_html
                editable = item.body
            else:
                own = as_named(notes, person.id, item.id)
                own_html = own.body_html if own is not None else ""
                editable = own.body_text if own is not None else ""
        one = ShownReviewItem(
            item=item,
            spoke=spoke,
            member=member,
            public=in_public.get(item.id),
            own_html=own_html,
            own_safe=own_safe,
            editable=editable,
            kinds=request_kinds(item, spoke),
        )
        if _names_others(notes, one, person.id):
            one = held(one)
        shown.append(one)
    return ReviewPage(person, meeting, shown, public is not None)


def request_kinds(item: Item, spoke: bool) -> tuple[RequestKind, ...]:
    """What the reviewer may ask of this item: a correction and removal of
    their own words; members-only and confidential where that is stricter."""
    kinds = []
    if spoke:
        kinds.append(RequestKind.CORRECTION)
    if item.confidentiality is Confidentiality.OPEN:
        kinds.append(RequestKind.MEMBERS_ONLY)
    if item.confidentiality is not Confidentiality.CONFIDENTIAL:
        kinds.append(RequestKind.CONFIDENTIAL)
    if spoke:
        kinds.append(RequestKind.REMOVE)
    return tuple(kinds)


def _texts(one: ShownReviewItem) -> list[str]:
    views = [view for view in (one.member, one.public) if view is not None]
    texts = [text for view in views for text in (view.body_text, view.attribution or "")]
    return [*texts, one.own_html or "", one.editable]


def _names_others(notes: Notes, one: ShownReviewItem, person_id: int) -> bool:
    """Whether the leak check's people rules, for members (the widest
    audience a reviewer reads as), find anyone but the reviewer, or someone
    they cannot tell, in any text of ``one``."""
    return names_others(notes, _texts(one), person_id)


def names_others(
    notes: Notes, texts: list[str], person_id: int, audience: Audience = Audience.MEMBER
) -> bool:
    """Whether the leak check's people rules, for ``audience``, find anyone
    but the person, or someone they cannot tell, in any of ``texts``."""
    return any(
        not hit.people or set(hit.people) - {person_id}
        for text in texts
        for hit in people_found(notes, text, audience)
    )


def held(one: ShownReviewItem) -> ShownReviewItem:
    """``one`` with none of its texts: shown as held back."""
    return replace(one, member=None, public=None, own_html=None, editable="", held=True)
