"""Small builders for the pure disclosure tests, and the forms of a view's
text a leak check must look at (as stored, HTML-unescaped, as a reader sees
it, and squashed to letters so a name glued into an address shows)."""

from __future__ import annotations

import html
import importlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest

from notesbase.disclosure import (
    Audience,
    Confidentiality,
    ConsentAudience,
    Grant,
    ItemFacts,
    Kind,
    Level,
    Notes,
    NotesView,
    PersonFacts,
    disclose,
)
from notesbase.disclosure.canonical import canonical, loose
from notesbase.disclosure.folding import decode_hosts
from notesbase.disclosure.folding import squash as _squash
from notesbase.disclosure.matching import Matcher

SERIES = 1
MEETING = 10
OTHER_SERIES = 2
OTHER_MEETING = 20
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

JANE = PersonFacts(
    id=1,
    name="Jane Doe",
    affiliation="Open Data Manchester",
    descriptor="a local authority data lead",
    email="jane.doe@example.org",
)

# A person every hostile spelling test withholds, the things of theirs
# that are spelled, and where in an item a spelling may stand.
QUILLON = PersonFacts(
    1,
    "Quillon Marrowfield",
    "Heronsgate Council",
    "Thornbury data steward",
    "quillon.marrowfield@heronsgate.example",
)
TERMS = {
    "name": QUILLON.name,
    "surname": "Marrowfield",
    "affiliation": QUILLON.affiliation,
    "fragment": "Heronsgate",
    "descriptor": QUILLON.descriptor,
    "email": QUILLON.email or "",
}
CONTEXTS = [
    "We heard that {} had finished the pilot.",
    "**{}** said the budget is cut.",
    "- {} agreed\n- others did not",
    "| who | what |\n| --- | --- |\n| {} | data |",
    "> {} asked about it",
    "See [{}](https://example.org/page) for more.",
    "`{}` was in the log",
    "# {}\n\nA heading above.",
    "Thanks to {}",
]


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def grant(
    level: Level,
    audience: ConsentAudience = ConsentAudience.MEMBER,
    *,
    person_id: int = 1,
    minutes: int = 0,
    series_id: int | None = None,
    meeting_id: int | None = None,
    withdrawn: bool = False,
) -> Grant:
    return Grant(
        person_id=person_id,
        audience=audience,
        level=level,
        granted_at=at(minutes),
        series_id=series_id,
        meeting_id=meeting_id,
        withdrawn_at=at(minutes + 1) if withdrawn else None,
    )


def both(level: Level, person_id: int = 1) -> list[Grant]:
    """The same grant for members and for the public."""
    return [grant(level, audience, person_id=person_id) for audience in ConsentAudience]


def item(
    body: str,
    confidentiality: Confidentiality = Confidentiality.OPEN,
    *,
    id: int = 1,
    position: int | None = None,
    section: str = "",
    speaker_id: int | None = None,
    kind: Kind = Kind.POINT,
) -> ItemFacts:
    return ItemFacts(
        id=id,
        position=id if position is None else position,
        kind=kind,
        body=body,
        confidentiality=confidentiality,
        section=section,
        speaker_id=speaker_id,
    )


def notes(
    items: Sequence[ItemFacts],
    people: Sequence[PersonFacts] = (JANE,),
    grants: Sequence[Grant] = (),
) -> Notes:
    return Notes(series_id=SERIES, meeting_id=MEETING, items=items, people=people, grants=grants)


def view_of(
    body: str,
    audience: Audience,
    *,
    people: Sequence[PersonFacts] = (JANE,),
    grants: Sequence[Grant] = (),
    confidentiality: Confidentiality = Confidentiality.OPEN,
) -> NotesView:
    return disclose(notes([item(body, confidentiality)], people, grants), audience)


def only_html(view: NotesView) -> str:
    """The body HTML of a one-item view ("" when the item was left out)."""
    return view.items[0].body_html if view.items else ""


def reader_text(body_html: str) -> str:
    """What a reader of the HTML sees, tags dropped without adding spaces."""
    return html.unescape(re.sub(r"<[^>]*>", "", body_html))


def fold(text: str) -> str:
    """``text`` in canonical form, one space between words, "i" and "l"
    one letter (the reference reading of these checks: what a reader may
    take the letters for)."""
    return " ".join(loose(canonical(text)).split())


def squash(text: str) -> str:
    """``fold`` without anything but letters and digits."""
    return loose(_squash(text))


def leak_forms(view: NotesView) -> tuple[str, str]:
    """The view's text folded every way a reader or a program could read
    it, and the same squashed to letters and digits (names glued into an
    address, percent-encoded or not)."""
    raw = view.text()
    forms = [
        raw,
        html.unescape(raw),
        reader_text(raw),
        html.unescape(re.sub(r"<[^>]*>", " ", raw)),
    ]
    forms.append(decode_hosts(unquote(unquote(forms[1]))))
    folded = "\n".join(fold(form) for form in forms)
    squashed = "\n".join(squash(form) for form in forms)
    return folded, squashed


def shows(view: NotesView, term: str) -> bool:
    """Whether ``term`` can be read anywhere in ``view``, however disguised."""
    folded, squashed = leak_forms(view)
    return fold(term) in folded or squash(term) in squashed


def mentions(view: NotesView, term: str) -> bool:
    """Whether ``term`` stands as a whole word or phrase anywhere in ``view``."""
    folded, _squashed = leak_forms(view)
    pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, fold(term).split())) + r"(?!\w)"
    return re.search(pattern, folded) is not None


def counting_renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Audience]]:
    """Each body ``disclose`` really renders from now on (body, audience),
    with this process's kept renders emptied to start."""
    module = importlib.import_module("notesbase.disclosure.disclose")
    calls: list[tuple[str, Audience]] = []
    real = module._render

    def counting(body: str, audience: Audience, matcher: Matcher) -> tuple[str, str]:
        calls.append((body, audience))
        return real(body, audience, matcher)

    monkeypatch.setattr(module, "_render", counting)
    monkeypatch.setattr(module, "_BODIES", type(module._BODIES)())
    return calls


def store_bytes(path: Path) -> bytes:
    """Every byte of a kept-renders file and its companions (log, index)."""
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))
