"""Journey: a member reads a meeting's notes and searches the series by theme."""

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

# Demo notes of meeting 8 that members must never see: a confidential span
# inside an open item, and a whole confidential item.
CONFIDENTIAL_SPAN = "£4,000"
CONFIDENTIAL_ITEM = "named supplier"
RESULTS = re.compile(r"\b\d+ results\b")


def test_a_member_reads_the_notes_and_searches_by_theme(page, live_server):
    """A member reads meeting 8's notes and finds its items by theme and
    filters, with the matched words highlighted, topic counts, and nothing
    confidential anywhere on the way."""
    log_in_as(page, live_server, "member")
    main = page.locator("main")

    open_meeting(page, 8)
    check(page)
    click_link(page, "Read the notes")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Notes of meeting 8")
    expect(main).to_contain_text("Chatham House Rule")
    quote = main.locator("li", has_text="People trust data they helped to collect")
    expect(quote).to_contain_text("Jane Doe (Riverside Open Data)")
    # Sam Patel's name, typed into a members-only span, is replaced by how
    # he agreed to be described to members.
    expect(main).to_contain_text("A local authority data lead's team lost half")
    expect(main).not_to_contain_text("Sam Patel")
    expect(main).not_to_contain_text(CONFIDENTIAL_SPAN)
    expect(main).not_to_contain_text(CONFIDENTIAL_ITEM)
    check(page, "tour-1-meeting-notes")

    # The search box in the header, then the filters on the results page.
    page.get_by_role("searchbox", name="Search", exact=True).fill("survey")
    click_button(page, "Search", where="header")
    expect_message(page, RESULTS)
    topic = page.get_by_label("Topic", exact=True)
    if not topic.is_visible():
        page.get_by_text("Filters", exact=True).click()
    topic.select_option(label="Open data")
    page.get_by_label("From date").fill("2025-05-01")
    page.get_by_label("To date").fill("2025-05-31")
    page.get_by_label("Kind", exact=True).select_option(label="Point")
    click_button(page, "Search", where="main")

    expect_message(page, re.compile(r"\b1 result\b"))
    hits = main.get_by_role("listitem").filter(has=page.get_by_role("heading", level=2))
    expect(hits).to_have_count(1)
    hit = hits.first
    expect(hit.get_by_role("heading")).to_contain_text("Meeting 8: Open Data Manchester")
    expect(hit).to_contain_text("Point")
    expect(hit).to_contain_text("Jane Doe (Riverside Open Data)")
    expect(hit.locator("mark")).to_have_text("surveys")
    # The item that matched carries a confidential span: it stays out.
    expect(hit).to_contain_text("The street surveys cost less than expected, and the results")
    expect(main).not_to_contain_text(CONFIDENTIAL_SPAN)
    counts = page.get_by_role("complementary", name="By topic")
    expect(counts.get_by_role("listitem").filter(has_text="Open data")).to_have_text(
        re.compile(r"Open data\s+1")
    )
    expect(topic).to_have_value("open-data")
    check(page, "tour-2-search")

    # Every meeting on the theme, newest first: only meeting 8 is on it.
    click_link(page, "Open data", where=hit, exact=True)
    expect_message(page, RESULTS)
    titles = hits.get_by_role("heading", level=2)
    expect(titles.first).to_contain_text("Meeting 8")
    for title in titles.all_inner_texts():
        assert title.startswith("Meeting 8:"), title
    # One series searched: it is named once, above the hits, not on every card.
    expect(main).to_contain_text(SERIES)
    expect(main).not_to_contain_text(CONFIDENTIAL_SPAN)
    expect(main).not_to_contain_text(CONFIDENTIAL_ITEM)
    check(page)

    # Searching for the confidential item's words finds nothing at all.
    page.get_by_label("Search the notes and write-ups").fill("supplier")
    click_button(page, "Search", where="main")
    expect_message(page, "Nothing found")
