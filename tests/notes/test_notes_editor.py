"""The facilitators' notes editor: every change goes through a validated,
CSRF-protected form, refused input writes nothing, and only facilitators
ever reach it (or an item's older versions)."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import AuditEvent, Item, ItemRevision, Meeting, Person, Role, Series
from notesbase.notes.items import ItemFields, create_item, update_item
from notesbase.notes.people import PersonFields, create_person
from tests.conftest import csrf_token_from, post_form

NOTES = "/series/cop/meetings/1/notes"
EDITOR = NOTES + "/edit"
SECRET = "The merger with Acme is off"


@pytest.fixture
def world(app, make_series):
    """Series 'cop' with meeting 1 (three items, spoken by Jane) and meeting 2 (one item)."""
    cop = make_series("cop", "Community of Practice")
    with app.app_context():
        series = db.session.get(Series, cop.id)
        first = Meeting(series=series, number=1, title="First", date=date(2025, 1, 15))
        second = Meeting(series=series, number=2, title="Second", date=date(2025, 2, 15))
        db.session.add_all([first, second])
        db.session.flush()
        jane = create_person(PersonFields("Jane Doe", "Open Data Manchester"), actor=None)
        ids = [
            create_item(first, ItemFields(kind, body, "Opening", jane.id, c), actor=None).id
            for kind, body, c in (
                (Kind.POINT, "First point", Confidentiality.OPEN),
                (Kind.QUOTE, "Second, a quote", Confidentiality.MEMBERS),
                (Kind.DECISION, SECRET, Confidentiality.CONFIDENTIAL),
            )
        ]
        elsewhere = create_item(second, ItemFields(Kind.POINT, "Other meeting"), actor=None).id
        db.session.commit()
        return {"series": cop, "items": ids, "elsewhere": elsewhere, "jane": jane.id}


@pytest.fixture
def facilitator(login_as):
    return login_as(Role.FACILITATOR)


def item_form(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "point",
        "speaker": "",
        "new_name": "",
        "new_affiliation": "",
        "new_descriptor": "",
        "section": "Opening",
        "confidentiality": "open",
        "body": "A new point",
        "after": "",
    }
    data.update(overrides)
    return data


def items_of(app, number: int = 1) -> list[tuple[int, str, int]]:
    """(id, body, version) of a meeting's items in order."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Item.id, Item.body, Item.version)
            .join(Meeting)
            .where(Meeting.number == number)
            .order_by(Item.position, Item.id)
        )
        return [tuple(row) for row in rows]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def item_url(item_id: int, action: str) -> str:
    return f"{NOTES}/items/{item_id}/{action}"


def test_editor_lists_items_with_their_actions(client, facilitator, world):
    """The editor shows every item, marked, with edit, move, history and delete."""
    html = client.get(EDITOR).get_data(as_text=True)
    assert SECRET in html and "conf-badge-confidential" in html
    first = world["items"][0]
    for action in ("edit", "move", "history", "delete"):
        assert f'{item_url(first, action)}"' in html
    assert "Ctrl</kbd>+<kbd>Enter" in html and "editor.js" in html


def test_add_item_at_the_end(app, client, facilitator, world):
    """Adding an item puts it last and brings the cursor back to the text."""
    response = post_form(
        client, EDITOR, item_form(body="Added **now**", kind="action", speaker=str(world["jane"]))
    )
    assert response.status_code == 302
    # No fragment: browsers skip autofocus on a page opened at one.
    assert "added=" in response.headers["Location"] and "#" not in response.headers["Location"]
    items = items_of(app)
    assert items[-1][1] == "Added **now**"
    with app.app_context():
        added = db.session.get(Item, items[-1][0])
        assert (added.kind, added.speaker_id, added.section) == (
            Kind.ACTION,
            world["jane"],
            "Opening",
        )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<textarea[^>]*autofocus[^>]*name="body"', page)


def test_add_item_after_another(app, client, facilitator, world):
    """'Add after' places the new item straight after the chosen one."""
    first = world["items"][0]
    assert f'<option selected value="{first}">' in client.get(f"{EDITOR}?after={first}").get_data(
        as_text=True
    )
    response = post_form(client, EDITOR, item_form(body="In between", after=str(first)))
    assert response.status_code == 302
    assert [body for _id, body, _v in items_of(app)][:3] == [
        "First point",
        "In between",
        "Second, a quote",
    ]


def test_add_item_with_a_new_speaker(app, client, facilitator, world):
    """A new speaker typed into the form becomes a Person credited with the item."""
    response = post_form(
        client,
        EDITOR,
        item_form(new_name="Sam Lee", new_affiliation="Leeds CC", new_descriptor="a planner"),
    )
    assert response.status_code == 302
    with app.app_context():
        sam = db.session.scalar(sa.select(Person).where(Person.name == "Sam Lee"))
        assert sam is not None and (sam.affiliation, sam.descriptor) == ("Leeds CC", "a planner")
        item = db.session.get(Item, items_of(app)[-1][0])
        assert item.speaker_id == sam.id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"body": "  "}, "Write what was said or agreed."),
        ({"kind": "rant"}, "Choose one of the options listed."),
        ({"confidentiality": "secret"}, "Choose one of the options listed."),
        ({"section": "x" * 201}, "200"),
        ({"speaker": "1", "new_name": "Sam Lee"}, "not both"),
        ({"new_affiliation": "Leeds CC"}, "Give the new speaker's name too."),
        ({"speaker": "999"}, "Choose one of the options listed."),
    ],
)
def test_invalid_item_is_refused_and_nothing_written(
    app, client, facilitator, world, overrides, message
):
    """Invalid input gets 422, the error beside its field, input kept, nothing stored."""
    before = (items_of(app), count(app, Person), count(app, ItemRevision))
    # A new speaker rides along where it may: it must not be created either.
    data = item_form(body="Keep my words", new_name="Zed Zero")
    if {"speaker", "new_affiliation"} & set(overrides):
        data["new_name"] = ""
    data.update(overrides)
    response = post_form(client, EDITOR, data)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert message in html
    assert 'class="error"' in html
    assert (items_of(app), count(app, Person), count(app, ItemRevision)) == before
    if "body" not in overrides:
        assert "Keep my words" in html


def test_edit_item(app, client, facilitator, world):
    """Editing saves a new version and keeps the old one in the history."""
    first = world["items"][0]
    url = item_url(first, "edit")
    form = client.get(url).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form
    response = post_form(
        client,
        url,
        item_form(body="First point, [reworded]{.members}", confidentiality="members", version="1"),
    )
    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(Item, first)
        assert (item.body, item.version) == ("First point, [reworded]{.members}", 2)
        assert item.confidentiality is Confidentiality.MEMBERS
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "item.confidentiality")
        )
        assert event is not None and event.target_id == first


def test_stale_edit_is_a_conflict(app, client, facilitator, world):
    """An edit started from an older version gets 409, their text shown, nothing lost."""
    first = world["items"][0]
    url = item_url(first, "edit")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    with app.app_context():  # someone else saves meanwhile
        update_item(db.session.get(Item, first), ItemFields(Kind.POINT, "Their change"), actor=None)
        db.session.commit()
    response = client.post(
        url, data={"csrf_token": token, **item_form(body="My change", version="1")}
    )
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "Someone else changed this item" in html
    assert "Their change" in html and "My change" in html
    assert 'name="version" type="hidden" value="2"' in html
    assert items_of(app)[0][1:] == ("Their change", 2)


def test_invalid_edit_is_refused(app, client, facilitator, world):
    """An edit with an empty text gets 422 and changes nothing."""
    first = world["items"][0]
    response = post_form(client, item_url(first, "edit"), item_form(body="", version="1"))
    assert response.status_code == 422
    assert "Write what was said or agreed." in response.get_data(as_text=True)
    assert items_of(app)[0][1:] == ("First point", 1)


def test_delete_item_after_confirming(app, client, facilitator, world):
    """Delete shows a confirmation page, and the POST deletes item and revisions."""
    second = world["items"][1]
    url = item_url(second, "delete")
    page = client.get(url)
    assert page.status_code == 200 and "Delete item 2?" in page.get_data(as_text=True)
    assert second in [i for i, _b, _v in items_of(app)]
    assert post_form(client, url, {}).status_code == 302
    assert second not in [i for i, _b, _v in items_of(app)]
    with app.app_context():
        assert not db.session.scalars(
            sa.select(ItemRevision).where(ItemRevision.item_id == second)
        ).all()


def test_move_up_and_down(app, client, facilitator, world):
    """Move up / Move down swap an item with its neighbour; the ends stay put."""
    first, second, third = world["items"]
    move = item_url(second, "move")
    assert post_form(client, move, {"direction": "up"}, page=EDITOR).status_code == 302
    assert [i for i, _b, _v in items_of(app)] == [second, first, third]
    post_form(client, item_url(first, "move"), {"direction": "down"}, page=EDITOR)
    assert [i for i, _b, _v in items_of(app)] == [second, third, first]
    response = post_form(client, item_url(first, "move"), {"direction": "down"}, page=EDITOR)
    assert response.status_code == 302
    assert "already last" in client.get(EDITOR).get_data(as_text=True)
    bad = post_form(client, move, {"direction": "sideways"}, page=EDITOR)
    assert bad.status_code == 422
    assert [i for i, _b, _v in items_of(app)] == [second, third, first]


def test_reorder_by_typing_positions(app, client, facilitator, world):
    """The reorder form puts the items in the order of the numbers typed."""
    first, second, third = world["items"]
    url = NOTES + "/reorder"
    data = {
        "entries-0-item_id": str(first),
        "entries-0-position": "3",
        "entries-1-item_id": str(second),
        "entries-1-position": "1",
        "entries-2-item_id": str(third),
        "entries-2-position": "2",
    }
    assert post_form(client, url, data).status_code == 302
    assert [i for i, _b, _v in items_of(app)] == [second, third, first]


def test_reorder_must_name_every_item(app, client, facilitator, world):
    """A reorder that leaves out an item (or names another meeting's) changes nothing."""
    first, second, third = world["items"]
    url = NOTES + "/reorder"
    data = {
        "entries-0-item_id": str(first),
        "entries-0-position": "2",
        "entries-1-item_id": str(world["elsewhere"]),
        "entries-1-position": "1",
    }
    response = post_form(client, url, data)
    assert response.status_code == 422
    assert "every item" in response.get_data(as_text=True)
    assert [i for i, _b, _v in items_of(app)] == [first, second, third]


def test_preview_shows_members_and_public_side_by_side(client, facilitator, world):
    """The preview holds the members' and the public's views, each as disclosed."""
    html = client.get(NOTES + "/preview").get_data(as_text=True)
    members, public = html.split('id="preview-public"')
    assert "Second, a quote" in members and "Jane Doe" not in members
    assert "First point" in public and "Second, a quote" not in public
    assert SECRET not in html and "redact-" not in html


def test_history_shows_every_version_newest_first(app, client, facilitator, world):
    """The history lists each version with its text, spans marked, newest first."""
    first = world["items"][0]
    with app.app_context():
        update_item(
            db.session.get(Item, first),
            ItemFields(Kind.POINT, "First point [with a secret]{.confidential}"),
            actor=None,
        )
        db.session.commit()
    html = client.get(item_url(first, "history")).get_data(as_text=True)
    assert html.index("Version 2") < html.index("Version 1")
    assert '<span class="redact-confidential">with a secret</span>' in html
    assert "<p>First point</p>" in html


def test_purge_history_leaves_only_the_current_version(app, client, facilitator, world):
    """Purging earlier versions removes them from the database for good."""
    first = world["items"][0]
    with app.app_context():
        item = db.session.get(Item, first)
        update_item(item, ItemFields(Kind.POINT, f"Had [{SECRET}]{{.confidential}}"), actor=None)
        update_item(item, ItemFields(Kind.POINT, "Had nothing secret"), actor=None)
        db.session.commit()
    url = item_url(first, "purge-history")
    assert "2 earlier versions" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {}).status_code == 302
    with app.app_context():
        kept = db.session.scalars(sa.select(ItemRevision).where(ItemRevision.item_id == first))
        assert [(r.version, r.body) for r in kept] == [(3, "Had nothing secret")]
        assert not db.session.scalars(
            sa.select(ItemRevision).where(
                ItemRevision.body.contains("merger"), ItemRevision.item_id == first
            )
        ).all()
    assert SECRET not in client.get(item_url(first, "history")).get_data(as_text=True)


def test_purge_item_removes_it_and_audits_without_text(app, client, facilitator, world):
    """Purging a confidential item removes item and versions; the audit has no text."""
    third = world["items"][2]
    url = item_url(third, "purge")
    assert post_form(client, url, {}).status_code == 302
    with app.app_context():
        assert db.session.get(Item, third) is None
        assert not db.session.scalars(
            sa.select(ItemRevision).where(ItemRevision.item_id == third)
        ).all()
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "item.purge"))
        assert event is not None and event.target_id == third
        assert event.actor_label == "facilitator@example.org"
        assert "merger" not in repr(event.details) + event.actor_label


def test_only_confidential_items_are_purged(app, client, facilitator, world):
    """Purging an open item is refused with 422 and leaves it in place."""
    first = world["items"][0]
    url = item_url(first, "purge")
    assert "Only confidential items are purged" in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {}, page=EDITOR)
    assert response.status_code == 422
    assert items_of(app)[0][0] == first


@pytest.mark.parametrize("action", ["edit", "delete", "history", "purge", "purge-history"])
def test_item_of_another_meeting_is_not_found(client, facilitator, world, action):
    """An item asked for under the wrong meeting's address is a 404."""
    assert client.get(item_url(world["elsewhere"], action)).status_code == 404


def editor_routes(world) -> list[tuple[str, str]]:
    first = world["items"][0]
    return [
        ("GET", EDITOR),
        ("POST", EDITOR),
        ("GET", NOTES + "/preview"),
        ("GET", NOTES + "/reorder"),
        ("POST", NOTES + "/reorder"),
        ("GET", NOTES + "/import"),
        ("POST", NOTES + "/import"),
        ("GET", NOTES + "/export"),
        *[("GET", item_url(first, a)) for a in ("edit", "delete", "history", "purge")],
        ("GET", item_url(first, "purge-history")),
        *[
            ("POST", item_url(first, a))
            for a in ("edit", "delete", "move", "purge", "purge-history")
        ],
    ]


def test_members_are_refused_every_editor_route(app, client, login_as, world):
    """A member, even of the series, gets 403 on every editor route and changes nothing."""
    login_as(Role.MEMBER, series=[world["series"]])
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    before = (items_of(app), count(app, ItemRevision))
    for method, url in editor_routes(world):
        data = {"csrf_token": token, **item_form(version="1", direction="up")}
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        assert response.status_code == 403, (method, url)
        assert SECRET not in response.get_data(as_text=True)
    assert (items_of(app), count(app, ItemRevision)) == before


def test_anonymous_is_sent_to_log_in(client, world):
    """The public asking for an editor route is sent to the login page."""
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    for method, url in editor_routes(world):
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login")


def stored_items(app, number: int) -> list[tuple]:
    """What an import must reproduce: each item's content and speaker, in order."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Item.kind, Item.body, Item.section, Item.confidentiality, Person.name)
            .join(Meeting)
            .outerjoin(Person, Item.speaker_id == Person.id)
            .where(Meeting.number == number)
            .order_by(Item.position, Item.id)
        )
        return [tuple(row) for row in rows]


def add_empty_meeting(app, world, number: int = 3) -> None:
    with app.app_context():
        series = db.session.get(Series, world["series"].id)
        db.session.add(Meeting(series=series, number=number, title="Third", date=date(2025, 3, 1)))
        db.session.commit()


def test_export_downloads_the_notes_file(client, facilitator, world):
    """Export gives every item, raw, as an attached Markdown file."""
    response = client.get(NOTES + "/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=cop-1-notes.md"
    assert response.mimetype == "text/markdown"
    text = response.get_data(as_text=True)
    assert "First point" in text and SECRET in text and "Jane Doe" in text


def test_export_then_import_by_upload_round_trips(app, client, facilitator, world):
    """An exported file uploaded into an empty meeting gives the same notes."""
    exported = client.get(NOTES + "/export").get_data()
    add_empty_meeting(app, world)
    url = "/series/cop/meetings/3/notes/import"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "file": (io.BytesIO(exported), "cop-1-notes.md"),
            "text": "",
            "mode": "refuse",
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "3 items created." in html
    assert stored_items(app, 3) == stored_items(app, 1)
    assert count(app, Person) == 1  # Jane was matched, not created again


def test_import_pasted_notes_appends_and_reports(app, client, facilitator, world):
    """Pasted notes are appended on request, with new speakers and warnings reported."""
    text = "## Later\n\nAction (Sam Lee): Write it up.\n\nQuestion [members]: Who pays?\n"
    response = post_form(client, NOTES + "/import", {"text": text, "mode": "append"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "2 items created." in html and "Sam Lee" in html
    assert stored_items(app, 1)[3:] == [
        (Kind.ACTION, "Write it up.", "Later", Confidentiality.OPEN, "Sam Lee"),
        (Kind.QUESTION, "Who pays?", "Later", Confidentiality.MEMBERS, None),
    ]


def test_import_refuses_a_meeting_with_notes(app, client, facilitator, world):
    """Importing into a meeting with items, without append or replace, writes nothing."""
    before = stored_items(app, 1)
    response = post_form(client, NOTES + "/import", {"text": "Point: More.", "mode": "refuse"})
    assert response.status_code == 422
    assert "already has 3 items" in response.get_data(as_text=True)
    assert stored_items(app, 1) == before


def test_import_error_names_the_line_and_writes_nothing(app, client, facilitator, world):
    """A file with a mistake gets 422 naming its line; no item or person is written."""
    add_empty_meeting(app, world)
    text = "Point (New Person): Fine.\n\nRant: Not a kind.\n"
    url = "/series/cop/meetings/3/notes/import"
    response = post_form(client, url, {"text": text, "mode": "refuse"})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "line 3:" in html and "'Rant:' is not a kind of item" in html
    assert text.splitlines()[0] in html  # the pasted text is kept
    assert stored_items(app, 3) == [] and count(app, Person) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "mode": "refuse"}, "Choose a notes file to upload"),
        ({"text": "Point: x", "mode": "merge"}, "Choose one of the options listed."),
    ],
)
def test_import_form_is_checked(app, client, facilitator, world, data, message):
    """An import with nothing to import, or an unknown mode, is refused with 422."""
    response = post_form(client, NOTES + "/import", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_import_refuses_other_file_types(app, client, facilitator, world):
    """Only .md and .txt files are taken."""
    url = NOTES + "/import"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "file": (io.BytesIO(b"Point: x"), "notes.docx"),
            "mode": "append",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Upload a .md or .txt file." in response.get_data(as_text=True)
    assert len(stored_items(app, 1)) == 3


def test_saving_an_item_deleted_meanwhile_is_not_found(app, client, facilitator, world):
    """Saving an item someone else deleted since the form was opened is a 404, nothing made."""
    first = world["items"][0]
    url = item_url(first, "edit")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    with app.app_context():
        db.session.delete(db.session.get(Item, first))
        db.session.commit()
    response = client.post(url, data={"csrf_token": token, **item_form(version="1")})
    assert response.status_code == 404
    assert first not in [i for i, _b, _v in items_of(app)] and count(app, ItemRevision) == 3


@pytest.mark.parametrize(
    "url",
    [
        "/series/cop/meetings/99999999999999999999/notes",
        "/series/cop/meetings/99999999999999999999/notes/edit",
        NOTES + "/items/99999999999999999999/edit",
    ],
)
def test_numbers_too_large_for_the_database_are_not_found(client, facilitator, world, url):
    """An id or number beyond the database's integers is a 404, not a server error."""
    assert client.get(url).status_code == 404
