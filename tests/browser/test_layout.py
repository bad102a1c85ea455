"""Small screens and zoom (WCAG 1.4.10 Reflow, 1.4.4 Resize text): every page,
as the public, a member, a facilitator and an admin, fits 320 CSS pixels
without scrolling sideways, and so do the admin's at 200% zoom of a small
window; a table or chart that scrolls inside its own box says so; the
header's menu stays usable without script.

The pages are found by a crawl (tests/browser/crawl_support.py), not from a list, so
a new page is measured as soon as a link leads to it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import pytest
import sqlalchemy as sa

from notesbase.auth import invites
from notesbase.db import db
from notesbase.demo import DEMO_SERIES
from notesbase.disclosure import Confidentiality
from notesbase.models import Item, Meeting, Role, Series
from notesbase.notes import items
from tests.browser.conftest import LiveServer, log_in_as, screenshot
from tests.browser.crawl_support import NEVER, NOT_HTML, Crawl, crawl, keep_static_files

ROLES = ("public", "member", "facilitator", "admin")
# The demo meeting with notes, people and a published write-up.
MEETING_NUMBER = 9
MEETING = f"/series/{DEMO_SERIES.slug}/meetings/{MEETING_NUMBER}"
# 375 CSS px is a common phone; 320 CSS px the width WCAG 1.4.10 names; 200%
# zoom of a 1280x900 window leaves 640x450 CSS px, which the last emulates.
VIEWPORTS = {
    "375px": {"viewport": {"width": 375, "height": 700}, "device_scale_factor": 1},
    "320px": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 1},
    "zoom-200": {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2},
}
# HTML pages that no link leads to, and how a visitor reaches them (the crawl
# starts at them).
UNLINKED = {
    "auth.accept_invite": "the link in the invitation email",
    "review.link": "the link in the review invitation email",
    "review.page": "reached from the review link, never linked to",
}
# What a page that fits 320 px has, with everything folded away unfolded: no
# sideways scrolling, and nothing sticking out past the window's right edge
# that a box fitting the window does not clip.
# An absolutely positioned box escapes every unpositioned ancestor up to its
# containing block, which is how hidden words once escaped a table's scrolling
# box and widened the whole page.
OVERFLOW = """() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    const root = document.documentElement;
    const width = root.clientWidth;
    const style = e => getComputedStyle(e);
    const clipped = element => {
        const position = style(element).position;
        if (position === 'fixed') return false;
        let escapes = position === 'absolute';
        let box = element.parentElement;
        for (; box && box !== document.body; box = box.parentElement) {
            const s = style(box);
            if (escapes && s.position === 'static') continue;
            if (s.overflowX !== 'visible') return box.getBoundingClientRect().right <= width + 0.5;
            if (s.position === 'fixed') return false;
            escapes = s.position === 'absolute';
        }
        return false;
    };
    const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + [...e.classList].map(c => '.' + c).join('');
    const outside = [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > width + 0.5 && !clipped(e));
    return {
        scroll: root.scrollWidth - width,
        outside: outside.filter(e => !outside.includes(e.parentElement)).slice(0, 5).map(e =>
            name(e) + ' right=' + Math.round(e.getBoundingClientRect().right)
            + ' "' + e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40) + '"'),
    };
}"""
# Every box that scrolls sideways is a labelled region the keyboard can
# reach and scroll, described by a visible hint that it scrolls, with a
# shadow at each edge that has more beyond it.
SCROLL_BOXES = """() => [...document.querySelectorAll('body *')]
    .filter(e => !e.matches('textarea, input, select'))
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
    .filter(e => e.scrollWidth > e.clientWidth + 1 && e.checkVisibility())
    .map(e => {
        const ids = name => (e.getAttribute(name) || '').split(/\\s+/).filter(Boolean)
            .map(id => document.getElementById(id)).filter(Boolean);
        const label = (e.getAttribute('aria-label') || '')
            + ids('aria-labelledby').map(l => l.textContent).join(' ');
        const hints = ids('aria-describedby')
            .filter(h => h.checkVisibility() && /scroll/i.test(h.textContent));
        const layers = getComputedStyle(e).backgroundAttachment;
        const problems = [];
        if (e.getAttribute('tabindex') !== '0') problems.push('not reached by Tab');
        const region = e.getAttribute('role') === 'region' && label.trim();
        if (!region) problems.push('no labelled region');
        if (!hints.length) problems.push('no visible hint that it scrolls');
        const shadows = layers.includes('local') && layers.includes('scroll');
        if (!shadows) problems.push('no shadow edges');
        return problems.length ? (label.trim() || e.className) + ': ' + problems.join(', ') : null;
    })
    .filter(Boolean)"""


# Whether an element is in view and uncovered once the page is scrolled down
# to it, with nothing scrolled sideways.
WITHIN_REACH = """element => {
    window.scrollTo(0, element.getBoundingClientRect().top + window.scrollY - 100);
    const box = element.getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    if (box.left < 0 || box.right > width) return 'outside the window, at ' + box.left;
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit && (hit === element || element.contains(hit)) ? null : 'covered';
}"""


def measure(page: Any) -> dict[str, Any]:
    return {**page.evaluate(OVERFLOW), "boxes": page.evaluate(SCROLL_BOXES)}


def starts(invitation: str, role: str) -> list[str]:
    """Where a visitor starts: the demo meeting with the most on its pages
    (so its instance of each meeting page is the one measured), the home
    page, a search (the header's form is not a link), and for the public an
    invitation's link."""
    pages = [MEETING, "/", "/search?q=data"]
    return [*pages, invitation] if role == "public" else pages


def prepare() -> str:
    """An invitation, and the meeting's first item edited into a confidential
    one, so its history offers both purges; the invitation's path."""
    series = db.session.scalar(sa.select(Series).where(Series.slug == DEMO_SERIES.slug))
    _, token, _ = invites.create_invite(
        email="phone@example.org", role=Role.MEMBER, series=[series]
    )
    meeting = db.session.scalar(
        sa.select(Meeting).where(Meeting.series == series, Meeting.number == MEETING_NUMBER)
    )
    first = db.session.scalar(
        sa.select(Item).where(Item.meeting == meeting).order_by(Item.position)
    )
    fields = items.ItemFields(
        first.kind, first.body, first.section, first.speaker_id, Confidentiality.CONFIDENTIAL
    )
    items.update_item(first, fields, actor=None)
    db.session.commit()
    return f"/invite/{token}"


@contextmanager
def small_window(browser: Any, live: LiveServer, size: str, role: str) -> Iterator[Any]:
    """A page of ``size`` (a key of VIEWPORTS) for this visitor, logged in
    unless the public; its script errors fail the test."""
    context = browser.new_context(base_url=live.url, locale="en-GB", **VIEWPORTS[size])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.name = size
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"script error on {page.url}: {error}"))
    try:
        if role != "public":
            log_in_as(page, live, role)
        yield page
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def crawled(browser, live_server):
    """The crawl as one visitor in one window, done once per module."""
    invitation = live_server.run(prepare)

    @cache
    def crawl_as(role: str, size: str) -> Crawl:
        with small_window(browser, live_server, size, role) as page:
            keep_static_files(page.context)
            return crawl(page, live_server, starts(invitation, role), measure)

    return crawl_as


def too_wide(result: Crawl) -> dict[str, Any]:
    return {
        visit.url: visit.found
        for visit in result.visits
        if visit.found["scroll"] > 0 or visit.found["outside"]
    }


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_320_px(crawled, role):
    """Every page this visitor reaches fits 320 CSS px: the page does not
    scroll sideways and nothing sticks out past the window's right edge."""
    result = crawled(role, "320px")
    assert not too_wide(result), too_wide(result)
    assert len(result.visits) >= {"public": 8, "member": 12, "facilitator": 30, "admin": 34}[role]


def test_no_page_scrolls_sideways_at_200_percent_zoom(crawled):
    """Every page the admin reaches fits a 1280 px window zoomed to 200%."""
    result = crawled("admin", "zoom-200")
    assert not too_wide(result), too_wide(result)


@pytest.mark.parametrize("role", ROLES)
def test_boxes_that_scroll_sideways_say_so(crawled, role):
    """At 320 px every table or chart wider than its box is a labelled
    region reached by Tab, with a visible hint that it scrolls (its
    description) and shadows at the edges with more beyond them."""
    result = crawled(role, "320px")
    problems = {visit.url: visit.found["boxes"] for visit in result.visits if visit.found["boxes"]}
    assert not problems, problems


def test_the_crawl_reaches_every_page(crawled, live_server):
    """Between them the four visitors open every HTML page the app has (one
    of each pattern), within the crawl's bound, so none escapes the checks
    above."""
    reached = set()
    for role in ROLES:
        result = crawled(role, "320px")
        assert result.left == 0, f"the crawl as {role} left {result.left} pages unopened"
        reached |= {visit.endpoint for visit in result.visits if visit.status == 200}
    pages = {
        rule.endpoint
        for rule in live_server.app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.endpoint.startswith("api.")
    }
    missing = pages - reached - set(NOT_HTML) - set(NEVER) - set(UNLINKED)
    assert not missing, f"no link leads to {sorted(missing)}: link them, or list them in UNLINKED"


@pytest.fixture(params=["320px", "zoom-200"])
def small_page(request, browser, live_server) -> Iterator[Any]:
    """An admin's page in a small window."""
    with small_window(browser, live_server, request.param, "admin") as page:
        yield page


@pytest.mark.parametrize("size", ["375px", "320px"])
def test_a_member_reaches_withdraw_on_a_phone(browser, live_server, size):
    """On My attributions on a phone, every Withdraw button of "How you are
    credited now" is inside the window and uncovered where it stands, with
    nothing scrolled sideways to bring it there."""
    with small_window(browser, live_server, size, "member") as page:
        page.goto("/me/attributions")
        buttons = page.get_by_role("button", name=re.compile("^Withdraw the "))
        assert buttons.count() >= 1
        for button in buttons.all():
            problem = button.evaluate(WITHIN_REACH)
            assert problem is None, f"{button.inner_text()}: {problem}"


def test_the_header_menu_is_usable_in_a_small_window(small_page):
    """Every link and button of the header is inside the window, not covered by
    anything, and at least 24 by 24 CSS px (WCAG 2.5.8), so it can be reached
    and pressed; the menu works without script (it wraps)."""
    small_page.goto(f"{MEETING}/notes")
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
