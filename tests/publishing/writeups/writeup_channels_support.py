"""Shared by the write-up snapshot and guard tests (no tests here): every
public channel of the write-up of meeting 1 of "cop", read as the public
(the Markdown page as a facilitator downloads it for the website)."""

from __future__ import annotations

from html import unescape
from typing import Any

from notesbase.search import indexer
from tests.publishing.writeups.writeup_support import API, EXPORT, PUBLIC

FEEDS = ("/writeups.atom", "/series/cop/writeups.atom")


def search_json(client: Any, words: str) -> dict[str, Any]:
    response = client.get("/api/v1/search", query_string={"q": words})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def public_channels(
    app: Any, client: Any, facilitator: Any, words: list[str], *, index: bool = True
) -> dict[str, str | None]:
    """What the public receives of the write-up on each channel; None where
    it receives nothing of it (404, no feed entry, no search hit, export
    refused). ``words`` are searched for, one at a time."""
    if index:
        indexer.apply(app)
    shown: dict[str, str | None] = {}
    page = client.get(PUBLIC)
    shown["page"] = unescape(page.get_data(as_text=True)) if page.status_code == 200 else None
    assert page.status_code in (200, 404)
    api = client.get(API)
    assert api.status_code in (200, 404)
    shown["api"] = api.get_data(as_text=True) if api.status_code == 200 else None
    for feed in FEEDS:
        body = unescape(client.get(feed).get_data(as_text=True))
        shown[feed] = body if "<entry>" in body else None
    for word in words:
        found = search_json(client, word)
        hits = [hit for hit in found.get("results", []) if hit.get("type") == "writeup"]
        shown[f"search {word}"] = str(hits) if hits else None
    export = facilitator.get(EXPORT)
    assert export.status_code in (200, 409)
    shown["markdown"] = export.get_data(as_text=True) if export.status_code == 200 else None
    return shown


def assert_clean_or_nothing(shown: dict[str, str | None], forbidden: list[str]) -> None:
    """Every channel is either nothing or free of every forbidden text."""
    for channel, text in shown.items():
        if text is None:
            continue
        for secret in forbidden:
            assert secret.casefold() not in text.casefold(), (channel, secret)
