"""The Markdown converter of the notes exports: disclosed HTML becomes
Markdown that reads as the same words, and nothing a speaker typed turns
into Markdown structure or raw HTML the writer did not mean."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notesbase.disclosure import (
    Audience,
    Confidentiality,
    ItemFacts,
    Kind,
    Notes,
    PersonFacts,
    disclose,
)
from notesbase.disclosure.render import to_text
from notesbase.markdown import render_markdown
from notesbase.publishing.exports.markdown import (
    escape_heading,
    escape_inline,
    html_to_markdown,
    notes_pieces,
)


def disclosed_html(body: str) -> str:
    notes = Notes(1, 1, [ItemFacts(1, 1, Kind.POINT, body, Confidentiality.OPEN)], [])
    return disclose(notes, Audience.MEMBER).items[0].body_html


def words(markdown_text: str) -> str:
    """What a reader of the rendered Markdown sees."""
    return to_text(str(render_markdown(markdown_text)))


@pytest.mark.parametrize(
    "body",
    [
        "Plain words, nothing else.",
        "**Bold** and *emphasis* and `code` and ~~gone~~.",
        "A [link](https://example.org/a_b?x=1&y=2) in a line.",
        "- one\n- two\n  - nested\n\n1. first\n2. second",
        "> quoted\n>\n> # not a heading",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "```\ncode with ``` inside\n```",
        "Line one  \nline two",
        "Stars * and _underscores_ and <b>tags</b> & &amp; entities",
        "\\# escaped hash, 1\\. not a list, \\- not an item",
    ],
)
def test_markdown_reads_as_the_disclosed_words(body):
    """Rendered back, the Markdown shows the same words as the disclosed HTML."""
    html = disclosed_html(body)
    assert words(html_to_markdown(html)) == to_text(html)


@pytest.mark.parametrize(
    ("text", "not_tag"),
    [
        ("# heading", "<h1>"),
        ("1. list", "<ol>"),
        ("- item", "<li>"),
        ("> quote", "<blockquote>"),
        ("<script>alert(1)</script>", "<script>"),
        ("[x](javascript:alert(1))", "<a"),
        ("***", "<hr"),
        ("`code`", "<code>"),
        ("a | b\n--|--\n1 | 2", "<table>"),
    ],
)
def test_typed_syntax_stays_text(text, not_tag):
    """Text that looks like Markdown (in a body already shown as text) stays text."""
    html = f"<p>{text.replace('<', '&lt;').replace('>', '&gt;')}</p>".replace("\n", "<br>")
    rendered = str(render_markdown(html_to_markdown(html)))
    assert not_tag not in rendered
    assert to_text(rendered) == to_text(html)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=60))
def test_any_text_round_trips(text):
    """Whatever a paragraph's text, the Markdown renders to the same words."""
    html = "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"
    assert words(html_to_markdown(html)) == to_text(html)


def test_escaping_helpers():
    """Inline specials, entities and heading hashes are escaped."""
    assert escape_inline("a*b_c`d[e]<f>|g~h\\") == r"a\*b\_c\`d\[e\]\<f\>\|g\~h\\"
    assert escape_inline("R&D &amp;") == r"R&D \&amp;"
    assert escape_heading("Title #") == r"Title \#"


def test_notes_pieces_make_the_document():
    """Pieces: a heading, each section heading, each item with kind and attribution."""
    notes = Notes(
        1,
        1,
        [
            ItemFacts(1, 1, Kind.QUOTE, "Said *this*", Confidentiality.OPEN, "Opening", 7),
            ItemFacts(2, 2, Kind.ACTION, "Do that", Confidentiality.MEMBERS, "Opening"),
            ItemFacts(3, 3, Kind.POINT, "Secret", Confidentiality.CONFIDENTIAL, "Opening"),
        ],
        [PersonFacts(7, "Hester Vane", "Vane & Co")],
    )
    pieces = notes_pieces("Meeting 1: First", ["Reminder line."], disclose(notes, Audience.MEMBER))
    assert [p.where for p in pieces] == ["heading", "section heading", "item 1", "item 2"]
    text = "".join(p.text for p in pieces)
    assert text.startswith("# Meeting 1: First\n\nReminder line.\n")
    assert "## Opening" in text
    assert "- **Quote** · A participant\n\n  Said *this*" in text
    assert "**Action**" in text and "Secret" not in text and "Vane" not in text


def test_empty_notes_say_so():
    """A meeting with no notes yet says so rather than exporting nothing."""
    pieces = notes_pieces("Meeting 2: Next", [], disclose(Notes(1, 2, [], []), Audience.MEMBER))
    assert "No notes have been written" in "".join(p.text for p in pieces)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab *_`#>-+1.)[]()<>!|~\\&;\n", max_size=40))
def test_any_note_body_round_trips(body):
    """Whatever Markdown a facilitator typed, the export reads as the notes page."""
    html = disclosed_html(body)
    assert words(html_to_markdown(html)) == to_text(html)
