"""Journey: a member who agreed to be named in public withdraws that consent."""

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
)

# The demo links Sam Patel to the demo member's account; he speaks in
# meeting 9, whose write-up is published.
PERSON = "Sam Patel"
CREDIT = "Sam Patel (Northshire County Council)"
SAM_IN_THE_WRITEUP = "An open-source survey tool was used by two councils"


def test_withdrawing_consent_unnames_a_member_on_the_public_writeup(page, browser, live_server):
    """A facilitator records a member's public consent to be named, the
    public write-up names him, and once he withdraws it on My attributions
    the very next load of the public page no longer does."""
    main = page.locator("main")

    # The facilitator records consent given in the room, for the public.
    log_in_as(page, live_server, "facilitator")
    click_link(page, "People", where="header nav")
    click_link(page, PERSON)
    expect(main).to_contain_text("member@demo.notesbase.invalid")
    consent = page.locator("form", has=page.get_by_role("button", name="Record consent"))
    consent.get_by_label("The public").check()
    consent.get_by_label("Where it applies").select_option(label=f"Every meeting of {SERIES}")
    consent.get_by_label("By name and affiliation").check()
    click_button(page, "Record consent")
    expect_message(page, PERSON)

    # Logged out, the public reads the write-up of meeting 9 with his name.
    click_button(page, "Log out", where="header")
    click_link(page, "Series", where="header nav")
    click_link(page, SERIES)
    click_link(page, re.compile(r"^Meeting 9:"), where=main.get_by_role("region", name="Write-ups"))
    said = main.get_by_role("listitem").filter(has_text=SAM_IN_THE_WRITEUP)
    expect(said).to_contain_text(CREDIT)
    check(page)

    with another_browser(browser, live_server) as member:
        log_in_as(member, live_server, "member")
        click_link(member, "My attributions", where="header nav")
        # The public's table (members read him named too: never less than
        # the public).
        public_grants = member.locator("main").get_by_role("table", name="The public")
        named = public_grants.filter(has_text=f"“{CREDIT}”")
        expect(named).to_have_count(1)
        members = member.locator("main").get_by_role("table", name="Members of the series")
        expect(members).to_contain_text("Public: named, so members: at least named")
        # The tour's picture shows the public's table with the named grant.
        named.evaluate("table => table.scrollIntoView({block: 'start'})")
        check(member, "tour-7-my-attributions")
        click_button(member, re.compile("^Withdraw the named grant for the public"))
        expect_message(member, "Withdrawn: for the public")
        expect(named).to_have_count(0)
        check(member)

    page.reload()
    expect(said).to_contain_text("A participant")
    expect(main).not_to_contain_text(PERSON)
    expect(main).not_to_contain_text("Northshire County Council")
