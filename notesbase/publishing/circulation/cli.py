"""``notesbase circulate SLUG NUMBER``: the circulation page's sending, from
the command line (for a long list of members, or a script). The same leak
check, the same confirmation before sending again, the same resumable rows."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from notesbase.meetings.cli import find_meeting
from notesbase.meetings.holds import holds_on
from notesbase.models import Meeting
from notesbase.publishing.circulation import delivery, service
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.site import ConfigError, parse_base_url


@click.command("circulate")
@click.argument("slug")
@click.argument("number", type=click.IntRange(min=1))
@click.option(
    "--resume",
    "resume_id",
    type=click.IntRange(min=1),
    metavar="ID",
    help="Send circulation ID to those who did not receive it, instead of starting anew.",
)
@click.option("--yes", is_flag=True, help="Do not ask before sending.")
@click.option(
    "--base-url",
    envvar="NOTESBASE_BASE_URL",
    metavar="URL",
    help="The site's public address, for the link in the email (env: NOTESBASE_BASE_URL).",
)
@with_appcontext
def circulate_command(
    slug: str, number: int, resume_id: int | None, yes: bool, base_url: str | None
) -> None:
    """Email the members' view of meeting NUMBER of series SLUG to the
    series' active members, one message each."""
    if base_url:
        try:
            current_app.config["BASE_URL"] = parse_base_url(base_url, "--base-url")
        except ConfigError as error:
            raise click.BadParameter(str(error), param_hint="--base-url") from None
    meeting = find_meeting(slug, number)
    circulation = None
    if resume_id is not None:
        circulation = service.circulation_of(meeting, resume_id)
        if circulation is None:
            raise click.ClickException(f"meeting {number} of {slug} has no circulation {resume_id}")
    try:
        settings = service.mail_settings(current_app)
        letter = service.prepare(meeting)
    except leakcheck.LeakCheckFailed as failed:
        for finding in failed.report.blocking:
            click.echo(f"  {finding.located}: {finding.match!r}: {finding.why}", err=True)
        raise click.ClickException(
            f"{len(failed.report.blocking)} leak-check finding(s) stand: nothing was sent"
        ) from None
    except service.CirculationError as error:
        raise click.ClickException(str(error)) from None

    if circulation is None:
        circulation_id = _start(meeting, yes=yes)
        action = "circulation.send"
    else:
        circulation_id = circulation.id
        if not yes:
            left = service.tally(circulation).unsent
            click.confirm(
                f"Send circulation {circulation_id} to the {left} who did not receive it?",
                abort=True,
            )
        action = "circulation.resume"
    click.echo(f"Sending through {settings.describe()}...", err=True)
    attempt = delivery.deliver(circulation_id, letter, settings)
    delivery.record_attempt(action, circulation_id, attempt, actor=None)
    for address, reason in attempt.failures:
        click.echo(f"  not sent to {address}: {reason}", err=True)
    click.echo(f"Circulation {circulation_id}: {attempt.summary()}.")
    if attempt.failed or attempt.uncertain or attempt.not_attempted:
        raise click.ClickException(
            f"not everyone received it; resume with: notesbase circulate {slug} {number} "
            f"--resume {circulation_id}"
        )


def _start(meeting: Meeting, *, yes: bool) -> int:
    """Start a circulation, asking first (unless ``yes``), more plainly when
    the meeting was circulated before, and naming what holds it (an open
    review: who has not answered)."""
    recipients = len(service.active_members(meeting.series_id))
    earlier = service.latest(meeting.id)
    if earlier is not None:
        tally = service.tally(earlier)
        question = (
            f"These notes were sent on {earlier.started_at:%Y-%m-%d %H:%M} UTC to "
            f"{tally.delivered} member(s). Send again to {recipients}?"
        )
    else:
        question = f"Send the notes of meeting {meeting.number} to {recipients} member(s)?"
    held = holds_on(meeting)
    for words in held:
        click.echo(words, err=True)
    if held:
        question = f"Go ahead although the notes are held as above? {question}"
    if not yes:
        click.confirm(question, abort=True)
    try:
        return service.start(
            meeting, actor=None, confirm_after=earlier.id if earlier is not None else None
        )
    except service.NeedsConfirmation:
        raise click.ClickException(
            "someone else circulated these notes just now: run the command again to decide"
        ) from None
    except service.CirculationError as error:
        raise click.ClickException(str(error)) from None
