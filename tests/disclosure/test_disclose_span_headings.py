"""Section headings honour spans: ``Budget [Northtown]{.confidential}``
reads "Budget" to members and the public, facilitators read it as written,
and the names in a heading are withheld as anywhere else."""

from __future__ import annotations

import pytest

from notesbase.disclosure import Audience, disclose
from tests.disclosure.builders_support import item, notes

HEADING = "Budget [Northtown]{.confidential}"


def headings(section: str, audience: Audience, bodies: int = 1) -> list[str]:
    meeting = notes([item(f"Point {n}.", id=n, section=section) for n in range(1, bodies + 1)])
    return [s.heading for s in disclose(meeting, audience).sections]


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBER])
def test_confidential_span_is_cut_from_a_heading(audience: Audience) -> None:
    """Members and the public read the heading without the span."""
    assert headings(HEADING, audience) == ["Budget"]


def test_facilitators_read_the_heading_as_written() -> None:
    """Facilitators read the heading with its span, as typed."""
    assert headings(HEADING, Audience.FACILITATOR) == [HEADING]


def test_members_span_in_a_heading() -> None:
    """Members read a members span in a heading; the public does not."""
    section = "Budget for [Northtown]{.members}"
    assert headings(section, Audience.MEMBER) == ["Budget for Northtown"]
    assert headings(section, Audience.PUBLIC) == ["Budget for"]


def test_items_under_one_heading_stay_together() -> None:
    """The items under a heading with a span still share one section."""
    assert headings(HEADING, Audience.PUBLIC, bodies=3) == ["Budget"]


def test_heading_of_nothing_but_a_span_is_left_out() -> None:
    """A heading whose every word is redacted is no heading at all."""
    assert headings("[Northtown plans]{.confidential}", Audience.PUBLIC) == [""]


def test_names_in_a_heading_with_a_span_are_withheld() -> None:
    """The span is cut, then the name rules apply to what is left."""
    assert headings("Jane Doe on [Northtown]{.members}", Audience.PUBLIC) == ["A participant on"]


def test_a_heading_without_braces_is_read_as_it_stands() -> None:
    """Only headings with span syntax are read as Markdown: "*" stays."""
    assert headings("Q&A *draft* (2)", Audience.PUBLIC) == ["Q&A *draft* (2)"]
