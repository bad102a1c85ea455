"""The pure event-page parser: what a Jekyll page maps to, and every quirk and
malformed case reported with the line of the file."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from notesbase.importing.event_pages import PageError, meeting_title, read_event_page
from notesbase.importing.notices import Notice

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "events" / "2025-07-09-community-of-practice.md"
ZOOM = "https://us06web.zoom.us/meeting/register/z5wEhZRTSiuF1UgPB1AnbA"
BEFORE = date(2025, 7, 1)
AFTER = date(2025, 8, 1)
FRONT = "---\ntitle: Community of Practice\ndate: 2025-07-09\nupcoming: true\n---\n"


def parse(text: str | bytes, today: date = BEFORE):
    data = text.encode() if isinstance(text, str) else text
    return read_event_page(data, "page", today=today)


def parse_body(body: str, today: date = BEFORE):
    return parse(FRONT + body, today)


def failure(text: str | bytes) -> PageError:
    with pytest.raises(PageError) as caught:
        parse(text)
    return caught.value


def having(notices: list[Notice], words: str) -> list[Notice]:
    return [n for n in notices if words in n.message]


def real_page(today: date = AFTER):
    return read_event_page(FIXTURE.read_bytes(), FIXTURE.stem, today=today)


def test_real_page_maps_every_field():
    """The real page gives meeting 10 of its series with everything it says."""
    page, _ = real_page()
    assert page.source_ref == "2025-07-09-community-of-practice"
    assert page.series_title == "Data and AI public engagement: Community of Practice"
    assert page.series_slug == "data-and-ai-public-engagement-community-of-practice"
    assert (page.number, page.number_origin) == (10, "text")
    assert page.date == date(2025, 7, 9)
    assert page.start_time == time(14, 0)
    assert page.status == "held"  # 'upcoming: true', but its day has passed
    assert page.external_writeup is False
    assert page.topics == ["Public sector", "People and Participation"]
    assert page.registration_url == ZOOM
    assert page.format == "online"
    assert (page.speakers, page.theme) == ("TBC", "TBC")
    assert meeting_title(page.number, page.theme) == "Tenth meeting"


def test_real_page_keeps_unmapped_keys_in_extra():
    """Front-matter keys with no field of their own are kept, not lost."""
    page, notices = real_page()
    assert page.extra == {
        "layout": "event",
        "image": "cbd-logo.png",
        "featured": True,
        "author": "Gavin Freeguard",
        "category": "organising",
        "project": [
            "Giving communities a powerful say in public sector data and AI projects",
            "Data and AI public engagement",
        ],
    }
    (note,) = having(notices, "kept in source_extra")
    assert note.level == "note"
    for key in ("layout", "image", "featured", "author", "category", "project"):
        assert key in note.message


def test_real_page_description_is_the_repaired_body():
    """The body becomes the description: link repaired, excerpt marker gone, apostrophes kept."""
    page, _ = real_page()
    text = page.description
    assert text.startswith("On Wednesday 9 July 2025 at 2pm we will hold the tenth meeting")
    assert (
        "[community of practice](https://connectedbydata.org/projects/2024-community-of-practice)"
        in text
    )
    assert "((" not in text
    assert "<!--more-->" not in text
    assert "\n\n\n" not in text
    assert "It’s designed to bring together" in text
    assert "It’ll be a safe space" in text
    assert "Speakers and the theme are TBC." in text
    assert f"[register here]({ZOOM})" in text
    assert text.endswith(
        "sign up to our mailing list](https://connectedbydata.us21.list-manage.com/subscribe?u=7c03d6a429375c9cc2eef194f&id=3c200de804)."
    )


@pytest.mark.parametrize(
    ("words", "line", "level"),
    [
        ("'topics' appears more than once (lines 9 and 17); merged the lists", 17, "warning"),
        ("'link' is empty; took the registration link from the text (line 33)", 13, "warning"),
        ("the list under 'project' is indented 4 spaces", 14, "note"),
        (
            "repaired the link 'community of practice' written with double parentheses",
            21,
            "warning",
        ),
        ("removed the excerpt marker '<!--more-->'", 23, "note"),
        ("number 10 taken from 'the tenth meeting'", 21, "note"),
        ("start time 14:00 from '2pm'", 21, "note"),
        ("speakers 'TBC' from the text", 31, "note"),
        ("theme 'TBC' from the text", 31, "note"),
        ("format 'online'", 13, "note"),
    ],
)
def test_real_page_quirks_are_reported_with_their_line(words, line, level):
    """Every quirk of the real page is reported at the line of the file it is on."""
    _, notices = real_page()
    found = having(notices, words)
    assert [(n.line, n.level) for n in found] == [(line, level)]


def test_real_page_earlier_ordinals_are_not_the_number():
    """'first' ... 'ninth' in links to earlier meetings are named as ignored, not taken."""
    _, notices = real_page()
    (note,) = having(notices, "ordinals naming earlier meetings")
    assert "first" in note.message and "ninth" in note.message
    assert "tenth" not in note.message


def test_upcoming_in_the_past_is_repaired_with_a_warning():
    """'upcoming: true' on a past date is imported as held, with a warning
    saying so; on or before the date it stays upcoming, with no warning."""
    page, notices = real_page(today=AFTER)
    (warning,) = having(notices, "is in the past")
    assert (page.status, warning.line, warning.level) == ("held", 5, "warning")
    assert "imported as held" in warning.message and "kept" not in warning.message
    for today in (BEFORE, date(2025, 7, 9)):
        page, notices = real_page(today=today)
        assert page.status == "upcoming"
        assert not having(notices, "is in the past")


def test_status_without_upcoming_is_inferred_from_the_date():
    """No 'upcoming' key: held if the date has passed, upcoming otherwise, with a note."""
    text = "---\ntitle: T\ndate: 2025-07-09\n---\nText."
    assert parse(text, today=AFTER)[0].status == "held"
    page, notices = parse(text, today=BEFORE)
    assert page.status == "upcoming"
    assert having(notices, "inferred from the date")


@pytest.mark.parametrize(
    ("phrase", "number"),
    [
        ("the first meeting", 1),
        ("the tenth meeting", 10),
        ("the Eleventh meeting", 11),
        ("the twentieth event", 20),
        ("the twenty-first meeting", 21),
        ("the twenty first meeting", 21),
        ("the forty-second gathering", 42),
        ("the ninety-ninth meeting", 99),
        ("the 10th meeting", 10),
        ("the 42nd meeting", 42),
        ("the 103rd meeting", 103),
    ],
)
def test_ordinal_in_the_announcing_sentence_is_the_number(phrase, number):
    """'We will hold the <ordinal> meeting' gives the meeting's number, words or digits."""
    page, _ = parse_body(f"We will hold {phrase} of the network.")
    assert (page.number, page.number_origin) == (number, "text")


def test_ordinals_of_earlier_meetings_are_ignored():
    """Ordinals in links and after 'our' name earlier meetings, never this one."""
    page, _ = parse_body(
        "Our [ninth](https://example.org/9) meeting looked at tools. Our eighth meeting had talks."
    )
    assert page.number is None


def test_conflicting_ordinals_take_the_announcing_one():
    """Two ordinals: the announcing sentence wins, and the other is warned about."""
    page, notices = parse_body(
        "Next week we will hold the tenth meeting.\n\nThe eleventh meeting will be in May."
    )
    assert page.number == 10
    (warning,) = having(notices, "also says 'the eleventh meeting' (line 8)")
    assert warning.level == "warning"


def test_lone_ordinal_without_announcement_is_taken_with_a_warning():
    """'the fifth meeting' with no announcing verb is taken, but flagged."""
    page, notices = parse_body("Notes for the fifth meeting.")
    assert page.number == 5
    assert having(notices, "no sentence announces this meeting")


def test_several_unannounced_ordinals_give_no_number():
    """'the first meeting and the second meeting' is ambiguous: no number, a warning."""
    page, notices = parse_body("Compare the first meeting and the second meeting.")
    assert page.number is None
    assert having(notices, "names several meetings")


def test_front_matter_number_wins_over_the_text():
    """A 'number' in the front matter beats the text's ordinal, with a warning if they differ."""
    page, notices = parse(
        "---\ntitle: T\ndate: 2025-07-09\nnumber: 12\n---\nWe will hold the tenth meeting."
    )
    assert (page.number, page.number_origin) == (12, "front matter")
    (warning,) = having(notices, "says number 12 but the text says the tenth")
    assert warning.line == 4


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("at 2pm", time(14, 0)),
        ("at 2 pm", time(14, 0)),
        ("at 2.30pm", time(14, 30)),
        ("at 2:30 p.m.", time(14, 30)),
        ("at 14:00", time(14, 0)),
        ("at 9.30am", time(9, 30)),
        ("at 12pm", time(12, 0)),
        ("at noon", time(12, 0)),
        ("from 2-3.30pm", time(14, 0)),
        ("from 2pm to 3pm", time(14, 0)),
        ("from 14:00–15:30", time(14, 0)),
    ],
)
def test_start_time_from_the_text(text, start):
    """'2pm', '2.30pm', '14:00' and ranges give the start time."""
    page, notices = parse_body(f"We will hold the tenth meeting {text}.")
    assert page.start_time == start
    assert not [n for n in notices if n.level == "warning"]


def test_time_without_am_or_pm_is_ambiguous():
    """'at 2' could be either: no start time, and a warning at its line."""
    page, notices = parse_body("We will hold the tenth meeting at 2.")
    assert page.start_time is None
    (warning,) = having(notices, "has no am/pm")
    assert warning.line == 6


def test_several_times_take_the_announcing_sentence():
    """Different times: the one in the announcing sentence is taken, the others warned about."""
    page, notices = parse_body("Doors open at 1.30pm.\n\nWe will hold the tenth meeting at 2pm.")
    assert page.start_time == time(14, 0)
    assert having(notices, "also mentions '1.30pm' (line 6)")


def test_range_crossing_noon_is_flagged():
    """'11-1pm' is read as 11:00 with a warning that it was read as morning."""
    page, notices = parse_body("We will hold the tenth meeting 11-1pm.")
    assert page.start_time == time(11, 0)
    assert having(notices, "starting at 11 in the morning")


def test_time_in_the_front_matter_date():
    """'date: 2025-07-09 18:30' gives the date and the start time."""
    page, _ = parse("---\ntitle: T\ndate: 2025-07-09 18:30\n---\nText.")
    assert (page.date, page.start_time) == (date(2025, 7, 9), time(18, 30))


def test_text_date_that_disagrees_is_warned_about():
    """A date in the announcing sentence that differs from the front matter is flagged."""
    _, notices = parse_body("On 10 July 2025 we will hold the tenth meeting.")
    (warning,) = having(notices, "the text says '10 July 2025'")
    assert warning.line == 6


def test_speakers_and_theme_as_the_text_says():
    """Stated speakers and theme are kept as written; a stated theme titles the meeting."""
    page, _ = parse_body(
        "We will hold the tenth meeting.\n\nThe theme is Trust and data.\n\n"
        "Speakers: Jane Doe (Acme), Sam Roe"
    )
    assert page.theme == "Trust and data"
    assert page.speakers == "Jane Doe (Acme), Sam Roe"
    assert meeting_title(page.number, page.theme) == "Trust and data"


def test_front_matter_theme_wins_over_the_text():
    """A 'theme:' in the front matter is taken; a different theme in the text is warned about."""
    page, notices = parse(
        "---\ntitle: T\ndate: 2025-07-09\ntheme: Open data\n---\nThe theme is Trust."
    )
    assert page.theme == "Open data"
    assert having(notices, "gives the theme as 'Trust'")


@pytest.mark.parametrize(
    ("number", "theme", "title"),
    [(10, "TBC", "Tenth meeting"), (21, "", "Twenty-first meeting"), (150, "", "150th meeting"),
     (3, "Data ethics", "Data ethics")],
)  # fmt: skip
def test_meeting_title(number, theme, title):
    """The meeting's title is its theme when known, else its ordinal."""
    assert meeting_title(number, theme) == title


def test_front_matter_link_wins_over_the_text():
    """A non-empty 'link' is the registration URL; a different one in the text is warned about."""
    page, notices = parse(
        "---\ntitle: T\ndate: 2025-07-09\nlink: https://example.org/book\n---\n"
        "Please [register here](https://us06web.zoom.us/meeting/register/x)."
    )
    assert page.registration_url == "https://example.org/book"
    assert page.format is None
    assert having(notices, "kept the front-matter link")


def test_registration_link_that_is_not_a_video_call_leaves_format_unstated():
    """An Eventbrite 'book your place' link is the registration URL; format stays unstated."""
    page, _ = parse_body("Please [book your place](https://www.eventbrite.co.uk/e/1).")
    assert page.registration_url == "https://www.eventbrite.co.uk/e/1"
    assert page.format is None


def test_duplicate_scalar_keys_keep_every_value():
    """A key written twice with different values: the last is used, the others kept, warned."""
    page, notices = parse("---\ntitle: First\ndate: 2025-07-09\ntitle: Second\n---\nText.")
    assert page.series_title == "Second"
    assert page.extra["repeated"] == {"title": ["First"]}
    (warning,) = having(notices, "'title' appears more than once (lines 2 and 4)")
    assert warning.line == 4


def test_duplicate_keys_in_a_nested_block_are_warned_about():
    """PyYAML silently keeps the last of two nested keys: the parser warns with the line."""
    _, notices = parse("---\ntitle: T\ndate: 2025-07-09\nproject:\n  a: 1\n  a: 2\n---\nText.")
    (warning,) = having(notices, "'a' appears twice")
    assert warning.line == 6


def test_non_boolean_flag_is_warned_and_kept():
    """'writeup: maybe' is not a flag: warned, kept in extra, write-up left False."""
    page, notices = parse("---\ntitle: T\ndate: 2025-07-09\nwriteup: maybe\n---\nText.")
    assert page.external_writeup is False
    assert page.extra["writeup (unread)"] == "maybe"
    assert having(notices, "'writeup: maybe' is not true or false")[0].line == 4


def test_writeup_true_sets_the_flag():
    """'writeup: true' means the network's site has a write-up."""
    page, _ = parse("---\ntitle: T\ndate: 2025-07-09\nwriteup: true\n---\nText.")
    assert page.external_writeup is True


def test_liquid_tags_are_kept_and_flagged():
    """Jekyll template tags mean nothing here: kept as text, warned about."""
    page, notices = parse_body("See {% include note.html %} here.")
    assert "{% include note.html %}" in page.description
    assert having(notices, "Jekyll template tag")[0].line == 6


def test_windows_line_endings_and_bom_read_the_same():
    """A BOM and CRLF line endings do not change what is read, nor the line numbers."""
    text = FIXTURE.read_text(encoding="utf-8").replace("\n", "\r\n")
    page, notices = read_event_page(b"\xef\xbb\xbf" + text.encode(), FIXTURE.stem, today=AFTER)
    expected, expected_notices = real_page()
    assert page == expected
    assert notices == expected_notices


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "the file is empty"),
        ("  \n\n", 1, "the file is empty"),
        ("title: T\ndate: 2025-07-09\n", 1, "no front matter"),
        ("---\ntitle: T\ndate: 2025-07-09\nText.\n", 1, "never closed"),
        ("---\ntitle: A: B\ndate: 2025-07-09\n---\n", 2, "not valid YAML"),
        ("---\ntitle: T\ndate: 2025-07-09\ntopics: [a, b\nlayout: x\n---\n", 5, "not valid YAML"),
        ("---\ntitle: T\ndate: 2025-07-09\n\tlayout: x\n---\n", 4, "not valid YAML"),
        ("---\n- a\n- b\n---\n", 2, "must be 'key: value' lines"),
        ("---\ntitle: T\n---\nText.", 1, "no date"),
        ("---\ntitle: T\ndate:\n---\nText.", 3, "no date"),
        ("---\ntitle: T\ndate: 2025-13-45\n---\n", 3, "'2025-13-45' is not a date"),
        ("---\ntitle: T\ndate: next week\n---\n", 3, "'next week' is not a date"),
        ("---\ndate: 2025-07-09\n---\nText.", 1, "no title"),
        ("---\ndate: 2025-07-09\ntitle: ''\n---\nText.", 3, "no title"),
        ("---\ntitle: T\ndate: 2025-07-09\nnumber: 0\n---\n", 4, "not a positive whole number"),
        ("---\ntitle: T\ndate: 2025-07-09\nnumber: -3\n---\n", 4, "not a positive whole number"),
        ("---\ntitle: T\ndate: 2025-07-09\nnumber: ten\n---\n", 4, "not a positive whole number"),
        ("---\ntitle: T\ndate: 2025-07-09\nnumber: 2.5\n---\n", 4, "not a positive whole number"),
        ("---\ntitle: T\ndate: 2025-07-09\nnumber: true\n---\n", 4, "not a positive whole number"),
    ],
)
def test_malformed_pages_are_errors_at_their_line(text, line, words):
    """Every malformed page is refused with a message and the line of the file."""
    error = failure(text)
    assert error.line == line
    assert words in error.message


def test_non_utf8_bytes_are_an_error_at_their_line():
    """Bytes that are not UTF-8 are refused (never guessed at), naming the line."""
    error = failure(b"---\ntitle: T\ndate: 2025-07-09\n---\n\nCaf\xe9 talk\n")
    assert (error.line, "not UTF-8" in error.message) == (6, True)


def test_number_written_as_text_digits_is_accepted():
    """number: '7' (quoted) is still the number 7."""
    page, _ = parse("---\ntitle: T\ndate: 2025-07-09\nnumber: '7'\n---\n")
    assert (page.number, page.number_origin) == (7, "front matter")


def test_control_character_in_front_matter_is_a_page_error():
    """A control character in the front matter is refused with a message, not a traceback."""
    error = failure("---\ntitle: Tenth meeting\ndate: 2025-07-09\x1f\n---\nBody\n")
    assert "control character" in str(error)
    assert error.line == 3
