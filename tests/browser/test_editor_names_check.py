"""The editor's names check in a live meeting: a first name typed into an
item is flagged under the text before it is saved, for someone who has not
agreed to be named, and fixed with the keyboard alone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from notesbase.db import db
from notesbase.notes.people import PersonFields, create_person
from tests.browser.conftest import assert_accessible, log_in_as, screenshot

SERIES = "demo-community-of-practice"
EDITOR = f"/series/{SERIES}/meetings/3/notes/edit"  # the demo has no notes for it
ADA_TO_MEMBERS = (
    "“Ada” is part of the name of Ada Lovelace, who has not agreed to be named to members "
    "of the series."
)
# Time for an answer to be read and shown once it has come.
SETTLE_MS = 300


@pytest.fixture(scope="module", autouse=True)
def ada(live_server) -> None:
    """Ada Lovelace, who has agreed to nothing."""

    def add() -> None:
        create_person(PersonFields("Ada Lovelace", "Analytical Engine Society"), actor=None)
        db.session.commit()

    live_server.run(add)


def requests_made(page) -> list[str]:
    """Every address the page asks for from now on."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    return asked


def test_a_first_name_is_flagged_and_fixed_with_the_keyboard_alone(page, live_server):
    asked = requests_made(page)
    log_in_as(page, live_server, "facilitator")
    page.goto(EDITOR)
    form = page.locator("form.new-item-form")
    body = form.get_by_label("Text", exact=True)
    check = form.locator(".draft-check")
    status = check.locator("[role=status]")
    flagged = check.locator(".draft-check-finding")
    expect(status).to_have_attribute("aria-live", "polite")

    page.keyboard.press("Alt+KeyN")
    expect(body).to_be_focused()
    page.keyboard.type("Ada said the pilot worked.")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(ADA_TO_MEMBERS)
    expect(flagged).to_contain_text("Nor may the public read it.")
    expect(status).to_have_text("Flagged below: " + ADA_TO_MEMBERS)
    consent = flagged.get_by_role("link", name="Consent of Ada Lovelace")
    expect(consent).to_have_attribute("target", "_blank")
    assert_accessible(page)
    screenshot(page, "editor-names-check", full_page=False)

    # The first stop after the text: the words, selected in the text.
    page.keyboard.press("Tab")
    expect(flagged.get_by_role("button", name="Show “Ada” in the text")).to_be_focused()
    page.keyboard.press("Enter")
    expect(body).to_be_focused()
    assert body.evaluate("t => [t.selectionStart, t.selectionEnd]") == [0, 3]

    # Then the fix: a confidential span around the words, made in the text.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(flagged.get_by_role("button", name="Make “Ada” confidential")).to_be_focused()
    page.keyboard.press("Enter")
    expect(body).to_have_value("[Ada]{.confidential} said the pilot worked.")
    expect(body).to_be_focused()
    expect(flagged).to_have_count(0)
    expect(status).to_have_text("Nothing flagged now.")
    expect(form.locator(".editor-announce")).to_contain_text("Make “Ada” confidential: done.")

    # The item-wide fix sets the form's confidentiality.
    page.keyboard.press("End")
    page.keyboard.type(" Ada agreed.")
    expect(flagged).to_have_count(1)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(flagged.get_by_role("button", name="Mark the item confidential")).to_be_focused()
    page.keyboard.press("Enter")
    expect(form.get_by_label("Confidential: facilitators only")).to_be_checked()
    expect(flagged).to_have_count(0)
    expect(body).to_be_focused()

    origin = urlsplit(live_server.url).netloc
    assert asked and all(urlsplit(url).netloc == origin for url in asked)


def test_an_item_s_saved_text_is_checked_when_its_form_opens(page, live_server):
    """Editing a saved item: the check runs at once, before any typing."""
    log_in_as(page, live_server, "facilitator")
    page.goto(EDITOR)
    body = page.locator("form.new-item-form").get_by_label("Text", exact=True)
    body.fill("We heard from Ada about the pilot.")
    with page.expect_navigation():
        body.press("Control+Enter")
    saved = page.locator(".editor-item", has_text="about the pilot")
    saved.get_by_role("link", name="Edit").click()
    flagged = page.locator(".draft-check-finding")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(ADA_TO_MEMBERS)


def test_an_older_slower_answer_never_replaces_a_newer_one(page, live_server):
    """The first answer is held back until the text has changed and the
    newer answer (nothing to flag) is shown: when it comes, it is ignored."""
    page.add_init_script(
        """(() => {
            const real = window.fetch;
            let release;
            const released = new Promise(done => { release = done; });
            window.held = false;
            window.answered = 0;
            window.releaseFirst = () => release();
            window.fetch = (...args) => real(...args).then(response => {
                const wait = window.held ? Promise.resolve() : released;
                window.held = true;
                return wait.then(() => { window.answered += 1; return response; });
            });
        })()"""
    )
    log_in_as(page, live_server, "facilitator")
    page.goto(EDITOR)
    body = page.locator("form.new-item-form").get_by_label("Text", exact=True)
    flagged = page.locator(".draft-check-finding")
    body.focus()
    page.keyboard.type("Ada said so.")
    page.wait_for_function("() => window.held")
    page.keyboard.press("Control+A")
    page.keyboard.type("Nobody said so.")
    page.wait_for_function("() => window.answered === 1")
    page.wait_for_timeout(SETTLE_MS)
    page.evaluate("() => window.releaseFirst()")
    page.wait_for_function("() => window.answered === 2")
    page.wait_for_timeout(SETTLE_MS)  # time for the older answer to be read, and ignored
    expect(flagged).to_have_count(0)
    assert body.input_value() == "Nobody said so."
