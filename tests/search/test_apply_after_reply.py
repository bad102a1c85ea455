"""A save's index work runs once its reply has been sent, not while the
writer waits; until then nothing is exposed or lost: a search applies the
waiting work itself first, and work done outside a request is applied at
once, as before."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.models import Meeting, Role, Series
from notesbase.notes.items import ItemFields, create_item
from notesbase.search import backlog, indexer
from tests.conftest import csrf_token_from
from tests.faults.server_support import facilitator_token
from tests.search.procs_support import indexed_versions

EDITOR = "/series/cop/meetings/1/notes/edit"
WORD = "quokkabridge"  # in no other text: only the new item matches it


@pytest.fixture
def meeting(app: Flask, make_series) -> int:
    cop = make_series("cop", "Community of Practice")
    indexer.apply(app)  # the index exists before anyone writes, as when serving
    with app.app_context():
        meeting = Meeting(
            series=db.session.get(Series, cop.id), number=1, title="First", date=date(2025, 1, 15)
        )
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


def _add_item(client, body: str):
    """POST a new item, keeping the reply open (not yet sent, as it were)."""
    token = csrf_token_from(client.get(EDITOR).get_data(as_text=True))
    form = {"csrf_token": token, "kind": "point", "confidentiality": "open", "body": body}
    response = client.post(EDITOR, data=form, buffered=False)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _item_ids(app: Flask) -> set[int]:
    return set(indexed_versions(app))


def test_the_index_work_of_a_save_runs_when_its_reply_is_closed(app, meeting, client, login_as):
    login_as(Role.FACILITATOR)
    before = _item_ids(app)
    reply = _add_item(client, f"A point about the {WORD}.")
    # Committed, queued, and not yet applied while the reply is being sent.
    assert backlog.pending(app)
    assert _item_ids(app) == before
    reply.close()
    assert not backlog.pending(app)
    assert len(_item_ids(app) - before) == 1


def test_a_search_before_the_reply_is_closed_sees_the_new_item(app, meeting, client, login_as):
    login_as(Role.FACILITATOR)
    reply = _add_item(client, f"A point about the {WORD}.")
    assert backlog.pending(app)
    found = client.get(f"/search?q={WORD}")
    assert found.status_code == 200
    assert f"the <mark>{WORD}</mark>" in found.get_data(as_text=True)
    assert not backlog.pending(app)  # the search applied it first
    reply.close()  # and the deferred apply then finds nothing left to do
    assert not backlog.pending(app)


def test_an_api_write_committed_after_its_view_is_applied_when_closed(app, meeting, client):
    """The API commits in an ``after_request`` hook, after the view: its
    index work is still left until the reply has been sent, and then done."""
    token = facilitator_token(app, "after-reply")
    before = _item_ids(app)
    reply = client.post(
        "/api/v1/series/cop/meetings/1/items",
        json={"kind": "point", "body": f"The {WORD} register"},
        headers={"Authorization": f"Bearer {token}"},
        buffered=False,
    )
    assert reply.status_code == 201, reply.get_data(as_text=True)
    assert backlog.pending(app)
    reply.close()
    assert not backlog.pending(app)
    assert _item_ids(app) - before == {reply.get_json()["id"]}


def test_a_closed_client_reply_has_applied_the_work(app, meeting, client, login_as):
    """The app's test client closes replies as a server does: tests see the
    index as a reader would after the page has been sent."""
    login_as(Role.FACILITATOR)
    token = csrf_token_from(client.get(EDITOR).get_data(as_text=True))
    form = {"csrf_token": token, "kind": "point", "confidentiality": "open", "body": WORD}
    assert client.post(EDITOR, data=form).status_code == 302
    assert not backlog.pending(app)


def test_work_committed_outside_a_request_is_applied_at_once(app, meeting):
    before = _item_ids(app)
    with app.app_context():
        create_item(
            db.session.get(Meeting, meeting), ItemFields(Kind.POINT, f"The {WORD}"), actor=None
        )
        db.session.commit()
    assert not backlog.pending(app)
    assert len(_item_ids(app) - before) == 1
