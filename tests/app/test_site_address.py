"""The site's address (``BASE_URL``): checked when the app starts, with a
clear message and no traceback; what it is when unset (SERVER_NAME's, the
address the server listens on, else http://localhost), never the Host
header of a request."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from notesbase import create_app, site
from notesbase.cli import cli
from notesbase.serving import bind_address
from tests.conftest import make_test_config

BAD_ADDRESSES = [
    "notes.example.org",
    "//notes.example.org",
    "ftp://notes.example.org",
    "javascript:alert(1)",
    "https://",
    "https:///path-only",
    "https://notes.example.org/?page=1",
    "https://notes.example.org/#top",
    "https://notes.example.org?",
    "https://admin:secret@notes.example.org",
    "https://notes.example.org:99999",
    "https://notes.example.org:http",
    "https://notes example.org",
    "https://notes.example.org/a b",
    "https://nötes.example.org",
    "https://notes.example.org\r\nBcc: x@evil.example",
    "https://notes.example.org\u2028",
    "https://notes.example.org\x00",
    "htps://notes.example.org",
    12345,
    ["https://notes.example.org"],
]


@pytest.mark.parametrize("value", BAD_ADDRESSES)
def test_a_base_url_that_is_no_site_address_stops_the_start(tmp_path, value):
    """Anything but an absolute http(s) URL without query or fragment is
    refused when the app is built, naming the setting and an example."""
    with pytest.raises(site.ConfigError) as refused:
        create_app(make_test_config(tmp_path, "sqlite://", BASE_URL=value))
    message = str(refused.value)
    assert message.startswith("BASE_URL must be the site's public address")
    assert site.EXAMPLE in message
    assert "\n" not in message and "\r" not in message.replace("\\r", "")


@pytest.mark.parametrize(
    "value", ["notes.example.org", "https://notes.example.org/#x", "ftp://x.org"]
)
def test_the_command_line_says_what_is_wrong_without_a_traceback(tmp_path, clean_env, value):
    """NOTESBASE_BASE_URL wrong: any command ends with the one-line reason."""
    clean_env.setenv("NOTESBASE_INSTANCE_PATH", str(tmp_path))
    clean_env.setenv("NOTESBASE_SECRET_KEY", "x")
    clean_env.setenv("NOTESBASE_BASE_URL", value)
    result = CliRunner().invoke(cli, ["user", "list"])
    assert result.exit_code == 1
    assert "Error: BASE_URL must be the site's public address" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("https://notes.example.org", "https://notes.example.org"),
        ("HTTPS://Notes.Example.ORG/", "https://notes.example.org"),
        ("  https://notes.example.org/network/  ", "https://notes.example.org/network"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("https://xn--ntes-5qa.example.org", "https://xn--ntes-5qa.example.org"),
        ("", None),
        (None, None),
    ],
)
def test_a_site_address_is_kept_in_one_spelling(tmp_path, value, stored):
    """Scheme and host in lower case, no trailing slash: one spelling, so
    two ways of writing the same address give the same ids."""
    app = create_app(make_test_config(tmp_path, "sqlite://", BASE_URL=value))
    assert app.config["BASE_URL"] == stored


def test_the_environment_variable_sets_it(tmp_path, clean_env):
    clean_env.setenv("NOTESBASE_BASE_URL", "https://notes.example.org/network/")
    app = create_app({"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["BASE_URL"] == "https://notes.example.org/network"
    with app.app_context():
        assert site.base_url() == "https://notes.example.org/network"
        assert site.host() == "notes.example.org"


def test_unset_it_comes_from_server_name_then_the_server_then_localhost(tmp_path):
    """The order when BASE_URL is unset, and only the last is 'unknown'."""
    app = create_app(
        make_test_config(
            tmp_path, "sqlite://", SERVER_NAME="notes.example.org:8443", APPLICATION_ROOT="/n"
        )
    )
    app.config["PREFERRED_URL_SCHEME"] = "https"
    site.record_served_at(app, "http://127.0.0.1:5000")
    with app.app_context():
        assert site.base_url() == "https://notes.example.org:8443/n"
        app.config["SERVER_NAME"] = None
        assert site.base_url() == "http://127.0.0.1:5000"
        assert site.configured_base_url() is None
        app.extensions.pop(site.SERVED_AT)
        assert site.known_base_url() is None
        assert site.base_url() == "http://localhost"
        app.config["BASE_URL"] = "https://notes.example.org"
        assert site.base_url() == "https://notes.example.org"


def test_within_a_request_the_host_header_changes_nothing(tmp_path):
    """Built during requests that came in on other names: the same URL."""
    app = create_app(
        make_test_config(tmp_path, "sqlite://", SERVER_NAME=None, BASE_URL="https://n.example")
    )
    seen = set()
    for host in ("localhost", "127.0.0.1:5000", "evil.example", "n.example:80"):
        with app.test_request_context("/", headers={"Host": host}):
            seen.add(site.url_for_site("meetings.series", slug="cop"))
    assert seen == {"https://n.example/series/cop"}


@pytest.mark.parametrize(
    ("bind", "address"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("0.0.0.0:80", "http://localhost:80"),
        ("[::]:8000", "http://localhost:8000"),
        ("[::1]:9000", "http://[::1]:9000"),
        ("notes.internal", "http://notes.internal:8000"),
        ("unix:/run/notesbase.sock", None),
        ("fd://3", None),
    ],
)
def test_the_address_a_server_listens_on(bind, address):
    """``notesbase serve --bind``: the address a browser here would use."""
    assert bind_address(bind) == address


@pytest.mark.parametrize("command", [["serve", "--workers", "1"], ["run", "--no-reload"]])
def test_a_server_with_a_wrong_base_url_does_not_start(tmp_path, command):
    """``notesbase serve`` and ``notesbase run`` stop at once with the
    one-line reason (before listening), not a traceback or a server whose
    feeds carry a wrong address."""
    notesbase = Path(sys.executable).with_name("notesbase")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESBASE_")}
    env.update(
        NOTESBASE_INSTANCE_PATH=str(tmp_path),
        NOTESBASE_SECRET_KEY="x",
        NOTESBASE_BASE_URL="notes.example.org/network",
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = ["--bind", f"127.0.0.1:{port}"] if command[0] == "serve" else ["--port", str(port)]
    done = subprocess.run(
        [str(notesbase), *command, *address],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "BASE_URL must be the site's public address" in done.stderr
    assert "'notes.example.org/network' does not start with http:// or https://" in done.stderr
    assert "Traceback" not in done.stderr
