"""Who is named in a text: the record of who is named where, by the one
``Matcher`` that ``disclose`` and the leak check use.

A person is named in a text when it holds, however typed (any case, accents,
look-alike letters, invisible characters, across line breaks, emphasis or a
link), anything ``disclose`` might withhold about them for some audience or
the leak check would flag: their full name, a part of their name that
identifies them alone (a first name or surname; an everyday word only with a
capital, "Bell" but not "bell"), their affiliation whole or by its
distinctive words, their descriptor, or their email address; or their name
or affiliation glued into a link address ("ada-lovelace", "adalovelace").

The answer errs towards naming too many people, never too few: it decides
which items are disclosed again when a person or their consent changes, and
an item left out there would keep text a reader may no longer see."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import unquote

from notesbase.disclosure.canonical import canonical_words, loose, term_key
from notesbase.disclosure.facts import PersonFacts
from notesbase.disclosure.folding import decode_hosts, squash
from notesbase.disclosure.matching import Matcher
from notesbase.disclosure.names import common_name_words, name_parts
from notesbase.disclosure.words import distinctive_words, everyday

# A name glued into an address counts from this many letters, as for the
# matcher (so short surnames do not name someone in every link).
GLUED_MIN = 5
# A run of characters that may make up an address; it is one when it holds
# one of ``_ADDRESS_MARKS``. (One pattern for both backtracked over every
# word of a text, and cost more than all the matching.)
_RUN = re.compile(r"[^\s<>()\[\]\"'`]+")
_ADDRESS_MARKS = frozenset("/@:%")


def person_terms(person: PersonFacts) -> list[tuple[str, bool]]:
    """Each text that identifies ``person``, with whether it counts only
    when written with a capital (a name part that is an everyday word)."""
    terms: list[tuple[str, bool]] = [(person.name, False)]
    for part in name_parts(person.name):
        terms.append((part, loose(term_key(part)) in common_name_words()))
    if person.affiliation.strip():
        terms.append((person.affiliation, False))
        terms += [
            (word, " " not in word and everyday(word))
            for word in distinctive_words(person.affiliation)
        ]
    if person.descriptor.strip():
        terms.append((person.descriptor, False))
    if person.email:
        terms.append((person.email, False))
    return [(" ".join(text.split()), capital) for text, capital in terms if text.strip()]


class Mentions:
    """The people of ``people`` named in a text (``people_in``). Built once
    for a set of people, used for many texts."""

    def __init__(self, people: Iterable[PersonFacts]) -> None:
        self._owners: dict[str, set[int]] = {}
        anywhere: set[str] = set()
        capital: set[str] = set()
        glued: dict[str, set[int]] = {}
        for person in people:
            for text, capital_only in person_terms(person):
                key = term_key(text)
                if not key:
                    continue
                self._owners.setdefault(key, set()).add(person.id)
                (capital if capital_only else anywhere).add(key)
            for text in (person.name, person.affiliation):
                squashed = loose(squash(text))
                if len(squashed) >= GLUED_MIN:
                    glued.setdefault(squashed, set()).add(person.id)
        # A key some person needs capitalised and another anywhere counts anywhere.
        self._matcher = Matcher({key: key for key in self._owners}, capital=capital - anywhere)
        self._glued = glued
        self._glued_starts: dict[str, list[str]] = {}
        for squashed in sorted(glued):
            self._glued_starts.setdefault(squashed[:GLUED_MIN], []).append(squashed)

    def people_in(self, text: str) -> frozenset[int]:
        """Everyone named in ``text`` (see the module docstring)."""
        if not text or not self._owners:
            return frozenset()
        found: set[int] = set()
        for _start, _end, key in self._matcher.matches(text):
            found |= self._owners[key]
        if not _ADDRESS_MARKS.isdisjoint(text):
            for run in _RUN.findall(text):
                if not _ADDRESS_MARKS.isdisjoint(run):
                    found |= self._in_address(run)
        return frozenset(found)

    def people_in_all(self, texts: Sequence[str]) -> frozenset[int]:
        found: set[int] = set()
        for text in texts:
            found |= self.people_in(text)
        return frozenset(found)

    def _in_address(self, address: str) -> set[int]:
        plain = decode_hosts(address)
        for _ in range(3):  # addresses may be encoded more than once
            plain = unquote(plain)
        found: set[int] = set()
        spaced = " ".join(canonical_words(plain))
        for _start, _end, key in self._matcher.matches(spaced, capitals=False):
            found |= self._owners[key]
        glued = loose(squash(plain))
        for start in range(len(glued) - GLUED_MIN + 1):
            for squashed in self._glued_starts.get(glued[start : start + GLUED_MIN], ()):
                if glued.startswith(squashed, start):
                    found |= self._glued[squashed]
        return found
