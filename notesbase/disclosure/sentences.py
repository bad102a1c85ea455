"""Sentences a redaction leaves broken, for the facilitator to mend with ``alt``.

A cut span leaves no trace, which is the point; but "The pilot ran in
[Northtown]{.confidential} and [Southtown]{.confidential}; it is now over"
then reads "The pilot ran in and; it is now over", and nobody wants to
publish that. Where a cut was made, the words either side are looked at,
with small word lists and no grammar:

- a word that needs something after it (an article, a possessive, a
  preposition, a conjunction, "is"/"was") directly before punctuation or
  the end of the sentence: "ran in.", "funded by the.", "in and;";
- an article or possessive directly before another function word: "the and";
- a preposition or conjunction directly before a conjunction, or a
  preposition that is never an adverb before another one: "in and",
  "spoke to about it";
- a sentence that now starts with a conjunction, "of", or a possessive
  "'s" left behind: "and Bob agreed", "'s report was late".

A cut between two ordinary words is fine: "We met [Ann]{.confidential}
yesterday." reads "We met yesterday.". A span with ``alt`` leaves its alt
text, not a cut, so it is never looked at. The check reads a body as the
audience would, before names are replaced: its findings are for
facilitators only."""

from __future__ import annotations

import re

from markdown_it.token import Token

from notesbase.disclosure.classes import may_hold_markup
from notesbase.disclosure.spans import redacted_tokens
from notesbase.disclosure.vocabulary import Audience
from notesbase.disclosure.words import ARTICLES, word_set

# Where a cut was, while reading (a private-use character nobody types).
_CUT = "\ue000"
# Possessives that cannot stand alone ("her", "this", "that" can: "we told
# her.", "this is fine").
POSSESSIVES = word_set("my your his its our their whose")
# Prepositions that want an object. Those that are also adverbs and end
# sentences well ("see below", "as before", "carried over") are left out.
PREPOSITIONS = word_set(
    """about against among amongst at between by despite during except for from in into
    of on onto per than through to toward towards unlike until upon versus via with
    within without"""
)
# Of those, the ones that are never adverbs: another preposition straight
# after one of these reads broken ("spoke to about it").
NEEDS_OBJECT = word_set("at between by from into of onto than to toward towards upon via with")
CONJUNCTIONS = word_set("and or but nor")
LINKING = word_set("is are was were be been am")
# Words that cannot end a sentence, or come straight before punctuation.
DANGLING = ARTICLES | POSSESSIVES | PREPOSITIONS | CONJUNCTIONS | LINKING
# Words that cannot follow an article or possessive ("the and", "our of").
NOT_AFTER_ARTICLE = ARTICLES | POSSESSIVES | CONJUNCTIONS | LINKING | NEEDS_OBJECT
_OBJECTLESS = word_set("at by for from in into of on onto to with")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_LAST_WORD = re.compile(r"([^\W\d_]+)$")
_LEFT_POSSESSIVE = re.compile(r"['’]s(?![^\W\d_])")
_STOPS = '.!?;:,)]”’"'
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def reads_broken(before: str, after: str) -> bool:
    """Whether a sentence cut between ``before`` and ``after`` reads broken
    (the rules of the module docstring)."""
    last = before.rstrip()
    rest = after.lstrip()
    if _LEFT_POSSESSIVE.match(rest):
        return True
    following = _WORD.match(rest)
    word_after = following.group().casefold() if following else ""
    if not last:  # the sentence now starts here
        return word_after in CONJUNCTIONS or word_after == "of"
    found = _LAST_WORD.search(last)
    if found is None:
        return False
    word_before = found.group(1).casefold()
    if not rest or rest[0] in _STOPS:
        return word_before in DANGLING
    if word_before in ARTICLES | POSSESSIVES:
        return word_after in NOT_AFTER_ARTICLE
    if word_before in PREPOSITIONS | CONJUNCTIONS and word_after in CONJUNCTIONS:
        return True
    return word_before in NEEDS_OBJECT and word_after in _OBJECTLESS


def _run_text(children: list[Token]) -> str:
    parts = []
    for token in children:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def broken_sentences(body: str, audience: Audience) -> list[str]:
    """The sentences of ``body`` that read broken for ``audience`` once the
    spans it may not see are cut, as it would read them."""
    if audience is Audience.FACILITATOR or not may_hold_markup(body or ""):
        return []
    found: list[str] = []
    for token in redacted_tokens(body, audience, cut_mark=_CUT):
        if token.type != "inline" or not token.children:
            continue
        text = _run_text(token.children)
        if _CUT not in text:
            continue
        for sentence in _SENTENCE_END.split(text):
            pieces = sentence.split(_CUT)
            broken = any(
                reads_broken("".join(pieces[: i + 1]), "".join(pieces[i + 1 :]))
                for i in range(len(pieces) - 1)
            )
            shown = " ".join("".join(pieces).split())
            if broken and shown and shown not in found:
                found.append(shown)
    return found
