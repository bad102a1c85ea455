"""Small screens and zoom (WCAG 1.4.10 Reflow, 1.4.4 Resize text): the key
pages fit 320 CSS pixels without scrolling sideways, and so they do at 200%
zoom of a small window, with the header's menu still usable without script."""

from __future__ import annotations

from typing import Any

import pytest

from notesbase.demo import DEMO_SERIES
from tests.browser.conftest import log_in_as, screenshot

MEETING = f"/series/{DEMO_SERIES.slug}/meetings/9"
KEY_PAGES = {
    "series": f"/series/{DEMO_SERIES.slug}",
    "meeting": MEETING,
    "notes": f"{MEETING}/notes",
    "search": "/search?q=data",
    "editor": f"{MEETING}/notes/edit",
    "preview": f"{MEETING}/notes/preview",
    "form": f"/series/{DEMO_SERIES.slug}/meetings/new",
    "members": "/admin/members",
}
# 320 CSS px is the width WCAG 1.4.10 names; 200% zoom of a 1280x900
# window leaves 640x450 CSS px, which the second viewport emulates.
VIEWPORTS = {
    "320px": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 1},
    "zoom-200": {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2},
}

# Elements wider than the page, for the failure message.
TOO_WIDE = """(width) => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .filter(e => !e.closest('.table-wrap, .visually-hidden, .skip-link'))
    .slice(0, 8)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
         + ' right=' + Math.round(e.getBoundingClientRect().right))"""


@pytest.fixture(params=list(VIEWPORTS))
def small_page(request, browser, live_server) -> Any:
    """An admin's page (every key page is open to an admin) in a small window."""
    size = VIEWPORTS[request.param]
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **size)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.name = request.param
    log_in_as(page, live_server, "admin")
    yield page
    context.close()
    assert not errors, errors


def test_key_pages_fit_without_scrolling_sideways(small_page):
    """No key page is wider than the window: nothing to scroll horizontally."""
    width = small_page.viewport_size["width"]
    too_wide = {}
    for name, url in KEY_PAGES.items():
        response = small_page.goto(url)
        assert response is not None and response.status == 200, url
        scroll_width = small_page.evaluate("() => document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide[name] = (scroll_width, small_page.evaluate(TOO_WIDE, width))
        if name in {"notes", "editor", "series"}:
            screenshot(small_page, f"layout-{small_page.name}-{name}")
    assert not too_wide, too_wide


def test_the_header_menu_is_usable_in_a_small_window(small_page):
    """Every link and button of the header is inside the window, not covered by
    anything, and at least 24 by 24 CSS px (WCAG 2.5.8), so it can be reached
    and pressed; the menu works without script (it wraps)."""
    small_page.goto(KEY_PAGES["notes"])
    width = small_page.viewport_size["width"]
    controls = small_page.locator(
        ".site-header a, .site-header button, .site-header input:not([type=hidden])"
    )
    assert controls.count() >= 8
    problems = small_page.evaluate(
        """(width) => [...document.querySelectorAll(
                '.site-header a, .site-header button, .site-header input:not([type=hidden])')]
            .flatMap(e => {
                const box = e.getBoundingClientRect();
                const name = e.textContent.trim() || e.getAttribute('placeholder') || e.tagName;
                const found = [];
                if (box.left < 0 || box.right > width + 0.5) {
                    found.push(name + ': outside the window');
                }
                if (box.width < 24 || box.height < 24) found.push(
                    name + ': ' + Math.round(box.width) + 'x' + Math.round(box.height) + ' px');
                const hit = document.elementFromPoint(
                    box.left + box.width / 2, box.top + box.height / 2);
                if (!hit || !(e === hit || e.contains(hit))) found.push(name + ': covered');
                return found;
            })""",
        width,
    )
    assert problems == []
    screenshot(small_page, f"layout-{small_page.name}-header", full_page=False)
