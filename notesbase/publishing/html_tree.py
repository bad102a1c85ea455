"""Cleaned HTML as a small tree, for the converters that turn what
``disclose`` hands out back into Markdown (``exports.markdown`` for the
notes, ``writeups.markdown`` for the write-up's page). A link's address is
read as a browser reading the page at ``base`` would: absolute, so an
exported file still leads where the page did."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

VOID = frozenset({"br", "hr", "img"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """Unclosed tags close with their parent (the sanitiser balanced them)."""

    def __init__(self, base: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        if self.base and tag == "a" and node.attrs.get("href", "").strip():
            node.attrs["href"] = urljoin(self.base, node.attrs["href"].strip())
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str, base: str | None = None) -> Node:
    """The root of ``html``'s tree; links made absolute against ``base`` (the
    address of the page the HTML is shown on) when one is given."""
    builder = _TreeBuilder(base)
    builder.feed(html)
    builder.close()
    return builder.root
