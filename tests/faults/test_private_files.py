"""What the app writes to disk for its owner alone (a backup, with password
hashes and confidential notes; exports; the email outbox) is owner-only
from the moment it exists, whatever the umask: files 0600, folders 0700.

Each case runs under umask 022 (the usual one, under which files came out
0644) and 000 (the worst). On the suite's engine: SQLite, or PostgreSQL
with ``pg_dump`` when ``NOTESBASE_TEST_DATABASE_URL`` is set."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from notesbase import private_files
from notesbase.publishing.circulation import mail, mail_headers, mail_settings
from tests.faults.backup_support import populate, run, tools_or_skip
from tests.publishing.circulation.circulation_support import parse

UMASKS = [0o022, 0o000]

# Backups follow the suite's engine (pg_dump on PostgreSQL).
pytestmark = pytest.mark.database


@pytest.fixture(params=UMASKS, ids=lambda umask: f"umask {umask:03o}")
def umask(request) -> Iterator[int]:
    before = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(before)


def modes(root: Path) -> dict[str, int]:
    """Every file and folder under ``root`` (itself too), with its mode."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def assert_owner_only(root: Path) -> dict[str, int]:
    found = modes(root)
    for name, mode in found.items():
        expected = 0o700 if (root / name).is_dir() else 0o600
        assert mode == expected, f"{name}: {mode:03o}"
    return found


def test_a_backup_is_owner_only_throughout(instances, tmp_path, umask):
    """The folder, the database copy (or dump), the manifest, the notes
    folder and every notes file in it."""
    tools_or_skip()
    source = instances.make("source")
    populate(source)
    target = tmp_path / "backup"
    result = run(source, "backup", str(target))
    assert result.exit_code == 0, result.output
    found = assert_owner_only(target)
    assert {"manifest.json", "notes"} <= set(found)
    assert any(name.startswith("database.") for name in found)
    assert sum(name.startswith("notes/") and name.endswith(".md") for name in found) >= 3


@pytest.mark.parametrize(
    "command",
    [
        ["export", "notes", "cop", "1"],
        ["export", "notes-md", "cop", "1"],
        ["export", "writeup", "cop", "1"],
    ],
)
def test_exports_written_to_disk_are_owner_only(instances, tmp_path, umask, command):
    """``-o FILE``: a new file, and one that was there readable by all
    (replaced whole, never left readable while the notes go in)."""
    source = instances.make("source")
    populate(source)
    folder = private_files.make_folder(tmp_path / "exports")
    for name in ("new.md", "existing.md"):
        output = folder / name
        if name == "existing.md":
            output.write_text("old, readable by all\n")
            output.chmod(0o644)
        result = run(source, *command, "-o", str(output))
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(output.stat().st_mode) == 0o600, (command, name)
        assert "old, readable" not in output.read_text()
    assert sorted(p.name for p in folder.iterdir()) == ["existing.md", "new.md"]


def test_the_outbox_is_owner_only(tmp_path, umask):
    """Each .eml file 0600 and the outbox folder 0700, even when an older
    outbox folder was left readable by all."""
    settings = mail_settings.MailSettings.from_config({}, str(tmp_path))
    settings.outbox.mkdir()
    settings.outbox.chmod(0o755)
    message = EmailMessage()
    mail_headers.put_header(message, "Subject", mail_headers.text_header("Subject", "Private"))
    mail_headers.put_header(
        message, "To", mail_headers.address_header("To", "Ada", "ada@example.org")
    )
    message.set_content("Confidential.\n")
    with mail.connect(settings) as transport:
        transport.send(message)
        transport.send(message)
    found = assert_owner_only(settings.outbox)
    assert len([name for name in found if name.endswith(".eml")]) == 2
    for path in settings.outbox.glob("*.eml"):
        assert parse(path.read_bytes()).get_content() == "Confidential.\r\n"  # as sent


def test_writing_a_special_file_writes_into_it(tmp_path, umask):
    """``-o /dev/stdout`` and the like: written into, never replaced."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o600)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        private_files.write_replacing(fifo, "through the pipe\n")
        assert os.read(reader, 100) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
