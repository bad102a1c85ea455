"""Work ``disclose`` does once for a whole meeting (checking each section
heading once, however many items share it) gives every item what it
would get disclosed on its own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from notesbase.disclosure import Audience, Level, disclose
from tests.disclosure.builders_support import JANE, both, item, notes

HEADINGS = [
    "Main discussion",
    "  Main discussion ",
    "Jane Doe's pilot",
    "Update from Open Data Manchester",
    "See https://example.org/janedoe",
    "Mail jane.doe@example.org",
    "",
]
BODIES = ["A point.", "Jane Doe said so.", "[Only members]{.members} here.", "Doe agreed."]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(HEADINGS), st.sampled_from(BODIES)), min_size=1, max_size=6),
    st.sampled_from([None, *Level]),
    st.sampled_from(list(Audience)),
)
def test_items_are_disclosed_as_if_alone(
    rows: list[tuple[str, str]], level: Level | None, audience: Audience
) -> None:
    """An item's heading and body do not depend on the other items of its meeting."""
    grants = both(level) if level is not None else []
    items = [item(body, id=index, section=heading) for index, (heading, body) in enumerate(rows)]
    together = disclose(notes(items, (JANE,), grants), audience).items
    alone = [disclose(notes([one], (JANE,), grants), audience).items for one in items]
    assert together == tuple(shown for view in alone for shown in view)


def test_a_shared_heading_is_scrubbed_for_every_item() -> None:
    """Two items under one heading naming someone both show it scrubbed."""
    meeting = notes(
        [
            item("One.", id=1, section="Jane Doe's pilot"),
            item("Two.", id=2, section="Jane Doe's pilot"),
        ]
    )
    sections = [shown.section for shown in disclose(meeting, Audience.MEMBER).items]
    assert sections == ["A participant's pilot", "A participant's pilot"]
