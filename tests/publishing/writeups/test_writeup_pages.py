"""The public write-up through the web app: write, preview, publish, read in
public, unpublish; what the public reads is always computed now (a consent
withdrawn or an item made confidential after publishing shows on the next
request); the leak check blocks publishing; only facilitators reach the
writing pages; CSRF and stale versions are refused with nothing written."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import AuditEvent, Item
from notesbase.notes import items as item_service
from notesbase.publishing.writeups.channels import published_text
from tests.conftest import csrf_token_from, post_form
from tests.publishing.writeups.writeup_support import (
    CONFIDENTIAL,
    EDIT,
    HIDDEN,
    MEMBERS_ONLY,
    NAMED,
    NAMED_CREDIT,
    PREVIEW,
    PUBLIC,
    PUBLISH,
    SPAN,
    UNPUBLISH,
    facilitator_fixture,  # noqa: F401 - a fixture
    load_meeting,
    log_in,
    publish,
    save,
    world_fixture,  # noqa: F401 - a fixture
    writeup_row,
)

FORBIDDEN = (CONFIDENTIAL, MEMBERS_ONLY, SPAN, HIDDEN, "Hiddenname")


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_publish_read_withdraw_unpublish(app, client, world, facilitator):
    """End to end: 404 until published; the public page carries the summary
    and the chosen items as the public sees them (the named speaker credited,
    the unreleased name and the members span left out); after the speaker
    withdraws consent the very next request no longer names them; after
    unpublishing it is a 404 again."""
    assert client.get(PUBLIC).status_code == 404
    response = save(facilitator, f"We met. {HIDDEN} and {NAMED} spoke.", [world["quote"]])
    assert response.status_code == 302
    assert client.get(PUBLIC).status_code == 404  # a saved draft is not public

    response = publish(facilitator)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == PUBLIC

    page = client.get(PUBLIC)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-cache"  # checked again on every request
    text = text_of(page)
    assert "Publish the data openly." in text
    assert NAMED_CREDIT in text
    assert "We met." in text
    for secret in FORBIDDEN:
        assert secret not in text, secret
    assert "writeup.publish" in audit_actions(app)

    # The speaker withdraws everything, as themselves, through the web app.
    speaker = app.test_client()
    log_in(speaker, "perpetua@example.org")
    response = post_form(speaker, "/me/attributions/withdraw-all", {}, page="/me/attributions")
    assert response.status_code in (200, 302)
    text = text_of(client.get(PUBLIC))
    assert NAMED not in text and "Inkwell Trust" not in text and "Quillfeather" not in text
    assert "A participant" in text
    assert "Publish the data openly." in text

    response = post_form(facilitator, UNPUBLISH, {}, page=EDIT)
    assert response.status_code == 302
    assert client.get(PUBLIC).status_code == 404
    assert "writeup.unpublish" in audit_actions(app)
    with app.app_context():
        assert published_text(load_meeting()) is None


def test_an_item_made_confidential_drops_out_at_once(app, client, world, facilitator):
    """A chosen item later marked confidential leaves the published page on
    the next request, with no trace; the others stay."""
    save(facilitator, "Summary.", [world["quote"], world["mention"]])
    assert publish(facilitator).status_code == 302
    assert "Budgets matter" in text_of(client.get(PUBLIC))
    with app.app_context():
        item = db.session.get(Item, world["mention"])
        fields = item_service.ItemFields(
            item.kind, item.body, item.section, item.speaker_id, Confidentiality.CONFIDENTIAL
        )
        item_service.update_item(item, fields, actor=None)
        db.session.commit()
    text = text_of(client.get(PUBLIC))
    assert "Budgets matter" not in text
    assert "Publish the data openly." in text


def test_published_text_is_the_current_public_view(app, world, facilitator):
    """``published_text``: None for a draft; the title and the public text
    when published, with names as released now."""
    save(facilitator, f"{NAMED} opened.", [world["quote"], world["mention"]])
    with app.app_context():
        assert published_text(load_meeting()) is None
    publish(facilitator)
    with app.app_context():
        title, text = published_text(load_meeting())
        assert title == "Write-up of meeting 1: First meeting"
        assert NAMED in text and "Publish the data openly." in text
        for secret in FORBIDDEN:
            assert secret not in text


def test_editor_offers_open_items_only_as_the_public_reads_them(world, facilitator):
    """The editor lists open items only, each as the public reads it."""
    text = text_of(facilitator.get(EDIT))
    assert "Publish the data openly." in text
    assert "Budgets matter" in text
    assert MEMBERS_ONLY not in text and CONFIDENTIAL not in text
    assert HIDDEN not in text and SPAN not in text
    assert f'value="{world["members"]}"' not in text


def test_choosing_a_members_item_is_refused(app, world, facilitator):
    """A members-only item's id posted anyway: 422, nothing stored."""
    response = save(facilitator, "Summary.", [world["quote"], world["members"]])
    assert response.status_code == 422
    assert "Choose only from the options listed." in text_of(response)
    assert writeup_row(app) is None


def test_summary_too_long_is_shown_beside_the_field(app, world, facilitator):
    response = save(facilitator, "x" * 20_001, [])
    assert response.status_code == 422
    assert 'id="summary-error"' in response.get_data(as_text=True)
    assert writeup_row(app) is None


def test_preview_is_exactly_the_public_page(app, client, world, facilitator):
    """The preview shows what the public page will: same summary, items, credits."""
    save(facilitator, f"{HIDDEN} came. [{SPAN}]{{.members}} Fine.", [world["quote"]])
    preview = text_of(facilitator.get(PREVIEW))
    assert "Publish the data openly." in preview and NAMED_CREDIT in preview
    assert "Fine." in preview
    for secret in FORBIDDEN:
        assert secret not in preview
    publish(facilitator)
    public = text_of(client.get(PUBLIC))

    def article(text: str) -> str:
        found = re.search(r'<article class="notes-page writeup">.*?</article>', text, re.S)[0]
        # Only the public page has a publication date yet.
        return re.sub(r"\s*· Published <time[^>]*>[^<]*</time>", "", found)

    assert article(preview) == article(public)


def test_leak_check_blocks_publishing(app, client, world, facilitator):
    """A summary quoting a confidential item: publishing answers 409 with the
    findings, nothing is published, and the public page stays a 404."""
    save(facilitator, f"As someone put it: {CONFIDENTIAL}.", [world["quote"]])
    response = publish(facilitator)
    assert response.status_code == 409
    body = text_of(response)
    assert "leak check" in body.lower()
    assert "summary" in body
    assert client.get(PUBLIC).status_code == 404
    assert writeup_row(app).published_at is None
    assert "writeup.publish" not in audit_actions(app)


def test_saving_a_published_writeup_runs_the_leak_check(app, client, world, facilitator):
    """A change to a published write-up goes public at once, so a leaking
    change is refused (409) and the public keeps the old text."""
    save(facilitator, "Clean summary.", [world["quote"]])
    publish(facilitator)
    version = writeup_row(app).version
    response = save(facilitator, f"Now: {CONFIDENTIAL}.", [world["quote"]])
    assert response.status_code == 409
    assert "leak check" in text_of(response).lower()
    row = writeup_row(app)
    assert row.summary == "Clean summary." and row.version == version
    text = text_of(client.get(PUBLIC))
    assert "Clean summary." in text and CONFIDENTIAL not in text


def test_stale_version_is_a_conflict(app, world, facilitator):
    """Two facilitators edit at once: the second save (with the version it
    loaded) is a 409 that keeps their text in the form, and the first stays."""
    other = app.test_client()
    log_in(other, "facilitator2@example.org")
    save(facilitator, "First draft.", [])
    form_a = facilitator.get(EDIT).get_data(as_text=True)
    form_b = other.get(EDIT).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', form_a)[1]
    response = facilitator.post(
        EDIT,
        data={"csrf_token": csrf_token_from(form_a), "version": version, "summary": "A's."},
    )
    assert response.status_code == 302
    response = other.post(
        EDIT,
        data={"csrf_token": csrf_token_from(form_b), "version": version, "summary": "B's."},
    )
    assert response.status_code == 409
    body = text_of(response)
    assert "Someone else changed this write-up" in body and "B&#39;s." not in body
    assert "B's." in body  # still in the form
    assert writeup_row(app).summary == "A's."
    # Publishing what was previewed at a stale version is refused too.
    response = other.post(PUBLISH, data={"csrf_token": csrf_token_from(form_b), "version": "1"})
    assert response.status_code == 409
    assert writeup_row(app).published_at is None


def test_publishing_nothing_is_refused(app, world, facilitator):
    save(facilitator, "", [])
    response = publish(facilitator)
    assert response.status_code == 422
    assert "Write a summary or choose" in text_of(response)
    assert writeup_row(app).published_at is None


def test_forms_without_csrf_token_change_nothing(app, world, facilitator):
    """Save, publish and unpublish without the token: 400, nothing changes."""
    assert facilitator.post(EDIT, data={"version": "0", "summary": "x"}).status_code == 400
    assert writeup_row(app) is None
    save(facilitator, "Summary.", [world["quote"]])
    assert facilitator.post(PUBLISH, data={"version": "1"}).status_code == 400
    assert writeup_row(app).published_at is None
    publish(facilitator)
    assert facilitator.post(UNPUBLISH).status_code == 400
    assert writeup_row(app).published_at is not None


def test_get_changes_nothing(app, world, facilitator):
    """Opening the editor, the preview or the export writes no row."""
    for url in (EDIT, PREVIEW, EDIT.replace("/edit", ".md")):
        facilitator.get(url)
    assert writeup_row(app) is None


@pytest.mark.parametrize("url", [EDIT, PREVIEW, EDIT.replace("/edit", ".md")])
def test_public_is_sent_to_log_in_and_members_refused(app, client, world, url):
    """The writing pages: the public is sent to log in, members get 403."""
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    log_in(client, "perpetua@example.org")
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [PUBLISH, UNPUBLISH])
def test_members_cannot_publish_or_unpublish(app, client, world, facilitator, url):
    save(facilitator, "Summary.", [world["quote"]])
    log_in(client, "perpetua@example.org")
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "version": "1"})
    assert response.status_code == 403
    assert writeup_row(app).published_at is None


@pytest.mark.parametrize("who", [None, "perpetua@example.org", "facilitator@example.org"])
def test_unpublished_writeup_is_a_404_for_everyone(app, client, world, facilitator, who):
    """A draft's public address is the 404 of a page that does not exist."""
    save(facilitator, "Draft only.", [world["quote"]])
    if who:
        log_in(client, who)
    response = client.get(PUBLIC)
    assert response.status_code == 404
    assert "Draft only." not in text_of(response)


def test_unknown_meeting_is_a_404(world, facilitator):
    assert facilitator.get("/series/cop/meetings/99/writeup/edit").status_code == 404
    assert facilitator.get("/series/nope/meetings/1/writeup").status_code == 404


def test_series_and_topic_helpers_list_published_writeups(app, world, facilitator):
    """``published_writeups`` (for the series and topic pages) lists only
    published write-ups; ``published_writeup_url`` links the meeting page."""
    from flask import render_template_string

    from notesbase.models import Series, Topic

    template = (
        "{% from 'writeups/_list.html' import writeup_list %}"
        "{{ writeup_list(published_writeups(series=series)) }}|"
        "{{ writeup_list(published_writeups(topic=topic), with_series=True) }}|"
        "{{ published_writeup_url(meeting) }}"
    )

    def render() -> str:
        with app.test_request_context():
            series = db.session.scalar(sa.select(Series).where(Series.slug == "cop"))
            topic = db.session.scalar(sa.select(Topic))
            return render_template_string(
                template, series=series, topic=topic, meeting=load_meeting()
            )

    save(facilitator, "Summary.", [world["quote"]])
    assert "Meeting 1: First meeting" not in render()
    publish(facilitator)
    listed = render()
    assert listed.count("Meeting 1: First meeting") == 2
    assert "Community of Practice: Meeting 1" in listed
    assert listed.endswith(PUBLIC)


def test_published_text_reads_in_the_callers_session(app, world, facilitator):
    """The search index calls ``published_text`` with a meeting of its own
    session (after the request's has committed): it reads there."""
    from sqlalchemy.orm import Session

    from notesbase.models import Meeting, Series

    save(facilitator, f"{NAMED} opened.", [world["quote"]])
    publish(facilitator)
    with app.app_context(), Session(db.engine) as session:
        meeting = session.scalar(
            sa.select(Meeting).join(Series).where(Series.slug == "cop", Meeting.number == 1)
        )
        title, text = published_text(meeting)
        assert title.startswith("Write-up of meeting 1") and NAMED in text


def test_overridden_findings_let_it_publish(app, client, world, facilitator):
    """Once each finding is overridden with a written reason, publishing goes
    through (the leak check's override, on this channel)."""
    from notesbase.publishing.leakcheck import check as leakcheck

    save(facilitator, f"As someone put it: {CONFIDENTIAL}.", [world["quote"]])
    assert publish(facilitator).status_code == 409
    with app.app_context():
        meeting = load_meeting()
        for finding in leakcheck.check(meeting, "writeup").blocking:
            leakcheck.override(meeting, "writeup", finding.key, "Agreed in the room.", actor=None)
        db.session.commit()
    assert publish(facilitator).status_code == 302
    assert CONFIDENTIAL in text_of(client.get(PUBLIC))
