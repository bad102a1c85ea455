"""The canonical form every comparison of a withheld term runs on: what
each character is read as, checked against Unicode's own data (ICU)."""

from __future__ import annotations

import sys

import icu
import pytest

from notesbase.disclosure.canonical import (
    EITHER_I_OR_L,
    alternative,
    canonical,
    canonical_char,
    canonical_words,
    loose,
)
from notesbase.disclosure.words import WORDS_FILE, make_words_file


def test_every_default_ignorable_code_point_is_nothing() -> None:
    """Zero-width characters, fillers, bidi controls, variation selectors,
    tags: all of Unicode's Default_Ignorable_Code_Point, read as nothing."""
    ignorable = icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT
    found = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if icu.Char.hasBinaryProperty(chr(code), ignorable)
    ]
    assert len(found) > 4000  # the tags and variation selectors supplement
    assert [char for char in found if canonical_char(char) != ""] == []


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("ꓮꓓꓮ", "ada"),  # Lisu
        ("ᴀᴅᴀ", "ada"),  # small capitals
        ("АDА", "ada"),  # Cyrillic capital A
        ("ΑDΑ", "ada"),  # Greek capitals
        ("Ａｄａ", "ada"),  # full width
        ("𝐀𝐝𝐚", "ada"),  # mathematical bold
        ("Ádá", "ada"),  # accents
        ("A\u200bd\u2060a", "ada"),  # invisible inside
        ("ꓧeronsgate", "heronsgate"),  # a Lisu H
        ("ΗERONSGATE", "heronsgate"),  # a Greek capital Eta is an H
        ("Marrowfıeld", "rnarrowfield"),  # dotless i; "m" and "rn" are one
    ],
)
def test_look_alikes_read_as_the_letters_they_imitate(typed: str, read: str) -> None:
    assert canonical(typed) == read


def test_a_capital_i_is_either_an_i_or_an_l() -> None:
    """ "ALI" is "Ali" and "HaIl" is "Hall": a capital I (or anything shaped
    like it) is read as both."""
    assert canonical("ALI") == "al" + EITHER_I_OR_L
    assert canonical("HaIl") == "ha" + EITHER_I_OR_L + "l"
    assert loose(canonical("HaIl")) == loose(canonical("hall")) == loose(canonical("hail"))
    assert canonical("hall") != canonical("hail")  # small letters are not confused


def test_a_sign_shaped_like_a_letter_ends_a_word_and_is_read_as_the_letter_too() -> None:
    """ "|Marrowfield|" holds the word; "Ha||" is "Hall" read the other way."""
    assert canonical_words("|Marrowfield|") == ["rnarrowfield"]
    assert loose(alternative("Ha||")) == loose(canonical("Hall"))


def test_punctuation_and_hyphens_end_words() -> None:
    assert canonical_words("Heronsgate-Council") == ["heronsgate", "council"]
    assert canonical_words("Heronsgate\u2010Council.") == ["heronsgate", "council"]


def test_the_words_file_is_what_wordfreq_gives() -> None:
    """The common and everyday words are wordfreq's: regenerate the file with
    ``python -m notesbase.disclosure.words --make`` if this fails."""
    assert WORDS_FILE.read_text(encoding="utf-8") == make_words_file()
