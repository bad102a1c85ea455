"""Readers kept from one check to the next (``leakcheck.kept``) never answer
for notes that have changed: after every kind of change a facilitator or a
speaker can make, the next check finds exactly what a check with nothing
kept finds, and what the change made a leak is found at once."""

from __future__ import annotations

import pytest

from notesbase.db import db
from notesbase.publishing.leakcheck import audience as leak_audience
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.leakcheck import lines as leak_lines
from notesbase.publishing.leakcheck.check import Field
from notesbase.publishing.leakcheck.kept import Kept, digest
from notesbase.publishing.leakcheck.people import PeopleCheck
from tests.publishing.leakcheck.leakcheck_support import (  # noqa: F401 - fixtures
    CHANGES,
    MEMBER_CHANNEL,
    OUTPUT,
    PUBLIC_CHANNEL,
    REGISTER,
    SENT,
    channels_fixture,
    run_check,
    the_meeting,
    withdraw_priya,
    world_fixture,
)


@pytest.fixture(autouse=True)
def nothing_kept() -> None:
    leak_audience.READERS.clear()


def _shape(report: leakcheck.LeakReport) -> list[tuple[str, str, str, str]]:
    return sorted((f.key, f.rule, f.where, f.match) for f in report.findings)


def _both() -> dict[str, list[tuple[str, str, str, str]]]:
    meeting = the_meeting()
    names = [PUBLIC_CHANNEL, MEMBER_CHANNEL]
    return {
        name: _shape(r) for name, r in zip(names, leakcheck.checks(meeting, names), strict=True)
    }


def _fresh() -> dict[str, list[tuple[str, str, str, str]]]:
    kept = dict(leak_audience.READERS._values)
    leak_audience.READERS.clear()
    try:
        return _both()
    finally:
        leak_audience.READERS.clear()
        leak_audience.READERS._values.update(kept)


@pytest.mark.parametrize("change", list(CHANGES))
def test_after_any_change_the_kept_reader_is_not_used(app, world, channels, change):
    with app.app_context():
        OUTPUT[PUBLIC_CHANNEL] = list(SENT)
        OUTPUT[MEMBER_CHANNEL] = list(SENT)
        before = _both()
        assert _both() == before == _fresh()  # kept: the same answer
        readers = len(leak_audience.READERS)
        CHANGES[change](world)
        db.session.commit()
        after = _both()
        assert after == _fresh()
        assert after != before, "the change makes a difference the check must see"
        assert len(leak_audience.READERS) == readers + 2  # a new reader for each audience


def test_what_a_change_makes_a_leak_is_found_at_once(app, world, channels):
    """The attacker's order: check (clean for members), then the speaker
    withdraws consent; the very next check blocks."""
    with app.app_context():
        OUTPUT[MEMBER_CHANNEL] = [Field("body", f"Priya Raman said: {REGISTER}")]
        assert leakcheck.check(the_meeting(), MEMBER_CHANNEL).ok
        assert leakcheck.check(the_meeting(), MEMBER_CHANNEL).ok
        withdraw_priya(world)
        db.session.commit()
        report = leakcheck.check(the_meeting(), MEMBER_CHANNEL)
        assert not report.ok
        assert "Priya Raman" in [finding.match for finding in report.blocking]


def test_the_same_notes_are_read_with_the_same_reader(app, world, channels):
    with app.app_context():
        OUTPUT[MEMBER_CHANNEL] = list(SENT)
        leakcheck.check(the_meeting(), MEMBER_CHANNEL)
        first = list(leak_audience.READERS._values.values())
        db.session.expire_all()  # read from the rows again: equal notes
        leakcheck.check(the_meeting(), MEMBER_CHANNEL)
        assert list(leak_audience.READERS._values.values()) == first
        # ``whole`` is part of what a reader is made from
        leakcheck.check(the_meeting(), MEMBER_CHANNEL, whole=True)
        assert len(leak_audience.READERS) == len(first) + 1


def test_a_reader_that_keeps_reading_new_text_starts_over(app, world, channels, monkeypatch):
    """A kept reader whose outputs keep changing (a draft as it is written)
    forgets what it read, and finds what a new reader finds."""
    monkeypatch.setattr(leak_lines, "FORGET_AFTER", 3)
    with app.app_context():
        for n in range(6):
            text = f"Draft {n}. Priya Raman said it. Alexandra Smythe did not. Alex agreed."
            OUTPUT[PUBLIC_CHANNEL] = [Field("summary", text)]
            kept = _shape(leakcheck.check(the_meeting(), PUBLIC_CHANNEL))
            assert kept == _fresh()[PUBLIC_CHANNEL]
            assert {"Priya Raman", "Alex"} <= {match for *_, match in kept}
        (reader,) = leak_audience.READERS._values.values()
        assert list(reader._fields) == [text]  # started over before each new text


def test_digest_tells_every_field_apart():
    assert digest("a", 1) != digest("a", 2)
    assert digest("ab", "c") != digest("a", "bc")
    assert digest(("x",), True) != digest(("x",), False)


def test_kept_holds_the_last_few():
    made: list[int] = []

    def make(n: int) -> list[int]:
        made.append(n)
        return [n]

    kept: Kept[list[int]] = Kept(size=2)
    assert kept.get(make, 1) == [1] and kept.get(make, 1) == [1]
    kept.get(make, 2)
    kept.get(make, 3)  # 1 is the oldest: dropped
    kept.get(make, 1)
    assert made == [1, 2, 3, 1]
    assert len(kept) == 2


def test_kept_lets_the_oldest_go_over_budget():
    kept: Kept[list[int]] = Kept(size=10, weigh=len, budget=5)
    kept.get(lambda n: [0] * n, 3)
    kept.get(lambda n: [0] * n, 2)
    assert len(kept) == 2  # 5: within the budget
    kept.get(lambda n: [0] * n, 4)  # 9: the oldest two go
    assert len(kept) == 1
    kept.get(lambda n: [0] * n, 7)  # the newest stays, whatever it weighs
    assert len(kept) == 1


def test_who_the_notes_credit_is_read_only_when_a_line_names_three(
    app, world, channels, monkeypatch
):
    """Who the audience's notes credit by name matters only to a line (or
    field) naming three people: a check of outputs that name fewer never
    reads it; one that does reads it once, and counts the credited out."""
    credited: list[set[int]] = []
    credit = PeopleCheck.credit

    def counted(self: PeopleCheck, matches) -> None:  # type: ignore[no-untyped-def]
        credit(self, matches)
        credited.append(set(self.credited))

    monkeypatch.setattr(PeopleCheck, "credit", counted)
    with app.app_context():
        leak_audience.READERS.clear()
        quiet = run_check(MEMBER_CHANNEL, "Alex and Will spoke.", "Open data.")
        assert credited == []
        # Priya is named to members in the notes: two of three are not credited.
        two = run_check(MEMBER_CHANNEL, "Thanks to Alex, Priya and Will for coming.")
        three = run_check(MEMBER_CHANNEL, "Thanks to Alex, Renée and Will for coming.")
    assert [f.match for f in quiet.findings if f.rule == "attendees"] == []
    assert [f.match for f in two.findings if f.rule == "attendees"] == []
    assert [f.match for f in three.findings if f.rule == "attendees"] == ["Alex, Renée and Will"]
    assert credited == [{world["priya"]}]
