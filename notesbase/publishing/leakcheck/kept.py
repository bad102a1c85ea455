"""Readers kept from one leak check to the next.

A facilitator checks the same notes again and again: the leak-check page
after each override, the circulate page, its confirmation, the send. What a
check reads outputs with (``leakcheck.lines.Lines``: the rules, and every
line, sentence and reading it has read) is a function of its arguments
alone (the series' title, the notes, the audience's view of them, and
``whole``): it reads no clock, no database and no setting. So it is kept
here, found again by a digest of exactly those arguments, and the next check
of the same notes reads what has not changed without reading it again.

Failing closed: the key is the whole of every argument, not a version or
a time, so any change to the notes (an edit, a consent given or withdrawn,
a name or affiliation corrected, a span redacted) is a different key and a
reader made afresh. ``make`` receives nothing but the arguments the key was
made from, so nothing can reach the rules without reaching the key."""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

# At most this many readers, weighing at most ``BUDGET`` together (see
# ``Kept``): a 100-item meeting's reader for one audience weighs about 1,500
# (its pieces, about 4.5 kB each), so the budget is about 70 MB of them.
KEEP = 16
BUDGET = 16_000


def digest(*arguments: object) -> bytes:
    """A digest of ``arguments``, whole: pickled, every field of every
    object (the notes and views are frozen dataclasses of strings, numbers,
    dates and enums), in a form that gives them back, so two different
    arguments never pickle alike. (Equal arguments may pickle differently,
    which only makes a new reader.)"""
    pickled = pickle.dumps(arguments, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(pickled, digest_size=32).digest()


class Kept(Generic[T]):
    """The last ``size`` values made, each by the digest of its arguments;
    with ``weigh``, the oldest are let go while the values weigh more than
    ``budget`` together (weighed as they are when one is added: a reader
    grows as it reads), keeping the newest whatever it weighs."""

    def __init__(
        self,
        size: int = KEEP,
        weigh: Callable[[T], int] | None = None,
        budget: int = BUDGET,
    ) -> None:
        self.size = size
        self.weigh = weigh
        self.budget = budget
        self._values: OrderedDict[bytes, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, make: Callable[..., T], *arguments: object) -> T:
        """``make(*arguments)``, or the value it made for equal arguments."""
        key = digest(*arguments)
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
                return value
        value = make(*arguments)
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size or self._over_budget():
                self._values.popitem(last=False)
        return value

    def _over_budget(self) -> bool:
        if self.weigh is None or len(self._values) < 2:
            return False
        return sum(self.weigh(value) for value in self._values.values()) > self.budget

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
