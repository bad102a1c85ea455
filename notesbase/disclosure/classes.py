"""The redaction classes, and what is wrong with markup that was meant to be one.

Three classes redact: ``confidential`` (facilitators only), ``members``
(left out of the public view) and ``member``, read as ``members`` (the API's
audience is called ``member``); ``facilitators`` (or ``facilitator``) is
read as ``confidential``, naming who may read the words. They are read in any case, after NFKC.

Everything else a writer may have meant as a redaction fails closed: the text
it marks is hidden from everyone but facilitators, and an ``Unreadable``
says what was wrong, for the editor's warning and the leak check's finding.
That covers a class nobody knows (``{.private}``), a near miss
(``{.confidental}``, ``{.members-only}``, a look-alike letter), and markup
the parser never took as a span: a space before the braces or a missing
brace, full-width brackets, a class inside code, raw HTML with a class."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from notesbase.disclosure.canonical import canonical, loose
from notesbase.disclosure.vocabulary import Confidentiality

KNOWN = {
    "confidential": Confidentiality.CONFIDENTIAL,
    # Who reads it: facilitators only, which is what confidential means.
    "facilitators": Confidentiality.CONFIDENTIAL,
    "facilitator": Confidentiality.CONFIDENTIAL,
    "members": Confidentiality.MEMBERS,
    "member": Confidentiality.MEMBERS,
}
# The class a writer is told to use for each level.
WRITTEN = {Confidentiality.CONFIDENTIAL: "confidential", Confidentiality.MEMBERS: "members"}
# Parts of a class name that only a redaction class holds ("confidentiality",
# "members-only", "nonconfidential").
_STEMS = ("confiden", "member")
# Characters whose NFKC form is a brace or "<" (tests check the list against
# Unicode's data): where none of these stands, nothing needs reading.
MARKUP_CHARS = "{}<\ufe37\ufe38\ufe5b\ufe5c\uff5b\uff5d\ufe64\uff1c"
_MARKUP = re.compile("[" + re.escape(MARKUP_CHARS) + "]")
# Attribute blocks as written in text, closed or not (to the end of the line).
_BRACES = re.compile(r"\{([^{}\n]*)\}?")
_RAW_TAG = re.compile(r"<([a-zA-Z][\w-]*)(?=[^<>]*?\sclass\s*=)[^<>]*>?", re.IGNORECASE)
_PART = re.compile(r"""(?<!\S)([.#]?)([^\s=.#"'{}]+)(?:\s*=\s*("[^"]*"?|'[^']*'?|[^\s"'{}]*))?""")
_LETTER = re.compile(r"[^\W\d_]")
# What an attribute block follows straight on from: a span, a link, code,
# emphasis, an image.
_ATTACHED = "])`*_"
# A class whose opening brace was left out ("[x].confidential}").
_OPENLESS = re.compile(r"\.([^\s{}.]+)\s*\}")


def may_hold_markup(text: str) -> bool:
    """Whether ``text`` holds a brace or ``<`` in any form: text without one
    has no redaction to read and nothing unreadable (the common case)."""
    return _MARKUP.search(text) is not None


def may_hold_redaction(text: str) -> bool:
    """Whether ``text`` may hold a redaction, readable or not: a brace or
    "<" in any form, or a link ("[x](.confidential)" is a typo too)."""
    return may_hold_markup(text) or "](" in text


def folded(name: str) -> str:
    """A class name as it is compared: NFKC, case folded."""
    return unicodedata.normalize("NFKC", name).casefold()


def known_level(name: str) -> Confidentiality | None:
    """The level a class name marks, if it is one of the redaction classes."""
    return KNOWN.get(folded(name))


@lru_cache(maxsize=1024)
def resembles(name: str) -> str | None:
    """The redaction class ``name`` is a near miss of (a typo within two
    edits, a longer or shorter form, a look-alike spelling), or None. Both
    the name as typed (folded) and its look-alike skeleton are compared."""
    readings = {folded(name), _skeleton(name)}
    for known in ("confidential", "members", "member"):
        for key in readings:
            if len(key) < 4:
                continue
            for target in (known, _skeleton(known)):
                stems = [stem for stem in _STEMS if known.startswith(stem)]
                if (
                    any(stem in key or _skeleton(stem) in key for stem in stems)
                    or target.startswith(key)
                    or _distance(key, target) <= 2
                ):
                    return WRITTEN[KNOWN[known]]
    return None


@lru_cache(maxsize=1024)
def _skeleton(name: str) -> str:
    return loose("".join(canonical(name).split()))


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from ``a`` to ``b``."""
    if abs(len(a) - len(b)) > 2:
        return 3
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        row = [i]
        for j, other in enumerate(b, 1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        previous2, previous = previous, row
    return previous[-1]


@dataclass(frozen=True)
class Unreadable:
    """Markup meant as a redaction that cannot be read as one. ``kind`` is
    one of "unknown-class", "near-miss", "no-class", "unparsed", "full-width",
    "in-code" and "raw-html"; ``written`` the markup as typed (shortened);
    ``suggestion`` the class it was probably meant to be."""

    kind: str
    written: str
    suggestion: str | None = None

    def message(self, hidden: str = "The words it marks are") -> str:
        """What was wrong and what to do, for the facilitator; ``hidden``
        names what is hidden meanwhile ("This paragraph is")."""
        written = f"`{self.written}`"
        wanted = "{." + (self.suggestion or "confidential") + "}"
        what = {
            "unknown-class": f"{written} is not a redaction class: the classes are "
            "`{.confidential}` and `{.members}`.",
            "near-miss": f"{written} is not a redaction class: did you mean `{wanted}`?",
            "no-class": f"{written} marks a span without a redaction class: write "
            "`[words]{.confidential}` or `[words]{.members}`.",
            "unparsed": f"{written} was not read as a redaction: write both braces straight "
            f"after the closing bracket, as in `[words]{wanted}`.",
            "full-width": f"{written} is typed with full-width brackets or braces: retype "
            f"it with ordinary ones, as in `[words]{wanted}`.",
            "in-code": f"{written} is inside code, where it redacts nothing: put the class "
            f"after the code instead, as in `code`{wanted}.",
            "raw-html": f"{written} is HTML, which the notes do not read: write "
            f"`[words]{wanted}` instead.",
        }[self.kind]
        return f"{what} {hidden} hidden from members and the public until you fix it."


def short(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def class_problem(classes: list[str], written: str, *, span: bool) -> Unreadable | None:
    """What is wrong with the classes an element was given, if anything:
    every class must be a redaction class, and a bracketed ``span`` needs one."""
    if not classes:
        return Unreadable("no-class", written) if span else None
    for name in classes:
        if known_level(name) is None:
            suggestion = resembles(name)
            kind = "near-miss" if suggestion else "unknown-class"
            return Unreadable(kind, written, suggestion)
    return None


def link_problem(href: str) -> Unreadable | None:
    """A link whose address is a redaction class: parentheses typed for
    braces ("[x](.confidential)")."""
    name = href.strip().lstrip(".#{").rstrip("}")
    bare = re.fullmatch(r"[^\W_][\w-]{2,30}", name) is not None  # a word, not an address
    suggestion = meant(name) if bare else None
    return Unreadable("unparsed", f"({href})", suggestion) if suggestion else None


def meant(name: str) -> str | None:
    """The redaction class ``name`` is, or is a near miss of, as it should be written."""
    level = known_level(name)
    return WRITTEN[level] if level is not None else resembles(name)


def near_attribute(names: list[str], written: str) -> Unreadable | None:
    """An id or attribute name that is a redaction class in all but the dot
    (``{#confidential}``, ``{members=1}``)."""
    for name in names:
        suggestion = meant(name)
        if suggestion:
            return Unreadable("near-miss", written, suggestion)
    return None


def _parts(inside: str) -> Iterator[tuple[str, str]]:
    """The names in an attribute block with how each was written: "." for a
    class, "#" for an id, "=" for a class given by ``class=``, "" otherwise."""
    for mark, name, value in _PART.findall(inside):
        yield mark, name
        if value and name.casefold() == "class":
            for word in value.strip("\"'").split():
                yield "=", word


def _in_braces(inside: str, *, code: bool) -> str | None:
    """The redaction class an attribute block found in text or code seems to
    be meant as, or None. In text, any class written with a dot counts; in
    code (``code``, unless the block follows a bracket, backtick or emphasis
    as an attribute block would) only a redaction class or a near miss does."""
    for mark, name in _parts(inside):
        level = known_level(name)
        if level is not None:
            return WRITTEN[level]
        if not _LETTER.search(name):
            continue
        folded_name = folded(name)
        if any(stem in folded_name for stem in _STEMS) or (mark in ".=" and resembles(name)):
            return resembles(name) or "confidential"
        if mark == "." and not code:
            return "confidential"
    return None


def text_problems(text: str, *, code: bool = False) -> Iterator[Unreadable]:
    """Redaction markup in text the parser did not take as markup (or in
    code, where ``code``): attribute blocks naming a class, and raw HTML
    tags with a class."""
    if not may_hold_markup(text):
        return
    nfkc = unicodedata.normalize("NFKC", text) if not text.isascii() else text
    for match in _BRACES.finditer(nfkc):
        attached = match.start() > 0 and nfkc[match.start() - 1] in _ATTACHED
        suggestion = _in_braces(match.group(1), code=code and not attached)
        if suggestion is None:
            continue
        written = short(match.group(0))
        if code:
            kind = "in-code"
        elif nfkc is not text and match.group(0) not in text:
            kind = "full-width"
            if len(nfkc) == len(text):  # one for one: show it as typed
                written = short(text[match.start() : match.end()])
        else:
            kind = "unparsed"
        yield Unreadable(kind, written, suggestion)
    if not code and "}" in nfkc:
        for match in _OPENLESS.finditer(_BRACES.sub(" ", nfkc)):
            suggestion = meant(match.group(1))
            if suggestion:
                yield Unreadable("unparsed", short(match.group(0)), suggestion)
    for match in _RAW_TAG.finditer(nfkc):
        yield Unreadable("raw-html", short(match.group(0)), _html_suggestion(match.group(0)))


def _html_suggestion(tag: str) -> str:
    found = re.search(r"class\s*=\s*(\"[^\"]*\"?|'[^']*'?|[^\s>]*)", tag, re.IGNORECASE)
    for word in (found.group(1).strip("\"'") if found else "").split():
        suggestion = meant(word)
        if suggestion:
            return suggestion
    return "confidential"


def raw_tags(text: str) -> tuple[list[str], list[str]]:
    """The names of raw HTML tags with a class opened in ``text``, and of
    every tag closed there (a redaction written in HTML may run on over
    several paragraphs: everything up to its closing tag is hidden)."""
    if not may_hold_markup(text):
        return [], []
    nfkc = unicodedata.normalize("NFKC", text) if not text.isascii() else text
    opened = [match.group(1).casefold() for match in _RAW_TAG.finditer(nfkc)]
    closed = [name.casefold() for name in re.findall(r"</([a-zA-Z][\w-]*)", nfkc)]
    return opened, closed
