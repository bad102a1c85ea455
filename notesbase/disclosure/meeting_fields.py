"""A meeting's own fields (theme, speakers, description) as one audience may
see them, by the rule the notes follow: spans it may not see
(``[words]{.confidential}``, ``{.members}``, ``{.facilitators}``) are cut, or
give way to their ``alt``; markup meant as a redaction that cannot be read as
one (a class like ``{.confidental}``) hides its whole block from everyone but
facilitators, who see it marked. Hidden characters go first, as in
``disclose``. The title is one plain line and is shown as typed.

Names are not scrubbed here: these fields are written for the public, and
the leak check's "meeting" channel reports a withheld name or a confidential
word typed into them. Pure: no Flask, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from notesbase.disclosure.problems import Problem, body_problems, heading_problems
from notesbase.disclosure.render import to_html, to_text
from notesbase.disclosure.spans import redacted_tokens
from notesbase.disclosure.vocabulary import Audience
from notesbase.text import without_hidden

# What would make one line a block of its own (a heading, a list, a quote,
# a rule, code): escaped, so a line stays a line of words.
_BLOCK_START = re.compile(r"^(?:#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|`{3,}|~{3,}|={3,}\s*$|-{3,}\s*$)")
_NUMBERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_ONE_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.DOTALL)


@dataclass(frozen=True)
class MeetingFields:
    """The fields as one audience gets them: each as sanitised HTML (spans
    marked for facilitators) and as plain words."""

    theme_html: str
    theme_text: str
    speakers_html: str  # one line per speaker line, joined by <br>
    speakers_text: str  # one line per speaker line
    description_html: str
    description_text: str


def _line_html(line: str, audience: Audience) -> str:
    """One line of words as ``audience`` reads it, as inline HTML."""
    line = " ".join(without_hidden(line).split())
    if not line:
        return ""
    line = _NUMBERED.sub(r"\1\\\2", _BLOCK_START.sub(lambda m: "\\" + m.group(), line))
    html = to_html(redacted_tokens(line, audience)).strip()
    found = _ONE_PARAGRAPH.match(html)
    return found.group(1).strip() if found else html


def _block_html(text: str, audience: Audience) -> str:
    return to_html(redacted_tokens(without_hidden(text or ""), audience))


def _words(html: str) -> str:
    return " ".join(to_text(html).split())


@lru_cache(maxsize=1024)
def meeting_fields(
    theme: str, speakers: str, description: str, audience: Audience
) -> MeetingFields:
    """``theme``, ``speakers`` and ``description`` as ``audience`` may see
    them (see the module docstring); empty where nothing is left."""
    audience = Audience(audience)
    theme_html = _line_html(theme or "", audience)
    lines = [_line_html(line, audience) for line in (speakers or "").splitlines()]
    lines = [line for line in lines if line]
    description_html = _block_html(description, audience)
    return MeetingFields(
        theme_html=theme_html,
        theme_text=_words(theme_html),
        speakers_html="<br>".join(lines),
        speakers_text="\n".join(_words(line) for line in lines),
        description_html=description_html,
        description_text=to_text(description_html),
    )


def field_problems(theme: str, speakers: str, description: str) -> list[tuple[str, Problem]]:
    """Each redaction the writer meant and the parser cannot read, with the
    field it is in ("theme", "speakers", "description"): what it marks is
    hidden from everyone but facilitators until it is fixed."""
    found = [("theme", problem) for problem in heading_problems(without_hidden(theme or ""))]
    for line in (speakers or "").splitlines():
        found += [("speakers", problem) for problem in heading_problems(without_hidden(line))]
    found += [("description", problem) for problem in body_problems(without_hidden(description))]
    return found
