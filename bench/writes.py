"""The facilitator's side of the page benchmark: create a meeting, add an
item, save a write-up, override a leak-check finding (each through its web
form, CSRF token and all, and the page it leads to), open the circulate
page and the leak check.

A write is timed from the form's POST to the end of the page it redirects
to, which is what the facilitator waits for; the form itself is fetched
first, untimed, as the facilitator has it open before saving. Each write
fills the form the page gave with new text from the corpus's vocabulary."""

from __future__ import annotations

import random
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bench import corpus, words
from bench.forms import PageForm, form_with

FACILITATOR = "facilitator"
FACILITATOR_EMAIL = "bench.facilitator@example.org"

NEW_MEETING, ADD_ITEM, SAVE_WRITEUP = "new-meeting", "add-item", "save-writeup"
CIRCULATE, LEAK_CHECK, OVERRIDE = "circulate", "leak-check", "override"
# The leak check as a facilitator opens it after a save in the notes editor
# (the save untimed, the work its reply leaves done first: ``leakcheck.prefill``);
# LEAK_CHECK is the first look with no result kept (a consent changed
# elsewhere, a new version of notesbase).
LEAK_EDITED = "leak-check-edited"
WRITES = (NEW_MEETING, ADD_ITEM, SAVE_WRITEUP, OVERRIDE)
# p95 targets in ms, on 2 cores: adding an item is done every minute of a
# live meeting, so it has the tightest.
TARGETS = {
    NEW_MEETING: 150,
    ADD_ITEM: 60,
    SAVE_WRITEUP: 150,
    OVERRIDE: 150,
    CIRCULATE: 150,
    LEAK_CHECK: 150,
    LEAK_EDITED: 150,
}
# The leak check grows with the meeting: its target is 150 ms up to 100
# items, 500 ms up to 500; an override leads to the leak check's page, so
# its own target holds up to 100 items only. Larger meetings have none.
LEAK_TARGETS = ((100, 150), (500, 500))


def target(name: str, leak_items: int) -> float | None:
    """The p95 target of ``name``, in ms, when the leak check's meetings
    hold ``leak_items`` items."""
    if name in (LEAK_CHECK, LEAK_EDITED):
        return next((ms for most, ms in LEAK_TARGETS if leak_items <= most), None)
    if name == OVERRIDE and leak_items > LEAK_TARGETS[0][0]:
        return None
    return TARGETS[name]


# Reads a page's form and says which of its fields to set, and to what.
Fill = Callable[[PageForm], dict[str, str | list[str]]]


@dataclass(frozen=True)
class Timing:
    """One request as the facilitator waits for it: wall-clock ms from the
    submit to the end of the page shown after, the POST's part of it (the
    whole for a page that is only read), and the CPU ms this thread spent."""

    wall: float
    post: float
    cpu: float


def add_facilitator(app: Flask, password: str) -> None:
    """A facilitator who logs in with ``password``."""
    from notesbase.auth.passwords import hash_password
    from notesbase.db import db
    from notesbase.models import Member, Role

    with app.app_context():
        db.session.add(
            Member(
                email=FACILITATOR_EMAIL,
                display_name="Bench Facilitator",
                password_hash=hash_password(password),
                role=Role.FACILITATOR,
                active=True,
            )
        )
        db.session.commit()


def add_long_meetings(app: Flask, spec: corpus.Spec, meetings: int, items: int) -> str:
    """A series of ``meetings`` meetings of ``items`` items each, for the
    leak check; its slug."""
    from notesbase.db import db

    with app.app_context(), db.engine.begin() as connection:
        return corpus.add_series(connection, spec, meetings, items)


def forget_checks(app: Flask) -> None:
    """Empty the leak-check results every process keeps (``leakcheck.stored``)."""
    from notesbase import renders

    store = renders.store_of(app)
    if store is not None:
        with sqlite3.connect(store.path) as connection:
            connection.execute("DELETE FROM checks")


def _page(response: TestResponse, url: str) -> str:
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code} to the facilitator")
    return response.get_data(as_text=True)


def _refused(response: TestResponse, url: str) -> SystemExit:
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]{1,200})', response.get_data(True))
    said = "; ".join(" ".join(e.split()) for e in errors[:3]) or "no message found"
    return SystemExit(f"POST {url} answered {response.status_code}: {said}")


def read_page(client: FlaskClient, url: str) -> tuple[TestResponse, Timing]:
    """GET ``url``, timed until the reply is read; what a server does after
    sending it (closing it: the work left until then) is not waited for."""
    began, cpu = time.perf_counter(), time.thread_time()
    response = client.get(url, buffered=False)
    response.get_data()
    wall, used = (time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000
    response.close()
    return response, Timing(wall, wall, used)


class Facilitator:
    """A logged-in facilitator's client, writing new text from one seeded
    stream: meetings get the next free number of their series."""

    def __init__(
        self,
        client: FlaskClient,
        spec: corpus.Spec,
        seed: int,
        forget: Callable[[], None] = lambda: None,
    ) -> None:
        self.client = client
        self.forget = forget
        self.rng = random.Random(f"{seed}:writes")  # noqa: S311 - repeatable text, not security
        self.writer = words.Writer(self.rng)
        self.people = corpus.people(spec)
        self.made = 0

    def timed(self, kind: str, url: str) -> Timing:
        if kind == NEW_MEETING:
            return self._submit(url, "title", self._fill_meeting)
        if kind == ADD_ITEM:
            return self._submit(url, "body", self._fill_item)
        if kind == SAVE_WRITEUP:
            return self._submit(url, "summary", self._fill_writeup)
        if kind == OVERRIDE:  # the first finding standing on the leak-check page
            return self._submit(url, "reason", self._fill_override)
        if kind == LEAK_CHECK:
            self.forget()
        if kind == LEAK_EDITED:
            self._save_item(url.removesuffix("/leak-check") + "/notes/edit")
        response, timing = read_page(self.client, url)
        _page(response, url)
        return timing

    def _submit(self, url: str, marker: str, fill: Fill) -> Timing:
        """Fetch the page's form with the field ``marker`` (untimed), fill
        it, then time its POST and the page it redirects to."""
        form = form_with(_page(self.client.get(url), url), marker)
        action = form.action or url
        data = form.filled(**fill(form))
        # Timed until each reply is read; the work a server does after
        # sending a reply (closing it: applying the search outbox) is not
        # waited for, as the browser does not wait for it either.
        began, cpu = time.perf_counter(), time.thread_time()
        posted = self.client.post(action, data=data, buffered=False)
        posted.get_data()
        post = (time.perf_counter() - began) * 1000
        if posted.status_code != 302:
            posted.close()
            raise _refused(posted, action)
        shown = self.client.get(posted.headers["Location"], buffered=False)
        shown.get_data()
        wall, used = (time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000
        posted.close()
        shown.close()
        _page(shown, posted.headers["Location"])
        return Timing(wall, post, used)

    def _save_item(self, url: str) -> None:
        """Add an item through the editor's form, untimed, and close its
        reply: the work it leaves until then is done before going on."""
        form = form_with(_page(self.client.get(url), url), "body")
        posted = self.client.post(form.action or url, data=form.filled(**self._fill_item(form)))
        posted.close()
        if posted.status_code != 302:
            raise _refused(posted, form.action or url)

    def _sentences(self, count: int, topic_words: Sequence[str] = ()) -> str:
        return " ".join(self.writer.sentence(topic_words) for _ in range(count))

    def _fill_meeting(self, form: PageForm) -> dict[str, str | list[str]]:
        self.made += 1
        rng = self.rng
        topics = rng.sample(words.TOPICS, rng.randint(1, 3))
        theme, topic_words = topics[0]
        day = date(2031, 1, 6) + timedelta(days=self.made)
        return {
            "title": f"{theme}: {self.writer.sentence(topic_words, 5).rstrip('.')}",
            "date": day.isoformat(),
            "theme": theme,
            "topics": ", ".join(name for name, _ in topics),
            "description": self._sentences(rng.randint(2, 5), topic_words),
        }

    def _fill_item(self, form: PageForm) -> dict[str, str | list[str]]:
        rng = self.rng
        given: dict[str, str | list[str]] = {
            "kind": rng.choice(form.choices["kind"]),
            "speaker": rng.choice(form.choices["speaker"]),
            "body": self.writer.body((), self.people, rng.randint(20, 90)),
        }
        if rng.random() < 0.15:
            given["confidentiality"] = rng.choice(form.choices["confidentiality"])
        return given

    def _fill_override(self, form: PageForm) -> dict[str, str | list[str]]:
        return {"reason": self.writer.sentence((), 12)}

    def _fill_writeup(self, form: PageForm) -> dict[str, str | list[str]]:
        rng = self.rng
        offered = form.choices.get("items", [])
        chosen = rng.sample(offered, min(len(offered), rng.randint(2, 8)))
        return {"summary": self._sentences(rng.randint(2, 6)), "items": chosen}
