"""Forms for logging in, managing one's own account and accepting an invitation."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from notesbase.auth.service import DISPLAY_NAME_MAX, password_length_problem
from notesbase.forms import Form


def password_length(form: Any, field: Any) -> None:
    """PASSWORD_MIN_LENGTH to PASSWORD_MAX_LENGTH characters, read at request time."""
    problem = password_length_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _new_password(label: str) -> PasswordField:
    return PasswordField(label, validators=[InputRequired("Choose a password."), password_length])


def _confirm(other: str) -> PasswordField:
    return PasswordField(
        "Type the new password again",
        validators=[
            InputRequired("Type the password again."),
            EqualTo(other, "The two passwords are not the same."),
        ],
    )


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    # No length rule here: an over-long password is simply a failed login.
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class DisplayNameForm(Form):
    display_name = StringField(
        "Display name",
        validators=[DataRequired("Enter a name."), Length(max=DISPLAY_NAME_MAX)],
    )


class PasswordChangeForm(Form):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password.")]
    )
    new_password = _new_password("New password")
    confirm_password = _confirm("new_password")


class AcceptInviteForm(Form):
    display_name = StringField(
        "Your name as other members will see it",
        validators=[DataRequired("Enter a name."), Length(max=DISPLAY_NAME_MAX)],
    )
    new_password = _new_password("Choose a password")
    confirm_password = _confirm("new_password")
