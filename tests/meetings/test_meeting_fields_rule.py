"""Meeting fields follow the rule: a meeting's theme, speakers and
description (its headings too) honour redacted spans for every audience on
every channel (meeting page, series timeline, API, search), a class that
cannot be read fails closed, and the leak check's "meeting" channel reads
the public fields and the calendar and feed text made from them, so a
confidential word or a withheld name typed into one is a finding."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa

from notesbase.auth.tokens import create_token
from notesbase.db import db
from notesbase.disclosure import Audience, Confidentiality, Kind
from notesbase.meetings import service
from notesbase.models import Meeting, Member, Role, Series
from notesbase.notes.items import ItemFields, create_item
from notesbase.notes.people import PersonFields, create_person
from notesbase.publishing.leakcheck import check as leakcheck

MEETING_PAGE = "/series/cop/meetings/1"
SECRET = "Quillmoor"  # confidential: facilitators only
INSIDER = "Brackenhall"  # members only
BOSS = "Tarnwick"  # {.facilitators}: facilitators only
HEADING_SECRET = "Fernwold"  # in a description heading, confidential
TYPO = "Mossgrave"  # behind a mistyped class: hidden from all but facilitators
LOOKALIKE = "Heathmere"  # behind a class typed with a Cyrillic letter
JOINED = "Ravensby"  # behind a class with a zero-width joiner in it
THEME_SECRET = "Dunholt"
SPEAKER_SECRET = "Wrexley"
DESCRIPTION = (
    f"## Agenda [{HEADING_SECRET}]{{.confidential}}\n\n"
    f"We meet at [{SECRET}]{{.confidential}} with [{INSIDER}]{{.members}} and "
    f"[{BOSS}]{{.facilitators}}.\n\n"
    f"A typo [{TYPO}]{{.confidental}} here.\n\n"
    f"A look-alike [{LOOKALIKE}]{{.\u0441onfidential}} here.\n\n"
    f"A joiner [{JOINED}]{{.confi\u200ddential}} here.\n\n"
    "Everyone is welcome."
)
THEME = f"Open data [{THEME_SECRET}]{{.confidential}}"
SPEAKERS = f"Ada Lovelace\n[{SPEAKER_SECRET}]{{.members}}"
FACILITATOR_ONLY = [SECRET, BOSS, HEADING_SECRET, THEME_SECRET, TYPO, LOOKALIKE, JOINED]
MEMBERS_ONLY = [INSIDER, SPEAKER_SECRET]


@pytest.fixture
def world(app, make_series, make_member):
    """Series 'cop' with meeting 1 carrying spans in every field; a member of
    the series, one of another series, and a facilitator."""
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Another series")
    make_member("member@example.org", series=[cop])
    make_member("outsider@example.org", series=[other])
    make_member("facilitator@example.org", role=Role.FACILITATOR)
    with app.app_context():
        series = db.session.get(Series, cop.id)
        service.create_meeting(
            series,
            service.MeetingFields(
                number=1,
                title="Open data in practice",
                date=date(2025, 1, 15),
                theme=THEME,
                speakers=SPEAKERS,
                description=DESCRIPTION,
            ),
        )
        db.session.commit()


def text_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.get_data(as_text=True))


def assert_hidden(html: str, words: list[str]) -> None:
    for word in words:
        assert word not in html, word


@pytest.mark.parametrize("who", [None, "outsider@example.org"])
def test_the_public_meeting_page_shows_no_span_it_may_not_see(client, auth, world, who):
    """Logged out (or a member of another series): no confidential,
    members-only or unreadable span, no braces typed, the rest kept."""
    if who:
        auth.login(who)
    html = text_of(client, MEETING_PAGE)
    assert_hidden(html, FACILITATOR_ONLY + MEMBERS_ONLY)
    assert "{." not in html and "]{" not in html
    assert "Everyone is welcome." in html and "Open data" in html and "Ada Lovelace" in html
    assert "<h2>Agenda</h2>" in html


def test_a_member_of_the_series_reads_the_members_spans(client, auth, world):
    auth.login("member@example.org")
    html = text_of(client, MEETING_PAGE)
    assert INSIDER in html and SPEAKER_SECRET in html
    assert_hidden(html, FACILITATOR_ONLY)
    assert "{." not in html


def test_facilitators_see_every_span_marked(client, auth, world):
    """Facilitators read every word, each span marked with its level; an
    unreadable one marked as such, never as literal braces."""
    auth.login("facilitator@example.org")
    html = text_of(client, MEETING_PAGE)
    for word in FACILITATOR_ONLY + MEMBERS_ONLY:
        assert word in html, word
    assert f'<span class="redact-confidential">{SECRET}</span>' in html
    assert f'<span class="redact-confidential">{BOSS}</span>' in html
    assert f'<span class="redact-members">{INSIDER}</span>' in html
    assert "redact-unreadable" in html and "{." not in html


def test_the_series_timeline_shows_the_theme_as_the_reader_may(client, auth, world):
    html = text_of(client, "/series/cop")
    assert "Open data" in html and THEME_SECRET not in html and "{." not in html
    auth.login("facilitator@example.org")
    assert THEME_SECRET in text_of(client, "/series/cop")


def test_the_api_answers_with_the_fields_as_the_caller_may_see_them(app, client, world):
    """The public get words with the spans cut; facilitators the Markdown as written."""
    one = client.get("/api/v1/series/cop/meetings/1").get_json()
    listed = client.get("/api/v1/series/cop/meetings").get_json()["meetings"][0]
    for data in (one, listed):
        blob = f"{data['theme']}\n{data['speakers']}\n{data['description']}"
        assert_hidden(blob, FACILITATOR_ONLY + MEMBERS_ONLY)
        assert "{." not in blob and "Everyone is welcome." in blob
    headers = {}
    with app.app_context():
        for who in ("member", "facilitator"):
            email = f"{who}@example.org"
            member = db.session.scalar(sa.select(Member).where(Member.email == email))
            headers[who] = {"Authorization": f"Bearer {create_token(member, who, actor=None)[1]}"}
        db.session.commit()
    url = "/api/v1/series/cop/meetings/1"
    member = client.get(url, headers=headers["member"]).get_json()
    assert INSIDER in member["description"] and SPEAKER_SECRET in member["speakers"]
    assert_hidden(member["description"], FACILITATOR_ONLY)
    written = client.get(url, headers=headers["facilitator"]).get_json()
    assert written["description"] == DESCRIPTION and written["theme"] == THEME


def test_search_indexes_only_what_the_public_reads(app, client, auth, world):
    """The meeting's search document holds the public's text: a span is
    never found, not even by its own words; the rest is."""
    from notesbase.search.documents import meeting_text

    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.number == 1))
        text = meeting_text(meeting)
    assert "Everyone is welcome." in text and "Agenda" in text
    assert_hidden(text, FACILITATOR_ONLY + MEMBERS_ONLY)
    for word in (SECRET, TYPO, INSIDER):
        html = text_of(client, f"/search?q={word}")
        assert "Open data in practice" not in html


# The leak check's "meeting" channel ---------------------------------------------


@pytest.fixture
def people(app, world):
    """Zephyrine Oakenshaw, who has released nothing, and a confidential item."""
    with app.app_context():
        create_person(PersonFields("Zephyrine Oakenshaw", "Quillfeather Holdings"), actor=None)
        meeting = the_meeting()
        fields = ItemFields(
            Kind.POINT,
            "The merger with Northwind Holdings is off until September",
            "Discussion",
            None,
            Confidentiality.CONFIDENTIAL,
        )
        create_item(meeting, fields, actor=None)
        db.session.commit()


def the_meeting() -> Meeting:
    found = db.session.scalar(sa.select(Meeting).where(Meeting.number == 1))
    assert found is not None
    return found


def set_fields(**values: str) -> leakcheck.LeakReport:
    meeting = the_meeting()
    for name, value in values.items():
        setattr(meeting, name, value)
    db.session.commit()
    return leakcheck.check(meeting, "meeting")


def test_the_meeting_channel_is_public_and_clean_for_clean_fields(app, people):
    """The spans cut for the public are not findings: the channel reads
    what the public receives."""
    with app.app_context():
        spec = leakcheck.channel_named("meeting")
        assert spec.audience is Audience.PUBLIC
        report = set_fields(description="Everyone is welcome.", theme="Open data")
        assert report.ok and report.findings == ()
        report = set_fields(description=f"We meet at [{SECRET}]{{.confidential}}.")
        assert report.ok


@pytest.mark.parametrize(
    ("field", "text", "rule"),
    [
        ("description", "Hosted by Zephyrine Oakenshaw.", "name"),
        ("description", "Hosted by Zephyr\u200dine Oaken\u200dshaw.", "name"),
        ("description", "Hosted by Zеphyrinе Оakenshaw.", "name"),  # Cyrillic е, О
        ("description", "With Quillfeather Holdings.", "affiliation"),
        ("theme", "Why the merger with Northwind Holdings is off", "confidential"),
        ("speakers", "Zephyrine Oakenshaw\nAda Lovelace", "name"),
        ("title", "An evening with Zephyrine Oakenshaw", "name"),
    ],
)
def test_a_withheld_name_or_confidential_words_in_a_meeting_field_is_a_finding(
    app, people, field, text, rule
):
    """Typed into a public field, however spelled: a finding at the
    meeting's details, naming the field."""
    with app.app_context():
        report = set_fields(**{field: text})
    assert not report.ok
    found = [f for f in report.blocking if f.rule == rule]
    assert found and found[0].where == "the meeting's details"
    carried = {part for finding in found for part in finding.parts}
    expected = "page title" if field == "title" else field
    assert expected in carried


def test_the_calendar_and_feed_text_made_from_the_title_are_read(app, people):
    """The iCal event and, once a write-up is published, the Atom entry
    title carry the meeting's title: both are parts of the channel."""
    from notesbase.publishing.writeups import service as writeup_service

    with app.app_context():
        report = set_fields(title="An evening with Zephyrine Oakenshaw")
        parts = {part for finding in report.findings for part in finding.parts}
        assert "calendar event" in parts
        set_fields(title="Open data in practice")
        writeup_service.save_writeup(
            the_meeting(), "A good evening.", [], actor=None, expected_version=None
        )
        writeup_service.publish_writeup(the_meeting(), actor=None)
        db.session.commit()
        report = set_fields(title="An evening with Zephyrine Oakenshaw")
        parts = {part for finding in report.findings for part in finding.parts}
        assert "write-up feed entry title" in parts


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("description", "A typo [words]{.confidental} here."),
        ("description", "A look-alike [words]{.\u0441onfidential} here."),
        ("theme", "Open data [words]{.members-only}"),
        ("speakers", "Ada Lovelace\n[someone] {.members}"),
    ],
)
def test_an_unreadable_redaction_in_a_meeting_field_is_a_finding(app, people, field, text):
    """Markup meant as a redaction that cannot be read (hidden from the
    public meanwhile) is reported at the meeting's details, naming the field."""
    clean = {"theme": "Open data", "speakers": "Ada Lovelace", "description": "All welcome."}
    with app.app_context():
        report = set_fields(**{**clean, field: text})
    found = [f for f in report.blocking if f.rule == "unreadable-redaction"]
    assert found and {f.where for f in found} == {"the meeting's details"}
    assert all(f"In the {field}" in finding.why for finding in found)


def test_the_leak_check_page_lists_the_meeting_channel(client, auth, app, people):
    with app.app_context():
        set_fields(description="Hosted by Zephyrine Oakenshaw.")
    auth.login("facilitator@example.org")
    html = text_of(client, MEETING_PAGE + "/leak-check")
    assert "Public meeting details" in html and "Zephyrine Oakenshaw" in html
    assert "/series/cop/meetings/1/edit" in html
