"""Printing the notes and a public write-up: only the content on paper, links
that say where they lead, and no item split across two pages."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from notesbase.demo import DEMO_SERIES
from tests.browser.conftest import log_in_as, screenshot

MEETING = f"/series/{DEMO_SERIES.slug}/meetings/9"
# What a page has for the screen and not for paper.
SCREEN_ONLY = (
    ".site-header",
    ".site-header nav",
    "form[role=search]",
    ".site-footer",
    ".skip-link",
    "main .actions",
    "main form",
    "main button",
)
EXTERNAL_LINK_AFTER = """() => [...document.querySelectorAll('main a[href^="http"]')]
    .map(a => [a.href, getComputedStyle(a, '::after').content])"""
BREAKS_INSIDE = """() => [...document.querySelectorAll('.note-item')]
    .map(e => getComputedStyle(e).breakInside)"""


def assert_prints_only_the_content(page: Any) -> None:
    """The page as printed: the print stylesheet applies, the screen's
    furniture is gone, the content is there, external links print their
    address and no item breaks across a page."""
    assert page.locator('link[rel=stylesheet][media=print][href$="/print.css"]').count() == 1
    page.emulate_media(media="print")
    present = [selector for selector in SCREEN_ONLY if page.locator(selector).count()]
    assert {".site-header", ".site-footer", "form[role=search]"} <= set(present)
    for selector in present:
        for element in page.locator(selector).all():
            expect(element).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    items = page.locator(".note-item")
    assert items.count() >= 3
    for item in items.all():
        expect(item).to_be_visible()
    links = page.evaluate(EXTERNAL_LINK_AFTER)
    assert links, "the notes have a link off the site"
    for href, after in links:
        assert href in after, (href, after)
    assert set(page.evaluate(BREAKS_INSIDE)) == {"avoid"}


def test_the_notes_print_as_notes(page, live_server):
    """A facilitator's notes page prints without the menu, search, buttons,
    view switch or forms."""
    log_in_as(page, live_server, "facilitator")
    page.goto(f"{MEETING}/notes")
    assert page.locator("main .actions").count() and page.locator("main form, .view-as").count()
    assert_prints_only_the_content(page)
    expect(page.locator(".view-as")).to_be_hidden()
    screenshot(page, "print-notes")


def test_a_public_write_up_prints_as_the_write_up(page, live_server):
    """The public write-up prints its summary and items and nothing else."""
    page.goto(f"{MEETING}/writeup")
    assert_prints_only_the_content(page)
    expect(page.locator(".writeup-summary")).to_be_visible()
    screenshot(page, "print-writeup")
