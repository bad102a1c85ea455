"""The leak check: before anything leaves for an audience, look at the exact
text that audience will receive for anything it may not see.

Interface shared by every channel (write-up, export, circulation):

- a channel registers itself with ``register_channel(name, audience, fields)``,
  where ``fields(meeting)`` returns the ``Field`` list of its exact output
  (titles, headings, bodies, attributions, file names, metadata), and
  optionally ``sources(meeting)``, the items it is made from, each with where
  it shows (every item of the meeting, "item 3", unless it says otherwise);
- ``check(meeting, channel)`` returns a ``LeakReport`` of ``Finding``s, one
  per thing found and place it is at (an item, the write-up's summary, the
  meeting's details, else the part of the output: ``leakcheck.places``), naming
  the parts carrying it there, each marked with its override when a
  facilitator overrode it (``leakcheck.groups`` gathers them for the page);
- ``require_clean(meeting, channel)`` raises ``LeakCheckFailed`` (carrying the
  report) while any finding stands un-overridden;
- ``override(meeting, channel, finding_key, reason, actor=...)`` records a
  facilitator's written reason (audited).

What counts as a finding, judged against the meeting's current rows and the
channel's audience (``leakcheck.people`` and ``leakcheck.secrets`` hold the rules):

- ``name``, ``affiliation``, ``descriptor``, ``email``: anything identifying a
  person that they have not released to the audience, including a first name
  or surname alone (which ``disclose`` leaves in running text);
- ``confidential``: words of an item the audience may not see; ``redacted``:
  words of a span redacted from an item it does see (runs of four or more
  words, or a short span whole when it is distinctive);
- ``attendees``: a list of who attended;
- ``unreadable-redaction``: markup in an item the channel carries that was
  meant as a redaction and cannot be read as one (hidden meanwhile);
  ``broken-sentence``: a sentence a redaction leaves broken for the audience
  (``leakcheck.redactions``).

Text is matched in the canonical form ``disclose`` uses (any case, accents,
compatibility and look-alike letters, invisible characters), across line
breaks, punctuation, possessives, HTML and Markdown formatting, and with
names glued into link addresses.

An override covers one finding, no more: a finding's key stands for its
rule, its words (folded), whose they are, and its place at its present text
(``leakcheck.places``: an item by its id and version, the summary or the
meeting's details by a digest of their text, a part of the output no place
explains by a digest of that part). Editing the item, or the same words
found at another place, is a new finding that blocks until it is decided
itself. Keys of the earlier shapes (rule, words and an item's id without its
version, or a part of the output such as "plain text") never match a key of
this shape, so the overrides stored under them are asked again: they fail
closed rather than cover text nobody has read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from notesbase import audit
from notesbase.db import db
from notesbase.disclosure import Audience
from notesbase.models import LeakOverride, Meeting, Member
from notesbase.publishing.leakcheck import stored
from notesbase.publishing.leakcheck.audience import AudienceReading, ItemFindings, Sources
from notesbase.publishing.leakcheck.found import Found
from notesbase.publishing.leakcheck.keys import finding_key, where_order
from notesbase.publishing.leakcheck.places import own_place
from notesbase.publishing.leakcheck.redactions import ItemHit as ItemHit  # what ITEM_FINDINGS yield
from notesbase.publishing.leakcheck.redactions import meeting_hits
from notesbase.text import clean_text

REASON_MAX = 2000
CHANNEL_NAME_MAX = 20  # LeakOverride.channel


@dataclass(frozen=True)
class Field:
    """One piece of an output: where it sits ("title", "item 4", "file name")
    and its exact text; ``place`` names the one place in the notes it is
    made from ("item 4", "summary", "meeting"), None when it may hold any
    (a whole message or document: see ``leakcheck.places``)."""

    where: str
    text: str
    place: str | None = None


@dataclass(frozen=True)
class Finding:
    """Something the audience may not see, found at one place of an output
    (an item, the summary, the meeting's details, or a part of the output
    no place explains), however many parts of the output carry it there."""

    key: str  # stable for the same rule, words, people and place at its version
    rule: str  # "name", "confidential", "redacted", "unreadable-redaction", ...
    where: str  # the place: "item 3", "summary", "the meeting's details", "subject"
    match: str  # the text as found
    why: str  # in plain words, for the facilitator
    override: LeakOverride | None = None
    parts: tuple[str, ...] = ()  # the parts of the output it is in ("HTML", "plain text")
    item_id: int | None = None  # the item, when the place is one
    people: tuple[int, ...] = ()  # whose name, affiliation, ... it is (person ids)
    version: int | None = None  # the item's content version the finding is at

    @property
    def carried(self) -> list[str]:
        """The parts of the output carrying it here, named short ("HTML",
        "Markdown"); none when its place is the one part it is in."""
        if self.parts == (self.where,):
            return []
        return list(dict.fromkeys(short_part(part, self.where) for part in self.parts))

    @property
    def located(self) -> str:
        """Where it is, with the parts carrying it: "item 3 (plain text, HTML)"."""
        carried = self.carried
        return f"{self.where} ({', '.join(carried)})" if carried else self.where


@dataclass(frozen=True)
class LeakReport:
    meeting_id: int
    channel: str
    audience: Audience
    findings: tuple[Finding, ...] = field(default=())

    @property
    def blocking(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.override is None]

    @property
    def ok(self) -> bool:
        return not self.blocking


class LeakCheckFailed(Exception):
    def __init__(self, report: LeakReport) -> None:
        super().__init__(f"{len(report.blocking)} leak-check finding(s) stand")
        self.report = report


@dataclass(frozen=True)
class Channel:
    name: str
    audience: Audience
    fields: Callable[[Meeting], Sequence[Field]]
    label: str = ""
    sources: Sources | None = None
    details: bool = False  # carries the meeting's theme, speakers and description


CHANNELS: dict[str, Channel] = {}

# Findings features above add about the items a channel carries, by name:
# ``function(sources, audience)`` yields ``ItemHit``s (``notesbase.review``:
# requests to restrict an item that nobody has answered yet).
ITEM_FINDINGS: dict[str, ItemFindings] = {}


def register_channel(
    name: str,
    audience: Audience,
    fields: Callable[[Meeting], Sequence[Field]],
    label: str = "",
    sources: Sources | None = None,
    *,
    details: bool = False,
) -> None:
    """Add (or replace) a channel. Its name goes into addresses and the
    overrides table: 1 to 20 letters, digits, '-', '_' or '.'. ``details``:
    it carries the meeting's own fields, so a redaction in them that cannot
    be read is a finding too."""
    if len(name) > CHANNEL_NAME_MAX or not re.fullmatch(r"[\w.-]+", name, re.ASCII):
        raise ValueError(f"a channel name is 1-{CHANNEL_NAME_MAX} letters, digits, '-', '_' or '.'")
    CHANNELS[name] = Channel(name, audience, fields, label or name, sources, details)


class UnknownChannel(LookupError):
    """No channel of that name is registered."""

    def __init__(self, name: str) -> None:
        known = ", ".join(sorted(CHANNELS)) or "none"
        super().__init__(f"there is no channel {name!r} (channels: {known})")
        self.name = name


class OverrideRefused(ValueError):
    """An override the facilitator must correct: ``field`` names the form
    field ("reason" or "finding_key") the message belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def channel_named(name: str) -> Channel:
    try:
        return CHANNELS[name]
    except KeyError:
        raise UnknownChannel(name) from None


def short_part(part: str, where: str) -> str:
    """A part of the output as a place names it: "item 3 text" at item 3 is
    "text"; "Markdown, item 2" is "Markdown" (its own count of items)."""
    if part.startswith(where + " "):
        part = part[len(where) + 1 :]
    elif part == where:
        part = ""
    return part.split(",")[0].strip() or "text"


def check(meeting: Meeting, channel: str, *, whole: bool = False) -> LeakReport:
    """Every finding in ``channel``'s output for ``meeting``, judged against
    the current rows (see the module docstring), one per thing found and
    place it comes from (``leakcheck.places``), with its override if any; sorted
    by place. Raises ``UnknownChannel``. ``whole``: read each text of the
    output whole rather than line by line (the same findings, more slowly:
    ``leakcheck.lines``)."""
    return checks(meeting, [channel], whole=whole)[0]


def checks(
    meeting: Meeting, channels: Sequence[str], *, whole: bool = False, kept: bool = False
) -> list[LeakReport]:
    """``check`` of each of ``channels``, in order: the channels of one
    audience read the notes once, and each distinct line of their outputs
    once. ``kept``: the words found and their places are read from, or
    kept in, the results kept for every process (``leakcheck.stored``: for
    the page only, never for what decides whether anything leaves). Raises
    ``UnknownChannel`` before checking anything."""
    specs = [channel_named(name) for name in channels]
    readers: dict[Audience, AudienceReading] = {}
    outputs = []
    for spec in specs:
        fields = list(spec.fields(meeting))
        reader = carried = None
        if spec.audience is not Audience.FACILITATOR:
            reader = readers.get(spec.audience)
            if reader is None:
                found_too = list(ITEM_FINDINGS.values())
                reader = AudienceReading(meeting, spec.audience, found_too, whole=whole)
                readers[spec.audience] = reader
            carried = reader.sources(spec.sources)
        outputs.append(stored.Output(spec, fields, reader, carried))
    founds = stored.kept_hits(meeting, outputs, whole) if kept else [o.hits() for o in outputs]
    reports = []
    for output, found in zip(outputs, founds, strict=True):
        spec, carried = output.spec, output.carried
        if carried is not None:
            problems = carried.problems
            if spec.details:
                problems = problems + meeting_hits(
                    meeting.theme, meeting.speakers, meeting.description
                )
            for problem in problems:
                place = carried.places.named(problem.where) or own_place(
                    problem.where, problem.match
                )
                found.add([place], problem.rule, problem.match, problem.why, problem.where)
        findings = _findings(found, _overrides(meeting, spec.name)) if found.seen else []
        ordered = sorted(findings, key=lambda finding: where_order(finding.where))
        reports.append(LeakReport(meeting.id, spec.name, spec.audience, tuple(ordered)))
    return reports


def _findings(found: Found, overrides: dict[str, LeakOverride]) -> list[Finding]:
    findings = []
    for seen in found.seen.values():
        key = finding_key(seen.rule, seen.match, seen.place.ident, seen.people)
        findings.append(
            Finding(
                key,
                seen.rule,
                seen.place.where,
                seen.match,
                seen.why,
                overrides.get(key),
                tuple(seen.parts),
                seen.place.item_id,
                tuple(seen.people),
                seen.place.version,
            )
        )
    return findings


def _overrides(meeting: Meeting, channel: str) -> dict[str, LeakOverride]:
    rows = db.session.scalars(
        sa.select(LeakOverride).where(
            LeakOverride.meeting_id == meeting.id, LeakOverride.channel == channel
        )
    )
    return {row.finding_key: row for row in rows}


def require_clean(meeting: Meeting, channel: str) -> LeakReport:
    report = check(meeting, channel)
    if not report.ok:
        raise LeakCheckFailed(report)
    return report


def override(
    meeting: Meeting, channel: str, finding_key: str, reason: str, *, actor: Member | None
) -> LeakOverride:
    """Record that one current finding is not a leak, with the facilitator's
    reason. The audit event names the channel and the finding's key, never
    the reason or the text found. Flushes; the caller commits."""
    channel_named(channel)
    reason = clean_text(reason).strip()
    if not reason:
        raise OverrideRefused("reason", "Write why this is not a leak.")
    if len(reason) > REASON_MAX:
        raise OverrideRefused("reason", f"A reason is at most {REASON_MAX:,} characters.")
    finding = next((f for f in check(meeting, channel).findings if f.key == finding_key), None)
    if finding is None:
        raise OverrideRefused(
            "finding_key", "That finding is no longer there: the output has changed. Check again."
        )
    if finding.override is not None:
        raise OverrideRefused("finding_key", "That finding has already been overridden.")
    row = LeakOverride(
        meeting_id=meeting.id,
        channel=channel,
        finding_key=finding.key,
        reason=reason,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "leakcheck.override",
        "meeting",
        meeting.id,
        actor=actor,
        meeting_id=meeting.id,
        channel=channel,
        key=finding.key,
        rule=finding.rule,
    )
    return row
