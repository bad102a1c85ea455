"""Every review email and every circulation carries the privacy notice's
absolute address; and a reviewer's archive then lists those emails and the
review, with nothing of the others asked."""

from __future__ import annotations

from datetime import date

from notesbase.db import db
from notesbase.meetings import service
from notesbase.models import Meeting, Person, Series
from notesbase.privacy.subject_access.archive import build
from notesbase.publishing.circulation.message import STAND_IN, compose, html_body, text_body
from tests.privacy.subject_access.access_support import archive_json, open_archive
from tests.review.review_support import GUEST_EMAIL, HIDDEN, build_world, open_review, outbox

NOTICE = "http://localhost/privacy"


def test_review_invitations_link_the_notice(app, client, make_member, make_series):
    world = build_world(app, make_member, make_series)
    open_review(app, client)
    sent = outbox(app)
    assert sent
    for message in sent:
        plain = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert NOTICE in plain and f'href="{NOTICE}"' in html
    with app.app_context():
        zipped = build(db.session.get(Person, world["gwen"]))
    data = archive_json(zipped)
    assert [m["kind"] for m in data["emails"]] == ["review invitation"]
    assert data["reviews"][0]["invited_at"] is not None
    assert "token_hash" not in str(data) and "session_hash" not in str(data)
    for text in open_archive(zipped).values():
        assert HIDDEN not in text and "harold@" not in text
    assert GUEST_EMAIL in str(data)


def test_circulation_links_the_notice(app, make_series):
    cop = make_series("cop", "Community of Practice")
    with app.app_context():
        meeting = service.create_meeting(
            db.session.get(Series, cop.id),
            service.MeetingFields(number=1, title="First", date=date(2025, 1, 15)),
        )
        db.session.commit()
        letter = compose(db.session.get(Meeting, meeting.id), "http://localhost/notes")
        assert letter.privacy_url == NOTICE
        assert NOTICE in text_body(letter, STAND_IN)
        assert f'href="{NOTICE}"' in html_body(letter, STAND_IN)
