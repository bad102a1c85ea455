"""Letters from other scripts that look like Latin ones ("Аlex" with a
Cyrillic А), mapped to the Latin letter they imitate, so the leak check sees
through them. Full-width forms, ligatures and mathematical letters need no
entry: compatibility folding (``disclosure.matching.fold``) unifies them.

The mapping is one character for one character, so positions found in the
mapped text are positions in the original."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# A curated part of Unicode's confusables list: the letters of Cyrillic,
# Greek and a few others that are read as Latin ones in ordinary fonts.
_LOOK_ALIKES = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I",
    "Ј": "J", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y", "Һ": "H", "Ӏ": "I", "Ԁ": "D",
    "Ꙇ": "I",
    # Cyrillic small letters
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h",
    "ӏ": "l", "ү": "y", "ꙇ": "i", "ɡ": "g", "ı": "i", "ȷ": "j",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
    "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "Ϲ": "C", "Ϳ": "J",
    # Greek small letters
    "ο": "o", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "υ": "u", "χ": "x",
    "α": "a", "ϲ": "c", "ϳ": "j", "γ": "y", "ω": "w",
    # Armenian, Latin IPA and others read as Latin
    "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "Տ": "S", "Օ": "O",
    "ɑ": "a", "ɩ": "i", "ʏ": "y", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "ᴏ": "o",
    "ᴄ": "c", "ᴜ": "u", "ꮃ": "w", "Ꭺ": "A", "Ᏼ": "B", "Ꮯ": "C", "Ꭼ": "E",
    "Ꮋ": "H", "Ꭻ": "J", "Ꮶ": "K", "Ꮇ": "M", "Ꮲ": "P", "Ꮪ": "S", "Ꭲ": "T",
}  # fmt: skip


@lru_cache(maxsize=4096)
def _latin(char: str) -> str:
    """``char`` as the Latin letter it imitates (keeping an accent it
    carries when the result is still one character), else itself."""
    if char in _LOOK_ALIKES:
        return _LOOK_ALIKES[char]
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) > 1 and decomposed[0] in _LOOK_ALIKES:
        composed = unicodedata.normalize("NFC", _LOOK_ALIKES[decomposed[0]] + decomposed[1:])
        return composed if len(composed) == 1 else _LOOK_ALIKES[decomposed[0]]
    return char


def unconfuse(text: str) -> str:
    """``text`` with look-alike letters replaced by the Latin ones they
    imitate; always the same length as ``text``."""
    return "".join(_latin(char) for char in text)
