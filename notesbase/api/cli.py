"""``notesbase token create|list|revoke``: API tokens from the command line.
The token is printed once; only its hash is kept."""

from __future__ import annotations

import click
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.command_group import CommandGroup
from notesbase.db import db
from notesbase.models import ApiToken, Member

token_cli = CommandGroup("token", help="Manage API tokens.")


def _member(email: str) -> Member:
    member = db.session.scalar(sa.select(Member).where(Member.email == email.strip().lower()))
    if member is None:
        raise click.ClickException(f"No account has the email {email.strip()!r}.")
    return member


@token_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="What the token is for, e.g. 'website sync'.")
def create(email: str, name: str) -> None:
    """Make a token acting as EMAIL and print it (it is shown only this once)."""
    member = _member(email)
    try:
        _row, token = tokens.create_token(member, name, actor=None)
    except tokens.TokenError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(token)


@token_cli.command("list")
@click.argument("email")
def list_tokens(email: str) -> None:
    """List EMAIL's tokens: id, name, created, last used, revoked."""
    rows = tokens.list_tokens(_member(email))
    if not rows:
        click.echo("No tokens.")
        return
    for row in rows:
        used = row.last_used_at.strftime("%Y-%m-%d %H:%M") if row.last_used_at else "never"
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        created = f"{row.created_at:%Y-%m-%d}"
        click.echo(f"{row.id}\t{row.name or '-'}\tcreated {created}\tused {used}\t{state}")


@token_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke the token with id TOKEN_ID (see `token list`)."""
    row = db.session.get(ApiToken, token_id)
    if row is None:
        raise click.ClickException(f"There is no token {token_id}.")
    if not tokens.revoke_token(row, actor=None):
        click.echo(f"Token {token_id} was already revoked.")
        return
    db.session.commit()
    click.echo(f"Revoked token {token_id}.")
