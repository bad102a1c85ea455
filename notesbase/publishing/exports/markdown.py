"""Disclosed HTML to Markdown, and the Markdown of a meeting's notes. Pure:
no Flask, no database, so the escaping can be tested on its own.

The input is the ``body_html`` that ``disclose`` already cleaned (nh3, a known
set of tags), so a small converter is enough; everything it does not know is
kept as its text. Every piece of text is escaped, so nothing a speaker typed
becomes Markdown (or raw HTML) that the writer did not mean."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from notesbase.disclosure import DisclosedItem, NotesView
from notesbase.disclosure.render import to_text
from notesbase.markdown import render_markdown
from notesbase.publishing.html_tree import Node, parse

_BLOCK = {"p", "ul", "ol", "li", "blockquote", "pre", "hr", "table", "h2", "h3", "h4", "h5", "h6"}
_BLOCK |= {"thead", "tbody", "tr", "td", "th", "h1", "div"}
_SPACE = re.compile(r"\s+")
# Escaped wherever they stand: they start emphasis, code, links, raw HTML,
# strikethrough and table cells.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What makes a line a heading, quote, list item, rule or setext underline.
_LINE_START = re.compile(r"^(\s*)([#>+=-])")
_ORDERED_START = re.compile(r"^(\s*\d+)([.)])")
_BACKTICKS = re.compile(r"`+")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def escape_inline(text: str) -> str:
    """Text as Markdown that reads as exactly this text."""
    return _ENTITY.sub(r"\\&", _INLINE_SPECIAL.sub(r"\\\1", text))


def escape_lines(text: str) -> str:
    """Escape what would make any line of ``text`` a block of its own."""
    return "\n".join(_escape_line(line) for line in text.split("\n"))


def _escape_line(line: str) -> str:
    if _ORDERED_START.match(line):  # "1." starts a list: escape the "."
        return _ORDERED_START.sub(r"\1\\\2", line, count=1)
    return _LINE_START.sub(r"\1\\\2", line, count=1)


def escape_heading(text: str) -> str:
    """A heading's text: inline escapes, and every ``#`` (a trailing run would
    otherwise be read as the heading's closing sequence)."""
    return escape_inline(" ".join(text.split())).replace("#", r"\#")


def _code_span(raw: str) -> str:
    text = " ".join(raw.split())
    if not text:  # a code span of spaces reads as a space
        return " " if raw else ""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    # Outer spaces go outside, where they still part the words.
    lead = " " if raw[0].isspace() else ""
    trail = " " if raw[-1].isspace() else ""
    return f"{lead}{fence}{pad}{text}{pad}{fence}{trail}"


def _wrap(marker: str, inner: str) -> str:
    """``inner`` between emphasis markers, its outer spaces moved outside (a
    marker next to a space is not emphasis)."""
    if not inner.strip():
        return inner
    lead = " " if inner[0].isspace() else ""
    trail = " " if inner[-1].isspace() else ""
    return f"{lead}{marker}{inner.strip()}{marker}{trail}"


def _link(node: Node, inside: frozenset[str], plain: bool) -> str:
    text = _inline(node.children, inside | {"a"}, plain)
    href = node.attrs.get("href", "").strip()
    if not href or "a" in inside:
        return text
    # The <...> form takes any address; only these would end or break it.
    target = quote(href, safe="/:?#[]@!$&'()*+,;=%~-._")
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return f"{lead}[{text.strip()}](<{target}>){trail}"


# Tag, its Markdown marker, and the name nesting is tracked under: emphasis
# inside the same emphasis adds nothing a reader sees, and doubled markers
# ("**1*1*") parse in ways nobody meant, so only the outer one is written.
_EMPHASIS = {"strong": ("**", "strong"), "b": ("**", "strong"), "em": ("*", "em")}
_EMPHASIS |= {"i": ("*", "em"), "del": ("~~", "del")}


def _inline(
    children: Sequence[Node | str], inside: frozenset[str] = frozenset(), plain: bool = False
) -> str:
    """Inline Markdown; ``plain`` leaves emphasis out (its words stay)."""
    parts: list[str] = []
    for child in children:
        if isinstance(child, str):
            parts.append(escape_inline(_SPACE.sub(" ", child)))
        elif child.tag == "br":
            parts.append("\\\n")
        elif child.tag in _EMPHASIS:
            marker, name = _EMPHASIS[child.tag]
            inner = _inline(child.children, inside | {name}, plain)
            parts.append(inner if plain or name in inside else _wrap(marker, inner))
        elif child.tag == "code":
            parts.append(_code_span(_text(child)))
        elif child.tag == "a":
            parts.append(_link(child, inside, plain))
        else:  # span, abbr, sub, sup and anything unknown: its words
            parts.append(_inline(child.children, inside, plain))
    return "".join(parts)


def _words(children: Sequence[Node | str]) -> str:
    """The words inline content shows, as ``to_text`` reads them."""
    parts = [
        c if isinstance(c, str) else " " if c.tag == "br" else _words(c.children) for c in children
    ]
    return " ".join("".join(parts).split())


def _inline_checked(children: Sequence[Node | str]) -> str:
    """Inline Markdown that renders to exactly the source's words. Emphasis
    packed tight against other emphasis ("*1**1*") can parse otherwise; then
    the emphasis is left out rather than a stray marker left in."""
    text = _inline(children)
    if "*" in text or "~" in text:
        rendered = to_text(str(render_markdown(escape_lines(text))))
        if rendered != _words(children):
            return _inline(children, plain=True)
    return text


def _text(node: Node) -> str:
    return "".join(c if isinstance(c, str) else _text(c) for c in node.children)


def _paragraph(children: Sequence[Node | str]) -> list[str]:
    text = _inline_checked(children)
    text = "\n".join(line.strip() for line in text.split("\n")).strip()
    return [escape_lines(text)] if text else []


def _fenced(node: Node) -> list[str]:
    code = _text(node).rstrip("\n")
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}\n{code}\n{fence}"]


def _indent(block: str, prefix: str, first: str | None = None) -> str:
    lines = block.split("\n")
    out = [(first if first is not None else prefix) + lines[0]]
    out += [prefix + line if line else "" for line in lines[1:]]
    return "\n".join(out)


def _list(node: Node) -> list[str]:
    items = [c for c in node.children if isinstance(c, Node) and c.tag == "li"]
    # A list the source wrote loose (paragraphs in its items) stays loose.
    loose = any(isinstance(c, Node) and c.tag == "p" for item in items for c in item.children)
    joiner = "\n\n" if loose else "\n"
    entries: list[str] = []
    for number, item in enumerate(items, start=1):
        marker = f"{number}. " if node.tag == "ol" else "- "
        body = joiner.join(_blocks(item.children))
        entries.append(_indent(body, " " * len(marker), marker))
    return [joiner.join(entries)] if entries else []


def _rows(node: Node) -> list[list[str]]:
    rows: list[list[str]] = []
    for child in node.children:
        if isinstance(child, str):
            continue
        if child.tag == "tr":
            cells = [c for c in child.children if isinstance(c, Node) and c.tag in ("td", "th")]
            rows.append([_cell(c) for c in cells])
        else:
            rows.extend(_rows(child))
    return rows


def _cell(node: Node) -> str:
    """A table cell on one line; every ``|`` escaped, in code spans too (GFM
    splits cells before it reads code)."""
    text = _inline_checked(node.children).replace("\\\n", " ").strip()
    return _UNESCAPED_PIPE.sub(r"\\|", text)


def _table(node: Node) -> list[str]:
    rows = _rows(node)
    if not rows:
        return []
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    lines.insert(1, "|" + " --- |" * width)
    return ["\n".join(lines)]


def _block(node: Node) -> list[str]:
    if node.tag == "p" or node.tag == "div":
        return _paragraph(node.children)
    if node.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        text = _inline_checked(node.children).replace("\\\n", " ").strip()
        return [escape_lines(_wrap("**", text))] if text else []
    if node.tag in ("ul", "ol"):
        return _list(node)
    if node.tag == "blockquote":
        inner = "\n\n".join(_blocks(node.children))
        return ["\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))]
    if node.tag == "pre":
        return _fenced(node)
    if node.tag == "hr":
        return ["* * *"]
    if node.tag == "table":
        return _table(node)
    return _blocks(node.children)


def _blocks(children: Sequence[Node | str]) -> list[str]:
    """Block-level Markdown for ``children``; runs of inline content between
    blocks become paragraphs of their own."""
    out: list[str] = []
    run: list[Node | str] = []
    for child in children:
        if isinstance(child, Node) and child.tag in _BLOCK:
            out += _paragraph(run)
            run = []
            out += _block(child)
        else:
            run.append(child)
    out += _paragraph(run)
    return out


@functools.lru_cache(maxsize=4096)
def html_to_markdown(body_html: str, base: str | None = None) -> str:
    """Cleaned HTML as Markdown: paragraphs, lists, quotes, code, tables,
    emphasis and links (absolute against ``base``, the page's address, when
    given); any other tag as its text. Kept by the exact HTML and base (an
    item's HTML is converted again and again: every export and leak check)."""
    return "\n\n".join(_blocks(parse(body_html, base).children))


@dataclass(frozen=True)
class Piece:
    """One piece of a Markdown document: where it sits and its exact text."""

    where: str
    text: str


def notes_pieces(
    heading: str, lines: Sequence[str], view: NotesView, base: str | None = None
) -> list[Piece]:
    """The Markdown of a notes view in pieces whose concatenation is the
    document: a heading, lines under it (each its own paragraph), then each
    section's heading and each item with its kind and attribution. Links
    are absolute against ``base``, the notes page's address, when given."""
    top = [f"# {escape_heading(heading)}", *(escape_lines(escape_inline(line)) for line in lines)]
    pieces = [Piece("heading", "\n\n".join(top) + "\n")]
    if not view.items:
        text = "No notes have been written for this meeting yet."
        return [*pieces, Piece("notes", f"\n{text}\n")]
    number = 0
    for section in view.sections:
        if section.heading:
            pieces.append(Piece("section heading", f"\n## {escape_heading(section.heading)}\n"))
        for item in section.items:
            number += 1
            pieces.append(Piece(f"item {number}", "\n" + _item_markdown(item, base) + "\n"))
    return pieces


def _item_markdown(item: DisclosedItem, base: str | None) -> str:
    """A list entry: the kind in bold, the attribution, then the body."""
    head = f"**{escape_inline(item.kind.label)}**"
    if item.attribution:
        head += f" · {escape_inline(' '.join(item.attribution.split()))}"
    body = html_to_markdown(item.body_html, base)
    block = head + ("\n\n" + body if body else "")
    return _indent(block, "  ", "- ")
