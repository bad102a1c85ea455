"""Text brought to one form for comparing it outside the matcher: ``fold``
tells whether two names or titles are the same, ``squash`` reduces an
address to its canonical letters and digits, and ``decode_hosts`` reads an
internationalised host name as the letters it stands for. Finding a
withheld term is ``Matcher``'s (``notesbase.disclosure.matching``)."""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

from notesbase.disclosure.canonical import canonical_words, ignorable


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """One character as ``fold`` sees it: no accent, case folded,
    compatibility forms unified, invisible characters dropped."""
    if char.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c) and not ignorable(c))


def fold(text: str) -> str:
    """Text reduced for telling whether two names or titles are the same:
    no accents, case folded, compatibility forms unified, one space between
    words. Not for finding withheld terms: that is ``Matcher``'s."""
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join("".join(_fold_char(c) for c in text).split())


def squash(text: str) -> str:
    """Canonical letters and digits only: "Jane-Doe" and "jane_doe" both give "janedoe"."""
    return "".join(canonical_words(text))


_PUNYCODE = re.compile(r"xn--([a-z0-9-]+)", re.IGNORECASE)


def decode_hosts(url: str) -> str:
    """``url`` with internationalised host names (``xn--…``) turned back into
    the letters they stand for."""

    def decode(match: re.Match[str]) -> str:
        try:
            return codecs.decode(match.group(1).lower().encode("ascii"), "punycode")
        except (UnicodeError, ValueError):
            return match.group(0)

    return _PUNYCODE.sub(decode, url)
