"""The admins' erasure pages: "Forget this person…" from the person's page
lists each item with its choice, asks for a ticked confirmation naming the
count, then shows the result (the person is gone, so it is not a redirect).
A refused form is shown again with 422 and nothing is written."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from wtforms import BooleanField, RadioField
from wtforms.fields import SelectChoice

from notesbase.access import admin_required, current_member
from notesbase.db import db
from notesbase.forms import Form
from notesbase.models import Person
from notesbase.privacy.erasure.plan import Choice, ErasureError, choice_of, parse_overrides
from notesbase.privacy.erasure.service import erase, finish_files, forget

bp = Blueprint("erasure", __name__)
INVALID = 422


class EraseForm(Form):
    """The default for the items that credit them, and the confirmation."""

    default = RadioField(
        "Their own words",
        choices=[SelectChoice(c.value, c.label) for c in Choice],
        default=Choice.ANONYMISE.value,
    )
    confirm = BooleanField("I understand that this cannot be undone")


def _person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


def _page(
    person: Person, form: EraseForm, default: Choice, chosen: dict[int, Choice], error: str = ""
):
    result = forget(person, default, chosen, actor=None, dry_run=True)
    db.session.rollback()
    return render_template(
        "privacy/erasure_form.html", person=person, form=form, result=result, error=error
    )


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@admin_required
def erase_person(person_id: int):
    """Forget a person: the form, then the result."""
    person = _person(person_id)
    form = EraseForm()
    if not form.is_submitted():
        return _page(person, form, Choice.ANONYMISE, {})
    raw = {k.removeprefix("item-"): v for k, v in request.form.items() if k.startswith("item-")}
    try:
        default = choice_of(form.default.data, "default")
        chosen = parse_overrides(raw)
        if not form.validate():
            return _page(person, form, default, {}, "The form has expired: try again."), INVALID
        if not form.confirm.data:
            page = _page(person, form, default, chosen, "Tick the box to confirm the erasure.")
            return page, INVALID
        result = erase(person, default, chosen, actor=current_member())
    except ErasureError as error:
        db.session.rollback()
        finish_files(current_app._get_current_object())  # type: ignore[attr-defined]
        if error.status == 404:
            abort(404)
        return _page(_person(person_id), form, Choice.ANONYMISE, {}, error.message), INVALID
    return render_template("privacy/erasure_result.html", result=result)
