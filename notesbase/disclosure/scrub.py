"""Replacing withheld names in parsed Markdown, wherever they were typed:
text across emphasis, links and line breaks, code, link addresses and
titles, and web or email addresses written out in the text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

from notesbase.disclosure.matching import Matcher, sentence_case
from notesbase.disclosure.tidy import drop_empty_formatting

A_LINK = "a link"
_ADDRESS = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*:|\bwww\.|[^\s<>()\[\]]+@)(?:[^\s<>]*[^\s<>.,;:!?)\]'\"’”])?",
    re.IGNORECASE,
)
_RUN_BREAKS = {"softbreak", "hardbreak"}


def _may_hold_address(text: str) -> bool:
    """Whether ``text`` has what every address has: a ":", an "@" or "www."
    in any case. Most text has none, and is not scanned for addresses."""
    return ":" in text or "@" in text or "www." in text.lower()


def written_addresses(text: str) -> list[str]:
    """The web and email addresses written out in ``text``."""
    if not _may_hold_address(text):
        return []
    return [match.group(0) for match in _ADDRESS.finditer(text)]


def scrub_addresses(text: str, matcher: Matcher, preceding: str = "") -> str:
    """Web and email addresses written out in ``text`` that carry a withheld
    term, even glued ("janedoe"), become "a link"; an address that is itself
    withheld (an email) becomes its stand-in."""
    if not _may_hold_address(text):
        return text

    def replace(match: re.Match[str]) -> str:
        address = match.group(0)
        if not matcher.names_in_url(address):
            return address
        found = matcher.matches(address)
        if len(found) == 1 and found[0][:2] == (0, len(address)):
            return matcher.sub(address, preceding + text[: match.start()])
        return A_LINK

    return _ADDRESS.sub(replace, text)


def scrub_tokens(tokens: list[Token], matcher: Matcher) -> list[Token]:
    """Block tokens with every withheld term replaced by its stand-in."""
    for token in tokens:
        if token.type in ("fence", "code_block"):
            token.content = scrub_addresses(matcher.sub(token.content), matcher)
            token.info = matcher.sub(token.info)
        elif token.type == "inline" and token.children is not None:
            token.children = _scrub_inline(token.children, matcher)
    return tokens


def _scrub_inline(children: list[Token], matcher: Matcher) -> list[Token]:
    # Addresses first: a name glued into one is only found whole.
    children = _scrub_links(children, matcher)
    said = ""
    for token in children:
        if token.type in ("text", "code_inline"):
            token.content = scrub_addresses(token.content, matcher, said)
            said += token.content
    said = ""  # the text so far, to tell whether a stand-in opens a sentence
    run: list[Token] = []
    for token in [*children, Token("end", "", 0)]:
        if token.type == "text" or token.type in _RUN_BREAKS or token.nesting != 0:
            run.append(token)
            continue
        said = _scrub_run(run, matcher, said)
        run = []
        if token.type == "code_inline":
            token.content = matcher.sub(token.content, said)
            said += token.content
    return drop_empty_formatting(children)


def _scrub_run(run: Sequence[Token], matcher: Matcher, said: str) -> str:
    """Replace terms in a run of text that reads as one, even where
    formatting or a line break splits a name; returns the text said so far."""
    spans: list[tuple[Token, int, int]] = []
    joined = ""
    for token in run:
        if token.type == "text" or token.type in _RUN_BREAKS:
            piece = token.content if token.type == "text" else " "
            spans.append((token, len(joined), len(joined) + len(piece)))
            joined += piece
    found = matcher.matches(joined)
    if not found:
        return said + joined
    for token, start, end in spans:
        hits = [hit for hit in found if hit[0] < end and hit[1] > start]
        if not hits:
            continue
        if token.type in _RUN_BREAKS:
            token.type, token.content = "text", ""
            continue
        pieces: list[str] = []
        cursor = start
        for hit_start, hit_end, replacement in hits:
            if hit_start > cursor:
                pieces.append(joined[cursor:hit_start])
            if start <= hit_start < end:
                pieces.append(sentence_case(replacement, said + joined[:hit_start]))
            cursor = max(cursor, min(hit_end, end))
        pieces.append(joined[cursor:end])
        token.content = "".join(pieces)
    return said + "".join(t.content for t, _s, _e in spans if t.type == "text")


def _scrub_links(children: list[Token], matcher: Matcher) -> list[Token]:
    """Links whose address names someone lose the link (the words stay, and
    a written-out address becomes "a link"); titles that do lose the title."""
    kept: list[Token] = []
    unwrapping = False
    for index, token in enumerate(children):
        if token.type == "link_open":
            title = str(token.attrs.get("title", ""))
            if title and (matcher.search(title) or matcher.names_in_url(title)):
                token.attrs.pop("title", None)
            href = str(token.attrs.get("href", ""))
            unwrapping = bool(href) and matcher.names_in_url(href)
            if unwrapping:
                if token.markup in ("autolink", "linkify"):
                    _shown_address(children, index, matcher)
                continue
        if token.type == "link_close" and unwrapping:
            unwrapping = False
            continue
        kept.append(token)
    return kept


def _shown_address(children: list[Token], index: int, matcher: Matcher) -> None:
    said = "".join(token.content for token in children[:index] if token.type == "text")
    for token in children[index + 1 :]:
        if token.type == "link_close":
            return
        if token.type == "text":
            token.content = scrub_addresses(token.content, matcher, said)
