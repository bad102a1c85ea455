"""The hostile-spelling corpus on every channel: over two hundred spellings
of a person's withheld name, surname, affiliation (whole and by its
distinctive word), descriptor and email address, drawn from the confusables
data (``tests.hostile.spellings_support``), typed into the notes, their section
headings and the write-up summary through the same services the pages use.

For the public (the write-up page, its API, both Atom feeds, its Markdown
page, search) and for members (the notes page, its print and Markdown
exports, the API, search, the circulated email), nothing withheld can be
read in what is sent, read as a person or a program would (HTML and JSON
decoded, email parts decoded). A first name alone is not replaced (it
identifies nobody by itself): the leak check reports every one."""

from __future__ import annotations

import html
import json
import random
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from xml.etree import ElementTree

import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import ConsentAudience, Kind, Level
from notesbase.meetings import service
from notesbase.models import Meeting, Member, Role
from notesbase.notes import items, people
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups import export as writeup_export
from notesbase.publishing.writeups.public import public_writeup
from notesbase.publishing.writeups.service import publish_writeup, save_writeup
from notesbase.text import clean_line, clean_text
from tests.conftest import PASSWORD, post_form
from tests.disclosure.builders_support import CONTEXTS, QUILLON, TERMS
from tests.hostile.spellings_support import Spelling, corpus, disguise, readings, survivors

MEETING = "/series/cop/meetings/1"
FIRST_NAMES = 6  # items holding the first name alone, for the leak check
PER_ITEM = 5


def _withheld(audience: str) -> set[str]:
    terms = set(TERMS.values())
    return terms - {QUILLON.descriptor} if audience == "member" else terms


def _strings(value: object) -> list[str]:
    """Every string in decoded JSON."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*_strings(k), *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def readable(body: str | bytes, kind: str) -> str:
    """What a reader or a program gets out of an answer: its text with
    entities and escapes decoded."""
    if kind == "json":
        return "\n".join(_strings(json.loads(body)))
    if kind == "xml":
        root = ElementTree.fromstring(body)  # noqa: S314 - the app's own feed
        parts = [text for element in root.iter() for text in element.itertext()]
        parts += [value for element in root.iter() for value in element.attrib.values()]
        return "\n".join(parts)
    if kind == "email":
        message = message_from_bytes(body, policy=policy.default)  # type: ignore[arg-type]
        assert isinstance(message, EmailMessage)
        parts = [str(value) for value in message.values()]
        for part in message.walk():
            if not part.is_multipart():
                parts.append(html.unescape(str(part.get_content())))
        return "\n".join(parts)
    text = body.decode() if isinstance(body, bytes) else body
    return html.unescape(text) if kind == "html" else text


def _build(app, corpus: list[Spelling], first_names: list[str]) -> tuple[list[int], list[int]]:
    """The world: series cop, meeting 1 (held), Quillon (released to members
    by descriptor only), a facilitator and a member; items planted with the
    corpus; a write-up of them published (the leak check must pass)."""
    with app.app_context():
        facilitator = Member(
            email="facilitator@example.org",
            display_name="Fran Facilitator",
            password_hash=_hash(),
            role=Role.FACILITATOR,
            active=True,
        )
        cop = service.create_series(service.SeriesFields("cop", "Community of Practice"))
        meeting = service.create_meeting(
            cop, service.MeetingFields(number=1, title="Planted spellings", date=_held())
        )
        member = Member(
            email="member@example.org",
            display_name="Mel Member",
            password_hash=_hash(),
            role=Role.MEMBER,
            active=True,
        )
        member.series.append(cop)
        db.session.add_all([facilitator, member])
        quillon = people.create_person(
            people.PersonFields(
                QUILLON.name, QUILLON.affiliation, QUILLON.descriptor, QUILLON.email
            ),
            actor=None,
        )
        grants.grant(quillon, ConsentAudience.MEMBER, Level.DESCRIPTOR, grants.Scope(), actor=None)
        planted: list[int] = []
        for start in range(0, len(corpus), PER_ITEM):
            group = corpus[start : start + PER_ITEM]
            body = "\n\n".join(
                CONTEXTS[(start + index) % len(CONTEXTS)].format(spelling.text)
                for index, spelling in enumerate(group)
            )
            section = clean_line(group[0].text)[:200] if start % (PER_ITEM * 4) == 0 else ""
            fields = items.ItemFields(Kind.POINT, body + "\n\nThe pilot ran.", section, quillon.id)
            planted.append(items.create_item(meeting, fields, actor=None).id)
        named: list[int] = []
        for text in first_names:
            fields = items.ItemFields(Kind.POINT, f"Thanks to {text} for the pilot.")
            named.append(items.create_item(meeting, fields, actor=None).id)
        summary = " ".join(spelling.text for spelling in corpus[:10])
        save_writeup(meeting, summary, planted, actor=None, expected_version=None)
        publish_writeup(meeting, actor=None)
        db.session.commit()
    return planted, named


def _hash() -> str:
    from notesbase.auth.passwords import hash_password

    return hash_password(PASSWORD)


def _held():
    from datetime import date

    return date(2025, 7, 9)


def _client(app, email: str | None):
    client = app.test_client()
    if email is not None:
        response = post_form(client, "/login", {"email": email, "password": PASSWORD})
        assert response.status_code == 302
    return client


def _public_channels(app) -> dict[str, str]:
    client = _client(app, None)
    answers = {
        "write-up page": (client.get(MEETING + "/writeup"), "html"),
        "write-up API": (client.get("/api/v1/series/cop/meetings/1/writeup"), "json"),
        "Atom feed": (client.get("/writeups.atom"), "xml"),
        "series Atom feed": (client.get("/series/cop/writeups.atom"), "xml"),
        "search page": (client.get("/search?q=pilot"), "html"),
        "search API": (client.get("/api/v1/search?q=pilot"), "json"),
        "meeting page": (client.get(MEETING), "html"),
    }
    shown = {}
    for name, (response, kind) in answers.items():
        assert response.status_code == 200, (name, response.status_code)
        shown[name] = readable(response.data, kind)
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        shown["write-up Markdown"] = writeup_export.markdown_page(public_writeup(meeting))
    return shown


def _first_names_reported(app, channel: str, first_names: list[str]) -> None:
    """The leak check of ``channel`` reports each first name typed alone
    (and nothing else: every other spelling was scrubbed); the facilitator
    overrides them, a first name identifying nobody, so the channel can be
    used."""
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        report = leakcheck.check(meeting, channel)
        assert {f.rule for f in report.findings} == {"name"}, report.findings
        found = {readings(f.match)[0] for f in report.findings}
        typed = {readings(clean_text(name))[0] for name in first_names}  # as stored
        assert found == typed, report.findings
        for finding in report.findings:
            leakcheck.override(meeting, channel, finding.key, "A first name.", actor=None)
        db.session.commit()


def _member_channels(app, first_names: list[str]) -> dict[str, str]:
    _first_names_reported(app, "notes-export", first_names)
    client = _client(app, "member@example.org")
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == "member@example.org"))
        _row, token = tokens.create_token(member, actor=None)
        db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    answers = {
        "notes page": (client.get(MEETING + "/notes"), "html"),
        "print page": (client.get(MEETING + "/notes/print"), "html"),
        "notes Markdown": (client.get(MEETING + "/notes.md"), "text"),
        "notes API": (client.get("/api/v1/series/cop/meetings/1", headers=bearer), "json"),
        "search page": (client.get("/search?q=pilot"), "html"),
        "search API": (client.get("/api/v1/search?q=pilot", headers=bearer), "json"),
    }
    shown = {}
    for name, (response, kind) in answers.items():
        assert response.status_code == 200, (name, response.status_code)
        shown[name] = readable(response.data, kind)
    return shown


def _circulated(app, first_names: list[str]) -> dict[str, str]:
    """The email as each member gets it, once the first names are overridden."""
    _first_names_reported(app, "circulation", first_names)
    result = app.test_cli_runner().invoke(args=["circulate", "cop", "1", "--yes"])
    assert result.exit_code == 0, result.output
    outbox = Path(app.instance_path) / "outbox"
    return {path.name: readable(path.read_bytes(), "email") for path in outbox.glob("*.eml")}


def test_no_channel_shows_a_hostile_spelling(app) -> None:
    """210 spellings planted in notes, headings and the write-up: no channel
    of either audience shows a withheld term; every first name alone is a
    leak-check finding, and the write-up passed its check to be published."""
    planted = corpus(TERMS, 210, seed=17)
    assert {spelling.kind for spelling in planted} == set(TERMS)
    rng = random.Random(17)  # noqa: S311 - a test corpus, not a secret
    first_names = [disguise(rng, "Quillon") for _ in range(FIRST_NAMES)]
    _build(app, planted, first_names)
    for audience, channels in (
        ("public", _public_channels(app)),
        ("member", _member_channels(app, first_names)),
        ("member", _circulated(app, first_names)),
    ):
        assert channels
        for name, text in channels.items():
            found = survivors(text, _withheld(audience))
            assert not found, (audience, name, found)
