"""Replacement text: ``[words]{.confidential alt="other words"}`` gives the
audiences that may not see the words the other words instead, as plain text
under the same rules as any text; facilitators see the words marked, with
what the others read."""

from __future__ import annotations

import pytest

from notesbase.disclosure import Audience, Level
from tests.disclosure.builders_support import both, mentions, only_html, view_of

NORTHTOWN = '[Northtown]{.confidential alt="a northern town"}'


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBER])
def test_alt_is_read_in_place_of_a_confidential_span(audience: Audience) -> None:
    """Those who may not see a confidential span read its alt where it was."""
    view = view_of(f"The pilot ran in {NORTHTOWN}.", audience)
    assert view.items[0].body_text == "The pilot ran in a northern town."
    assert "Northtown" not in view.text()


def test_alt_of_a_members_span_is_for_the_public_only() -> None:
    """Members read a members span itself; the public reads its alt."""
    body = 'We met [the CDO]{.members alt="a senior officer"} last week.'
    assert view_of(body, Audience.MEMBER).items[0].body_text == "We met the CDO last week."
    public = view_of(body, Audience.PUBLIC).items[0].body_text
    assert public == "We met a senior officer last week."


def test_facilitators_see_the_words_marked_with_the_alt() -> None:
    """Facilitators see the span itself, marked, and what the others read in
    its title (escaped, with nothing else of the attribute block)."""
    body = 'The pilot ran in [Northtown]{.confidential alt="a northern town" #x data-y="z"}.'
    html = only_html(view_of(body, Audience.FACILITATOR))
    assert html == (
        '<p>The pilot ran in <span class="redact-confidential" '
        'title="Members and the public read: a northern town">Northtown</span>.</p>\n'
    )


@pytest.mark.parametrize(
    ("alt", "expected"),
    [
        ('"a \\"northern\\" town"', 'The pilot ran in a "northern" town.'),
        ('"*a* <b>northern</b> [town](https://evil.example)"', None),
        ("plain", "The pilot ran in plain."),
        ('"  spaced   out  "', "The pilot ran in spaced out."),
    ],
)
def test_alt_is_plain_text(alt: str, expected: str | None) -> None:
    """An alt is plain text, never Markdown or HTML: quotes may be escaped
    inside it, and what looks like markup is shown as written, escaped."""
    view = view_of(f"The pilot ran in [Northtown]{{.confidential alt={alt}}}.", Audience.PUBLIC)
    html = only_html(view)
    assert "Northtown" not in html
    assert "<b>" not in html and "<a" not in html and "<em>" not in html
    if expected is not None:
        assert view.items[0].body_text == expected
    else:
        assert "&lt;b&gt;northern&lt;/b&gt;" in html


def test_alt_goes_through_the_name_rules() -> None:
    """A name in an alt is withheld like a name anywhere else."""
    body = '[The host]{.confidential alt="Jane Doe of Open Data Manchester"} spoke.'
    view = view_of(body, Audience.PUBLIC)
    assert not mentions(view, "Jane Doe")
    assert not mentions(view, "Open Data Manchester")
    named = view_of(body, Audience.PUBLIC, grants=both(Level.NAMED))
    assert mentions(named, "Jane Doe")


def test_alt_on_links_code_and_images() -> None:
    """A link, code or image given a redaction class and an alt gives way to
    the alt, with no address left behind."""
    for body in (
        'See [the file](https://example.org/f){.confidential alt="a report"} today.',
        'See `the file`{.confidential alt="a report"} today.',
        'See ![the file](https://example.org/f.png){.confidential alt="a report"} today.',
    ):
        view = view_of(body, Audience.MEMBER)
        assert view.items[0].body_text == "See a report today.", body
        assert "example.org" not in view.text()


def test_empty_alt_is_a_plain_cut() -> None:
    """An empty alt leaves no trace, like no alt at all."""
    view = view_of('We met [Ann]{.confidential alt=""} yesterday.', Audience.PUBLIC)
    assert view.items[0].body_text == "We met yesterday."


def test_alt_of_an_outer_span_wins_over_inner_ones() -> None:
    """A dropped span gives way to its own alt whatever it holds."""
    body = 'Plans [after the [secret]{.confidential alt="x"} review]{.members alt="later"}.'
    assert view_of(body, Audience.PUBLIC).items[0].body_text == "Plans later."
    assert view_of(body, Audience.MEMBER).items[0].body_text == "Plans after the x review."
