"""Writing through the JSON API: facilitators only (401 without a token, 403
for members), strict JSON (400, 413, 415, 422 by field), conflicts as 409,
consent by the person themself, and nothing half-written on any refusal."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import AuditEvent, Consent, Item, Meeting, Person, Series
from tests.api.api_support import JANE, build_world, error_of, send

MEETING = "/api/v1/series/cop/meetings/1"
ITEMS = MEETING + "/items"


@pytest.fixture
def world(app, make_member, make_series):
    return build_world(app, make_member, make_series)


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def writes(world):
    """One valid request per write endpoint."""
    item = world.ids["open"]
    return [
        ("POST", "/api/v1/series", {"slug": "new-series", "title": "New series"}),
        ("POST", "/api/v1/series/cop/meetings", {"number": 3, "title": "T", "date": "2025-01-02"}),
        ("POST", "/api/v1/people", {"name": "Ann Other"}),
        ("POST", ITEMS, {"kind": "point", "body": "A new point."}),
        ("PATCH", f"/api/v1/items/{item}", {"body": "Changed."}),
        ("DELETE", f"/api/v1/items/{item}", None),
        ("POST", "/api/v1/series/cop/members", {"email": "other@example.org"}),
        ("GET", f"/api/v1/items/{item}", None),
    ]


@pytest.mark.parametrize("index", range(8))
def test_writes_need_a_facilitator(client, world, index):
    """Without a token every write is 401; a member's token is 403."""
    method, url, body = writes(world)[index]
    error_of(send(client, method, url, "public", world, body), 401)
    for who in ("member", "other", "jane"):
        error_of(send(client, method, url, who, world, body), 403)


@pytest.mark.parametrize("who", ["facilitator", "admin"])
@pytest.mark.parametrize("index", range(8))
def test_facilitators_and_admins_may_write(client, world, who, index):
    """Facilitators and admins get a 2xx from every write endpoint."""
    method, url, body = writes(world)[index]
    response = send(client, method, url, who, world, body)
    assert 200 <= response.status_code < 300, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_create_series_and_meeting(app, client, world):
    """A series and a meeting are made, each 201 with a Location that reads back."""
    created = send(
        client,
        "POST",
        "/api/v1/series",
        "facilitator",
        world,
        {"slug": "board", "title": "Board", "description": "For the board."},
    )
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/v1/series/board")
    assert created.get_json()["title"] == "Board"
    meeting = send(
        client,
        "POST",
        "/api/v1/series/board/meetings",
        "facilitator",
        world,
        {
            "number": 1,
            "title": "Kick-off",
            "date": "2030-05-06",
            "topics": ["Open data", "Ethics"],
            "start_time": "14:30",
            "format": "online",
            "registration_url": "https://example.org/r",
        },
    )
    assert meeting.status_code == 201, meeting.get_data(as_text=True)
    read = client.get(meeting.headers["Location"]).get_json()
    assert read["title"] == "Kick-off"
    assert read["topics"] == ["Ethics", "Open data"]
    assert read["start_time"] == "14:30"
    assert read["format"] == "online"
    assert read["registration_url"] == "https://example.org/r"


def test_duplicates_are_409(app, client, world):
    """A taken slug or meeting number is a 409 naming the field; nothing stored."""
    series_before, meetings_before = count(app, Series), count(app, Meeting)
    taken = send(
        client, "POST", "/api/v1/series", "facilitator", world, {"slug": "cop", "title": "X"}
    )
    assert "slug" in error_of(taken, 409)["fields"]
    number = send(
        client,
        "POST",
        "/api/v1/series/cop/meetings",
        "facilitator",
        world,
        {"number": 1, "title": "Again", "date": "2025-01-01"},
    )
    assert "number" in error_of(number, 409)["fields"]
    assert (count(app, Series), count(app, Meeting)) == (series_before, meetings_before)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "No number", "date": "2025-01-01"}, "number"),
        ({"number": "3", "title": "T", "date": "2025-01-01"}, "number"),
        ({"number": 0, "title": "T", "date": "2025-01-01"}, "number"),
        ({"number": True, "title": "T", "date": "2025-01-01"}, "number"),
        ({"number": 3.5, "title": "T", "date": "2025-01-01"}, "number"),
        ({"number": 3, "title": "", "date": "2025-01-01"}, "title"),
        ({"number": 3, "title": 7, "date": "2025-01-01"}, "title"),
        ({"number": 3, "title": "T", "date": "2025-13-01"}, "date"),
        ({"number": 3, "title": "T", "date": "01/02/2025"}, "date"),
        ({"number": 3, "title": "T", "date": "2025-01-01", "topics": "a, b"}, "topics"),
        ({"number": 3, "title": "T", "date": "2025-01-01", "topics": [1]}, "topics"),
        ({"number": 3, "title": "T", "date": "2025-01-01", "timezone": "Mars/Base"}, "timezone"),
        ({"number": 3, "title": "T", "date": "2025-01-01", "format": "hybrid"}, "format"),
        ({"number": 3, "title": "T", "date": "2025-01-01", "start_time": "2pm"}, "start_time"),
        ({"number": 3, "title": "T", "date": "2025-01-01", "colour": "red"}, "colour"),
        (
            {"number": 3, "title": "T", "date": "2025-01-01", "registration_url": "ftp://x"},
            "registration_url",
        ),
    ],
)
def test_meeting_fields_are_checked(app, client, world, body, field):
    """Missing, mistyped, out-of-range and unknown fields are a 422 naming the field."""
    response = send(client, "POST", "/api/v1/series/cop/meetings", "facilitator", world, body)
    assert field in error_of(response, 422)["fields"]
    assert count(app, Meeting) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "T"}, "slug"),
        ({"slug": "Bad Slug", "title": "T"}, "slug"),
        ({"slug": "new", "title": "T"}, "slug"),
        ({"slug": "ok"}, "title"),
        ({"slug": "ok", "title": "T", "description": 5}, "description"),
    ],
)
def test_series_fields_are_checked(client, world, body, field):
    """A series needs a valid slug and a title."""
    response = send(client, "POST", "/api/v1/series", "facilitator", world, body)
    assert field in error_of(response, 422)["fields"]


def test_malformed_bodies(app, client, world):
    """Broken JSON is 400, a non-object 400, a non-JSON type 415, too large 413."""
    headers = world.headers("facilitator")
    broken = client.post(
        "/api/v1/people", data="{name:", headers=headers, content_type="application/json"
    )
    error_of(broken, 400)
    array = client.post("/api/v1/people", json=["Ann"], headers=headers)
    error_of(array, 400)
    nan = client.post(
        "/api/v1/series/cop/meetings",
        data='{"number": NaN, "title": "T", "date": "2025-01-01"}',
        headers=headers,
        content_type="application/json",
    )
    error_of(nan, 400)
    form = client.post("/api/v1/people", data={"name": "Ann"}, headers=headers)
    error_of(form, 415)
    big = client.post(
        "/api/v1/people",
        data=json.dumps({"name": "x" * (1024 * 1024)}),
        headers=headers,
        content_type="application/json",
    )
    error_of(big, 413)
    assert count(app, Person) == 2


def test_people(app, client, world):
    """A person is created (201, {id}); a missing name or bad email is a 422."""
    created = send(
        client,
        "POST",
        "/api/v1/people",
        "facilitator",
        world,
        {"name": "Ann Other", "affiliation": "Org", "descriptor": "a planner", "email": None},
    )
    assert created.status_code == 201
    person_id = created.get_json()["id"]
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert (person.name, person.affiliation, person.descriptor) == (
            "Ann Other",
            "Org",
            "a planner",
        )
    read = send(client, "GET", created.headers["Location"], "facilitator", world)
    assert read.get_json()["name"] == "Ann Other"
    for body, field in (
        ({"affiliation": "Org"}, "name"),
        ({"name": "Ada Abbott", "email": "not-an-email"}, "email"),
        ({"name": ["A"]}, "name"),
    ):
        response = send(client, "POST", "/api/v1/people", "facilitator", world, body)
        assert field in error_of(response, 422)["fields"]
    assert count(app, Person) == 3


def test_items_create_patch_delete(app, client, world):
    """An item is added, changed in part, refused when stale, and deleted;
    each change is audited."""
    created = send(
        client,
        "POST",
        ITEMS,
        "facilitator",
        world,
        {
            "kind": "quote",
            "body": "We must *share*.",
            "section": "Close",
            "speaker": world.ids["jane"],
            "confidentiality": "members",
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    item_id = created.get_json()["id"]
    url = f"/api/v1/items/{item_id}"
    assert created.headers["Location"].endswith(url)
    patched = send(client, "PATCH", url, "facilitator", world, {"body": "Changed.", "version": 1})
    assert patched.status_code == 200, patched.get_data(as_text=True)
    data = patched.get_json()
    assert data["body"] == "Changed."
    assert (data["kind"], data["section"], data["confidentiality"]) == ("quote", "Close", "members")
    assert data["speaker"]["id"] == world.ids["jane"]
    assert data["version"] == 2
    stale = send(client, "PATCH", url, "facilitator", world, {"body": "Lost.", "version": 1})
    assert "version" in error_of(stale, 409)["fields"]
    cleared = send(client, "PATCH", url, "facilitator", world, {"speaker": None})
    assert cleared.get_json()["speaker"] is None
    member_view = send(client, "GET", MEETING, "member", world).get_json()
    assert any(i["id"] == item_id and i["attribution"] is None for i in member_view["items"])
    assert send(client, "DELETE", url, "facilitator", world).status_code == 204
    error_of(send(client, "GET", url, "facilitator", world), 404)
    with app.app_context():
        assert db.session.get(Item, item_id) is None
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.target_id == item_id)
        ).all()
    assert {"item.create", "item.update", "item.delete"} <= set(actions)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "rant", "body": "x"}, "kind"),
        ({"body": "x"}, "kind"),
        ({"kind": "point"}, "body"),
        ({"kind": "point", "body": "   "}, "body"),
        ({"kind": "point", "body": "x", "speaker": 9999}, "speaker"),
        ({"kind": "point", "body": "x", "speaker": "Jane"}, "speaker"),
        ({"kind": "point", "body": "x", "confidentiality": "secret"}, "confidentiality"),
        ({"kind": "point", "body": "x", "section": "s" * 201}, "section"),
    ],
)
def test_item_fields_are_checked(app, client, world, body, field):
    """Unknown kinds, missing body, unknown speakers are a 422 naming the field."""
    before = count(app, Item)
    response = send(client, "POST", ITEMS, "facilitator", world, body)
    assert field in error_of(response, 422)["fields"]
    assert count(app, Item) == before


def test_items_of_a_missing_meeting_are_404(client, world):
    """Adding to a meeting that does not exist is a JSON 404."""
    body = {"kind": "point", "body": "x"}
    url = "/api/v1/series/cop/meetings/99/items"
    error_of(send(client, "POST", url, "facilitator", world, body), 404)
    error_of(send(client, "PATCH", "/api/v1/items/9999", "facilitator", world, body), 404)


def attribution_of(client, world, who, item_id):
    data = send(client, "GET", MEETING, who, world).get_json()
    return next(i["attribution"] for i in data["items"] if i["id"] == item_id)


def test_consent_by_the_person_changes_the_next_answer(app, client, world):
    """The member linked to a person lowers their credit for one meeting; the
    next GET shows it, and withdrawing it restores the wider grant."""
    url = f"/api/v1/people/{world.ids['jane']}/consent"
    item = world.ids["open"]
    assert attribution_of(client, world, "member", item) == JANE
    body = {"audience": "member", "level": "affiliation", "series": "cop", "meeting": 1}
    granted = send(client, "PUT", url, "jane", world, body)
    assert granted.status_code == 200, granted.get_data(as_text=True)
    grant = granted.get_json()
    assert (grant["audience"], grant["level"]) == ("member", "affiliation")
    assert grant["scope"] == {"series": "cop", "meeting": 1}
    assert grant["granted_at"]
    assert attribution_of(client, world, "member", item) == "Someone from Open Data Manchester"
    assert "Jane Doe" not in send(client, "GET", MEETING, "member", world).get_data(as_text=True)
    listed = send(client, "GET", url, "jane", world).get_json()["grants"]
    assert len(listed) == 2
    withdrawn = send(client, "DELETE", url + "?audience=member&series=cop&meeting=1", "jane", world)
    assert withdrawn.status_code == 204
    assert attribution_of(client, world, "member", item) == JANE
    again = send(client, "DELETE", url + "?audience=member&series=cop&meeting=1", "jane", world)
    error_of(again, 404)
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.action.startswith("consent."))
        ).all()
    assert actions.count("consent.grant") == 2  # the world's grant and Jane's
    assert actions.count("consent.withdraw") == 1


def test_consent_everywhere_by_a_facilitator(client, world):
    """A facilitator records consent everywhere for someone never released."""
    url = f"/api/v1/people/{world.ids['zed']}/consent"
    response = send(
        client, "PUT", url, "facilitator", world, {"audience": "member", "level": "named"}
    )
    assert response.get_json()["scope"] == {"series": None, "meeting": None}
    item = world.ids["confidential"]
    mention = world.ids["mention"]
    assert (
        attribution_of(client, world, "member", mention)
        == "Zebedee Quillfeather (Hiddenhouse Trust)"
    )
    assert item not in [
        i["id"] for i in send(client, "GET", MEETING, "member", world).get_json()["items"]
    ]


def test_consent_refusals(app, client, world):
    """Without a token 401; another member 403 (known person or not); a
    facilitator 404 for an unknown person; bad fields 422."""
    url = f"/api/v1/people/{world.ids['jane']}/consent"
    body = {"audience": "member", "level": "named"}
    error_of(send(client, "PUT", url, "public", world, body), 401)
    error_of(send(client, "PUT", url, "member", world, body), 403)
    error_of(send(client, "PUT", "/api/v1/people/9999/consent", "member", world, body), 403)
    error_of(send(client, "PUT", "/api/v1/people/9999/consent", "facilitator", world, body), 404)
    error_of(send(client, "DELETE", url + "?audience=member", "member", world), 403)
    error_of(send(client, "GET", f"/api/v1/people/{world.ids['jane']}", "member", world), 403)
    for bad, field in (
        ({"audience": "member", "level": "famous"}, "level"),
        ({"audience": "facilitator", "level": "named"}, "audience"),
        ({"level": "named"}, "audience"),
        ({"audience": "member", "level": "named", "meeting": 1}, "meeting"),
        ({"audience": "member", "level": "named", "series": "nope"}, "series"),
        ({"audience": "member", "level": "named", "series": "cop", "meeting": 99}, "meeting"),
    ):
        response = send(client, "PUT", url, "jane", world, bad)
        assert field in error_of(response, 422)["fields"]
    bad_query = send(client, "DELETE", url + "?audience=member&meeting=x&series=cop", "jane", world)
    assert "meeting" in error_of(bad_query, 422)["fields"]
    with app.app_context():
        assert count(app, Consent) == 1


def test_add_member_to_series(app, client, world):
    """A member is added once (201), again is harmless (200), audited; then
    they read the notes. An unknown email is a JSON 404."""
    assert "items" not in send(client, "GET", MEETING, "other", world).get_json()
    url = "/api/v1/series/cop/members"
    added = send(client, "POST", url, "admin", world, {"email": "Other@Example.org"})
    assert added.status_code == 201
    assert added.get_json()["added"] is True
    again = send(client, "POST", url, "facilitator", world, {"email": "other@example.org"})
    assert again.status_code == 200
    assert again.get_json()["added"] is False
    assert "items" in send(client, "GET", MEETING, "other", world).get_json()
    error_of(send(client, "POST", url, "facilitator", world, {"email": "nobody@example.org"}), 404)
    error_of(
        send(
            client,
            "POST",
            "/api/v1/series/nope/members",
            "facilitator",
            world,
            {"email": "other@example.org"},
        ),
        404,
    )
    assert "email" in error_of(send(client, "POST", url, "facilitator", world, {}), 422)["fields"]
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "series.add_member")
        ).all()
        assert len(events) == 1
        assert events[0].actor_label == "admin@example.org"
