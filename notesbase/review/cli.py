"""``notesbase review remind``: email, once, everyone asked who has not
answered a review whose deadline is ``REVIEW_REMINDER_DAYS`` days away or
nearer. Safe to run from cron as often as you like."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from notesbase import audit
from notesbase.command_group import CommandGroup
from notesbase.db import db
from notesbase.models import Reviewer, ReviewRound, ReviewStatus, utcnow
from notesbase.review import mail
from notesbase.review.service import answered, is_open


@click.group("review", cls=CommandGroup)
def review_cli() -> None:
    """Review rounds of meetings' notes (the agreed record)."""


def due_reviewers(now: datetime, days: float) -> list[Reviewer]:
    """Who should be reminded now: asked, not revoked, not answered, not
    reminded yet, in an open round whose deadline is within ``days``."""
    rounds = db.session.scalars(
        sa.select(ReviewRound).where(
            ReviewRound.status == ReviewStatus.IN_REVIEW,
            ReviewRound.deadline > now,
            ReviewRound.deadline <= now + timedelta(days=days),
        )
    )
    due = []
    for review in rounds:
        if not is_open(review):
            continue
        for reviewer in review.reviewers:
            if (
                reviewer.revoked_at is None
                and reviewer.reminded_at is None
                and not answered(reviewer)
            ):
                due.append(reviewer)
    return due


def remind(now: datetime, days: float) -> tuple[int, list[str]]:
    """Send the reminders due now; how many were sent, and the problems."""
    sent, problems = 0, []
    by_round: dict[int, list[Reviewer]] = {}
    for reviewer in due_reviewers(now, days):
        by_round.setdefault(reviewer.round_id, []).append(reviewer)
    for reviewers in by_round.values():
        review = reviewers[0].round
        letters = [mail.reminder(review, r.person) for r in reviewers]
        reached, problem = mail.send(letters, review)
        reached_ids = {p.id for p in reached}
        for reviewer in reviewers:
            if reviewer.person_id in reached_ids:
                reviewer.reminded_at = now
        if reached:
            audit.record(
                "review.remind",
                "review",
                review.id,
                actor=None,
                meeting_id=review.meeting_id,
                sent=len(reached),
            )
        db.session.commit()
        sent += len(reached)
        if problem:
            problems.append(
                f"meeting {review.meeting.number} of {review.meeting.series.title}: {problem}"
            )
    return sent, problems


@review_cli.command("remind")
@click.option(
    "--days",
    type=click.FloatRange(min=0),
    default=None,
    help="Remind this many days before the deadline (default: REVIEW_REMINDER_DAYS, 2).",
)
@with_appcontext
def remind_command(days: float | None) -> None:
    """Email a reminder, once, to everyone who has not answered a review
    ending within REVIEW_REMINDER_DAYS days."""
    if days is None:
        try:
            days = float(current_app.config.get("REVIEW_REMINDER_DAYS", 2))
        except (TypeError, ValueError):
            raise click.UsageError("REVIEW_REMINDER_DAYS must be a number of days") from None
    sent, problems = remind(utcnow(), days)
    click.echo(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
    for problem in problems:
        click.echo(f"Not sent for {problem}", err=True)
    if problems:
        raise SystemExit(1)
