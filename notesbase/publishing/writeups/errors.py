"""What a write-up refuses, in words for the facilitator; each error names
the form or JSON field it belongs beside."""

from __future__ import annotations


class WriteupError(ValueError):
    """Input a write-up cannot take; ``field`` names the form or JSON field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class StaleWriteup(WriteupError):
    """The write-up changed since the facilitator loaded it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            "version",
            "Someone else changed this write-up while you were working on it; "
            "their version is below. Saving again replaces it with yours.",
        )
        self.current_version = current_version


class NothingToPublish(WriteupError):
    def __init__(self) -> None:
        super().__init__(
            "summary", "Write a summary or choose at least one item before publishing."
        )


class WriteupWithheld(WriteupError):
    """The write-up is withheld from the public until it is published again."""

    def __init__(self) -> None:
        super().__init__(
            "published",
            "This write-up is withheld from the public: the leak check found something "
            "the public may not see in it. Fix it, then publish it again.",
        )
