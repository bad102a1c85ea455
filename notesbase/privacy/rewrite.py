"""Taking people out of text that is kept: their names, first names,
surnames, affiliations (and the words that identify them), descriptors and
email addresses, wherever and however they were typed, give way to "a
participant" or "an organisation". Erasure and retention's anonymising
both use it, through the one canonical matcher that ``disclose`` uses.

Pure: no Flask and no database. It works on the stored Markdown, so spans
and formatting survive; where the replaced text still renders something of
them (a name split by markup, "**Ada** Lovelace"), it says so rather than
keep it, and the caller fails closed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from notesbase.disclosure.canonical import canonical_words
from notesbase.disclosure.facts import PersonFacts
from notesbase.disclosure.matching import Matcher, sentence_case
from notesbase.disclosure.render import attribute_values, spaced_text, to_html, to_text
from notesbase.disclosure.scrub import scrub_addresses, written_addresses
from notesbase.disclosure.spans import redacted_tokens
from notesbase.disclosure.terms import (
    PARTICIPANT,
    name_and_organisation_terms,
    withheld_terms,
)
from notesbase.disclosure.vocabulary import Audience
from notesbase.disclosure.words import everyday, stopword


@dataclass(frozen=True)
class Rewritten:
    """``text`` without the people, and whether that changed it.
    ``complete`` is False when something of them could still be read after
    replacing in place: the text is then the plain words as facilitators
    read them, replaced, with formatting and spans lost, and the caller must
    show it to no one but facilitators."""

    text: str
    changed: bool = False
    complete: bool = True


@lru_cache(maxsize=32)
def people_matcher(people: tuple[PersonFacts, ...]) -> Matcher:
    """Everything that identifies ``people``, as the public would have it
    withheld at the anonymous level, and their first names too (a first
    name alone, "Ada said", still points at someone): a common word counts
    only with a capital, a stop word never."""
    terms = withheld_terms(people, {}, Audience.PUBLIC)
    capital: set[str] = set()
    for person in people:
        words = person.name.split()
        if len(words) > 1 and len(words[0]) >= 2:
            terms.setdefault(words[0], PARTICIPANT)
    for term in list(terms):
        if len(canonical_words(term)) != 1:
            continue
        if stopword(term):
            del terms[term]
        elif everyday(term):
            capital.add(term)
    names, organisations = name_and_organisation_terms(people)
    return Matcher(terms, honorific=names, article=organisations, capital=capital)


# Characters without which Markdown renders the words as they are written.
_MARKUP_SIGNS = frozenset("*_`[]<>&\\!{}~|")


def _glued(matcher: Matcher, text: str) -> bool:
    """Whether a word of ``text`` carries a name glued to something else
    ("participantLovelace"). Read across the whole text first, where run
    together words could make a name by chance, then word by word."""
    return matcher.names_in_url(text) and any(map(matcher.names_in_url, text.split()))


def _readable(matcher: Matcher, text: str) -> bool:
    """Whether anything of the people can be read in ``text``: as written,
    rendered (every span shown, as facilitators see it), glued to another
    word, or in a link."""
    if matcher.search(text) or any(map(matcher.names_in_url, written_addresses(text))):
        return True
    if not _MARKUP_SIGNS.intersection(text):
        # Nothing to render: the words read as they are written.
        return _glued(matcher, text)
    body_html = to_html(redacted_tokens(text, Audience.FACILITATOR))
    body_text = to_text(body_html)
    if matcher.search(body_text) or matcher.search(spaced_text(body_html, body_text)):
        return True
    if _glued(matcher, text) or _glued(matcher, body_text):
        return True
    return any(matcher.names_in_url(value) for value in attribute_values(body_html))


_MARKUP = re.compile(r"[*_~`\[\]]+")


def _replaced(matcher: Matcher, text: str) -> str:
    """``matcher.sub``, keeping the formatting a name was typed across: a
    run of markup after a space opens (it goes before the stand-in), one
    before a space closes (after it): "**Ada** Lovelace" gives "**A
    participant**", "the *Heronsgate* Council" "*an organisation*"."""
    parts: list[str] = []
    last = 0
    for start, end, replacement in matcher.matches(text):
        region = text[start:end]
        before: list[str] = []
        after: list[str] = []
        for run in _MARKUP.finditer(region):
            opens = run.start() == 0 or region[run.start() - 1].isspace()
            closes = run.end() == len(region) or region[run.end()].isspace()
            (before if opens and not closes else after).append(run.group(0))
        parts.append(text[last:start])
        stand_in = sentence_case(replacement, text[:start])
        parts.append("".join(before) + stand_in + "".join(after))
        last = end
    parts.append(text[last:])
    return "".join(parts)


def without_people(text: str, people: Iterable[PersonFacts]) -> Rewritten:
    """``text`` (stored Markdown, or a one-line heading) with ``people``
    taken out; see ``Rewritten``."""
    return rewriter(people)(text)


def rewriter(people: Iterable[PersonFacts]) -> Callable[[str], Rewritten]:
    """``without_people`` of ``people``, for many texts: the people sorted
    and their matcher found once, not for each text."""
    matcher = people_matcher(tuple(sorted(set(people), key=lambda person: person.id)))
    return lambda text: _rewritten(matcher, text)


def _rewritten(matcher: Matcher, text: str) -> Rewritten:
    if not matcher or not text or not _readable(matcher, text):
        return Rewritten(text)
    replaced = scrub_addresses(_replaced(matcher, text), matcher)
    if not _readable(matcher, replaced):
        return Rewritten(replaced, changed=True)
    plain = to_text(to_html(redacted_tokens(text, Audience.FACILITATOR)))
    plain = " ".join(scrub_addresses(matcher.sub(plain), matcher).split())
    plain = "" if _readable(matcher, plain) else escape_markdown(plain)
    return Rewritten(plain, changed=True, complete=False)


def escape_markdown(text: str) -> str:
    """Plain text that reads as itself when stored as Markdown."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!<>|~&" else c for c in text)
