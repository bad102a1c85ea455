"""What an audience may not read about the people in the notes, what stands
in for it, and which released phrases are left whole."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from notesbase.disclosure.canonical import canonical_words
from notesbase.disclosure.consent import PARTICIPANT as CREDIT_PARTICIPANT
from notesbase.disclosure.consent import attribution, released_level
from notesbase.disclosure.facts import PersonFacts
from notesbase.disclosure.matching import Matcher
from notesbase.disclosure.vocabulary import Audience, Level
from notesbase.disclosure.words import distinctive_words, everyday, stopword

ORGANISATION = "an organisation"
PARTICIPANT = "a participant"


def _stand_in(person: PersonFacts, level: Level) -> str:
    """What replaces this person's withheld name in running text."""
    level = released_level(person, level)
    if level is Level.NAMED:
        return person.name.strip()
    if level is Level.AFFILIATION:
        return f"someone from {person.affiliation.strip()}"
    if level is Level.DESCRIPTOR:
        return person.descriptor.strip()
    return PARTICIPANT


def strict_terms(
    people: Iterable[PersonFacts], levels: dict[int, Level], audience: Audience
) -> list[str]:
    """Full names and email addresses the audience may not see: never shown,
    not even inside a phrase someone else released ("Jane Doe's deputy")."""
    if audience is Audience.FACILITATOR:
        return []
    terms: list[str] = []
    for person in people:
        level = released_level(person, levels.get(person.id, Level.ANONYMOUS))
        if level is not Level.NAMED:
            terms.append(person.name.strip())
        terms.append((person.email or "").strip())
    return [term for term in terms if term]


def released_terms(
    people: Iterable[PersonFacts], levels: dict[int, Level], audience: Audience
) -> list[str]:
    """Names, affiliations and descriptors released to ``audience``, left
    whole where they contain a shorter withheld term ("Jane Doe", named,
    when another Doe is not), unless they carry a withheld full name."""
    if audience is Audience.FACILITATOR:
        return []
    people = list(people)
    phrases: list[str] = []
    for person in people:
        level = released_level(person, levels.get(person.id, Level.ANONYMOUS))
        if level is Level.NAMED:
            phrases.append(person.name.strip())
        if level.rank >= Level.AFFILIATION.rank:
            phrases.append(person.affiliation.strip())
        if level.rank >= Level.DESCRIPTOR.rank:
            phrases.append(person.descriptor.strip())
    strict = Matcher(dict.fromkeys(strict_terms(people, levels, audience), ""))
    carries = {phrase: strict.search(phrase) for phrase in set(phrases) if phrase}
    return [phrase for phrase in phrases if phrase and not carries[phrase]]


def withheld_terms(
    people: Iterable[PersonFacts], levels: dict[int, Level], audience: Audience
) -> dict[str, str]:
    """Every identifying string the audience may not see, with what stands in
    for it. Facilitators are shown everything; email addresses nobody else."""
    people = list(people)
    return _withheld(people, levels, audience, released_terms(people, levels, audience))[0]


def _withheld(
    people: Sequence[PersonFacts],
    levels: dict[int, Level],
    audience: Audience,
    released: list[str],
) -> tuple[dict[str, str], set[str]]:
    """``withheld_terms``, and those among them that count only where they
    are written with a capital: single words that are everyday words of
    the notes' language ("Bell" of "Bell Labs", a surname "Brown"). A single
    stop word identifies nobody and is not withheld at all."""
    terms: dict[str, str] = {}
    fragments: set[str] = set()
    if audience is Audience.FACILITATOR:
        return terms, set()
    stand_ins: dict[str, str] = {}
    for person in people:
        level = released_level(person, levels.get(person.id, Level.ANONYMOUS))
        stand_in = _stand_in(person, level)
        mine: list[str] = []
        if level is not Level.NAMED:
            name = person.name.strip()
            mine.append(name)
            words = name.split()
            if len(words) > 1 and len(words[-1]) >= 3:
                mine.append(words[-1])
        if person.email and person.email.strip():
            mine.append(person.email.strip())
        for term in mine:
            if term and term not in terms:
                terms[term] = stand_in
                stand_ins[term] = stand_in
        if level.rank < Level.AFFILIATION.rank and person.affiliation.strip():
            terms.setdefault(person.affiliation.strip(), ORGANISATION)
            # Each word that identifies it alone, after everything whole.
            fragments.update(distinctive_words(person.affiliation))
        if level.rank < Level.DESCRIPTOR.rank and person.descriptor.strip():
            terms.setdefault(person.descriptor.strip(), PARTICIPANT)
    for word in sorted(fragments):
        terms.setdefault(word, ORGANISATION)
    capital: set[str] = set()
    for term in list(terms):
        if len(canonical_words(term)) != 1:
            continue
        if stopword(term):
            del terms[term]
        elif everyday(term):
            capital.add(term)
    # A stand-in must not itself carry what someone else withholds (two
    # people from one organisation, one of whom does not release it).
    check = Matcher(terms, keep=released)
    carries = {stand_in: check.search(stand_in) for stand_in in set(stand_ins.values())}
    for term, stand_in in stand_ins.items():
        if carries[stand_in]:
            terms[term] = PARTICIPANT
    return terms, capital


def name_and_organisation_terms(people: Iterable[PersonFacts]) -> tuple[set[str], set[str]]:
    """Everyone's names and surnames, which take a title before them with
    them ("Mr Newcomer"), and their affiliations and the words that identify
    those, which take an article ("the Heronsgate Council")."""
    names: set[str] = set()
    organisations: set[str] = set()
    for person in people:
        words = person.name.split()
        names.update([" ".join(words), *words[-1:]] if len(words) > 1 else words)
        if person.affiliation.strip():
            organisations.add(person.affiliation.strip())
            organisations.update(distinctive_words(person.affiliation))
    return names, organisations


def matcher_for(
    people: Sequence[PersonFacts], levels: dict[int, Level], audience: Audience
) -> Matcher:
    """The matcher for what ``audience`` may not see about ``people``."""
    names, organisations = name_and_organisation_terms(people)
    released = released_terms(people, levels, audience)
    withheld, capital = _withheld(people, levels, audience, released)
    return Matcher(
        withheld,
        keep=released,
        honorific=names,
        article=organisations,
        capital=capital,
    )


def safe_credit(person: PersonFacts, level: Level, strict: Matcher) -> str:
    """The credit ``level`` gives, or the strongest weaker one that does not
    carry a withheld full name or email (a descriptor naming someone else)."""
    for candidate in reversed(list(Level)):
        if candidate.rank > level.rank:
            continue
        text = attribution(person, candidate)
        if not strict.search(text):
            return text
    return CREDIT_PARTICIPANT
