"""Every page of the app, as the public, a member, a facilitator and an admin,
passes axe-core at WCAG 2.2 AA; so do forms shown again with errors, empty
states and error pages.

The walk takes every GET route from ``app.url_map`` with real ids from the
demo data, the way tests/security/test_requests_change_nothing.py does, so a
new page is checked the day it is added; a route that is not an HTML page must
be listed in ``NOT_HTML`` (``crawl_support``) with the reason."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import current_app, url_for

from notesbase.auth import invites
from notesbase.db import db
from notesbase.demo import DEMO_SERIES
from notesbase.meetings import service
from notesbase.models import Item, Meeting, Member, Person, Role, Series, Topic
from tests.browser.conftest import axe_violations, describe_violations, log_in_as
from tests.browser.crawl_support import NOT_HTML
from tests.security.security_support import seed_review

ROLES = ("public", "member", "facilitator", "admin")
# The meeting with notes, people and a published write-up in the demo data.
NOTES_MEETING = 9
QUERY = {"search.page": {"q": "data"}}
# A route argument whose name means something else on this endpoint.
ARGUMENT_FOR = {
    ("meetings.topic", "slug"): "topic_slug",
    ("review.link", "token"): "review_token",
}


def demo_values() -> dict[str, Any]:
    """Real ids from the demo data for every route argument, and a pending
    invitation (its token exists only when it is made)."""
    series = db.session.scalar(sa.select(Series).where(Series.slug == DEMO_SERIES.slug))
    meeting = db.session.scalar(
        sa.select(Meeting).where(Meeting.series == series, Meeting.number == NOTES_MEETING)
    )
    item = db.session.scalar(
        sa.select(Item)
        .where(Item.meeting == meeting, Item.speaker_id.is_not(None))
        .order_by(Item.position)
    )
    member = db.session.scalar(sa.select(Member).where(Member.role == Role.MEMBER))
    person = db.session.scalar(sa.select(Person).where(Person.member_id == member.id))
    _, token, _ = invites.create_invite(
        email="invited@example.org", role=Role.MEMBER, series=[series]
    )
    db.session.commit()
    # A review of the meeting, open, with the member's person asked: its
    # link's page, and the refusal a review page without its session gets.
    review = seed_review(meeting.id, person.id, item.id)
    return {
        "review_token": review["review_token"],
        "reviewer_id": review["reviewer_id"],
        "slug": series.slug,
        "number": meeting.number,
        "item_id": item.id,
        "person_id": person.id,
        "member_id": member.id,
        "topic_slug": db.session.scalar(sa.select(Topic.slug).order_by(Topic.slug)),
        "token": token,
    }


def html_page_urls(values: dict[str, Any]) -> dict[str, str]:
    """The URL of every HTML GET route, by endpoint (inside an app context)."""
    urls = {}
    for rule in current_app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith("api."):
            continue
        if rule.endpoint in NOT_HTML:
            continue
        names = {name: ARGUMENT_FOR.get((rule.endpoint, name), name) for name in rule.arguments}
        missing = sorted(value for value in names.values() if value not in values)
        assert not missing, (
            f"{rule.rule} needs {missing}: give the walk a real value, or list the "
            "route in NOT_HTML with the reason"
        )
        args = {name: values[value] for name, value in names.items()}
        urls[rule.endpoint] = url_for(rule.endpoint, **args, **QUERY.get(rule.endpoint, {}))
    return urls


@pytest.fixture(scope="module")
def page_urls(live_server) -> dict[str, str]:
    """The URL of every HTML GET route, by endpoint."""

    def build() -> dict[str, str]:
        values = demo_values()
        with current_app.test_request_context():
            return html_page_urls(values)

    return live_server.run(build)


def test_not_html_names_only_real_routes(live_server):
    """The exclusions name routes that exist, so a renamed one is noticed."""
    endpoints = {rule.endpoint for rule in live_server.app.url_map.iter_rules()}
    assert set(NOT_HTML) <= endpoints


def check(page: Any, url: str, found: list[str], *, status: int | None = None) -> Any:
    """Open ``url``, check it is an HTML page (with ``status`` if given) and
    add axe's findings, if any, to ``found``."""
    response = page.goto(url)
    assert response is not None, url
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("text/html"), (
        f"{url} answers {content_type}: list its route in NOT_HTML with the reason"
    )
    assert response.status < 500, url
    if status is not None:
        assert response.status == status, url
    violations = axe_violations(page)
    if violations:
        found.append(describe_violations(url, violations))
    return response


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_accessible(page, live_server, page_urls, role):
    """Every HTML GET route, as this visitor, has no axe violation at WCAG 2.2 AA."""
    if role != "public":
        log_in_as(page, live_server, role)
    found: list[str] = []
    checked: set[tuple[str, int]] = set()
    pages = 0
    for endpoint, url in sorted(page_urls.items()):
        response = page.goto(url)
        assert response is not None, url
        content_type = response.headers.get("content-type", "")
        assert content_type.startswith("text/html"), (
            f"{endpoint} answers {content_type}: list it in NOT_HTML with the reason"
        )
        if response.status >= 500:
            found.append(f"{url}: server error {response.status}")
            continue
        # Refusals and the login page a refusal leads to look alike: check each once.
        where = urlsplit(page.url).path if response.status == 200 else ""
        if (where, response.status) in checked:
            continue
        checked.add((where, response.status))
        pages += 1
        violations = axe_violations(page)
        if violations:
            found.append(describe_violations(url, violations))
    assert not found, "\n".join(found)
    assert pages >= {"public": 8, "member": 12, "facilitator": 30, "admin": 35}[role]


def test_empty_states_and_errors_are_accessible(page, live_server, page_urls):
    """An empty series, notes not yet written, a search with no results, an
    upcoming meeting and the 404 and 403 pages have no axe violation."""

    def empty_series() -> str:
        series = service.create_series(service.SeriesFields("empty-series", "An empty series"))
        db.session.commit()
        return series.slug

    slug = live_server.run(empty_series)
    found: list[str] = []
    check(page, "/series/no-such-series", found, status=404)
    log_in_as(page, live_server, "member")
    demo = f"/series/{DEMO_SERIES.slug}"
    check(page, page_urls["notes.editor"], found, status=403)
    check(page, f"{demo}/meetings/1/notes", found, status=200)
    check(page, f"{demo}/meetings/10", found, status=200)
    check(page, "/search?q=zzzznothingmatches", found, status=200)
    check(page, "/search", found, status=200)
    log_in_as(page, live_server, "facilitator")
    check(page, f"/series/{slug}", found, status=200)
    check(page, f"{demo}/meetings/1/notes/edit", found, status=200)
    check(page, f"{demo}/meetings/1/leak-check", found, status=200)
    check(page, f"{demo}/meetings/1/writeup/edit", found, status=200)
    assert not found, "\n".join(found)


def test_forms_shown_again_with_errors_are_accessible(page, live_server, page_urls):
    """The login form sent empty, a meeting form with a bad date and an
    editor's new item without text come back with their errors and no axe
    violation."""
    found: list[str] = []
    page.goto("/login")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert_errors_shown(page, found)

    log_in_as(page, live_server, "facilitator")
    page.goto(page_urls["meetings.new_meeting"])
    page.get_by_label("Number").fill("99")
    page.get_by_label("Title").fill("A meeting with a bad date")
    page.get_by_label("Date").evaluate(
        "field => { field.type = 'text'; field.value = '31/31/2025'; }"
    )
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    assert_errors_shown(page, found)

    page.goto(page_urls["notes.editor"])
    new_item = page.locator("form", has=page.locator("textarea")).last
    with page.expect_navigation():
        new_item.locator("button[type=submit]").last.click()
    assert_errors_shown(page, found)
    assert not found, "\n".join(found)


def assert_errors_shown(page: Any, found: list[str]) -> None:
    assert page.locator(".error, .error-summary").count() > 0, page.inner_text("main")[:500]
    violations = axe_violations(page)
    if violations:
        found.append(describe_violations(page.url, violations))
