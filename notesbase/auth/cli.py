"""``notesbase user ...``: add, list, deactivate and invite member accounts.

Bad input is a non-zero exit with a clear message, and nothing is written."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notesbase import audit
from notesbase.auth import invites, service
from notesbase.command_group import CommandGroup
from notesbase.db import db
from notesbase.models import Member, Role
from notesbase.site import ConfigError, known_base_url, parse_base_url, url_for_site

user_cli = CommandGroup("user", help="Manage member accounts.")

ROLE_CHOICE = click.Choice([role.value for role in Role])


def _fail(error: service.AccountError) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(error.message)


def _read_password() -> str:
    """One line from standard input, without its line ending (spaces are kept)."""
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise click.ClickException("No password on standard input: send it as one line.")
    return password


@user_cli.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Display name other members see.")
@click.option("--role", type=ROLE_CHOICE, default=Role.MEMBER.value, show_default=True)
@click.option("--series", "series_slugs", multiple=True, metavar="SLUG", help="Repeatable.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (one line), never from the command line.",
)
def add_user(
    email: str, name: str, role: str, series_slugs: tuple[str, ...], password_stdin: bool
) -> None:
    """Create an active account for EMAIL."""
    if not password_stdin:
        raise click.UsageError(
            "Pass --password-stdin and send the password on standard input, "
            "or use `notesbase user invite` to let them choose it."
        )
    password = _read_password()
    try:
        series = service.series_by_slugs(series_slugs)
        member = service.create_member(
            email=email, display_name=name, password=password, role=role, series=series
        )
    except service.AccountError as error:
        raise _fail(error) from None
    db.session.flush()
    audit.record(
        "account.create",
        "member",
        member.id,
        actor=None,
        via="command line",
        role=member.role.value,
        series=[s.slug for s in series],
    )
    db.session.commit()
    in_series = ", ".join(s.slug for s in series) or "no series"
    click.echo(f"Added {member.email} as {member.role.value} ({in_series}).")


@user_cli.command("list")
def list_users() -> None:
    """List every account: email, name, role, status, series, last login."""
    members = db.session.scalars(
        sa.select(Member).options(selectinload(Member.series)).order_by(Member.email)
    ).all()
    if not members:
        click.echo("No accounts yet.")
        return
    rows = [("EMAIL", "NAME", "ROLE", "STATUS", "SERIES", "LAST LOGIN")]
    for m in members:
        rows.append(
            (
                m.email,
                m.display_name,
                m.role.value,
                "active" if m.active else "deactivated",
                ",".join(s.slug for s in m.series) or "-",
                f"{m.last_login_at:%Y-%m-%d %H:%M} UTC" if m.last_login_at else "never",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@user_cli.command("deactivate")
@click.argument("email")
def deactivate_user(email: str) -> None:
    """Stop EMAIL logging in and end every login session they have."""
    member = service.find_member_by_email(email)
    if member is None:
        raise click.ClickException(f"No account for {service.normalise_email(email)}.")
    was_active = member.active
    ended = service.deactivate(member)
    db.session.commit()
    if was_active:
        click.echo(f"Deactivated {member.email}; ended {ended} login session(s).")
    else:
        click.echo(f"{member.email} was already deactivated; ended {ended} login session(s).")


def _link_builder(base_url: str | None) -> Callable[[str], str]:
    """A function token → absolute invitation link, or a clear error when the
    site's address is unknown (checked before anything is written)."""
    try:
        base = parse_base_url(base_url, "--base-url") or known_base_url()
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--base-url") from None
    if base is None:
        raise click.UsageError(
            "notesbase does not know its own address: pass --base-url https://notes.example.org "
            "(or set BASE_URL in instance/config.py, or NOTESBASE_BASE_URL)."
        )
    return lambda token: url_for_site("auth.accept_invite", base=base, token=token)


@user_cli.command("invite")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICE, default=Role.MEMBER.value, show_default=True)
@click.option("--series", "series_slugs", multiple=True, metavar="SLUG", help="Repeatable.")
@click.option(
    "--base-url",
    envvar="NOTESBASE_BASE_URL",
    metavar="URL",
    help="The site's public address, used to build the link (env: NOTESBASE_BASE_URL).",
)
def invite_user(email: str, role: str, series_slugs: tuple[str, ...], base_url: str | None) -> None:
    """Create a single-use invitation for EMAIL and print its link."""
    build_link = _link_builder(base_url)
    try:
        series = service.series_by_slugs(series_slugs)
        invite, token, withdrawn = invites.create_invite(email=email, role=role, series=series)
    except service.AccountError as error:
        raise _fail(error) from None
    link = build_link(token)
    db.session.commit()
    if withdrawn:
        click.echo(f"The earlier pending invitation to {invite.email} was withdrawn.", err=True)
    click.echo(
        f"Invitation for {invite.email} ({invite.role.value}), valid until "
        f"{invite.expires_at:%Y-%m-%d %H:%M} UTC. Send them this link; it is shown only once:",
        err=True,
    )
    click.echo(link)
