"""Redacted spans: ``[text]{.confidential}`` and ``[text]{.members}`` inside
an item's Markdown, parsed by markdown-it's attrs plugin (bracketed spans).

Spans an audience may not see are cut out of the token stream before
rendering, so they leave nothing behind; for facilitators they are kept and
marked."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin

from notesbase.disclosure.vocabulary import Audience, Confidentiality

SPAN_CLASSES = {"confidential": Confidentiality.CONFIDENTIAL, "members": Confidentiality.MEMBERS}
# The class a kept span carries in facilitator HTML.
MARK_CLASS = {
    Confidentiality.CONFIDENTIAL: "redact-confidential",
    Confidentiality.MEMBERS: "redact-members",
}


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark with tables and bracketed spans; raw HTML is not passed through."""
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable("table")
        .use(attrs_plugin, spans=True)
    )


def span_level(token: Token) -> Confidentiality | None:
    """The confidentiality a ``span_open`` token marks, if any. A span with
    both classes is as strict as its strictest."""
    classes = str(token.attrs.get("class", "")).split()
    found = [SPAN_CLASSES[c] for c in classes if c in SPAN_CLASSES]
    if not found:
        return None
    if Confidentiality.CONFIDENTIAL in found:
        return Confidentiality.CONFIDENTIAL
    return Confidentiality.MEMBERS


def filter_spans(tokens: Sequence[Token], audience: Audience) -> list[Token]:
    """Inline tokens with the spans ``audience`` may not see removed, leaving
    no doubled space or space before punctuation where they were. Kept spans
    become plain text, except that facilitators see them marked."""
    kept: list[Token] = []
    # For each open span: whether it (or an enclosing one) is being dropped,
    # and whether its tags are kept (marked for facilitators).
    stack: list[tuple[bool, bool]] = []
    cut = False
    for token in tokens:
        dropping = bool(stack) and stack[-1][0]
        if token.type == "span_open":
            level = span_level(token)
            drop = dropping or (level is not None and not level.visible_to(audience))
            mark = not drop and level is not None and audience is Audience.FACILITATOR
            stack.append((drop, mark))
            if drop and not dropping:
                cut = True
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
        if cut and token.type == "text":
            _close_gap(kept, token)
        cut = False
        kept.append(token)
    if cut and kept and kept[-1].type == "text":
        kept[-1].content = kept[-1].content.rstrip(" \t")
    return kept


def _close_gap(kept: list[Token], after: Token) -> None:
    """Join the text either side of a removed span as if it had never been there."""
    before = next((t for t in reversed(kept) if t.type == "text"), None)
    if before is None or kept[-1] is not before:
        after.content = after.content.lstrip(" \t") if not kept else after.content
        return
    if before.content.endswith((" ", "\t")) and (
        after.content[:1] in (" ", "\t") or after.content[:1] in ",.;:!?)"
    ):
        before.content = before.content.rstrip(" \t")
        if after.content[:1] in (" ", "\t") and after.content.lstrip(" \t")[:1] in ",.;:!?)":
            after.content = after.content.lstrip(" \t")


def redacted_tokens(body: str, audience: Audience) -> list[Token]:
    """The block tokens of ``body`` with every inline run filtered for ``audience``."""
    tokens = parser().parse(body or "")
    for token in tokens:
        if token.type == "inline" and token.children is not None:
            token.children = filter_spans(token.children, audience)
    return tokens


def has_spans(body: str) -> list[tuple[Confidentiality, str]]:
    """Every redacted span in ``body`` with its plain text (facilitator tools)."""
    found: list[tuple[Confidentiality, str]] = []
    for block in parser().parse(body or ""):
        if block.type != "inline" or not block.children:
            continue
        depth_text: list[tuple[Confidentiality | None, list[str]]] = []
        for token in block.children:
            if token.type == "span_open":
                depth_text.append((span_level(token), []))
            elif token.type == "span_close" and depth_text:
                level, text = depth_text.pop()
                if level is not None:
                    found.append((level, "".join(text)))
                if depth_text:
                    depth_text[-1][1].extend(text)
            elif depth_text and token.type in ("text", "code_inline"):
                depth_text[-1][1].append(token.content)
    return found
