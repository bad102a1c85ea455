"""Finding a name, affiliation, descriptor or email address in text however
it was typed. Every comparison is made in the canonical form of
``notesbase.disclosure.canonical``: any case, accents, compatibility forms,
look-alike letters from any script (UTS #39), invisible characters inside
or between words. Punctuation and hyphens are word boundaries
("Heronsgate-Council" is "Heronsgate Council"), and the words of a term may
also be run together ("AdaLovelace", as a zero-width space shows it).

The scrub, the leak check, the search re-check and the record of who is
named where all use ``Matcher``: there is no second rule."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from urllib.parse import unquote

from notesbase.disclosure.canonical import (
    alternative,
    canonical,
    canonical_words,
    loose,
    loose_reading,
    origins,
)
from notesbase.disclosure.folding import decode_hosts, squash
from notesbase.disclosure.joins import Joins
from notesbase.disclosure.patterns import (
    WORDS,
    ascii_signs,
    keys_of,
    loose_words,
    phrases_regex,
    prefixes,
    shape,
    spells,
    term_regex,
)

# A term glued into an address ("jane-doe", "janedoe") is found only when it is
# this long once squashed, so short surnames do not strip every link.
_GLUED_MIN = 5
# Each matcher's own number, never reused (unlike ``id``): a cache can key
# on it without keeping the matcher alive.
_SERIALS = itertools.count(1)
# Terms a text is searched for one by one; more are searched for together.
_FEW = 6
# The longest title or article that goes with a term, with a space or two.
_PREFIX_MAX = 24
# Word characters only: a term that folds to nothing else matches nothing.
_TERM_WORD = re.compile(r"[^\W_]")


class Matcher:
    """Finds and replaces a set of terms at once; ``replacements`` maps each
    term to what stands in for it. Longer terms win over their own parts, and
    a ``keep`` phrase (a released name that contains a withheld surname, say)
    is left as it is, unless it is itself withheld. A term in ``honorific``
    takes a title before it with it ("Mr Newcomer" as one), one in
    ``article`` the article before it ("the Heronsgate Council"); one in
    ``capital`` counts only where its last word starts with a capital
    ("Bell", not "the bell")."""

    def __init__(
        self,
        replacements: Mapping[str, str],
        keep: Iterable[str] = (),
        *,
        honorific: Collection[str] = (),
        article: Collection[str] = (),
        capital: Collection[str] = (),
    ) -> None:
        self.serial = next(_SERIALS)
        self._joins: Joins | None = None
        self._by_key: dict[str, str] = {}
        for term, replacement in replacements.items():
            for key in keys_of(term):
                self._by_key.setdefault(key, replacement)
        kept = {key for phrase in keep for key in keys_of(phrase)} - set(self._by_key)
        self._prefix: dict[str, str] = {}
        for kind, terms in (("honorific", honorific), ("article", article)):
            for term in terms:
                for key in keys_of(term):
                    self._prefix.setdefault(key, kind)
        self._capital = {key for term in capital for key in keys_of(term)}
        # What it finds and puts in place, whole: equal for two matchers that
        # behave alike, so a body rendered with one may be shown for the other
        # (``disclosure.bodies``).
        self.rules = _rules_digest(self._by_key, kept, self._prefix, self._capital)
        # A term is looked for only in text that holds the word of it fewest
        # other terms share, and all its other words, or its words run
        # together: few terms are tried on any one text, so a meeting with
        # hundreds of people stays quick. All of it in loose form.
        keys = sorted(set(self._by_key) | kept)
        shapes = {key: shape(key) for key in keys}
        self._loose = {key: shape[0] for key, shape in shapes.items()}
        self._words = {key: shape[1] for key, shape in shapes.items()}
        shared = Counter(word for key in keys for word in self._words[key])
        self._index: dict[str, list[str]] = {}
        self._glued: dict[str, list[str]] = {}
        for key in keys:
            rarest = min(self._words[key], key=lambda word: (shared[word], -len(word), word))
            self._index.setdefault(rarest, []).append(key)
            for joined in shapes[key][2]:
                self._glued.setdefault(joined, []).append(key)
        self._lookup = frozenset(self._index) | frozenset(self._glued)
        # Glued terms, for link addresses, and by their first letters: a long
        # address is looked up once per position in it, not searched once per
        # term (``_glued_in``).
        glued_terms = sorted({self._loose[key].replace(" ", "") for key in self._by_key})
        self._glued_terms = tuple(term for term in glued_terms if len(term) >= _GLUED_MIN)
        self._in_urls: dict[str, list[str]] = {}
        for term in self._glued_terms:
            self._in_urls.setdefault(term[:_GLUED_MIN], []).append(term)

    def __bool__(self) -> bool:
        return bool(self._by_key)

    @property
    def joins(self) -> Joins:
        """How its terms may be found across the pieces of a text (``Joins``)."""
        if self._joins is None:
            self._joins = Joins(self._loose, self._candidates)
        return self._joins

    def may_find(self, words: Iterable[str], other: Iterable[str] | None = None) -> bool:
        """Whether a text may hold one of its terms, given what
        ``patterns.reading_words`` gives for it: its loose words, and those of
        its alternative reading when ``matches`` reads that too. False only
        where ``matches`` would find nothing (the same early exit as ``_find``)."""
        return not self._lookup.isdisjoint(words) or (
            other is not None and not self._lookup.isdisjoint(other)
        )

    def _candidates(self, words: set[str]) -> list[str]:
        """The terms to try on a text (given its words in loose form): those
        whose every word it holds, or whose words it holds run together."""
        found: set[str] = set()
        for word in words.intersection(self._lookup):
            for key in self._index.get(word, ()):
                if self._words[key] <= words:
                    found.add(key)
            found.update(self._glued.get(word, ()))
        return sorted(found, key=lambda key: (-len(key), key))

    def _find(
        self, text: str, lookup: str, *, alt: bool, capitals: bool
    ) -> list[tuple[int, int, str]]:
        """The terms in ``text``, whose loose reading is ``lookup``."""
        words = set(loose_words(lookup))
        if not words.intersection(self._lookup):
            return []
        keys = self._candidates(words)
        if not any(key in self._by_key for key in keys):
            return []
        folded = alternative(text) if alt else canonical(text)
        spelled = self._spelled_together(keys, lookup, folded) if len(keys) > _FEW else None
        if spelled is None:
            spelled = self._spelled_each(keys, lookup, folded)
        origin: Sequence[int] | None = None
        found: list[tuple[int, int, str]] = []
        position = 0
        for begin, end, key in spelled:
            if begin < position:
                continue
            replacement = self._by_key.get(key)
            if replacement is None:
                position = end  # a kept phrase
                continue
            if origin is None:
                origin = origins(text, alternative=alt)
            capital = capitals and key in self._capital
            if capital and not _capitalised(text, origin, folded, begin, end):
                continue
            position = end
            # A title goes with a name, an article with an organisation.
            begin = self._begin(key, lookup, begin)
            start, stop = origin[begin], origin[end - 1] + 1
            # Marks and invisible characters right after belong to it.
            while stop < len(text) and canonical(text[stop]) == "":
                stop += 1
            found.append((start, stop, replacement))
        return found

    def _spelled_each(
        self, keys: list[str], lookup: str, folded: str
    ) -> list[tuple[int, int, str]]:
        """Every place each term is spelled, the leftmost first, then the
        longest, then withheld before kept: hiding wins."""
        spelled: list[tuple[int, int, str]] = []
        for key in keys:
            for match in term_regex(self._loose[key]).finditer(lookup):
                if spells(folded[match.start() : match.end()], key):
                    spelled.append((match.start(), match.end(), key))
        spelled.sort(key=lambda hit: (hit[0], -len(hit[2]), hit[2] not in self._by_key))
        return spelled

    def _spelled_together(
        self, keys: list[str], lookup: str, folded: str
    ) -> list[tuple[int, int, str]] | None:
        """``_spelled_each`` in one pass for many terms; None where a match
        on loose text spells none of them ("Hall" for "Hali"): then each is
        looked for alone."""
        # A match holds a term's words and what stands between them: its
        # words run together tell which term it is.
        by_letters: dict[str, list[str]] = {}
        for key in sorted(keys, key=lambda key: (-len(key), key not in self._by_key)):
            by_letters.setdefault(self._loose[key].replace(" ", ""), []).append(key)
        order = tuple(sorted({self._loose[key] for key in keys}, key=lambda k: (-len(k), k)))
        spelled: list[tuple[int, int, str]] = []
        for match in phrases_regex(order).finditer(lookup):
            typed = folded[match.start() : match.end()]
            spellings = by_letters["".join(WORDS.findall(match.group()))]
            key = next((k for k in spellings if spells(typed, k)), None)
            if key is None:
                return None
            spelled.append((match.start(), match.end(), key))
        return spelled

    def _begin(self, key: str, lookup: str, start: int) -> int:
        """Where a term found at ``start`` of loose text begins: a title
        before a name and an article before an organisation go with it."""
        prefix = self._prefix.get(key)
        if prefix is None:
            return start
        found = prefixes()[prefix].search(lookup, max(0, start - _PREFIX_MAX), start)
        return found.start() if found is not None else start

    def matches(self, text: str, *, capitals: bool = True) -> list[tuple[int, int, str]]:
        """Each withheld term in ``text``: its start and end in ``text`` and
        what stands in for it, in order and not overlapping. With
        ``capitals`` false, a term that counts only with a capital counts
        in any case (in a link address, where case means nothing)."""
        if not self._by_key or not text:
            return []
        lookup = loose_reading(text)
        found = self._find(text, lookup, alt=False, capitals=capitals)
        if not text.isascii() or any(char in text for char in ascii_signs()):
            reread = loose_reading(text, alternative=True)
            if reread != lookup:
                found = _merged(found, self._find(text, reread, alt=True, capitals=capitals))
        return found

    def search(self, text: str) -> bool:
        return bool(self.matches(text))

    def sub(self, text: str, preceding: str = "") -> str:
        """``text`` with every term replaced; ``preceding`` is the text that
        came before it, to tell whether a stand-in opens a sentence."""
        parts: list[str] = []
        last = 0
        for start, end, replacement in self.matches(text):
            parts.append(text[last:start])
            parts.append(sentence_case(replacement, preceding + text[:start]))
            last = end
        parts.append(text[last:])
        return "".join(parts)

    def names_in_url(self, url: str) -> bool:
        """Whether a link address or title carries a withheld term, also
        percent-encoded or glued to its neighbours ("jane-doe", "JaneDoe")."""
        if not self._by_key or not url:
            return False
        plain = decode_hosts(url)
        for _ in range(3):  # addresses may be encoded more than once
            plain = unquote(plain)
        spaced = " ".join(canonical_words(plain))
        if self.matches(plain, capitals=False) or self.matches(spaced, capitals=False):
            return True
        return self._glued_in(loose(squash(plain)))

    def _glued_in(self, glued: str) -> bool:
        """Whether a glued term is anywhere in ``glued``: with fewer terms
        than letters, each term searched for (in C); else each position
        looked up by its first letters. The same answer either way."""
        if len(self._glued_terms) <= len(glued):
            return any(term in glued for term in self._glued_terms)
        return any(
            glued.startswith(term, start)
            for start in range(len(glued) - _GLUED_MIN + 1)
            for term in self._in_urls.get(glued[start : start + _GLUED_MIN], ())
        )


def _capitalised(text: str, origin: Sequence[int], folded: str, begin: int, end: int) -> bool:
    """Whether the last word of a match starts with a capital as typed."""
    last = max(word.start() for word in WORDS.finditer(folded, begin, end))
    return text[origin[last]].isupper()


def _merged(
    first: list[tuple[int, int, str]], second: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Matches of two readings, in order, an overlapping later or shorter one left out."""
    if not second:
        return first
    merged: list[tuple[int, int, str]] = []
    for hit in sorted([*first, *second], key=lambda hit: (hit[0], -hit[1])):
        if merged and hit[0] < merged[-1][1]:
            if hit[1] > merged[-1][1]:
                merged[-1] = (merged[-1][0], hit[1], merged[-1][2])
            continue
        merged.append(hit)
    return merged


def sentence_case(replacement: str, before: str) -> str:
    """``replacement`` with a capital when it opens a sentence."""
    before = before.rstrip(" \t*_\"“‘'(")
    if not before or before[-1] in ".!?:\n":
        return replacement[:1].upper() + replacement[1:]
    return replacement


def contains_any(text: str, terms: Iterable[str]) -> list[str]:
    """The terms found in ``text``, however either was typed (a check)."""
    terms = [term for term in terms if _TERM_WORD.search(canonical(term))]
    if not terms:
        return []
    found = Matcher({term: term for term in terms}).matches(text)
    return sorted({replacement for _start, _end, replacement in found})


def _rules_digest(
    by_key: Mapping[str, str], kept: set[str], prefix: Mapping[str, str], capital: set[str]
) -> bytes:
    """A digest of everything a matcher is made from after its terms are
    put in loose form; ``repr`` of sorted strings is unambiguous."""
    whole = repr((sorted(by_key.items()), sorted(kept), sorted(prefix.items()), sorted(capital)))
    return hashlib.blake2b(whole.encode("utf-8", "surrogatepass"), digest_size=32).digest()
