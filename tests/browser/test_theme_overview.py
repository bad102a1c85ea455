"""The theme overview on the demo series page, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from notesbase.demo import DEMO_SERIES
from tests.browser.conftest import assert_accessible, screenshot

SERIES_PAGE = f"/series/{DEMO_SERIES.slug}"
PHONE = {"width": 320, "height": 720}


def test_overview_fits_a_phone_and_scrolls_by_keyboard(page, live_server):
    """At 320 px the page never scrolls sideways; the chart scrolls inside its
    own region, which the keyboard reaches and scrolls, with topics kept in view."""
    page.set_viewport_size(PHONE)
    page.goto(SERIES_PAGE)
    region = page.get_by_role("region", name="Topics by meeting")
    expect(region).to_be_visible()
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the page scrolls sideways at 320 px"
    assert region.evaluate("r => r.scrollWidth > r.clientWidth"), "the chart should overflow"

    # Shift+Tab from the first meeting link inside the chart lands on the region.
    region.get_by_role("link", name="Meeting 1", exact=True).focus()
    page.keyboard.press("Shift+Tab")
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle())
    # The topic column is sticky: still at the region's left edge, not scrolled away.
    offset = region.evaluate(
        "r => r.querySelector('tbody th').getBoundingClientRect().left"
        " - r.getBoundingClientRect().left - r.clientLeft"
    )
    assert abs(offset) < 1, offset
    # Tabbing back into the chart from its far end brings the meeting out from
    # under the sticky topic column, not behind it (WCAG 2.4.11).
    region.evaluate("r => { r.scrollLeft = r.scrollWidth; }")
    page.keyboard.press("Tab")
    first_meeting = region.get_by_role("link", name="Meeting 1", exact=True)
    expect(first_meeting).to_be_focused()
    covered = first_meeting.evaluate(
        "a => { const box = a.getBoundingClientRect();"
        " const hit = document.elementFromPoint(box.left + 2, box.top + box.height / 2);"
        " return !(hit === a || a.contains(hit)); }"
    )
    assert not covered, "the focused meeting link is hidden under the topic column"
    assert_accessible(page)


def test_overview_screenshot_and_axe_on_the_desktop(page, live_server):
    """The series page with its chart passes axe; the tour's picture of it."""
    page.goto(SERIES_PAGE)
    chart = page.locator(".theme-overview")
    chart.get_by_role("heading", name="Themes").evaluate("h => h.scrollIntoView()")
    expect(chart.get_by_role("table")).to_be_visible()
    assert chart.locator("tbody tr").count() >= 3
    assert_accessible(page)
    screenshot(page, "tour-0-series-overview", full_page=False)
