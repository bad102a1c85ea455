"""The theme overview on the demo series page, in a real browser."""

from __future__ import annotations

import base64

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


def test_the_chart_says_when_it_scrolls(page, live_server):
    """On the desktop the chart fits, with no hint; on a 375 px phone, where
    it shows meetings 1 to 3, a visible hint above it says it scrolls and is
    the description a screen reader reads with the chart; a shadow marks the
    right edge, where there is more, until the chart is scrolled to its end."""
    page.goto(SERIES_PAGE)
    region = page.get_by_role("region", name="Topics by meeting")
    hint = page.locator(".theme-overview").get_by_text("Scroll sideways for more")
    expect(region).to_be_visible()
    expect(hint).to_be_hidden()
    expect(region).to_have_accessible_description("")

    page.set_viewport_size({"width": 375, "height": 720})
    expect(hint).to_be_visible()
    expect(region).to_have_accessible_description("Scroll sideways for more")
    assert hint.evaluate(
        "(hint, region) => hint.getBoundingClientRect().bottom"
        " <= region.getBoundingClientRect().top",
        region.element_handle(),
    ), "the hint stands above the chart"
    assert edge_shade(region) > edge_shade(region, scrolled=True) + 10


def edge_shade(region, *, scrolled: bool = False) -> float:
    """How much darker than the paper the chart's rightmost pixels are, on
    average over its height, at its start or scrolled to its end: read from
    a screenshot of it, drawn into a canvas of the page."""
    region.evaluate("(r, end) => { r.scrollLeft = end ? r.scrollWidth : 0; }", scrolled)
    picture = base64.b64encode(region.screenshot(animations="disabled")).decode()
    return region.page.evaluate(EDGE_SHADE, picture)


EDGE_SHADE = """async picture => {
    const image = new Image();
    image.src = 'data:image/png;base64,' + picture;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const drawing = canvas.getContext('2d');
    drawing.drawImage(image, 0, 0);
    const pixels = drawing.getImageData(image.width - 6, 0, 4, image.height).data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i += 4) {
        sum += (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3;
    }
    return 255 - sum / (pixels.length / 4);
}"""


def test_overview_screenshot_and_axe_on_the_desktop(page, live_server):
    """The series page with its chart passes axe; the tour's picture of it."""
    page.goto(SERIES_PAGE)
    chart = page.locator(".theme-overview")
    chart.get_by_role("heading", name="Themes").evaluate("h => h.scrollIntoView()")
    expect(chart.get_by_role("table")).to_be_visible()
    assert chart.locator("tbody tr").count() >= 3
    assert_accessible(page)
    screenshot(page, "tour-0-series-overview", full_page=False)
