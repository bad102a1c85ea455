"""Who may download an archive, on the web, through the API and on the
command line; every download audited; bad input refused cleanly."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.models import AuditEvent, Member
from tests.conftest import csrf_token_from
from tests.privacy.subject_access.access_support import (
    GUEST,
    MEMBER_EMAIL,
    archive_json,
    leaks,
)

PEOPLE = "/people/{id}"


def _events(app: Any) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "person.subject_access")
            )
        )


def _post_from(client: Any, page: str, url: str) -> Any:
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def _assert_download(response: Any) -> bytes:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    return response.data


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_facilitators_and_admins_download_anyones_archive(app, client, auth, world, role):
    """From the person's page, a POST with the CSRF token gives the zip, audited."""
    auth.login(f"{role}@example.org")
    page = PEOPLE.format(id=world["gwen"])
    data = _assert_download(_post_from(client, page, f"{page}/subject-access"))
    assert archive_json(data)["person"]["name"] == GUEST
    assert leaks(app, data, world["harold"]) == []
    [event] = _events(app)
    assert event.target_id == world["gwen"] and event.details["asked_by"] == role
    assert event.details["via"] == "web" and event.actor_label == f"{role}@example.org"


def test_the_button_is_on_the_persons_page_and_on_my_attributions(client, auth, world):
    auth.login("facilitator@example.org")
    page = client.get(PEOPLE.format(id=world["gwen"])).get_data(as_text=True)
    assert f"/people/{world['gwen']}/subject-access" in page
    auth.logout()
    auth.login(MEMBER_EMAIL)
    assert "/me/attributions/subject-access" in client.get("/me/attributions").get_data(
        as_text=True
    )


def test_a_member_downloads_her_own_from_my_attributions(app, client, auth, world):
    auth.login(MEMBER_EMAIL)
    data = _assert_download(
        _post_from(client, "/me/attributions", "/me/attributions/subject-access")
    )
    assert archive_json(data)["person"]["id"] == world["mina"]
    [event] = _events(app)
    assert event.details["asked_by"] == "self" and event.target_id == world["mina"]


def test_a_member_cannot_fetch_anyone_elses(client, auth, world):
    """Another person's archive is refused to a member, and nothing is audited."""
    auth.login(MEMBER_EMAIL)
    token = csrf_token_from(client.get("/me/attributions").get_data(as_text=True))
    for person in (world["gwen"], world["harold"], 999_999):
        response = client.post(f"/people/{person}/subject-access", data={"csrf_token": token})
        assert response.status_code in (403, 404)
        assert response.mimetype != "application/zip"


def test_a_member_with_no_person_gets_404(app, client, auth, world):
    auth.login("outsider@example.org")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post("/me/attributions/subject-access", data={"csrf_token": token})
    assert response.status_code == 404
    assert _events(app) == []


def test_logged_out_is_sent_to_log_in(app, client, world):
    for url in (f"/people/{world['gwen']}/subject-access", "/me/attributions/subject-access"):
        response = client.post(url)
        assert response.status_code in (302, 400)
        assert response.mimetype != "application/zip"
    assert _events(app) == []


def test_without_the_csrf_token_nothing_is_given(app, client, auth, world):
    auth.login("facilitator@example.org")
    response = client.post(f"/people/{world['gwen']}/subject-access")
    assert response.status_code == 400 and response.mimetype != "application/zip"
    response = client.get(f"/people/{world['gwen']}/subject-access")
    assert response.status_code == 405
    assert _events(app) == []


def test_unknown_person_is_404(app, client, auth, world):
    auth.login("admin@example.org")
    response = _post_from(client, "/", "/people/999999/subject-access")
    assert response.status_code == 404
    assert _events(app) == []


def _token(app: Any, email: str) -> str:
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        _, secret = tokens.create_token(member, "test", actor=None)
        db.session.commit()
        return secret


def test_api_for_facilitators_and_for_oneself(app, client, world):
    bearer = {"Authorization": f"Bearer {_token(app, 'facilitator@example.org')}"}
    data = _assert_download(
        client.get(f"/api/v1/people/{world['gwen']}/subject-access", headers=bearer)
    )
    assert archive_json(data)["person"]["id"] == world["gwen"]
    missing = client.get("/api/v1/people/999999/subject-access", headers=bearer)
    assert missing.status_code == 404 and missing.is_json
    mine = {"Authorization": f"Bearer {_token(app, MEMBER_EMAIL)}"}
    data = _assert_download(client.get("/api/v1/me/subject-access", headers=mine))
    assert archive_json(data)["person"]["id"] == world["mina"]
    refused = client.get(f"/api/v1/people/{world['gwen']}/subject-access", headers=mine)
    assert refused.status_code == 403 and refused.is_json
    assert client.get("/api/v1/me/subject-access").status_code == 401
    nobody = {"Authorization": f"Bearer {_token(app, 'outsider@example.org')}"}
    assert client.get("/api/v1/me/subject-access", headers=nobody).status_code == 404
    vias = sorted(e.details["via"] for e in _events(app))
    assert vias == ["api", "api"]


def test_cli_by_id_and_by_email(app, runner, world, tmp_path):
    out = tmp_path / "gwen.zip"
    result = runner.invoke(args=["subject-access", str(world["gwen"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert archive_json(out.read_bytes())["person"]["name"] == GUEST
    out2 = tmp_path / "mina.zip"
    result = runner.invoke(args=["subject-access", MEMBER_EMAIL.upper(), "--out", str(out2)])
    assert result.exit_code == 0, result.output
    assert archive_json(out2.read_bytes())["person"]["id"] == world["mina"]
    [first, _second] = _events(app)
    assert first.actor_label == "command line" and first.details["asked_by"] == "command line"


@pytest.mark.parametrize(
    ("person", "message"),
    [
        ("nobody@example.org", "No person has"),
        ("not-an-email", "neither"),
        ("999999", "There is no person"),
    ],
)
def test_cli_refuses_bad_input(app, runner, world, tmp_path, person, message):
    out = tmp_path / "x.zip"
    result = runner.invoke(args=["subject-access", person, "--out", str(out)])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output and not out.exists()
    assert _events(app) == []


def test_cli_never_overwrites(app, runner, world, tmp_path):
    out = tmp_path / "there.zip"
    out.write_bytes(b"keep")
    result = runner.invoke(args=["subject-access", str(world["gwen"]), "--out", str(out)])
    assert result.exit_code != 0 and "exists" in result.output
    assert out.read_bytes() == b"keep" and _events(app) == []
