"""Disclosed HTML back to Markdown for the write-up page: rendering the
Markdown again gives the same HTML, and nothing a speaker typed becomes
markup (emphasis, links, raw HTML, entities, lists) it was not."""

from __future__ import annotations

import html

import pytest

from notesbase.disclosure import Audience
from notesbase.disclosure.render import to_html
from notesbase.disclosure.spans import redacted_tokens
from notesbase.publishing.writeups.markdown import escape, html_to_markdown


def render(markdown: str) -> str:
    return to_html(redacted_tokens(markdown, Audience.PUBLIC))


SOURCES = [
    "Plain words.",
    "Intro *em*, **strong**, ~~gone~~ and `co`de`.",
    'A [link](https://example.org/a_(b) "Title") here.',
    "- one\n- two\n  - nested\n  - again\n- three",
    "- loose\n\n  para\n- list",
    "1. first\n2. second\n   1. inner",
    "> quoted\n> over lines\n\n> - a list inside",
    "## Heading\n\nText under it.",
    "```\ncode ``` with fences\n<b>not html</b>\n```",
    "| a | b |\n|---|---|\n| 1 | 2 \\| 3 |",
    "line one  \nline two",
    "***",
]


@pytest.mark.parametrize("source", SOURCES)
def test_round_trip_gives_the_same_html(source):
    """html -> markdown -> html is the identity on what disclose hands out
    (up to white space: a soft line break becomes a space)."""
    expected = render(source)
    assert " ".join(render(html_to_markdown(expected)).split()) == " ".join(expected.split())


@pytest.mark.parametrize(
    "typed",
    [
        "*not emphasis* and _not_ either",
        "[not a link](https://evil.example)",
        "<script>alert(1)</script> &copy; &amp;",
        "- not a list",
        "+ not a list",
        "2024. not a list",
        "# not a heading",
        "> not a quote",
        "| not | a table |",
        ": not a definition",
        # (Not "{: .class}": a class in braces that is no span is read as a
        # redaction that could not be read, and hidden from the public.)
        "{: #id} {key=value} $$x$$ ~~no~~",
        "`not code`",
        "back\\slash",
        "===",
    ],
)
def test_typed_text_stays_text(typed):
    """A paragraph whose words only look like Markdown converts to Markdown
    that renders that very paragraph: the same words, no new markup."""
    paragraph = f"<p>{html.escape(typed, quote=False)}</p>\n"
    assert render(html_to_markdown(paragraph)) == paragraph


def test_escape_keeps_words_readable():
    assert escape("Jane O'Brien-Smith said 5.") == "Jane O'Brien-Smith said 5."
    assert escape("a*b_c") == "a\\*b\\_c"
