"""Logging in and out, one's own account, and accepting an invitation."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import Length

from notesbase import audit
from notesbase.access import current_member, login_required
from notesbase.auth import invites, service, sessions, throttle, tokens
from notesbase.auth.forms import AcceptInviteForm, DisplayNameForm, LoginForm, PasswordChangeForm
from notesbase.auth.redirects import safe_next
from notesbase.db import db
from notesbase.forms import Form
from notesbase.models import ApiToken

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "That email and password do not match an active account."
INVITE_UNUSABLE = (
    "This invitation link cannot be used. It may have been used already, have expired "
    "or have been withdrawn. Please ask the person who invited you for a new link."
)

View = str | Response | tuple[str, int]


class ApiTokenForm(Form):
    name = StringField("What is the token for?", validators=[Length(max=tokens.NAME_MAX)])


class RevokeTokenForm(Form):
    """Only the CSRF token: the token to revoke is in the URL."""


# Flask-Limiter scope of each login limit -> how the audit log names it.
LOGIN_LIMITS = {"login-address": "per address", "login-email": "per email"}


@bp.errorhandler(RateLimitExceeded)
def throttled(error: RateLimitExceeded) -> tuple[str, int]:
    """429 for a throttled login (audited); Flask-Limiter adds the Retry-After header."""
    wait = throttle.wait_phrase(throttle.seconds_until_retry())
    if request.endpoint != "auth.login":
        message = f"Too many attempts. Please try again in {wait}."
        return render_template("errors.html", code=429, message=message), 429
    limit = LOGIN_LIMITS.get(getattr(error.limit, "scope", ""), "login")
    if service.record_throttled_login(
        request.form.get("email", ""), limit=limit, address=request.remote_addr
    ):
        db.session.commit()
    message = (
        f"Too many login attempts. To protect the account, logging in is paused: "
        f"please try again in {wait}."
    )
    return render_template("errors.html", code=429, message=message), 429


@bp.route("/login", methods=["GET", "POST"])
@throttle.limit_per_address
@throttle.limit_failures_per_email
def login() -> View:
    form = LoginForm()
    if request.method != "POST":
        form.next.data = safe_next(request.args.get("next"))
        return render_template("auth/login.html", form=form)
    if not form.validate():
        return render_template("auth/login.html", form=form), 400
    password = form.password.data or ""
    member = None
    if len(password) <= int(current_app.config["PASSWORD_MAX_LENGTH"]):
        member = service.authenticate(form.email.data or "", password)
    if member is None:
        service.record_failed_login(form.email.data or "", address=request.remote_addr)
        db.session.commit()
        form.password.errors = [LOGIN_FAILED]
        return render_template("auth/login.html", form=form), throttle.FAILED_LOGIN_STATUS
    sessions.start(member, remember=bool(form.remember.data))
    audit.record("account.login", "member", member.id, actor=member)
    db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("meetings.index"))


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    member = current_member()
    if member is not None:
        audit.record("account.logout", "member", member.id, actor=member)
    sessions.end_current()
    db.session.commit()
    flash("You have logged out.", "info")
    return redirect(url_for("meetings.index"))


def _account_page(
    name_form: DisplayNameForm | None = None,
    password_form: PasswordChangeForm | None = None,
    status: int = 200,
    token_form: ApiTokenForm | None = None,
    new_token: str | None = None,
) -> tuple[str, int]:
    member = current_member()
    if name_form is None:
        name_form = DisplayNameForm(
            formdata=None, display_name=member.display_name if member else ""
        )
    page = render_template(
        "auth/account.html",
        member=member,
        name_form=name_form,
        password_form=password_form or PasswordChangeForm(formdata=None),
        token_form=token_form or ApiTokenForm(formdata=None),
        revoke_form=RevokeTokenForm(formdata=None),
        api_tokens=tokens.list_tokens(member) if member else [],
        new_token=new_token,
    )
    return page, status


@bp.route("/account")
@login_required
def account() -> tuple[str, int]:
    return _account_page()


@bp.route("/account/name", methods=["POST"])
@login_required
def account_name() -> View:
    form = DisplayNameForm()
    member = current_member()
    assert member is not None
    if form.validate():
        try:
            service.rename(member, form.display_name.data or "")
        except service.AccountError as error:
            db.session.rollback()
            form.display_name.errors = [error.message]
        else:
            db.session.commit()
            flash("Your display name is changed.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(name_form=form, status=400)


@bp.route("/account/password", methods=["POST"])
@login_required
def account_password() -> View:
    form = PasswordChangeForm()
    member = current_member()
    assert member is not None
    if form.validate():
        try:
            ended = service.change_password(
                member,
                form.current_password.data or "",
                form.new_password.data or "",
                keep_token=sessions.current_token(),
            )
        except service.AccountError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            others = f" You were logged out on {ended} other device(s)." if ended else ""
            flash(f"Your password is changed.{others}", "success")
            return redirect(url_for("auth.account"))
    return _account_page(password_form=form, status=400)


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token() -> View:
    """Make an API token and show it once, on this page (never in a redirect
    or a flash message, which would carry it in the cookie)."""
    form = ApiTokenForm()
    member = current_member()
    assert member is not None
    if form.validate():
        try:
            _row, token = tokens.create_token(member, form.name.data or "", actor=member)
        except tokens.TokenError as error:
            db.session.rollback()
            form.name.errors = [error.message]
        else:
            db.session.commit()
            return _account_page(token_form=ApiTokenForm(formdata=None), new_token=token)
    return _account_page(token_form=form, status=422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> View:
    form = RevokeTokenForm()
    member = current_member()
    assert member is not None
    if not form.validate():
        abort(400)
    row = db.session.get(ApiToken, token_id)
    if row is None or row.member_id != member.id:
        abort(404)
    if tokens.revoke_token(row, actor=member):
        db.session.commit()
        flash(f"Token {row.name or row.id} is revoked: it no longer works.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@throttle.limit_invite_links
def accept_invite(token: str) -> View:
    invite = invites.find_usable_invite(token)
    if invite is None:
        return render_template("errors.html", code=404, message=INVITE_UNUSABLE), 404
    form = AcceptInviteForm()
    if request.method == "POST" and form.validate():
        try:
            member = invites.accept_invite(
                invite,
                display_name=form.display_name.data or "",
                password=form.new_password.data or "",
            )
        except service.AccountError as error:
            db.session.rollback()
            if error.field == "invite":
                return render_template("errors.html", code=404, message=INVITE_UNUSABLE), 404
            if error.field == "email":
                return render_template("errors.html", code=409, message=error.message), 409
            _field_error(form, error)
        else:
            sessions.start(member)
            db.session.commit()
            flash(f"Welcome, {member.display_name}. Your account is ready.", "success")
            return redirect(url_for("meetings.index"))
    status = 400 if request.method == "POST" else 200
    response = make_response(render_template("auth/invite.html", form=form, invite=invite), status)
    response.headers["Cache-Control"] = "no-store"  # the page is reached by a secret link
    return response


def _field_error(form: Any, error: service.AccountError) -> None:
    """Put a service's refusal beside the field it concerns."""
    if error.field in form:
        form[error.field].errors = [error.message]
    else:  # every AccountError should name a field of its form; refuse plainly if not
        abort(400, error.message)
