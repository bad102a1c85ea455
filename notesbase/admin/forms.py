"""Forms of the admin pages: inviting, editing a member, and bare confirmations."""

from __future__ import annotations

from collections.abc import Sequence

from wtforms import EmailField, SelectField, SelectMultipleField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from notesbase.forms import Form
from notesbase.models import Role, Series

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class SeriesCheckboxes(SelectMultipleField):
    """Series membership as a list of checkboxes, one per series."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def series_choices(series: Sequence[Series]) -> list[SelectChoice]:
    return [SelectChoice(s.id, s.title) for s in series]  # type: ignore[arg-type]


class InviteForm(Form):
    email = EmailField("Email", validators=[DataRequired("Enter an email."), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.MEMBER.value)
    series = SeriesCheckboxes("Series", coerce=int)


class MemberForm(Form):
    role = SelectField("Role", choices=ROLE_CHOICES)
    series = SeriesCheckboxes("Series", coerce=int)


class ConfirmForm(Form):
    """A button that changes state: only its CSRF token is posted."""
