"""One change at a time: commit-to-searchable with the embedded apply after
commit (in process, and seen by a live server's workers), and, with a
worker draining the outbox instead, the cost of a save with and without the
outbox hooks and of the worker's apply."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from bench import corpus, say, server
from bench.figures import Sample
from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import IndexOutbox, Item, Meeting, Member, utcnow
from notesbase.notes.items import ItemFields, update_item
from notesbase.search import indexer, outbox, service


class Changes:
    """Saves of open items as a facilitator makes them, each adding a word
    found nowhere else, and how soon a member's search finds it."""

    def __init__(self, app: Flask, loaded: corpus.Loaded, count: int, seed: int) -> None:
        self.app = app
        self.loaded = loaded
        self.count = count
        self.rng = random.Random(seed)  # noqa: S311 - repeatable choices, not security
        self.words = 0
        self.updates: dict[str, Sample] = {}

    def marker(self) -> str:
        """A new word, found nowhere else in the corpus."""
        self.words += 1
        return "xbench" + "".join(chr(97 + int(d)) for d in f"{self.words:05d}")

    def some_item(self) -> int:
        return self.rng.choice(self.loaded.open_item_ids)

    def save(self, item_id: int, word: str) -> None:
        """A facilitator's save, through the notes service and the ORM."""
        with self.app.app_context():
            item = db.session.get(Item, item_id)
            assert item is not None
            fields = ItemFields(
                kind=item.kind,
                body=f"{item.body} {word}",
                section=item.section,
                speaker_id=item.speaker_id,
                confidentiality=item.confidentiality,
            )
            update_item(item, fields, actor=None)
            db.session.commit()

    def found(self, word: str) -> bool:
        with self.app.app_context():
            member = db.session.get(Member, self.loaded.member_id)
            return bool(service.search(member, word).hits)

    def in_process(self) -> None:
        self.app.config["SEARCH_APPLY_ON_COMMIT"] = True
        commit, first, total = [], [], []
        for _ in range(self.count):
            word, item_id = self.marker(), self.some_item()
            began = time.perf_counter()
            self.save(item_id, word)
            committed = time.perf_counter()
            tries = 0
            while not self.found(word):
                tries += 1
                if tries > 500:
                    raise RuntimeError(f"{word} never became searchable")
            done = time.perf_counter()
            commit.append((committed - began) * 1000)
            first.append((done - committed) * 1000)
            total.append((done - began) * 1000)
        self.app.config["SEARCH_APPLY_ON_COMMIT"] = False
        self.updates.update(
            commit_apply=Sample(commit), first_search=Sample(first), c2s=Sample(total)
        )
        say("measured commit-to-searchable in process")

    def seen_over_http(self, client: server.Client) -> None:
        """Commit-to-searchable as the server's workers see it. This
        process's first changes open the index for writing and build what
        ``disclose`` needs for each series and audience, once per process:
        timed apart, as its cold start, one change in each series."""
        self.app.config["SEARCH_APPLY_ON_COMMIT"] = True
        self.updates["c2s_http_cold"] = Sample(
            [self.change_seen_over_http(client, i) for i in self.item_per_series()]
        )
        self.updates["c2s_http"] = Sample(
            [self.change_seen_over_http(client) for _ in range(self.count)]
        )
        self.app.config["SEARCH_APPLY_ON_COMMIT"] = False

    def item_per_series(self) -> list[int]:
        """The first open item of each series, with no redacted span (as
        ``some_item`` chooses among)."""
        with self.app.app_context():
            rows = db.session.execute(
                sa.select(Meeting.series_id, sa.func.min(Item.id))
                .join(Meeting, Item.meeting_id == Meeting.id)
                .where(Item.confidentiality == Confidentiality.OPEN, ~Item.body.contains("{."))
                .group_by(Meeting.series_id)
                .order_by(Meeting.series_id)
            ).all()
        return [item_id for _series, item_id in rows]

    def change_seen_over_http(self, client: server.Client, item_id: int | None = None) -> float:
        word = self.marker()
        item_id = self.some_item() if item_id is None else item_id
        began = time.perf_counter()
        self.save(item_id, word)
        deadline = began + 30
        while time.perf_counter() < deadline:
            _, page = client.get(server.search_path(word, None))
            if f"<mark>{word}</mark>" in page:
                return (time.perf_counter() - began) * 1000
        raise RuntimeError(f"{word} never showed up over HTTP")

    def with_worker(self) -> None:
        """SEARCH_APPLY_ON_COMMIT off: what a save costs with the outbox
        hooks and without them, and what the worker's apply costs."""
        self.app.config["SEARCH_APPLY_ON_COMMIT"] = False
        hooked, bare, applying = [], [], []
        unindexed: list[int] = []
        for _ in range(self.count + 10):
            item_id = self.some_item()
            began = time.perf_counter()
            self.save(item_id, self.marker())
            hooked.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            indexer.apply(self.app)
            applying.append((time.perf_counter() - began) * 1000)
            item_id = self.some_item()
            with outbox_hooks_removed() as removed:
                began = time.perf_counter()
                self.save(item_id, self.marker())
                if removed:
                    bare.append((time.perf_counter() - began) * 1000)
                    unindexed.append(item_id)
        # What was saved without hooks goes through the outbox after all.
        if unindexed:
            with self.app.app_context(), db.engine.begin() as connection:
                rows = [
                    {"target": "item", "target_id": i, "created_at": utcnow()} for i in unindexed
                ]
                connection.execute(sa.insert(IndexOutbox), rows)
            indexer.apply(self.app)
        self.updates.update(save_hooks=Sample(hooked), apply=Sample(applying))
        if bare:
            self.updates["save_bare"] = Sample(bare)
        say("measured saves with a worker draining the outbox")


@contextlib.contextmanager
def outbox_hooks_removed() -> Iterator[bool]:
    """The session without the outbox hooks, to time a bare save; yields
    False (and removes nothing) when the hooks are not where expected."""
    hooks = [
        (name, getattr(outbox, attribute, None))
        for name, attribute in (
            ("before_flush", "_before_flush"),
            ("after_flush", "_after_flush"),
            ("after_commit", "_after_commit"),
        )
    ]
    present = [(n, f) for n, f in hooks if f is not None and sa.event.contains(Session, n, f)]
    for name, hook in present:
        sa.event.remove(Session, name, hook)
    try:
        yield bool(present)
    finally:
        for name, hook in present:
            sa.event.listen(Session, name, hook)
