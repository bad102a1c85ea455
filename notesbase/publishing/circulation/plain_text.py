"""An item's disclosed HTML as plain-text lines for the text part of an
email: paragraphs, lists, quotes, headings, code and tables kept readable,
link addresses written after their words. It reads only ``body_html`` that
``disclose`` has already cut and cleaned, so it can add nothing withheld."""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

_BLOCKS = {"p", "h2", "h3", "h4", "h5", "h6", "pre", "table", "hr", "blockquote", "ul", "ol"}
_SPACE = re.compile(r"\s+")


class _Writer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line = ""
        self.quote = 0
        self.lists: list[list[int]] = []  # one [counter] per open list; -1: bullets
        self.bullet = ""  # the marker the next line of a list item starts with
        self.pre = 0
        self.links: list[tuple[str, int]] = []  # (address, length of the line before it)
        self.cells = 0
        self.gap = False  # a blank line is owed before the next line
        self.gap_quote = 0  # how deep in quotes the gap began

    # Lines -----------------------------------------------------------------

    def prefix(self) -> str:
        indent = "   " * max(len(self.lists) - 1, 0)
        quote = "> " * self.quote
        if self.bullet:
            marker, self.bullet = self.bullet, ""
            return quote + indent + marker
        return quote + indent + ("   " if self.lists else "")

    def end_line(self) -> None:
        text = self.line if self.pre else self.line.strip()
        if text or self.pre:
            if self.gap and self.lines:
                self.lines.append(("> " * min(self.quote, self.gap_quote)).rstrip())
            self.gap = False
            self.lines.append((self.prefix() + text).rstrip())
        self.line = ""

    def blank(self) -> None:
        """End the line; the next one, whatever it is, comes after a gap."""
        self.end_line()
        if not self.gap:
            self.gap, self.gap_quote = True, self.quote
        self.gap_quote = min(self.gap_quote, self.quote)

    # Parser events ------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS and not (tag in ("ul", "ol") and self.lists):
            self.blank()
        if tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.end_line()
            self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            self.end_line()
            counter = self.lists[-1] if self.lists else [-1]
            if counter[0] >= 0:
                counter[0] += 1
                self.bullet = f"{counter[0]}. "
            else:
                self.bullet = "- "
        elif tag == "br":
            self.end_line()
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.line)))
        elif tag == "tr":
            self.end_line()
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                self.line = self.line.rstrip() + " | "
            self.cells += 1
        elif tag == "hr":
            self.line = "----"
            self.blank()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            address, start = self.links.pop()
            words = self.line[start:].strip()
            if address and address not in (words, f"mailto:{words}"):
                self.line += f" <{address}>"
        if tag == "pre":
            if self.line:  # else it is the newline that ends the code
                self.end_line()
            self.pre = max(self.pre - 1, 0)
        if tag in _BLOCKS and not (tag in ("ul", "ol") and len(self.lists) > 1):
            self.blank()
        if tag == "blockquote":
            self.quote = max(self.quote - 1, 0)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag in ("li", "tr"):
            self.end_line()

    def handle_data(self, data: str) -> None:
        if self.pre:
            first, *rest = data.split("\n")
            self.line += first
            for part in rest:
                self.end_line()
                self.line = part
            return
        text = _SPACE.sub(" ", data)
        if self.line.endswith(" ") and text.startswith(" "):
            text = text[1:]
        self.line += text


def html_to_text(body_html: str) -> list[str]:
    """The lines of ``body_html`` as plain text, with no blank line at
    either end."""
    return list(_text_lines(body_html))


@functools.lru_cache(maxsize=4096)
def _text_lines(body_html: str) -> tuple[str, ...]:
    """``html_to_text``, kept by the exact HTML: an item's HTML is read
    again for every email and leak check."""
    writer = _Writer()
    writer.feed(body_html)
    writer.close()
    writer.end_line()
    return tuple(writer.lines)
