"""Errors a notes service raises for input it cannot take."""

from __future__ import annotations


class NotesError(ValueError):
    """Input the notes cannot take; ``field`` names the form or JSON field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class StaleItem(NotesError):
    """The item changed since the editor loaded it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            "version",
            "Someone else changed this item while you were editing it; "
            "reload it to see their change, then make yours again.",
        )
        self.current_version = current_version
