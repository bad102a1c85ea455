"""A finding's key is what a stored override is found by, so it never
changes with how it is worked out: the digest of its rule, words, place
and people written out whole (``check.finding_key``)."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from notesbase.publishing.leakcheck.keys import KEY_SHAPE, finding_key, match_key

# Any text, lone surrogates too (an override's words come from any input).
any_text = st.text(st.characters(codec=None), max_size=30)


def written_whole(rule: str, match: str, place: str, people: tuple[int, ...]) -> str:
    whose = ",".join(str(person) for person in sorted(set(people)))
    text = f"{KEY_SHAPE}\x1f{rule}\x1f{match_key(match)}\x1f{place}\x1f{whose}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:64]


@given(any_text, any_text, any_text, st.lists(st.integers(0, 10**6), max_size=4))
def test_a_key_is_the_digest_of_its_text_written_whole(rule, match, place, people):
    # Asked twice: the second time its words' digest is the one kept.
    for _ in range(2):
        assert finding_key(rule, match, place, people) == written_whole(
            rule, match, place, tuple(people)
        )


def test_keys_stored_with_overrides_are_found_again():
    """Keys as earlier versions worked them out (overrides in the database
    hold them)."""
    place = "item #12 v3 #0123456789abcdef01234567"
    assert finding_key("name", "Alex  Smith", place, (7, 3, 7)) == (
        "2337f5a703a4254972ad58a0d9a7b1ed1f75091e7e98f9a95e846c899d2105da"
    )
    assert finding_key("confidential", "Off until Septémber \ud800", "summary #abc") == (
        "a4a98da66e783e1643ab5685dc996f62f562b47b91439bf646903b4f8f045030"
    )
