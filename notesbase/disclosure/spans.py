"""Redacted spans: ``[text]{.confidential}`` and ``[text]{.members}`` inside
an item's Markdown, parsed by markdown-it's attrs plugin (bracketed spans).
The same classes on a link, inline code or an image redact that element,
and ``alt="…"`` gives the words other audiences read in its place.

Spans an audience may not see are cut out of the token stream before
rendering, so they leave nothing behind (or their ``alt``, as plain text);
for facilitators they are kept and marked. Markup meant as a redaction that
cannot be read as one (``notesbase.disclosure.classes``) fails closed: an
element with a class that is not a redaction class is hidden like a
confidential one, and a paragraph or code block holding a class the parser
did not take is hidden whole, from everyone but facilitators, who see it
marked as unreadable."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin

from notesbase.disclosure.classes import (
    Unreadable,
    class_problem,
    known_level,
    link_problem,
    may_hold_markup,
    may_hold_redaction,
    near_attribute,
    raw_tags,
    short,
    text_problems,
)
from notesbase.disclosure.tidy import cut_token, drop_emptied_blocks, has_words, tidy_cuts
from notesbase.disclosure.vocabulary import Audience, Confidentiality

# The class a kept span carries in facilitator HTML.
MARK_CLASS = {
    Confidentiality.CONFIDENTIAL: "redact-confidential",
    Confidentiality.MEMBERS: "redact-members",
}
UNREADABLE_CLASS = "redact-unreadable"
# Who reads a span's ``alt`` instead of it, for the facilitator's marking.
ALT_READERS = {
    Confidentiality.CONFIDENTIAL: "Members and the public read",
    Confidentiality.MEMBERS: "The public reads",
}
# Single elements the attrs plugin can give a class to (links are pairs).
_SINGLE = {"code_inline", "image"}
_CODE = ("fence", "code_block")
# What attributes an element carries of itself, not from ``{…}``.
_OWN = {"link_open": {"href", "title"}, "image": {"src", "title"}, "code_inline": set()}


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark with tables and bracketed spans; raw HTML is not passed through."""
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable("table")
        .use(attrs_plugin, spans=True)
    )


def _written(token: Token, attrs: dict[str, str]) -> str:
    """The attribute block of an element as the writer typed it, near enough."""
    parts = [f".{name}" for name in attrs.get("class", "").split()]
    if attrs.get("id"):
        parts.append(f"#{attrs['id']}")
    parts += [f"{key}={value}" for key, value in attrs.items() if key not in ("class", "id")]
    return short("{" + " ".join(parts) + "}")


def read_element(token: Token) -> tuple[Confidentiality | None, Unreadable | None, str]:
    """The level an element's attribute block marks, what is wrong with it
    (an unreadable block marks the level ``CONFIDENTIAL``), and its ``alt``.
    A span with both classes is as strict as its strictest."""
    href = str(token.attrs.get("href", "")) if token.type == "link_open" else ""
    if href and "/" not in href and ":" not in href:  # not an address: perhaps a class
        problem = link_problem(href)
        if problem is not None:
            return Confidentiality.CONFIDENTIAL, problem, ""
    own = _OWN.get(token.type, set())
    attrs = {str(k): str(v) for k, v in token.attrs.items() if k not in own and v is not None}
    if token.type == "image" and not attrs.get("alt"):
        attrs.pop("alt", None)  # markdown-it's own, empty: the description is the children
    span = token.type == "span_open"
    if not attrs:
        # A span of nothing but braces ("[x]{}", "[x]{.}"): a class left out.
        problem = Unreadable("no-class", "{}") if span else None
        return (Confidentiality.CONFIDENTIAL if span else None), problem, ""
    classes = attrs.get("class", "").split()
    written = _written(token, attrs)
    problem = None
    if not classes:
        names = [attrs.get("id", ""), *(k for k in attrs if k not in ("id", "alt"))]
        problem = near_attribute([n for n in names if n], written)
    if problem is None:
        problem = class_problem(classes, written, span=span)
    alt = " ".join(attrs.get("alt", "").replace('\\"', '"').replace("\\\\", "\\").split())
    if problem is not None:
        return Confidentiality.CONFIDENTIAL, problem, alt
    levels = {known_level(name) for name in classes}
    if not levels:
        return None, None, ""
    strictest = Confidentiality.CONFIDENTIAL in levels
    return (Confidentiality.CONFIDENTIAL if strictest else Confidentiality.MEMBERS), None, alt


def span_level(token: Token) -> Confidentiality | None:
    """The confidentiality an element marks, if any (see ``read_element``)."""
    if "level" in token.meta:
        level: Confidentiality | None = token.meta["level"]
        return level
    return read_element(token)[0]


def _span_open(level: Confidentiality | None, problem: Unreadable | None, alt: str) -> Token:
    token = Token("span_open", "span", 1)
    token.meta = {"level": level, "unreadable": problem, "alt": alt}
    return token


def _as_spans(tokens: Sequence[Token]) -> list[Token]:
    """Links, code and images given an attribute block wrapped in a span
    of their level, and every span's reading kept in its ``meta``, so that
    one rule handles them all."""
    wrapped: list[Token] = []
    links: list[bool] = []
    for token in tokens:
        if token.type == "span_open":
            if "level" not in token.meta:
                level, problem, alt = read_element(token)
                token.meta.update(level=level, unreadable=problem, alt=alt)
            wrapped.append(token)
            continue
        level, problem, alt = (None, None, "")
        if token.attrs and token.type in _OWN:
            level, problem, alt = read_element(token)
            if level is not None:
                for name in ("class", "id", "alt"):
                    token.attrs.pop(name, None)
        if token.type in _SINGLE and level is not None:
            closer = Token("span_close", "span", -1)
            wrapped.extend([_span_open(level, problem, alt), token, closer])
            continue
        if token.type == "link_open":
            if level is not None:
                wrapped.append(_span_open(level, problem, alt))
            links.append(level is not None)
        wrapped.append(token)
        if token.type == "link_close" and links and links.pop():
            wrapped.append(Token("span_close", "span", -1))
    return wrapped


def _marked(token: Token, level: Confidentiality, problem: Unreadable | None, alt: str) -> Token:
    """A kept span as facilitators see it: its marking class (and that it
    could not be read), and what others read instead, and nothing else."""
    classes = MARK_CLASS[level] + (f" {UNREADABLE_CLASS}" if problem is not None else "")
    token.attrs = {"class": classes}
    if alt:
        token.attrs["title"] = f"{ALT_READERS[level]}: {alt}"
    return token


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def filter_spans(tokens: Sequence[Token], audience: Audience, cut_mark: str = "") -> list[Token]:
    """Inline tokens with the spans ``audience`` may not see removed, leaving
    no doubled space, empty formatting or space before punctuation where
    they were, or their ``alt`` as plain text in their place. Kept spans
    become plain text, except that facilitators see them marked. Images
    become their (filtered) description. ``cut_mark``: text left where a
    cut was (for reading what a redaction leaves, ``sentences``)."""
    kept: list[Token] = []
    # For each open span: whether it (or an enclosing one) is being dropped,
    # and whether its tags are kept (marked for facilitators).
    stack: list[tuple[bool, bool]] = []
    for token in _as_spans(tokens):
        dropping = bool(stack) and stack[-1][0]
        if token.type == "span_open":
            level, problem, alt = token.meta["level"], token.meta["unreadable"], token.meta["alt"]
            drop = dropping or (level is not None and not level.visible_to(audience))
            mark = not drop and level is not None and audience is Audience.FACILITATOR
            stack.append((drop, mark))
            if drop and not dropping:
                _drop_image_mark(kept)
                kept.append(_text(alt) if alt else cut_token())
            if mark:
                kept.append(_marked(token, level, problem, alt))
            continue
        if token.type == "span_close":
            _drop, mark = stack.pop() if stack else (False, False)
            if mark:
                kept.append(token)
            continue
        if dropping:
            continue
        if token.children:
            token.children = filter_spans(token.children, audience, cut_mark)
        if token.type == "image":
            kept.append(_image_as_text(token))
            continue
        kept.append(token)
    return tidy_cuts(kept, cut_mark)


def _drop_image_mark(kept: list[Token]) -> None:
    """The "!" of ``![words]{.confidential}`` (a span, not an image, to the
    parser), which would be left alone where the span was cut."""
    if not kept or kept[-1].type != "text" or not kept[-1].content.endswith("!"):
        return
    before = kept[-1].content[:-1]
    if not before:
        kept.pop()
    elif before[-1].isspace() or before[-1] in "([{\"'“‘":
        kept[-1].content = before


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
    return _text(words)


def inline_problems(tokens: Sequence[Token]) -> Iterator[Unreadable]:
    """Redaction markup in an inline run that the parser did not take: in
    its text (and images' descriptions) and its code."""
    for token in tokens:
        if token.type == "text":
            yield from text_problems(token.content)
        elif token.type == "code_inline":
            yield from text_problems(token.content, code=True)
        if token.children:
            yield from inline_problems(token.children)


def element_problems(tokens: Sequence[Token]) -> Iterator[Unreadable]:
    """What is wrong with the attribute blocks of an inline run's elements
    (as parsed, before ``filter_spans``)."""
    for token in tokens:
        if token.type == "span_open" or (token.attrs and token.type in _OWN):
            problem = read_element(token)[1]
            if problem is not None:
                yield problem
        if token.children:
            yield from element_problems(token.children)


def _raw_text(tokens: Sequence[Token]) -> str:
    return "\n".join(token.content for token in tokens if token.type == "text")


def block_problems(token: Token, open_tags: list[str]) -> tuple[list[Unreadable], list[str]]:
    """What makes a block (an inline run or a code block) unreadable as a
    whole, and the raw HTML tags with a class still open after it: a block
    inside one of those is unreadable too."""
    if token.type in _CODE:
        problems = list(text_problems(token.content, code=True))
        if open_tags and not problems:
            problems.append(Unreadable("raw-html", f"<{open_tags[-1]} …>"))
        return problems, open_tags
    if token.type != "inline" or not token.children or not may_hold_markup(token.content):
        return ([Unreadable("raw-html", f"<{open_tags[-1]} …>")] if open_tags else []), open_tags
    problems = list(inline_problems(token.children))
    opened, closed = raw_tags(_raw_text(token.children))
    inside = bool(open_tags)
    still = [*open_tags, *opened]
    for name in closed:
        if name in still:
            still.remove(name)
    if inside and not problems:
        problems.append(Unreadable("raw-html", f"<{open_tags[-1]} …>"))
    return problems, still


def _marked_unreadable(children: list[Token]) -> list[Token]:
    """A run as facilitators see it when it cannot be read: all of it marked."""
    opener = _span_open(Confidentiality.CONFIDENTIAL, Unreadable("unparsed", ""), "")
    return [opener, *children, Token("span_close", "span", -1)]


def redacted_tokens(body: str, audience: Audience, *, cut_mark: str = "") -> list[Token]:
    """The block tokens of ``body`` with every inline run filtered for
    ``audience``, unreadable blocks hidden (facilitators see them marked),
    and blocks left empty by a cut removed."""
    tokens = parser().parse(body or "")
    facilitator = audience is Audience.FACILITATOR
    check = may_hold_markup(body or "")
    open_tags: list[str] = []
    kept: list[Token] = []
    for token in tokens:
        problems: list[Unreadable] = []
        if check and (token.type == "inline" or token.type in _CODE):
            problems, open_tags = block_problems(token, open_tags)
        if token.type in _CODE and problems and not facilitator:
            continue
        if token.type == "inline" and token.children is not None:
            had_words = has_words(token.children)
            if problems:
                token.children = (
                    _marked_unreadable(token.children) if facilitator else [cut_token()]
                )
            token.children = filter_spans(token.children, audience, cut_mark)
            token.meta["emptied"] = had_words and not has_words(token.children)
        kept.append(token)
    return drop_emptied_blocks(kept)


def heading_text(section: str, audience: Audience) -> str:
    """A one-line section heading as ``audience`` reads it: spans it may not
    see cut (or their ``alt`` in their place), other markup read as its
    words; empty when it holds a redaction that cannot be read. Facilitators
    read it as written. A heading without braces or links is read as it stands."""
    if audience is Audience.FACILITATOR:
        return section
    return heading_words(section, audience)


def heading_words(section: str, audience: Audience) -> str:
    """``heading_text`` as plain words for any audience (facilitators' with
    every span kept, the markup gone)."""
    if not may_hold_redaction(section):
        return section
    run = parser().parseInline(section)[0].children or []
    if audience is not Audience.FACILITATOR and any(True for _ in inline_problems(run)):
        return ""
    words = []
    for token in filter_spans(run, audience):
        if token.type in ("text", "code_inline"):
            words.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            words.append(" ")
    return " ".join("".join(words).split())


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
