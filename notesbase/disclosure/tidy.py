"""Closing the gap where a redacted span was cut, so that nothing shows a
cut was made: no doubled space, no space before punctuation, no empty
formatting, brackets or quotes, no empty paragraph, list item or row."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.token import Token

CUT = "cut"
_BREAKS = ("softbreak", "hardbreak")
_PAIRS = {"(": ")", "[": "]", "“": "”", "‘": "’", '"': '"', "'": "'"}
_PUNCTUATION = ",.;:!?)]”’"
_SPACE = " \t"


def cut_token() -> Token:
    """A marker where something was removed; gone again after ``tidy_cuts``."""
    return Token(CUT, "", 0)


def has_words(tokens: Sequence[Token]) -> bool:
    """Whether inline tokens show anything but space, formatting and cut marks."""
    for token in tokens:
        if token.type == "text" and token.content.strip() and not token.meta.get(CUT):
            return True
        if token.type in ("code_inline", "image"):
            return True
    return False


def _collapse(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        if token.type == CUT and out and out[-1].type == CUT:
            continue
        out.append(token)
    return out


def _drop_empty_pairs(tokens: list[Token]) -> list[Token]:
    """Formatting (emphasis, links, marks) that held nothing but a cut."""
    changed = True
    while changed:
        changed = False
        for index, token in enumerate(tokens):
            if token.nesting != 1:
                continue
            after = index + 1
            while after < len(tokens) and tokens[after].type == CUT:
                after += 1
            if (
                after > index + 1
                and after < len(tokens)
                and tokens[after].nesting == -1
                and tokens[after].tag == token.tag
            ):
                del tokens[after]
                del tokens[index]
                changed = True
                break
    return _collapse(tokens)


def _neighbour(tokens: list[Token], index: int, step: int) -> Token | None:
    """The nearest token either side of a cut that shows something, skipping formatting."""
    index += step
    while 0 <= index < len(tokens):
        token = tokens[index]
        if token.type != CUT and token.nesting == 0:
            return token
        index += step
    return None


def _join(before: Token | None, after: Token | None) -> None:
    """Make the text either side of a cut read as if nothing had been there."""
    left = before if before is not None and before.type == "text" else None
    right = after if after is not None and after.type == "text" else None
    if before is None or before.type in _BREAKS:
        if right is not None:
            right.content = right.content.lstrip(_SPACE)
        return
    if after is None or after.type in _BREAKS:
        if left is not None:
            left.content = left.content.rstrip(_SPACE)
        return
    if left is None or right is None:
        return
    opener = left.content.rstrip(_SPACE)[-1:]
    if opener in _PAIRS and right.content.lstrip(_SPACE)[:1] == _PAIRS[opener]:
        left.content = left.content.rstrip(_SPACE)[:-1]
        right.content = right.content.lstrip(_SPACE)[1:]
    left_space = left.content[-1:] in _SPACE and left.content != ""
    right_space = right.content[:1] in _SPACE and right.content != ""
    if right.content.lstrip(_SPACE)[:1] in _PUNCTUATION and right.content.strip():
        left.content = left.content.rstrip(_SPACE)
        right.content = right.content.lstrip(_SPACE)
    elif left_space and right_space:
        left.content = left.content.rstrip(_SPACE)


def drop_empty_formatting(tokens: Sequence[Token]) -> list[Token]:
    """Inline tokens without empty text and without formatting left holding
    nothing (a name moved out of the emphasis it was split across)."""
    work = [t for t in tokens if not (t.type == "text" and t.content == "")]
    changed = True
    while changed:
        changed = False
        for index in range(len(work) - 1):
            opener, closer = work[index], work[index + 1]
            if opener.nesting == 1 and closer.nesting == -1 and opener.tag == closer.tag:
                del work[index : index + 2]
                changed = True
                break
    return work


def tidy_cuts(tokens: Sequence[Token], mark: str = "") -> list[Token]:
    """Inline tokens with every cut marker resolved and removed, or, given
    a ``mark``, left as that text (where a reading of the cuts wants them)."""
    work = _drop_empty_pairs(_collapse(list(tokens)))
    cuts = False
    for index, token in enumerate(work):
        if token.type == CUT:
            cuts = True
            _join(_neighbour(work, index, -1), _neighbour(work, index, 1))
    if cuts:
        _trim_ends(work)
    if mark:
        return [_mark(mark) if token.type == CUT else token for token in work]
    return [token for token in work if token.type != CUT]


def _trim_ends(tokens: list[Token]) -> None:
    """No space left at the start or end of a run (a cut there took the
    words a space was between: "(" and ")" around a span at the start)."""
    shown = [t for t in tokens if t.nesting == 0 and t.type != CUT and t.content != ""]
    if shown and shown[0].type == "text":
        shown[0].content = shown[0].content.lstrip(_SPACE)
    if shown and shown[-1].type == "text":
        shown[-1].content = shown[-1].content.rstrip(_SPACE)


def _mark(mark: str) -> Token:
    token = Token("text", "", 0)
    token.content = mark
    token.meta[CUT] = True
    return token


def _emptied(token: Token) -> bool:
    return token.type == "inline" and bool(token.meta.get("emptied"))


def _remove_empty_rows(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    row: list[Token] | None = None
    for token in tokens:
        if token.type == "tr_open":
            row = [token]
            continue
        if row is not None:
            row.append(token)
            if token.type == "tr_close":
                cells = [t for t in row if t.type == "inline"]
                gone = any(_emptied(t) for t in cells) and all(
                    _emptied(t) or not has_words(t.children or []) for t in cells
                )
                if not gone:
                    out.extend(row)
                row = None
            continue
        out.append(token)
    return out


def drop_emptied_blocks(tokens: list[Token]) -> list[Token]:
    """Blocks whose words were all cut, and containers they left empty."""
    out: list[Token] = []
    for token in tokens:
        if (
            token.nesting == -1
            and len(out) >= 2
            and _emptied(out[-1])
            and out[-2].type in ("paragraph_open", "heading_open")
        ):
            del out[-2:]
            continue
        out.append(token)
    out = _remove_empty_rows(out)
    changed = True
    while changed:
        changed = False
        for index in range(len(out) - 1):
            opener, closer = out[index], out[index + 1]
            if (
                opener.nesting == 1
                and closer.nesting == -1
                and opener.tag == closer.tag
                and opener.type.endswith("_open")
                and opener.type not in ("th_open", "td_open")
            ):
                del out[index : index + 2]
                changed = True
                break
    return out
