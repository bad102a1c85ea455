"""More facts from an event page's prose: speakers and theme ("Speakers and the
theme are TBC."), the registration link, and whether the date written in the text
agrees with the front matter. Pure functions reporting file lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from notesbase.importing.event_text import Body
from notesbase.importing.notices import Notice

_TBC = r"(?:TBC|TBA|TBD|to\s+be\s+(?:confirmed|announced|decided))"
_BOTH = re.compile(
    r"\b(?:speakers?\s+and\s+(?:the\s+)?themes?|(?:the\s+)?themes?\s+and\s+(?:the\s+)?speakers?)"
    r"\s+(?:are|is|will\s+be)\s+(?:still\s+)?(?P<value>" + _TBC + r")",
    re.I,
)
_END = r"(?=\.(?:\s|$)|\n|$)"
_THEME = re.compile(
    r"(?:\bthe\s+theme(?:\s+of\s+(?:this|the)\s+meeting)?\s+(?:is|will\s+be)\s*:?|"
    r"^[ \t>*_]*theme[*_]*\s*:[*_]*)\s*(?P<value>[^\n]+?)" + _END,
    re.I | re.M,
)
_SPEAKERS = re.compile(
    r"(?:\b(?:our\s+|the\s+)?speakers?\s+(?:are|is|will\s+be|include)\s*:?|"
    r"^[ \t>*_]*speakers?[*_]*\s*:[*_]*)\s*(?P<value>[^\n]+?)" + _END,
    re.I | re.M,
)
_LINK = re.compile(r"\[(?P<text>[^\]\n]*)\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_REGISTER_WORDS = re.compile(r"regist|book\s+(?:a|your)\s+(?:place|ticket|seat)|tickets?\b", re.I)
_ONLINE_HOSTS = (
    "zoom.us", "zoom.com", "teams.microsoft.com", "teams.live.com", "meet.google.com",
    "whereby.com", "webex.com", "gotomeeting.com",
)  # fmt: skip
_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_TEXT_DATE = re.compile(
    r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>" + "|".join(_MONTHS) + r")\s+(?P<y>\d{4})\b"
    r"|\b(?P<mon2>"
    + "|".join(_MONTHS)
    + r")\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4})\b",
    re.I,
)
MAX_THEME = 300


def is_tbc(value: str) -> bool:
    return bool(re.fullmatch(_TBC + r"\.?", value.strip(), re.I))


@dataclass(frozen=True)
class Found:
    value: str
    line: int


def find_speakers_and_theme(body: Body, notices: list[Notice]) -> tuple[Found | None, Found | None]:
    """What the text says of speakers and theme, kept as written ("TBC" stays "TBC")."""
    speakers: list[Found] = []
    themes: list[Found] = []
    masked = body.prose
    for match in _BOTH.finditer(masked):
        found = Found(" ".join(match["value"].split()), body.line_at(match.start()))
        speakers.append(found)
        themes.append(found)
        masked = (
            masked[: match.start()] + " " * (match.end() - match.start()) + masked[match.end() :]
        )
    for pattern, results in ((_THEME, themes), (_SPEAKERS, speakers)):
        for match in pattern.finditer(masked):
            value = body.text[match.start("value") : match.end("value")].strip(" *_\"'“”")
            if value:
                results.append(Found(value, body.line_at(match.start())))
    return _one("theme", themes, notices), _one("speakers", speakers, notices)


def _one(what: str, found: list[Found], notices: list[Notice]) -> Found | None:
    if not found:
        return None
    chosen = found[0]
    if what == "theme" and len(chosen.value) > MAX_THEME:
        notices.append(
            Notice.warning(
                f"the theme stated is over {MAX_THEME} characters: not taken", chosen.line
            )
        )
        return None
    for other in found[1:]:
        if other.value != chosen.value:
            notices.append(
                Notice.warning(
                    f"the text also gives the {what} as '{other.value}' (line {other.line}); "
                    f"took '{chosen.value}'",
                    chosen.line,
                )
            )
    return chosen


def is_online_url(url: str) -> bool:
    """A Zoom, Teams, Meet (...) link: the meeting is held online."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _ONLINE_HOSTS)


def find_registration_link(body: Body, notices: list[Notice]) -> Found | None:
    """The link a reader follows to register: one whose text says so ("register
    here"), else a link to a video-meeting service."""
    worded: list[Found] = []
    platform: list[Found] = []
    for match in _LINK.finditer(body.text):
        url = match["url"]
        if not url.lower().startswith(("http://", "https://")):
            continue
        found = Found(url, body.line_at(match.start()))
        if _REGISTER_WORDS.search(match["text"]):
            worded.append(found)
        elif is_online_url(url):
            platform.append(found)
    candidates = worded or platform
    if not candidates:
        return None
    chosen = candidates[0]
    others = sorted({f.value for f in candidates} - {chosen.value})
    if others:
        notices.append(
            Notice.warning(
                f"the text links to more than one registration page ({', '.join(others)}); "
                f"took {chosen.value}",
                chosen.line,
            )
        )
    return chosen


def check_text_date(body: Body, expected: date, anchor: int | None, notices: list[Notice]) -> None:
    """Warn when the sentence announcing the meeting (or the first date in the
    text) gives a different date from the front matter, which wins."""
    matches = list(_TEXT_DATE.finditer(body.prose))
    if anchor is not None:
        start, end = body.sentence_around(anchor)
        matches = [m for m in matches if start <= m.start() < end] or matches[:1]
    for match in matches[:1]:
        day, month, year = (
            match["d"] or match["d2"],
            match["mon"] or match["mon2"],
            match["y"] or match["y2"],
        )
        try:
            stated = date(int(year), _MONTHS.index(month.lower()) + 1, int(day))
        except ValueError:
            notices.append(
                Notice.warning(f"'{match.group()}' is not a date", body.line_at(match.start()))
            )
            continue
        if stated != expected:
            notices.append(
                Notice.warning(
                    f"the text says '{match.group()}' but the front matter date is "
                    f"{expected.isoformat()}; kept the front matter date",
                    body.line_at(match.start()),
                )
            )
