"""``notesbase erase PERSON``: forget a person (by id or email), with a
default choice for their items and overrides per item; asks first unless
``--yes``; ``--dry-run`` shows what it would do and changes nothing."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from notesbase.db import db
from notesbase.privacy.erasure.plan import CHOICES, Choice, ErasureError, parse_overrides
from notesbase.privacy.erasure.service import Result, erase, find_person, finish_files


def _items(values: tuple[str, ...]) -> dict[object, object]:
    raw: dict[object, object] = {}
    for value in values:
        key, sep, choice = value.partition("=")
        if not sep:
            raise ErasureError(422, f"Give --item as ID=remove or ID=anonymise, not {value!r}.")
        raw[key] = choice
    return raw


def describe(result: Result) -> list[str]:
    """The result in lines, for the command line."""
    verb = "would be" if result.dry_run else "were"
    lines = [
        f"Person {result.person_id}: {result.count(Choice.REMOVE)} item(s) {verb} removed,"
        f" {result.count(Choice.ANONYMISE)} {verb} anonymised."
    ]
    for planned in result.items:
        role = "credits" if planned.credits else "names"
        lines.append(
            f"  item {planned.item_id} ({planned.series_title}, meeting {planned.meeting_number},"
            f" {role} them): {planned.choice.value}"
        )
    for item_id in result.made_confidential:
        lines.append(f"  item {item_id}: could not be cleared in place, made confidential")
    lines.append(f"Outbox messages carrying them {verb} deleted: {len(result.outbox)}")
    if result.member_erased:
        lines.append(f"Their member account {verb} deactivated and emptied.")
    if result.backups:
        lines.append("Not erased, backups written before:")
        lines += [f"  {b.path} (ages out {b.ages_out:%Y-%m-%d})" for b in result.backups]
    lines += list(result.not_erasable)
    return lines


@click.command("erase")
@click.argument("person", required=False)
@click.option(
    "--default",
    "default",
    type=click.Choice(CHOICES),
    default="anonymise",
    show_default=True,
    help="What becomes of the items that credit them.",
)
@click.option(
    "--item",
    "items",
    multiple=True,
    metavar="ID=CHOICE",
    help="Override the choice for one item (repeatable).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be done; change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask before erasing.")
@click.option("--finish", is_flag=True, help="Only finish the file work an erasure left.")
@with_appcontext
def erase_command(
    person: str | None, default: str, items: tuple[str, ...], dry_run: bool, yes: bool, finish: bool
) -> None:
    """Forget PERSON (an id or an email address) everywhere: irreversible."""
    if finish:
        done = finish_files(current_app._get_current_object())  # type: ignore[attr-defined]
        click.echo(f"Finished the file work of {done} erasure(s).")
        return
    if not person:
        raise click.UsageError("Give the person's id or email address.")
    try:
        found = find_person(person)
        overrides = parse_overrides(_items(items))
        preview = erase(found, Choice(default), overrides, actor=None, dry_run=True)
        if dry_run:
            click.echo("\n".join(describe(preview)))
            return
        if not yes:
            click.echo("\n".join(describe(preview)))
            click.confirm(f"Erase person {preview.person_id} for good?", abort=True)
        found = find_person(person)
        result = erase(found, Choice(default), overrides, actor=None)
    except ErasureError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo("\n".join(describe(result)))
