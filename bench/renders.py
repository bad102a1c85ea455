"""How many of the item bodies ``disclose`` was asked for it rendered cold.

``disclose`` keeps the bodies it rendered lately (by body, audience and the
set of people and levels), so a search whose hits were shown a moment ago
costs less than one whose hits are new. Counting, while a mix of queries
runs in process, how often it had to render a body tells how much the
figures owe to that memory."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from typing import Any

from bench.results import Renders

# The module, not the function of the same name the package exports.
disclose = importlib.import_module("notesbase.disclosure.disclose")

# The functions counted: the one asked for a view's bodies (which looks in
# the kept bodies first, in the process and then in the app's store), and
# the one that renders a body it did not find.
ASKED, RENDERED = "_bodies", "_shown_body"


@contextlib.contextmanager
def counting_renders() -> Iterator[Renders | None]:
    """Count bodies asked for and rendered while the block runs; yields None
    (and counts nothing) when ``disclose`` is no longer built that way."""
    originals = {name: getattr(disclose, name, None) for name in (ASKED, RENDERED)}
    if not all(callable(f) for f in originals.values()):
        yield None
        return
    counts = Renders()

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if name == ASKED:
                counts.asked += len(set(args[0]))
            else:
                counts.cold += 1
            return function(*args, **kwargs)

        return wrapper

    for name, function in originals.items():
        setattr(disclose, name, counted(name, function))  # type: ignore[arg-type]
    try:
        yield counts
    finally:
        for name, function in originals.items():
            setattr(disclose, name, function)
