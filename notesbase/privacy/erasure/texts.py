"""Taking one person out of stored values of every shape: Markdown text,
plain lines and JSON, always through ``privacy.rewrite`` (the one matcher)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from notesbase.disclosure.facts import PersonFacts
from notesbase.privacy.rewrite import Rewritten, without_people

# What an audit label naming the erased person becomes.
ERASED_LABEL = "an erased person"


def rewritten(text: str | None, facts: PersonFacts) -> Rewritten:
    """``text`` without the person (empty and None stay as they are)."""
    return without_people(text or "", (facts,)) if text else Rewritten(text or "")


def names(text: str | None, facts: PersonFacts) -> bool:
    """Whether anything of the person can be read in ``text``."""
    return rewritten(text, facts).changed


def any_names(texts: Iterable[str | None], facts: PersonFacts) -> bool:
    return any(names(text, facts) for text in texts)


def rewritten_json(value: Any, facts: PersonFacts) -> tuple[Any, bool]:
    """A JSON value with every string in it rewritten; whether any changed."""
    if isinstance(value, str):
        found = rewritten(value, facts)
        return found.text, found.changed
    if isinstance(value, list):
        pairs = [rewritten_json(v, facts) for v in value]
        return [v for v, _ in pairs], any(c for _, c in pairs)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        changed = False
        for key, inner in value.items():
            new_key, key_changed = (
                rewritten_json(key, facts) if isinstance(key, str) else (key, False)
            )
            new_value, value_changed = rewritten_json(inner, facts)
            out[new_key] = new_value
            changed = changed or key_changed or value_changed
        return out, changed
    return value, False
