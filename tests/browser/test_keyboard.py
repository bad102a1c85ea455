"""Keyboard use (WCAG 2.1.1, 2.1.2, 2.4.1, 2.4.7): a skip link first, focus
always visible, no trap, and a member's day done without a mouse."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from notesbase.demo import DEMO_SERIES
from tests.browser.conftest import log_in_as

SERIES = f"/series/{DEMO_SERIES.slug}"
# The focused element: what it is, what it is called, and how its focus shows.
FOCUSED = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    const label = e.labels && e.labels.length ? e.labels[0].textContent : '';
    return {
        tag: e.tagName.toLowerCase(),
        type: e.getAttribute('type') || '',
        id: e.id,
        name: [label, e.getAttribute('aria-label') || '', e.textContent, e.placeholder || '']
            .join(' ').replace(/\\s+/g, ' ').trim(),
        inMain: !!e.closest('main'),
        outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
        shadow: style.boxShadow,
        width: box.width,
        height: box.height,
    };
}"""


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate(FOCUSED)


def tab_to(page: Any, name: str | re.Pattern[str], *, limit: int = 60) -> dict[str, Any]:
    """Press Tab until the focused element's name matches ``name``."""
    pattern = name if isinstance(name, re.Pattern) else re.compile(re.escape(name))
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if pattern.search(now["name"]):
            return now
        seen.append(now["name"][:40])
    raise AssertionError(f"Tab never reached {name!r}; it went through {seen}")


def test_the_first_tab_is_a_visible_skip_link_to_the_content(page, live_server):
    """The first Tab on a page focuses a visible "Skip to content" link, and
    following it moves the focus to the main content."""
    page.goto(f"{SERIES}/meetings/9")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["name"] == "Skip to content"
    link = page.get_by_role("link", name="Skip to content")
    expect(link).to_be_in_viewport()
    assert first["width"] >= 24 and first["height"] >= 24
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab goes on from the content, not from the top of the page.
    page.keyboard.press("Tab")
    assert focused(page)["inMain"]


def assert_focus_always_visible(page: Any, limit: int = 150) -> set[str]:
    """Tab through the whole page; every stop shows a focus indicator (an
    outline of at least 2 px or a box shadow) on a box that has a size.
    Returns the kinds of control met."""
    kinds = set()
    hidden = []
    start = None
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "body":
            break
        key = (now["tag"], now["id"], now["name"])
        if key == start:
            break
        start = start or key
        kinds.add(now["tag"])
        shows = now["outline"] >= 2 or now["shadow"] != "none"
        if not shows or now["width"] < 1 or now["height"] < 1:
            hidden.append(now)
    assert hidden == [], f"focus not visible on {page.url}: {hidden[:5]}"
    return kinds


def test_focus_is_visible_on_every_control(page, live_server):
    """On the header, a form and the notes editor, every link, button, field
    and list that takes the focus shows it."""
    log_in_as(page, live_server, "facilitator")
    kinds = set()
    for url in (f"{SERIES}/meetings/new", f"{SERIES}/meetings/9/notes/edit"):
        page.goto(url)
        kinds |= assert_focus_always_visible(page)
    assert {"a", "button", "input", "select", "textarea"} <= kinds


def test_a_member_logs_in_reads_notes_and_searches_with_the_keyboard(page, live_server):
    """With only the keyboard, a member logs in, opens meeting 9's notes from
    the menu, and searches from the header."""
    email, password = live_server.account("member")
    page.goto("/login")
    tab_to(page, "Email")
    page.keyboard.type(email)
    tab_to(page, re.compile(r"^Password"))
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    for link in ("Series", "Data and AI public engagement", re.compile(r"^Meeting 9:")):
        tab_to(page, link)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    tab_to(page, "Read the notes")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Notes of meeting 9")

    page.keyboard.press("Shift+Tab")  # back into the page from wherever Enter left focus
    tab_to(page, "Search notes")
    page.keyboard.type("survey")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=survey"))
    expect(page.locator(".search-hit").first).to_be_visible()


def test_no_keyboard_trap_in_the_header(page, live_server):
    """Tab goes through the header's search box (typed into) and menu, in
    order, into the main content, and Shift+Tab goes back the same way to the
    skip link: nothing holds the focus."""
    log_in_as(page, live_server, "admin")
    page.goto(SERIES)
    forward = []
    while not forward or not focused(page)["inMain"]:
        page.keyboard.press("Tab")
        now = focused(page)
        forward.append(now["name"])
        if now["tag"] == "input":
            page.keyboard.type("data")
        assert len(forward) < 20, f"the focus stays in the header: {forward}"
    header = forward[:-1]
    assert header[0] == "Skip to content" and header[-1] == "Log out"
    assert any("Search notes" in name for name in header)
    back = [forward[-1]]
    while back[-1] != "Skip to content":
        page.keyboard.press("Shift+Tab")
        back.append(focused(page)["name"])
        assert len(back) < 20, f"the focus stays in the header: {back}"
    assert back[::-1] == forward
