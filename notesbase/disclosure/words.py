"""Domain words the disclosure rule needs, in one place: titles that go with
a name, articles, words that do not identify an organisation, stop words,
and the common words of the notes' language (English).

Every list is compared in canonical form (``canonical.term_key``), so a
look-alike spelling of a common word is still a common word.

The English words, most frequent first, are wordfreq's small English list
(letters only), kept in ``data/words-en.txt`` so that no process loads the
frequency lists; ``python -m notesbase.disclosure.words --make`` writes the
file again (wordfreq is a test dependency, and a test checks the file). The
first ``COMMON_COUNT`` are common words: they never identify anyone alone.
The rest are everyday words: a name or organisation made of one is found
alone only where it is written with a capital ("Bell" of "Bell Labs", not
"the bell")."""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from notesbase.disclosure.canonical import canonical, canonical_words, loose, term_key

WORDS_FILE = Path(__file__).parent / "data" / "words-en.txt"
COMMON_COUNT = 2500
EVERYDAY_COUNT = 20000


def word_set(text: str) -> frozenset[str]:
    """The words of a word list written as one string."""
    return frozenset(text.split())


# Titles that go with the name after them: "Mr Newcomer" is replaced whole.
HONORIFICS = word_set(
    """mr mrs ms mx miss master dr doctor prof professor cllr councillor sir dame lord
    lady rev revd reverend hon rt fr father sister brother rabbi imam canon dean baroness
    baron viscount earl duke duchess"""
)
ARTICLES = frozenset(("a", "an", "the"))

# Words that name a kind of organisation, a place in it, a sector or a
# region, not one organisation: "Heronsgate Council" is withheld also as
# "Heronsgate", never as "Council". Each must be a word people use in notes
# without meaning anyone's employer.
GENERIC_ORGANISATION_WORDS = word_set(
    """council councils borough boroughs county counties city cities district districts
    metropolitan combined authority authorities parish town towns village unitary region
    regional local government governments department departments dept ministry ministries
    office offices agency agencies executive service services directorate directorates
    division divisions unit units team teams group groups board boards commission
    commissions committee committees panel panels bureau institute institutes institution
    institutions centre centres center centers trust trusts foundation foundations fund
    funds charity charities society societies association associations federation
    confederation union unions alliance alliances partnership partnerships network networks
    forum forums coalition collective cooperative consortium company companies corporation
    corp ltd limited plc inc llp llc cic holdings partners associates consulting
    consultancy consultants solutions systems technologies technology tech labs lab
    laboratory laboratories university universities college colleges school schools
    academy academies faculty hospital hospitals clinic clinics practice practices nhs
    health healthcare care social public national international global world european
    british english scottish welsh irish northern southern eastern western north south
    east west central greater upper lower new old royal united kingdom uk gb england
    scotland wales ireland europe data digital open research science sciences innovation
    policy strategy transformation development management cabinet treasury home parliament
    assembly house police fire rescue ambulance library libraries museum museums archive
    archives gallery press media news community communities voluntary sector citizens
    people housing education transport environment environmental economic economics
    finance financial statistics statistical analytics insight insights evidence
    standards skills learning training support advice commissioning ai
    artificial intelligence information engagement participation
    democracy democratic civic"""
)

# Words that carry no meaning alone.
STOPWORDS = word_set(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves let lets get got make made one two new
    said says say think thought like well yes also may might must shall us"""
)

_WORD = re.compile(r"[^\W_]+")


def _key(word: str) -> str:
    # Loose: a capital "I" in "Institute" is the "i" of "institute".
    return loose(term_key(word))


@cache
def _canonical(words: frozenset[str]) -> frozenset[str]:
    return frozenset(_key(word) for word in words)


@cache
def _english() -> tuple[str, ...]:
    """The words of the notes' language, most frequent first, in canonical form."""
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(_key(line) for line in lines if line and not line.startswith("#"))


@cache
def common_words() -> frozenset[str]:
    """The common words of the notes' language, in canonical form."""
    return frozenset(_english()[:COMMON_COUNT])


@cache
def everyday_words() -> frozenset[str]:
    """Common and everyday words of the notes' language, in canonical form."""
    return frozenset(_english())


def warm() -> None:
    """Read the word lists and put the letters most text is made of in
    canonical form now: a server worker does this before its first request,
    not during it."""
    common_words()
    everyday_words()
    for word in (STOPWORDS, GENERIC_ORGANISATION_WORDS, HONORIFICS, ARTICLES):
        _canonical(word)
    canonical("".join(map(chr, range(0x20, 0x250))))


def stopwords() -> frozenset[str]:
    """The stop words in canonical form."""
    return _canonical(STOPWORDS)


def stopword(word: str) -> bool:
    return _key(word) in _canonical(STOPWORDS)


def common(word: str) -> bool:
    """A stop word, or one of the common words of the notes' language."""
    key = _key(word)
    return key in _canonical(STOPWORDS) or key in common_words()


def generic(word: str) -> bool:
    """A word that names a kind of organisation, not one."""
    return _key(word) in _canonical(GENERIC_ORGANISATION_WORDS)


def everyday(word: str) -> bool:
    """A word of the notes' language, common or not (a name made of one
    counts alone only when written with a capital)."""
    return _key(word) in everyday_words()


def honorific(word: str) -> bool:
    return _key(word) in _canonical(HONORIFICS)


def letters(word: str) -> int:
    """How many letters ``word`` has as typed (compatibility forms unified)."""
    return sum(1 for char in unicodedata.normalize("NFKC", word) if char.isalpha())


def _ideographic(text: str) -> bool:
    """Whether ``text`` is written in a script whose one or two signs make a
    whole name (Chinese, Japanese, Korean)."""
    return any(
        unicodedata.name(char, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA"))
        for char in text
    )


def term_problem(term: str, what: str) -> str | None:
    """Why ``term`` cannot stand for someone (a name, affiliation or
    descriptor): it would be replaced wherever its words stand, so it must
    not be a stop word, shorter than three letters, or a common word."""
    words = canonical_words(term)
    if not words:
        return f"Write the {what} in letters."
    if len(words) > 1:
        if all(loose(key) in _canonical(STOPWORDS) for key in words):
            return (
                f"“{term}” is made of words such as “the” and “of” only: every "
                f"“{term}” in the notes would be replaced. Write the full {what}."
            )
        return None
    if letters(term) < 3 and not _ideographic(term):
        return (
            f"“{term}” is shorter than three letters: it would be replaced wherever it "
            f"stands as a word in the notes. Write the full {what}."
        )
    if common(term):
        return (
            f"“{term}” is a common English word: every “{term}” in the notes would be "
            f"replaced. Write the full {what}."
        )
    return None


@lru_cache(maxsize=4096)
def distinctive_words(affiliation: str) -> tuple[str, ...]:
    """The words of an affiliation that identify it alone ("Heronsgate" of
    "Heronsgate Council"), as typed: three letters or more, and neither a
    stop word, a common word nor a generic organisational word."""
    found: list[str] = []
    for word in _WORD.findall(affiliation):
        if letters(word) < 3 or common(word) or generic(word):
            continue
        if word not in found:
            found.append(word)
    return tuple(found)


def make_words_file() -> str:
    """The words file as wordfreq gives it today."""
    import wordfreq  # a test dependency: only this function needs it

    top = wordfreq.top_n_list("en", EVERYDAY_COUNT * 2, wordlist="small")
    words = [word for word in top if re.fullmatch(r"[a-z]+", word)][:EVERYDAY_COUNT]
    header = (
        f"# The {EVERYDAY_COUNT:,} most frequent English words, most frequent first, letters\n"
        "# only (wordfreq's small English list). The first "
        f"{COMMON_COUNT:,} are common words.\n"
        "# Made by `python -m notesbase.disclosure.words --make`.\n"
    )
    return header + "\n".join(words) + "\n"


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    if sys.argv[1:] == ["--make"]:
        WORDS_FILE.write_text(make_words_file(), encoding="utf-8")
    else:
        sys.exit("usage: python -m notesbase.disclosure.words --make")
