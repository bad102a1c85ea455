"""The leak check finds, in the exact text an audience will receive, every
name, part of a name, affiliation, descriptor and email address not released
to it, the words of items and spans it may not see, and lists of who
attended, however they were typed; and it leaves alone what it may see."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Audience
from notesbase.models import AuditEvent, LeakOverride
from notesbase.notes.facts import meeting_view
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.leakcheck.check import (
    Field,
    LeakCheckFailed,
    OverrideRefused,
    UnknownChannel,
)
from tests.publishing.leakcheck.leakcheck_support import (  # noqa: F401 - fixtures
    BUDGET,
    CHARTER,
    MEMBER_CHANNEL,
    MERGER,
    NIGHTINGALE,
    OUTPUT,
    PUBLIC_CHANNEL,
    channels_fixture,
    run_check,
    the_meeting,
    world_fixture,
)

ZW = "\u200b"  # zero-width space
CYRILLIC_A = "\u0410"
CYRILLIC_I = "\u0456"
CYRILLIC_O = "\u043e"
ACME = f"{CYRILLIC_A}cme Analyt{CYRILLIC_I}cs"  # look-alike letters
NORTHWIND = f"N{CYRILLIC_O}rthwind"
SPLIT_HTML = '<p>Ja<em>mes</em> and <a href="/p/alexsmith">a friend</a> Re&shy;n&eacute;e</p>'


def found(report: leakcheck.LeakReport, rule: str) -> list[str]:
    return [finding.match for finding in report.findings if finding.rule == rule]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("Alex Smith", "Alex Smith"),
        ("ALEX SMITH", "ALEX SMITH"),
        ("àlex smíth", "àlex smíth"),
        (f"Al{ZW}ex Smi\u200dth", f"Al{ZW}ex Smi\u200dth"),
        (f"{CYRILLIC_A}lex Smith", f"{CYRILLIC_A}lex Smith"),
        (f"Alex Sm{CYRILLIC_I}th", f"Alex Sm{CYRILLIC_I}th"),
        ("Alex\nSmith", "Alex\nSmith"),
        ("Ａｌｅｘ Ｓｍｉｔｈ", "Ａｌｅｘ Ｓｍｉｔｈ"),
        ("Alex Smith's report", "Alex Smith"),
        ("Smith’s report", "Smith"),
        ("then Alex spoke", "Alex"),
        ("then SMITH spoke", "SMITH"),
        ("Renee Dubois", "Renee Dubois"),
        ("Rene\u0301e DUBOIS", "Rene\u0301e DUBOIS"),
        ("RENÉE", "RENÉE"),
        ("Priya", "Priya"),
        ("Will Bell", "Will Bell"),
        ("and Will said so", "Will"),
    ],
)
def test_names_and_parts_of_names_in_every_form(app, world, channels, text, match):
    """A name or part of one not released to the public is found in any case,
    accented or not, split by invisible characters or a line, in look-alike
    or full-width letters, and before a possessive."""
    with app.app_context():
        report = run_check(PUBLIC_CHANNEL, f"As we heard: {text}.")
    assert match in found(report, "name"), report.findings
    assert not report.ok


@pytest.mark.parametrize(
    ("text", "rule", "match"),
    [
        ("Acme Analytics", "affiliation", "Acme Analytics"),
        ("ACME ANALYTICS's view", "affiliation", "ACME ANALYTICS"),
        (ACME, "affiliation", ACME),
        ("Ministere du Numerique", "affiliation", "Ministere du Numerique"),
        ("a local authority\ndata lead", "descriptor", "a local authority\ndata lead"),
        ("A LOCAL AUTHORITY DATA LEAD", "descriptor", "A LOCAL AUTHORITY DATA LEAD"),
        ("alex@example.org", "email", "alex@example.org"),
        ("ALEX@EXAMPLE.ORG", "email", "ALEX@EXAMPLE.ORG"),
        (f"al{ZW}ex@example.org", "email", f"al{ZW}ex@example.org"),
        (
            "see https://example.net/orgs/acmeanalytics/",
            "affiliation",
            "https://example.net/orgs/acmeanalytics/",
        ),
    ],
)
def test_affiliations_descriptors_and_emails(app, world, channels, text, rule, match):
    """Affiliations, descriptors and email addresses not released to the
    public are found however they are typed, and glued into a link."""
    with app.app_context():
        report = run_check(PUBLIC_CHANNEL, f"Thanks: {text}")
    assert match in found(report, rule), report.findings


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (MERGER, MERGER),
        (MERGER.upper(), MERGER.upper()),
        ("we hear: merger with Northwind Holdings is off", "merger with Northwind Holdings is off"),
        (f"the merger with North{ZW}wind Holdings", f"the merger with North{ZW}wind Holdings"),
        (f"the merger with {NORTHWIND} Holdings", f"the merger with {NORTHWIND} Holdings"),
        ("the merger\nwith Northwind\nHoldings", "the merger\nwith Northwind\nHoldings"),
        ("the merger with Northwind Holdings's board", "the merger with Northwind Holdings's"),
        ("la fusión with Nörthwind Höldings is óff", "with Nörthwind Höldings is óff"),
    ],
)
def test_text_of_a_confidential_item(app, world, channels, text, match):
    """Any run of four or more words of a confidential item is found, however
    it was typed; for members as for the public."""
    with app.app_context():
        for channel in (PUBLIC_CHANNEL, MEMBER_CHANNEL):
            report = run_check(channel, f"In short: {text}.")
            assert match in found(report, "confidential"), (channel, report.findings)


@pytest.mark.parametrize(
    "text",
    [
        NIGHTINGALE,
        NIGHTINGALE.upper(),
        f"Project Nighti{ZW}ngale",
        f"Pr{CYRILLIC_O}ject Nightingale",
        "project\nnightingale",
        "Project Nightingale's",
    ],
)
def test_a_short_redacted_span_copied_whole(app, world, channels, text):
    """A short but distinctive redacted span is found as a whole, by members
    and the public alike (it is confidential)."""
    with app.app_context():
        for channel in (PUBLIC_CHANNEL, MEMBER_CHANNEL):
            report = run_check(channel, f"Next: {text} begins.")
            matches = found(report, "redacted")
            assert matches and matches[0].replace("'s", "") in text, (channel, report.findings)


def test_what_is_hidden_from_the_public_only(app, world, channels):
    """A members-only item and a members span are findings for the public
    write-up and not for the members' notes."""
    budget = " ".join(BUDGET.split()[:6])
    charter = "the council draft charter on data sharing"
    assert charter == CHARTER
    with app.app_context():
        public = run_check(PUBLIC_CHANNEL, f"{budget}. They shared {charter}.")
        member = run_check(MEMBER_CHANNEL, f"{budget}. They shared {charter}.")
    assert budget in found(public, "confidential")
    assert charter in found(public, "redacted")
    assert member.findings == ()


def test_common_phrases_are_not_findings(app, world, channels):
    """Short common phrases, and words also in what the audience reads, are
    not findings even where a confidential item has them too."""
    text = (
        "We should publish the register. At the end of the day, the merger is a question "
        "for later; it starts in the spring, until September."
    )
    with app.app_context():
        report = run_check(PUBLIC_CHANNEL, text)
    assert report.findings == ()


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBER])
def test_disclose_own_output_is_clean(app, world, channels, audience):
    """The audience's own view of the notes (bodies, headings and credits)
    passes the check: only what ``disclose`` withholds is a finding."""
    channel = PUBLIC_CHANNEL if audience is Audience.PUBLIC else MEMBER_CHANNEL
    with app.app_context():
        view = meeting_view(the_meeting(), audience)
        fields = [
            text
            for item in view.items
            for text in (item.section, item.body_text, item.body_html, item.attribution or "")
        ]
        report = run_check(channel, *fields, where="item")
    assert report.findings == ()
    assert report.ok


def test_released_names_are_not_findings_for_that_audience(app, world, channels):
    """Priya is named to members: her name, its parts and her affiliation
    are fine in the members' notes and findings in the public write-up.
    Renée released only her affiliation to members: her name still counts."""
    text = "Priya Raman (Open Data Leeds) agreed; Priya and Raman later. Ministère du Numérique."
    with app.app_context():
        member = run_check(MEMBER_CHANNEL, text)
        public = run_check(PUBLIC_CHANNEL, text)
        renee = run_check(MEMBER_CHANNEL, "Renée from Ministère du Numérique")
    assert member.findings == ()
    assert {"Priya Raman", "Priya", "Raman"} <= set(found(public, "name"))
    assert {"Open Data Leeds", "Ministère du Numérique"} <= set(found(public, "affiliation"))
    assert found(renee, "name") == ["Renée"]
    assert found(renee, "affiliation") == []


def test_everyday_words_in_names_count_only_as_names(app, world, channels):
    """Will Bell's first name and surname are everyday words: "will" and
    "bell" in running text are not findings, "Will" and "Bell" are."""
    with app.app_context():
        plain = run_check(PUBLIC_CHANNEL, "We will ring the bell when it is ready.")
        named = run_check(PUBLIC_CHANNEL, "Then Bell answered.")
    assert plain.findings == ()
    assert found(named, "name") == ["Bell"]


@pytest.mark.parametrize(
    "text",
    [
        "Attendees: Priya Raman, Bob Jones",
        "## Who was there\n\n- Bob Jones\n- Carol King",
        "PRESENT — Priya Raman",
        "Participants:\nPriya Raman\nDan Brown",
        "Thanks to Alex, Renée and Will for coming.",
    ],
)
def test_lists_of_attendees(app, world, channels, text):
    """A heading like "Attendees:" followed by names, or three people not
    credited in the notes named in one line, is a list of who attended:
    a finding even for members, even when each name is released."""
    with app.app_context():
        report = run_check(MEMBER_CHANNEL, f"Notes of the day.\n\n{text}\n\nMore later.")
    assert found(report, "attendees"), report.findings


def test_an_attendee_list_finding_shows_the_list(app, world, channels):
    """The finding's match is the list itself, not the whole line, and a
    heading in the middle of flattened text counts too."""
    with app.app_context():
        line = run_check(MEMBER_CHANNEL, "Thanks to Alex, Renée and Will for coming today.")
        flat = run_check(
            MEMBER_CHANNEL, "Welcome. Attendees: Bob Jones, Carol King. Then we began."
        )
    assert found(line, "attendees") == ["Alex, Renée and Will"]
    assert found(flat, "attendees") == ["Attendees: Bob Jones, Carol King. Then we began."]


@pytest.mark.parametrize(
    "text",
    [
        "We will present: the strategy for next year.",
        "Priya Raman said the data is ready.",
        "Attendees: about forty, more than last time.",
    ],
)
def test_not_lists_of_attendees(app, world, channels, text):
    """A word like "present" in prose, one credited person, or a count is
    not a list of attendees."""
    with app.app_context():
        report = run_check(MEMBER_CHANNEL, text)
    assert found(report, "attendees") == []


def test_findings_in_html_and_markdown(app, world, channels):
    """HTML is read as its words and attributes, Markdown without emphasis
    marks: a name split by tags or marks is still found."""
    with app.app_context():
        html = run_check(PUBLIC_CHANNEL, SPLIT_HTML)
        markdown = run_check(PUBLIC_CHANNEL, "Thanks to **Pri**ya for this.")
    assert found(html, "name") == ["Re\xadnée", "/p/alexsmith"]
    assert "Priya" in found(markdown, "name")


def test_finding_shape_keys_and_order(app, world, channels):
    """A finding says where, which rule, what was found and why in plain
    words; its key is 64 hex characters, stable, and differs by place;
    findings are in order of place ("item 2" before "item 10")."""
    with app.app_context():
        OUTPUT[PUBLIC_CHANNEL] = [
            Field("item 10", "Alex Smith agreed."),
            Field("item 2", "Alex Smith agreed."),
            Field("title", "Open data"),
        ]
        first = leakcheck.check(the_meeting(), PUBLIC_CHANNEL)
        again = leakcheck.check(the_meeting(), PUBLIC_CHANNEL)
    assert [f.where for f in first.findings] == ["item 2", "item 10"]
    finding = first.findings[0]
    assert (finding.rule, finding.match) == ("name", "Alex Smith")
    assert finding.why == "Alex Smith has not agreed to be named to the public."
    assert re.fullmatch(r"[0-9a-f]{64}", finding.key)
    assert [f.key for f in first.findings] == [f.key for f in again.findings]
    assert first.findings[0].key != first.findings[1].key
    assert (first.channel, first.audience, first.ok) == (PUBLIC_CHANNEL, Audience.PUBLIC, False)


def test_require_clean_and_unknown_channels(app, world, channels):
    """require_clean raises with the report while a finding stands; an
    unknown channel is an error naming the known ones."""
    with app.app_context():
        run_check(PUBLIC_CHANNEL, "Nothing to see.")
        assert leakcheck.require_clean(the_meeting(), PUBLIC_CHANNEL).ok
        OUTPUT[PUBLIC_CHANNEL] = [Field("body", "Alex")]
        with pytest.raises(LeakCheckFailed) as failed:
            leakcheck.require_clean(the_meeting(), PUBLIC_CHANNEL)
        assert [f.match for f in failed.value.report.blocking] == ["Alex"]
        with pytest.raises(UnknownChannel, match="leaktest-public"):
            leakcheck.check(the_meeting(), "no-such-channel")


def test_channel_names_fit_the_override_table():
    """A channel name is short and plain, so its overrides can be stored."""
    with pytest.raises(ValueError, match="channel name"):
        leakcheck.register_channel("x" * 21, Audience.PUBLIC, lambda meeting: [])
    assert "x" * 21 not in leakcheck.CHANNELS


# Overrides ------------------------------------------------------------------


def test_override_needs_a_reason_and_a_current_finding(app, world, channels):
    """A blank or over-long reason, a key that is not a current finding, or
    an unknown channel is refused, and nothing is written."""
    with app.app_context():
        report = run_check(PUBLIC_CHANNEL, "Alex agreed.")
        key = report.findings[0].key
        meeting = the_meeting()
        for reason, field in (("", "reason"), ("  \n ", "reason"), ("x" * 2001, "reason")):
            with pytest.raises(OverrideRefused) as refused:
                leakcheck.override(meeting, PUBLIC_CHANNEL, key, reason, actor=None)
            assert refused.value.field == field
        with pytest.raises(OverrideRefused) as refused:
            leakcheck.override(meeting, PUBLIC_CHANNEL, "0" * 64, "fine", actor=None)
        assert refused.value.field == "finding_key"
        with pytest.raises(UnknownChannel):
            leakcheck.override(meeting, "no-such-channel", key, "fine", actor=None)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LeakOverride)) == 0


def test_override_unblocks_only_that_finding_and_is_audited(app, world, channels):
    """An override marks one finding, on one channel; the audit event names
    the channel and key and never the reason or the text found."""
    reason = "Alex is the name of the venue's cat, not a person here"
    with app.app_context():
        report = run_check(PUBLIC_CHANNEL, "Alex agreed; Acme Analytics too.")
        alex = next(f for f in report.findings if f.match == "Alex")
        row = leakcheck.override(the_meeting(), PUBLIC_CHANNEL, alex.key, reason, actor=None)
        db.session.commit()
        assert (row.reason, row.channel, row.finding_key) == (reason, PUBLIC_CHANNEL, alex.key)

        after = leakcheck.check(the_meeting(), PUBLIC_CHANNEL)
        marked = {f.match: f.override for f in after.findings}
        assert marked["Alex"] is not None and marked["Alex"].id == row.id
        assert marked["Acme Analytics"] is None
        assert not after.ok and [f.match for f in after.blocking] == ["Acme Analytics"]

        other = run_check(MEMBER_CHANNEL, "Alex agreed.")
        assert other.findings[0].override is None  # another channel asks again

        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "leakcheck.override")
        )
        assert event is not None and event.meeting_id == the_meeting().id
        assert event.details == {"channel": PUBLIC_CHANNEL, "key": alex.key, "rule": "name"}
        assert "cat" not in str(event.details) and "Alex" not in str(event.details)

        with pytest.raises(OverrideRefused):
            leakcheck.override(the_meeting(), PUBLIC_CHANNEL, alex.key, "again", actor=None)

        acme = after.blocking[0]
        leakcheck.override(the_meeting(), PUBLIC_CHANNEL, acme.key, "Public partner", actor=None)
        db.session.commit()
        assert leakcheck.require_clean(the_meeting(), PUBLIC_CHANNEL).ok


def test_a_changed_text_is_a_new_finding(app, world, channels):
    """The override holds for the same rule, words and place at the same
    text; another text of that part, other words or another place is a new
    finding that stands until overridden itself."""
    with app.app_context():
        report = run_check(PUBLIC_CHANNEL, "Alex agreed.")
        leakcheck.override(the_meeting(), PUBLIC_CHANNEL, report.findings[0].key, "ok", actor=None)
        db.session.commit()
        assert run_check(PUBLIC_CHANNEL, "Alex agreed.").ok  # the very text decided on
        assert not run_check(PUBLIC_CHANNEL, "ALEX agreed, again.").ok  # the part changed
        assert not run_check(PUBLIC_CHANNEL, "Smith agreed.").ok
        assert not run_check(PUBLIC_CHANNEL, "Alex agreed.", where="summary").ok


# Places -----------------------------------------------------------------------


def add_item(body: str, section: str = "Discussion") -> int:
    """A new open item of the meeting (no speaker); its id."""
    from notesbase.disclosure import Kind
    from notesbase.notes.items import ItemFields, create_item

    item = create_item(the_meeting(), ItemFields(Kind.POINT, body, section), actor=None)
    db.session.commit()
    return item.id


def message(*bodies: str) -> list[Field]:
    """A whole message carrying ``bodies``: as plain text and as HTML."""
    plain = "Notes of meeting 1\n\n" + "\n\n".join(f"* {body}" for body in bodies)
    html = "<h1>Notes of meeting 1</h1>" + "".join(f"<li><p>{body}</p></li>" for body in bodies)
    return [Field("plain text", plain), Field("HTML", html)]


def test_one_finding_per_place_whatever_carries_it(app, world, channels):
    """A first name in one item, carried by the plain text and the HTML of a
    message, is one finding at that item naming both parts; the same name
    in another item is another place."""
    with app.app_context():
        first = add_item("Alex was right about the register.")
        second = add_item("Later, Alex agreed.")
        OUTPUT[MEMBER_CHANNEL] = message(
            "Alex was right about the register.", "Later, Alex agreed."
        )
        report = leakcheck.check(the_meeting(), MEMBER_CHANNEL)
    alex = [f for f in report.findings if f.match == "Alex"]
    assert [(f.where, f.item_id, f.parts) for f in alex] == [
        ("item 6", first, ("plain text", "HTML")),
        ("item 7", second, ("plain text", "HTML")),
    ]
    assert alex[0].located == "item 6 (plain text, HTML)"
    assert alex[0].people == (world["alex"],)


def test_a_part_naming_its_place_and_a_hit_no_place_gives(app, world, channels):
    """A part made from one place (``Field.place``) is put there even when an
    item says the same; a hit no place gives stays at its part."""
    with app.app_context():
        add_item("Alex was right.")
        OUTPUT[MEMBER_CHANNEL] = [
            Field("subject", "Notes: Alex", "meeting"),
            Field("footer", "Sent to alex@example.org"),
        ]
        report = leakcheck.check(the_meeting(), MEMBER_CHANNEL)
    assert {(f.where, f.parts) for f in report.findings} == {
        ("the meeting's details", ("subject",)),
        ("footer", ("footer",)),
    }
    assert [f.located for f in report.findings if f.where == "footer"] == ["footer"]


def test_an_override_holds_at_its_place_only_and_follows_the_item(app, world, channels):
    """An override at one item leaves the same words at another item
    standing, and still holds once the notes are reordered."""
    from notesbase.models import Item
    from notesbase.notes.items import reorder

    with app.app_context():
        add_item("Alex was right.")
        add_item("Alex agreed.")
        OUTPUT[MEMBER_CHANNEL] = message("Alex was right.", "Alex agreed.")
        report = leakcheck.check(the_meeting(), MEMBER_CHANNEL)
        first = next(f for f in report.findings if f.where == "item 6")
        leakcheck.override(the_meeting(), MEMBER_CHANNEL, first.key, "Our host", actor=None)
        db.session.commit()
        after = leakcheck.check(the_meeting(), MEMBER_CHANNEL)
        assert [f.where for f in after.blocking] == ["item 7"]
        ids = list(db.session.scalars(sa.select(Item.id).order_by(Item.position)))
        reorder(the_meeting(), [ids[-2], *ids[:-2], ids[-1]], actor=None)
        db.session.commit()
        moved = leakcheck.check(the_meeting(), MEMBER_CHANNEL)
    assert {f.where: f.override is not None for f in moved.findings if f.match == "Alex"} == {
        "item 1": True,
        "item 7": False,
    }


def test_overrides_of_earlier_key_shapes_are_asked_again(app, world, channels):
    """Overrides stored under the earlier key shapes (rule, words and a part
    of the output; rule, words and an item's id without its version) cover
    nothing now: they fail closed and the finding is asked again."""
    import hashlib

    from notesbase.publishing.leakcheck.keys import match_key

    def old_key(rule: str, match: str, where: str) -> str:
        text = f"{rule}\x1f{match_key(match)}\x1f{where}"
        return hashlib.sha256(text.encode()).hexdigest()[:64]

    with app.app_context():
        item_id = add_item("Alex was right.")
        OUTPUT[MEMBER_CHANNEL] = message("Alex was right.")
        meeting = the_meeting()
        for where in ("plain text", "HTML", f"item #{item_id}", "item 6"):
            db.session.add(
                LeakOverride(
                    meeting_id=meeting.id,
                    channel=MEMBER_CHANNEL,
                    finding_key=old_key("name", "Alex", where),
                    reason="ok",
                )
            )
        db.session.commit()
        blocking = leakcheck.check(meeting, MEMBER_CHANNEL).blocking
    assert [(f.where, f.match) for f in blocking] == [("item 6", "Alex")]
