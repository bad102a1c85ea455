"""Where in the notes a leak-check finding comes from, so the check reports
a thing found once per place rather than once per copy of it.

The same item reaches an audience many times over: as HTML and plain text in
the email, as Markdown and a print page in the exports, as the page, the feed
summary and the Markdown file of the write-up. A place is what a facilitator
fixes: an item ("item 3"), the write-up's summary, or the meeting's details
(title, theme, description). A hit in a part of the output is put at each
place whose own text holds the very words found; a hit in a part that names
the one place it is made from (``Field.place``) is put at that place. A hit
no place holds (a list of names spread over several items, a stray file
name) stays at the part it was found in.

A place stands for its text as it is now, so an override of a finding there
covers that text only: an item by its id at its version, the summary (or any
other source) and the meeting's details by a digest of their text, a part of
the output by a digest of the part. Any edit is a new place, and asks again."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Audience, DisclosedItem, ItemFacts, Notes, NotesView, disclose
from notesbase.disclosure.render import attribute_values
from notesbase.models import ItemRevision, Meeting
from notesbase.publishing.leakcheck.people import Hit

# A run of word characters, as ``\w`` reads them (``Holding``).
_RUN = re.compile(r"\w+")
MEETING = "meeting"
MEETING_LABEL = "the meeting's details"


@dataclass(frozen=True)
class Place:
    """One place: ``where`` as the facilitator reads it ("item 3",
    "summary", "the meeting's details", or a part of the output such as
    "subject"); ``ident`` is what a finding's key stands for: an item by its
    id and version (so an override follows the item when the notes are
    reordered, and ends when it is edited), anything else by its name and a
    digest of its text."""

    where: str
    ident: str
    item_id: int | None = None
    version: int | None = None


def digest(*texts: str) -> str:
    """A short digest of ``texts``, standing for them in a place's ident."""
    joined = "\x1f".join(texts)
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def own_place(part: str, text: str) -> Place:
    """A part of the output as its own place (a finding no place explains),
    at its present text: the same words in another text of it ask again."""
    return Place(part, f"{part} #{digest(text)}")


def meeting_place(meeting: Meeting) -> Place:
    """The meeting's details (title, theme, speakers, description) as they
    are written now: an edit of any of them is a new place."""
    texts = (meeting.title, meeting.theme or "", meeting.speakers or "", meeting.description or "")
    return Place(MEETING_LABEL, f"{MEETING} #{digest(*texts)}")


class Places:
    """The places a channel's output is made from, for one audience.

    ``sources`` are the items it carries, each with where it shows ("item
    3", "summary"); ``view`` is the audience's view of the meeting (the
    items in it are not disclosed again). A hit comes from a place whose
    own text, as the audience gets it, holds the very words found (spaces
    aside, as a whole word): the output is rendered from that text, and the
    rules that found the words judge words alone (a capital included). The
    texts are gathered once, and only when asked."""

    def __init__(
        self,
        meeting: Meeting,
        notes: Notes,
        view: NotesView,
        sources: Sequence[tuple[str, ItemFacts]],
        audience: Audience,
    ) -> None:
        self._meeting = meeting
        self._notes = notes
        self._view = view
        self._audience = audience
        self._sources = [(w, f) for w, f in sources if f.confidentiality.visible_to(audience)]
        self._named: dict[str, Place] = {MEETING: meeting_place(meeting)}
        revised = content_versions(facts.id for _where, facts in self._sources)
        for where, facts in self._sources:
            self._named[where] = _source_place(where, facts, revised.get(facts.id))
        self._holding_words: Holding | None = None

    def idents(self) -> list[tuple[str, Place]]:
        """Every place by its name: the items at their content versions,
        the meeting's details by a digest of their text."""
        return sorted(self._named.items())

    def named(self, where: str) -> Place | None:
        """The place a ``where`` starts with ("item 3 section" is item 3)."""
        for name in sorted(self._named, key=len, reverse=True):
            if where == name or where.startswith(name + " "):
                return self._named[name]
        return None

    def of(self, hit: Hit, part: str, hint: str | None, text: str) -> list[Place]:
        """Where a hit found in ``part`` (whose text is ``text``) comes from:
        the place the part is made from when it names one (``hint``), else
        the places holding the same words, else the part itself."""
        named = self.named(hint) if hint is not None else None
        if named is not None:
            return [named]
        return self._holding(hit.match) or [own_place(part, text)]

    def _holding(self, match: str) -> list[Place]:
        if self._holding_words is None:
            self._holding_words = Holding(self._texts())
        return self._holding_words.places(" ".join(match.split()))

    def _texts(self) -> list[tuple[Place, str]]:
        """Each place's own text as the audience gets it: an item's heading
        (at the first item under it), body, credit and link addresses; the
        meeting's title, theme and description."""
        shown = {item.id: item for item in self._view.items}
        missing = [facts for _where, facts in self._sources if facts.id not in shown]
        if missing:
            extra = disclose(replace(self._notes, items=missing), self._audience)
            shown.update({item.id: item for item in extra.items})
        texts: list[tuple[Place, str]] = []
        headings: set[str] = set()
        for where, facts in self._sources:
            item = shown.get(facts.id)
            if item is not None:
                texts.append((self._named[where], _item_text(item, headings)))
        meeting = self._meeting
        details = [meeting.title, meeting.theme or "", meeting.speakers or ""]
        details.append(meeting.description or "")
        texts.append((self._named[MEETING], "\n".join(details)))
        return texts


class Holding:
    """Which places' texts hold some words as a whole (spaces aside), each
    place looked at only when it holds every run of word characters of
    them: the places holding them are found among a few, not all."""

    def __init__(self, texts: Iterable[tuple[Place, str]]) -> None:
        self._texts = [(place, " ".join(text.split())) for place, text in texts]
        self._runs: dict[str, set[int]] = {}  # a run of word characters: the texts holding it
        for index, (_place, text) in enumerate(self._texts):
            for run in _RUN.findall(text):
                self._runs.setdefault(run, set()).add(index)
        self._found: dict[str, list[Place]] = {}

    def places(self, words: str) -> list[Place]:
        """The places whose text holds ``words`` (spaces as one) as a whole,
        with no word character touching it either side; in order."""
        found = self._found.get(words)
        if found is None:
            whole = re.compile(r"(?<!\w)" + re.escape(words) + r"(?!\w)")
            found = self._found[words] = [
                place
                for place, text in self._candidates(words)
                if words in text and whole.search(text)
            ]
        return found

    def _candidates(self, words: str) -> list[tuple[Place, str]]:
        # A text holding ``words`` as a whole holds each of its runs of word
        # characters as a whole run: inside it a run ends where ``words``
        # has a character that is not one, and at its ends no word
        # character may touch it.
        runs = _RUN.findall(words)
        if not runs:
            return self._texts
        holding = set.intersection(*(self._runs.get(run, set()) for run in runs))
        return [self._texts[index] for index in sorted(holding)]


def content_versions(ids: Iterable[int]) -> dict[int, int]:
    """Each item's latest content version: the version of its newest
    revision (a move to another position raises ``Item.version`` and
    writes no revision, so it is not an edit)."""
    wanted = sorted({item_id for item_id in ids if item_id > 0})
    if not wanted:
        return {}
    rows = db.session.execute(
        sa.select(ItemRevision.item_id, sa.func.max(ItemRevision.version))
        .where(ItemRevision.item_id.in_(wanted))
        .group_by(ItemRevision.item_id)
    )
    return {item_id: version for item_id, version in rows}


def _source_place(where: str, facts: ItemFacts, revised: int | None) -> Place:
    """An item of the notes ("item 3") by its id, its content version and a
    digest of its content (so a change that wrote no revision asks again
    too); any other source (the write-up's summary) by a digest of its text."""
    if re.fullmatch(r"item \d+", where):
        version = revised if revised is not None else facts.version
        content = digest(
            facts.section,
            facts.kind.value,
            facts.body,
            str(facts.speaker_id),
            facts.confidentiality.value,
        )
        return Place(where, f"item #{facts.id} v{version} #{content}", facts.id, version)
    return Place(where, f"{where} #{digest(facts.section, facts.body)}")


def _item_text(item: DisclosedItem, headings: set[str]) -> str:
    texts = [item.body_text, item.attribution or "", *attribute_values(item.body_html)]
    if item.section not in headings:
        headings.add(item.section)
        texts.append(item.section)
    return "\n".join(texts)
