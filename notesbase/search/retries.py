"""Outbox rows whose index work fails on its own, kept in this host's index
state so that they never block the rows behind them.

A failing row is retried with a growing delay; after ``max_attempts`` it is
set aside ("poisoned") until an operator retries it (`notesbase index apply
--retry-poisoned`); `notesbase index check` and ``/healthz`` report it.
The state is plain JSON: ``{"failing": {id: entry}, "poisoned": {id: entry}}``
beside the cursor and gaps, each entry ``{"attempts", "next", "error"}``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("notesbase.search.indexer")

# The longest wait between two attempts at a failing row, in seconds.
MAX_DELAY = 3600.0
_ERROR_CHARS = 300


@dataclass(frozen=True)
class Policy:
    """How failing rows are retried: the first delay doubles each time, up
    to ``MAX_DELAY``; a row is set aside after ``max_attempts`` failures."""

    first_delay: float = 5.0
    max_attempts: int = 8

    def delay(self, attempts: int) -> float:
        return float(min(self.first_delay * 2 ** max(attempts - 1, 0), MAX_DELAY))


def _entries(state: Mapping[str, Any], key: str) -> dict[int, dict[str, Any]]:
    return {int(i): dict(entry) for i, entry in dict(state.get(key, {})).items()}


def failing(state: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    """Rows waiting for another attempt, by id."""
    return _entries(state, "failing")


def poisoned(state: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    """Rows set aside, by id."""
    return _entries(state, "poisoned")


def due(state: Mapping[str, Any], now: float) -> list[int]:
    """Failing rows whose next attempt has come."""
    return sorted(i for i, entry in failing(state).items() if float(entry["next"]) <= now)


def held(state: Mapping[str, Any]) -> list[int]:
    """Every row applied to nothing yet because its work failed."""
    return sorted({*failing(state), *poisoned(state)})


def settle(
    state: dict[str, Any],
    succeeded: Iterable[int],
    failed: Mapping[int, BaseException],
    now: float,
    policy: Policy,
) -> dict[str, Any]:
    """``state`` after an attempt: rows that succeeded are forgotten, rows
    that failed wait longer or are set aside."""
    waiting = failing(state)
    aside = poisoned(state)
    for row in succeeded:
        waiting.pop(row, None)
        aside.pop(row, None)
    newly_aside: list[int] = []
    for row, error in failed.items():
        attempts = int(waiting.pop(row, {}).get("attempts", 0)) + 1
        entry = {
            "attempts": attempts,
            "next": now + policy.delay(attempts),
            "error": describe(error),
        }
        if attempts >= policy.max_attempts:
            aside[row] = entry
            newly_aside.append(row)
        else:
            waiting[row] = entry
    if newly_aside:
        log.error(
            "search outbox rows %s failed %d times and are set aside; "
            "`notesbase index apply --retry-poisoned` tries them again",
            _ids(newly_aside),
            policy.max_attempts,
        )
    return {**state, "failing": _json(waiting), "poisoned": _json(aside)}


def retry_poisoned(state: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """``state`` with every set-aside row due again, with a fresh count."""
    waiting = failing(state)
    aside = poisoned(state)
    for row, entry in aside.items():
        waiting[row] = {**entry, "attempts": 0, "next": 0}
    return {**state, "failing": _json(waiting), "poisoned": {}}, sorted(aside)


def forget_missing(state: dict[str, Any], existing: Iterable[int]) -> dict[str, Any]:
    """``state`` without rows the outbox no longer holds (pruned)."""
    keep = set(existing)
    return {
        **state,
        "failing": _json({i: e for i, e in failing(state).items() if i in keep}),
        "poisoned": _json({i: e for i, e in poisoned(state).items() if i in keep}),
    }


def describe(error: BaseException) -> str:
    text = " ".join(str(error).split()) or "no message"
    return f"{type(error).__name__}: {text}"[:_ERROR_CHARS]


_logged: set[str] = set()
_logged_lock = threading.Lock()
_MAX_CAUSES = 1000


def log_once(error: BaseException, rows: Iterable[int], what: str) -> None:
    """Log a failure with the rows it hit, once per distinct cause in this
    process (a failing row is tried again and again)."""
    cause = f"{what}|{describe(error)}"
    with _logged_lock:
        first = cause not in _logged
        if first and len(_logged) < _MAX_CAUSES:
            _logged.add(cause)
    if first:
        log.error("%s (outbox rows %s): %s", what, _ids(rows), describe(error), exc_info=error)
    else:
        log.debug("%s again (outbox rows %s): %s", what, _ids(rows), describe(error))


def _ids(rows: Iterable[int]) -> str:
    ordered = sorted(rows)
    shown = ", ".join(str(i) for i in ordered[:20])
    return shown + (f" and {len(ordered) - 20} more" if len(ordered) > 20 else "")


def _json(entries: Mapping[int, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(i): dict(entry) for i, entry in sorted(entries.items())}
