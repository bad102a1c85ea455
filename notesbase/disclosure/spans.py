"""Redacted spans: ``[text]{.confidential}`` and ``[text]{.members}`` inside
an item's Markdown, parsed by markdown-it's attrs plugin (bracketed spans).
The same classes on a link, inline code or an image redact that element.

Spans an audience may not see are cut out of the token stream before
rendering, so they leave nothing behind; for facilitators they are kept and
marked. A redaction class that did not parse (``[x] {.members}``) hides its
whole block from the audiences it names: a typo must fail safe."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin

from notesbase.disclosure.tidy import cut_token, drop_emptied_blocks, has_words, tidy_cuts
from notesbase.disclosure.vocabulary import Audience, Confidentiality

SPAN_CLASSES = {"confidential": Confidentiality.CONFIDENTIAL, "members": Confidentiality.MEMBERS}
# The class a kept span carries in facilitator HTML.
MARK_CLASS = {
    Confidentiality.CONFIDENTIAL: "redact-confidential",
    Confidentiality.MEMBERS: "redact-members",
}
# Single elements the attrs plugin can give a class to (links are pairs).
_SINGLE = {"code_inline", "image"}
_STRAY = re.compile(r"\{[^{}]*?(?:\.|class\s*=\s*[\"']?)\s*(confidential|members)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark with tables and bracketed spans; raw HTML is not passed through."""
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable("table")
        .use(attrs_plugin, spans=True)
    )


def span_level(token: Token) -> Confidentiality | None:
    """The confidentiality a token's classes mark, if any (any case). A span
    with both classes is as strict as its strictest."""
    classes = str(token.attrs.get("class", "")).lower().split()
    found = [SPAN_CLASSES[c] for c in classes if c in SPAN_CLASSES]
    if not found:
        return None
    if Confidentiality.CONFIDENTIAL in found:
        return Confidentiality.CONFIDENTIAL
    return Confidentiality.MEMBERS


def stray_level(tokens: Sequence[Token]) -> Confidentiality | None:
    """The strictest redaction class written in plain text, where the parser
    did not take it as a span (a space before the braces, a missing brace)."""
    found: set[Confidentiality] = set()
    for token in tokens:
        if token.type == "text":
            found.update(SPAN_CLASSES[m.lower()] for m in _STRAY.findall(token.content))
        if token.children:
            level = stray_level(token.children)
            if level is not None:
                found.add(level)
    if Confidentiality.CONFIDENTIAL in found:
        return Confidentiality.CONFIDENTIAL
    return Confidentiality.MEMBERS if found else None


def _as_spans(tokens: Sequence[Token]) -> list[Token]:
    """Redacting links, code and images wrapped in a span of their level, so
    that one rule handles them all."""
    wrapped: list[Token] = []
    links: list[Confidentiality | None] = []
    for token in tokens:
        level = span_level(token) if token.type != "span_open" else None
        if level is not None:
            token.attrs.pop("class", None)
        if token.type in _SINGLE and level is not None:
            wrapped.extend([_span_open(level), token, Token("span_close", "span", -1)])
            continue
        if token.type == "link_open":
            if level is not None:
                wrapped.append(_span_open(level))
            links.append(level)
        wrapped.append(token)
        if token.type == "link_close" and links and links.pop() is not None:
            wrapped.append(Token("span_close", "span", -1))
    return wrapped


def _span_open(level: Confidentiality) -> Token:
    token = Token("span_open", "span", 1)
    token.attrs = {"class": next(k for k, v in SPAN_CLASSES.items() if v is level)}
    return token


def filter_spans(tokens: Sequence[Token], audience: Audience) -> list[Token]:
    """Inline tokens with the spans ``audience`` may not see removed, leaving
    no doubled space, empty formatting or space before punctuation where
    they were. Kept spans become plain text, except that facilitators see
    them marked. Images become their (filtered) description."""
    kept: list[Token] = []
    # For each open span: whether it (or an enclosing one) is being dropped,
    # and whether its tags are kept (marked for facilitators).
    stack: list[tuple[bool, bool]] = []
    for token in _as_spans(tokens):
        dropping = bool(stack) and stack[-1][0]
        if token.type == "span_open":
            level = span_level(token)
            drop = dropping or (level is not None and not level.visible_to(audience))
            mark = not drop and level is not None and audience is Audience.FACILITATOR
            stack.append((drop, mark))
            if drop and not dropping:
                kept.append(cut_token())
            if mark and level is not None:
                token.attrs = {"class": MARK_CLASS[level]}
                kept.append(token)
            continue
        if token.type == "span_close":
            _drop, mark = stack.pop() if stack else (False, False)
            if mark:
                kept.append(token)
            continue
        if dropping:
            continue
        if token.children:
            token.children = filter_spans(token.children, audience)
        if token.type == "image":
            kept.append(_image_as_text(token))
            continue
        kept.append(token)
    return tidy_cuts(kept)


def _image_as_text(image: Token) -> Token:
    """An image as the words of its description (pictures are not shown;
    the description goes through the same rules as any other text)."""
    words = "".join(
        " " if child.type in ("softbreak", "hardbreak") else child.content
        for child in image.children or ()
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    )
    if not words.strip():
        return cut_token()
    text = Token("text", "", 0)
    text.content = words
    return text


def redacted_tokens(body: str, audience: Audience) -> list[Token]:
    """The block tokens of ``body`` with every inline run filtered for
    ``audience``, and blocks left empty by a cut removed."""
    tokens = parser().parse(body or "")
    for token in tokens:
        if token.type != "inline" or token.children is None:
            continue
        had_words = has_words(token.children)
        stray = stray_level(token.children)
        if stray is not None and not stray.visible_to(audience):
            token.children = [cut_token()]
        token.children = filter_spans(token.children, audience)
        token.meta["emptied"] = had_words and not has_words(token.children)
    return drop_emptied_blocks(tokens)


def has_spans(body: str) -> list[tuple[Confidentiality, str]]:
    """Every redacted span in ``body`` with its plain text (facilitator tools)."""
    found: list[tuple[Confidentiality, str]] = []
    for block in parser().parse(body or ""):
        if block.type != "inline" or not block.children:
            continue
        depth_text: list[tuple[Confidentiality | None, list[str]]] = []
        for token in _as_spans(block.children):
            if token.type == "span_open":
                depth_text.append((span_level(token), []))
            elif token.type == "span_close" and depth_text:
                level, text = depth_text.pop()
                if level is not None:
                    found.append((level, "".join(text)))
                if depth_text:
                    depth_text[-1][1].extend(text)
            elif depth_text and token.type in ("text", "code_inline", "image"):
                depth_text[-1][1].append(token.content)
    return found
