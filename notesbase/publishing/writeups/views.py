"""Write-up pages: the public page of a published write-up, and the
facilitators' pages to write, preview, publish, unpublish and export it.

The public page is a 404 until the write-up is published (and again after
it is unpublished, and while it is withheld), the same 404 as a meeting
that does not exist. The
facilitators' pages follow the notes editor: ``facilitator_required``, load
(404), call a service, commit; a refused form is shown again with status 422,
409 when someone else changed the write-up or the leak check found something."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from notesbase.access import current_member, facilitator_required
from notesbase.db import db
from notesbase.forms import flash_removed
from notesbase.meetings.views import load_meeting, load_series
from notesbase.models import Meeting, Series, Topic, Writeup
from notesbase.notes.views import ShownItem, shown_sections
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups.errors import StaleWriteup, WriteupError, WriteupWithheld
from notesbase.publishing.writeups.export import file_name, markdown_page
from notesbase.publishing.writeups.forms import PublishForm, UnpublishForm, WriteupForm
from notesbase.publishing.writeups.public import (
    CHANNEL,
    PublicWriteup,
    draft_writeup,
    drafting,
    exportable_writeup,
    find_writeup,
    open_items,
    public_view,
    published_meetings,
    published_writeup,
)
from notesbase.publishing.writeups.service import publish_writeup, save_writeup, unpublish_writeup
from notesbase.publishing.writeups.snapshot import newer_versions

bp = Blueprint("writeups", __name__)

INVALID = 422
CONFLICT = 409
View = str | Response | tuple[str, int]
WRITEUP = "/series/<slug>/meetings/<int:number>/writeup"
# Public answers may be stored but must be checked again each time: a consent
# withdrawn or a redaction made shows on the very next request.
REVALIDATE = "no-cache"


def load(slug: str, number: int) -> Meeting:
    return load_meeting(load_series(slug), number)


def writeup_url(meeting: Meeting, **values: Any) -> str:
    return url_for("writeups.public", slug=meeting.series.slug, number=meeting.number, **values)


def _page_url(endpoint: str, meeting: Meeting) -> str:
    return url_for(endpoint, slug=meeting.series.slug, number=meeting.number)


@bp.app_context_processor
def writeup_helpers() -> dict[str, Any]:
    """For the series, topic and meeting pages: the published write-ups."""

    def published_writeups(series: Series | None = None, topic: Topic | None = None) -> list:
        return published_meetings(series=series, topic=topic)

    def published_writeup_url(meeting: Meeting) -> str | None:
        writeup = find_writeup(meeting)
        return writeup_url(meeting) if writeup is not None and writeup.public else None

    return {
        "published_writeups": published_writeups,
        "published_writeup_url": published_writeup_url,
    }


def _shown(public: PublicWriteup) -> dict[str, Any]:
    """What ``writeups/_writeup.html`` shows: disclose's nh3-cleaned HTML,
    marked safe here and only here."""
    return {
        "public": public,
        "summary_html": Markup(public.summary_html),  # noqa: S704 - nh3-cleaned
        "sections": shown_sections(public.view),
    }


@bp.route(WRITEUP)
def public(slug: str, number: int) -> Response:
    meeting = load(slug, number)
    found = published_writeup(meeting)
    if found is None:
        abort(404)
    response = make_response(
        render_template(
            "writeups/public.html", meeting=meeting, series=meeting.series, **_shown(found)
        )
    )
    response.headers["Cache-Control"] = REVALIDATE
    return response


def _candidates(meeting: Meeting) -> dict[int, ShownItem]:
    """Each open item as the public reads it now; one that shows nothing to
    the public (every word redacted) is not offered."""
    view = public_view(meeting, open_items(meeting))
    return {item.id: ShownItem(item, Markup(item.body_html)) for item in view.items}  # noqa: S704


def _fill(form: WriteupForm, writeup: Writeup | None, offered: dict[int, ShownItem]) -> None:
    form.summary.data = writeup.summary if writeup is not None else ""
    chosen = [item.id for item in writeup.items] if writeup is not None else []
    form.items.data = [item_id for item_id in chosen if item_id in offered]
    form.version.data = str(writeup.version if writeup is not None else 0)


@bp.route(WRITEUP + "/edit", methods=["GET", "POST"])
@facilitator_required
def edit(slug: str, number: int) -> View:
    """The summary and the open items to go in, each shown as the public sees it."""
    meeting = load(slug, number)
    offered = _candidates(meeting)
    form = WriteupForm()
    form.set_choices(list(offered))
    if not form.is_submitted():
        _fill(form, find_writeup(meeting), offered)
    status, report, conflict = INVALID, None, False
    if form.validate_on_submit():
        try:
            _writeup, changed = save_writeup(
                meeting,
                form.summary.data or "",
                form.chosen(),
                actor=current_member(),
                expected_version=form.expected_version(),
            )
        except StaleWriteup as error:
            db.session.rollback()
            form.show_error(error)
            # Saving again now is a deliberate choice to replace their change.
            form.version.data = str(error.current_version)
            status, conflict = CONFLICT, True
        except leakcheck.LeakCheckFailed as failed:
            db.session.rollback()
            status, report = CONFLICT, failed.report
        except WriteupError as error:
            db.session.rollback()
            form.show_error(error)
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            current = find_writeup(meeting)
            stale = StaleWriteup(current.version if current is not None else 0)
            form.show_error(stale)
            form.version.data = str(stale.current_version)
            status, conflict = CONFLICT, True
        else:
            db.session.commit()
            flash("Write-up saved." if changed else "Nothing had changed.", "success")
            flash_removed(form)
            return redirect(_page_url("writeups.edit", meeting))
    writeup = find_writeup(meeting)
    dropped = [item for item in (writeup.items if writeup else []) if item.id not in offered]
    withheld_report = None
    if writeup is not None and writeup.withheld and report is None:
        withheld_report = leakcheck.check(meeting, CHANNEL)
    page = render_template(
        "writeups/edit.html",
        meeting=meeting,
        series=meeting.series,
        writeup=writeup,
        form=form,
        offered=offered,
        dropped=dropped,
        conflict=conflict,
        report=report or withheld_report,
        withheld_report=withheld_report,
        newer=newer_versions(writeup) if writeup is not None and writeup.published else [],
        next_url=_page_url("writeups.edit", meeting),
        publish_form=PublishForm(version=str(writeup.version)) if writeup else None,
        unpublish_form=UnpublishForm(),
    )
    return (page, status) if form.is_submitted() else page


def _preview(
    meeting: Meeting,
    *,
    report: leakcheck.LeakReport | None = None,
    problem: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The write-up exactly as the public would see it, with the leak check's
    findings and the publish button."""
    writeup = find_writeup(meeting)
    if report is None and writeup is not None:
        with drafting():
            report = leakcheck.check(meeting, CHANNEL)
    page = render_template(
        "writeups/preview.html",
        meeting=meeting,
        series=meeting.series,
        writeup=writeup,
        report=report,
        problem=problem,
        next_url=_page_url("writeups.preview", meeting),
        publish_form=PublishForm(version=str(writeup.version)) if writeup else None,
        unpublish_form=UnpublishForm(),
        **_shown(draft_writeup(meeting, writeup)),
    )
    return page, status


@bp.route(WRITEUP + "/preview")
@facilitator_required
def preview(slug: str, number: int) -> View:
    return _preview(load(slug, number))


@bp.route(WRITEUP + "/publish", methods=["POST"])
@facilitator_required
def publish(slug: str, number: int) -> View:
    """Publish what the preview showed; refused while the leak check finds something."""
    meeting = load(slug, number)
    form = PublishForm()
    if not form.validate_on_submit():
        return _preview(meeting, problem=" ".join(form.version.errors), status=INVALID)
    try:
        _writeup, changed = publish_writeup(
            meeting, actor=current_member(), expected_version=form.expected_version()
        )
    except leakcheck.LeakCheckFailed as failed:
        db.session.rollback()
        return _preview(
            meeting,
            report=failed.report,
            problem="Not published: the leak check found something the public may not see.",
            status=CONFLICT,
        )
    except StaleWriteup as error:
        db.session.rollback()
        return _preview(meeting, problem=error.message, status=CONFLICT)
    except WriteupError as error:
        db.session.rollback()
        return _preview(meeting, problem=error.message, status=INVALID)
    except StaleDataError:
        db.session.rollback()
        return _preview(meeting, problem=StaleWriteup(0).message, status=CONFLICT)
    db.session.commit()
    flash(
        "Write-up published." if changed else "The write-up was already published as it is.",
        "success",
    )
    return redirect(writeup_url(meeting))


@bp.route(WRITEUP + "/unpublish", methods=["POST"])
@facilitator_required
def unpublish(slug: str, number: int) -> View:
    meeting = load(slug, number)
    form = UnpublishForm()
    if not form.validate_on_submit():
        abort(400)
    changed = unpublish_writeup(meeting, actor=current_member())
    db.session.commit()
    flash(
        "Write-up unpublished: the public page is gone." if changed else "It was not published.",
        "success",
    )
    return redirect(_page_url("writeups.edit", meeting))


@bp.route(WRITEUP + ".md")
@facilitator_required
def export_markdown(slug: str, number: int) -> View:
    """The Markdown page for the network's website, after the leak check."""
    meeting = load(slug, number)
    writeup = find_writeup(meeting)
    if writeup is None:
        abort(404)
    try:
        public = exportable_writeup(meeting, writeup)
    except WriteupWithheld as withheld:
        return _preview(meeting, problem=f"Not exported. {withheld.message}", status=CONFLICT)
    except leakcheck.LeakCheckFailed as failed:
        return _preview(
            meeting,
            report=failed.report,
            problem="Not exported: the leak check found something the public may not see.",
            status=CONFLICT,
        )
    text = markdown_page(public)
    response = Response(text, mimetype="text/markdown")
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(meeting)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
