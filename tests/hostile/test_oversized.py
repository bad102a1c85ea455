"""Oversized input is refused, never half-stored: a request body past
``MAX_CONTENT_LENGTH`` (a form or an upload) is a 413 page, one past the
API's limit a 413 in the API's JSON error shape; a field over its own limit
is the form shown again with its message (422); a notes file with more
items than any meeting has is refused before anything is written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.models import Item, Meeting, Member, Person, Role, Series, Topic, Writeup
from notesbase.notes.notesfile.records import MAX_ITEMS
from tests.conftest import csrf_token_from, post_form
from tests.hostile.world_support import add_meeting

NOTES = "/series/cop/meetings/1/notes"
TOO_BIG = 3 * 1024 * 1024  # over MAX_CONTENT_LENGTH (2 MB)


@pytest.fixture
def facilitator(app, client, login_as) -> Member:
    """Series "cop" with an empty meeting 1, and the client logged in as a facilitator."""
    add_meeting(app)
    return login_as(Role.FACILITATOR)


def _rows(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Series, Meeting, Topic, Item, Person, Writeup)
        }


def _upload(client, url: str, data: bytes, name: str = "notes.md"):
    """Post ``data`` as an uploaded file, the body encoded here: the test
    client would spool a big upload to a temporary file it never closes."""
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    boundary = "hostile-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'
        for field, value in (("csrf_token", token), ("mode", "refuse"))
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/markdown\r\n\r\n"
    )
    body = "".join(parts).encode() + head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_oversized_form_and_upload_are_413_pages(app, client, facilitator):
    """A form or an upload over the request limit gets the friendly 413
    page (HTML, a message, no traceback) and nothing is stored."""
    before = _rows(app)
    response = post_form(
        client, "/series/new", {"title": "Big", "slug": "big", "description": "x" * TOO_BIG}
    )
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "too large" in page and "Traceback" not in page
    response = _upload(client, NOTES + "/import", b"Point: x\n\n" * (TOO_BIG // 10))
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert _rows(app) == before


def test_oversized_api_body_is_a_413_in_the_api_shape(app, client, facilitator):
    """Past the API's 1 MB, and past the request limit, the answer is the
    API's JSON error (413) and nothing is stored."""
    with app.app_context():
        member = db.session.get(Member, facilitator.id)
        _, token = tokens.create_token(member, actor=None)
        db.session.commit()
    before = _rows(app)
    for size in (1024 * 1024 + 100, TOO_BIG):
        response = client.post(
            "/api/v1/series",
            json={"slug": "big", "title": "Big", "description": "x" * size},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 413, size
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]["status"] == 413
    assert _rows(app) == before


def test_fields_over_their_limits_are_422_form_errors(app, client, facilitator):
    """Each field over its own limit: the form again with its message
    (422), never a 500, nothing stored."""
    before = _rows(app)
    meeting = {"number": "2", "title": "T", "date": "2025-02-01", "timezone": "Europe/London"}
    item = {"kind": "point", "body": "b", "confidentiality": "open", "speaker": ""}
    for url, data in [
        ("/series/new", {"title": "t" * 201, "slug": "t"}),
        ("/series/new", {"title": "T", "slug": "t" * 81}),
        ("/series/new", {"title": "T", "slug": "t", "description": "d" * 50_001}),
        ("/series/cop/meetings/new", {**meeting, "title": "t" * 201}),
        ("/series/cop/meetings/new", {**meeting, "topics": "t" * 121}),
        ("/series/cop/meetings/new", {**meeting, "theme": "t" * 301}),
        ("/series/cop/meetings/new", {**meeting, "registration_url": "javascript:alert(1)"}),
        (NOTES + "/edit", {**item, "body": "b" * 20_001}),
        (NOTES + "/edit", {**item, "section": "s" * 201}),
        (NOTES + "/edit", {**item, "new_name": "n" * 201}),
        ("/people/new", {"name": "n" * 201}),
        ("/people/new", {"name": "N", "affiliation": "a" * 201}),
        ("/series/cop/meetings/1/writeup/edit", {"summary": "s" * 20_001, "version": "0"}),
    ]:
        response = post_form(client, url, data)
        assert response.status_code == 422, (url, list(data), response.status_code)
    assert _rows(app) == before


def test_notes_file_with_too_many_items_is_refused(app, client, runner, facilitator, tmp_path):
    """A notes file of more items than any meeting has (2 MB holds a hundred
    thousand) is refused at once, on the web (422) and the command line
    (exit 1, one line), before anything is written."""
    text = "Point: x\n\n" * (MAX_ITEMS + 1)
    response = _upload(client, NOTES + "/import", text.encode())
    assert response.status_code == 422
    assert f"at most {MAX_ITEMS:,}" in response.get_data(as_text=True)
    path = tmp_path / "many.md"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import", "notes", str(path), "--series", "cop", "--meeting", "1"])
    assert result.exit_code == 1
    assert f"at most {MAX_ITEMS:,}" in result.output
    assert _rows(app)["Item"] == 0


def test_out_of_range_values_in_urls_are_not_found_or_refused(app, client, login_as):
    """A number past the database's range in a page's path is a 404 for any
    method (not a 405 naming methods that cannot succeed either), a NUL in a
    slug is a 404, and a date past any calendar in a search is a 400."""
    login_as(Role.FACILITATOR)
    post_form(client, "/series/new", {"title": "Community", "slug": "cop"})
    big = "/series/cop/meetings/2147483648/writeup"
    assert client.post(big).status_code == 404
    assert client.get(big).status_code == 404
    assert client.get("/series/co%00p").status_code == 404
    assert client.get("/search", query_string={"q": "x", "from": "9" * 20}).status_code == 400
    assert (
        client.get("/api/v1/search", query_string={"q": "x", "from": "9" * 20}).status_code == 400
    )
