"""A leak-check finding's key and how findings are told apart and ordered:
the same rule, the same words (however they were typed), the same people
and the same place at the same text give the same key, which a stored
override is found by (see ``leakcheck.check``)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache

from notesbase.disclosure.canonical import canonical
from notesbase.publishing.leakcheck import text as leak_text


@lru_cache(maxsize=8192)
def match_key(match: str) -> str:
    """A match as keys and groups compare it: its words, however typed
    (kept: a long meeting's check and its page ask for the same tens of
    thousands of times)."""
    return " ".join(leak_text.word_texts(match)) or " ".join(canonical(match).split())


KEY_SHAPE = "finding/2"  # part of every key: keys of earlier shapes never match


def finding_key(rule: str, match: str, place: str, people: Sequence[int] = ()) -> str:
    """The same rule, the same words (however they were typed), the same
    people and the same place at the same text (``Place.ident``) give the
    same key; anything else asks again."""
    whose = ",".join(str(person) for person in sorted(set(people)))
    key = _key_start(rule, match_key(match)).copy()
    key.update(f"{place}\x1f{whose}".encode("utf-8", "surrogatepass"))
    return key.hexdigest()[:64]


@lru_cache(maxsize=1024)
def _key_start(rule: str, words: str) -> hashlib._Hash:
    """The digest of a key's text up to its place: the same for the same
    words at every place (a long meeting's run of words may be at
    thousands). Copied, never changed."""
    return hashlib.sha256(f"{KEY_SHAPE}\x1f{rule}\x1f{words}\x1f".encode("utf-8", "surrogatepass"))


@lru_cache(maxsize=8192)
def where_order(where: str) -> tuple[object, ...]:
    """A sort key that puts item 2 before item 10 (kept: a long meeting's
    findings and entries sort thousands of places, at a few hundred wheres)."""
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", where))
