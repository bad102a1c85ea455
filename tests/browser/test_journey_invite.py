"""Journey: an admin invites someone, who sets up an account and reads the notes."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in_as
from tests.browser.journeys_support import (
    SERIES,
    another_browser,
    check,
    click_button,
    click_link,
    expect_message,
    open_meeting,
)

INVITEE = "new.member@example.org"
NAME = "Alex Invited"
PASSWORD = "correct horse battery staple"


def test_an_invited_member_sets_up_an_account_and_reads_the_notes(page, browser, live_server):
    """The invitation link the admin is shown works in another browser: the
    invitee chooses a name and password, is logged in, and reads the notes
    of the series they were invited to; the admin sees it accepted."""
    log_in_as(page, live_server, "admin")
    main = page.locator("main")
    click_link(page, "Members", where="header nav")
    check(page)
    click_link(page, "Invite someone")
    page.get_by_label("Email").fill(INVITEE)
    page.get_by_label("Role").select_option(label="Member")
    page.get_by_label(SERIES).check()
    click_button(page, "Create invitation link")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invitation link for {INVITEE}")
    link = page.get_by_label("Invitation link").input_value()
    assert link.startswith(f"{live_server.url}/"), link
    check(page, "tour-8-invite")

    with another_browser(browser, live_server) as invitee:
        invitee.goto(link)
        expect(invitee.locator("main")).to_contain_text(INVITEE)
        check(invitee)
        invitee.get_by_label("Your name as other members will see it").fill(NAME)
        invitee.get_by_label("Choose a password").fill(PASSWORD)
        invitee.get_by_label("Type the new password again").fill(PASSWORD)
        click_button(invitee, "Create my account")
        expect_message(invitee, f"Welcome, {NAME}.")
        expect(invitee.get_by_role("navigation", name="Main")).to_contain_text(NAME)
        check(invitee)

        open_meeting(invitee, 9)
        click_link(invitee, "Read the notes")
        notes = invitee.locator("main")
        expect(invitee.get_by_role("heading", level=1)).to_contain_text("Notes of meeting 9")
        expect(notes).to_contain_text("Deliberation platforms work when someone is paid")
        # Members read the members-only span; only facilitators the confidential one.
        expect(notes).to_contain_text("one of which is about to drop it")
        expect(notes).to_contain_text("one department is piloting a lighter process")
        expect(notes).not_to_contain_text("(Department for Example)")
        check(invitee)

    click_link(page, "Back to invitations")
    invitation = main.get_by_role("row").filter(has_text=INVITEE)
    expect(invitation).to_contain_text(re.compile("Accepted", re.IGNORECASE))
