"""The browser harness itself: the live server, logging in and axe-core."""

from tests.browser.conftest import AXE, axe_violations, log_in_as


def test_vendored_axe_is_the_recorded_release():
    """The axe-core in the repo is the release the README names (4.14.1)."""
    assert AXE.read_text(encoding="utf-8")[:60].startswith("/*! axe v4.14.1")


def test_axe_finds_a_planted_violation(page, live_server):
    """axe really runs: an image without alternative text is reported."""
    page.goto("/login")
    page.evaluate(
        "() => { const img = document.createElement('img');"
        " img.src = '/static/missing.png'; document.querySelector('main').append(img); }"
    )
    page.errors.clear()
    assert "image-alt" in {v["id"] for v in axe_violations(page)}


def test_a_demo_member_logs_in(page, live_server):
    """The demo accounts log in through the real form, CSRF included."""
    log_in_as(page, live_server, "member")
    assert page.get_by_role("button", name="Log out").is_visible()
