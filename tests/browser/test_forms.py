"""A form sent with a mistake, in a real browser: where focus goes, what the
summary links to, and what survives."""

from __future__ import annotations

from playwright.sync_api import expect

from notesbase.demo import DEMO_SERIES
from tests.browser.conftest import assert_accessible, log_in_as


def test_the_meeting_form_leads_to_its_error_and_keeps_what_was_typed(page, live_server):
    """Sent with a bad time zone, the meeting form answers 422, focus starts on
    the summary, whose link leads to the field, the message is tied to it,
    everything typed is still there, and the page passes axe."""
    log_in_as(page, live_server, "facilitator")
    page.goto(f"/series/{DEMO_SERIES.slug}/meetings/new")
    page.get_by_label("Title").fill("Budgets in the open")
    page.get_by_label("Date").fill("2025-09-18")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_label("Topics").fill("Budgets, Open data")
    page.get_by_label("Held under the Chatham House Rule").uncheck()
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Create meeting").click()
    assert sent.value.status == 422

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Time zone")
    expect(link).to_have_attribute("href", "#timezone")
    link.click()
    field = page.locator("#timezone")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(
        "An IANA time zone name, such as Europe/London. "
        "Error: Give a time zone name like Europe/London or America/New_York (IANA time zone)."
    )
    expect(field).to_have_value("Mars/Olympus")
    expect(page.get_by_label("Title")).to_have_value("Budgets in the open")
    expect(page.get_by_label("Date")).to_have_value("2025-09-18")
    expect(page.get_by_label("Topics")).to_have_value("Budgets, Open data")
    expect(page.get_by_label("Held under the Chatham House Rule")).not_to_be_checked()
    assert_accessible(page)
