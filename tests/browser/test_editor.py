"""The notes editor in a live meeting: items typed one after another with the
keyboard alone, and confidential or members-only parts unmistakable to
facilitators while members never see a trace of them."""

from __future__ import annotations

import string

import sqlalchemy as sa
from playwright.sync_api import expect

from notesbase.db import db
from notesbase.models import Item, Meeting, Series
from tests.browser.conftest import assert_accessible, log_in_as, screenshot

SERIES = "demo-community-of-practice"
EMPTY_MEETING = 3  # the demo has no notes for it
NOTES = f"/series/{SERIES}/meetings/8/notes"  # the demo's notes with every kind of mark
CONFIDENTIAL_ITEM = "A named supplier is being replaced"
CONFIDENTIAL_SPAN = "about £4,000"


def saved_items(number: int) -> list[tuple[str, str, str, str]]:
    """(kind, speaker, confidentiality, body) of a meeting's items, in order."""
    statement = (
        sa.select(Item)
        .join(Meeting)
        .join(Series)
        .where(Series.slug == SERIES, Meeting.number == number)
        .order_by(Item.position)
    )
    return [
        (i.kind.value, i.speaker.name if i.speaker else "", i.confidentiality.value, i.body)
        for i in db.session.scalars(statement)
    ]


def save_and_come_back(page, body) -> None:
    """Ctrl+Enter adds the item; the editor comes back ready for the next one."""
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    expect(body).to_be_focused()
    expect(body).to_have_value("")
    expect(body).to_be_in_viewport()
    expect(page.locator(".added-note")).to_be_in_viewport()


def test_three_items_in_a_row_with_the_keyboard_alone(page, live_server):
    """Kind, speaker, confidentiality, spans and saving all work from the keys
    listed, and after each save the cursor is back in the text of a new item."""
    log_in_as(page, live_server, "facilitator")
    page.goto(f"/series/{SERIES}/meetings/{EMPTY_MEETING}/notes/edit")
    form = page.locator("form.new-item-form")
    body = form.get_by_label("Text", exact=True)
    announced = form.locator(".editor-announce")
    expect(body).to_be_focused()

    # 1: a quote from Jane. The speaker list picks her from the letters typed.
    page.keyboard.press("Alt+KeyK")
    expect(announced).to_have_text("Kind: Quote.")
    page.keyboard.press("Alt+KeyP")
    expect(form.get_by_label("Speaker", exact=True)).to_be_focused()
    page.keyboard.type("Jane")
    page.keyboard.press("Enter")
    expect(body).to_be_focused()
    page.keyboard.type("People trust data they helped to collect.")
    save_and_come_back(page, body)
    # Kind and speaker start afresh; the confidentiality is kept.
    expect(form.get_by_label("Kind", exact=True)).to_have_value("point")
    expect(form.get_by_label("Speaker", exact=True)).to_have_value("")

    # 2: a confidential decision, no speaker.
    page.keyboard.press("Alt+KeyO")
    page.keyboard.press("Alt+KeyO")
    expect(announced).to_have_text("Confidentiality: Confidential: facilitators only.")
    for _ in range(3):
        page.keyboard.press("Alt+KeyK")
    expect(announced).to_have_text("Kind: Decision.")
    page.keyboard.type("Replace the supplier.")
    save_and_come_back(page, body)
    expect(form.get_by_label("Confidential: facilitators only")).to_be_checked()

    # 3: back to open, a resource (backwards from Point) from Sam, with spans.
    page.keyboard.press("Alt+KeyO")
    expect(announced).to_have_text("Confidentiality: Open: members and the public write-up.")
    page.keyboard.press("Shift+Alt+KeyK")
    expect(announced).to_have_text("Kind: Resource.")
    page.keyboard.type("The survey cost £4,000")
    for _ in range(len("£4,000")):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Alt+KeyC")
    page.keyboard.type(" ")
    page.keyboard.press("Alt+KeyM")
    page.keyboard.type("from a grant")
    page.keyboard.press("End")
    page.keyboard.type(".")
    page.keyboard.press("Alt+KeyP")
    page.keyboard.type("Sam")
    page.keyboard.press("Enter")
    save_and_come_back(page, body)

    assert live_server.run(lambda: saved_items(EMPTY_MEETING)) == [
        ("quote", "Jane Doe", "open", "People trust data they helped to collect."),
        ("decision", "", "confidential", "Replace the supplier."),
        (
            "resource",
            "Sam Patel",
            "open",
            "The survey cost [£4,000]{.confidential} [from a grant]{.members}.",
        ),
    ]
    assert_accessible(page)  # the "added" note, the live region, the marked text box
    last = page.locator(".editor-item").nth(2)
    expect(last.locator(".redact-confidential")).to_have_text("£4,000")
    expect(last.locator(".redact-members")).to_have_text("from a grant")
    expect(page.locator(".editor-item").nth(1)).to_contain_text("Confidential — never circulated")


def test_the_listed_shortcuts_are_the_ones_the_editor_handles(page, live_server):
    """Every Alt key listed on the page does something, and no other Alt key
    is taken from the browser (AltGr, which is Ctrl+Alt, least of all)."""
    log_in_as(page, live_server, "facilitator")
    page.goto(NOTES + "/edit")
    listed = {
        key
        for keys in page.locator(".shortcuts dt[data-keys]").evaluate_all(
            "dts => dts.map(dt => dt.dataset.keys)"
        )
        for key in keys.split()
    }
    assert {"Control+Enter", "Enter"} <= listed
    combos = [
        f"{shift}Alt+Key{letter}" for shift in ("", "Shift+") for letter in string.ascii_uppercase
    ]
    handled = page.evaluate(
        """combos => combos.filter(combo => {
            const body = document.querySelector('form.new-item-form textarea[name=body]');
            body.focus();
            const event = new KeyboardEvent('keydown', {
                code: combo.split('+').pop(), altKey: true, shiftKey: combo.startsWith('Shift+'),
                bubbles: true, cancelable: true,
            });
            return !body.dispatchEvent(event);
        })""",
        combos,
    )
    assert set(handled) == {key for key in listed if "Alt+" in key}
    altgr = page.evaluate(
        """() => document.querySelector('form.new-item-form textarea[name=body]').dispatchEvent(
            new KeyboardEvent('keydown', {code: 'KeyK', altKey: true, ctrlKey: true,
                                          bubbles: true, cancelable: true}))"""
    )
    assert altgr, "Ctrl+Alt (AltGr) types characters; the editor must leave it alone"


def test_facilitators_see_confidential_and_members_parts_marked(page, live_server):
    """The editor and the preview mark confidential and members-only items and
    spans in words and patterns, and both pass axe at WCAG 2.2 AA."""
    log_in_as(page, live_server, "facilitator")
    page.goto(NOTES + "/edit")
    confidential = page.locator(".editor-item", has_text=CONFIDENTIAL_ITEM)
    expect(confidential.locator(".conf-badge")).to_have_text("Confidential — never circulated")
    assert confidential.evaluate("li => getComputedStyle(li).borderTopStyle") == "solid"
    members = page.locator(".editor-item.conf-members").first
    expect(members.locator(".conf-badge")).to_have_text("Members only — not public")
    assert members.evaluate("li => getComputedStyle(li).borderTopStyle") == "dashed"
    span = page.locator(".redact-confidential", has_text=CONFIDENTIAL_SPAN)
    label = span.evaluate("s => getComputedStyle(s, '::before').content")
    assert label == '"Confidential:"'
    assert (
        page.locator(".redact-members").first.evaluate(
            "s => getComputedStyle(s, '::before').content"
        )
        == '"Members only:"'
    )
    assert_accessible(page)
    span.evaluate("s => s.closest('li').scrollIntoView({block: 'start'})")
    screenshot(page, "editor-marks", full_page=False)

    page.goto(NOTES + "/preview")
    held_back = page.locator(".held-back")
    expect(held_back).to_contain_text("Confidential — never circulated")
    expect(held_back).not_to_contain_text(CONFIDENTIAL_ITEM)
    members_column = page.locator(".preview-column").first
    expect(members_column.locator(".conf-badge-members").first).to_have_text(
        "Members only — not public"
    )
    expect(page.locator(".preview-column").nth(1).locator(".conf-badge")).to_have_count(0)
    assert_accessible(page)


def test_members_never_see_the_marks(page, live_server):
    """A member's view of the same notes has no badge, no marked span and none
    of the confidential text."""
    log_in_as(page, live_server, "member")
    page.goto(NOTES)
    expect(page.locator(".note-item").first).to_be_visible()
    html = page.content()
    for trace in ("conf-badge", "redact-", "editor.css", "never circulated", "Members only"):
        assert trace not in html
    for secret in (CONFIDENTIAL_ITEM, CONFIDENTIAL_SPAN):
        assert secret not in html
    assert "consulting on a new data strategy" in html  # a members-only item, unmarked
