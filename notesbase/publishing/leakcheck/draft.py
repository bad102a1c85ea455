"""The leak check's people rules on an item as it is being typed, before it
is saved: names, parts of names, affiliations, descriptors and email
addresses that an audience who would read the item may not see.

For each audience (members for open and members-only items, the public too
for open ones; a confidential item reaches nobody but facilitators) the
draft goes through ``disclose`` as it would be shown, and ``PeopleCheck``
reads what that audience would get, as the leak check does at circulation
and publication: a first name or surname alone is a finding, a full name
``disclose`` already replaces is not. Each finding is then found where it
was typed, so the editor can mark it: the draft's own words are matched by
the same ``PeopleCheck``, and each is kept only where it reaches the
audience (a span hiding it, or ``disclose`` replacing it, leaves it out).
Whether a place reaches the audience is read by putting a made-up word in
its place and looking for that word in what ``disclose`` gives; words the
audience gets that cannot be traced to one place (a name split by
emphasis marks, "Ja**ne**") are findings without a place.

Nothing here reads the request or the database, and nothing writes the
draft anywhere: ``disclose`` is asked not to keep it (``keep=False``), so
checks made at every pause in typing do not push out the bodies it keeps
for pages and search. (The leak check's small caches of words read, in
``text`` and ``secrets``, hold recent texts in memory as they do
for any text it reads.)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from notesbase.disclosure import Audience, Confidentiality, ItemFacts, Kind, Notes, disclose
from notesbase.disclosure.facts import DisclosedItem
from notesbase.disclosure.render import attribute_values
from notesbase.publishing.leakcheck import text as leak_text
from notesbase.publishing.leakcheck.fixes import hidden_body, hiding_level, span_places, stricter
from notesbase.publishing.leakcheck.keys import match_key
from notesbase.publishing.leakcheck.people import Hit, PeopleCheck

BODY = "body"
SECTION = "section"
# The audiences a finding is reported for, the strictest fix first.
ORDER = (Audience.MEMBER, Audience.PUBLIC)
NEW_ITEM = 0  # the id a draft of a new item has (stored ids start at 1)


@dataclass(frozen=True)
class Draft:
    """An item as the editor's form holds it, not saved."""

    body: str
    section: str = ""
    confidentiality: Confidentiality = Confidentiality.OPEN
    speaker_id: int | None = None
    item_id: int | None = None
    position: int = 1
    kind: Kind = Kind.POINT

    def facts(self, body: str | None = None, section: str | None = None) -> ItemFacts:
        return ItemFacts(
            id=self.item_id or NEW_ITEM,
            position=self.position,
            kind=self.kind,
            body=self.body if body is None else body,
            confidentiality=self.confidentiality,
            section=self.section if section is None else section,
            speaker_id=self.speaker_id,
        )


@dataclass(frozen=True)
class Refusal:
    """An audience that may not see the words, and why (``Term.why``)."""

    audience: Audience
    why: str


@dataclass(frozen=True)
class SpanFix:
    """The words, wherever they stand as typed in the body, as a span of
    ``level``: ``places`` are where the spans go (``fixes.hidden_body``
    has checked that this is safe)."""

    level: Confidentiality
    places: tuple[tuple[int, int], ...]


@dataclass
class DraftFinding:
    """Words of the draft an audience who would read it may not see.
    ``start``/``end`` are where they stand in ``field`` ("body" or
    "section"), None when what the audience gets holds them but they
    cannot be traced to one place in what was typed."""

    field: str
    start: int | None
    end: int | None
    text: str
    rule: str
    people: tuple[int, ...] = ()
    refusals: list[Refusal] = field(default_factory=list)
    span: SpanFix | None = None
    item_level: Confidentiality | None = None

    @property
    def why(self) -> str:
        """Why, for the strictest audience that may not see it."""
        return self.refusals[0].why

    @property
    def audiences(self) -> list[Audience]:
        return [refusal.audience for refusal in self.refusals]


def audiences_of(draft: Draft, checked: Iterable[Audience]) -> list[Audience]:
    """The audiences among ``checked`` (those the leak check has channels
    for) that would read the draft: none for a confidential item."""
    wanted = set(checked)
    return [a for a in ORDER if a in wanted and draft.confidentiality.visible_to(a)]


def check_draft(notes: Notes, draft: Draft, audiences: Iterable[Audience]) -> list[DraftFinding]:
    """Every finding in ``draft`` for the audiences among ``audiences``
    that would read it, judged against ``notes``' people and grants (its
    items are not read), in the order they stand in the draft."""
    found: dict[tuple[object, ...], DraftFinding] = {}
    for audience in audiences_of(draft, audiences):
        for finding in _findings(notes, draft, audience):
            key = (finding.field, finding.start, finding.end, finding.rule, finding.text)
            mine = found.setdefault(key, finding)
            if mine is not finding:
                mine.refusals.extend(finding.refusals)
    findings = list(found.values())
    for finding in findings:
        _offer_fixes(finding, draft)
    fields = (BODY, SECTION)
    return sorted(
        findings,
        key=lambda f: (fields.index(f.field), f.start is None, f.start or 0, f.rule),
    )


@lru_cache(maxsize=16)
def _people_check(notes: Notes, audience: Audience) -> PeopleCheck:
    """The people rules for ``audience``; building them for hundreds of
    people costs more than a check, and typing asks again and again with
    the same people and grants. (The text that credits people, which only
    lists of who attended are read against, is not a draft's concern.)"""
    return PeopleCheck(notes, audience, "")


def _findings(notes: Notes, draft: Draft, audience: Audience) -> list[DraftFinding]:
    """The findings of one audience, each with that audience's refusal."""
    people = _people_check(_people_only(notes), audience)
    shown = _shown(notes, draft.facts(), audience)
    if shown is None or not people.terms:
        return []
    # What the audience gets: the words of each rule found in it.
    got: dict[tuple[str, str], Hit] = {}
    for text in _texts(shown):
        for reading in leak_text.readings(text):
            for hit in people.hits(reading):
                got.setdefault((hit.rule, match_key(hit.match)), hit)
    if not got:
        return []
    typed = {BODY: people.hits(draft.body), SECTION: people.hits(draft.section)}
    reaching = _reaching(notes, draft, audience, typed)
    findings: list[DraftFinding] = []
    placed: set[tuple[str, str]] = set()
    for name, hits in typed.items():
        for index, hit in enumerate(hits):
            key = (hit.rule, match_key(hit.match))
            if key in got and reaching[name][index]:
                placed.add(key)
                end = hit.start + len(hit.match)
                findings.append(_finding(name, hit.start, end, hit, audience))
    for key, hit in got.items():
        if key not in placed:
            findings.append(_finding(BODY, None, None, hit, audience))
    return findings


def people_found(notes: Notes, text: str, audience: Audience) -> list[Hit]:
    """What the leak check's people rules find in ``text`` as ``audience``
    would read it (every reading of it), judged against ``notes``' people
    and grants: a first name or surname alone, an affiliation, a
    descriptor or an email address that audience may not see."""
    people = _people_check(_people_only(notes), audience)
    if not people.terms or not text:
        return []
    return [hit for reading in leak_text.readings(text) for hit in people.hits(reading)]


def _people_only(notes: Notes) -> Notes:
    """``notes`` as a key for the people rules: its people and grants, as tuples."""
    return Notes(notes.series_id, notes.meeting_id, (), tuple(notes.people), tuple(notes.grants))


def _finding(
    name: str, start: int | None, end: int | None, hit: Hit, audience: Audience
) -> DraftFinding:
    return DraftFinding(
        name, start, end, hit.match, hit.rule, hit.people, [Refusal(audience, hit.why)]
    )


def _shown(notes: Notes, facts: ItemFacts, audience: Audience) -> DisclosedItem | None:
    """The draft as ``audience`` would get it; None when it gets none of it."""
    view = disclose(replace(notes, items=[facts]), audience, keep=False)
    return view.items[0] if view.items else None


def _texts(item: DisclosedItem) -> list[str]:
    """What an audience reads of an item: its heading, its text and its
    link addresses (its credit never carries a withheld name: ``disclose``)."""
    return [text for text in (item.section, item.body_text) if text] + attribute_values(
        item.body_html
    )


def _reaching(
    notes: Notes, draft: Draft, audience: Audience, typed: dict[str, list[Hit]]
) -> dict[str, list[bool]]:
    """For each typed hit, whether its place reaches ``audience``: a
    made-up word put in its place is still there in what ``disclose`` gives."""
    texts = {BODY: draft.body, SECTION: draft.section}
    words = _made_up_words(texts.values())
    marked: dict[str, str] = {}
    placed: dict[str, list[str | None]] = {}
    for name, text in texts.items():
        marked[name], placed[name] = _mark(text, typed[name], words)
    shown = _shown(notes, draft.facts(marked[BODY], marked[SECTION]), audience)
    got = "\n".join([shown.section, shown.body_text, shown.body_html]) if shown else ""
    return {name: [word is not None and word in got for word in placed[name]] for name in texts}


def _mark(text: str, hits: Sequence[Hit], words: Iterator[str]) -> tuple[str, list[str | None]]:
    """``text`` with each hit's place given a made-up word of its own, and
    the word of each (None for a hit overlapping the one before)."""
    parts: list[str] = []
    placed: list[str | None] = []
    done = 0
    for hit in hits:
        if hit.start < done:
            placed.append(None)
            continue
        word = next(words)
        parts += [text[done : hit.start], word]
        placed.append(word)
        done = hit.start + len(hit.match)
    return "".join(parts) + text[done:], placed


def _made_up_words(texts: Iterable[str]) -> Iterator[str]:
    """Words of plain ASCII letters that no text holds and no name can be."""
    seen = " ".join(texts).casefold()
    number = 0
    while True:
        letters = ""
        rest = number
        while True:
            rest, letter = divmod(rest, 26)
            letters += chr(ord("a") + letter)
            if not rest:
                break
        number += 1
        word = f"zqxvj{letters}jvxqz"
        if word not in seen:
            yield word


def _offer_fixes(finding: DraftFinding, draft: Draft) -> None:
    """The fixes for a finding, as ``fixes`` offers them after saving:
    the level that keeps the words from every audience listed, as a span
    (only where one can be placed safely) and as the item's confidentiality."""
    finding.refusals.sort(key=lambda refusal: ORDER.index(refusal.audience))
    members_too = Audience.MEMBER in finding.audiences
    level = hiding_level(Audience.PUBLIC, members_too)
    if not stricter(level, draft.confidentiality):
        return
    finding.item_level = level
    if finding.field != BODY or finding.start is None:
        return
    if hidden_body(draft.body, finding.text, level) is not None:
        places = span_places(draft.body, finding.text)
        finding.span = SpanFix(level, tuple(places))


def utf16_offset(text: str, index: int) -> int:
    """``index`` into ``text`` counted as a browser counts (UTF-16 code
    units): a character beyond the Basic Multilingual Plane counts twice."""
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)
