"""Shared steps of the end-to-end journeys: the demo series, a second
person's browser, and checking and photographing a page on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    LiveServer,
    _expected_console_error,
    assert_accessible,
    screenshot,
)

SERIES = "Data and AI public engagement: Community of Practice"


def check(page: Any, shot: str | None = None) -> None:
    """The page passes the WCAG check; ``shot`` names its screenshot."""
    assert_accessible(page)
    if shot:
        screenshot(page, shot, full_page=False)


def _within(page: Any, where: Any) -> Any:
    return page.locator(where) if isinstance(where, str) else where


def click_link(
    page: Any, name: str | re.Pattern[str], *, where: Any = "main", exact: bool = False
) -> None:
    """Follow the first link called ``name`` inside ``where`` (a selector or
    a locator) and wait for the page after it."""
    with page.expect_navigation():
        _within(page, where).get_by_role("link", name=name, exact=exact).first.click()


def click_button(page: Any, name: str | re.Pattern[str], *, where: Any = "main") -> None:
    """Press the first button called ``name`` inside ``where`` and wait for
    the page after it."""
    with page.expect_navigation():
        _within(page, where).get_by_role("button", name=name).first.click()


def expect_message(page: Any, text: str | re.Pattern[str]) -> None:
    """A status message (a flash, or a live region) on the page says ``text``."""
    expect(page.locator("main").get_by_role("status").filter(has_text=text)).to_have_count(1)


def open_meeting(page: Any, number: int) -> None:
    """From any page: Series in the menu, the demo series, then meeting ``number``."""
    click_link(page, "Series", where="header nav")
    click_link(page, SERIES)
    click_link(page, re.compile(rf"^Meeting {number}:"))


@contextmanager
def another_browser(browser: Any, live: LiveServer) -> Iterator[Any]:
    """A page in a browser of its own (no shared cookies), for a second
    person in the journey; like the ``page`` fixture, its script and console
    errors fail the test."""
    context = browser.new_context(base_url=live.url, viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console {message.type}: {message.text}")
            if message.type == "error" and not _expected_console_error(message.text)
            else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert not errors, "\n".join(errors)
