"""The leak-check page a facilitator can act on in a minute: one entry per
thing found, listing every place it is at with a link to edit it; quick
fixes beside each place that go through the notes service (audited and
versioned), for facilitators only, with CSRF, refusing bad input with a 4xx
and changing nothing then."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import AuditEvent, Item, ItemRevision, Meeting, Role
from notesbase.notes.items import ItemFields, create_item
from notesbase.publishing.writeups import service as writeup_service
from tests.conftest import csrf_token_from
from tests.publishing.leakcheck.leakcheck_support import (  # noqa: F401 - fixtures
    BUDGET,
    MERGER,
    the_meeting,
    world_fixture,
)

PAGE = "/series/cop/meetings/1/leak-check"
WORDS = PAGE + "/fix/words"
ITEM = PAGE + "/fix/item"
FIRST_NAME = "Alex was right about the register."


def add_item(body: str) -> Item:
    item = create_item(the_meeting(), ItemFields(Kind.POINT, body, "Discussion"), actor=None)
    db.session.commit()
    return item


@pytest.fixture
def first_name(app, world) -> int:
    """An open item (item 6) naming Alex, who is anonymous everywhere, by his
    first name alone: ``disclose`` leaves it, the leak check finds it."""
    with app.app_context():
        return add_item(FIRST_NAME).id


def section(html: str, audience: str) -> str:
    """The part of the leak-check page for one audience."""
    found = re.search(
        rf'<section class="leak-channel" aria-labelledby="audience-{audience}">.*?</section>',
        html,
        re.S,
    )
    assert found, f"no {audience} section"
    return found.group()


def entries(html: str) -> list[str]:
    return re.findall(r'<li class="leak-finding".*?</ul>\s*</li>', html, re.S)


def page(client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def item_row(app, item_id: int) -> Item:
    with app.app_context():
        item = db.session.get(Item, item_id)
        assert item is not None
        db.session.expunge(item)
        return item


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def form_data(html: str, action: str, button: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action`` whose button says ``button``."""
    for form in re.findall(
        rf'<form method="post" class="inline" action="{action}">.*?</form>', html, re.S
    ):
        if button in form:
            return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    raise AssertionError(f"no form {button!r} posting to {action}")


# The page -------------------------------------------------------------------


def test_four_slips_in_a_summary_are_four_findings(app, client, login_as, world):
    """Four things the public may not see in the write-up's summary are four
    entries, each at the summary (linked to the write-up form) with the
    parts carrying it on one line and a small override, not twelve."""
    with app.app_context():
        summary = f"Alex said it. Renée agreed. {MERGER}. {BUDGET}."
        writeup_service.save_writeup(the_meeting(), summary, [], actor=None, expected_version=None)
        db.session.commit()
    login_as(Role.FACILITATOR)
    public = section(page(client), "public")
    found = entries(public)
    assert len(found) == 4
    for entry in found:
        assert entry.count('<li class="leak-place"') == 1
        assert '<a href="/series/cop/meetings/1/writeup/edit">Summary' in entry
        assert "Public write-up (text, feed entry summary, Markdown file)" in entry
        assert entry.count("<details") == 1
    assert "<textarea" not in public
    assert "Public write-up: <strong>4 findings stand.</strong>" in public


def test_a_first_name_in_an_item_is_one_finding_with_its_places(
    app, client, login_as, world, first_name
):
    """A first name in one item, in the email and the exports alike, is one
    entry with one place: the item's number, linked to its edit page, the
    channels and parts on one line, and the person's consent page."""
    login_as(Role.FACILITATOR)
    members = section(page(client), "member")
    [entry] = [e for e in entries(members) if "<code>Alex</code>" in e]
    assert entry.count('<li class="leak-place"') == 1
    assert f'<a href="/series/cop/meetings/1/notes/items/{first_name}/edit">Item 6' in entry
    assert (
        "Circulation by email (plain text, HTML) · "
        "Notes for members (exports) (Markdown, print page and PDF)"
    ) in entry
    assert f'href="/people/{world["alex"]}#record-heading">Open Alex Smith’s consent' in entry
    # One override for the place, covering both channels.
    [value] = re.findall(r'name="findings" value="([^"]+)"', entry)
    assert sorted(pair.split(":")[0] for pair in value.split()) == ["circulation", "notes-export"]


def test_the_command_line_groups_as_the_page(runner, world, first_name):
    """``notesbase check`` lists one finding per thing found, with each place
    and the parts carrying it there."""
    result = runner.invoke(args=["check", "cop", "1", "--channel", "circulation"])
    assert result.exit_code == 1
    assert "circulation, member): 1 finding, 1 standing" in result.output
    assert "  name “Alex” · “Alex” is part of the name of Alex Smith" in result.output
    assert "    at item 6 (plain text, HTML)\n" in result.output
    assert "1 finding stands: not clean." in result.output


# Quick fixes ----------------------------------------------------------------


def test_words_fix_puts_the_words_behind_a_span(app, client, login_as, world, first_name):
    """ "Make “Alex” confidential in item 6" edits the item through the notes
    service (a new version, a revision, an audit event by the facilitator)
    and the page, checked again, no longer lists it."""
    login_as(Role.FACILITATOR, "facilitator@example.org")
    html = page(client)
    data = form_data(html, WORDS, "Make “Alex” confidential in item 6")
    assert data["level"] == "confidential" and data["text"] == "Alex"
    response = client.post(WORDS, data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    item = item_row(app, first_name)
    assert item.body == "[Alex]{.confidential} was right about the register."
    assert item.version == 2
    with app.app_context():
        count = sa.select(sa.func.count()).where(ItemRevision.item_id == first_name)
        assert db.session.scalar(count) == 2
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "item.update"))
        assert event is not None and event.actor_label == "facilitator@example.org"
    after = page(client)
    assert "“Alex” is now confidential. The leak check has run again." in after
    assert "<code>Alex</code>" not in section(after, "member")


def test_an_overridden_place_is_offered_no_quick_fix(app, client, login_as, world, first_name):
    """Once every finding at a place is overridden, the place shows who
    overrode it and offers neither a quick fix nor another override."""
    login_as(Role.FACILITATOR)
    [entry] = [e for e in entries(section(page(client), "member")) if "<code>Alex</code>" in e]
    [findings] = re.findall(r'name="findings" value="([^"]+)"', entry)
    data = {"findings": findings, "reason": "Alex is our guest", "next": PAGE}
    data["csrf_token"] = csrf_token_from(page(client))
    assert client.post(PAGE + "/override", data=data).status_code == 302
    [entry] = [e for e in entries(section(page(client), "member")) if "<code>Alex</code>" in e]
    assert "Overridden by" in entry and "Alex is our guest" in entry
    assert WORDS not in entry and ITEM not in entry and 'name="findings"' not in entry


def test_item_fix_marks_the_item_confidential(app, client, login_as, world, first_name):
    """ "Mark item 6 confidential" raises its confidentiality (audited as
    such); the members' channels no longer carry it."""
    login_as(Role.FACILITATOR)
    data = form_data(page(client), ITEM, "Mark item 6 confidential")
    assert client.post(ITEM, data=data).status_code == 302
    item = item_row(app, first_name)
    assert (item.confidentiality, item.version) == (Confidentiality.CONFIDENTIAL, 2)
    assert "item.confidentiality" in actions(app)
    assert "<code>Alex</code>" not in section(page(client), "member")


def test_what_members_may_see_is_made_members_only_for_the_public(app, client, login_as, world):
    """For the public, words members may read (Priya is named to members) are
    offered as members-only; words members may not read either (Alex) go
    straight to confidential."""
    with app.app_context():
        item_id = add_item("Priya and Alex were right.").id
        writeup_service.save_writeup(
            the_meeting(), "", [item_id], actor=None, expected_version=None
        )
        db.session.commit()
    login_as(Role.FACILITATOR)
    public = section(page(client), "public")
    assert "Make “Priya” members-only in item 6" in public
    assert "Make item 6 members-only" in public
    assert "Make “Alex” confidential in item 6" in public
    data = form_data(public, WORDS, "Make “Priya” members-only in item 6")
    assert client.post(WORDS, data=data).status_code == 302
    assert item_row(app, item_id).body == "[Priya]{.members} and Alex were right."
    assert "<code>Priya</code>" not in section(page(client), "public")


def test_no_quick_fix_where_none_is_safe(app, client, login_as, world):
    """Words inside a link or code, or an unreadable redaction, are offered
    the item's fixes or none: never a span that would change the item."""
    with app.app_context():
        add_item("Ask `Alex` about [the register](https://example.org/register).")
        add_item("Words [in]{.confidental} the notes.")
    login_as(Role.FACILITATOR)
    members = section(page(client), "member")
    assert "Make “Alex”" not in members and "Mark item 6 confidential" in members
    unreadable = [e for e in entries(members) if "unreadable-redaction" in e]
    assert unreadable and "fix/" not in unreadable[0]


def other_meeting_item(app) -> int:
    with app.app_context():
        meeting = the_meeting()
        other = Meeting(series=meeting.series, number=2, title="Later", date=date(2025, 2, 1))
        db.session.add(other)
        db.session.flush()
        item = create_item(other, ItemFields(Kind.POINT, FIRST_NAME, ""), actor=None)
        db.session.commit()
        return item.id


@pytest.mark.parametrize(
    ("url", "change", "status", "error"),
    [
        (WORDS, {"item": ""}, 422, "no longer listed"),
        (WORDS, {"item": "abc"}, 422, "Give a whole number"),
        (WORDS, {"level": "open"}, 422, "Choose members-only or confidential."),
        (WORDS, {"text": ""}, 422, "no longer listed"),
        (WORDS, {"text": "x" * 301}, 422, "at most 300 characters"),
        (WORDS, {"text": "the register of Priya"}, 422, "cannot be put behind a span"),
        (WORDS, {"version": "7"}, 409, "Someone changed this item meanwhile"),
        (ITEM, {"version": "0"}, 422, "no longer listed"),
        (ITEM, {"level": "members"}, 422, "no longer listed"),
        (WORDS, {"item": "9999"}, 404, ""),
        (WORDS, {"item": "other"}, 404, ""),
    ],
)
def test_bad_quick_fixes_change_nothing(
    app, client, login_as, world, first_name, url, change, status, error
):
    """Malformed, stale or impossible fixes answer 4xx with the reason on
    the leak-check page; an item of another meeting is a 404; the item is
    left as it was."""
    if change.get("item") == "other":
        change = {"item": str(other_meeting_item(app))}
    login_as(Role.FACILITATOR)
    html = page(client)
    if url == ITEM and change.get("level") == "members":
        with app.app_context():  # already stricter than members-only
            db.session.get(Item, first_name).confidentiality = Confidentiality.CONFIDENTIAL
            db.session.commit()
        error = "already confidential"
        change = {"level": "members", "version": "2"}
    button = "Make “Alex” confidential" if url == WORDS else "Mark item 6 confidential"
    data = {**form_data(html, url, button), **change}
    before = item_row(app, first_name)
    response = client.post(url, data=data)
    assert response.status_code == status
    assert error in unescape(response.get_data(as_text=True))
    after = item_row(app, first_name)
    assert (after.body, after.version, after.confidentiality) == (
        before.body,
        before.version,
        before.confidentiality,
    )


@pytest.mark.parametrize("who", ["public", "member"])
def test_quick_fixes_are_for_facilitators_only(
    app, client, login_as, make_member, auth, world, first_name, who
):
    """Anyone but a facilitator gets the 404 of a missing meeting, and
    nothing changes; without the CSRF token a facilitator gets 400."""
    login_as(Role.FACILITATOR)
    html = page(client)
    words = form_data(html, WORDS, "Make “Alex” confidential")
    item = form_data(html, ITEM, "Mark item 6 confidential")
    client.post("/logout", data={"csrf_token": csrf_token_from(html)})
    if who == "member":
        with app.app_context():
            series = the_meeting().series
        make_member("someone@example.org", series=[series])
        auth.login("someone@example.org")
    for url, data in ((WORDS, words), (ITEM, item)):
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        data = {**data, "csrf_token": token}
        assert client.post(url, data=data).status_code == 404
    assert item_row(app, first_name).version == 1


def test_quick_fixes_need_the_csrf_token(app, client, login_as, world, first_name):
    login_as(Role.FACILITATOR)
    html = page(client)
    for url, button in ((WORDS, "Make “Alex” confidential"), (ITEM, "Mark item 6 confidential")):
        data = {k: v for k, v in form_data(html, url, button).items() if k != "csrf_token"}
        assert client.post(url, data=data).status_code == 400
    assert item_row(app, first_name).version == 1
