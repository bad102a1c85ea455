"""Admin pages: members (role, series, deactivation), invitations and the audit log.

Each view: check the admin role (anonymous → login, others → 403), load (404),
call a service that flushes, commit here, roll back on a refusal."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from notesbase.access import admin_required, current_member
from notesbase.admin import audit_page, service
from notesbase.admin.forms import ConfirmForm, InviteForm, MemberForm, series_choices
from notesbase.audit import recent
from notesbase.auth import invites
from notesbase.auth.service import AccountError, series_by_ids
from notesbase.auth.throttle import limit_invites
from notesbase.db import db
from notesbase.meetings.timeline import timezone_label
from notesbase.models import Invite, Member, utcnow
from notesbase.site import url_for_site

bp = Blueprint("admin", __name__, url_prefix="/admin")

View = str | Response | tuple[str, int]


def _admin() -> Member:
    actor = current_member()
    assert actor is not None  # admin_required ran first
    return actor


def _get_member(member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    return member


@bp.route("/members")
@admin_required
def members() -> str:
    return render_template("admin/members.html", members=service.list_members())


def _member_page(
    member: Member, form: MemberForm, *, activation_error: str | None = None, status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "admin/member.html",
        member=member,
        form=form,
        confirm=ConfirmForm(formdata=None),
        activation_error=activation_error,
        is_self=member.id == _admin().id,
    )
    return page, status


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
@admin_required
def member(member_id: int) -> View:
    member = _get_member(member_id)
    form = MemberForm(role=member.role.value, series=[s.id for s in member.series])
    form.series.choices = series_choices(service.all_series())
    if form.is_submitted():
        if form.validate():
            try:
                service.update_member(
                    _admin(),
                    member,
                    role=form.role.data or "",
                    series=series_by_ids(form.series.data or []),
                )
            except AccountError as error:
                db.session.rollback()
                form[error.field].errors = [error.message]
            else:
                db.session.commit()
                flash(f"Saved the role and series of {member.display_name}.", "success")
                return redirect(url_for("admin.member", member_id=member.id))
        return _member_page(member, form, status=400)
    return _member_page(member, form)


@bp.route("/members/<int:member_id>/deactivate", methods=["POST"])
@admin_required
def deactivate(member_id: int) -> View:
    return _set_active(member_id, active=False)


@bp.route("/members/<int:member_id>/reactivate", methods=["POST"])
@admin_required
def reactivate(member_id: int) -> View:
    return _set_active(member_id, active=True)


def _set_active(member_id: int, *, active: bool) -> View:
    member = _get_member(member_id)
    try:
        ended = service.set_active(_admin(), member, active)
    except AccountError as error:
        db.session.rollback()
        form = MemberForm(
            formdata=None, role=member.role.value, series=[s.id for s in member.series]
        )
        form.series.choices = series_choices(service.all_series())
        return _member_page(member, form, activation_error=error.message, status=400)
    db.session.commit()
    if active:
        flash(f"{member.display_name} can log in again.", "success")
    else:
        flash(
            f"{member.display_name} is deactivated and was logged out of {ended} session(s).",
            "success",
        )
    return redirect(url_for("admin.member", member_id=member.id))


def _invites_page(form: InviteForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "admin/invites.html",
        form=form,
        invites=service.list_invites(),
        state_of=invites.invite_state,
        now=utcnow(),
        confirm=ConfirmForm(formdata=None),
    )
    return page, status


@bp.route("/invites", methods=["GET", "POST"])
@admin_required
@limit_invites
def invite() -> View:
    form = InviteForm()
    form.series.choices = series_choices(service.all_series())
    if not form.is_submitted():
        return _invites_page(form)
    if form.validate():
        try:
            created, token, withdrawn = invites.create_invite(
                email=form.email.data or "",
                role=form.role.data or "",
                series=series_by_ids(form.series.data or []),
                created_by=_admin(),
            )
        except AccountError as error:
            db.session.rollback()
            form[error.field].errors = [error.message]
        else:
            db.session.commit()
            link = url_for_site("auth.accept_invite", token=token)
            return render_template(
                "admin/invite_created.html", invite=created, link=link, withdrawn=withdrawn
            )
    return _invites_page(form, status=400)


@bp.route("/invites/<int:invite_id>/revoke", methods=["POST"])
@admin_required
def revoke_invite(invite_id: int) -> Response:
    invite = db.session.get(Invite, invite_id)
    if invite is None:
        abort(404)
    if invites.revoke_invite(invite, actor=_admin()):
        db.session.commit()
        flash(
            f"The invitation to {invite.email} is withdrawn; its link no longer works.", "success"
        )
    else:
        flash(f"The invitation to {invite.email} was no longer pending.", "info")
    return redirect(url_for("admin.invite"))


@bp.route("/audit")
@admin_required
def audit() -> View:
    """The audit log in words, newest first, a page at a time, filtered by
    who, what and when; never any note text. A filter it cannot read is a
    400 with the reason beside the field."""
    form = audit_page.filter_form(request.args)
    before = request.args.get("before", type=int)
    if not form.validate():
        return render_template("admin/audit.html", form=form, rows=None, before=None), 400
    events = recent(
        limit=audit_page.PAGE_SIZE, before_id=before, where=audit_page.event_filter(form)
    )
    filtered = {
        name: value
        for name, value in request.args.items()
        if name in {"actor", "action", "from", "to", "tz"} and value
    }
    return render_template(
        "admin/audit.html",
        form=form,
        rows=audit_page.rows(events, form.tz.data),
        zone_label=timezone_label(form.tz.data),
        filtered=filtered,
        before=before,
        older=events[-1].id if len(events) == audit_page.PAGE_SIZE else None,
    )
