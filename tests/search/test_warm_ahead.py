"""What a new server worker prepares before its first request, besides the
index (``indexer.warm``): the search re-check's disclosure matchers
(``documents.warm_rechecks``) and every template (``compile_templates``).
Prepared or not, the pages answer the same; prepared, the first requests
build nothing."""

from __future__ import annotations

import importlib
import logging

import jinja2
import pytest

from notesbase import templating
from notesbase.disclosure import Audience
from notesbase.search import documents
from tests.conftest import PASSWORD, csrf_token_from
from tests.search import search_support as s

# The module (the package's ``disclose`` is its function).
disclose_module = importlib.import_module("notesbase.disclosure.disclose")


@pytest.fixture
def built(monkeypatch) -> list[object]:
    """The matchers built from here on (the process's kept ones forgotten)."""
    disclose_module._matchers.cache_clear()
    found: list[object] = []
    real = disclose_module.matcher_for

    def counting(*args):  # type: ignore[no-untyped-def]
        found.append(args)
        return real(*args)

    monkeypatch.setattr(disclose_module, "matcher_for", counting)
    return found


def _log_in(client, email: str) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "email": email, "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 302


def _pages(client) -> list[str]:  # type: ignore[no-untyped-def]
    """What the reader reads of a few searches' pages."""
    pages = []
    for word in (s.OPEN_WORD, s.MENTION, s.MEM_ITEM, "plant*"):
        response = client.get("/search", query_string={"q": word})
        assert response.status_code == 200
        pages.append(s.visible_text(response.get_data(as_text=True)))
    return pages


def test_a_warmed_worker_builds_no_matcher_for_its_first_searches(
    app, client, make_member, make_series, built
):
    s.build_world(app, make_member, make_series)
    _log_in(client, "member@example.org")
    cold = _pages(client)
    assert built  # the first searches of a process build the matchers they need
    assert all(s.OPEN_WORD in page for page in (cold[0], cold[3]))

    disclose_module._matchers.cache_clear()
    built.clear()
    assert documents.warm_rechecks(app) == 2 * 2  # two series, members and the public
    # One matcher for each audience and set of levels (both series' are the same here).
    assert {args[2] for args in built} == {Audience.MEMBER, Audience.PUBLIC}
    built.clear()
    assert _pages(client) == cold
    assert built == []


def test_warming_with_no_meetings_does_nothing(app, built):
    assert documents.warm_rechecks(app) == 0
    assert built == []


def test_warming_that_fails_is_logged_and_leaves_the_worker_to_start(app, monkeypatch, caplog):
    def broken(*args):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(documents, "warm_disclosure", broken)
    with caplog.at_level(logging.WARNING):
        assert documents.warm_rechecks(app) == 0
    assert "re-check" in caplog.text


def test_every_template_is_compiled_and_a_broken_one_is_left_to_its_page(app, caplog):
    names = app.jinja_env.list_templates(extensions=("html", "txt"))
    assert len(names) > 50
    assert templating.compile_templates(app) == len(names)
    app.jinja_env.loader = jinja2.ChoiceLoader(
        [jinja2.DictLoader({"broken.html": "{% if %}"}), app.jinja_env.loader]
    )
    with caplog.at_level(logging.WARNING):
        assert templating.compile_templates(app) == len(names)
    assert "broken.html" in caplog.text
