"""``disclose`` keeps each body as an audience saw it, keyed by the body, the
audience and the matcher (which stands for one set of people and levels):
shown again, it is not rendered again, and nothing seen under one set of
consents is ever served under another."""

from __future__ import annotations

import importlib

import pytest

from notesbase.disclosure import Audience, Confidentiality, Level, PersonFacts, disclose
from notesbase.disclosure.matching import Matcher
from tests.disclosure.builders_support import (
    JANE,
    both,
    counting_renders,
    item,
    notes,
    only_html,
    view_of,
)

# The module, not the function of the same name the package exports.
disclose_module = importlib.import_module("notesbase.disclosure.disclose")

BODY = "Jane Doe from Open Data Manchester said the pilot worked."


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Audience]]:
    """Each body ``disclose`` really renders, with an empty cache to start."""
    return counting_renders(monkeypatch)


def test_a_body_shown_again_is_not_rendered_again(renders) -> None:
    first = view_of(BODY, Audience.MEMBER, grants=both(Level.NAMED))
    second = view_of(BODY, Audience.MEMBER, grants=both(Level.NAMED))
    assert first == second
    assert "Jane Doe" in only_html(first)
    assert renders == [(BODY, Audience.MEMBER)]


def test_a_withdrawal_is_never_served_from_the_kept_body(renders) -> None:
    named = view_of(BODY, Audience.MEMBER, grants=both(Level.NAMED))
    withdrawn = view_of(BODY, Audience.MEMBER, grants=[])
    assert "Jane Doe" in only_html(named)
    assert "Jane" not in only_html(withdrawn)
    assert "Manchester" not in only_html(withdrawn)
    assert len(renders) == 2


def test_a_changed_person_is_never_served_from_the_kept_body(renders) -> None:
    """The same levels but a changed name: a new matcher, a new rendering."""
    renamed = PersonFacts(id=JANE.id, name="Janet Smith", affiliation="", descriptor="", email="")
    before = view_of("Janet Smith agreed.", Audience.PUBLIC, grants=[])
    after = view_of("Janet Smith agreed.", Audience.PUBLIC, people=(renamed,), grants=[])
    assert "Janet" in only_html(before)  # nobody of that name yet
    assert "Janet" not in only_html(after)
    assert len(renders) == 2


def test_each_audience_has_its_own_body(renders) -> None:
    body = "Open. [Members only]{.members} Still open."
    meeting = notes([item(body)])
    member = disclose(meeting, Audience.MEMBER).items[0].body_text
    public = disclose(meeting, Audience.PUBLIC).items[0].body_text
    assert "Members only" in member
    assert "Members only" not in public
    assert disclose(meeting, Audience.PUBLIC).items[0].body_text == public


def test_a_body_redacted_whole_is_left_out_every_time(renders) -> None:
    body = "[Every word of it]{.members}"
    meeting = notes([item(body)])
    assert disclose(meeting, Audience.PUBLIC).items == ()
    assert disclose(meeting, Audience.PUBLIC).items == ()
    assert len(disclose(meeting, Audience.MEMBER).items) == 1


def test_confidentiality_is_decided_before_the_kept_body(renders) -> None:
    """A body kept while open is not shown once its item is confidential."""
    assert view_of(BODY, Audience.MEMBER).items
    assert view_of(BODY, Audience.MEMBER, confidentiality=Confidentiality.CONFIDENTIAL).items == ()


def test_the_kept_bodies_are_bounded(renders, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disclose_module, "_BODIES_MAX", 3)
    for number in range(10):
        view_of(f"Point {number}.", Audience.MEMBER)
    assert len(disclose_module._BODIES) == 3
    assert [key[0] for key in disclose_module._BODIES] == ["Point 7.", "Point 8.", "Point 9."]
    view_of("Point 0.", Audience.MEMBER)
    assert renders.count(("Point 0.", Audience.MEMBER)) == 2  # it had left


def test_a_body_not_to_be_kept_is_rendered_and_left(renders) -> None:
    """``keep=False`` (a draft being typed): the same view, and nothing kept,
    so a draft neither stays in memory nor pushes out the bodies kept."""
    meeting = notes([item(BODY)])
    kept = disclose(meeting, Audience.MEMBER)
    assert len(disclose_module._BODIES) == 1
    for _ in range(2):
        assert disclose(notes([item("Draft " + BODY)]), Audience.MEMBER, keep=False).items
    assert disclose(meeting, Audience.MEMBER, keep=False) == kept
    assert [key[0] for key in disclose_module._BODIES] == [BODY]
    assert renders.count(("Draft " + BODY, Audience.MEMBER)) == 2


def test_matchers_are_numbered_once() -> None:
    """The cache keys on a matcher's serial, never reused as ``id`` can be."""
    serials = {Matcher({"x": "y"}).serial for _ in range(50)}
    assert len(serials) == 50
