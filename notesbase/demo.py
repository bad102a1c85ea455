"""``notesbase demo``: a demo series modelled on a real public event page (the
network's tenth Community of Practice meeting) and demo accounts to try it with.

The demo is defined as data just below, so later work can extend it. Everything
it creates says DEMO DATA; the accounts use the reserved ``.invalid`` domain."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from notesbase import private_files
from notesbase.auth.passwords import hash_password
from notesbase.db import db
from notesbase.demo_notes import load_demo_notes
from notesbase.meetings import service
from notesbase.models import MeetingFormat, MeetingStatus, Member, Role, Series, utcnow


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: Role
    # Member of the demo series (reads its circulated notes).
    in_series: bool = True


@dataclass(frozen=True)
class DemoMeeting:
    number: int
    date: date
    title: str
    theme: str
    topics: tuple[str, ...] = ()
    speakers: str = ""
    registration_url: str | None = None
    description: str = ""
    start_time: time = time(14, 0)
    timezone: str = "Europe/London"
    format: MeetingFormat = MeetingFormat.ONLINE
    chatham_house: bool = True


@dataclass(frozen=True)
class DemoSeries:
    slug: str
    title: str
    description: str
    meetings: tuple[DemoMeeting, ...] = field(default_factory=tuple)


DEMO_LABEL = "DEMO DATA"
ACCOUNTS_FILE = "demo-accounts.txt"
SOURCE = "modelled on a real public event page"
COMMON_TOPICS = ("Public sector", "People and Participation")

DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.notesbase.invalid", "Demo Admin (demo account)", Role.ADMIN, False),
    DemoAccount(
        "facilitator@demo.notesbase.invalid", "Demo Facilitator (demo account)", Role.FACILITATOR
    ),
    DemoAccount("member@demo.notesbase.invalid", "Demo Member (demo account)", Role.MEMBER),
)


def _about(summary: str) -> str:
    return f"**{DEMO_LABEL}**, {SOURCE}.\n\n{summary}"


TENTH_MEETING = _about(
    "The tenth meeting of a community of practice that brings together people across the "
    "public sector working on (or interested in) engaging the public on data and AI, with "
    "those in civil society, the private sector and academia working in the field. It is a "
    "safe space to hear about what others are doing and work through common challenges.\n\n"
    "The network meets on a Chatham House basis (nothing attributed unless you want it to "
    "be, anything confidential excluded altogether), with notes circulated within the "
    "network.\n\nSpeakers and the theme are TBC."
)

DEMO_SERIES = DemoSeries(
    slug="demo-community-of-practice",
    title="Data and AI public engagement: Community of Practice",
    description=(
        f"**{DEMO_LABEL}**: this series is {SOURCE}, loaded by `notesbase demo` so you can "
        "try notesbase out. A community of practice for people engaging the public on data "
        "and AI, meeting online under the Chatham House Rule.\n\n"
        "Nothing here is a record of a real meeting."
    ),
    meetings=(
        DemoMeeting(
            1,
            date(2024, 7, 18),
            "Practitioners engaging the public",
            "Presentations from practitioners engaging the public",
            ("Public engagement practice",),
            description=_about("Presentations from practitioners engaging the public."),
        ),
        DemoMeeting(
            2,
            date(2024, 10, 3),
            "More from practitioners engaging the public",
            "Presentations from practitioners engaging the public",
            ("Public engagement practice",),
            description=_about("More presentations from practitioners engaging the public."),
        ),
        DemoMeeting(
            3,
            date(2024, 12, 11),
            "Workshop: what do practitioners need?",
            "What do public engagement practitioners need to succeed?",
            ("Public engagement practice", "Skills and capacity"),
            description=_about(
                "An online workshop around the question: what do public engagement "
                "practitioners need to succeed?"
            ),
        ),
        DemoMeeting(
            4,
            date(2025, 1, 15),
            "Engaging different communities",
            "How to engage different communities, including historically excluded ones",
            ("Inclusion and equity",),
            description=_about(
                "Presentations on how to engage different communities, including "
                "historically excluded ones."
            ),
        ),
        DemoMeeting(
            5,
            date(2025, 2, 12),
            "Methods for involving the public",
            "Different methods for involving the public",
            ("Participatory methods",),
            description=_about("Presentations on different methods for involving the public."),
        ),
        DemoMeeting(
            6,
            date(2025, 3, 12),
            "What's next for public involvement?",
            "What's next for public involvement on data and AI",
            ("AI policy", "Data governance"),
            description=_about("What's next for public involvement on data and AI?"),
        ),
        DemoMeeting(
            7,
            date(2025, 4, 9),
            "Public Voices in AI",
            "Outputs from a recent Public Voices in AI programme",
            ("AI policy", "Research and evidence"),
            description=_about("Outputs from a recent Public Voices in AI programme."),
        ),
        DemoMeeting(
            8,
            date(2025, 5, 14),
            "Open Data Manchester and the Government Digital Service",
            "Inputs from Open Data Manchester and the Government Digital Service",
            ("Open data", "Digital government"),
            description=_about(
                "Inputs from Open Data Manchester and the Government Digital Service."
            ),
        ),
        DemoMeeting(
            9,
            date(2025, 6, 18),
            "Tech tools for public engagement",
            "Using tech tools to support public engagement",
            ("Digital tools",),
            description=_about("Using tech tools to support public engagement."),
        ),
        DemoMeeting(
            10,
            date(2025, 7, 9),
            "Tenth meeting",
            "TBC",
            (),
            speakers="TBC",
            registration_url="https://us06web.zoom.us/meeting/register/z5wEhZRTSiuF1UgPB1AnbA",
            description=TENTH_MEETING,
        ),
    ),
)

# Unambiguous characters (no 0/o, 1/l/i) for passwords read off a terminal.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet


def new_password() -> str:
    """A random password like 'k3x9p-2mqtz-b7nex-x2hpa' (about 99 bits)."""
    groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(5)) for _ in range(4))
    return "-".join(groups)


def database_counts() -> tuple[int, int]:
    """(series, members) stored; a clear error when the schema is missing."""
    try:
        series = db.session.scalar(sa.select(sa.func.count()).select_from(Series)) or 0
        members = db.session.scalar(sa.select(sa.func.count()).select_from(Member)) or 0
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
        db.session.rollback()
        raise click.ClickException(
            "The database has no tables yet: run `notesbase db upgrade` first."
        ) from error
    return series, members


def load_demo(now: datetime) -> list[tuple[DemoAccount, str]]:
    """Add the demo series, meetings, accounts and notes (flushed, not
    committed). Meetings dated before ``now``'s day are held, the rest
    upcoming (the status rule: ``timeline.settled_status``)."""
    demo = DEMO_SERIES
    series = service.create_series(
        service.SeriesFields(slug=demo.slug, title=demo.title, description=demo.description)
    )
    for m in demo.meetings:
        meeting = service.create_meeting(
            series,
            service.MeetingFields(
                number=m.number,
                title=m.title,
                date=m.date,
                start_time=m.start_time,
                timezone=m.timezone,
                format=m.format,
                status=MeetingStatus.UPCOMING,
                theme=m.theme,
                topics=(*COMMON_TOPICS, *m.topics),
                speakers=m.speakers,
                registration_url=m.registration_url,
                description=m.description,
                chatham_house=m.chatham_house,
            ),
            now=now,
        )
        meeting.source_ref = f"demo:{demo.slug}:{m.number}"
    accounts = []
    members = {}
    for account in DEMO_ACCOUNTS:
        password = new_password()
        member = Member(
            email=account.email,
            display_name=account.display_name,
            password_hash=hash_password(password),
            role=account.role,
            series=[series] if account.in_series else [],
        )
        db.session.add(member)
        members[account.email] = member
        accounts.append((account, password))
    db.session.flush()
    db.session.refresh(series, ["meetings"])
    load_demo_notes(series, members)
    return accounts


def accounts_text(accounts: list[tuple[DemoAccount, str]]) -> str:
    width = max(len(a.email) for a, _ in accounts)
    lines = [
        f"notesbase demo accounts ({DEMO_LABEL}: for trying notesbase out, never for real use).",
        "Log in at /login with one of these:",
        "",
        f"  {'role':<12} {'email':<{width}}  password",
    ]
    lines += [f"  {a.role.value:<12} {a.email:<{width}}  {pw}" for a, pw in accounts]
    return "\n".join(lines) + "\n"


def accounts_path() -> Path:
    return Path(current_app.instance_path) / ACCOUNTS_FILE


def _write_private(directory: Path, text: str) -> Path:
    """A new owner-only file beside the accounts file, to be renamed into place."""
    directory.mkdir(parents=True, exist_ok=True)
    return private_files.write_new(directory / f".{ACCOUNTS_FILE}.{secrets.token_hex(6)}", text)


def _demo_loaded() -> bool:
    return (
        db.session.scalar(sa.select(Series.id).where(Series.slug == DEMO_SERIES.slug)) is not None
    )


def _report_existing(series: int, members: int) -> None:
    """For ``--if-empty`` on a database that has data: show the demo accounts."""
    path = accounts_path()
    if _demo_loaded() and path.is_file():
        click.echo("Demo data is already loaded.")
        click.echo(path.read_text(encoding="utf-8"), nl=False)
    elif _demo_loaded():
        click.echo(f"Demo data is already loaded, but {path} is missing: its passwords are lost.")
    else:
        click.echo(
            f"The database already has data ({series} series, {members} members): "
            "no demo data loaded."
        )


@click.command("demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load only into an empty database; otherwise print the demo accounts and exit.",
)
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo series and demo accounts into an empty database, and print
    the accounts with their passwords (kept in instance/demo-accounts.txt)."""
    series, members = database_counts()
    if series or members:
        if if_empty:
            _report_existing(series, members)
            return
        raise click.ClickException(
            f"The database already has data ({series} series, {members} members); "
            "`notesbase demo` loads only into an empty database. "
            "Use `notesbase demo --if-empty` to print the demo accounts instead."
        )
    try:
        accounts = load_demo(utcnow())
    except (service.Conflict, sa.exc.IntegrityError) as error:
        # Another process loaded data between our check and our write.
        db.session.rollback()
        if if_empty:
            _report_existing(*database_counts())
            return
        raise click.ClickException(
            "The database gained data while loading; nothing loaded."
        ) from error
    text = accounts_text(accounts)
    target = accounts_path()
    staged = _write_private(target.parent, text)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        staged.unlink(missing_ok=True)
        raise
    os.replace(staged, target)  # a stale file from an earlier database is replaced
    meetings = len(DEMO_SERIES.meetings)
    click.echo(f"Loaded {DEMO_LABEL}: '{DEMO_SERIES.title}' with {meetings} meetings.")
    click.echo(f"Accounts saved to {target} (readable only by you).")
    click.echo(text, nl=False)
