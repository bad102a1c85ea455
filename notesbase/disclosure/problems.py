"""What a facilitator must be told about an item's redactions: markup meant
as a redaction that cannot be read as one (``Problem``); meanwhile ``spans``
hides what it marks from everyone but facilitators. The editor warns about
each, the preview lists them and the leak check reports each as a finding
("unreadable-redaction")."""

from __future__ import annotations

from dataclasses import dataclass

from notesbase.disclosure.classes import Unreadable, may_hold_redaction
from notesbase.disclosure.spans import block_problems, element_problems, inline_problems, parser

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
