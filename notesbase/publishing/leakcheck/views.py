"""The leak-check page, and its override and quick-fix forms (``notesbase
check`` is in ``cli``).

Facilitators only: everyone else gets the very 404 a missing meeting gets,
as on the notes pages. The page shows every registered channel's report,
gathered by audience into one entry per thing found with the places it is
at (``groups``); ``templates/leakcheck/_findings.html`` shows one
report the same way, for the write-up and circulation pages to include.
Beside each place: a small override (a reason, on demand) covering it on
every channel listed, and the quick fixes (``fixes``), which edit the
item through the notes service and come back to the page, checked again."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from notesbase.access import can_write_notes, current_member, member_page
from notesbase.auth.redirects import safe_next
from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import Item, Meeting
from notesbase.notes.errors import NotesError, StaleItem
from notesbase.notes.facts import one_reading
from notesbase.notes.views import load_notes_meeting
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.leakcheck import fixes as leak_fixes
from notesbase.publishing.leakcheck.check import (
    CHANNELS,
    LeakReport,
    OverrideRefused,
)
from notesbase.publishing.leakcheck.forms import (
    RELOAD,
    ItemFixForm,
    OverrideForm,
    WordsFixForm,
)
from notesbase.publishing.leakcheck.groups import by_audience
from notesbase.publishing.leakcheck.terms import listed

bp = Blueprint("leakcheck", __name__)
INVALID = 422
CONFLICT = 409
PAGE = "/series/<slug>/meetings/<int:number>/leak-check"
View = str | Response | tuple[str, int]
ENTRY = re.compile(r"[0-9a-f]{16}")


def load_facilitated(slug: str, number: int) -> Meeting:
    """The meeting, for facilitators; for anyone else the 404 of a missing one."""
    meeting = load_notes_meeting(slug, number)
    if not can_write_notes(current_member()):
        abort(404)
    return meeting


def reports(meeting: Meeting) -> list[tuple[leakcheck.Channel, LeakReport]]:
    names = sorted(CHANNELS)
    return [
        (CHANNELS[n], report)
        for n, report in zip(names, leakcheck.checks(meeting, names, kept=True), strict=True)
    ]


def page_url(meeting: Meeting, entry: str | None = None) -> str:
    """The page; with ``entry``, that entry shown whole (``groups``)."""
    return url_for("leakcheck.page", slug=meeting.series.slug, number=meeting.number, entry=entry)


def render_page(meeting: Meeting, *, entry: str | None = None, **context: Any) -> str:
    """The page, with the entry ``entry`` shown whole, and so is the one
    whose refused override (``leak_error``) is shown again."""
    error = context.get("leak_error")
    with one_reading():  # every channel is made from the same notes, read once
        checks = by_audience(
            meeting,
            reports(meeting),
            expand=[entry] if entry else [],
            refused=error["findings"] if error else None,
        )
    return render_template(
        "leakcheck/page.html",
        meeting=meeting,
        series=meeting.series,
        checks=checks,
        next_url=context.pop("next_url", None) or page_url(meeting, entry),
        **context,
    )


def _entry(asked: str | None) -> str | None:
    """The entry asked to be shown whole: 16 hex digits, else none."""
    return asked if asked and ENTRY.fullmatch(asked) else None


def _entry_of(target: str) -> str | None:
    """The entry shown whole on the page a form came from (its ``next``)."""
    return _entry(parse_qs(urlsplit(target).query).get("entry", [None])[0])


@bp.route(PAGE)
@member_page
def page(slug: str, number: int) -> str:
    return render_page(load_facilitated(slug, number), entry=_entry(request.args.get("entry")))


@bp.route(PAGE + "/override", methods=["POST"])
def override(slug: str, number: int) -> View:
    """Override one place's findings (on every channel sent) with one reason."""
    meeting = load_facilitated(slug, number)
    form = OverrideForm()
    target = safe_next(form.next.data) or page_url(meeting)
    if form.validate_on_submit():
        pairs = form.pairs()
        try:
            # An override changes no notes: every channel is checked on one reading of them.
            with one_reading():
                for channel, key in pairs:
                    if channel not in CHANNELS:
                        raise OverrideRefused("findings", RELOAD)
                    reason = form.reason.data
                    leakcheck.override(meeting, channel, key, reason, actor=current_member())
        except OverrideRefused as error:
            db.session.rollback()
            field = form.reason if error.field == "reason" else form.findings
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            labels = listed(
                [CHANNELS[channel].label for channel in dict.fromkeys(c for c, _ in pairs)]
            )
            flash(f"Overridden for {labels}.", "success")
            return redirect(target)
    error = {
        "findings": form.findings.data or "",
        "reason": form.reason.data or "",
        "messages": [*form.findings.errors, *form.reason.errors, *form.form_errors],
    }
    return render_page(meeting, leak_error=error, next_url=target, entry=_entry_of(target)), INVALID


def _fix(
    meeting: Meeting,
    form: WordsFixForm | ItemFixForm,
    apply: Callable[[Item, Confidentiality], str],
) -> View:
    """Load the item (404 when not this meeting's), apply one quick fix
    through the notes service, commit, and go back to be checked again;
    a refused fix answers 422 (409 when the item changed meanwhile) on the
    leak-check page with nothing changed."""
    target = safe_next(form.next.data) or page_url(meeting)
    whole = _entry_of(target)
    if not form.validate_on_submit():
        messages = [message for errors in form.errors.values() for message in errors]
        problem = " ".join(dict.fromkeys(str(message) for message in messages))
        return render_page(meeting, fix_error=problem, next_url=target, entry=whole), INVALID
    item = db.session.get(Item, form.item.data)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    try:
        said = apply(item, Confidentiality(form.level.data))
    except (StaleItem, StaleDataError):
        db.session.rollback()
        problem = "Someone changed this item meanwhile: nothing was changed. Look again below."
        return render_page(meeting, fix_error=problem, next_url=target, entry=whole), CONFLICT
    except (leak_fixes.FixRefused, NotesError) as error:
        db.session.rollback()
        return render_page(meeting, fix_error=error.message, next_url=target, entry=whole), INVALID
    db.session.commit()
    flash(f"{said} The leak check has run again.", "success")
    return redirect(target)


@bp.route(PAGE + "/fix/words", methods=["POST"])
def fix_words(slug: str, number: int) -> View:
    """Put the words found behind a redacted span in one item."""
    meeting = load_facilitated(slug, number)
    form = WordsFixForm()

    def apply(item: Item, level: Confidentiality) -> str:
        text = (form.text.data or "").strip()
        leak_fixes.hide_words(
            item, text, level, actor=current_member(), expected_version=form.version.data
        )
        return f"Item {item.position}: “{text}” is now {level.label.lower()}."

    return _fix(meeting, form, apply)


@bp.route(PAGE + "/fix/item", methods=["POST"])
def fix_item(slug: str, number: int) -> View:
    """Make one item members-only or confidential."""
    meeting = load_facilitated(slug, number)
    form = ItemFixForm()

    def apply(item: Item, level: Confidentiality) -> str:
        leak_fixes.restrict_item(
            item, level, actor=current_member(), expected_version=form.version.data
        )
        return f"Item {item.position} is now {level.label.lower()}."

    return _fix(meeting, form, apply)
