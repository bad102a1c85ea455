"""The terms a ``PeopleCheck`` looks for: everything identifying a person
that an audience may not see (``Term``, with why, in plain words), and the
matchers for them and for everyone's names, built once per people, consent
levels and audience."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from notesbase.disclosure import Audience, Level, PersonFacts
from notesbase.disclosure.canonical import loose, term_key
from notesbase.disclosure.folding import squash
from notesbase.disclosure.matching import Matcher
from notesbase.disclosure.names import common_name_words, name_parts
from notesbase.disclosure.terms import released_terms, withheld_terms
from notesbase.disclosure.words import distinctive_words, everyday

AUDIENCE_WORDS = {Audience.PUBLIC: "the public", Audience.MEMBER: "members of the series"}
# A glued name in an address ("alexsmith") counts from this many letters.
GLUED_MIN = 5


def listed(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass
class Term:
    """A string an audience may not see, and whose it is."""

    text: str
    rule: str
    part: bool = False
    whose: list[str] = field(default_factory=list)
    capital_only: bool = False
    ids: list[int] = field(default_factory=list)

    def why(self, audience: Audience) -> str:
        to = AUDIENCE_WORDS.get(audience, str(audience))
        names = listed(self.whose)
        has = "have" if len(self.whose) > 1 else "has"
        if self.rule == "name" and self.part:
            return (
                f"“{self.text}” is part of the name of {names}, "
                f"who {has} not agreed to be named to {to}."
            )
        if self.rule == "name" and self.whose:
            return f"{names} {has} not agreed to be named to {to}."
        if self.rule == "affiliation" and self.part:
            return (
                f"“{self.text}” is part of the affiliation of {names}, "
                f"who {has} not agreed to have it shown to {to}."
            )
        if self.rule == "affiliation" and self.whose:
            return (
                f"“{self.text}” is the affiliation of {names}, "
                f"who {has} not agreed to have it shown to {to}."
            )
        if self.rule == "descriptor" and self.whose:
            return f"“{self.text}” describes {names}, who {has} not agreed to be described to {to}."
        if self.rule == "email" and self.whose:
            return f"{self.text} is the email address of {names}; those are never shown to {to}."
        return f"“{self.text}” identifies someone who has not agreed to it being shown to {to}."


def _key(text: str) -> str:
    return term_key(text)


@dataclass(frozen=True)
class Terms:
    """What a ``PeopleCheck`` is made of that depends only on the people,
    their levels and the audience."""

    terms: dict[str, Term]
    matcher: Matcher
    glued: list[tuple[str, str]]
    owners: dict[str, set[int]]
    capital_only: set[str]
    everyone: Matcher
    full: Matcher


@lru_cache(maxsize=64)
def terms_for(
    people: tuple[PersonFacts, ...], levels: tuple[tuple[int, Level], ...], audience: Audience
) -> Terms:
    """The terms and matchers for ``audience`` (as ``disclose`` keeps its
    own): building them is most of the cost of a check, and the same
    people and levels make every meeting's of a series. Kept whole: nothing
    changes them once built."""
    return _TermsBuilder(people, dict(levels), audience).built()


class _TermsBuilder:
    def __init__(
        self, people: Sequence[PersonFacts], levels: dict[int, Level], audience: Audience
    ) -> None:
        self.audience = audience
        self.people = people
        self.levels = levels
        self.terms: dict[str, Term] = {}

    def built(self) -> Terms:
        people, levels, audience = self.people, self.levels, self.audience
        for person in people:
            self._add_whole(person, levels.get(person.id, Level.ANONYMOUS))
        for person in people:
            if levels.get(person.id, Level.ANONYMOUS) is not Level.NAMED:
                for part in name_parts(person.name):
                    self._add(part, "name", person, part=True)
        # Whatever ``disclose`` withholds is withheld here too.
        for term in withheld_terms(people, levels, audience):
            self.terms.setdefault(_key(term), Term(term.strip(), "name"))
        self.terms.pop("", None)
        keep = released_terms(people, levels, audience)
        matcher = Matcher({t.text: key for key, t in self.terms.items()}, keep)
        glued = [
            (squash(term.text), key)
            for key, term in self.terms.items()
            if not term.part and len(squash(term.text)) >= GLUED_MIN
        ]
        owners, capital_only, everyone, full = _everyone(people)
        return Terms(self.terms, matcher, glued, owners, capital_only, everyone, full)

    def _add_whole(self, person: PersonFacts, level: Level) -> None:
        if audience_sees_all(self.audience):
            return
        if level is not Level.NAMED:
            self._add(person.name, "name", person)
        if person.email:
            self._add(person.email, "email", person)
        if level.rank < Level.AFFILIATION.rank and person.affiliation.strip():
            self._add(person.affiliation, "affiliation", person)
            for word in distinctive_words(person.affiliation):
                self._add(word, "affiliation", person, part=True)
        if level.rank < Level.DESCRIPTOR.rank and person.descriptor.strip():
            self._add(person.descriptor, "descriptor", person)

    def _add(self, text: str, rule: str, person: PersonFacts, *, part: bool = False) -> None:
        text = " ".join(text.split())
        key = _key(text)
        if not key:
            return
        term = self.terms.get(key)
        if term is None:
            if part and rule == "name":
                capital_only = loose(key) in common_name_words()
            else:  # a single everyday word counts only with a capital
                capital_only = " " not in key and everyday(text)
            term = self.terms[key] = Term(text, rule, part, capital_only=capital_only)
        name = " ".join(person.name.split())
        if term.rule == rule and name not in term.whose:
            term.whose.append(name)
        if term.rule == rule and person.id not in term.ids:
            term.ids.append(person.id)


def _everyone(
    people: Sequence[PersonFacts],
) -> tuple[dict[str, set[int]], set[str], Matcher, Matcher]:
    """Everyone's names and name parts, whatever they consented to, for
    spotting lists of who attended (whose each is, those that count only
    with a capital, their matcher), and a matcher of full names for who the
    credited text already names."""
    owners: dict[str, set[int]] = {}
    capital_only: set[str] = set()
    for person in people:
        for text in [person.name, *name_parts(person.name)]:
            key = _key(text)
            if key:
                owners.setdefault(key, set()).add(person.id)
                if text != person.name and loose(key) in common_name_words():
                    capital_only.add(key)
    everyone = Matcher({key: key for key in owners})
    full = Matcher({p.name: str(p.id) for p in people if _key(p.name)})
    return owners, capital_only, everyone, full


def audience_sees_all(audience: Audience) -> bool:
    return audience is Audience.FACILITATOR
