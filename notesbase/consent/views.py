"""My attributions: a member linked to a person sees every item recorded
against them, as members and the public read it now, and sets or withdraws
how they may be credited. Changes commit here and show on the next request.

A member can only touch their own person's consent: another person's grant
is a 404, and ``can_set_consent`` is asked on the server for every change."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from notesbase.access import can_set_consent, current_member, login_required
from notesbase.consent import grants, shown
from notesbase.consent.blueprint import bp
from notesbase.consent.forms import ConfirmForm, ConsentForm, DescriptorForm, place_error
from notesbase.db import db
from notesbase.disclosure import ConsentAudience
from notesbase.forms import flash_removed
from notesbase.models import Consent, Member, Person
from notesbase.notes import people
from notesbase.notes.errors import NotesError
from notesbase.notes.people import person_for_member

INVALID = 422
View = str | Response | tuple[str, int]


@bp.app_context_processor
def consent_helpers() -> dict[str, Any]:
    """For the navigation: whether a member has statements recorded as a person."""

    def has_attributions(member: Member | None) -> bool:
        return member is not None and person_for_member(member) is not None

    return {"has_attributions": has_attributions, "grant_scope": shown.grant_scope_label}


def _me() -> Member:
    member = current_member()
    assert member is not None  # login_required ran first
    return member


def _my_person(member: Member) -> Person:
    """The person ``member`` is, or 404: without one there is nothing to set."""
    person = person_for_member(member)
    if person is None:
        abort(404)
    if not can_set_consent(member, person):
        abort(403)
    return person


def _scopes(
    member: Member, person: Person
) -> tuple[list[shown.SeriesItems], list[shown.ScopeChoice]]:
    grouped = shown.attributed_items(person, series_ids=shown.readable_series_ids(member))
    return grouped, shown.member_scope_choices(member, grouped, person)


def _mine_page(
    member: Member,
    person: Person | None,
    form: ConsentForm | None = None,
    status: int = 200,
    descriptor_form: DescriptorForm | None = None,
) -> tuple[str, int]:
    if person is None:
        return render_template("consent/mine.html", person=None), status
    grouped, choices = _scopes(member, person)
    if form is None:
        form = ConsentForm(
            formdata=None,
            scopes=choices,
            audience=ConsentAudience.MEMBER.value,
            scope=shown.EVERYWHERE,
        )
    page = render_template(
        "consent/mine.html",
        person=person,
        member=member,
        grouped=grouped,
        table=shown.levels_in_force(person, choices),
        examples=shown.level_examples(person),
        grants=grants.active_grants(person),
        history=shown.history_rows(person),
        form=form,
        descriptor_form=descriptor_form
        or DescriptorForm(formdata=None, descriptor=person.descriptor),
        confirm=ConfirmForm(formdata=None),
    )
    return page, status


@bp.route("/me/attributions")
@login_required
def mine() -> tuple[str, int]:
    member = _me()
    return _mine_page(member, person_for_member(member))


@bp.route("/me/attributions/consent", methods=["POST"])
@login_required
def set_mine() -> View:
    member = _me()
    person = _my_person(member)
    _grouped, choices = _scopes(member, person)
    form = ConsentForm(scopes=choices)
    if not form.validate():
        return _mine_page(member, person, form, INVALID)
    choice = next(c for c in choices if c.key == form.scope.data)
    try:
        consent = grants.grant(
            person, form.audience.data or "", form.level.data or "", choice.scope, actor=member
        )
    except NotesError as error:
        db.session.rollback()
        place_error(form, error.field, error.message, "level")
        return _mine_page(member, person, form, INVALID)
    db.session.commit()
    flash(saved_message(person, consent), "success")
    return redirect(url_for("consent.mine"))


@bp.route("/me/attributions/descriptor", methods=["POST"])
@login_required
def set_my_descriptor() -> View:
    """The descriptor is the person's own words: they may change it themselves."""
    member = _me()
    person = _my_person(member)
    form = DescriptorForm()
    if not form.validate():
        return _mine_page(member, person, status=INVALID, descriptor_form=form)
    fields = people.PersonFields(
        person.name, person.affiliation, form.descriptor.data or "", person.email
    )
    try:
        changed = people.update_person(person, fields, actor=member)
    except NotesError as error:
        db.session.rollback()
        place_error(form, error.field, error.message, "descriptor")
        return _mine_page(member, person, status=INVALID, descriptor_form=form)
    db.session.commit()
    flash_removed(form)
    if not changed:
        flash("Your description is unchanged.", "info")
    elif person.descriptor:
        flash(f"Saved: where you allow it, you are described as “{person.descriptor}”.", "success")
    else:
        flash("Your description is removed: that level now reads “A participant”.", "success")
    return redirect(url_for("consent.mine"))


@bp.route("/me/attributions/consent/<int:consent_id>/withdraw", methods=["POST"])
@login_required
def withdraw_mine(consent_id: int) -> Response:
    member = _me()
    person = _my_person(member)
    consent = shown.own_grant(person, consent_id)
    if consent is None:
        abort(404)
    if grants.withdraw(consent, actor=member):
        db.session.commit()
        flash(withdrawn_message(person, consent), "success")
    else:
        flash("That grant was already withdrawn; nothing changed.", "info")
    return redirect(url_for("consent.mine"))


@bp.route("/me/attributions/withdraw-all", methods=["POST"])
@login_required
def withdraw_all_mine() -> Response:
    member = _me()
    person = _my_person(member)
    count = grants.withdraw_all(person, actor=member)
    db.session.commit()
    if count:
        flash(
            f"Everything is withdrawn ({count} grant{'s' if count != 1 else ''}): from now on "
            "you are credited as “A participant” everywhere, for members and the public.",
            "success",
        )
    else:
        flash("You had nothing granted: you are already “A participant” everywhere.", "info")
    return redirect(url_for("consent.mine"))


def saved_message(person: Person, consent: Consent, who: str = "you") -> str:
    """What a new grant means, in the words the person will see."""
    now = shown.in_force(person, consent)
    message = (
        f"Saved: for {consent.audience.label.lower()}, {shown.grant_scope_label(consent)}, "
        f"{who} {'are' if who in ('you', 'they') else 'is'} credited as “{now.reads_as}” "
        "from the next page on."
    )
    if now.raised:
        message += " That is the public's level: members never see less than the public."
    if shown.narrower_grants(person, consent):
        message += " A narrower setting for a series or meeting still applies there."
    return message + _members_too(person, consent)


def withdrawn_message(person: Person, consent: Consent, who: str = "you") -> str:
    """Where the person stands once ``consent`` is withdrawn."""
    now = shown.in_force(person, consent)
    if now.raised:
        source = (
            f"the public's level, from the grant for {shown.grant_scope_label(now.source)}: "
            "members never see less than the public"
        )
    elif now.source is not None:
        source = f"from the grant for {shown.grant_scope_label(now.source)}"
    else:
        source = "the default, as nothing wider is granted"
    return (
        f"Withdrawn: for {consent.audience.label.lower()}, {shown.grant_scope_label(consent)}, "
        f"{who} {'are' if who in ('you', 'they') else 'is'} now credited as "
        f"“{now.reads_as}” ({source})." + _members_too(person, consent)
    )


def _members_too(person: Person, consent: Consent) -> str:
    """For a change to the public's level: what members now read there,
    which it may have raised or lowered."""
    if consent.audience is not ConsentAudience.PUBLIC:
        return ""
    members = shown.in_force(person, consent, ConsentAudience.MEMBER)
    return f" Members of the series read “{members.reads_as}” there."
