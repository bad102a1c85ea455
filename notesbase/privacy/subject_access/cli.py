"""``notesbase subject-access PERSON --out FILE.zip``: a person's archive
from the command line (PERSON: their id or email address), audited as the
command line. Refuses to overwrite a file."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from notesbase.db import db
from notesbase.models import Member, Person
from notesbase.privacy.subject_access.service import COMMAND, produce


def find_person(wanted: str) -> Person:
    """The person with this id, or whose email (or linked account's) this is."""
    wanted = wanted.strip()
    if wanted.isdigit():
        person = db.session.get(Person, int(wanted))
        if person is None:
            raise click.ClickException(f"There is no person {wanted}.")
        return person
    if "@" not in wanted:
        raise click.ClickException(f"{wanted!r} is neither a person's id nor an email address.")
    email = wanted.lower()
    found = list(db.session.scalars(sa.select(Person).where(sa.func.lower(Person.email) == email)))
    if not found:
        found = list(
            db.session.scalars(
                sa.select(Person)
                .join(Member, Person.member_id == Member.id)
                .where(Member.email == email)
            )
        )
    if not found:
        raise click.ClickException(f"No person has the email address {wanted}.")
    if len(found) > 1:
        ids = ", ".join(str(p.id) for p in found)
        raise click.ClickException(f"Several people have {wanted} (ids {ids}): give an id.")
    return found[0]


@click.command("subject-access")
@click.argument("person")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The zip file to write (it must not exist).",
)
@with_appcontext
def subject_access_command(person: str, out: Path) -> None:
    """Write everything held about PERSON (an id or email) into one zip."""
    found = find_person(person)
    if out.exists():
        raise click.ClickException(f"{out} exists: choose another file.")
    archive = produce(found, actor=None, via=COMMAND)
    try:
        with out.open("xb") as file:
            file.write(archive.data)
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(f"Cannot write {out}: {error.strerror}") from None
    db.session.commit()
    click.echo(f"Wrote {out} ({len(archive.data)} bytes) for person {found.id}.")
