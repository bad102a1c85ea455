"""Disclosed tokens to sanitised HTML, and HTML back to the words and
attribute values a reader or a program could get out of it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from html.parser import HTMLParser

import nh3
from markdown_it.token import Token

from notesbase.disclosure.spans import MARK_CLASS, UNREADABLE_CLASS, parser
from notesbase.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

_SPAN_CLASSES = {*MARK_CLASS.values(), UNREADABLE_CLASS}
# A marked span's title says what other audiences read in its place.
_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, "span": {"title"}}
# Tags that sit inside a line of text: their words join their neighbours'.
_INLINE = {"a", "abbr", "code", "del", "em", "span", "strong", "sub", "sup"}
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def to_html(tokens: Sequence[Token]) -> str:
    rendered = parser().renderer.render(list(tokens), parser().options, {})
    return _cleaner().clean(rendered)


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    """The sanitiser, configured once (configuring it per call costs more
    than the cleaning)."""
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_ATTRIBUTES,
        allowed_classes={"span": _SPAN_CLASSES},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.extend(value for _name, value in attrs if value)
        if tag not in _INLINE:
            self.words.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.words.append(" ")

    def handle_data(self, data: str) -> None:
        self.words.append(data)


def _read(body_html: str) -> _Reader:
    reader = _Reader()
    reader.feed(body_html)
    reader.close()
    return reader


def to_text(body_html: str) -> str:
    """The words of rendered HTML as a reader sees them, one space between
    them: inline formatting joins ("Ja<em>ne</em>" reads "Jane")."""
    return " ".join("".join(_read(body_html).words).split())


def text_and_attributes(body_html: str) -> tuple[str, list[str]]:
    """``to_text`` and ``attribute_values`` of the same HTML, read once."""
    text, attributes = _text_and_attributes(body_html)
    return text, list(attributes)


@lru_cache(maxsize=16)
def _text_and_attributes(body_html: str) -> tuple[str, tuple[str, ...]]:
    """Kept by the exact HTML, a few: a whole exported document is read for
    each leak check of its meeting."""
    reader = _read(body_html)
    attributes = reader.attributes if "=" in body_html else []
    return " ".join("".join(reader.words).split()), tuple(attributes)


def spaced_text(body_html: str, body_text: str) -> str:
    """The words of rendered HTML read with a break at every tag, so that
    inline formatting joins nothing (``body_text`` is ``to_text(body_html)``).
    Where every ``<`` opens a tag that is not inline, as in most notes, that
    is ``body_text`` itself and the HTML is not read again."""
    tags = _TAG_NAME.findall(body_html)
    if len(tags) == body_html.count("<") and not any(tag.lower() in _INLINE for tag in tags):
        return body_text
    return to_text(body_html.replace("<", " <"))


def attribute_values(body_html: str) -> list[str]:
    """Every attribute value in rendered HTML (link addresses, titles)."""
    if "=" not in body_html:
        return []  # without "=", no attribute has a value
    return _read(body_html).attributes
