"""Leak-check results kept for every process of this host, so that the
leak-check page a facilitator opens after a save is read, not worked out
again: the save's worker works it out once its reply has been sent
(``prefill``), and the page finds it.

What is kept is the part of a check that costs: the words found in each
channel's output and the places they are at, before any override (those
are looked up at every check, as are the findings about the items
themselves, which may read the database: ``AudienceReading.sources``). It
is found by a digest of exactly what that part is worked out from:

- notesbase's own code (every module's text), so another version never
  reads a result this one made;
- for each channel, its name, audience and every field of its output, as
  the audience would receive it;
- for each audience, the series' title, the notes and the audience's view
  of them (``kept.digest``: the whole of every object);
- the items each channel carries and their places (an item's id and
  content version; the meeting's details by their text).

So any change (an edit, a consent given or withdrawn, a name corrected, a
span redacted, a new version) makes another key and a check made afresh:
a kept result is never an old one. It is only ever read for the page: what
decides whether anything leaves (``require_clean``, an override) is worked
out afresh every time. ``LEAK_CHECK_VERIFY_KEPT`` (the test suite's
setting) works out every result found here again and fails loudly when the
two differ.

The results are kept beside the renders (``notesbase.renders``: the same
file, emptied with them whenever text or a person must leave no trace,
and never kept once it has been emptied since the notes were read)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app, has_app_context

from notesbase import renders
from notesbase.disclosure import Audience
from notesbase.models import Meeting
from notesbase.publishing.leakcheck.audience import AudienceReading, Carried
from notesbase.publishing.leakcheck.found import Found
from notesbase.publishing.leakcheck.kept import digest

if TYPE_CHECKING:
    from notesbase.publishing.leakcheck.check import Channel, Field

SHAPE = "leakcheck.stored/1"


class KeptResultDiffers(AssertionError):
    """A kept result is not what the check works out now (only raised
    with ``LEAK_CHECK_VERIFY_KEPT``): something it is worked out from is
    missing from its key."""


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """A digest of every module of notesbase as installed, worked out once."""
    root = Path(__file__).resolve().parents[2]  # the notesbase package
    made = hashlib.blake2b(SHAPE.encode(), digest_size=32)
    for path in sorted(root.rglob("*.py")):
        text = path.read_bytes()
        made.update(b"%s\0%d\0" % (path.relative_to(root).as_posix().encode(), len(text)) + text)
    return made.digest()


def key(parts: Sequence[object]) -> bytes:
    """A digest of ``parts`` and the code, each part's members digested on
    their own (``kept.digest``): pickle writes an object met again as a
    reference, so equal notes read by another request, whose strings are
    shared differently between the notes, the view and the output, would
    otherwise give another key. (Within one member, sharing follows from
    the code that made it. Equal parts that still pickle differently only
    make a new result; different parts never give one key.)"""
    made = hashlib.blake2b(code_digest(), digest_size=32)
    for part in parts:
        members = part if isinstance(part, tuple) else (part,)
        made.update(b"%d:" % len(members))
        for member in members:
            made.update(digest(member))
    return made.digest()


def enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("LEAK_CHECK_KEPT", True))


def rows(parts: Sequence[object], make: Callable[[], list[Any]]) -> list[Any]:
    """``make()``: kept, under a key made from ``parts`` (everything it is
    worked out from), or found kept."""
    store = renders.current() if enabled() else None
    if store is None:
        return make()
    wanted = key(parts)
    kept = _read(store.get_check(wanted))
    if kept is None:
        made = make()
        store.put_check(wanted, json.dumps(made, ensure_ascii=False, separators=(",", ":")))
        return made
    if current_app.config.get("LEAK_CHECK_VERIFY_KEPT"):
        now = json.loads(json.dumps(make()))
        if now != kept:
            raise KeptResultDiffers("a kept leak-check result differs from the check made now")
    return kept


def _read(value: str | None) -> list[Any] | None:
    if value is None:
        return None
    try:
        kept = json.loads(value)
    except ValueError:
        return None
    return kept if isinstance(kept, list) else None


@dataclass
class Output:
    """One channel's output as a check reads it: its fields, and for an
    audience other than the facilitators, what they are read against."""

    spec: Channel
    fields: list[Field]
    reader: AudienceReading | None
    carried: Carried | None

    def hits(self) -> Found:
        """The words found in the fields, at their places."""
        found = Found()
        reader, carried = self.reader, self.carried
        if reader is None or carried is None:
            return found
        for item in self.fields:
            # The same words by the same rule about the same people, found
            # again in this part (a first name at every mention), add
            # nothing: their places and everything else are the same.
            added: set[tuple[str, str, tuple[int, ...]]] = set()
            for hit in reader.hits(item.text):
                again = (hit.rule, " ".join(hit.match.split()), hit.people)
                if again in added:
                    continue
                added.add(again)
                at = carried.places.of(hit, item.where, item.place, item.text)
                found.add(at, hit.rule, hit.match, hit.why, item.where, hit.people)
        return found

    def key_parts(self) -> tuple[object, ...]:
        """All ``hits`` is worked out from, but the notes and the audience's
        view (``leakcheck.stored``)."""
        fields = [(f.where, f.text, f.place) for f in self.fields]
        head = (self.spec.name, self.spec.audience.value, fields)
        if self.carried is None:
            return head
        return (*head, list(self.carried.items), self.carried.places.idents())


def kept_hits(meeting: Meeting, outputs: Sequence[Output], whole: bool) -> list[Found]:
    """Each output's ``hits``, found in or kept in ``leakcheck.stored``."""
    parts: list[object] = [whole, meeting.id, meeting.series.title]
    read: set[Audience] = set()
    for output in outputs:
        parts.append(output.key_parts())
        if output.reader is not None and output.spec.audience not in read:
            read.add(output.spec.audience)
            parts.append((output.spec.audience.value, output.reader.notes, output.reader.view))
    made = rows(parts, lambda: [output.hits().rows() for output in outputs])
    try:
        founds = [Found.from_rows(kept) for kept in made]
    except (TypeError, ValueError):
        founds = []
    if len(founds) != len(outputs):  # not a result of these outputs: check afresh
        return [output.hits() for output in outputs]
    return founds
