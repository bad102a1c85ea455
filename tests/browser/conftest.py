"""Browser tests: Playwright drives Debian's Chromium against a live server.

Each test module gets its own server (a werkzeug thread on a loopback port,
the demo data loaded, CSRF on) and each test its own browser context. No
browser is downloaded: without ``/usr/bin/chromium`` (or ``NOTESBASE_CHROMIUM``)
the tests skip with that reason, except under ``CI=true`` where they fail.

Screenshots go to ``build/screenshots`` (``NOTESBASE_SCREENSHOTS`` overrides);
``make screenshots`` refreshes the README's tour from them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from werkzeug.serving import make_server

from notesbase.db import db
from notesbase.demo import load_demo
from notesbase.site import record_served_at
from tests.conftest import build_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("NOTESBASE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# axe-core's tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(os.environ.get("NOTESBASE_SCREENSHOTS", ROOT / "build" / "screenshots"))
DESKTOP = {"width": 1280, "height": 900}
T = TypeVar("T")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            # One pytest-xdist worker runs them, one module after another
            # (``--dist loadgroup``), so Playwright's event loop, which lives
            # as long as a module's browser, never runs under another test.
            item.add_marker(pytest.mark.xdist_group("browser"))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Browser tests are required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module. Not per session: Playwright
    keeps an event loop running in the test's thread while it is started,
    and an app context cannot close on such a thread, so tests of other
    modules that run afterwards in the same process need it stopped."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class LiveServer:
    """A running app: its base URL and the demo accounts' passwords by role."""

    app: Flask
    url: str
    passwords: dict[str, tuple[str, str]]

    def account(self, role: str) -> tuple[str, str]:
        """(email, password) of the demo account with this role: admin,
        facilitator or member."""
        return self.passwords[role]

    def run(self, function: Callable[[], T]) -> T:
        """``function()`` inside an app context, off the test's event loop."""

        def in_context() -> T:
            with self.app.app_context():
                return function()

        return off_the_loop(in_context)


def off_the_loop(function: Callable[[], T]) -> T:
    """Run ``function`` in a fresh thread and return its result.

    Playwright's sync API keeps an asyncio loop running in the test's thread,
    and Flask refuses to close an app context (flask-sqlalchemy-lite's async
    teardown) on a thread with a running loop; so app and database work of a
    browser test goes through here."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed back to the caller
            outcome["error"] = error

    thread = threading.Thread(target=run, name="off-the-loop")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def serve(app: Flask) -> tuple[str, Any]:
    """Start ``app`` on a free loopback port in a thread; returns (url, server)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    # As `notesbase run` does: with no BASE_URL, the site is where it is served.
    record_served_at(app, url)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    return url, server


def start_live_server(folder: Path, suite_postgres: str | None, **config: Any) -> Any:
    """Build an app with the demo data loaded and serve it; a context manager
    would hide the teardown order, so callers use ``stop_live_server``."""
    settings = {"SERVER_NAME": None, "WTF_CSRF_ENABLED": True, **config}

    def build() -> tuple[Flask, list]:
        app = build_app(folder, suite_postgres, **settings)
        with app.app_context():
            accounts = load_demo(datetime.now(UTC))
            db.session.commit()
        return app, accounts

    app, accounts = off_the_loop(build)
    passwords = {account.role.value: (account.email, password) for account, password in accounts}
    url, server = serve(app)
    return LiveServer(app, url, passwords), server


def stop_live_server(live: LiveServer, server: Any) -> None:
    server.shutdown()
    server.server_close()

    def dispose() -> None:
        with live.app.app_context():
            db.engine.dispose()

    off_the_loop(dispose)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, suite_postgres, browser) -> Iterator[LiveServer]:
    """The demo app, served for this module's tests."""
    live, server = start_live_server(tmp_path_factory.mktemp("live"), suite_postgres)
    yield live
    stop_live_server(live, server)


class PageErrors(list):
    """Script errors and console errors (CSP refusals among them) of a page."""


@pytest.fixture
def context(browser, live_server) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context) -> Iterator[Any]:
    """A page whose script and console errors fail the test."""
    page = context.new_page()
    errors = PageErrors()
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console {message.type}: {message.text}")
            if message.type == "error" and not _expected_console_error(message.text)
            else None
        ),
    )
    page.errors = errors
    yield page
    assert not errors, "\n".join(errors)


def _expected_console_error(text: str) -> bool:
    # Chromium logs every 4xx/5xx answer as a console error; tests that visit
    # error pages on purpose check the status themselves.
    return text.startswith("Failed to load resource: the server responded with a status of 4")


def log_in(page: Any, email: str, password: str) -> None:
    """Log in through the login form and wait for the page after it."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    if page.url.rstrip("/").endswith("/login"):
        raise AssertionError(f"logging in as {email} failed: {page.inner_text('main')[:300]}")


def log_in_as(page: Any, live: LiveServer, role: str) -> None:
    log_in(page, *live.account(role))


def axe_violations(page: Any, *, exclude: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the vendored axe-core on the page at WCAG 2.2 AA; its violations.

    The script is evaluated through the DevTools protocol, so the page's own
    Content-Security-Policy stays in force for everything else."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    result = page.evaluate(
        """async ([context, tags]) => {
            const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
            const result = context ? await axe.run(context, options) : await axe.run(options);
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        [context, WCAG_AA],
    )
    return result


def describe_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['summary']}".replace("\n", " "))
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    """No axe-core violation at WCAG 2.2 AA on the page as it is now."""
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot as a test artifact (build/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path
