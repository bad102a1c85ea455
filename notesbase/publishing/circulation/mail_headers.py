"""The headers of an email that carry what people typed (a display name, a
subject with a meeting's title), made here and only here
(``safe_header_text``, ``text_header``, ``address_header``): line breaks of every kind and the
``=?`` that starts an encoded word are taken out first, then the text is
encoded and folded by this module, not by the interpreter's email package,
whose folding has let a decoded line break through (CVE-2024-6923) and
folds subjects in ways readers misread. So what a message says in its
headers does not depend on the Python it runs on."""

from __future__ import annotations

import base64
import re
from email.message import EmailMessage

from notesbase.text import clean_line

# RFC 2047: a header line holding an encoded word is at most 76 characters.
HEADER_LINE_MAX = 76
ENCODED_WORD = "=?utf-8?b?{}?="
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a display name may hold as it is (RFC 5322 atext and spaces); any
# other name is sent as encoded words rather than quoted.
_PLAIN_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+")
# A plain email address, as the envelope carries it.
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})")


def safe_header_text(text: str | None) -> str:
    """``text`` as it may stand in a header: one line (line breaks of every
    kind, CR, LF, NEL, U+2028, and other control or invisible characters
    gone, spaces run together) and no ``=?`` left, however it was split up,
    so no reader decodes an encoded word (a line break, say) out of it."""
    cleaned = clean_line(_SURROGATE.sub("\ufffd", text or ""))
    while "=?" in cleaned:
        cleaned = " ".join(cleaned.replace("=?", "").split())
    return cleaned


def _encoded_words(text: str, room: int) -> list[str]:
    """``text`` as UTF-8 encoded words (RFC 2047, base64) of at most ``room``
    characters each, never splitting a character, and between words of the
    text where one fits. Spaces go inside the encoded words: a reader drops
    the space between two of them (RFC 2047, 6.2)."""
    per_word = (room - len(ENCODED_WORD.format(""))) // 4 * 3
    chunks: list[bytes] = [b""]
    for word in re.findall(r"[^ ]+ ?| ", text):  # each word with its space
        encoded = word.encode("utf-8")
        if chunks[-1] and len(chunks[-1]) + len(encoded) > per_word:
            chunks.append(b"")
        if len(encoded) <= per_word:
            chunks[-1] += encoded
            continue
        for character in word:  # a word longer than an encoded word holds
            piece = character.encode("utf-8")
            if chunks[-1] and len(chunks[-1]) + len(piece) > per_word:
                chunks.append(b"")
            chunks[-1] += piece
    return [ENCODED_WORD.format(base64.b64encode(chunk).decode("ascii")) for chunk in chunks]


def _folded(name: str, words: list[str]) -> str:
    """``words`` as the value of header ``name``, folded between words so no
    line passes ``HEADER_LINE_MAX``; the first word always on the first line
    (a fold right after the colon reads as a leading space)."""
    lines = [f"{name}: {words[0]}"]
    for word in words[1:]:
        if len(lines[-1]) + 1 + len(word) <= HEADER_LINE_MAX:
            lines[-1] += f" {word}"
        else:
            lines.append(f" {word}")
    return "\r\n".join(lines)[len(name) + 2 :]


def _words(name: str, text: str, plain: re.Pattern[str] | None = None) -> list[str]:
    """``text`` (made safe) as the words of header ``name``: as it is when it
    is printable ASCII that ``plain`` allows and each word fits on a line,
    else encoded words."""
    room = HEADER_LINE_MAX - len(name) - 2
    words = text.split(" ")
    if (
        text.isascii()
        and text.isprintable()
        and (plain is None or plain.fullmatch(text))
        and all(len(word) <= room for word in words)
    ):
        return words
    return _encoded_words(text, room)


def text_header(name: str, text: str) -> str:
    """The folded value of an unstructured header (a subject) holding ``text``."""
    safe = safe_header_text(text)
    return _folded(name, _words(name, safe) if safe else [""])


def address_header(name: str, display_name: str | None, address: str) -> str:
    """The folded value of header ``name`` addressed to ``address``, with
    ``display_name`` (made safe; left out when nothing is left of it).
    Raises ``ValueError`` for an address mail cannot carry as it is."""
    if not _ADDRESS.fullmatch(address) or "=?" in address or ".." in address:
        raise ValueError("the address cannot be sent to as it is")
    phrase = safe_header_text(display_name)
    words = _words(name, phrase, _PLAIN_PHRASE) if phrase else []
    return _folded(name, [*words, f"<{address}>"])


def put_header(message: EmailMessage, name: str, value: str) -> None:
    """Add a header made by ``text_header`` or ``address_header``, as it is."""
    message.set_raw(name, value)
