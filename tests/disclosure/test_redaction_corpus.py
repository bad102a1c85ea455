"""The redaction-class corpus: every way of writing (or mistyping) a
redaction, and for each audience, that the words the writer meant to hide
are never shown; markup that cannot be read as a redaction is hidden from
everyone but facilitators and reported (the editor's warning, the leak
check's finding), whatever the typo."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from notesbase.disclosure import Audience, Confidentiality
from notesbase.disclosure.classes import KNOWN, MARKUP_CHARS, folded
from notesbase.disclosure.problems import body_problems, heading_problems
from tests.disclosure.builders_support import item, notes, shows, view_of

S = "Quillfeather plans"  # the words the writer meant to hide

# (label, body with "§" for the secret, hidden from members too)
READABLE = [
    ("confidential span", "Note [§]{.confidential} here.", True),
    ("members span", "Note [§]{.members} here.", False),
    ("singular members span", "Note [§]{.member} here.", False),
    ("capital", "Note [§]{.Confidential} here.", True),
    ("capitals", "Note [§]{.CONFIDENTIAL} here.", True),
    ("capital members", "Note [§]{.MEMBERS} here.", False),
    ("capital singular", "Note [§]{.Member} here.", False),
    ("class attribute", "Note [§]{class=confidential} here.", True),
    ("quoted class attribute", 'Note [§]{class="members"} here.', False),
    ("both classes", "Note [§]{.members .confidential} here.", True),
    ("two blocks", "Note [§]{.members}{.confidential} here.", True),
    ("space inside braces", "Note [§]{ .confidential } here.", True),
    ("link", "Note [§](https://example.org/q){.confidential} here.", True),
    ("link by reference", "[§]: https://example.org/q\n\nNote [§]{.confidential} here.", True),
    ("image", "Note ![§](https://example.org/q.png){.confidential} here.", True),
    ("span after a bang", "Note ![§]{.confidential} here.", True),
    ("inline code", "Note `§`{.confidential} here.", True),
    ("nested, inner stricter", "Note [a [§]{.confidential} b]{.members} here.", True),
    ("nested, outer stricter", "Note [a [§]{.members} b]{.confidential} here.", True),
    ("emphasis inside", "Note [*§*]{.confidential} here.", True),
    ("alt", 'Note [§]{.confidential alt="a plan"} here.', True),
    ("alt with quotes", 'Note [§]{.confidential alt="the \\"plan\\""} here.', True),
    ("alt on a link", 'Note [§](https://example.org/q){.members alt="a page"} here.', False),
    ("heading in the body", "## [§]{.confidential}\n\nNote here.", True),
    ("list entry", "- Note [§]{.confidential} here.\n- Other.", True),
    ("table cell", "| a | b |\n|---|---|\n| [§]{.confidential} | x |", True),
    ("quote", "> Note [§]{.members} here.", False),
]

# (label, body): none can be read as a redaction; all are hidden from
# members and the public, and reported.
UNREADABLE = [
    ("typo: dropped letter", "Note [§]{.confidental} here."),
    ("typo: swapped letters", "Note [§]{.confidentail} here."),
    ("typo: two edits", "Note [§]{.cnfidentail} here."),
    ("typo: members", "Note [§]{.memebers} here."),
    ("typo: members, two edits", "Note [§]{.mebmers} here."),
    ("typo in capitals", "Note [§]{.CONFIDENTAL} here."),
    ("longer form", "Note [§]{.confidentiality} here."),
    ("longer form, capital", "Note [§]{.Confidentiality} here."),
    ("members-only", "Note [§]{.members-only} here."),
    ("member-only", "Note [§]{.member-only} here."),
    ("membersonly", "Note [§]{.membersonly} here."),
    ("plural of singular", "Note [§]{.memberss} here."),
    ("look-alike letter", "Note [§]{.c\u043enfidential} here."),
    ("unknown class: private", "Note [§]{.private} here."),
    ("unknown class: secret", "Note [§]{.secret} here."),
    ("unknown class next to a known one", "Note [§]{.members .secret} here."),
    ("near miss next to a known one", "Note [§]{.members .confidental} here."),
    ("unknown class on a link", "Note [§](https://example.org/q){.private} here."),
    ("unknown class on code", "Note `§`{.secret} here."),
    ("unknown class on an image", "Note ![§](https://example.org/q.png){.hidden} here."),
    ("class starting with a digit", "Note [§]{.1members} here."),
    ("no class", "Note [§]{} here."),
    ("only a dot", "Note [§]{.} here."),
    ("id for class", "Note [§]{#confidential} here."),
    ("missing dot", "Note [§]{confidential} here."),
    ("missing dot, members", "Note [§]{members} here."),
    ("space before the brace", "Note [§] {.confidential} here."),
    ("space before the brace, members", "Note [§] {.members} here."),
    ("space before an unknown class", "Note [§] {.private} here."),
    ("line break before the brace", "Note §\n{.confidential} here."),
    ("missing closing brace", "Note [§]{.confidential here."),
    ("missing opening brace", "Note [§].confidential} here."),
    ("parentheses for braces", "Note [§](.confidential) here."),
    ("emphasis given a class", "Note **§**{.confidential} here."),
    ("alt in single quotes", "Note [§]{.confidential alt='a plan'} here."),
    ("braces inside alt", 'Note [§]{.confidential alt="a {plan}"} here.'),
    ("escaped brackets", "Note \\[§\\]{.confidential} here."),
    ("full-width braces", "Note [§]\uff5b.confidential\uff5d here."),
    ("full-width brackets and braces", "Note \uff3b§\uff3d\uff5b.confidential\uff5d here."),
    ("full-width dot", "Note [§]{\uff0econfidential} here."),
    ("small braces", "Note [§]\ufe5b.members\ufe5c here."),
    ("inside inline code", "Note `[§]{.confidential}` here."),
    ("inside fenced code", "Note here.\n\n```\n[§]{.confidential}\n```"),
    ("inside tilde fence", "Note here.\n\n~~~\n[§]{.members}\n~~~"),
    ("inside indented code", "Note here.\n\n    [§]{.confidential}"),
    ("raw HTML span", 'Note <span class="confidential">§</span> here.'),
    ("raw HTML, single quotes", "Note <span class='members'>§</span> here."),
    ("raw HTML, unknown class", 'Note <span class="private">§</span> here.'),
    ("raw HTML across paragraphs", 'Note here.\n\n<div class="confidential">\n\n§\n\n</div>'),
    ("typo in a body heading", "## [§]{.confidental}\n\nNote here."),
    ("typo in a list entry", "- Note [§]{.confidental} here.\n- Other."),
    ("typo in a table cell", "| a | b |\n|---|---|\n| [§]{.privat} | x |"),
    ("typo inside a members span", "Note [a [§]{.secret} b]{.members} here."),
]


def _sees(audience: Audience, body: str) -> bool:
    return shows(view_of(body.replace("§", S), audience), S)


@pytest.mark.parametrize(("label", "body", "strict"), READABLE, ids=[r[0] for r in READABLE])
def test_every_readable_redaction_hides_what_it_names(label: str, body: str, strict: bool) -> None:
    """A readable redaction hides its words from the public always, from
    members when it is confidential, never from facilitators, and is no problem."""
    assert not _sees(Audience.PUBLIC, body)
    assert _sees(Audience.MEMBER, body) is not strict
    assert _sees(Audience.FACILITATOR, body)
    assert body_problems(body.replace("§", S)) == []


@pytest.mark.parametrize(("label", "body"), UNREADABLE, ids=[r[0] for r in UNREADABLE])
def test_every_unreadable_redaction_fails_closed(label: str, body: str) -> None:
    """Markup meant as a redaction that cannot be read as one hides its words
    from members and the public (never from facilitators), and is reported."""
    assert not _sees(Audience.PUBLIC, body)
    assert not _sees(Audience.MEMBER, body)
    assert _sees(Audience.FACILITATOR, body)
    problems = body_problems(body.replace("§", S))
    assert problems, label
    assert all("hidden from members and the public" in p.message for p in problems)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("Budget [§]{.confidential}", "Budget"),
        ("Budget [§]{.members}", "Budget"),
        ('Budget [§]{.confidential alt="a town"}', "Budget a town"),
        ("Budget [§]{.private}", "Budget"),
        ("Budget [§] {.members}", ""),
        ("Budget \uff3b§\uff3d\uff5b.confidential\uff5d", ""),
        ("Budget `[§]{.confidential}`", ""),
        ('Budget <span class="confidential">§</span>', ""),
        ("Budget [§](.members)", "Budget"),
    ],
)
def test_section_headings_fail_closed_too(section: str, expected: str) -> None:
    """A section heading is read like a body: its spans are cut for the
    public, and markup that cannot be read hides the whole heading."""
    meeting = notes([item("Open words.", section=section.replace("§", S))])
    assert disclose_section(meeting, Audience.PUBLIC) == expected
    assert S in disclose_section(meeting, Audience.FACILITATOR)


def disclose_section(meeting, audience: Audience) -> str:  # type: ignore[no-untyped-def]
    from notesbase.disclosure import disclose

    return disclose(meeting, audience).items[0].section


@pytest.mark.parametrize(
    "section",
    ["Budget [§]{.private}", "Budget [§] {.members}", "Budget `[§]{.confidential}`"],
)
def test_unreadable_heading_is_reported(section: str) -> None:
    """Unreadable markup in a section heading is reported as the heading's."""
    problems = heading_problems(section.replace("§", S))
    assert problems
    assert all("section heading" in p.message for p in problems)


def test_markup_characters_are_every_brace_and_angle_bracket_in_nfkc() -> None:
    """The quick pre-check knows every character NFKC makes a brace or "<"."""
    import sys
    import unicodedata

    wanted = {
        chr(code)
        for code in range(sys.maxunicode + 1)
        if any(mark in unicodedata.normalize("NFKC", chr(code)) for mark in "{}<")
    }
    assert wanted == set(MARKUP_CHARS)


# Near misses, generated: random edits of the redaction classes ------------------

_LETTERS = st.characters(categories=("Ll", "Lu", "Nd")) | st.sampled_from("-_")


@st.composite
def near_misses(draw: st.DrawFn, most: int = 3) -> str:
    """A redaction class with one to ``most`` random edits: a letter put in,
    taken out, replaced, two swapped, or its case changed."""
    name = list(draw(st.sampled_from(sorted(KNOWN))))
    for _ in range(draw(st.integers(1, most))):
        at = draw(st.integers(0, max(0, len(name) - 1)))
        edit = draw(st.sampled_from(("insert", "delete", "replace", "swap", "case")))
        if edit == "insert":
            name.insert(at, draw(_LETTERS))
        elif edit == "delete" and len(name) > 1:
            del name[at]
        elif edit == "replace":
            name[at] = draw(_LETTERS)
        elif edit == "swap" and at + 1 < len(name):
            name[at], name[at + 1] = name[at + 1], name[at]
        elif edit == "case":
            name[at] = name[at].swapcase()
    return "".join(name)


PLACES = [
    "Note [{s}]{{.{c}}} here.",
    "Note [{s}] {{.{c}}} here.",
    "Note [{s}](https://example.org/q){{.{c}}} here.",
    "Note `[{s}]{{.{c}}}` here.",
    "Note here.\n\n```\n[{s}]{{.{c}}}\n```",
    'Note <span class="{c}">{s}</span> here.',
]


@settings(max_examples=150, deadline=None)
@given(name=near_misses(most=2), place=st.sampled_from(PLACES))
def test_near_misses_fail_closed(name: str, place: str) -> None:
    """A class within two edits of a redaction class, wherever it is written,
    is hidden from members and the public, and reported."""
    assume(folded(name) not in KNOWN)
    body = place.format(s=S, c=name)
    for audience in (Audience.PUBLIC, Audience.MEMBER):
        assert not shows(view_of(body, audience), S), body
    assert body_problems(body), body


@settings(max_examples=100, deadline=None)
@given(name=near_misses(most=6))
def test_any_class_on_a_span_that_is_not_a_redaction_class_fails_closed(name: str) -> None:
    """However far a span's class is from a redaction class, if it is not
    one, the span is hidden from members and the public, and reported."""
    level = KNOWN.get(folded(name))
    body = f"Note [{S}]{{.{name}}} here."
    assert not shows(view_of(body, Audience.PUBLIC), S), body
    members_see = shows(view_of(body, Audience.MEMBER), S)
    assert members_see is (level is Confidentiality.MEMBERS), body
    assert bool(body_problems(body)) is (level is None), body


@pytest.mark.parametrize(
    "body",
    [
        "See [the list](http://a.io/members) and [ours](./members).",
        'The set {a, b.c} and {.5, .7} and {v2} and {"members": 3}.',
        "Use `obj.members()` and `{key: value}` here.",
        "```\n.members { color: red }\n```",
        "Plain <b>bold</b> and a < b > c.",
    ],
)
def test_ordinary_text_is_no_redaction(body: str) -> None:
    """Addresses, braces, code and angle brackets that are no redaction are
    shown as they are, and not reported."""
    assert body_problems(body) == []
    view = view_of(body, Audience.PUBLIC)
    assert view.items and view.items[0].body_text
