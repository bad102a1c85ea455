"""Disclosed HTML back to Markdown, for the write-up's Markdown page.

``disclose`` hands out sanitised HTML (and flattened text), never the stored
Markdown: the stored Markdown still holds what the public may not see. So the
export is written from the HTML, which only has the few tags
``notesbase.markdown`` allows. Text is escaped so that the network's website
(Jekyll, kramdown with GFM input, or any CommonMark reader) shows the same
words: no stray emphasis, links, HTML, entities or attribute lists."""

from __future__ import annotations

import re

from notesbase.publishing.html_tree import VOID, Node, parse

_BLOCKS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr", "table"}
_ESCAPE = re.compile(r"([\\`*_\[\]{}<>#|~$!])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^(\s*)([-+=:])")
_BACKTICKS = re.compile(r"`+")


def escape(text: str) -> str:
    """Plain words as Markdown that reads back as the same words."""
    text = _ENTITY.sub("&amp;", _ESCAPE.sub(r"\\\1", text))
    return _LINE_START.sub(r"\1\\\2", text)


def _escape_line_start(text: str) -> str:
    """A paragraph starting "2024. " or "- " would read as a list: escape it."""
    match = re.match(r"(\d+)([.)])", text)
    if match:
        return f"{match[1]}\\{match[2]}{text[match.end() :]}"
    return text


def html_to_markdown(html: str, base: str | None = None) -> str:
    """Markdown for sanitised ``html`` (see the module docstring); links
    absolute against ``base``, the page's address, when given."""
    return _blocks(parse(html, base).children).strip("\n")


def _is_block(child: Node | str) -> bool:
    return isinstance(child, Node) and child.tag in _BLOCKS


def _blocks(children: list[Node | str], separator: str = "\n\n") -> str:
    """Block children separated by blank lines (a tight list item's by line
    breaks); loose inline runs become paragraphs."""
    out: list[str] = []
    run: list[Node | str] = []

    def flush() -> None:
        text = _inline(run).strip()
        if text:
            out.append(_escape_line_start(text))
        run.clear()

    for child in children:
        if _is_block(child):
            flush()
            assert isinstance(child, Node)
            rendered = _block(child)
            if rendered.strip():
                out.append(rendered)
        else:
            run.append(child)
    flush()
    return separator.join(out)


def _block(node: Node) -> str:
    tag = node.tag
    if tag == "p":
        return _escape_line_start(_inline(node.children).strip())
    if tag in {"h2", "h3", "h4", "h5", "h6"}:
        text = _inline(node.children).strip()
        return f"{'#' * int(tag[1])} {text}" if text else ""
    if tag == "hr":
        return "***"
    if tag == "pre":
        return _fence(_plain(node))
    if tag == "blockquote":
        inner = _blocks(node.children)
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    if tag in {"ul", "ol"}:
        return _list(node)
    if tag == "table":
        return _table(node)
    return _blocks(node.children)  # "li" outside a list: its content


def _list(node: Node) -> str:
    entries = [child for child in node.children if isinstance(child, Node) and child.tag == "li"]
    loose = any(isinstance(c, Node) and c.tag == "p" for entry in entries for c in entry.children)
    rendered = []
    for number, entry in enumerate(entries, start=1):
        marker = f"{number}. " if node.tag == "ol" else "- "
        body = _blocks(entry.children, "\n\n" if loose else "\n")
        pad = " " * len(marker)
        lines = body.split("\n")
        rendered.append(
            marker + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:])
        )
    return ("\n\n" if loose else "\n").join(rendered)


def _rows(node: Node) -> list[Node]:
    rows: list[Node] = []
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == "tr":
                rows.append(child)
            else:
                rows.extend(_rows(child))
    return rows


def _table(node: Node) -> str:
    rows = [
        [cell for cell in row.children if isinstance(cell, Node) and cell.tag in {"th", "td"}]
        for row in _rows(node)
    ]
    rows = [row for row in rows if row]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    aligns = [rows[0][i].attrs.get("align", "") if i < len(rows[0]) else "" for i in range(width)]
    rule = {"left": ":---", "right": "---:", "center": ":---:"}

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells + [""] * (width - len(cells))) + " |"

    text = [line([_inline(cell.children).strip() for cell in row]) for row in rows]
    text.insert(1, line([rule.get(a, "---") for a in aligns]))
    return "\n".join(text)


def _plain(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    return "".join(_plain(child) for child in node.children)


def _fence(code: str) -> str:
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code.rstrip(chr(10))}\n{fence}"


def _code_span(code: str) -> str:
    code = " ".join(code.split("\n"))
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _url(href: str) -> str:
    """A link destination; in angle brackets when it has spaces or parentheses."""
    href = href.replace("<", "%3C").replace(">", "%3E").replace("\n", "")
    return f"<{href}>" if any(c in href for c in " ()") else href


def _wrap(mark: str, inner: str) -> str:
    """Emphasis around ``inner``, keeping its outer spaces outside the marks."""
    stripped = inner.strip()
    if not stripped:
        return inner
    lead = " " if inner[:1].isspace() else ""
    trail = " " if inner[-1:].isspace() else ""
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _inline(children: list[Node | str]) -> str:
    out: list[str] = []
    for child in children:
        if isinstance(child, str):
            out.append(escape(re.sub(r"\s+", " ", child)))
            continue
        tag = child.tag
        inner = "" if tag in VOID else _inline(child.children)
        if tag == "br":
            out.append("  \n")
        elif tag == "em":
            out.append(_wrap("*", inner))
        elif tag == "strong":
            out.append(_wrap("**", inner))
        elif tag == "del":
            out.append(_wrap("~~", inner))
        elif tag == "code":
            out.append(_code_span(_plain(child)))
        elif tag == "a" and child.attrs.get("href"):
            title = child.attrs.get("title", "")
            title_part = ' "' + title.replace('"', '\\"') + '"' if title else ""
            out.append(f"[{inner.strip()}]({_url(child.attrs['href'])}{title_part})")
        elif _is_block(child):
            out.append(" " + _block(child) + " ")
        else:
            out.append(inner)  # span, abbr, sub, sup: their words
    return "".join(out)
