"""The checks ``disclose`` skips when they cannot find anything: reading the
HTML a second time with a break at every tag, reading attribute values, and
scanning for written-out addresses. Each is compared with the plain way."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notesbase.disclosure import Audience
from notesbase.disclosure.render import attribute_values, spaced_text, to_html, to_text
from notesbase.disclosure.scrub import _ADDRESS, _may_hold_address
from notesbase.disclosure.spans import redacted_tokens

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MARKDOWN = [
    "words", " ", " ", "Jane", "Doe", "*em*", "**strong**", "_u_", "`code`", "~~del~~",
    "[link](https://example.org/a)", '[t](https://example.org/b "a title")', "<https://x.org>",
    "[span]{.members}", "[span]{.confidential}", "[x]{.other}", "![an image](i.png)",
    "\n\n", "\n", "  \n", "\\\n", "\n- ", "\n1. ", "\n# ", "\n## ", "\n> ", "\n---\n",
    "\n| a | b |\n|---|---|\n| c | d |\n", "\n    indented code\n", "\n```\nfence\n```\n",
    "&amp;", "&#65;", "&lt;", "&", "a<b", "<b>raw</b>", "<em>", "<!-- c -->", "x@y.org",
    "'", '"', ">", "<", "=", "é", "Ｊ", "\u200b", "e\u0301", "www.example.org",
]  # fmt: skip
markdown = st.lists(st.sampled_from(MARKDOWN), max_size=20).map("".join)
html_like = st.lists(
    st.one_of(st.sampled_from(list("<>=/\"' &;#abp-")), st.characters()), max_size=60
).map("".join)


def rendered(body: str, audience: Audience) -> str:
    return to_html(redacted_tokens(body, audience))


class AttributeReader(HTMLParser):
    """Attribute values read the plain way: a full parse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.values.extend(value for _name, value in attrs if value)


def read_attributes(html: str) -> list[str]:
    reader = AttributeReader()
    reader.feed(html)
    reader.close()
    return reader.values


@SETTINGS
@given(markdown, st.sampled_from(list(Audience)))
def test_spaced_text_is_reading_every_tag_as_a_break(body: str, audience: Audience) -> None:
    """Rendered HTML read with a break before every tag gives the same words."""
    html = rendered(body, audience)
    assert spaced_text(html, to_text(html)) == to_text(html.replace("<", " <"))


@SETTINGS
@given(st.one_of(markdown.map(lambda body: rendered(body, Audience.FACILITATOR)), html_like))
def test_attribute_values_are_the_full_parse(html: str) -> None:
    """Skipping HTML without "=" loses no attribute value."""
    assert attribute_values(html) == read_attributes(html)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(list("wW.:@ -x/ſŴẘ＠：")), st.characters())).map("".join))
def test_no_address_without_its_marks(text: str) -> None:
    """Text with no ":", "@" or "www." holds no address to scrub."""
    assert _may_hold_address(text) or not _ADDRESS.search(text)


def test_addresses_in_any_case_are_still_scanned() -> None:
    """An address with only "www." in capitals, or only an "@", is not skipped."""
    for text in ("see WWW.Example.org", "see Www.example.org/x", "write to jane@example"):
        assert _ADDRESS.search(text) and _may_hold_address(text)


def test_inline_formatting_is_read_twice() -> None:
    """Where formatting joins words the second reading differs and is kept."""
    html = rendered("Ja*ne* Doe", Audience.MEMBER)
    assert to_text(html) == "Jane Doe"
    assert spaced_text(html, to_text(html)) == "Ja ne Doe"


def test_a_stray_angle_bracket_is_read_again() -> None:
    """A "<" that opens no tag is not assumed harmless: the HTML is read again."""
    html = "<p>1<2</p>"
    assert spaced_text(html, to_text(html)) == to_text(html.replace("<", " <")) == "1 <2"
