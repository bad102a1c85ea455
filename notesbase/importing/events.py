"""Import event pages into series and meetings: each file in its own SAVEPOINT
(all or nothing per file), re-imports found by ``source_ref`` then by number,
nothing written for an unchanged file. Flushes, never commits: the caller commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from notesbase.db import db
from notesbase.importing.event_pages import (
    MAX_PAGE_BYTES,
    EventPage,
    PageError,
    meeting_title,
    read_event_page,
)
from notesbase.importing.notices import Notice
from notesbase.importing.reports import Change, FileReport, ImportReport
from notesbase.meetings import timeline
from notesbase.meetings.topics import get_or_create_topics
from notesbase.models import Meeting, MeetingFormat, MeetingStatus, Series, utcnow
from notesbase.text import clean_line, clean_text, slugify

PAGE_SUFFIXES = (".md", ".markdown")
MAX_SOURCE_REF = 200
# Fields the page always decides; the others only when it states them, so a
# re-import never blanks what a facilitator added by hand.
_ALWAYS = ("number", "title", "date", "status", "external_writeup", "description", "source_ref",
           "source_extra")  # fmt: skip
_WHEN_STATED = ("start_time", "format", "theme", "speakers", "registration_url")


@dataclass
class _Parsed:
    report: FileReport
    page: EventPage
    series_slug: str = ""
    # The series was found by the page's title, not named by slug or --series.
    by_title: bool = False


def import_event_pages(
    paths: Iterable[str | Path],
    *,
    series: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> ImportReport:
    """Import the event pages at ``paths`` (files or folders) into ``series`` (a
    slug; else the series each page names). With ``dry_run`` everything is rolled
    back; otherwise the caller commits."""
    if series is not None and slugify(series) != series:
        raise ValueError(f"'{series}' is not a series slug (lowercase letters, digits, hyphens)")
    # Imported meetings are held in the default zone: "today" is the day there.
    today = today or timeline.local_today(utcnow(), timeline.DEFAULT_TIMEZONE)
    report = ImportReport(dry_run=dry_run)
    parsed: list[_Parsed] = []
    for path, skipped in collect_files(paths):
        file_report = FileReport(path=str(path), action="skipped")
        report.files.append(file_report)
        if skipped is not None:
            if skipped.level == "warning":
                file_report.action, file_report.error = "error", PageError(skipped.message)
            else:
                file_report.notices.append(skipped)
            continue
        if len(path.stem) > MAX_SOURCE_REF:
            file_report.action = "error"
            file_report.error = PageError(f"the file name is over {MAX_SOURCE_REF} characters")
            continue
        try:
            if path.stat().st_size > MAX_PAGE_BYTES:  # refused before it is read
                raise PageError(f"the file is over {MAX_PAGE_BYTES // 1024 // 1024} MB")
            page, notices = read_event_page(path.read_bytes(), path.stem, today=today)
        except PageError as error:
            file_report.action, file_report.error = "error", error
            continue
        except OSError as error:
            file_report.action = "error"
            file_report.error = PageError(f"cannot read the file: {error.strerror}")
            continue
        file_report.notices = notices
        parsed.append(_Parsed(file_report, page))
    _choose_series(parsed, series)
    outer = db.session.begin_nested() if dry_run else None
    try:
        for item in parsed:
            try:
                with db.session.begin_nested():
                    _apply(item, parsed)
            except PageError as error:
                item.report.action, item.report.error = "error", error
                item.report.changes = []
            except DBAPIError as error:
                item.report.action = "error"
                reason = str(error.orig).strip().splitlines()[0]
                item.report.error = PageError(f"the database refused it: {reason}")
                item.report.changes = []
    finally:
        if outer is not None:
            outer.rollback()
    if dry_run:
        for file_report in report.files:
            file_report.meeting_id = None
    return report


def collect_files(paths: Iterable[str | Path]) -> list[tuple[Path, Notice | None]]:
    """Every page named or inside a named folder (sorted, hidden entries left out),
    each with a reason when it is not imported: a warning fails it, a note skips it."""
    found: list[tuple[Path, Notice | None]] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            children = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path))
            for child in children:
                if child.suffix.lower() in PAGE_SUFFIXES:
                    _add(found, seen, child, None)
                else:
                    _add(found, seen, child, Notice.note("skipped: not a Markdown page (.md)"))
        elif path.is_file():
            problem = None
            if path.suffix.lower() not in PAGE_SUFFIXES:
                problem = Notice.warning("not a Markdown page (.md)")
            _add(found, seen, path, problem)
        else:
            found.append((path, Notice.warning("no such file or folder")))
    return found


def _hidden(path: Path, folder: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


def _add(found: list[tuple[Path, Notice | None]], seen: set[Path], path: Path, why: Any) -> None:
    if path.resolve() not in seen:
        seen.add(path.resolve())
        found.append((path, why))


def _choose_series(parsed: list[_Parsed], override: str | None) -> None:
    """The slug of each page's series: the override, else the series with the page's
    slug or (failing that) its title, else a new series with the page's slug."""
    for item in parsed:
        if override:
            item.series_slug = override
            continue
        slug = item.page.series_slug
        if db.session.scalar(sa.select(Series.id).where(Series.slug == slug)) is None:
            by_title = db.session.scalars(
                sa.select(Series)
                .where(sa.func.lower(Series.title) == item.page.series_title.lower())
                .order_by(Series.id)
            ).first()
            if by_title is not None:
                slug, item.by_title = by_title.slug, True
        item.series_slug = slug
    firsts: dict[tuple[str, str], str] = {}
    for item in parsed:
        key = (item.series_slug, item.page.source_ref)
        if key in firsts:
            item.report.action = "error"
            item.report.error = PageError(
                f"{firsts[key]} in this import has the same name, so both would be one meeting"
            )
        firsts.setdefault(key, item.report.path)


def _apply(item: _Parsed, parsed: list[_Parsed]) -> None:
    if item.report.action == "error":
        return
    page, report = item.page, item.report
    series = db.session.scalar(sa.select(Series).where(Series.slug == item.series_slug))
    if series is None:
        series = Series(slug=item.series_slug, title=page.series_title)
        db.session.add(series)
        db.session.flush()
        report.notices.append(
            Notice.note(f"created the series '{series.slug}' titled '{series.title}'")
        )
    elif series.title != page.series_title:
        report.notices.append(
            Notice.note(f"the page's title '{page.series_title}' differs from the series' title "
                        f"'{series.title}'; the series keeps its title")
        )  # fmt: skip
    meeting = _meeting(series, "source_ref", page.source_ref)
    number = page.number or _number_by_date(item, series, meeting, parsed)
    meeting = _match(item, series, meeting, number)
    if item.by_title:
        report.notices.append(
            Notice.note(f"went into the series '{series.slug}', which has the page's title; "
                        f"give --series NEW-SLUG to import it as a series of its own")
        )  # fmt: skip
    changes = _changes(meeting, page, number)
    report.series, report.number = series.slug, number
    scalars = {c.field: c.new for c in changes if c.field != "topics"}
    topics = next((c.new for c in changes if c.field == "topics"), None)
    if meeting is None:
        meeting = Meeting(series_id=series.id, **scalars)
        db.session.add(meeting)
        report.action = "created"
    elif changes:
        report.action = "updated"
        for name, value in scalars.items():
            setattr(meeting, name, value)
    else:
        report.action, report.meeting_id = "unchanged", meeting.id
        return
    db.session.flush()
    if topics is not None:
        meeting.topics = get_or_create_topics(topics)
        db.session.flush()
    report.changes, report.meeting_id = changes, meeting.id


def _meeting(series: Series, column: str, value: Any) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting).where(Meeting.series_id == series.id, getattr(Meeting, column) == value)
    )


def _origin(meeting: Meeting) -> str:
    """Where a stored meeting came from, in the words of a clash message."""
    if not meeting.source_ref:
        return "entered by hand"
    if meeting.source_ref.startswith("demo:"):  # ``notesbase.demo`` names its meetings so
        return "loaded with the demo"
    return f"imported from {meeting.source_ref}"


def _advice(item: _Parsed, series: Series) -> str:
    """What to do about a number clash. A series found by the page's title is
    most likely the wrong one (the demo's, say): then the fix is --series."""
    if not item.by_title:
        return "give this page its own 'number:'"
    own = item.page.series_slug
    free = db.session.scalar(sa.select(Series.id).where(Series.slug == own)) is None
    return (
        f"the page went into '{series.slug}' because that series has the page's title: "
        f"to import it as a series of its own, give --series {own if free else 'NEW-SLUG'}, "
        f"or give the page its own 'number:' to add it to '{series.slug}'"
    )


def _match(item: _Parsed, series: Series, meeting: Meeting | None, number: int) -> Meeting | None:
    """The meeting this page updates; refuse to take over another file's meeting."""
    holder = _meeting(series, "number", number)
    if holder is None or holder is meeting:
        return meeting
    if meeting is not None or holder.source_ref:
        raise PageError(
            f"meeting {number} of {series.slug} is already another meeting ({_origin(holder)}, "
            f"{holder.date.isoformat()}); {_advice(item, series)}"
        )
    item.report.notices.append(
        Notice.warning(
            f"updates meeting {number}, entered by hand, which now carries this file's name"
        )
    )
    return holder


def _number_by_date(
    item: _Parsed, series: Series, meeting: Meeting | None, parsed: list[_Parsed]
) -> int:
    """No number stated: keep the one a re-import already has, else count the
    meetings of the series (stored and in this import) dated before this one."""
    page, notices = item.page, item.report.notices
    if meeting is not None:
        notices.append(Notice.note(f"no number stated; kept meeting number {meeting.number}"))
        return meeting.number
    dates: dict[tuple[str, Any], dt.date] = {}
    stored = db.session.scalars(sa.select(Meeting).where(Meeting.series_id == series.id))
    numbers: dict[int, str] = {}
    for m in stored:
        dates[("ref", m.source_ref) if m.source_ref else ("id", m.id)] = m.date
        numbers[m.number] = f"{_origin(m)}, {m.date.isoformat()}"
    for other in parsed:
        if other.series_slug == item.series_slug and other.report.action != "error":
            dates[("ref", other.page.source_ref)] = other.page.date
            if other.page.number and other is not item:
                numbers.setdefault(other.page.number, other.report.path)
    dates.pop(("ref", page.source_ref), None)
    number = 1 + sum(1 for d in dates.values() if d < page.date)
    same_day = sum(1 for d in dates.values() if d == page.date)
    message = (
        f"number {number} inferred from the date order of the series (no 'number:' in the "
        f"front matter, no ordinal in the text)"
    )
    if same_day:
        message += f"; {same_day} other meeting(s) share its date, so the order is a guess"
    notices.append(Notice.warning(message))
    if number in numbers:
        raise PageError(
            f"number {number}, inferred from the date order, is already meeting {number} "
            f"({numbers[number]}); {_advice(item, series)}"
        )
    return number


def _changes(meeting: Meeting | None, page: EventPage, number: int) -> list[Change]:
    theme = page.theme or (meeting.theme if meeting else "")
    wanted: dict[str, Any] = {
        "number": number,
        "title": clean_line(meeting_title(number, theme)),
        "date": page.date,
        "status": MeetingStatus(page.status),
        "external_writeup": page.external_writeup,
        "description": clean_text(page.description),
        "source_ref": page.source_ref,
        "source_extra": page.extra or None,
        "start_time": page.start_time,
        "format": MeetingFormat(page.format) if page.format else None,
        "theme": clean_line(page.theme),
        "speakers": clean_text(page.speakers),
        "registration_url": page.registration_url,
    }
    changes = []
    for name, new in wanted.items():
        if name in _WHEN_STATED and new in (None, ""):
            continue
        old = getattr(meeting, name) if meeting else None
        if meeting is None or old != new:
            changes.append(Change(name, old, new))
    if page.topics:
        old_topics = [t.name for t in meeting.topics] if meeting else []
        if {slugify(n) for n in old_topics} != {slugify(n) for n in page.topics}:
            changes.append(Change("topics", old_topics or None, page.topics))
    return changes
