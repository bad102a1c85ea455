"""The structured result of an import: one entry per file with what happened,
the fields changed (old -> new) and the notices; plus its text rendering."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from notesbase.importing.front_matter import PageError
from notesbase.importing.notices import Notice

ACTIONS = ("created", "updated", "unchanged", "error", "skipped")
_DRY_WORDS = {"created": "would create", "updated": "would update"}


@dataclass(frozen=True)
class Change:
    """One field of a meeting whose value the import sets (old is None on creation)."""

    field: str
    old: Any
    new: Any


@dataclass
class FileReport:
    """What the import did (or, in a dry run, would do) with one file."""

    path: str
    action: str
    series: str | None = None
    number: int | None = None
    meeting_id: int | None = None
    changes: list[Change] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    error: PageError | None = None

    @property
    def warnings(self) -> list[Notice]:
        return [n for n in self.notices if n.level == "warning"]

    def headline(self, dry_run: bool) -> str:
        word = _DRY_WORDS.get(self.action, self.action) if dry_run else self.action
        if self.error is not None:
            return f"{word:<12} {self.path}: {self.error}"
        if self.action == "skipped":
            return f"{word:<12} {self.path}"
        return f"{word:<12} {self.path}: meeting {self.number} of {self.series}"

    def lines(self, dry_run: bool) -> list[str]:
        lines = [self.headline(dry_run)]
        if self.action == "updated":
            lines += [f"    {c.field}: {show_change(c.old, c.new)}" for c in self.changes]
        lines += [f"    {notice}" for notice in self.notices]
        return lines


@dataclass
class ImportReport:
    """Every file named or found, in order; ``ok`` is False if any file failed."""

    files: list[FileReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not any(f.action == "error" for f in self.files)

    def counts(self) -> Counter[str]:
        return Counter(f.action for f in self.files)

    def summary(self) -> str:
        counts = self.counts()
        parts = ", ".join(f"{counts[a]} {a}" for a in ACTIONS if counts[a])
        total = len(self.files)
        line = f"{total} file{'s' if total != 1 else ''}: {parts or 'nothing to import'}"
        warnings = sum(len(f.warnings) for f in self.files)
        if warnings:
            line += f"; {warnings} warning{'s' if warnings != 1 else ''}"
        if self.dry_run:
            line += " (dry run: nothing was written)"
        return line

    def lines(self) -> list[str]:
        lines = [line for f in self.files for line in f.lines(self.dry_run)]
        return [*lines, self.summary()]


def show(value: Any) -> str:
    """A short, readable rendering of a field value for the change list."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(value)) + "}"
    text = " ".join(str(value).split())
    if isinstance(value, str):
        whole = len(text) <= 60 or text.startswith(("http://", "https://"))
        return repr(text if whole else text[:57] + "...")
    return text


def show_change(old: Any, new: Any) -> str:
    """'old → new'; for long texts, the stretch around the first difference."""
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > 60:
        start = next(
            (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
            min(len(old), len(new)),
        )
        start = max(0, start - 20)
        return f"{_excerpt(old, start)} → {_excerpt(new, start)}"
    return f"{show(old)} → {show(new)}"


def _excerpt(text: str, start: int) -> str:
    part = " ".join(text[start : start + 60].split())
    prefix = "..." if start else ""
    suffix = "..." if start + 60 < len(text) else ""
    return repr(f"{prefix}{part}{suffix}")
