"""Logging in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from notesbase.auth import sessions
from notesbase.auth.forms import LoginForm
from notesbase.auth.passwords import verify_password
from notesbase.auth.redirects import safe_next
from notesbase.auth.service import find_member_by_email
from notesbase.db import db

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "That email and password do not match an active account."


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        member = find_member_by_email(form.email.data or "")
        password_ok = verify_password(
            member.password_hash if member else None, form.password.data or ""
        )
        if member is not None and member.active and password_ok:
            sessions.start(member, remember=bool(form.remember.data))
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("meetings.index"))
        form.password.errors = [LOGIN_FAILED]
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    sessions.end_current()
    db.session.commit()
    flash("You have logged out.", "info")
    return redirect(url_for("meetings.index"))


@bp.route("/account")
def account() -> str:
    """Placeholder until the account page lands."""
    return render_template("errors.html", code=200, message="Your account")
