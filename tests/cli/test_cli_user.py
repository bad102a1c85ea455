"""``notesbase user add|list|deactivate|invite``: each works, and each bad input
is a non-zero exit with a clear message that writes nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from notesbase.auth.passwords import verify_password
from notesbase.db import db
from notesbase.models import Invite, Member, Role
from tests.conftest import PASSWORD, post_form

PASSPHRASE = "a long passphrase typed on the command line " * 5


def members(app):
    with app.app_context():
        return {
            m.email: (m.display_name, m.role, m.active, [s.slug for s in m.series])
            for m in db.session.scalars(sa.select(Member).order_by(Member.email))
        }


def add(runner, *args, password=PASSPHRASE + "\n"):
    return runner.invoke(args=["user", "add", *args, "--password-stdin"], input=password)


def test_add_creates_an_account_that_can_log_in(app, runner, client, make_series):
    """``user add`` with series and a 200+ character password read from stdin."""
    make_series("cop", "Community of Practice")
    make_series("board", "Board")
    result = add(
        runner,
        "New.Person@Example.org",
        "--name",
        "New Person",
        "--role",
        "facilitator",
        "--series",
        "cop",
        "--series",
        "board",
    )
    assert result.exit_code == 0, result.output
    assert "Added new.person@example.org as facilitator" in result.output
    assert members(app) == {
        "new.person@example.org": ("New Person", Role.FACILITATOR, True, ["board", "cop"])
    }
    with app.app_context():
        stored = db.session.scalar(sa.select(Member.password_hash))
        assert verify_password(stored, PASSPHRASE)
    login = post_form(client, "/login", {"email": "new.person@example.org", "password": PASSPHRASE})
    assert login.status_code == 302


def test_add_keeps_spaces_but_not_the_line_ending(app, runner):
    """Only the newline is taken off the password; surrounding spaces are part of it."""
    result = add(runner, "a@example.org", "--name", "A", password="  spaced passphrase  \r\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.scalar(sa.select(Member.password_hash))
        assert verify_password(stored, "  spaced passphrase  ")


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (
            ["a@example.org", "--name", "A", "--series", "nope"],
            None,
            "No series with the slug nope",
        ),
        (["taken@example.org", "--name", "A"], None, "already an account for taken@example.org"),
        (["TAKEN@example.org ", "--name", "A"], None, "already an account"),
        (["a@example.org", "--name", "A", "--role", "owner"], None, "Invalid value for '--role'"),
        (["not-an-email", "--name", "A"], None, "not a valid email address"),
        (["a@example.org", "--name", "   "], None, "Enter a name."),
        (["a@example.org", "--name", "A"], "short\n", "at least 10 characters"),
        (["a@example.org", "--name", "A"], "x" * 1025 + "\n", "at most 1024 characters"),
        (["a@example.org", "--name", "A"], "", "No password on standard input"),
        (["a@example.org", "--name", "A"], "\n", "No password on standard input"),
    ],
    ids=[
        "unknown-series",
        "duplicate",
        "duplicate-differently-written",
        "bad-role",
        "bad-email",
        "blank-name",
        "short-password",
        "long-password",
        "no-password",
        "empty-password",
    ],
)
def test_add_refuses_bad_input_and_writes_nothing(
    app, runner, make_member, args, password, message
):
    """Each bad input exits non-zero with a clear message; no account is written."""
    make_member("taken@example.org")
    before = members(app)
    result = add(runner, *args, password=PASSPHRASE + "\n" if password is None else password)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert members(app) == before


def test_add_without_password_stdin_is_refused(app, runner):
    """Without --password-stdin nothing is created and the message says what to do."""
    result = runner.invoke(args=["user", "add", "a@example.org", "--name", "A"])
    assert result.exit_code != 0
    assert "--password-stdin" in result.output
    assert members(app) == {}


def test_list_shows_a_table(runner, make_member, make_series):
    """``user list`` prints one aligned row per account, with a header."""
    cop = make_series("cop", "Community of Practice")
    make_member("zed@example.org", name="Zed", role=Role.ADMIN, series=[cop])
    make_member("amy@example.org", name="Amy", active=False)
    result = runner.invoke(args=["user", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["EMAIL", "NAME", "ROLE", "STATUS", "SERIES", "LAST", "LOGIN"]
    assert lines[1].split() == ["amy@example.org", "Amy", "member", "deactivated", "-", "never"]
    assert lines[2].split() == ["zed@example.org", "Zed", "admin", "active", "cop", "never"]
    assert lines[0].index("NAME") == lines[1].index("Amy") == lines[2].index("Zed")


def test_list_with_no_accounts(runner):
    """An empty database says so."""
    result = runner.invoke(args=["user", "list"])
    assert result.exit_code == 0
    assert "No accounts yet." in result.output


def test_deactivate_ends_sessions(app, runner, client, make_member, auth):
    """``user deactivate`` stops the member and their open login stops working."""
    make_member("member@example.org")
    auth.login()
    assert client.get("/account").status_code == 200
    result = runner.invoke(args=["user", "deactivate", "Member@Example.org"])
    assert result.exit_code == 0, result.output
    assert "ended 1 login session" in result.output
    assert client.get("/account").status_code == 302
    assert members(app)["member@example.org"][2] is False
    assert auth.login().status_code == 401


def test_deactivate_unknown_email(runner):
    """An unknown email is a non-zero exit with a clear message."""
    result = runner.invoke(args=["user", "deactivate", "ghost@example.org"])
    assert result.exit_code != 0
    assert "No account for ghost@example.org." in result.output


LINK = re.compile(r"^(https?://\S+/invite/([A-Za-z0-9_-]+))$", re.MULTILINE)


def test_invite_prints_a_working_link(app, runner, make_series):
    """``user invite`` prints a link built from SERVER_NAME that the invitee can use."""
    make_series("cop", "Community of Practice")
    result = runner.invoke(
        args=["user", "invite", "New@Example.org", "--role", "facilitator", "--series", "cop"]
    )
    assert result.exit_code == 0, result.output
    match = LINK.search(result.output)
    assert match and match.group(1).startswith("http://localhost/invite/")
    with app.app_context():
        invite = db.session.scalar(sa.select(Invite))
        assert invite.email == "new@example.org" and invite.role is Role.FACILITATOR
        assert [s.slug for s in invite.series] == ["cop"]
    browser = app.test_client()
    response = post_form(
        browser,
        f"/invite/{match.group(2)}",
        {"display_name": "New", "new_password": PASSWORD, "confirm_password": PASSWORD},
    )
    assert response.status_code == 302
    assert members(app)["new@example.org"] == ("New", Role.FACILITATOR, True, ["cop"])


def test_invite_with_base_url(app, runner):
    """--base-url decides the link's scheme, host and path prefix."""
    result = runner.invoke(
        args=["user", "invite", "new@example.org", "--base-url", "https://notes.example.net/net/"]
    )
    assert result.exit_code == 0, result.output
    match = LINK.search(result.output)
    assert match and match.group(1).startswith("https://notes.example.net/net/invite/")


def test_invite_uses_base_url_from_configuration(app, runner, monkeypatch):
    """BASE_URL in the configuration serves when no --base-url is given."""
    monkeypatch.delenv("NOTESBASE_BASE_URL", raising=False)
    app.config["SERVER_NAME"] = None
    app.config["BASE_URL"] = "https://notes.example.com"
    result = runner.invoke(args=["user", "invite", "new@example.org"])
    assert result.exit_code == 0, result.output
    match = LINK.search(result.output)
    assert match and match.group(1).startswith("https://notes.example.com/invite/")


def test_invite_needs_to_know_the_sites_address(app, runner, monkeypatch):
    """Without SERVER_NAME or --base-url the command explains itself and writes nothing."""
    monkeypatch.delenv("NOTESBASE_BASE_URL", raising=False)
    app.config["SERVER_NAME"] = None
    result = runner.invoke(args=["user", "invite", "new@example.org"])
    assert result.exit_code != 0
    assert "--base-url" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["taken@example.org"], "already an account for taken@example.org"),
        (["bad-email"], "not a valid email address"),
        (["a@example.org", "--series", "nope"], "No series with the slug nope"),
        (["a@example.org", "--role", "owner"], "Invalid value for '--role'"),
        (["a@example.org", "--base-url", "notes.example.net"], "--base-url"),
    ],
    ids=["existing-account", "bad-email", "unknown-series", "bad-role", "bad-base-url"],
)
def test_invite_refuses_bad_input(app, runner, make_member, args, message):
    """Each bad input exits non-zero with a clear message; no invitation is written."""
    make_member("taken@example.org")
    result = runner.invoke(args=["user", "invite", *args])
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 0
