"""Renders kept beyond a process (``disclosure.bodies``, ``notesbase.renders``):
found by a key made from all a render is made from, so nothing seen under one
set of consents, audience or text is ever served under another; never kept
across an emptying; and a damaged or locked file is done without."""

from __future__ import annotations

import importlib
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from notesbase import renders as renders_module
from notesbase.disclosure import Audience, Level, bodies
from notesbase.disclosure.matching import Matcher
from notesbase.renders import RenderStore
from tests.disclosure.builders_support import (
    both,
    counting_renders,
    only_html,
    store_bytes,
    view_of,
)

disclose_module = importlib.import_module("notesbase.disclosure.disclose")

BODY = "Jane Doe from Open Data Manchester said the pilot worked."


@dataclass
class Kept:
    store: RenderStore
    rendered: list[tuple[str, Audience]]

    def another_process(self) -> None:
        """What a process of its own would have: none of this one's renders."""
        disclose_module._BODIES.clear()

    def rows(self) -> int:
        with sqlite3.connect(self.store.path) as connection:
            return int(connection.execute("SELECT count(*) FROM bodies").fetchone()[0])


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kept]:
    store = RenderStore(tmp_path / "renders.sqlite", max_rows=1_000)
    bound = renders_module._Bound(store, store.token())
    monkeypatch.setattr(bodies, "_current", lambda: bound)
    rendered = counting_renders(monkeypatch)
    yield Kept(store, rendered)


def test_a_render_kept_is_found_by_another_process(kept: Kept) -> None:
    first = view_of(BODY, Audience.MEMBER, grants=both(Level.NAMED))
    kept.another_process()
    second = view_of(BODY, Audience.MEMBER, grants=both(Level.NAMED))
    assert first == second
    assert "Jane Doe" in only_html(second)
    assert kept.rendered == [(BODY, Audience.MEMBER)]
    assert kept.rows() == 1


def test_a_withdrawal_is_never_served_from_a_kept_render(kept: Kept) -> None:
    assert "Jane Doe" in only_html(view_of(BODY, Audience.MEMBER, grants=both(Level.NAMED)))
    kept.another_process()
    withdrawn = only_html(view_of(BODY, Audience.MEMBER, grants=[]))
    assert "Jane" not in withdrawn
    assert "Manchester" not in withdrawn
    assert len(kept.rendered) == 2


def test_a_render_for_members_is_never_served_to_the_public(kept: Kept) -> None:
    body = "The pilot ran in [Northtown]{.members} last spring."
    assert "Northtown" in only_html(view_of(body, Audience.MEMBER))
    kept.another_process()
    assert "Northtown" not in only_html(view_of(body, Audience.PUBLIC))


def test_a_look_alike_body_is_another_key(kept: Kept) -> None:
    """A Cyrillic 'а' makes another body: rendered for itself, scrubbed."""
    view_of(BODY, Audience.PUBLIC)
    kept.another_process()
    spoofed = BODY.replace("Jane", "J\u0430ne")
    assert "J\u0430ne" not in only_html(view_of(spoofed, Audience.PUBLIC))
    assert [body for body, _ in kept.rendered] == [BODY, spoofed]


def test_the_key_holds_everything_a_render_is_made_from() -> None:
    rules = Matcher({"jane doe": "a participant"}).rules
    key = bodies.body_key(BODY, Audience.MEMBER, rules)
    assert key == bodies.body_key(BODY, Audience.MEMBER, rules)
    assert key != bodies.body_key(BODY, Audience.PUBLIC, rules)
    assert key != bodies.body_key(BODY + " ", Audience.MEMBER, rules)
    assert key != bodies.body_key(BODY, Audience.MEMBER, Matcher({"jane doe": "someone"}).rules)
    assert key != bodies.body_key(BODY, Audience.MEMBER, Matcher({"jane": "a participant"}).rules)
    assert Matcher({"Jane Doe": "x"}).rules == Matcher({"jane doe": "x"}).rules
    honorific = Matcher({"jane doe": "x"}, honorific=["jane doe"]).rules
    assert honorific != Matcher({"jane doe": "x"}).rules


def test_the_code_is_part_of_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A release that renders differently never serves what the one before made."""
    before = bodies.code_digest()
    changed = tmp_path / "disclosure"
    changed.mkdir()
    for path in bodies._PACKAGE.glob("*.py"):
        (changed / path.name).write_bytes(path.read_bytes())
    (changed / "render.py").write_text((changed / "render.py").read_text() + "\n# changed\n")
    (tmp_path / "markdown.py").write_bytes((bodies._PACKAGE.parent / "markdown.py").read_bytes())
    (tmp_path / "text.py").write_bytes((bodies._PACKAGE.parent / "text.py").read_bytes())
    monkeypatch.setattr(bodies, "_PACKAGE", changed)
    bodies.code_digest.cache_clear()
    try:
        assert bodies.code_digest() != before
    finally:
        bodies.code_digest.cache_clear()


def test_a_render_made_before_an_emptying_is_not_kept(kept: Kept) -> None:
    stale = renders_module._Bound(kept.store, kept.store.token())
    kept.store.wipe()
    stale.put_many({b"k" * 32: ("<p>Jane Doe</p>", "Jane Doe")})
    assert kept.rows() == 0
    fresh = renders_module._Bound(kept.store, kept.store.token())
    fresh.put_many({b"k" * 32: ("<p>a participant</p>", "a participant")})
    assert kept.rows() == 1


def test_an_emptied_file_holds_no_byte_of_what_it_kept(kept: Kept) -> None:
    view_of(BODY, Audience.MEMBER, grants=both(Level.NAMED))
    assert b"Manchester" in store_bytes(kept.store.path)
    kept.store.wipe()
    assert b"Manchester" not in store_bytes(kept.store.path)


def test_an_emptying_that_cannot_run_deletes_the_file(
    kept: Kept, monkeypatch: pytest.MonkeyPatch
) -> None:
    view_of(BODY, Audience.MEMBER, grants=both(Level.NAMED))
    monkeypatch.setattr(renders_module, "_WIPE_WAIT", 0.01)
    holder = sqlite3.connect(kept.store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        kept.store.wipe()
    finally:
        holder.close()
    assert not kept.store.path.exists()


def test_an_emptying_a_reader_holds_back_deletes_the_file(
    kept: Kept, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process reading an old snapshot keeps the log from being emptied:
    the file goes instead."""
    view_of(BODY, Audience.MEMBER, grants=both(Level.NAMED))
    monkeypatch.setattr(renders_module, "_WIPE_WAIT", 0.01)
    reader = sqlite3.connect(kept.store.path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM bodies").fetchone()
    try:
        kept.store.wipe()
    finally:
        reader.close()
    assert not kept.store.path.exists()
    assert b"Manchester" not in store_bytes(kept.store.path)


def test_a_damaged_file_is_done_without(kept: Kept) -> None:
    kept.store._drop_connection()
    kept.store.path.write_bytes(b"not a database " * 100)
    first = only_html(view_of(BODY, Audience.PUBLIC))
    kept.another_process()
    second = only_html(view_of(BODY, Audience.PUBLIC))
    assert first == second
    assert "Jane" not in second
    assert len(kept.rendered) == 2


def test_a_row_changed_in_the_file_is_never_shown(kept: Kept) -> None:
    """A row that is not what was written (a crash, another row's text run
    into it, a hand edit) fails its digest: rendered afresh instead."""
    view_of(BODY, Audience.PUBLIC)
    with sqlite3.connect(kept.store.path) as connection:
        connection.execute("UPDATE bodies SET html = '<p>Jane Doe, Open Data Manchester</p>'")
    kept.another_process()
    shown = only_html(view_of(BODY, Audience.PUBLIC))
    assert "Jane" not in shown and "Manchester" not in shown
    assert len(kept.rendered) == 2


def test_a_file_of_another_shape_is_started_again(tmp_path: Path) -> None:
    path = tmp_path / "renders.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE bodies (id INTEGER PRIMARY KEY, key BLOB, html TEXT)")
        connection.execute("INSERT INTO bodies (key, html) VALUES (x'00', 'Jane Doe')")
    store = RenderStore(path, max_rows=10)
    assert store.get_many([b"\x00"]) == {}
    assert b"Jane Doe" not in store_bytes(path)
    token = store.token()
    store.put_many({b"k" * 32: ("<p>a</p>", "a")}, token)
    assert store.get_many([b"k" * 32]) == {b"k" * 32: ("<p>a</p>", "a")}


def test_only_its_owner_may_read_the_file(kept: Kept) -> None:
    view_of(BODY, Audience.MEMBER, grants=both(Level.NAMED))
    files = sorted(kept.store.path.parent.glob(kept.store.path.name + "*"))
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_the_oldest_renders_go_first(tmp_path: Path) -> None:
    store = RenderStore(tmp_path / "renders.sqlite", max_rows=10)
    token = store.token()
    for n in range(25):
        store.put_many({bytes([n]) * 32: (f"<p>{n}</p>", str(n))}, token)
    found = store.get_many(bytes([n]) * 32 for n in range(25))
    assert len(found) <= 10
    assert found[bytes([24]) * 32] == ("<p>24</p>", "24")
    assert bytes([0]) * 32 not in found


def test_every_word_redacted_is_kept_as_such(kept: Kept) -> None:
    body = "[The whole point]{.confidential}"
    assert view_of(body, Audience.MEMBER).items == ()
    kept.another_process()
    count = len(kept.rendered)
    assert view_of(body, Audience.MEMBER).items == ()
    assert len(kept.rendered) == count
