"""Journey: the agreed record. A facilitator opens a review of demo meeting 8;
Jane Doe, a guest with no account, follows the link in the .eml file the
outbox holds, withdraws her public consent for the meeting, proposes a
correction and approves; the facilitator accepts the correction, and the
notes circulated by email and the public write-up reflect it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import log_in_as
from tests.browser.journeys_support import (
    another_browser,
    check,
    click_button,
    click_link,
    expect_message,
    open_meeting,
)

QUOTE = "People trust data they helped to collect."
CORRECTED = "“People trust data they helped to gather. Our street surveys did far better.”"
JANE_PUBLIC = "Riverside Open Data"


def _messages(live: Any) -> list[Any]:
    folder = Path(live.app.instance_path) / "outbox"
    paths = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


def _text(message: Any) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_journey_a_guest_reviews_the_notes_before_they_circulate(page, browser, live_server):
    main = page.locator("main")
    log_in_as(page, live_server, "facilitator")
    open_meeting(page, 8)
    meeting_path = "/" + page.url.split("/", 3)[3]
    click_link(page, "Read the notes")
    click_link(page, "Review by the speakers")
    page.get_by_label(re.compile("^Deadline")).fill((date.today() + timedelta(days=7)).isoformat())
    click_button(page, "Prepare the review")
    expect(main.locator("#review-recorded")).to_contain_text("Jane Doe")
    click_button(page, "Send the review links")
    expect_message(page, "Invitations sent to 1 person.")
    check(page)

    invitation = _messages(live_server)[-1]
    assert invitation["To"].addresses[0].addr_spec == "jane.doe@example.org"
    link = re.search(r"https?://\S+/review/\S+", _text(invitation))
    assert link is not None

    with another_browser(browser, live_server) as guest:
        guest.goto(link.group(0))
        click_button(guest, "Open my review")
        review = guest.locator("main")
        expect(review).to_contain_text("Hello Jane Doe")
        expect(review).to_contain_text(QUOTE)
        expect(review).not_to_contain_text("not to be repeated outside this room")

        consent = guest.locator("form.review-consent")
        consent.get_by_label("The public").check()
        consent.get_by_label("Where it applies").select_option(label="This meeting")
        consent.get_by_label("Anonymous").check()
        click_button(guest, "Save how I am credited")
        expect_message(guest, "it applies at once")

        quote = review.locator(".review-item", has_text=QUOTE)
        quote.get_by_text("Ask for a change to this item").click()
        quote.get_by_label("Correct the text").check()
        quote.get_by_label(re.compile("^The text as you would have it")).fill(CORRECTED)
        quote.get_by_label("Comment for the facilitator").fill("I said gather.")
        click_button(guest, "Send the request", where=quote)
        expect_message(guest, "Your request was sent")
        click_button(guest, "I approve the record")
        expect_message(guest, "you approved the record")
        check(guest, "tour-9-review-page")

    page.reload()
    expect(main.locator("#review-state")).to_have_text("Agreed")
    expect(main.locator("ins").first).to_contain_text("gather.")
    check(page, "tour-10-review-board")
    click_button(page, "Accept")
    expect_message(page, "Accepted: the notes have a new version.")
    told = _messages(live_server)[-1]
    assert "accepted" in _text(told) and told["To"].addresses[0].addr_spec == "jane.doe@example.org"

    # Circulated: the members' email carries the corrected words.
    click_link(page, "Meeting 8", where=".breadcrumb")
    click_link(page, "Read the notes")
    click_link(page, "Circulate by email")
    click_link(page, re.compile("^Send to"))
    click_button(page, re.compile("^Send to"))
    circulated = [m for m in _messages(live_server) if "Notes of meeting 8" in str(m["Subject"])]
    assert circulated and "did far better" in _text(circulated[-1])
    assert "Our street surveys had three times" not in _text(circulated[-1])

    # The public write-up: the corrected words, and Jane no longer credited.
    click_link(page, "Meeting 8", where=".breadcrumb")
    click_link(page, "Read the notes")
    click_link(page, "Public write-up")
    for option in main.get_by_role("checkbox").all():
        option.check()
    click_button(page, "Save the write-up")
    click_link(page, "Preview as the public sees it")
    click_button(page, "Publish")
    expect_message(page, "Write-up published.")
    click_button(page, "Log out", where="header")
    page.goto(meeting_path.rstrip("/") + "/writeup")
    expect(main).to_contain_text("did far better")
    expect(main).not_to_contain_text(JANE_PUBLIC)
