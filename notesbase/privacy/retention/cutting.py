"""Cutting the text only facilitators may read out of stored Markdown, for
good: confidential spans (links, code and images marked so too), and markup
that cannot be read as a redaction (fail closed: it is treated as
facilitators-only). Members-only spans stay marked, so the public still
reads nothing of them.

Pure: no Flask and no database. The spans are found by the disclosure
module's parser (``notesbase.disclosure.spans``); each run of text holding
a cut is written again from its filtered tokens, and the result is checked:
members and the public must read exactly what they read before, and
facilitators nothing more than members. Where that check fails, the text
becomes the plain words members read, and ``members_only`` says the item
must be kept from the public if they read less (fail closed)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from notesbase.disclosure import Audience, Confidentiality
from notesbase.disclosure.classes import may_hold_markup, may_hold_redaction
from notesbase.disclosure.render import to_html, to_text
from notesbase.disclosure.spans import _as_spans, block_problems, heading_words, parser
from notesbase.disclosure.spans import redacted_tokens as _redacted
from notesbase.disclosure.tidy import cut_token, tidy_cuts
from notesbase.privacy.rewrite import escape_markdown

_READERS = (Audience.MEMBER, Audience.PUBLIC)
_CODE = ("fence", "code_block")


@dataclass(frozen=True)
class Cut:
    """``text`` without facilitators-only text; ``changed`` whether it
    differs; ``exact`` False when it had to become plain words, and
    ``members_only`` True when the public then may not read it."""

    text: str
    changed: bool = False
    exact: bool = True
    members_only: bool = False


class _Unwritable(ValueError):
    """A token the writer does not know how to write back as Markdown."""


def _kept_for_members(children: Sequence[Token]) -> list[Token]:
    """Inline tokens with every span members may not read cut (its ``alt``
    in its place), members' spans kept as spans."""
    kept: list[Token] = []
    dropping = 0
    for token in _as_spans(children):
        if token.type == "span_open":
            level = token.meta.get("level")
            if dropping or level is Confidentiality.CONFIDENTIAL:
                if not dropping:
                    alt = token.meta.get("alt", "")
                    kept.append(_text(alt) if alt else cut_token())
                dropping += 1
                continue
            kept.append(token)
            continue
        if token.type == "span_close":
            if dropping:
                dropping -= 1
                continue
            kept.append(token)
            continue
        if dropping:
            continue
        if token.children:
            token.children = _kept_for_members(token.children)
        kept.append(token)
    return tidy_cuts(kept)


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _address(value: str) -> str:
    if any(c in value for c in " ()<>") or not value:
        return "<" + value.replace(">", "%3E").replace("<", "%3C") + ">"
    return value


def _title(token: Token) -> str:
    title = str(token.attrs.get("title") or "")
    return ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""


_SPECIAL = set("\\`*_[]{}<>~|&")
_LINE_START = re.compile(r"^(\s*)([#+=>-]|\d+[.)])")


def _escaped(text: str, line_start: bool) -> str:
    """Text that reads as itself in Markdown, escaping only what could be markup."""
    escaped = "".join("\\" + c if c in _SPECIAL else c for c in text)
    if line_start:
        escaped = _LINE_START.sub(lambda m: m.group(1) + _start(m.group(2)), escaped, count=1)
    return escaped


def _start(marker: str) -> str:
    return marker[:-1] + "\\" + marker[-1]


def _longest_ticks(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def write(tokens: Sequence[Token]) -> str:
    """Inline tokens as Markdown that parses back to them."""
    out: list[str] = []
    links: list[Token] = []
    spans: list[Token] = []
    for token in tokens:
        kind = token.type
        if kind == "text":
            out.append(_escaped(token.content, not out or out[-1].endswith("\n")))
        elif kind == "softbreak":
            out.append("\n")
        elif kind == "hardbreak":
            out.append("\\\n")
        elif kind == "code_inline":
            fence = "`" * (_longest_ticks(token.content) + 1)
            pad = " " if token.content[:1] == "`" or token.content[-1:] == "`" else ""
            out.append(f"{fence}{pad}{token.content}{pad}{fence}")
        elif kind in ("em_open", "em_close", "strong_open", "strong_close"):
            out.append(token.markup)
        elif kind == "link_open":
            links.append(token)
            out.append("[")
        elif kind == "link_close":
            opened = links.pop()
            href = _address(str(opened.attrs.get("href", "")))
            out.append(f"]({href}{_title(opened)})")
        elif kind == "image":
            src = _address(str(token.attrs.get("src", "")))
            out.append(f"![{write(token.children or [])}]({src}{_title(token)})")
        elif kind == "span_open":
            spans.append(token)
            out.append("[")
        elif kind == "span_close":
            opened = spans.pop()
            alt = str(opened.meta.get("alt", ""))
            if opened.meta.get("level") is Confidentiality.MEMBERS:
                quoted = alt.replace("\\", "\\\\").replace('"', '\\"')
                out.append('{.members alt="' + quoted + '"}' if alt else "]{.members}")
                if alt:
                    out[-1] = "]" + out[-1]
            else:
                out.append("]")
        else:
            raise _Unwritable(kind)
    return "".join(out)


def _reads(text: str, audience: Audience) -> str:
    return to_text(to_html(_redacted(text, audience)))


def _same_for_readers(before: str, after: str) -> bool:
    """Members and the public read the same; facilitators nothing more."""
    if any(_reads(before, a) != _reads(after, a) for a in _READERS):
        return False
    return _reads(after, Audience.FACILITATOR) == _reads(after, Audience.MEMBER)


def _plain(before: str) -> Cut:
    """The fail-closed answer: the words members read, plain."""
    member = _reads(before, Audience.MEMBER)
    public = _reads(before, Audience.PUBLIC)
    return Cut(escape_markdown(member), True, exact=False, members_only=public != member)


def cut_restricted(body: str) -> Cut:
    """``body`` (an item's stored Markdown) without facilitators-only text."""
    if not body or not may_hold_markup(body):
        return Cut(body)
    lines = body.split("\n")
    edits: list[tuple[int, int, str | None]] = []  # first line, line count, new text
    open_tags: list[str] = []
    for token in parser().parse(body):
        if token.type not in _CODE and token.type != "inline":
            continue
        problems, open_tags = block_problems(token, open_tags)
        if token.map is None:
            return _plain(body)
        first, end = token.map
        if token.type in _CODE:
            if problems:
                edits.append((first, end - first, None))
            continue
        children = [] if problems else _kept_for_members(token.children or [])
        try:
            written = write(children)
        except _Unwritable:
            return _plain(body)
        if written == token.content:
            continue
        content_lines = token.content.split("\n")
        source = lines[first].rstrip()
        if not source.endswith(content_lines[0]):
            return _plain(body)
        prefix = source[: len(source) - len(content_lines[0])]
        edits.append((first, len(content_lines), prefix + written))
    if not edits:
        return Cut(body)
    for first, count, new in sorted(edits, reverse=True):
        lines[first : first + count] = [] if new is None else [new]
    after = "\n".join(lines).strip("\n")
    if not _same_for_readers(body, after):
        return _plain(body)
    return Cut(after, after != body)


def _heading_kept(before: str, after: str) -> bool:
    """Members and the public read the same heading; facilitators nothing more."""
    same = all(heading_words(before, a) == heading_words(after, a) for a in _READERS)
    return same and heading_words(after, Audience.FACILITATOR) == heading_words(
        after, Audience.MEMBER
    )


def cut_heading(section: str) -> Cut:
    """A one-line section heading without facilitators-only text."""
    if not section or not may_hold_redaction(section):
        return Cut(section)
    run = parser().parseInline(section)[0].children or []
    try:
        written = " ".join(write(_kept_for_members(run)).split())
    except _Unwritable:
        written = None
    if written is not None and _heading_kept(section, written):
        return Cut(written, written != section)
    member = heading_words(section, Audience.MEMBER)
    public = heading_words(section, Audience.PUBLIC)
    return Cut(escape_markdown(member), True, exact=False, members_only=member != public)
