"""Forms of the admin pages: inviting, editing a member, and bare confirmations."""

from __future__ import annotations

from collections.abc import Sequence

from wtforms import DateField, EmailField, SelectField, SelectMultipleField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from notesbase.forms import Form
from notesbase.meetings.timeline import is_known_timezone
from notesbase.models import Role, Series
from notesbase.series_names import series_labels

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class SeriesCheckboxes(SelectMultipleField):
    """Series membership as a list of checkboxes, one per series."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def series_choices(series: Sequence[Series]) -> list[SelectChoice]:
    """One checkbox per series, its slug beside any title two series share."""
    labels = series_labels(series)
    return [SelectChoice(s.id, labels[s.id]) for s in series]  # type: ignore[arg-type]


class InviteForm(Form):
    email = EmailField("Email", validators=[DataRequired("Enter an email."), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.MEMBER.value)
    series = SeriesCheckboxes("Series", coerce=int)


class MemberForm(Form):
    role = SelectField("Role", choices=ROLE_CHOICES)
    series = SeriesCheckboxes("Series", coerce=int)


class ConfirmForm(Form):
    """A button that changes state: only its CSRF token is posted."""


class AuditFilterForm(Form):
    """The audit page's filter: a GET form that changes nothing, so no CSRF.
    Choices are set by the view; dates are read in the chosen time zone."""

    class Meta:
        csrf = False

    actor = SelectField("Who", default="")
    action = SelectField("What", default="")
    since = DateField("From", name="from", validators=[Optional()])
    until = DateField("To", name="to", validators=[Optional()])
    tz = SelectField("Times in", validate_choice=False, validators=[Optional(), Length(max=64)])

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")

    def validate_tz(self, field: SelectField) -> None:
        if field.data and not is_known_timezone(field.data):
            raise ValidationError(
                "Give a time zone name like Europe/London or America/New_York (IANA time zone)."
            )
