"""``notesbase check``: the leak check on a meeting from the terminal, every
registered channel's report grouped as the leak-check page groups it."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from notesbase.meetings.service import meeting_by_number, series_by_slug
from notesbase.notes.facts import one_reading
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.leakcheck.check import CHANNELS, LeakReport, UnknownChannel
from notesbase.publishing.leakcheck.keys import match_key


def report_lines(report: LeakReport, label: str) -> list[str]:
    """One channel's report for the terminal, as the page groups it: a
    headline, then each thing found with why, then each place it is at."""
    grouped: dict[tuple[str, str], list[leakcheck.Finding]] = {}
    for finding in report.findings:
        grouped.setdefault((finding.rule, match_key(finding.match)), []).append(finding)
    total = len(grouped)
    standing = sum(1 for places in grouped.values() if any(f.override is None for f in places))
    if not total:
        headline = "clean"
    else:
        headline = f"{total} finding{'s' if total != 1 else ''}, {standing} standing"
    lines = [f"{label} ({report.channel}, {report.audience.value}): {headline}"]
    for (rule, _words), places in grouped.items():
        lines.append(f"  {rule} “{places[0].match}” · {places[0].why}")
        for finding in places:
            mark = " [overridden]" if finding.override is not None else ""
            lines.append(f"    at {finding.located}{mark}")
    return lines


@click.command("check")
@click.argument("series_slug")
@click.argument("number", type=click.IntRange(min=1))
@click.option("--channel", "channel_name", help="Check only this channel.")
@with_appcontext
def check_command(series_slug: str, number: int, channel_name: str | None) -> None:
    """Run the leak check on meeting NUMBER of SERIES_SLUG, for every
    registered channel (or one). Exits 1 while any finding stands."""
    series = series_by_slug(series_slug)
    if series is None:
        raise click.BadParameter(f"there is no series '{series_slug}'", param_hint="SERIES_SLUG")
    meeting = meeting_by_number(series, number)
    if meeting is None:
        raise click.BadParameter(
            f"series '{series_slug}' has no meeting {number}", param_hint="NUMBER"
        )
    names = sorted(CHANNELS)
    if channel_name is not None:
        if channel_name not in CHANNELS:
            raise click.BadParameter(str(UnknownChannel(channel_name)), param_hint="--channel")
        names = [channel_name]
    if not names:
        click.echo("No channels are registered: nothing to check.")
        return
    standing = 0
    with one_reading():  # every channel made from the same notes, read once
        reports = leakcheck.checks(meeting, names)
    for name, report in zip(names, reports, strict=True):
        standing += len({(f.rule, match_key(f.match)) for f in report.blocking})
        for line in report_lines(report, CHANNELS[name].label):
            click.echo(line)
    if standing:
        stand = "finding stands" if standing == 1 else "findings stand"
        click.echo(f"{standing} {stand}: not clean.", err=True)
        raise click.exceptions.Exit(1)
