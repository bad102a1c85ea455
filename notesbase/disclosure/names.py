"""Which parts of a person's name identify them on their own: first names,
surnames, each half of a double-barrelled one, but not particles, titles
or initials. The leak check flags such a part alone, and the record of who
is named where (``mentions``) counts it."""

from __future__ import annotations

import re
from functools import cache

from notesbase.disclosure.canonical import canonical_words, loose, term_key
from notesbase.disclosure.words import HONORIFICS, common_words, word_set

# Parts of a name that identify nobody on their own: particles, titles and
# letters after a name.
PARTICLES = HONORIFICS | word_set(
    "al ap bat ben bin bint da das de dei del della der des di do dos du el ibn la le les "
    "mac mc op st ter van von y zu "
    "jr jnr sr snr ii iii iv phd obe mbe cbe kc qc"
)
# Name parts that are also everyday words: found only when written with a
# capital letter ("Will" is a name part, "will" a verb).
COMMON_WORDS = word_set(
    "amber april art august autumn baker bank banks bell best bill bird black bloom bond "
    "brook brown bush butler call carter chase cherry church clay cook cross crown dale "
    "dawn day dean drew duke earl east english fair faith field fields fisher fletcher "
    "ford forest fox frank free french gardner gay gene gift glen gold golden grace grant "
    "gray green grey guy hall happy hart hay heath hill hills holly hope house hunter ivy "
    "jack jay jewel joy june just king lamb lane law lawn lee little long love low major "
    "march mark marsh mason may mayor meadow miles mill miller mills moon moore moss "
    "new north norman noble page palmer park parker parsons pat patience peace pearl "
    "penny person pierce pike pool pope porter potter power price pride read reading "
    "reed rich rob robin rock rose ross rowe ruby rush rusty sage sandy savage scott "
    "sharp shepherd short sky small smart snow spring stone storm street summer sunny "
    "sweet swift taylor temple thorn tucker turner victor wade walker wall ward warren "
    "waters west white wild will winter wise wood woods wren young"
)


def name_parts(name: str) -> list[str]:
    """The parts of a name that identify someone alone: first names,
    surnames, each half of a double-barrelled one; not initials or "van"."""
    words = name.split()
    if len(words) < 2:
        return []
    parts: list[str] = []
    for word in words:
        word = word.strip('.,;:()[]"“”')
        for candidate in [word, *word.split("-")] if "-" in word else [word]:
            key = loose("".join(canonical_words(candidate)))
            if len(key) < 2 or key in particles() or not re.search(r"[^\W\d_]", key):
                continue
            parts.append(candidate)
    return list(dict.fromkeys(parts))


@cache
def particles() -> frozenset[str]:
    return frozenset(loose(term_key(word)) for word in PARTICLES)


@cache
def common_name_words() -> frozenset[str]:
    """Everyday words that are also parts of names, in canonical form."""
    return frozenset(loose(term_key(word)) for word in COMMON_WORDS) | common_words()
