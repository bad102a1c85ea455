"""What asks for a second thought before a meeting's notes go out: a
feature registers a check at start-up (the review rounds: a review is
open), and a sender asks for the checks' words before it sends
(``notesbase circulate``), so the sender imports no feature."""

from __future__ import annotations

from collections.abc import Callable

from notesbase.models import Meeting

# ``check(meeting)``: why to think twice before the notes go out, or None.
Hold = Callable[[Meeting], str | None]

HOLDS: dict[str, Hold] = {}


def register_hold(name: str, check: Hold) -> None:
    """Add (or replace) the check named ``name``."""
    HOLDS[name] = check


def holds_on(meeting: Meeting) -> list[str]:
    """Every registered check's words about ``meeting``, in the order of their names."""
    found = (HOLDS[name](meeting) for name in sorted(HOLDS))
    return [words for words in found if words]
