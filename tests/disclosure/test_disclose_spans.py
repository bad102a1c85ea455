"""Redacted spans inside an item's body: who sees them, how facilitators
see them marked, that a cut leaves no trace, and that bodies are sanitised."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from notesbase.disclosure import Audience, Confidentiality, disclose
from notesbase.disclosure.spans import has_spans
from tests.disclosure.builders_support import item, notes, only_html, reader_text, view_of

SEES_CONFIDENTIAL = {Audience.PUBLIC: False, Audience.MEMBER: False, Audience.FACILITATOR: True}
SEES_MEMBERS = {Audience.PUBLIC: False, Audience.MEMBER: True, Audience.FACILITATOR: True}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def markup_of(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag in ``html`` with its attributes, as a browser parses them."""
    reader = _Markup()
    reader.feed(html)
    reader.close()
    return reader.tags


def words(audience: Audience, body: str) -> str:
    view = view_of(body, audience)
    return view.items[0].body_text if view.items else ""


@pytest.mark.parametrize("audience", list(Audience))
def test_confidential_span_only_for_facilitators(audience: Audience) -> None:
    """``[x]{.confidential}`` is seen by facilitators alone."""
    text = words(audience, "The budget is [four million]{.confidential} this year.")
    assert ("four million" in text) is SEES_CONFIDENTIAL[audience]


@pytest.mark.parametrize("audience", list(Audience))
def test_members_span_for_members_and_facilitators(audience: Audience) -> None:
    """``[x]{.members}`` is left out of the public view only."""
    text = words(audience, "We met [the council's CDO]{.members} last week.")
    assert ("the council's CDO" in text) is SEES_MEMBERS[audience]


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (Audience.PUBLIC, "Plans changed."),
        (Audience.MEMBER, "Plans changed after the review."),
        (Audience.FACILITATOR, "Plans changed after the secret review."),
    ],
)
def test_nested_spans(audience: Audience, expected: str) -> None:
    """A confidential span inside a members span is as strict as the inner one."""
    body = "Plans changed [after the [secret]{.confidential} review]{.members}."
    assert words(audience, body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "Ask [*Jo* at the **trust**]{.confidential} now.",
        "Ask [the [wiki](https://example.org/wiki)]{.confidential} now.",
        "Ask [`SELECT secret`]{.confidential} now.",
        "Ask [the\nsecret team]{.confidential} now.",
    ],
)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBER])
def test_spans_with_formatting_inside_are_cut_whole(body: str, audience: Audience) -> None:
    """Emphasis, links, code and line breaks inside a span go with it."""
    view = view_of(body, audience)
    assert only_html(view) == "<p>Ask now.</p>\n"
    assert view.items[0].body_text == "Ask now."


def test_facilitators_see_spans_marked() -> None:
    """Facilitators get each kept span in a marking class, nested as written,
    with no other attribute of the source span."""
    body = "A [b [c]{.confidential} d]{.members #x title=t} e"
    html = only_html(view_of(body, Audience.FACILITATOR))
    assert html == (
        '<p>A <span class="redact-members">b <span class="redact-confidential">c</span>'
        " d</span> e</p>\n"
    )


def test_members_see_their_spans_as_plain_text() -> None:
    """For members a members span is ordinary text: no mark, no span tag."""
    assert only_html(view_of("A [b]{.members} c", Audience.MEMBER)) == "<p>A b c</p>\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("a [x]{.confidential} b", "<p>a b</p>\n"),
        ("a [x]{.confidential}, b.", "<p>a, b.</p>\n"),
        ("a [x]{.confidential}.", "<p>a.</p>\n"),
        ("[x]{.confidential} b", "<p>b</p>\n"),
        ("a [x]{.confidential}", "<p>a</p>\n"),
        ("a *[x]{.confidential}* b", "<p>a b</p>\n"),
        ("a **b [x]{.confidential}** c", "<p>a <strong>b</strong> c</p>\n"),
        ("a ([x]{.confidential}) b", "<p>a b</p>\n"),
        ('a "[x]{.confidential}" b', "<p>a b</p>\n"),
        ("a [x]{.confidential} [y]{.confidential} b", "<p>a b</p>\n"),
        ("a [[x]{.confidential}](https://example.org) b", "<p>a (https://example.org) b</p>\n"),
        ("a ![x]{.confidential} b", "<p>a b</p>\n"),
        ("![x]{.confidential} b", "<p>b</p>\n"),
        ("a (![x]{.confidential}) b", "<p>a b</p>\n"),
        ("a ![x](https://example.org/x.png){.confidential}, b", "<p>a, b</p>\n"),
        ("a [text](https://example.org){.confidential}.", "<p>a.</p>\n"),
        ("[text](https://example.org){.confidential} b", "<p>b</p>\n"),
        ("([x]{.confidential}) b", "<p>b</p>\n"),
        ("a\n[x]{.confidential} b", "<p>a\nb</p>\n"),
        ("- [x]{.confidential}\n- b", "<ul>\n<li>b</li>\n</ul>\n"),
        ("first\n\n[x]{.confidential}\n\nlast", "<p>first</p>\n<p>last</p>\n"),
        ("## [x]{.confidential}\n\nlast", "<p>last</p>\n"),
        ("> [x]{.confidential}\n\nlast", "<p>last</p>\n"),
        (
            "| a | b |\n|---|---|\n| [x]{.confidential} | [y]{.confidential} |\n| c | d |",
            "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n"
            "<tr>\n<td>c</td>\n<td>d</td>\n</tr>\n</tbody>\n</table>\n",
        ),
    ],
)
def test_cut_span_leaves_no_trace(body: str, expected: str) -> None:
    """No marker, no doubled space, no empty tag, no empty bracket, block or
    row: the text reads as if the span had never been written."""
    html = only_html(view_of(body, Audience.MEMBER))
    assert html == expected
    assert "redact" not in html.lower()
    assert "  " not in reader_text(html)
    assert not re.search(r"<(\w+)[^>]*>\s*</\1>", html)


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBER])
def test_item_of_nothing_but_a_redacted_span_is_left_out(audience: Audience) -> None:
    """An item whose every word is redacted disappears, with its section and
    its speaker's credit, as a confidential item would."""
    meeting = notes(
        [
            item("Open point.", id=1, section="Welcome"),
            item("[Jo's private worry]{.confidential}", id=2, section="Worries", speaker_id=1),
        ]
    )
    view = disclose(meeting, audience)
    assert [shown.id for shown in view.items] == [1]
    assert [section.heading for section in view.sections] == ["Welcome"]
    assert len(disclose(meeting, Audience.FACILITATOR).items) == 2


@pytest.mark.parametrize(
    "body",
    [
        "See [the file](https://example.org/f){.confidential} today.",
        "See `the file`{.confidential} today.",
        "See ![the file](https://example.org/f.png){.confidential} today.",
        "See [the file]{.Confidential} today.",
        "See [the file]{class=confidential} today.",
        "See [the file]{.CONFIDENTIAL .extra} today.",
        "[the file]: https://example.org/f\n\nSee [the file]{.confidential} today.",
    ],
)
def test_redaction_class_on_links_code_and_images(body: str) -> None:
    """The redaction classes work on whatever element the parser gives them
    to, in any case: links (inline or by reference), code, images."""
    for audience in (Audience.PUBLIC, Audience.MEMBER):
        view = view_of(body, audience)
        assert view.items[0].body_text == "See today."
        assert "the file" not in view.text()
        assert "example.org/f" not in view.text()
    facilitator = only_html(view_of(body, Audience.FACILITATOR))
    assert 'class="redact-confidential' in facilitator
    assert "the file" in facilitator


@pytest.mark.parametrize(
    "body",
    [
        "Costs [were four million] {.confidential} so far.",
        "Costs [were four million]{.confidential so far.",
        "Costs **were four million**{.confidential} so far.",
        "Costs were four million\n{.confidential} so far.",
    ],
)
def test_unparsed_redaction_hides_its_block(body: str) -> None:
    """A redaction class the parser did not take as a span (a typo) hides its
    whole paragraph from the audiences it names: a mistake fails safe."""
    for audience in (Audience.PUBLIC, Audience.MEMBER):
        view = view_of(body + "\n\nOther paragraph.", audience)
        assert view.items[0].body_text == "Other paragraph."
    assert "four million" in view_of(body, Audience.FACILITATOR).items[0].body_text


def test_unparsed_members_redaction_hides_its_paragraph_from_members_too() -> None:
    """A typo in a members span hides the paragraph from everyone but
    facilitators: what the writer meant cannot be read, so it fails closed."""
    body = "We met [the CDO] {.members} at last."
    assert view_of(body, Audience.PUBLIC).items == ()
    assert view_of(body, Audience.MEMBER).items == ()
    assert "the CDO" in view_of(body, Audience.FACILITATOR).items[0].body_text


@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script> hello",
        '<img src=x onerror="alert(1)"> hello',
        "[click](javascript:alert(1)) hello",
        "[click](JaVaScRiPt:alert(1)) hello",
        "[click](data:text/html;base64,PHNjcmlwdD4=) hello",
        "<javascript:alert(1)> hello",
        '<a href="javascript:alert(1)">x</a> hello',
        "[x]{onclick=alert(1) style=color:red} hello",
        "[x](https://example.org){onclick=alert(1)} hello",
    ],
)
def test_bodies_are_sanitised(body: str, audience: Audience) -> None:
    """Raw HTML is shown as text, never as markup, and no script, event
    handler, style or javascript: address reaches the HTML."""
    html = only_html(view_of(body, audience))
    assert "hello" in html
    for tag, attrs in markup_of(html):
        assert tag in {"p", "a", "span", "em", "strong", "code"}
        for name, value in attrs:
            assert name in {"href", "rel", "title", "class"}
            if name == "href":
                assert (value or "").startswith(("https:", "http:", "mailto:"))


def test_has_spans_lists_every_redaction() -> None:
    """The facilitator helper finds spans and redacted links and code alike."""
    body = "A [b]{.members} `c`{.confidential} [d](https://example.org){.members} e"
    assert has_spans(body) == [
        (Confidentiality.MEMBERS, "b"),
        (Confidentiality.CONFIDENTIAL, "c"),
        (Confidentiality.MEMBERS, "d"),
    ]
