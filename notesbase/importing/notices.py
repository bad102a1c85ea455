"""What an importer tells its user about one file: warnings (something was
ambiguous or repaired) and notes (something was done that they may want to know)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """One warning or note, with the line of the file it concerns when there is one."""

    level: str  # "warning" or "note"
    message: str
    line: int | None = None

    @classmethod
    def warning(cls, message: str, line: int | None = None) -> Notice:
        return cls("warning", message, line)

    @classmethod
    def note(cls, message: str, line: int | None = None) -> Notice:
        return cls("note", message, line)

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{self.level}: {where}{self.message}"
