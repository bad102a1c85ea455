"""Quick fixes for leak-check findings at an item: hide the words found
behind a redacted span, or make the whole item stricter.

Each fix hides more and never less: a span of the class that keeps the
words from the channel's audience (``members`` from the public,
``confidential`` from members), or the item's confidentiality raised to
that level. Both go through the notes service (``notes.items``), so they
are audited and versioned like any edit, and the leak check runs again on
the next page. A span is offered only where it can be placed safely: the
words stand as they were typed in the item, and wrapping them changes
nothing facilitators read (words and link addresses), adds no unreadable
markup, and takes the words out of the audience's text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from notesbase.disclosure import Audience, Confidentiality
from notesbase.disclosure.problems import body_problems
from notesbase.disclosure.render import attribute_values, to_html, to_text
from notesbase.disclosure.spans import redacted_tokens
from notesbase.models import Item, Member
from notesbase.notes import items as item_service
from notesbase.notes.errors import StaleItem
from notesbase.publishing.leakcheck import text as leak_text
from notesbase.publishing.leakcheck.secrets import plain_text

TEXT_MAX = 300
# Rules about the way an item was redacted: fixed by writing it again.
NOT_FIXED_HERE = frozenset({"unreadable-redaction", "broken-sentence"})
STRICTNESS = (Confidentiality.OPEN, Confidentiality.MEMBERS, Confidentiality.CONFIDENTIAL)
# Markup that words for a span may not hold: it would change what they mean.
_MARKUP = re.compile(r"[\[\]{}()`<>\\*_~\n]")
# How facilitators' HTML marks a span (its class), beside the link addresses.
_MARKED = re.compile(r"redact-[a-z]+(?: redact-[a-z]+)*")


class FixRefused(ValueError):
    """A quick fix that cannot be made as asked, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Fix:
    """One quick fix offered at an item: ``kind`` "words" (a span around
    ``text``) or "item" (the item's confidentiality), to ``level``."""

    kind: str
    level: Confidentiality
    item: Item
    text: str = ""

    @property
    def label(self) -> str:
        if self.kind == "words":
            kept = "members-only" if self.level is Confidentiality.MEMBERS else "confidential"
            return f"Make “{self.text}” {kept} in item {self.item.position}"
        if self.level is Confidentiality.MEMBERS:
            return f"Make item {self.item.position} members-only"
        return f"Mark item {self.item.position} confidential"


def hiding_level(audience: Audience, members_too: bool = False) -> Confidentiality:
    """The least strict level that keeps words from ``audience`` (and from
    members as well, when they may not see them either)."""
    if audience is Audience.PUBLIC and not members_too:
        return Confidentiality.MEMBERS
    return Confidentiality.CONFIDENTIAL


def stricter(level: Confidentiality, than: Confidentiality) -> bool:
    return STRICTNESS.index(level) > STRICTNESS.index(than)


def offered(item: Item, rule: str, match: str, level: Confidentiality) -> list[Fix]:
    """The quick fixes for a finding ``rule``/``match`` at ``item``."""
    if rule in NOT_FIXED_HERE or not stricter(level, item.confidentiality):
        return []
    fixes = []
    if _can_hide(item.body, match, level):
        fixes.append(Fix("words", level, item, match.strip()))
    fixes.append(Fix("item", level, item))
    return fixes


@lru_cache(maxsize=4096)
def _can_hide(body: str, text: str, level: Confidentiality) -> bool:
    """Whether ``hidden_body`` puts ``text`` behind a span in a saved
    item's ``body``. Kept (a few MB at most): the same words at the same
    item are found for both audiences, and on every check of the meeting
    until the item changes (the check page, its overrides, the circulate
    and publish pages each check again)."""
    return hidden_body(body, text, level, stored=True) is not None


def _facilitators_read(body: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """What facilitators read of a body: its words, its link addresses and
    any markup that cannot be read as a redaction."""
    html = to_html(redacted_tokens(body, Audience.FACILITATOR))
    links = tuple(value for value in attribute_values(html) if not _MARKED.fullmatch(value))
    problems = tuple(problem.written for problem in body_problems(body))
    return to_text(html), links, problems  # ``plain_text`` for facilitators, read once


# A saved item's body is compared with each of its fixes (one per thing found in it).
_stored_read = lru_cache(maxsize=1024)(_facilitators_read)


def _holds(text: str, words: list[str]) -> bool:
    found = leak_text.word_texts(text)
    return any(found[i : i + len(words)] == words for i in range(len(found) - len(words) + 1))


def span_places(body: str, text: str) -> list[tuple[int, int]]:
    """Where ``text`` stands as typed in ``body`` as a whole word or words,
    outside any span, link or class: where ``hidden_body`` puts its spans."""
    text = text.strip()
    if not text:
        return []
    pattern = re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")
    places = []
    for found in pattern.finditer(body):
        before = body[: found.start()]
        if before.count("[") > before.count("]") or before.count("{") > before.count("}"):
            continue  # inside a span, link or class already: left as it is
        places.append((found.start(), found.end()))
    return places


def wrapped(body: str, places: list[tuple[int, int]], level: Confidentiality) -> str:
    """``body`` with each of ``places`` (in order, apart) as a span of ``level``."""
    parts = []
    done = 0
    for start, end in places:
        parts += [body[done:start], f"[{body[start:end]}]{{.{level.value}}}"]
        done = end
    return "".join(parts) + body[done:]


def hidden_body(
    body: str, text: str, level: Confidentiality, *, stored: bool = False
) -> str | None:
    """``body`` with ``text``, wherever it stands as typed, as a span of
    ``level``; None when that cannot be done safely (see the module).
    ``stored``: ``body`` is a saved item's, whose reading may be kept (a
    draft's never is)."""
    text = text.strip()
    words = leak_text.word_texts(text)
    if not words or len(text) > TEXT_MAX or _MARKUP.search(text):
        return None
    if level not in (Confidentiality.MEMBERS, Confidentiality.CONFIDENTIAL):
        return None
    changed = wrapped(body, span_places(body, text), level)
    before = _stored_read(body) if stored else _facilitators_read(body)
    if changed == body or _facilitators_read(changed) != before:
        return None
    audience = Audience.PUBLIC if level is Confidentiality.MEMBERS else Audience.MEMBER
    if _holds(plain_text(changed, audience), words):
        return None
    return changed


def _fields(item: Item, **changes: object) -> item_service.ItemFields:
    fields = item_service.ItemFields(
        item.kind, item.body, item.section, item.speaker_id, item.confidentiality
    )
    for name, value in changes.items():
        setattr(fields, name, value)
    return fields


def _check_version(item: Item, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != item.version:
        raise StaleItem(item.version)


def hide_words(
    item: Item,
    text: str,
    level: Confidentiality,
    *,
    actor: Member | None,
    expected_version: int | None = None,
) -> None:
    """Put ``text`` in ``item`` behind a span of ``level`` (a new version of
    the item). Raises ``StaleItem`` when the item changed since
    ``expected_version``, ``FixRefused`` when it cannot be done safely."""
    _check_version(item, expected_version)
    body = hidden_body(item.body, text, level)
    if body is None:
        raise FixRefused(
            f"“{text.strip()[:80]}” cannot be put behind a span in item {item.position} "
            "automatically: edit the item and mark the words yourself."
        )
    item_service.update_item(item, _fields(item, body=body), actor=actor)


def restrict_item(
    item: Item,
    level: Confidentiality,
    *,
    actor: Member | None,
    expected_version: int | None = None,
) -> None:
    """Raise ``item``'s confidentiality to ``level`` (never lower it).
    Raises ``StaleItem`` or ``FixRefused`` as ``hide_words`` does."""
    _check_version(item, expected_version)
    if not stricter(level, item.confidentiality):
        raise FixRefused(
            f"Item {item.position} is already {item.confidentiality.label.lower()}: "
            "nothing to change."
        )
    item_service.update_item(item, _fields(item, confidentiality=level), actor=actor)
