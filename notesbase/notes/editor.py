"""The facilitators' notes editor: add, edit, move, reorder and delete items,
preview each audience's view, read and purge an item's history (importing
and exporting the notes file: ``editor_file``).

Every view is guarded by ``facilitator_required`` (login / 403), loads the
meeting and the item (an item of another meeting is a 404), calls a service
and commits; a refused form is shown again, input kept, with status 422
(409 when someone else changed the item meanwhile) and nothing written."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from notesbase.access import current_member, facilitator_required
from notesbase.db import db
from notesbase.disclosure import Audience, Confidentiality
from notesbase.disclosure.render import to_html
from notesbase.disclosure.spans import redacted_tokens
from notesbase.forms import flash_removed
from notesbase.models import Item, Meeting
from notesbase.notes import items as item_service
from notesbase.notes.blueprint import bp
from notesbase.notes.errors import NotesError, StaleItem
from notesbase.notes.facts import meeting_items, meeting_view, meeting_views
from notesbase.notes.forms import (
    ConfirmForm,
    EditItemForm,
    ItemForm,
    MoveForm,
    NewItemForm,
    ReorderForm,
    show_error,
)
from notesbase.notes.notices import flash_notices, meeting_notices, notices_of, typed_notices
from notesbase.notes.people import all_people, create_person
from notesbase.notes.views import load_notes_meeting, shown_sections
from notesbase.routing import RowLinks

INVALID = 422
CONFLICT = 409
View = str | Response | tuple[str, int]
MEETING = "/series/<slug>/meetings/<int:number>/notes"
ITEM = MEETING + "/items/<int:item_id>"


def load(slug: str, number: int) -> Meeting:
    return load_notes_meeting(slug, number)


def load_item(meeting: Meeting, item_id: int) -> Item:
    """The item, if it belongs to the meeting in the address; else 404."""
    item = db.session.get(Item, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def marked_html(body: str) -> Markup:
    """A raw body as facilitators see it: every redacted span kept and marked."""
    return Markup(to_html(redacted_tokens(body, Audience.FACILITATOR)))  # noqa: S704 - nh3-cleaned


def editor_url(meeting: Meeting, anchor: str = "", **args: object) -> str:
    url = url_for("notes.editor", slug=meeting.series.slug, number=meeting.number, **args)
    return f"{url}#{anchor}" if anchor else url


def _speaker_id(form: ItemForm) -> int | None:
    """The new speaker's id when the form names one (created here), else None."""
    fields = form.new_person()
    if fields is None:
        return None
    return create_person(fields, actor=current_member()).id


@bp.route(MEETING + "/edit", methods=["GET", "POST"])
@facilitator_required
def editor(slug: str, number: int) -> View:
    """The items in order with their actions, and the form adding one."""
    meeting = load(slug, number)
    items = meeting_items(meeting)
    form = NewItemForm()
    form.set_people(all_people())
    form.set_items(items)
    added = next((i for i in items if str(i.id) == request.args.get("added")), None)
    if not form.is_submitted():
        after = next((i for i in items if str(i.id) == request.args.get("after")), None)
        form.after.data = str(after.id) if after is not None else ""
        # Carry on in the section last written to (or the one being added into).
        last = added or after or (items[-1] if items else None)
        form.section.data = last.section if last is not None else ""
        if added is not None:
            # A confidential stretch of a meeting runs over several items; kind
            # and speaker start afresh, so no point is credited by mistake.
            form.confidentiality.data = added.confidentiality.value
    if form.validate_on_submit():
        after = next((i for i in items if str(i.id) == form.after.data), None)
        try:
            speaker_id = _speaker_id(form)
            item = item_service.create_item(
                meeting, form.item_fields(speaker_id), actor=current_member(), after=after
            )
        except NotesError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash_removed(form)
            flash_notices(item)
            # Said beside the form (editor.html), where the note-taker is. No
            # #new-item: browsers skip autofocus on a page opened at a fragment.
            more = {"after": item.id} if after is not None else {}
            return redirect(editor_url(meeting, added=item.id, **more))
    if form.is_submitted() or not items or {"added", "after"} & set(request.args):
        form.focus_body()
    page = render_template(
        "notes/editor.html",
        meeting=meeting,
        series=meeting.series,
        form=form,
        added=added,
        sections=shown_sections(meeting_view(meeting, Audience.FACILITATOR)),
        section_names=sorted({i.section for i in items if i.section}),
        notices=meeting_notices(items),
        links=RowLinks(slug=meeting.series.slug, number=meeting.number),
    )
    return (page, INVALID) if form.is_submitted() else page


@bp.route(ITEM + "/edit", methods=["GET", "POST"])
@facilitator_required
def edit_item(slug: str, number: int, item_id: int) -> View:
    meeting = load(slug, number)
    item = load_item(meeting, item_id)
    form = EditItemForm()
    form.set_people(all_people())
    if not form.is_submitted():
        form.fill(item)
    status = INVALID
    if form.validate_on_submit():
        try:
            changed = item_service.update_item(
                item,
                form.item_fields(_speaker_id(form)),
                actor=current_member(),
                expected_version=form.expected_version(),
            )
        except (StaleItem, StaleDataError):
            db.session.rollback()
            current = db.session.scalar(sa.select(Item).where(Item.id == item_id))
            if current is None:
                abort(CONFLICT, description="Someone else deleted this item meanwhile.")
            item = current
            show_error(form, StaleItem(item.version))
            # Saving again now is a deliberate choice to replace their change.
            form.version.data = str(item.version)
            status = CONFLICT
        except NotesError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Item saved." if changed else "Nothing had changed.", "success")
            flash_removed(form)
            flash_notices(item)
            return redirect(editor_url(meeting, f"item-{item.id}"))
    page = render_template(
        "notes/item_form.html",
        meeting=meeting,
        series=meeting.series,
        item=item,
        form=form,
        conflict=status == CONFLICT and form.is_submitted(),
        current_html=marked_html(item.body),
        section_names=sorted({i.section for i in meeting_items(meeting) if i.section}),
        # What the form holds: as saved, or as typed when it comes back refused.
        notices=(
            typed_notices(form.body.data or "", form.section.data or "", form.confidentiality.data)
            if form.is_submitted()
            else notices_of(item)
        ),
    )
    return (page, status) if form.is_submitted() else page


@bp.route(ITEM + "/delete", methods=["GET", "POST"])
@facilitator_required
def delete_item(slug: str, number: int, item_id: int) -> View:
    meeting = load(slug, number)
    item = load_item(meeting, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        position = item.position
        item_service.delete_item(item, actor=current_member())
        db.session.commit()
        flash(f"Item {position} deleted.", "success")
        return redirect(editor_url(meeting))
    return render_template(
        "notes/confirm_delete.html",
        meeting=meeting,
        series=meeting.series,
        item=item,
        form=form,
        body_html=marked_html(item.body),
    )


@bp.route(ITEM + "/move", methods=["POST"])
@facilitator_required
def move_item(slug: str, number: int, item_id: int) -> View:
    meeting = load(slug, number)
    item = load_item(meeting, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(INVALID, description="Move an item up or down.")
    offset = -1 if form.direction.data == "up" else 1
    if item_service.move(item, offset, actor=current_member()):
        db.session.commit()
    else:
        flash(f"That item is already {'first' if offset < 0 else 'last'}.", "info")
    return redirect(editor_url(meeting, f"item-{item.id}"))


@bp.route(MEETING + "/reorder", methods=["GET", "POST"])
@facilitator_required
def reorder(slug: str, number: int) -> View:
    """Type each item's new position; ties keep their old order."""
    meeting = load(slug, number)
    items = meeting_items(meeting)
    form = ReorderForm()
    if not form.is_submitted():
        form.fill(items)
    if form.validate_on_submit():
        try:
            item_service.reorder(meeting, form.ordered_ids(), actor=current_member())
        except NotesError as error:
            db.session.rollback()
            form.form_errors.append(f"{error.message} Reload the page and try again.")
        else:
            db.session.commit()
            flash("New order saved.", "success")
            return redirect(editor_url(meeting))
    by_id = {str(i.id): i for i in items}
    page = render_template(
        "notes/reorder.html",
        meeting=meeting,
        series=meeting.series,
        form=form,
        rows=[(entry, by_id.get(entry.item_id.data or "")) for entry in form.entries],
    )
    return (page, INVALID) if form.is_submitted() else page


@bp.route(MEETING + "/preview")
@facilitator_required
def preview(slug: str, number: int) -> str:
    """What members and the public will see, side by side."""
    meeting = load(slug, number)
    views = meeting_views(meeting, Audience.FACILITATOR, Audience.MEMBER, Audience.PUBLIC)
    every_item = [
        item for section in views.pop(Audience.FACILITATOR).sections for item in section.items
    ]
    notices = meeting_notices(meeting_items(meeting))
    return render_template(
        "notes/preview.html",
        meeting=meeting,
        series=meeting.series,
        columns=[(audience, shown_sections(view)) for audience, view in views.items()],
        # Marks for the facilitator, by item: never any of the text they mark.
        marks={item.id: item.confidentiality for item in every_item},
        held_back=[
            item for item in every_item if item.confidentiality is Confidentiality.CONFIDENTIAL
        ],
        to_check=[(item, notices[item.id]) for item in every_item if item.id in notices],
    )


@bp.route(ITEM + "/history")
@facilitator_required
def history(slug: str, number: int, item_id: int) -> str:
    """Every kept version of an item, newest first: facilitators only."""
    meeting = load(slug, number)
    item = load_item(meeting, item_id)
    return render_template(
        "notes/history.html",
        meeting=meeting,
        series=meeting.series,
        item=item,
        revisions=[(r, marked_html(r.body)) for r in item_service.revisions(item)],
        form=ConfirmForm(),
    )


@bp.route(ITEM + "/purge-history", methods=["GET", "POST"])
@facilitator_required
def purge_history(slug: str, number: int, item_id: int) -> View:
    """Drop every earlier version, e.g. after cutting a confidential span."""
    meeting = load(slug, number)
    item = load_item(meeting, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        removed = item_service.purge_history(item, actor=current_member())
        db.session.commit()
        item_service.clear_freed_space()
        flash(f"{removed} earlier version{'s' if removed != 1 else ''} purged for good.", "success")
        return redirect(url_for("notes.history", slug=slug, number=number, item_id=item.id))
    return render_template(
        "notes/confirm_purge.html",
        meeting=meeting,
        series=meeting.series,
        item=item,
        form=form,
        whole_item=False,
        earlier=len(item_service.revisions(item)) - 1,
    )


@bp.route(ITEM + "/purge", methods=["GET", "POST"])
@facilitator_required
def purge_item(slug: str, number: int, item_id: int) -> View:
    """Remove a confidential item and all its versions, leaving no copy."""
    meeting = load(slug, number)
    item = load_item(meeting, item_id)
    form = ConfirmForm()
    refused = None
    if form.validate_on_submit():
        try:
            item_service.purge_item(item, actor=current_member())
        except NotesError as error:
            db.session.rollback()
            refused = error.message
        else:
            db.session.commit()
            item_service.clear_freed_space()
            flash("The item and every version of it were purged for good.", "success")
            return redirect(editor_url(meeting))
    page = render_template(
        "notes/confirm_purge.html",
        meeting=meeting,
        series=meeting.series,
        item=item,
        form=form,
        whole_item=True,
        refused=refused,
    )
    return (page, INVALID) if refused else page
