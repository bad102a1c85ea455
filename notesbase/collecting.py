"""The garbage collector's full passes between requests, not during them.

CPython walks every tracked object that has lived long (the app, the kept
leak-check readers and renders, the index's caches: about half a million in
a worker that has checked a few meetings) each time enough new ones have
joined them. Such a pass takes 100 to 200 ms on two cores and falls on
whichever request happens to be running: about one leak check in four.

A served worker (``notesbase serve``, ``notesbase run``) therefore leaves
full passes until a reply has been sent (``after_reply``): the collector
still collects the young generations as it goes, and a full pass runs after
the reply of a request during which ``FULL_AFTER`` or more of them were
promoted, so garbage in cycles is still freed within a request or two. The
work is the same; it is done while the browser shows the page, as the
index's is. A request that promotes very many (``FULL_WITHIN``: an import, a
long export) still has a full pass during it, so memory stays bounded.

Commands and tests keep CPython's own thresholds: only ``between_requests``
changes them, for the whole process."""

from __future__ import annotations

import gc

from flask import Flask

from notesbase.after_reply import after_reply

# Young collections (of the second generation) since the last full pass
# after which a reply is followed by one; CPython's own threshold is 10,
# with a further rule that skips most of them.
FULL_AFTER = 40
# After this many, a full pass runs during the request after all.
FULL_WITHIN = 400

_enabled = False
_before: tuple[int, int, int] | None = None


def between_requests() -> None:
    """From now on in this process, full passes only after replies (see
    the module), or during a request that promotes very much."""
    global _enabled, _before
    young, middle, full = gc.get_threshold()
    if _before is None:
        _before = (young, middle, full)
    gc.set_threshold(young, middle, FULL_WITHIN)
    _enabled = True


def as_before() -> None:
    """CPython's thresholds again, as before ``between_requests``."""
    global _enabled, _before
    if _before is not None:
        gc.set_threshold(*_before)
    _enabled, _before = False, None


def _collect_when_due() -> None:
    if gc.get_count()[2] >= FULL_AFTER:
        gc.collect()


def _after_each_reply(_error: BaseException | None = None) -> None:
    # At teardown: after whatever the request left until after its reply.
    if _enabled:
        after_reply("gc.collect", _collect_when_due)


def init_app(app: Flask) -> None:
    app.teardown_request(_after_each_reply)
