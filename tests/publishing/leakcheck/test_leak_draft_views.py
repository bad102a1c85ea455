"""``POST …/notes/draft-check``: the editor's names check, for facilitators
only (as the editor), CSRF-protected, JSON in and out, never cached, and
the draft never stored, logged or audited; bad input a 4xx in JSON."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from notesbase.consent import grants
from notesbase.consent.grants import Scope
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import AuditEvent, Meeting, Role, Series
from notesbase.notes.items import BODY_MAX, ItemFields, create_item
from notesbase.notes.people import PersonFields, create_person
from tests.conftest import csrf_token_from

CHECK = "/series/cop/meetings/1/notes/draft-check"
EDITOR = "/series/cop/meetings/1/notes/edit"
ADA_TO_MEMBERS = (
    "“Ada” is part of the name of Ada Lovelace, who has not agreed to be named to members "
    "of the series."
)
# A sentence typed into the editor and never saved.
SECRET = "Ada said the Quillfeather acquisition closes on Friday"


@pytest.fixture
def world(app, make_series) -> dict[str, int]:
    """Series 'cop', meeting 1 with one item; Ada Lovelace has agreed to
    nothing, Jane Doe to be named everywhere; a meeting 1 of another series."""
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Another series")
    with app.app_context():
        ours, theirs = db.session.get(Series, cop.id), db.session.get(Series, other.id)
        meeting = Meeting(series=ours, number=1, title="One", date=date(2025, 1, 15))
        elsewhere = Meeting(series=theirs, number=1, title="Two", date=date(2025, 2, 1))
        db.session.add_all([meeting, elsewhere])
        db.session.flush()
        ada = create_person(PersonFields("Ada Lovelace", "Analytical Engine Society"), actor=None)
        jane = create_person(PersonFields("Jane Doe", "Heronsgate Council"), actor=None)
        for audience in ConsentAudience:
            grants.grant(jane, audience, Level.NAMED, Scope(), actor=None)
        item = create_item(meeting, ItemFields(Kind.POINT, "An open point."), actor=None)
        foreign = create_item(elsewhere, ItemFields(Kind.POINT, "Another point."), actor=None)
        db.session.commit()
        return {"ada": ada.id, "jane": jane.id, "item": item.id, "foreign": foreign.id}


def token(client) -> str:
    return csrf_token_from(client.get(EDITOR).get_data(as_text=True))


def ask(client, payload, *, csrf: str | None = None, url: str = CHECK, **kwargs):
    headers = {"X-CSRFToken": csrf if csrf is not None else token(client)}
    if "data" in kwargs:
        return client.post(url, headers=headers, **kwargs)
    return client.post(url, headers=headers, json=payload, **kwargs)


@pytest.fixture
def facilitator(login_as):
    return login_as(Role.FACILITATOR)


def test_a_first_name_is_flagged_with_its_place_people_and_fixes(client, world, facilitator):
    response = ask(client, {"body": SECRET, "confidentiality": "open"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    answer = response.get_json()
    assert answer["audiences"] == ["member", "public"]
    [finding] = answer["findings"]
    assert finding == {
        "field": "body",
        "start": 0,
        "end": 3,
        "text": "Ada",
        "rule": "name",
        "why": ADA_TO_MEMBERS,
        "audiences": [
            {"audience": "member", "label": "members of the series", "why": ADA_TO_MEMBERS},
            {
                "audience": "public",
                "label": "the public",
                "why": "“Ada” is part of the name of Ada Lovelace, who has not agreed to be "
                "named to the public.",
            },
        ],
        "people": [
            {
                "id": world["ada"],
                "display": "Ada Lovelace (Analytical Engine Society)",
                "consent_url": f"/people/{world['ada']}",
            }
        ],
        "fixes": {
            "span": {
                "level": "confidential",
                "label": "Make “Ada” confidential",
                "places": [[0, 3]],
            },
            "confidentiality": {"level": "confidential", "label": "Mark the item confidential"},
        },
    }


def test_what_the_form_holds_is_what_is_checked(client, world, facilitator):
    """Confidentiality, section, speaker and the item being edited."""
    clean = {"body": "Jane said so.", "item": world["item"], "speaker": world["jane"]}
    assert ask(client, clean).get_json()["findings"] == []
    members = ask(client, {"body": "Ada said so.", "confidentiality": "members"}).get_json()
    assert members["audiences"] == ["member"]
    assert [a["audience"] for a in members["findings"][0]["audiences"]] == ["member"]
    hidden = ask(client, {"body": "Ada said so.", "confidentiality": "confidential"})
    assert hidden.get_json() == {"audiences": [], "findings": []}
    heading = ask(client, {"body": "A point.", "section": "Ada's round"}).get_json()
    assert [(f["field"], f["start"], f["end"]) for f in heading["findings"]] == [("section", 0, 3)]


def test_places_are_counted_as_the_browser_counts(client, world, facilitator):
    answer = ask(client, {"body": "\U0001f600 Ada said so."}).get_json()
    [finding] = answer["findings"]
    assert (finding["start"], finding["end"]) == (3, 6)
    assert finding["fixes"]["span"]["places"] == [[3, 6]]


def test_the_public_is_sent_to_log_in_and_members_are_refused(client, world, login_as):
    """As the editor: the public to the login page, members 403, before the
    meeting is looked up (a missing one answers the same)."""
    for url in (CHECK, "/series/nope/meetings/9/notes/draft-check"):
        csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
        response = ask(client, {"body": SECRET}, csrf=csrf, url=url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    login_as(Role.MEMBER)
    for url in (CHECK, "/series/nope/meetings/9/notes/draft-check"):
        response = ask(client, {"body": SECRET}, csrf=token_from_account(client), url=url)
        assert response.status_code == 403
        assert response.get_json()["error"]["message"] == "You do not have permission to do that."
        assert response.headers["Cache-Control"] == "no-store"
        assert SECRET not in response.get_data(as_text=True)


def token_from_account(client) -> str:
    return csrf_token_from(client.get("/account").get_data(as_text=True))


@pytest.mark.parametrize("csrf", ["", "not-a-token"])
def test_a_request_without_the_page_s_csrf_token_is_refused(client, world, facilitator, csrf):
    response = ask(client, {"body": SECRET}, csrf=csrf)
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    assert "reload the page" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data": "body=Ada", "content_type": "application/x-www-form-urlencoded"}, "JSON"),
        ({"data": "{not json", "content_type": "application/json"}, "not valid JSON"),
        ({"data": "[1, 2]", "content_type": "application/json"}, "JSON object"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(client, world, facilitator, kwargs, message):
    response = ask(client, None, **kwargs)
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "body"),
        ({"body": 3}, "body"),
        ({"body": ["Ada"]}, "body"),
        ({"body": "x" * (BODY_MAX + 1)}, "body"),
        ({"body": "x", "section": None}, "section"),
        ({"body": "x", "confidentiality": "secret"}, "confidentiality"),
        ({"body": "x", "item": "12"}, "item"),
        ({"body": "x", "item": True}, "item"),
        ({"body": "x", "speaker": 2.5}, "speaker"),
        ({"body": "x", "speaker": 999_999}, "speaker"),
        ({"body": "x", "author": "me"}, "author"),
    ],
)
def test_fields_of_the_wrong_type_or_too_long_are_a_400_naming_them(
    client, world, facilitator, payload, field
):
    response = ask(client, payload)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["message"] == "Some fields of the draft are not valid."
    assert set(error["fields"]) == {field}
    assert response.headers["Cache-Control"] == "no-store"


def test_an_oversized_request_is_refused_before_it_is_read(client, world, facilitator):
    response = ask(
        client, None, data="{" + " " * (1024 * 1024) + "}", content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413


def test_an_unknown_meeting_or_an_item_of_another_is_a_404(client, world, facilitator):
    missing = ask(client, {"body": SECRET}, url="/series/cop/meetings/7/notes/draft-check")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "There is no such meeting."
    for item in (world["foreign"], 999_999):
        response = ask(client, {"body": SECRET, "item": item})
        assert response.status_code == 404
        assert response.get_json()["error"]["message"] == "That item is not in this meeting."


def test_checks_are_rate_limited_per_facilitator(app, client, world, facilitator):
    app.config["DRAFT_CHECK_RATE_LIMIT"] = "2 per minute"
    csrf = token(client)
    assert ask(client, {"body": "x"}, csrf=csrf).status_code == 200
    assert ask(client, {"body": "x"}, csrf=csrf).status_code == 200
    refused = ask(client, {"body": "x"}, csrf=csrf)
    assert refused.status_code == 429
    assert "pauses" in refused.get_json()["error"]["message"]
    assert refused.headers["Cache-Control"] == "no-store"


def test_the_draft_is_never_stored_logged_or_audited(
    app, client, world, facilitator, caplog, tmp_path
):
    """Checked as typed, refused and failing: no log record, audit row,
    database row or file holds the draft afterwards."""
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    csrf = token(client)
    for end in range(3, len(SECRET) + 1, 7):
        assert ask(client, {"body": SECRET[:end]}, csrf=csrf).status_code == 200
    assert ask(client, {"body": SECRET, "item": 999_999}, csrf=csrf).status_code == 404
    assert ask(client, {"body": SECRET, "speaker": "x"}, csrf=csrf).status_code == 400
    assert ask(client, {"body": SECRET}, csrf="forged").status_code == 400
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Quillfeather" not in logged
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent)).all()
        assert len(rows) == audited
        assert not any("Quillfeather" in json.dumps(row.details) for row in rows)
    # The database (with its write-ahead log, on SQLite) and the search index.
    files = [path.read_bytes() for path in Path(tmp_path).rglob("*") if path.is_file()]
    assert not any(b"Quillfeather" in data for data in files)
    if app.config["DATABASE_URL"].startswith("sqlite"):
        assert any(b"An open point." in data for data in files)  # what is saved is there


def test_the_editor_offers_the_check_to_its_script_only(client, world, facilitator):
    """The new item's form and an item's form name the check (and the item);
    without JavaScript the box stays hidden."""
    page = client.get(EDITOR).get_data(as_text=True)
    assert f'class="draft-check" data-url="{CHECK}" hidden' in page
    assert "draft_check.js" in page
    edit = client.get(f"/series/cop/meetings/1/notes/items/{world['item']}/edit")
    assert f'data-url="{CHECK}" data-item="{world["item"]}" hidden' in edit.get_data(as_text=True)


def test_a_fix_the_check_offers_is_one_the_form_saves(client, world, facilitator):
    """The span placed where the answer says leaves nothing to flag, and
    saves as an ordinary item."""
    answer = ask(client, {"body": SECRET}).get_json()
    fix = answer["findings"][0]["fixes"]["span"]
    body = SECRET
    for start, end in reversed(fix["places"]):
        body = body[:start] + f"[{body[start:end]}]{{.{fix['level']}}}" + body[end:]
    assert ask(client, {"body": body}).get_json()["findings"] == []
    html = client.get(EDITOR).get_data(as_text=True)
    saved = client.post(
        EDITOR,
        data={
            "csrf_token": csrf_token_from(html),
            "kind": "point",
            "body": body,
            "confidentiality": Confidentiality.OPEN.value,
        },
    )
    assert saved.status_code == 302
