"""The demo's notes: fictional people, their consents at every level, and
notes for two meetings with quotes, confidential items and redacted spans,
so ``make run`` shows every part of the disclosure rule at work.

Everyone here is invented; the notes say DEMO DATA in their first section."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from notesbase.consent import grants
from notesbase.consent.grants import Scope
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import Meeting, Member, Series
from notesbase.notes import items, people

OPEN, MEMBERS, SECRET = Confidentiality.OPEN, Confidentiality.MEMBERS, Confidentiality.CONFIDENTIAL
MEMBER, PUBLIC = ConsentAudience.MEMBER, ConsentAudience.PUBLIC


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    affiliation: str
    descriptor: str
    email: str | None = None
    # The demo account linked to this person ("my attributions").
    account: str | None = None


@dataclass(frozen=True)
class DemoGrant:
    person: str
    audience: ConsentAudience
    level: Level
    # None: everywhere; "series": the demo series; a number: that meeting.
    scope: str | int | None = None
    note: str = "Given in the room (demo)"
    withdrawn: bool = False


@dataclass(frozen=True)
class DemoItem:
    section: str
    kind: Kind
    body: str
    speaker: str | None = None
    confidentiality: Confidentiality = OPEN


PEOPLE = (
    DemoPerson(
        "jane",
        "Jane Doe",
        "Riverside Open Data",
        "a community data organiser",
        "jane.doe@example.org",
    ),
    DemoPerson(
        "sam",
        "Sam Patel",
        "Northshire County Council",
        "a local authority data lead",
        account="member@demo.notesbase.invalid",
    ),
    DemoPerson(
        "ruth",
        "Ruth Okafor",
        "Department for Example",
        "a civil servant working on AI policy",
    ),
    DemoPerson(
        "tom", "Tom Becker", "University of Northshire", "a researcher in participatory methods"
    ),
    DemoPerson("mina", "Mina Haddad", "Civic Tech Example", "a digital inclusion campaigner"),
)

# Every level for each audience, every scope, and one withdrawal in the history.
GRANTS = (
    DemoGrant("jane", MEMBER, Level.NAMED),
    DemoGrant("jane", PUBLIC, Level.AFFILIATION),
    DemoGrant("sam", MEMBER, Level.DESCRIPTOR, "series", note="Set by Sam (demo)"),
    DemoGrant("ruth", MEMBER, Level.AFFILIATION),
    DemoGrant("ruth", PUBLIC, Level.NAMED, withdrawn=True, note="Withdrawn later (demo)"),
    DemoGrant("ruth", PUBLIC, Level.DESCRIPTOR, 8),
    DemoGrant("tom", MEMBER, Level.NAMED),
    DemoGrant("tom", PUBLIC, Level.NAMED),
    DemoGrant("tom", PUBLIC, Level.ANONYMOUS, 9, note="Asked not to be named at this meeting"),
    # Mina gave no consent: anonymous to everyone.
)

WELCOME = "Welcome and round of introductions"
NOTES: dict[int, tuple[DemoItem, ...]] = {
    8: (
        DemoItem(
            WELCOME,
            Kind.POINT,
            "**DEMO DATA**: invented notes, for trying notesbase out. Twelve people joined; "
            "the facilitator reminded everyone that the meeting is held under the Chatham "
            "House Rule.",
        ),
        DemoItem(
            "Community data in practice",
            Kind.QUOTE,
            "“People trust data they helped to collect. Our street surveys had three times "
            "the response of the council's online form.”",
            "jane",
        ),
        DemoItem(
            "Community data in practice",
            Kind.POINT,
            "The street surveys cost less than expected "
            "[(about £4,000, from a grant that has not been announced yet)]{.confidential}, "
            "and the results went back to residents at a public meeting.",
            "jane",
        ),
        DemoItem(
            "Community data in practice",
            Kind.QUESTION,
            "How do you keep volunteers engaged once the first survey is over? "
            "[Sam Patel's team lost half of theirs within a month.]{.members}",
            "mina",
        ),
        DemoItem(
            "Service design in government",
            Kind.QUOTE,
            "“We publish our user research summaries now, and people read them.”",
            "ruth",
        ),
        DemoItem(
            "Service design in government",
            Kind.POINT,
            "The department is consulting on a new data strategy; drafts are "
            "shared with network members only until publication.",
            "ruth",
            MEMBERS,
        ),
        DemoItem(
            "Service design in government",
            Kind.POINT,
            "A named supplier is being replaced after a failed pilot; not to be repeated "
            "outside this room.",
            "ruth",
            SECRET,
        ),
        DemoItem(
            "Discussion",
            Kind.POINT,
            "Several councils want a shared template for publishing engagement results. "
            "As Mina Haddad put it, the template should work on a phone first.",
            "sam",
        ),
        DemoItem(
            "Actions",
            Kind.ACTION,
            "Jane Doe to share the street-survey question set with the network.",
            "jane",
            MEMBERS,
        ),
        DemoItem(
            "Actions",
            Kind.DECISION,
            "The next meeting looks at tech tools for public engagement.",
        ),
    ),
    9: (
        DemoItem(
            WELCOME,
            Kind.POINT,
            "**DEMO DATA**: invented notes, for trying notesbase out.",
        ),
        DemoItem(
            "Tools that helped",
            Kind.QUOTE,
            "“Deliberation platforms work when someone is paid to moderate them.”",
            "tom",
        ),
        DemoItem(
            "Tools that helped",
            Kind.POINT,
            "An open-source survey tool was used by two councils"
            "[, one of which is about to drop it]{.members}.",
            "sam",
        ),
        DemoItem(
            "Tools that helped",
            Kind.RESOURCE,
            "A guide to choosing engagement tools: <https://example.org/engagement-tools>",
            "mina",
        ),
        DemoItem(
            "Tools that helped",
            Kind.POINT,
            "Procurement rules are the main obstacle; one department "
            "[(Department for Example)]{.confidential} is piloting a lighter process.",
            "ruth",
            MEMBERS,
        ),
        DemoItem(
            "Actions",
            Kind.ACTION,
            "Facilitators to collect tool recommendations before meeting 10.",
        ),
    ),
}


def load_demo_notes(series: Series, accounts: dict[str, Member]) -> None:
    """Add the demo people, their consents and the notes of meetings 8 and 9
    of ``series`` (flushed, not committed)."""
    meetings = {m.number: m for m in series.meetings}
    by_key = {}
    for demo in PEOPLE:
        person = people.create_person(
            people.PersonFields(demo.name, demo.affiliation, demo.descriptor, demo.email),
            actor=None,
        )
        if demo.account is not None and demo.account in accounts:
            people.link_member(person, accounts[demo.account], actor=None)
        by_key[demo.key] = person
    for demo_grant in GRANTS:
        scope = _scope(demo_grant.scope, series, meetings)
        consent = grants.grant(
            by_key[demo_grant.person],
            demo_grant.audience,
            demo_grant.level,
            scope,
            actor=None,
            note=demo_grant.note,
        )
        if demo_grant.withdrawn:
            grants.withdraw(consent, actor=None)
    for number, notes in NOTES.items():
        meeting = meetings[number]
        for demo_item in notes:
            speaker = by_key[demo_item.speaker] if demo_item.speaker else None
            items.create_item(
                meeting,
                items.ItemFields(
                    kind=demo_item.kind,
                    body=demo_item.body,
                    section=demo_item.section,
                    speaker_id=speaker.id if speaker is not None else None,
                    confidentiality=demo_item.confidentiality,
                ),
                actor=None,
            )
    _demo_writeup(meetings[9])


WRITEUP_SUMMARY = """Councils and community groups compared the tools they use to run
public engagement, from survey platforms to shared mapping. What made the
difference was less the tool than the people who kept it going."""


def _demo_writeup(meeting: Meeting) -> None:
    """A public write-up of meeting 9 with its open items, published when
    the leak check passes (else left as a draft, whose page says why)."""
    from notesbase.publishing.leakcheck import check as leakcheck
    from notesbase.publishing.writeups import service as writeup_service
    from notesbase.publishing.writeups.public import open_items

    chosen = [item.id for item in open_items(meeting)]
    writeup_service.save_writeup(
        meeting, WRITEUP_SUMMARY, chosen, actor=None, expected_version=None
    )
    with contextlib.suppress(leakcheck.LeakCheckFailed):
        writeup_service.publish_writeup(meeting, actor=None)


def _scope(value: str | int | None, series: Series, meetings: dict[int, Meeting]) -> Scope:
    if value is None:
        return Scope()
    if value == "series":
        return Scope(series=series)
    return Scope(meeting=meetings[int(value)])
