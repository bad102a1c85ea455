"""The redactions side of the leak check: what is wrong with the way an item
a channel carries was redacted, judged on the item itself rather than on the
output's text.

- ``unreadable-redaction``: markup meant as a redaction that cannot be read
  as one (``notesbase.disclosure.problems``). What it marks is hidden from
  the audience meanwhile, so nothing leaks; but the writer meant something
  else, and the output is not what they think until it is fixed.
- ``broken-sentence``: a sentence a cut span (without ``alt``) leaves broken
  for the audience ("The pilot ran in and; ..."). A warning: it may read
  well enough, and a facilitator can override it like any other finding."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from notesbase.disclosure import Audience, ItemFacts
from notesbase.disclosure.meeting_fields import field_problems
from notesbase.disclosure.problems import READERS, body_problems, heading_problems
from notesbase.disclosure.sentences import broken_sentences

UNREADABLE = "unreadable-redaction"
BROKEN = "broken-sentence"


@dataclass(frozen=True)
class ItemHit:
    """One finding about an item, before it has a key."""

    rule: str
    where: str
    match: str
    why: str


def item_hits(sources: Iterable[tuple[str, ItemFacts]], audience: Audience) -> Iterator[ItemHit]:
    """Every unreadable redaction and broken sentence in the items ``sources``
    names (where each is, and the item) that ``audience`` sees; a heading
    shared by several items is reported at the first of them."""
    headings: set[str] = set()
    for where, item in sources:
        if not item.confidentiality.visible_to(audience):
            continue
        for rule, match, why in _body_hits(item.body, audience):
            yield ItemHit(rule, where, match, why)
        if item.section not in headings:
            headings.add(item.section)
            for problem in heading_problems(item.section):
                yield ItemHit(UNREADABLE, f"{where} section", problem.written, problem.message)


@functools.lru_cache(maxsize=8192)
def _body_hits(body: str, audience: Audience) -> tuple[tuple[str, str, str], ...]:
    """(rule, match, why) of each unreadable redaction and broken sentence
    in ``body`` for ``audience``: a function of the two alone, kept by the
    body's exact text, so an item checked again is not parsed again."""
    found = [(UNREADABLE, p.written, p.message) for p in body_problems(body)]
    why = (
        f"After redaction, {READERS[audience]} will read this sentence broken. "
        'Add alt="…" to the span to say what they read instead, or override '
        "this finding if it reads well enough."
    )
    found += [(BROKEN, sentence, why) for sentence in broken_sentences(body, audience)]
    return tuple(found)


def meeting_hits(theme: str, speakers: str, description: str) -> list[ItemHit]:
    """Every unreadable redaction in a meeting's own fields, at the
    meeting's details ("meeting"), naming the field."""
    return [
        ItemHit(UNREADABLE, "meeting", problem.written, f"In the {field}: {problem.message}")
        for field, problem in field_problems(theme, speakers, description)
    ]
