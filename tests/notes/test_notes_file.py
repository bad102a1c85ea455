"""The plain notes file format, pure: every reading rule, every bad input
refused with its line, and export → import round trips (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notesbase.disclosure import Confidentiality, Kind
from notesbase.disclosure.folding import fold
from notesbase.notes.notesfile import (
    MAX_FILE_BYTES,
    NoteItem,
    NotesFile,
    NotesFileError,
    PersonDetails,
    canonical,
    canonical_body,
    format_item,
    format_notes,
    parse_notes,
)

EXAMPLE = """\
---
series: cop          # series slug (optional if given on the command line)
meeting: 10          # meeting number (optional if given on the command line)
people:              # optional: details of speakers, by name
  - name: Jane Doe
    affiliation: Open Data Manchester
    descriptor: a local authority data lead
    email: jane@example.org
---

## Opening round

Point: We agreed to meet in person next time.

Quote (Jane Doe): "Data without context is noise."

Action [members]: Circulate the slides before the next meeting.

Decision (Jane Doe) [confidential]: The pilot goes ahead with
the council, and [the budget is £40k]{.confidential}.

    A second paragraph of the same item is indented (2+ spaces).

A paragraph with no "Kind:" prefix is a point.
"""


def items(text: str) -> list[NoteItem]:
    return parse_notes(text).items


def warnings(text: str) -> list[str]:
    return [str(n) for n in parse_notes(text).warnings]


def refused(text: str | bytes) -> NotesFileError:
    with pytest.raises(NotesFileError) as caught:
        parse_notes(text)
    return caught.value


# --- the example and the reading rules ------------------------------------------------


def test_example_reads_as_documented():
    """The README's example gives five items with kinds, speakers, levels, section and people."""
    notes = parse_notes(EXAMPLE)
    assert (notes.series, notes.meeting, notes.warnings) == ("cop", 10, [])
    assert notes.people == [
        PersonDetails(
            "Jane Doe", "Open Data Manchester", "a local authority data lead", "jane@example.org"
        )
    ]
    assert [(i.kind, i.speaker, i.confidentiality, i.line) for i in notes.items] == [
        (Kind.POINT, "", Confidentiality.OPEN, 13),
        (Kind.QUOTE, "Jane Doe", Confidentiality.OPEN, 15),
        (Kind.ACTION, "", Confidentiality.MEMBERS, 17),
        (Kind.DECISION, "Jane Doe", Confidentiality.CONFIDENTIAL, 19),
        (Kind.POINT, "", Confidentiality.OPEN, 24),
    ]
    assert {i.section for i in notes.items} == {"Opening round"}
    assert notes.items[3].body == (
        "The pilot goes ahead with\nthe council, and [the budget is £40k]{.confidential}.\n\n"
        "A second paragraph of the same item is indented (2+ spaces)."
    )
    assert notes.items[4].body == 'A paragraph with no "Kind:" prefix is a point.'


def test_front_matter_is_optional():
    """A file of paragraphs alone is read; series and meeting stay unknown."""
    notes = parse_notes("First.\n\nSecond.\n")
    assert (notes.series, notes.meeting, notes.people) == (None, None, [])
    assert [i.body for i in notes.items] == ["First.", "Second."]


@pytest.mark.parametrize(
    ("prefix", "kind", "speaker", "level"),
    [
        ("point:", Kind.POINT, "", Confidentiality.OPEN),
        ("QUOTE (Sam):", Kind.QUOTE, "Sam", Confidentiality.OPEN),
        ("Action [Members]:", Kind.ACTION, "", Confidentiality.MEMBERS),
        ("Question [open]:", Kind.QUESTION, "", Confidentiality.OPEN),
        ("Resource(Sam)[confidential]:", Kind.RESOURCE, "Sam", Confidentiality.CONFIDENTIAL),
        ("Decision [confidential] (Sam):", Kind.DECISION, "Sam", Confidentiality.CONFIDENTIAL),
        ("Quote (  Jane   Doe ):", Kind.QUOTE, "Jane Doe", Confidentiality.OPEN),
        ("Quote (Jane Doe (ODM)):", Kind.QUOTE, "Jane Doe (ODM)", Confidentiality.OPEN),
    ],
)
def test_prefix_gives_kind_speaker_and_confidentiality(prefix, kind, speaker, level):
    """Kind and confidentiality are read case-insensitively, in either order, speaker trimmed."""
    (item,) = items(f"{prefix}   The text.\n")
    assert (item.kind, item.speaker, item.confidentiality, item.body) == (
        kind,
        speaker,
        level,
        "The text.",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Next steps: write it up.",
        "See https://example.org: the report.",
        "Point-of-order: noted.",
        "Time 10:30 was agreed.",
        "Update:2 was agreed.",
    ],
)
def test_text_that_is_not_a_prefix_is_a_point(text):
    """Only 'Word (..) [..]:' followed by a space is a prefix; anything else is the body."""
    (item,) = items(text + "\n")
    assert (item.kind, item.body) == (Kind.POINT, text)


def test_sections_apply_until_the_next_heading_and_bare_hashes_end_them():
    """'## heading' sets the section of following items; a bare '##' returns to none."""
    notes = parse_notes("Before.\n\n## One  \nA.\n\nB.\n\n##   Two   parts\n\nC.\n\n##\n\nD.\n")
    assert [(i.body, i.section) for i in notes.items] == [
        ("Before.", ""),
        ("A.", "One"),
        ("B.", "One"),
        ("C.", "Two parts"),
        ("D.", ""),
    ]
    assert notes.items[2].section_line == 3


def test_heading_interrupts_an_item_without_a_blank_line():
    """A column-0 '## ' line ends the item above even with no blank line before it."""
    notes = parse_notes("Point: a\n## S\nb\n")
    assert [(i.body, i.section) for i in notes.items] == [("a", ""), ("b", "S")]


def test_title_line_is_kept_and_later_single_hashes_are_sections_with_a_warning():
    """'# title' before the items is the title; another '# ' is read as a section, warned."""
    notes = parse_notes("# Tenth meeting\n\nA.\n\n# Oops\n\nB.\n")
    assert (notes.title, notes.title_line) == ("Tenth meeting", 1)
    assert [(i.body, i.section) for i in notes.items] == [("A.", ""), ("B.", "Oops")]
    assert "line 5" in str(notes.warnings[0]) and "'## heading'" in str(notes.warnings[0])


def test_deeper_heading_starting_an_item_is_a_point_with_a_warning():
    """'### x' is not a section: it is read as a point, with a warning."""
    notes = parse_notes("### Small\n")
    assert notes.items[0].body == "### Small"
    assert "only '## ' starts a section" in str(notes.warnings[0])


def test_lines_directly_following_continue_the_paragraph():
    """Lines with no blank line before them continue the item, indented or not."""
    notes = parse_notes("Point: one\ntwo\nNote: three\n  four\n")
    assert [i.body for i in notes.items] == ["one\ntwo\nNote: three\nfour"]
    assert notes.warnings == []


@pytest.mark.parametrize("line", ["Decision [confidential]: x", "action: x", "Confidential: x"])
def test_item_prefix_right_under_an_item_is_refused(line):
    """A kind or confidentiality typed with no blank line above never merges into that item."""
    error = refused(f"Point: open text\n{line}\n")
    assert error.line == 2 and "leave a blank line before it" in error.message


def test_indented_paragraphs_continue_the_item_dedented_by_their_common_indent():
    """Indented lines after blank lines join the item, blank lines kept, common indent removed."""
    text = "Point: first\n\n\n   second\n     deeper\n\n   third\n\nNext.\n"
    assert [i.body for i in items(text)] == ["first\n\n\nsecond\n  deeper\n\nthird", "Next."]


def test_indentation_beyond_four_columns_is_kept_as_in_markdown():
    """Continuation lines lose at most four columns; more indentation stays (a code block)."""
    (item,) = items("Point: code follows\n\n        x = 1\n        y = 2\n")
    assert item.body == "code follows\n\n    x = 1\n    y = 2"


def test_tab_indentation_continues_the_item():
    """A tab counts as indentation to the next multiple of four columns."""
    (item,) = items("Point: a\n\n\tb\n\t\tc\n")
    assert item.body == "a\n\nb\n\tc"


def test_one_space_after_a_blank_line_starts_a_new_item_with_a_warning():
    """Indenting by one space is not enough to continue: new item, warned."""
    notes = parse_notes("Point: a\n\n b\n")
    assert [i.body for i in notes.items] == ["a", "b"]
    assert notes.warnings[0].line == 3 and "one space" in notes.warnings[0].message


def test_indented_first_item_is_read_with_a_warning():
    """An indented paragraph with no item above becomes an item, warned."""
    notes = parse_notes("## S\n\n    Point: a\n")
    assert [(i.body, i.section) for i in notes.items] == [("a", "S")]
    assert "no item above" in notes.warnings[0].message


def test_kind_with_text_on_the_following_lines():
    """'Kind:' alone on its line takes its text from the indented lines below."""
    (item,) = items("Decision (Sam):\n      indented start\n    next\n")
    assert (item.kind, item.speaker, item.body) == (Kind.DECISION, "Sam", "  indented start\nnext")


def test_empty_parentheses_mean_no_speaker_with_a_warning():
    """'Quote ():' has no speaker; the reader is told."""
    notes = parse_notes("Quote (): text\n")
    assert notes.items[0].speaker == ""
    assert "no speaker" in notes.warnings[0].message


def test_windows_and_old_mac_line_endings_and_bom_are_read():
    """CRLF, CR and a byte order mark read as the same notes as LF."""
    lf = EXAMPLE.encode()
    for variant in (
        lf.replace(b"\n", b"\r\n"),
        lf.replace(b"\n", b"\r"),
        b"\xef\xbb\xbf" + lf.replace(b"\n", b"\r\n"),
    ):
        assert parse_notes(variant) == parse_notes(lf)


def test_trailing_spaces_on_structure_lines_are_ignored():
    """Spaces after '---', headings, prefixes and on blank lines change nothing."""
    text = "---   \nseries: cop   \n---  \n   \n## S   \n  \t\nPoint:   a   \n    \nb.\n"
    notes = parse_notes(text)
    assert notes.series == "cop"
    assert [(i.body, i.section) for i in notes.items] == [("a", "S"), ("b.", "S")]


def test_markdown_hard_break_inside_a_body_is_kept():
    """Two spaces at the end of a line that the paragraph continues are a hard break: kept."""
    (item,) = items("Point: a  \nb\n")
    assert item.body == "a  \nb"


def test_person_listed_but_silent_is_warned_about():
    """Details under people: for a name that speaks nowhere are reported, not used."""
    notes = parse_notes("---\npeople:\n  - name: Sam\n  - Jane Doe\n---\nQuote (jane doe): x\n")
    assert [p.name for p in notes.people] == ["Sam", "Jane Doe"]
    assert [(w.line, w.message) for w in notes.warnings] == [
        (3, "'Sam' is listed under 'people' but speaks in no item; not added")
    ]
    assert notes.details_for("JANE  DOE") == notes.people[1]


def test_unknown_front_matter_key_and_person_detail_are_warned_about():
    """Keys the format does not read are named in a warning with their line."""
    notes = parse_notes("---\ndate: 2025-07-09\npeople:\n  - name: Sam\n    role: chair\n---\n"
                        "Quote (Sam): x\n")  # fmt: skip
    assert [(w.line, w.message.split(" ")[0]) for w in notes.warnings] == [
        (2, "'date'"),
        (4, "'role'"),
    ]


def test_non_text_person_detail_is_read_as_text_with_a_warning():
    """'affiliation: 2024' is read as '2024', warned."""
    notes = parse_notes("---\npeople:\n  - name: Sam\n    affiliation: 2024\n---\nQuote (Sam): x\n")
    assert notes.people[0].affiliation == "2024"
    assert "not text" in notes.warnings[0].message


def test_meeting_number_may_be_quoted():
    """'meeting: \"10\"' is meeting 10."""
    assert parse_notes('---\nmeeting: "10"\n---\nA.\n').meeting == 10


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", None, "no items"),
        ("  \n\t\n\n", None, "no items"),
        ("---\nseries: cop\n---\n\n## Only a heading\n", None, "no items"),
        ("A.\n\nNote: something\n", 3, "'Note:' is not a kind"),
        ("Confidential: the budget\n", 1, "is a confidentiality, not a kind"),
        ("A.\n\nPoint [secret]: x\n", 3, "'[secret]' is not a confidentiality"),
        ("Action (Sam) []: x\n", 1, "is not a confidentiality"),
        ("---\nseries: cop\n\nPoint: x\n", 1, "never closed"),
        ("\n\n---\nseries: cop\n", 3, "opened on line 3 is never closed"),
        ("---\nseries: [cop\n---\nA.\n", 2, "not valid YAML"),
        ("\n---\nseries: cop\n  bad: indent\n---\nA.\n", 4, "not valid YAML"),
        ("---\nseries: cop\nnote: \x1f\n---\nA.\n", 3, "YAML does not allow"),
        ("---\nseries: Community Of Practice\n---\nA.\n", 2, "not a series slug"),
        ("---\nmeeting: tenth\n---\nA.\n", 2, "not a meeting number"),
        ("---\nmeeting: 0\n---\nA.\n", 2, "not a meeting number"),
        ("---\nmeeting: true\n---\nA.\n", 2, "not a meeting number"),
        ("---\npeople: Sam\n---\nA.\n", 2, "must be a list"),
        ("---\npeople:\n  - affiliation: ODM\n---\nA.\n", 3, "has no name"),
        ("---\npeople:\n  - [Sam]\n---\nA.\n", 3, "needs a 'name"),
        ("---\npeople:\n  - name: Sam\n    email: [a]\n---\nA.\n", 3, "must be text"),
        ("---\npeople:\n  - name: Sam\n  - name: SAM\n---\nA.\n", 4, "listed twice"),
        ("---\nseries: a\nseries: b\n---\nA.\n", 3, "more than once (lines 2 and 3)"),
        ("---\npeople:\n  - name: a\n    name: b\n---\nA.\n", 4, "twice in the same entry"),
        ("Point:\n\nNext.\n", 1, "no text after"),
        ("A.\n\nDecision (Sam):   \n", 3, "no text after"),
        ("A.\x00B\n", 1, "NUL"),
        ("A.\n\nB\x00\n", 3, "NUL"),
    ],
)
def test_bad_input_is_refused_with_its_line(text, line, words):
    """Every file that cannot be imported is refused, naming the line when there is one."""
    error = refused(text)
    assert error.line == line
    assert words in error.message
    if line:
        assert str(error).startswith(f"line {line}: ")


def test_non_utf8_bytes_are_refused_with_their_line():
    """Latin-1 bytes are an error naming the line and the byte, never guessed at."""
    error = refused("A.\n\nCafé\n".encode("latin-1"))
    assert (error.line, "0xe9" in error.message, "UTF-8" in error.message) == (3, True, True)


def test_file_over_two_megabytes_is_refused():
    """More than 2 MB is refused before anything is read, as bytes or as text."""
    big = "Point: " + "x" * MAX_FILE_BYTES + "\n"
    for data in (big, big.encode()):
        assert "at most 2 MB" in refused(data).message
    assert parse_notes("Point: " + "x" * (MAX_FILE_BYTES - 20)).items[0].kind is Kind.POINT


# --- writing ----------------------------------------------------------------------------


def test_format_indents_every_continuation_line():
    """Bodies whose lines look like items or headings are written indented, and read back."""
    body = "first\nPoint: not an item\n## not a section\n\n# not a title\n---\n  two spaces"
    item = NoteItem(Kind.ACTION, body, speaker="Sam", confidentiality=Confidentiality.MEMBERS)
    assert format_item(item) == (
        "Action (Sam) [members]: first\n    Point: not an item\n    ## not a section\n\n"
        "    # not a title\n    ---\n      two spaces"
    )
    assert items(format_item(item)) == [item]


def test_format_writes_sections_title_and_front_matter():
    """The written file has the front matter, the title, headings only where the section changes."""
    notes = NotesFile(
        series="cop",
        meeting=10,
        title="Tenth  meeting",
        people=[PersonDetails("Jane Doe", affiliation="ODM")],
        items=[
            NoteItem(Kind.POINT, "a"),
            NoteItem(Kind.POINT, "b", section="S"),
            NoteItem(Kind.QUOTE, "c", section="S", speaker="Jane Doe"),
            NoteItem(Kind.POINT, "d"),
        ],
    )
    assert format_notes(notes) == (
        "---\nseries: cop\nmeeting: 10\npeople:\n  - name: Jane Doe\n    affiliation: ODM\n---\n\n"
        "# Tenth meeting\n\nPoint: a\n\n## S\n\nPoint: b\n\nQuote (Jane Doe): c\n\n##\n\n"
        "Point: d\n"
    )
    assert parse_notes(format_notes(notes)) == canonical(notes)


def test_example_written_back_reads_the_same():
    """The example, written and read again, gives the same notes."""
    notes = parse_notes(EXAMPLE)
    assert parse_notes(format_notes(notes)) == notes


def test_speaker_name_the_prefix_cannot_carry_is_refused_on_writing():
    """A name holding '):' would be misread, so writing it is refused, not corrupted."""
    with pytest.raises(NotesFileError, match="cannot be written"):
        format_item(NoteItem(Kind.QUOTE, "x", speaker="A): B"))


def test_canonical_body_changes_only_what_markdown_does_not_show():
    """Line endings, whitespace-only lines and whitespace at the ends are normalised."""
    assert canonical_body("\n \nA  \r\n \t\r\n  B\t \n\n") == "A  \n\n  B"


# --- round trips (Hypothesis) -------------------------------------------------------------

_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_WORDS = st.sampled_from(
    ["Point:", "Quote (Jane):", "## ", "# ", "---", "...", "[x]{.confidential}",
     "[y]{.members}", "  ", "\t", "    ", "Action [members]:", "(", ")", "[", "]", ":", "#",
     "é", "ß", "日本", "🙂", "\u00a0", "\u2028", "Kind:", "  code", "Jane Doe"]
)  # fmt: skip
_LINE = (
    st.lists(st.one_of(_WORDS, st.text(_CHARS, max_size=8)), max_size=6)
    .map("".join)
    .map(lambda s: s.replace("\n", " ").replace("\r", " "))
)
_BODY = st.lists(_LINE, min_size=1, max_size=6).map("\n".join).filter(lambda b: b.strip())
_NAME = st.one_of(
    st.sampled_from(["Jane Doe", "jane doe", "Zoë Ó Briain", "Sam (ODM)", "李 小龍", "A [b] c"]),
    st.text(_CHARS, min_size=1, max_size=20),
).filter(lambda n: n.strip() and "):" not in n and "\n" not in n)
_SECTION = st.one_of(st.just(""), st.sampled_from(["Opening round", "## Two", "Q & A"]), _LINE)


@st.composite
def notes_files(draw: st.DrawFn) -> NotesFile:
    speakers = draw(st.lists(_NAME, max_size=3, unique_by=fold))
    items = draw(
        st.lists(
            st.builds(
                NoteItem,
                kind=st.sampled_from(list(Kind)),
                body=_BODY,
                section=_SECTION,
                speaker=st.one_of(
                    st.just(""), st.sampled_from(speakers) if speakers else st.just("")
                ),
                confidentiality=st.sampled_from(list(Confidentiality)),
            ),
            min_size=1,
            max_size=6,
        )
    )
    people = [
        PersonDetails(
            name,
            affiliation=draw(st.one_of(st.just(""), _LINE)),
            descriptor=draw(st.one_of(st.just(""), _LINE)),
            email=draw(st.sampled_from(["", "jane@example.org"])),
        )
        for name in speakers
        if any(" ".join(i.speaker.split()) == " ".join(name.split()) for i in items)
    ]
    return NotesFile(
        series=draw(st.one_of(st.none(), st.sampled_from(["cop", "data-ai-2"]))),
        meeting=draw(st.one_of(st.none(), st.integers(1, 500))),
        title=draw(st.one_of(st.just(""), _LINE)),
        people=people,
        items=items,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes_files())
def test_written_notes_read_back_equal(notes):
    """parse(format(notes)) == notes for any notes in canonical form."""
    expected = canonical(notes)
    try:
        written = format_notes(notes)
    except NotesFileError:
        pytest.fail("a name without '):' must be writable")
    assert parse_notes(written) == expected
    assert parse_notes(written).warnings == []


_FILE_LINE = st.one_of(
    st.just(""),
    _LINE,
    _WORDS,
    st.builds(lambda w, rest: w + " " + rest, _WORDS, _LINE),
    st.builds(lambda rest: "    " + rest, _LINE),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FILE_LINE, max_size=12).map("\n".join))
def test_format_of_any_readable_file_is_stable(text):
    """For any file that reads, writing it and reading it again gives the same notes and text."""
    try:
        notes = parse_notes(text)
    except NotesFileError:
        return
    written = format_notes(notes)
    again = parse_notes(written)
    assert again == notes
    assert format_notes(again) == written
