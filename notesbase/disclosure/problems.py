"""What a facilitator must be told about an item's redactions:

- markup meant as a redaction that cannot be read as one (``Problem``):
  meanwhile ``spans`` hides what it marks from everyone but facilitators;
- sentences a cut leaves broken for an audience (``Broken``, read by
  ``sentences``), mended by giving the span an ``alt``.

The editor warns about each, the preview lists them and the leak check
reports each as a finding ("unreadable-redaction", "broken-sentence")."""

from __future__ import annotations

from dataclasses import dataclass

from notesbase.disclosure.classes import Unreadable, may_hold_redaction
from notesbase.disclosure.sentences import broken_sentences
from notesbase.disclosure.spans import block_problems, element_problems, inline_problems, parser
from notesbase.disclosure.vocabulary import Audience, Confidentiality

READERS = {Audience.MEMBER: "members", Audience.PUBLIC: "the public"}

# What is hidden meanwhile, by where the markup stands.
HIDDEN = {
    "span": "The words it marks are",
    "paragraph": "Its paragraph is",
    "code": "The code block is",
    "heading": "The section heading is",
    "heading-span": "The words it marks in the section heading are",
}


@dataclass(frozen=True)
class Problem:
    """One unreadable redaction, and what it hides until it is fixed
    (a key of ``HIDDEN``)."""

    unreadable: Unreadable
    hides: str

    @property
    def written(self) -> str:
        return self.unreadable.written

    @property
    def kind(self) -> str:
        return self.unreadable.kind

    @property
    def message(self) -> str:
        return self.unreadable.message(HIDDEN[self.hides])


def body_problems(body: str) -> list[Problem]:
    """Every unreadable redaction in an item's body, in order, once each."""
    if not may_hold_redaction(body or ""):
        return []
    found: list[Problem] = []
    open_tags: list[str] = []
    for token in parser().parse(body):
        if token.type in ("fence", "code_block"):
            problems, open_tags = block_problems(token, open_tags)
            found += [Problem(problem, "code") for problem in problems]
        elif token.type == "inline" and token.children:
            found += [Problem(problem, "span") for problem in element_problems(token.children)]
            problems, open_tags = block_problems(token, open_tags)
            found += [Problem(problem, "paragraph") for problem in problems]
    return list(dict.fromkeys(found))


def heading_problems(section: str) -> list[Problem]:
    """Every unreadable redaction in a section heading."""
    if not may_hold_redaction(section or ""):
        return []
    run = parser().parseInline(section)[0].children or []
    found = [Problem(problem, "heading-span") for problem in element_problems(run)]
    found += [Problem(problem, "heading") for problem in inline_problems(run)]
    return list(dict.fromkeys(found))


def redaction_problems(body: str, section: str = "") -> list[Problem]:
    """Every unreadable redaction of an item: its body's, then its heading's."""
    return [*body_problems(body), *heading_problems(section)]


@dataclass(frozen=True)
class Broken:
    """A sentence as ``readers`` ("members", "the public", "members and the
    public") will read it once a span without ``alt`` is cut."""

    readers: str
    sentence: str

    @property
    def message(self) -> str:
        return (
            f"After redaction, {self.readers} will read: “{self.sentence}” — add "
            'alt="…" to the span to say what they read instead.'
        )


def broken(body: str, confidentiality: Confidentiality) -> list[Broken]:
    """The sentences of an item that read broken for the audiences below
    facilitators that see it, each once, with who reads it so."""
    by_sentence: dict[str, list[str]] = {}
    for audience in (Audience.MEMBER, Audience.PUBLIC):
        if confidentiality.visible_to(audience):
            for sentence in broken_sentences(body, audience):
                by_sentence.setdefault(sentence, []).append(READERS[audience])
    return [Broken(" and ".join(readers), sentence) for sentence, readers in by_sentence.items()]


@dataclass(frozen=True)
class Notices:
    """Everything to tell the facilitator about one item's redactions."""

    problems: tuple[Problem, ...] = ()
    broken: tuple[Broken, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.problems or self.broken)


def item_notices(body: str, section: str, confidentiality: Confidentiality) -> Notices:
    """The unreadable redactions and broken sentences of one item."""
    return Notices(tuple(redaction_problems(body, section)), tuple(broken(body, confidentiality)))
