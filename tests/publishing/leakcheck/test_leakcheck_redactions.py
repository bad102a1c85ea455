"""The leak check reports, for each item a channel carries and its audience
sees, every redaction that cannot be read ("unreadable-redaction", until the
writer fixes it) and every sentence a redaction leaves broken
("broken-sentence", a warning a facilitator may override); and the words a
span cuts out of a section heading count as redacted words."""

from __future__ import annotations

import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import Item
from notesbase.notes.items import ItemFields, create_item, update_item
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups.public import CHANNEL as WRITEUP
from notesbase.publishing.writeups.service import save_writeup
from tests.publishing.leakcheck.leakcheck_support import (  # noqa: F401 - fixtures
    MEMBER_CHANNEL,
    PUBLIC_CHANNEL,
    channels_fixture,
    run_check,
    the_meeting,
    world_fixture,
)

TYPO = "We met [Quillfeather]{.confidental} today."
BROKEN = "The pilot ran in [Northtown]{.confidential}."


def add(
    body: str,
    confidentiality: Confidentiality = Confidentiality.OPEN,
    section: str = "Discussion",
) -> Item:
    fields = ItemFields(Kind.POINT, body, section, None, confidentiality)
    item = create_item(the_meeting(), fields, actor=None)
    db.session.commit()
    return item


def of_rule(report: leakcheck.LeakReport, rule: str) -> list[leakcheck.Finding]:
    return [finding for finding in report.findings if finding.rule == rule]


def test_unreadable_redaction_is_a_finding(app, world, channels):
    """A mistyped class in an item the audience sees is a finding on that
    channel, saying where it is, what was typed and what to write instead."""
    with app.app_context():
        item = add(TYPO)
        for channel in (PUBLIC_CHANNEL, MEMBER_CHANNEL):
            (finding,) = of_rule(run_check(channel), "unreadable-redaction")
            assert finding.where == f"item {item.position}"
            assert finding.match == "{.confidental}"
            assert "did you mean `{.confidential}`?" in finding.why
            assert "hidden from members and the public until you fix it" in finding.why


def test_unreadable_redaction_counts_only_where_the_item_goes(app, world, channels):
    """A members-only item is reported to the members' channels, not the public's."""
    with app.app_context():
        add(TYPO, Confidentiality.MEMBERS)
        add("[Quillfeather]{.private} left.", Confidentiality.CONFIDENTIAL)
        assert not of_rule(run_check(PUBLIC_CHANNEL), "unreadable-redaction")
        (finding,) = of_rule(run_check(MEMBER_CHANNEL), "unreadable-redaction")
        assert finding.match == "{.confidental}"


def test_fixing_the_markup_clears_the_finding(app, world, channels):
    """Once the class is written right, the finding is gone."""
    with app.app_context():
        item = add(TYPO)
        fields = ItemFields(Kind.POINT, TYPO.replace("confidental", "confidential"), "Discussion")
        update_item(item, fields, actor=None)
        db.session.commit()
        assert not of_rule(run_check(PUBLIC_CHANNEL), "unreadable-redaction")


def test_every_kind_of_unreadable_markup_is_reported(app, world, channels):
    """Full-width braces, a class in code, raw HTML and a typo in a section
    heading are each a finding, the heading's at its item, in its heading."""
    with app.app_context():
        add(
            "[Quill]\uff5b.confidential\uff5d here.\n\n`[x]{.members}`\n\n"
            "<span class='members'>y</span>"
        )
        heading = add("Open words.", section="Budget [Northtown] {.members}")
        report = run_check(PUBLIC_CHANNEL)
        findings = of_rule(report, "unreadable-redaction")
        assert {f.match for f in findings} >= {
            "\uff5b.confidential\uff5d",
            "{.members}",
            "<span class='members'>",
        }
        where = f"item {heading.position}"
        assert any(f.where == where and f.parts == (f"{where} section",) for f in findings)
        assert all(f.item_id == heading.id for f in findings if f.where == where)


def test_broken_sentence_is_a_finding_a_facilitator_can_override(app, world, channels):
    """A sentence a cut leaves broken is a finding with what the audience
    will read; a written reason overrides it, and the channel may go out."""
    with app.app_context():
        item = add(BROKEN)
        report = run_check(PUBLIC_CHANNEL)
        (finding,) = of_rule(report, "broken-sentence")
        assert finding.where == f"item {item.position}"
        assert finding.match == "The pilot ran in."
        assert 'alt="…"' in finding.why
        assert not report.ok
        leakcheck.override(
            the_meeting(), PUBLIC_CHANNEL, finding.key, "Reads well enough.", actor=None
        )
        db.session.commit()
        assert run_check(PUBLIC_CHANNEL).ok


def test_alt_mends_a_broken_sentence(app, world, channels):
    """With alt, nothing is cut, and there is no finding."""
    with app.app_context():
        add('The pilot ran in [Northtown]{.confidential alt="a northern town"}.')
        assert not of_rule(run_check(PUBLIC_CHANNEL), "broken-sentence")


def test_broken_only_for_the_audience_that_reads_it(app, world, channels):
    """A members span breaks the public's sentence, not the members'."""
    with app.app_context():
        add("The pilot ran in [Northtown]{.members}.")
        assert of_rule(run_check(PUBLIC_CHANNEL), "broken-sentence")
        assert not of_rule(run_check(MEMBER_CHANNEL), "broken-sentence")


def test_words_cut_from_a_heading_are_redacted_words(app, world, channels):
    """A span cut from a section heading is found when copied into an output."""
    with app.app_context():
        add("Open words.", section="Budget [Quillfeather]{.confidential}")
        report = run_check(PUBLIC_CHANNEL, "We visited Quillfeather last week.")
        assert [f.match for f in of_rule(report, "redacted")] == ["Quillfeather"]


def test_the_writeup_is_checked_for_its_own_items_and_summary(app, world):
    """The write-up's channel reads the redactions of the items it carries and
    of its summary, not those of the rest of the notes."""
    with app.app_context():
        chosen = add("An open point.")
        add(TYPO)
        meeting = the_meeting()
        save_writeup(
            meeting, "Summary [words]{.secret}.", [chosen.id], actor=None, expected_version=None
        )
        db.session.commit()
        findings = of_rule(leakcheck.check(meeting, WRITEUP), "unreadable-redaction")
        assert [(f.where, f.match) for f in findings] == [("summary", "{.secret}")]
        typo = db.session.scalar(sa.select(Item).where(Item.body == TYPO))
        assert typo is not None
        save_writeup(meeting, "Summary.", [chosen.id, typo.id], actor=None, expected_version=None)
        db.session.commit()
        findings = of_rule(leakcheck.check(meeting, WRITEUP), "unreadable-redaction")
        assert [(f.where, f.match) for f in findings] == [
            (f"item {typo.position}", "{.confidental}")
        ]
