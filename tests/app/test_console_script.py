"""The installed `notesbase` command works without --app, from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.loopback_support import free_port

NOTESBASE = Path(sys.executable).with_name("notesbase")


def _env(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESBASE_")}
    env["NOTESBASE_INSTANCE_PATH"] = str(instance)
    return env


@pytest.fixture
def command(tmp_path):
    if not NOTESBASE.exists():
        pytest.fail(f"the notesbase console script is not installed beside {sys.executable}")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(NOTESBASE), *args],
            cwd=tmp_path,
            env=_env(tmp_path / "instance"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run


def test_help_lists_the_commands(command):
    """`notesbase --help` shows the project's commands and none of Flask's."""
    result = command("--help")
    assert result.returncode == 0, result.stderr
    for name in ("db", "user", "import", "demo", "run"):
        assert f"  {name} " in result.stdout
    for name in ("routes", "shell", "limiter"):
        assert f"  {name} " not in result.stdout


def test_db_upgrade_in_moved_instance(command, tmp_path):
    """`notesbase db upgrade` creates the database inside NOTESBASE_INSTANCE_PATH."""
    result = command("db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "instance" / "notesbase.sqlite3").exists()
    assert "up to date" in command("db", "current").stdout


def test_bad_command_line_is_a_message_not_a_traceback(command):
    """A bad revision exits non-zero with a one-line error."""
    result = command("db", "upgrade", "nonsense")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "nonsense" in result.stderr


def test_run_serves_on_the_given_port(command, tmp_path):
    """`notesbase run --port P` serves the app on that port."""
    assert command("db", "upgrade").returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [str(NOTESBASE), "run", "--port", str(port)],
        cwd=tmp_path,
        env=_env(tmp_path / "instance"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200
                    assert b"notesbase" in response.read()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_commands_on_an_unmigrated_database_explain_themselves(command):
    """Before `db upgrade`, commands say what to do instead of printing a traceback."""
    page = Path(__file__).resolve().parents[1] / "fixtures" / "events"
    for args in (("user", "list"), ("import", "events", str(page)), ("demo",)):
        result = command(*args)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr, args
        assert "notesbase db upgrade" in result.stderr, args
