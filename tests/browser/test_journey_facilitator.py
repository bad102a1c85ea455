"""Journey: a facilitator writes a meeting's notes, checks them and publishes
the public write-up."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in_as
from tests.browser.journeys_support import (
    SERIES,
    check,
    click_button,
    click_link,
    expect_message,
    open_meeting,
)

SPEAKER = "Priya Raman"
AFFILIATION = "Eastfield Borough Council"
CREDIT = f"{SPEAKER} ({AFFILIATION})"
QUOTE = "We tested the chatbot with residents before anyone else saw it."
CONFIDENTIAL_WORDS = "twelve thousand pounds from an unannounced fund"
MEMBERS_WORDS = "alongside two neighbouring councils"
# A first name on its own is not replaced in the notes: the leak check's job.
SLIP = "Priya offered to share the evaluation report."
FIXED = "The speaker offered to share the evaluation report."
SUMMARY = "The tenth meeting heard how one council piloted a chatbot with residents."


def add_item(page, *, kind, text, speaker=None, confidentiality="Open"):
    """Fill in the editor's Add an item form and add it (under the last
    section heading, which the form keeps)."""
    form = page.get_by_role("region", name="Add an item").locator("form")
    form.get_by_label("Kind", exact=True).select_option(label=kind)
    if speaker:
        form.get_by_label("Speaker", exact=True).select_option(label=speaker)
    form.get_by_label("Text", exact=True).fill(text)
    form.get_by_label(re.compile(f"^{confidentiality}:")).check()
    click_button(page, "Add item")


def test_a_facilitator_writes_checks_and_publishes_the_notes(page, live_server):
    """Consent, spans and the leak check shape what each audience sees: the
    name only for members, redacted words for nobody outside, and a slip
    caught before the public write-up goes out."""
    log_in_as(page, live_server, "facilitator")
    main = page.locator("main")
    open_meeting(page, 10)
    click_link(page, "Edit the notes")
    check(page)

    # First item: a quote by someone new, who is added as a person on the way.
    form = page.get_by_role("region", name="Add an item").locator("form")
    form.get_by_label("Kind", exact=True).select_option(label="Quote")
    form.get_by_text("Someone not in the list? Add a new speaker").click()
    form.get_by_label("New speaker's name").fill(SPEAKER)
    form.get_by_label("Their affiliation").fill(AFFILIATION)
    form.get_by_label("Their own description").fill("a council engagement officer")
    form.get_by_label("Text", exact=True).fill(f"“{QUOTE}”")
    form.get_by_label("Section heading").fill("Pilots")
    click_button(page, "Add item")
    add_item(
        page,
        kind="Point",
        speaker=CREDIT,
        text=f"The pilot cost [{CONFIDENTIAL_WORDS}]{{.confidential}} and ran "
        f"[{MEMBERS_WORDS}]{{.members}} for six months.",
    )
    add_item(page, kind="Action", text=SLIP)
    items = main.get_by_role("region", name="Items", exact=True).get_by_role("listitem")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text(CREDIT)
    expect(items.nth(1)).to_contain_text(CONFIDENTIAL_WORDS)
    # After adding, the editor scrolls to the form; the tour shows the items.
    page.evaluate("window.scrollTo(0, 0)")
    check(page, "tour-3-editor")

    # Consent given in the room: named, for members of the series only.
    click_link(page, "People", where="header nav")
    click_link(page, SPEAKER)
    consent = page.locator("form", has=page.get_by_role("button", name="Record consent"))
    consent.get_by_label("Members of the series").check()
    consent.get_by_label("Where it applies").select_option(label="Everywhere")
    consent.get_by_label("By name and affiliation").check()
    consent.get_by_label("Note").fill("Given in the room")
    click_button(page, "Record consent")
    expect_message(page, SPEAKER)
    check(page)

    # The two audiences side by side.
    open_meeting(page, 10)
    click_link(page, "Edit the notes")
    click_link(page, "Preview: members and public side by side")
    members = main.locator("section", has=page.get_by_role("heading", name="Members", level=2))
    public = main.locator("section", has=page.get_by_role("heading", name="Public", level=2))
    expect(members).to_contain_text(CREDIT)
    expect(members).to_contain_text(MEMBERS_WORDS)
    expect(members).not_to_contain_text(CONFIDENTIAL_WORDS)
    expect(public).to_contain_text(QUOTE)
    expect(public).to_contain_text("A participant")
    expect(public).not_to_contain_text(SPEAKER)
    expect(public).not_to_contain_text(AFFILIATION)
    expect(public).not_to_contain_text(MEMBERS_WORDS)
    expect(public).not_to_contain_text(CONFIDENTIAL_WORDS)
    expect(public).to_contain_text("The pilot cost and ran for six months.")
    check(page, "tour-4-preview")

    # A draft write-up: the summary and every open item.
    click_link(page, "Back to the editor")
    click_link(page, "Read the notes")
    click_link(page, "Public write-up")
    page.get_by_label("Summary").fill(SUMMARY)
    for option in main.get_by_role("checkbox").all():
        option.check()
    click_button(page, "Save the write-up")
    expect_message(page, "Write-up saved.")
    check(page)

    # The leak check catches the first name left in the open action.
    click_link(page, "Meeting 10", where=".breadcrumb, main")
    click_link(page, "Read the notes")
    click_link(page, "Leak check")
    public_part = main.get_by_role("region", name="What the public receives")
    # Found in the page and again in its Markdown file: one finding, at item 3.
    expect(public_part).to_contain_text("Public write-up: 1 finding stands.")
    finding = public_part.locator(".leak-finding")
    expect(finding).to_have_count(1)
    expect(finding).to_contain_text("Priya Raman, who has not agreed to be named to the public")
    expect(finding.get_by_role("link", name="Item 3")).to_be_visible()
    expect(finding).to_contain_text("Public write-up (text, Markdown file)")
    check(page, "tour-5-leak-check")

    # Fix the item, then check again: every channel is clean.
    click_link(page, "Notes")
    click_link(page, "Edit the notes")
    click_link(page, "Edit item 3")
    page.get_by_label("Text", exact=True).fill(FIXED)
    click_button(page, "Save item")
    expect_message(page, "Item saved.")
    click_link(page, "Read the notes")
    click_link(page, "Leak check")
    expect(main.get_by_role("listitem")).to_have_count(0)
    # Every channel: write-up, email, export and the meeting's public details.
    expect(main.get_by_text("No findings")).to_have_count(4)
    check(page)

    # Publish from the preview, which shows exactly what the public will see.
    click_link(page, "Notes")
    click_link(page, "Public write-up")
    click_link(page, "Preview as the public sees it")
    expect(main).to_contain_text(FIXED)
    check(page)
    click_button(page, "Publish")
    expect_message(page, "Write-up published.")

    # Logged out, the public finds the write-up from the series page.
    click_button(page, "Log out", where="header")
    click_link(page, "Series", where="header nav")
    click_link(page, SERIES)
    click_link(
        page, re.compile(r"^Meeting 10:"), where=main.get_by_role("region", name="Write-ups")
    )
    expect(main).to_contain_text(SUMMARY)
    expect(main).to_contain_text(QUOTE)
    expect(main).to_contain_text(FIXED)
    expect(main).to_contain_text("A participant")
    for hidden in (SPEAKER, "Priya", AFFILIATION, CONFIDENTIAL_WORDS, MEMBERS_WORDS):
        expect(main).not_to_contain_text(hidden)
    check(page, "tour-6-writeup")
