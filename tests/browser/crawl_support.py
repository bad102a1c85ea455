"""A bounded crawl of the live app as one visitor, for checks that must hold
on every page: it follows same-origin links from the start pages, GET only,
and opens one page per URL pattern (the app's route, with or without a
query), so a new page is checked the day a link to it appears,
and the crawl stays short however much data the pages list."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter, RequestRedirect

from tests.browser.conftest import LiveServer

# Enough for every page pattern of the app (about 45 answer HTML), as a bound.
MAX_PAGES = 60
# Routes a crawl never opens, whatever method they answer to.
NEVER = {"auth.logout": "logs the visitor out"}
# GET routes that answer something other than an HTML page: no page to check.
NOT_HTML = {
    "static": "stylesheets and scripts",
    "calendar.all_feed": "iCalendar feed",
    "calendar.series_feed": "iCalendar feed",
    "writeups.feed": "Atom feed",
    "writeups.series_feed": "Atom feed",
    "writeups.export_markdown": "Markdown download",
    "exports.notes_markdown": "Markdown download",
    "exports.notes_pdf": "PDF download",
    "notes.export_file": "notes file download",
    "search.suggest": "JSON for the search box",
    "health.healthz": "JSON for operators and load balancers",
}


@dataclass
class Visit:
    """One page the crawl opened: where, its answer and what ``measure`` found."""

    url: str
    endpoint: str
    status: int
    found: Any


@dataclass
class Crawl:
    """The pages a crawl opened, in the order it opened them."""

    visits: list[Visit] = field(default_factory=list)
    # Pages beyond the bound that were left unopened.
    left: int = 0

    @property
    def endpoints(self) -> set[str]:
        return {visit.endpoint for visit in self.visits}


class Patterns:
    """Which page pattern a URL of the live server is: its route, and whether
    it has a query (a search, a filter, another audience's view); None for
    other sites, files and the excluded."""

    def __init__(self, live: LiveServer) -> None:
        self.origin = live.url
        self.adapter: MapAdapter = live.app.url_map.bind(urlsplit(live.url).netloc)

    def of(self, url: str) -> tuple[str, str, bool] | None:
        """(endpoint, rule, whether a query is given) of ``url``, or None if
        the crawl leaves it alone."""
        if not url.startswith(self.origin + "/"):
            return None
        parts = urlsplit(url)
        try:
            rule, _ = self.adapter.match(parts.path, "GET", return_rule=True)
        except RequestRedirect as redirect:
            return self.of(redirect.new_url)
        except HTTPException:
            return None
        if rule.endpoint in NOT_HTML or rule.endpoint in NEVER:
            return None
        return rule.endpoint, rule.rule, bool(parse_qsl(parts.query))


def keep_static_files(context: Any) -> None:
    """Serve the app's static files to ``context`` from memory after their
    first answer, as a browser's cache would: the app has them checked again
    on every page, three or four more requests a page to a busy server."""
    kept: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def answer(route: Any) -> None:
        url = route.request.url
        if url not in kept:
            response = route.fetch()
            kept[url] = (response.status, response.headers, response.body())
        status, headers, body = kept[url]
        route.fulfill(status=status, headers=headers, body=body)

    context.route("**/static/**", answer)


LINKS = """() => [...document.querySelectorAll('a[href]')]
    .filter(a => !a.hasAttribute('download'))
    .map(a => a.href.split('#')[0])"""


def crawl(
    page: Any,
    live: LiveServer,
    starts: Iterable[str],
    measure: Callable[[Any], Any],
    *,
    limit: int = MAX_PAGES,
) -> Crawl:
    """Open the start pages, then every linked page of a pattern not yet
    seen, breadth first, at most ``limit`` pages; ``measure(page)`` runs on
    each HTML page opened and its result is kept in the visit."""
    patterns = Patterns(live)
    queue = [live.url + start for start in starts]
    seen: set[tuple[str, bool]] = set()
    result = Crawl()
    while queue:
        url = queue.pop(0)
        pattern = patterns.of(url)
        if pattern is None or pattern[1:] in seen:
            continue
        seen.add(pattern[1:])
        if len(result.visits) >= limit:
            result.left += 1
            continue
        response = page.goto(url)
        assert response is not None, url
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        # A refusal may end on another page (the login form): one visit each.
        landed = patterns.of(page.url) or pattern
        if landed != pattern:
            if landed[1:] in seen:
                continue
            seen.add(landed[1:])
        result.visits.append(Visit(page.url, landed[0], response.status, measure(page)))
        queue.extend(page.evaluate(LINKS))
    return result
