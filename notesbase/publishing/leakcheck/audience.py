"""What a leak check reads one audience's outputs against: the notes, the
audience's view of them, the rules made from them (``PeopleCheck``,
``SecretsCheck``) reading each distinct line once (``leakcheck.lines``), and the
places the items are at; made once for all the channels of that audience
checked together (``leakcheck.checks``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from notesbase.disclosure import Audience, ItemFacts, Notes, NotesView
from notesbase.models import Meeting
from notesbase.notes.facts import load_notes, meeting_view
from notesbase.publishing.leakcheck import lines as leak_lines
from notesbase.publishing.leakcheck.kept import Kept
from notesbase.publishing.leakcheck.people import Hit, PeopleCheck
from notesbase.publishing.leakcheck.places import Places
from notesbase.publishing.leakcheck.redactions import ItemHit, item_hits
from notesbase.publishing.leakcheck.secrets import SecretsCheck

Sources = Callable[[Meeting], Sequence[tuple[str, ItemFacts]]]
ItemFindings = Callable[[Sequence[tuple[str, ItemFacts]], Audience], Iterable[ItemHit]]


def _readable(title: str, view: NotesView) -> tuple[list[str], list[str], str]:
    """What the audience may read anyway (its view, the series' title), the
    series' title alone, and the part that credits people. The meeting's
    own fields are not among them: they are written text like any other, and
    the "meeting" channel checks them."""
    notes = [text for item in view.items for text in (item.section, item.body_text)]
    credits = [item.attribution or "" for item in view.items]
    public = [title]
    return [*notes, *credits, *public], public, "\n".join([*credits, *notes])


# Readers made for earlier checks, by a digest of all they are made from.
READERS: Kept[leak_lines.Lines] = Kept(weigh=leak_lines.Lines.weight)


def reader_of(
    meeting: Meeting, notes: Notes, view: NotesView, *, whole: bool = False
) -> leak_lines.Lines:
    """What a check of ``meeting`` for ``view``'s audience reads outputs
    with: the rules, made from the notes and what the audience may read,
    reading each distinct line once (or every text whole). The same notes
    checked again are read with the reader made for them before (``kept``)."""
    return READERS.get(_new_reader, meeting.series.title, notes, view, whole)


def _new_reader(title: str, notes: Notes, view: NotesView, whole: bool) -> leak_lines.Lines:
    readable, public, credited = _readable(title, view)
    people = PeopleCheck(notes, view.audience, credited)
    secrets = SecretsCheck(notes, view.audience, readable, public)
    lines = leak_lines.Lines(people, secrets, whole=whole)
    if not whole:  # who is credited, from the same sentences the outputs hold
        people.credit_from(lambda: lines.matches(people.full, credited))
    return lines


@dataclass(frozen=True)
class Carried:
    """The items a channel is made from, each with where it shows ("item
    3", "summary"), the places they are at, and what is found about the
    items themselves (read afresh at every check: ``item_findings`` may
    read the database)."""

    items: Sequence[tuple[str, ItemFacts]]
    places: Places
    problems: list[ItemHit]


class AudienceReading:
    """Everything a check for one audience reads the outputs against (the
    notes, the rules, the places), made once for the channels of that
    audience checked together; ``lines`` reads each distinct line of their
    outputs once (``leakcheck.lines``), or every text whole (``whole``),
    made when first asked for."""

    def __init__(
        self,
        meeting: Meeting,
        audience: Audience,
        item_findings: Sequence[ItemFindings] = (),
        *,
        whole: bool = False,
    ) -> None:
        self.meeting = meeting
        self.audience = audience
        self.item_findings = item_findings
        self.whole = whole
        self.notes = load_notes(meeting)
        self.view = meeting_view(meeting, audience, self.notes)
        self._lines: leak_lines.Lines | None = None
        self._every_item: Carried | None = None

    @property
    def lines(self) -> leak_lines.Lines:
        if self._lines is None:
            self._lines = reader_of(self.meeting, self.notes, self.view, whole=self.whole)
        return self._lines

    def sources(self, made_from: Sources | None) -> Carried:
        """The items a channel is made from (``made_from``, or every item),
        their places, and what is found about those items themselves: the
        way they were redacted, and what features above add
        (``item_findings``); the same for every channel made from all the items."""
        if made_from is not None:
            return self._carried(made_from(self.meeting))
        if self._every_item is None:
            every = [(f"item {facts.position}", facts) for facts in self.notes.items]
            self._every_item = self._carried(every)
        return self._every_item

    def _carried(self, items: Sequence[tuple[str, ItemFacts]]) -> Carried:
        problems = list(item_hits(items, self.audience))
        for more in self.item_findings:
            problems += more(items, self.audience)
        places = Places(self.meeting, self.notes, self.view, items, self.audience)
        return Carried(items, places, problems)

    def hits(self, text: str) -> list[Hit]:
        """Everything found in ``text``, reading by reading (``leakcheck.text.readings``)."""
        return self.lines.field_hits(text)
