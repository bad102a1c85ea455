"""The broken-sentence notice: a sentence that reads broken once a span
without ``alt`` is cut is pointed out, with what the audience will read;
a clean cut, a span with ``alt`` and text nobody cut are never pointed out."""

from __future__ import annotations

import pytest

from notesbase.disclosure import Audience, Confidentiality
from notesbase.disclosure.problems import broken
from notesbase.disclosure.sentences import broken_sentences, reads_broken


@pytest.mark.parametrize(
    ("body", "reads"),
    [
        (
            "The pilot ran in [Northtown]{.confidential} and [Southtown]{.confidential}; "
            "it is now over.",
            "The pilot ran in and; it is now over.",
        ),
        ("The pilot ran in [Northtown]{.confidential}.", "The pilot ran in."),
        ("It was funded by the [Heron Trust]{.confidential}.", "It was funded by the."),
        (
            "Funding came from [the trust]{.confidential}, then stopped.",
            "Funding came from, then stopped.",
        ),
        ("He went to [the Leeds office]{.confidential} and stayed.", "He went to and stayed."),
        ("We saw the [draft]{.confidential} and the plan.", "We saw the and the plan."),
        ("Our [lead]{.confidential} of the work left.", "Our of the work left."),
        ("The lead is [Ann]{.confidential}.", "The lead is."),
        ("[Ann]{.confidential} and Bob agreed. Then we left.", "and Bob agreed."),
        ("We read [Ann]{.confidential}'s report.", "We read 's report."),
        ("We spoke with [Ann]{.confidential} in Leeds.", "We spoke with in Leeds."),
        ("Write to [the team]{.confidential} with questions.", "Write to with questions."),
    ],
)
def test_broken_sentences_are_found(body: str, reads: str) -> None:
    """A word that needs something after it, left before punctuation, the
    end or another function word, reads broken; so does a sentence now
    opening with "and" or a stray "'s"."""
    found = broken_sentences(body, Audience.PUBLIC)
    assert found == [reads]


@pytest.mark.parametrize(
    "body",
    [
        "We met [Ann]{.confidential} yesterday.",
        "The pilot ran in Leeds.",
        'The pilot ran in [Northtown]{.confidential alt="a northern town"}.',
        "We met the team [from Leeds]{.confidential}.",
        "The report [by Ann]{.confidential} was late.",
        "We spoke [to Ann]{.confidential} about it.",
        "We met with the team [and Ann]{.confidential}.",
        "We agreed [on Tuesday]{.confidential} this is fine.",
        "See below [for the figures]{.confidential}.",
        "[Ann said that]{.confidential} the plan works.",
        "The plan [, as Ann said,]{.confidential} works.",
        "It ran in and out of the office.",
        "Everything is [secret]{.members} here.",
    ],
)
def test_clean_cuts_are_not_pointed_out(body: str) -> None:
    """A cut between words that still read well, an alt, and text that was
    never cut are left alone."""
    assert broken_sentences(body, Audience.PUBLIC) == []


def test_members_are_not_told_about_what_they_see() -> None:
    """A members span is no cut for members, so only the public's reading breaks."""
    body = "The pilot ran in [Northtown]{.members}."
    assert broken_sentences(body, Audience.MEMBER) == []
    assert broken_sentences(body, Audience.PUBLIC) == ["The pilot ran in."]
    assert broken_sentences(body, Audience.FACILITATOR) == []


def test_notice_names_who_reads_it() -> None:
    """The notice says who will read the broken sentence, once for both
    audiences when they read the same, and how to mend it."""
    body = "The pilot ran in [Northtown]{.confidential}."
    (notice,) = broken(body, Confidentiality.OPEN)
    assert notice.readers == "members and the public"
    assert notice.message == (
        "After redaction, members and the public will read: “The pilot ran in.” — "
        'add alt="…" to the span to say what they read instead.'
    )
    (members_only,) = broken(body, Confidentiality.MEMBERS)
    assert members_only.readers == "members"
    assert broken(body, Confidentiality.CONFIDENTIAL) == []


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("ran in", " and", True),
        ("ran in", ";", True),
        ("the", ".", True),
        ("the", " of", True),
        ("to", " with", True),
        ("", " and Bob", True),
        ("", " Bob", False),
        ("met", " yesterday", False),
        ("with", " the team", False),
        ("at", " about five", False),
        ("this", " is", False),
    ],
)
def test_the_rule_at_a_cut(before: str, after: str, expected: bool) -> None:
    """The words either side of one cut, read with the word lists."""
    assert reads_broken(before, after) is expected
