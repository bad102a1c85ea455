"""People, for facilitators: find, add and edit the people who speak, link
them to member accounts, and record consent given in the room.

Each view: ``facilitator_required`` (anonymous → login, members → 403),
load (404), call a service that flushes, commit here; a refused form is shown
again with status 422 and nothing is written."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from notesbase.access import can_set_consent, current_member, facilitator_required
from notesbase.auth.service import find_member_by_email
from notesbase.consent import grants, shown
from notesbase.consent.blueprint import bp
from notesbase.consent.forms import ConfirmForm, PersonForm, RecordConsentForm, place_error
from notesbase.consent.views import saved_message, withdrawn_message
from notesbase.db import db
from notesbase.disclosure import ConsentAudience
from notesbase.forms import flash_removed
from notesbase.models import Member, Person
from notesbase.notes import people
from notesbase.notes.errors import NotesError

INVALID = 422
SEARCH_MAX = 200
View = str | Response | tuple[str, int]


def _facilitator() -> Member:
    member = current_member()
    assert member is not None  # facilitator_required ran first
    return member


def _get_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


@bp.route("/people/")
@facilitator_required
def people_list() -> str:
    query = (request.args.get("q") or "").strip()[:SEARCH_MAX]
    return render_template("consent/people.html", people=shown.search_people(query), query=query)


def _save_person(form: PersonForm, person: Person | None) -> Person | None:
    """Create or update from ``form`` and link the member account it names;
    on a refusal, roll back, put the message beside its field, return None."""
    actor = _facilitator()
    try:
        if person is None:
            person = people.create_person(form.fields(), actor=actor)
        else:
            people.update_person(person, form.fields(), actor=actor)
        wanted = (form.member_email.data or "").strip()
        member = find_member_by_email(wanted) if wanted else None
        if wanted and member is None:
            raise NotesError("member_email", f"There is no member account for {wanted}.")
        if (member.id if member else None) != person.member_id:
            people.link_member(person, member, actor=actor)
    except NotesError as error:
        db.session.rollback()
        field = {"member": "member_email"}.get(error.field, error.field)
        place_error(form, field, error.message, "name")
        return None
    return person


@bp.route("/people/new", methods=["GET", "POST"])
@facilitator_required
def new_person() -> View:
    form = PersonForm()
    if form.validate_on_submit():
        created = _save_person(form, None)
        if created is not None:
            db.session.commit()
            flash(f"{created.name} is added.", "success")
            flash_removed(form)
            return redirect(url_for("consent.person", person_id=created.id))
    page = render_template("consent/person_form.html", form=form, person=None)
    return (page, INVALID) if form.is_submitted() else page


def _person_page(
    person: Person,
    form: PersonForm | None = None,
    record_form: RecordConsentForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    choices = shown.all_scope_choices(person)
    if form is None:
        form = PersonForm(formdata=None)
        form.fill(person)
    if record_form is None:
        record_form = RecordConsentForm(
            formdata=None,
            scopes=choices,
            audience=ConsentAudience.MEMBER.value,
            scope=shown.EVERYWHERE,
        )
    grouped = shown.attributed_items(person, series_ids=None, for_facilitator=True)
    standing = shown.scope_choices(
        [s.series for s in grouped], shown.meetings_of(grouped), grants.active_grants(person)
    )
    page = render_template(
        "consent/person.html",
        person=person,
        form=form,
        record_form=record_form,
        table=shown.levels_in_force(person, standing),
        examples=shown.level_examples(person),
        grants=grants.active_grants(person),
        history=shown.history_rows(person),
        grouped=grouped,
        confirm=ConfirmForm(formdata=None),
    )
    return page, status


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@facilitator_required
def person(person_id: int) -> View:
    found = _get_person(person_id)
    form = PersonForm()
    if not form.is_submitted():
        return _person_page(found)
    if form.validate() and _save_person(form, found) is not None:
        db.session.commit()
        flash(f"{found.name}'s details are saved.", "success")
        flash_removed(form)
        return redirect(url_for("consent.person", person_id=found.id))
    return _person_page(found, form=form, status=INVALID)


@bp.route("/people/<int:person_id>/consent", methods=["POST"])
@facilitator_required
def record_consent(person_id: int) -> View:
    found = _get_person(person_id)
    actor = _facilitator()
    if not can_set_consent(actor, found):
        abort(403)
    choices = shown.all_scope_choices(found)
    form = RecordConsentForm(scopes=choices)
    if form.validate():
        choice = next(c for c in choices if c.key == form.scope.data)
        try:
            consent = grants.grant(
                found,
                form.audience.data or "",
                form.level.data or "",
                choice.scope,
                actor=actor,
                note=form.note_text,
            )
        except NotesError as error:
            db.session.rollback()
            place_error(form, error.field, error.message, "level")
        else:
            db.session.commit()
            flash(saved_message(found, consent, found.name), "success")
            return redirect(url_for("consent.person", person_id=found.id))
    return _person_page(found, record_form=form, status=INVALID)


@bp.route("/people/<int:person_id>/consent/<int:consent_id>/withdraw", methods=["POST"])
@facilitator_required
def withdraw_person_consent(person_id: int, consent_id: int) -> Response:
    found = _get_person(person_id)
    actor = _facilitator()
    if not can_set_consent(actor, found):
        abort(403)
    consent = shown.own_grant(found, consent_id)
    if consent is None:
        abort(404)
    if grants.withdraw(consent, actor=actor):
        db.session.commit()
        flash(withdrawn_message(found, consent, found.name), "success")
    else:
        flash("That grant was already withdrawn; nothing changed.", "info")
    return redirect(url_for("consent.person", person_id=found.id))
