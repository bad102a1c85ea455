"""``/privacy`` for everyone, and ``/admin/privacy`` where an admin sets its
text (CSRF, audited ``site.privacy_notice``). Thin: the service decides."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from notesbase.access import admin_required, current_member
from notesbase.db import db
from notesbase.forms import Form
from notesbase.privacy.notice import service

bp = Blueprint("privacy", __name__)
INVALID = 422


class NoticeForm(Form):
    text = TextAreaField(
        "The notice, in Markdown",
        validators=[
            Optional(),
            Length(max=service.NOTICE_MAX, message="The notice is too long."),
        ],
    )


@bp.route("/privacy")
def notice() -> str:
    return render_template(
        "privacy/notice.html", html=service.notice_html(), schedules=service.schedules()
    )


@bp.route("/admin/privacy", methods=["GET", "POST"])
@admin_required
def edit() -> str | Response | tuple[str, int]:
    setting = service.stored()
    form = NoticeForm(text=setting.value if setting is not None else "")
    if form.validate_on_submit():
        try:
            changed = service.set_notice(form.text.data or "", actor=current_member())
        except service.NoticeError as error:
            db.session.rollback()
            form.text.errors = [str(error)]
        else:
            db.session.commit()
            flash("The privacy notice is saved." if changed else "Nothing changed.", "success")
            return redirect("/privacy")
    page = render_template(
        "privacy/edit.html", form=form, default=service.default_text(), custom=setting is not None
    )
    return (page, INVALID) if form.is_submitted() else page
