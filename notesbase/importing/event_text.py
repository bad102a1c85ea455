"""Facts read from the prose of an event page (this meeting's ordinal, start
time, speakers, theme, registration link) and repairs of its Markdown quirks.
Pure functions: text in, values and notices out, line numbers of the file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from notesbase.importing.notices import Notice

_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = [
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
    "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
]  # fmt: skip
_TENS = ["twent", "thirt", "fort", "fift", "sixt", "sevent", "eight", "ninet"]


def _ordinal_words() -> dict[str, int]:
    words = {w: i + 1 for i, w in enumerate(_UNITS)}
    words.update({w: i + 10 for i, w in enumerate(_TEENS)})
    for i, stem in enumerate(_TENS):
        tens = (i + 2) * 10
        words[f"{stem}ieth"] = tens
        for j, unit in enumerate(_UNITS):
            words[f"{stem}y-{unit}"] = tens + j + 1
            words[f"{stem}y {unit}"] = tens + j + 1
    return words


ORDINALS = _ordinal_words()
_NUMBER_WORDS = {n: w for w, n in ORDINALS.items() if " " not in w}
_ORDINAL = (
    r"(?P<ord>"
    + "|".join(sorted((re.escape(w) for w in ORDINALS), key=len, reverse=True))
    + r"|\d{1,3}(?:st|nd|rd|th))"
)
_NOUN = r"(?:meeting|event|session|gathering|workshop|edition)"
_MENTION = re.compile(
    r"(?P<open>\[)?\b" + _ORDINAL + r"\b(?P<close>\][(\[])?(?=(?P<tail>[^.\n]{0,80}))", re.I
)
_ANNOUNCING_BEFORE = re.compile(
    r"(?:\b(?:will|shall)\s+(?:hold|host|run|be(?:\s+holding|\s+hosting)?)"
    r"|\b(?:are|is|we're|we’re)\s+(?:holding|hosting|running)"
    r"|\b(?:this|it)\s+(?:is|will\s+be)|\bjoin\s+us\s+for|\b(?:welcome|invite)\s+you\s+to"
    r"|\b(?:hold|host|holding|hosting))\s+(?:the|our)\s+$",
    re.I,
)
_EARLIER_BEFORE = re.compile(r"\b(?:our|previous|last|earlier|past)\s+$", re.I)
_URL_TARGET = re.compile(r"\]\([^)\n]*\)+|<https?://[^>\s]+>|https?://\S+")
_DOUBLE_PAREN_LINK = re.compile(r"\[(?P<text>[^\]\n]*)\]\(\(\s*(?P<url>[^()\s]+)\s*\)\)")
_MORE = re.compile(r"<!--\s*more\s*-->", re.I)
_LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}")


def ordinal_word(number: int) -> str:
    """10 -> 'tenth'; beyond ninety-ninth, '100th'."""
    if number in _NUMBER_WORDS:
        return _NUMBER_WORDS[number]
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def ordinal_value(text: str) -> int:
    """'Tenth' -> 10, 'twenty first' -> 21, '10th' -> 10."""
    text = " ".join(text.lower().split())
    return ORDINALS.get(text) or int(re.sub(r"\D", "", text))


@dataclass(frozen=True)
class Located:
    """A span of the body, with the file line it starts on."""

    start: int
    end: int
    line: int


class Body:
    """The page body with the file line it starts on, so every finding is reported
    by its line; URLs are blanked out (same length) before searching the prose."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.first_line = first_line
        self.prose = _URL_TARGET.sub(
            lambda m: (
                "]" + " " * (len(m.group()) - 1)
                if m.group().startswith("]")
                else " " * len(m.group())
            ),
            text,
        )

    def line_at(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, offset)

    def sentence_around(self, offset: int) -> tuple[int, int]:
        """The sentence (or line) holding ``offset``, as start and end offsets."""
        starts = [m.end() for m in re.finditer(r"[.!?](?=\s)|\n", self.prose[:offset])]
        start = starts[-1] if starts else 0
        end_match = re.search(r"[.!?](?=\s|$)|\n", self.prose[offset:])
        return start, offset + end_match.end() if end_match else len(self.prose)


def repair_links(body: Body, notices: list[Notice]) -> str:
    """``[text]((url))`` -> ``[text](url)``: a typo that renders as a broken link."""

    def fix(match: re.Match[str]) -> str:
        notices.append(
            Notice.warning(
                f"repaired the link '{match['text']}' written with double parentheses "
                f"'[...](( ... ))' to '[{match['text']}]({match['url']})'",
                body.line_at(match.start()),
            )
        )
        return f"[{match['text']}]({match['url']})"

    return _DOUBLE_PAREN_LINK.sub(fix, body.text)


def strip_excerpt_marker(body: Body, notices: list[Notice]) -> str:
    """Remove Jekyll's ``<!--more-->`` (and the blank line it leaves) from the text."""
    kept: list[str] = []
    lines = body.text.split("\n")
    skip_blank = False
    for index, line in enumerate(lines):
        if skip_blank and not line.strip():
            skip_blank = False
            continue
        skip_blank = False
        if _MORE.search(line):
            notices.append(
                Notice.note(
                    "removed the excerpt marker '<!--more-->' from the description",
                    body.first_line + index,
                )
            )
            rest = _MORE.sub("", line)
            if rest.strip():
                kept.append(rest.rstrip())
            elif kept and not kept[-1].strip():
                skip_blank = True
            continue
        kept.append(line)
    return "\n".join(kept)


def warn_liquid(body: Body, notices: list[Notice]) -> None:
    """Liquid tags only mean something to Jekyll: keep them as text, but say so."""
    for match in _LIQUID.finditer(body.text):
        notices.append(
            Notice.warning(
                f"Jekyll template tag {match.group()!r} kept as plain text",
                body.line_at(match.start()),
            )
        )


@dataclass(frozen=True)
class Ordinal:
    value: int
    words: str
    line: int
    start: int


def find_ordinal(body: Body, notices: list[Notice]) -> Ordinal | None:
    """This meeting's ordinal: from the sentence announcing it ("we will hold the
    tenth meeting"), never from links or "our ninth meeting" naming earlier ones."""
    announcing: list[Ordinal] = []
    plain: list[Ordinal] = []
    earlier: list[str] = []
    for match in _MENTION.finditer(body.prose):
        before = body.prose[max(0, match.start() - 60) : match.start()]
        noun_follows = re.match(r"\s+" + _NOUN + r"\b", match["tail"], re.I)
        words = match["ord"] + (" " + noun_follows.group().strip() if noun_follows else "")
        found = Ordinal(
            ordinal_value(match["ord"]), words, body.line_at(match.start()), match.start()
        )
        if match["open"] or match["close"]:
            earlier.append(match["ord"])
        elif noun_follows and _ANNOUNCING_BEFORE.search(before):
            announcing.append(found)
        elif _EARLIER_BEFORE.search(before):
            earlier.append(match["ord"])
        elif noun_follows and re.search(r"\bthe\s+$", before, re.I):
            plain.append(found)
    if earlier:
        notices.append(
            Notice.note(
                "ordinals naming earlier meetings were not taken as this meeting's number: "
                + ", ".join(dict.fromkeys(w.lower() for w in earlier))
            )
        )
    if announcing:
        chosen = announcing[0]
        for other in announcing[1:] + plain:
            if other.value != chosen.value:
                notices.append(
                    Notice.warning(
                        f"the text also says 'the {other.words}' (line {other.line}); took "
                        f"'the {chosen.words}' from the sentence announcing this meeting",
                        chosen.line,
                    )
                )
        return chosen
    values = {o.value for o in plain}
    if len(values) == 1:
        chosen = plain[0]
        notices.append(
            Notice.warning(
                f"no sentence announces this meeting; took its number from 'the {chosen.words}'",
                chosen.line,
            )
        )
        return chosen
    if len(values) > 1:
        listed = ", ".join(f"'the {o.words}' (line {o.line})" for o in plain)
        notices.append(
            Notice.warning(f"the text names several meetings ({listed}); none taken as the number")
        )
    return None


_RANGE = re.compile(
    r"\b(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?\s*(?:(?P<ap1>[ap])\.?m\.?)?\s*(?:-|–|—|to|until)\s*"
    r"(?P<h2>\d{1,2})(?:[.:](?P<m2>\d{2}))?\s*(?P<ap>[ap])\.?m\b\.?",
    re.I,
)
_TWELVE = re.compile(r"\b(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?\s*(?P<ap>[ap])\.?m\b\.?", re.I)
_RANGE_24 = re.compile(
    r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\s*(?:-|–|—|to|until)\s*(?:[01]?\d|2[0-3]):[0-5]\d\b"
)
_TWENTY_FOUR = re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b")
_DOTTED_24 = re.compile(r"\b(?:at|from)\s+(?P<h>[01]?\d|2[0-3])\.(?P<m>[0-5]\d)\b", re.I)
_NOON = re.compile(r"\b(?:at\s+)?(?P<w>noon|midday)\b", re.I)
_BARE_AT = re.compile(r"\bat\s+(?P<h>\d{1,2})(?:\s*o'clock)?(?!\d|[.:]\d|\s*[ap]\.?m|\s*%)\b", re.I)


@dataclass(frozen=True)
class TimeMention:
    value: time
    words: str
    start: int
    line: int


def find_start_time(body: Body, anchor: int | None, notices: list[Notice]) -> TimeMention | None:
    """The start time stated in the text ("at 2pm", "2.30pm", "14:00", "2-3.30pm").
    Prefers the one in the sentence at ``anchor``; warns about others and about
    times without am/pm."""
    prose = body.prose
    mentions: list[TimeMention] = []
    taken = [False] * len(prose)

    def add(match: re.Match[str], hour: int, minute: int, *, ambiguous: str = "") -> None:
        if any(taken[match.start() : match.end()]):
            return
        taken[match.start() : match.end()] = [True] * (match.end() - match.start())
        line = body.line_at(match.start())
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            notices.append(Notice.warning(f"'{match.group().strip()}' is not a time", line))
            return
        if ambiguous:
            notices.append(Notice.warning(ambiguous, line))
        words = match.group().strip().removesuffix(".")
        mentions.append(TimeMention(time(hour, minute), words, match.start(), line))

    for match in _RANGE.finditer(prose):
        hour, end_hour = int(match["h"]), int(match["h2"])
        pm = match["ap"].lower() == "p"
        start_pm = pm and not (hour > end_hour and hour != 12)
        if match["ap1"]:
            start_pm = match["ap1"].lower() == "p"
        note = ""
        if pm != start_pm and not match["ap1"]:
            note = f"read '{match.group().strip()}' as starting at {hour} in the morning"
        if hour > 12 or end_hour > 12:
            hour = 99
        add(match, _twelve_hour(hour, start_pm), int(match["m"] or 0), ambiguous=note)
    for match in _TWELVE.finditer(prose):
        hour = int(match["h"])
        pm = match["ap"].lower() == "p"
        add(match, 99 if hour > 12 or hour == 0 else _twelve_hour(hour, pm), int(match["m"] or 0))
    for pattern in (_RANGE_24, _TWENTY_FOUR, _DOTTED_24):
        for match in pattern.finditer(prose):
            add(match, int(match["h"]), int(match["m"]))
    for match in _NOON.finditer(prose):
        add(match, 12, 0)
    for match in _BARE_AT.finditer(prose):
        if not any(taken[match.start() : match.end()]):
            notices.append(
                Notice.warning(
                    f"'{match.group()}' has no am/pm: not taken as the start time",
                    body.line_at(match.start()),
                )
            )
    if not mentions:
        return None
    mentions.sort(key=lambda m: m.start)
    chosen = mentions[0]
    if anchor is not None:
        start, end = body.sentence_around(anchor)
        chosen = next((m for m in mentions if start <= m.start < end), chosen)
    for other in mentions:
        if other.value != chosen.value:
            notices.append(
                Notice.warning(
                    f"the text also mentions '{other.words}' (line {other.line}); took "
                    f"'{chosen.words}' ({chosen.value:%H:%M}) as the start time",
                    chosen.line,
                )
            )
    return chosen


def _twelve_hour(hour: int, pm: bool) -> int:
    if hour > 12:
        return 99
    return (hour % 12) + (12 if pm else 0)
