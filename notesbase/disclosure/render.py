"""Disclosed tokens to sanitised HTML and to plain text."""

from __future__ import annotations

import html
from collections.abc import Sequence

import nh3
from markdown_it.token import Token

from notesbase.disclosure.spans import MARK_CLASS, parser
from notesbase.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

_SPAN_CLASSES = set(MARK_CLASS.values())


def to_html(tokens: Sequence[Token]) -> str:
    rendered = parser().renderer.render(list(tokens), parser().options, {})
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes={"span": _SPAN_CLASSES},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def to_text(body_html: str) -> str:
    """The words of rendered HTML, one space between them."""
    text = html.unescape(nh3.clean(body_html.replace("<", " <"), tags=set()))
    return " ".join(text.split())
