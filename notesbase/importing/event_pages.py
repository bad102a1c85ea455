"""Read one Jekyll event page (YAML front matter + Markdown body) into an
``EventPage`` and a list of notices. Pure: no Flask, no database; anything a
page says is either mapped to a field, kept in ``extra``, or warned about.

Mapping: the front-matter ``title`` is the *series'* title (every page of a
series carries it); the meeting's own title is its theme when the text states
one, else its ordinal ("Tenth meeting"), see ``meeting_title``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from notesbase.importing.event_details import (
    check_text_date,
    find_registration_link,
    find_speakers_and_theme,
    is_online_url,
    is_tbc,
)
from notesbase.importing.event_text import (
    Body,
    find_ordinal,
    find_start_time,
    ordinal_word,
    repair_links,
    strip_excerpt_marker,
    warn_liquid,
)
from notesbase.importing.front_matter import (
    MAX_PAGE_BYTES,
    FrontMatter,
    PageError,
    decode_page,
    page_date,
    report_indents,
    report_repeats,
    split_page,
    to_json,
)
from notesbase.importing.notices import Notice
from notesbase.meetings.timeline import settled_status
from notesbase.models import MeetingStatus
from notesbase.text import clean_line, slugify

__all__ = ["MAX_PAGE_BYTES", "EventPage", "PageError", "meeting_title", "read_event_page"]

# Front-matter keys with a field of their own; every other key goes to ``extra``.
MAPPED_KEYS = frozenset(
    {"title", "date", "number", "upcoming", "writeup", "topics", "link", "series", "theme",
     "speakers"}
)  # fmt: skip
MAX_TITLE = 200
MAX_TOPIC = 120
MAX_URL = 500


@dataclass
class EventPage:
    """What one page says about one meeting, ready to compare with the database."""

    source_ref: str
    series_title: str
    series_slug: str
    date: dt.date
    number: int | None = None
    number_origin: str = ""  # "front matter", "text" or "" (to be inferred by date)
    start_time: dt.time | None = None
    status: str = "upcoming"
    external_writeup: bool = False
    topics: list[str] = field(default_factory=list)
    registration_url: str | None = None
    format: str | None = None
    theme: str = ""
    speakers: str = ""
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def meeting_title(number: int, theme: str) -> str:
    """The meeting's title: its theme (capitalised) when known, else "Tenth meeting"."""
    if theme and not is_tbc(theme) and len(theme) <= MAX_TITLE:
        return theme[:1].upper() + theme[1:]
    return f"{ordinal_word(number)[:1].upper()}{ordinal_word(number)[1:]} meeting"


def read_event_page(
    data: bytes, source_ref: str, *, today: dt.date
) -> tuple[EventPage, list[Notice]]:
    """Parse one page; raise ``PageError`` (with a file line) if it cannot be imported."""
    matter = split_page(decode_page(data))
    notices: list[Notice] = []
    values = matter.values
    report_repeats(matter, notices)
    title = _title(matter, notices)
    date, stated_time = page_date(matter)
    page = EventPage(
        source_ref=source_ref,
        series_title=title,
        series_slug=_series_slug(matter, title),
        date=date,
    )
    number = _number(matter, notices)
    page.external_writeup = _flag(matter, "writeup", notices) or False
    page.status = _status(matter, page.date, today, notices)
    page.topics = _topics(matter, notices)
    link_line = _read_body(matter, page, notices)
    _choose_time(page, stated_time, matter, notices)
    _choose_number(page, number, matter, notices)
    _read_link(matter, page, link_line, notices)
    for key in ("theme", "speakers"):
        _stated(matter, page, key, notices)
    extra = {k: to_json(v) for k, v in values.items() if k not in MAPPED_KEYS}
    page.extra.update(extra)
    if extra:
        notices.append(
            Notice.note(
                "kept in source_extra (no field of their own): " + ", ".join(extra),
                min((matter.lines[k] for k in extra if k in matter.lines), default=None),
            )
        )
    report_indents(matter, notices)
    notices.sort(key=lambda n: n.line or 0)
    return page, notices


def _title(matter: FrontMatter, notices: list[Notice]) -> str:
    raw = matter.values.get("title")
    line = matter.lines.get("title", matter.opening_line)
    if raw is None or not str(raw).strip():
        raise PageError("no title in the front matter (the series' title)", line)
    if not isinstance(raw, str):
        notices.append(Notice.warning(f"the title {raw!r} is not text; read as '{raw}'", line))
    title = clean_line(str(raw))
    if len(title) > MAX_TITLE:
        raise PageError(f"the title is longer than {MAX_TITLE} characters", line)
    if not slugify(title):
        raise PageError("the title has no letters or digits to name the series by", line)
    return title


def _series_slug(matter: FrontMatter, title: str) -> str:
    raw = matter.values.get("series")
    if raw is not None and slugify(str(raw)):
        return slugify(str(raw))
    return slugify(title)


def _choose_time(
    page: EventPage, stated: dt.time | None, matter: FrontMatter, notices: list[Notice]
) -> None:
    if stated is None:
        return
    if page.start_time is not None and page.start_time != stated:
        notices.append(
            Notice.warning(
                f"the date gives the time {stated:%H:%M} but the text says "
                f"{page.start_time:%H:%M}; took {stated:%H:%M}",
                matter.lines["date"],
            )
        )
    page.start_time = stated


def _number(matter: FrontMatter, notices: list[Notice]) -> int | None:
    raw = matter.values.get("number")
    if raw is None:
        return None
    line = matter.lines["number"]
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise PageError(f"the number '{raw}' is not a positive whole number", line)
    return raw


def _flag(matter: FrontMatter, key: str, notices: list[Notice]) -> bool | None:
    raw = matter.values.get(key)
    if raw is None or isinstance(raw, bool):
        return raw
    notices.append(
        Notice.warning(
            f"'{key}: {raw}' is not true or false; ignored, kept in source_extra",
            matter.lines[key],
        )
    )
    matter.values[f"{key} (unread)"] = raw
    return None


def _status(matter: FrontMatter, date: dt.date, today: dt.date, notices: list[Notice]) -> str:
    """'upcoming' or 'held' (or, with no ``upcoming`` key, what the date
    says), by the status rule every page shows (``timeline.settled_status``)."""
    upcoming = _flag(matter, "upcoming", notices)
    line = matter.lines.get("upcoming")
    settled = settled_status(MeetingStatus.UPCOMING, date, today).value
    if upcoming is None:
        notices.append(Notice.note(f"status '{settled}' inferred from the date", line))
        return settled
    if upcoming and settled != "upcoming":
        notices.append(
            Notice.warning(
                f"marked upcoming but its date {date.isoformat()} is in the past, so it is "
                "imported as held: a meeting is upcoming only until its day has passed",
                line,
            )
        )
        return settled
    if not upcoming and date > today:
        notices.append(
            Notice.warning(
                f"marked not upcoming but its date {date.isoformat()} is in the future; "
                "kept 'held' as the file says",
                line,
            )
        )
    return "upcoming" if upcoming else "held"


def _topics(matter: FrontMatter, notices: list[Notice]) -> list[str]:
    raw = matter.values.get("topics")
    line = matter.lines.get("topics")
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    names: list[str] = []
    seen: set[str] = set()
    for item in items:
        if item is None or isinstance(item, dict | list):
            notices.append(Notice.warning(f"topic {item!r} is not a name; left out", line))
            continue
        name = " ".join(str(item).split())
        if len(name) > MAX_TOPIC:
            raise PageError(f"the topic '{name[:40]}...' is over {MAX_TOPIC} characters", line)
        if slugify(name) and slugify(name) not in seen:
            seen.add(slugify(name))
            names.append(name)
    return names


def _read_body(matter: FrontMatter, page: EventPage, notices: list[Notice]) -> int | None:
    """Description and the facts the prose states; returns the registration link's line."""
    raw = matter.body
    first_line = matter.body_line
    stripped = raw.lstrip("\n")
    first_line += len(raw) - len(stripped)
    original = Body(stripped.rstrip(), first_line)
    body = Body(repair_links(original, notices), first_line)
    warn_liquid(body, notices)
    ordinal = find_ordinal(body, notices)
    anchor = ordinal.start if ordinal else None
    if ordinal:
        page.number, page.number_origin = ordinal.value, "text"
        notices.append(
            Notice.note(f"number {ordinal.value} taken from 'the {ordinal.words}'", ordinal.line)
        )
    found_time = find_start_time(body, anchor, notices)
    if found_time:
        page.start_time = found_time.value
        notices.append(
            Notice.note(
                f"start time {found_time.value:%H:%M} from '{found_time.words}'", found_time.line
            )
        )
    check_text_date(body, page.date, anchor, notices)
    theme, speakers = find_speakers_and_theme(body, notices)
    for what, found in (("theme", theme), ("speakers", speakers)):
        if found:
            setattr(page, what, found.value)
            notices.append(Notice.note(f"{what} '{found.value}' from the text", found.line))
    link = find_registration_link(body, notices)
    page.registration_url = link.value if link else None
    page.description = strip_excerpt_marker(body, notices).strip()
    if not page.description:
        notices.append(Notice.note("the page has no text: the description is empty"))
    return link.line if link else None


def _choose_number(
    page: EventPage, number: int | None, matter: FrontMatter, notices: list[Notice]
) -> None:
    if number is None:
        return
    if page.number is not None and page.number != number:
        notices.append(
            Notice.warning(
                f"the front matter says number {number} but the text says "
                f"the {ordinal_word(page.number)}; took {number}",
                matter.lines["number"],
            )
        )
    page.number, page.number_origin = number, "front matter"


def _read_link(
    matter: FrontMatter, page: EventPage, text_line: int | None, notices: list[Notice]
) -> None:
    raw = matter.values.get("link")
    line = matter.lines.get("link")
    link = str(raw).strip() if raw is not None else ""
    if "link" in matter.values and not link:
        if page.registration_url:
            notices.append(
                Notice.warning(
                    "'link' is empty; took the registration link from the text "
                    f"(line {text_line}): {page.registration_url}",
                    line,
                )
            )
        else:
            notices.append(
                Notice.note("'link' is empty and the text has no registration link", line)
            )
    elif link:
        if not link.lower().startswith(("http://", "https://")) or len(link) > MAX_URL:
            notices.append(
                Notice.warning(f"'link: {link}' is not a web address; kept in source_extra", line)
            )
            page.extra["link"] = link
        else:
            if page.registration_url and page.registration_url != link:
                notices.append(
                    Notice.warning(
                        f"the text links to {page.registration_url} to register (line "
                        f"{text_line}); kept the front-matter link {link}",
                        line,
                    )
                )
            page.registration_url = link
    if page.registration_url and len(page.registration_url) > MAX_URL:
        notices.append(Notice.warning("the registration link is too long to keep as one", line))
        page.extra["registration link"] = page.registration_url
        page.registration_url = None
    if page.registration_url and is_online_url(page.registration_url):
        page.format = "online"
        notices.append(Notice.note("format 'online': the registration link is a video call", line))


def _stated(matter: FrontMatter, page: EventPage, key: str, notices: list[Notice]) -> None:
    """A ``theme:`` or ``speakers:`` in the front matter wins over the text."""
    raw = matter.values.get(key)
    if raw is None:
        return
    value = ", ".join(str(v) for v in raw) if isinstance(raw, list) else str(raw).strip()
    if key == "theme" and len(value) > 300:
        raise PageError("the theme is longer than 300 characters", matter.lines[key])
    current = getattr(page, key)
    if current and current != value:
        notices.append(
            Notice.warning(
                f"the text gives the {key} as '{current}'; kept the front matter's '{value}'",
                matter.lines[key],
            )
        )
    setattr(page, key, value)
