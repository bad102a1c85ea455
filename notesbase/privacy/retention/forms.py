"""The facilitators' form for a series' retention schedule. What it asks
for is checked by ``schedule.read_schedule``, as the API's is."""

from __future__ import annotations

from wtforms import RadioField, StringField
from wtforms.fields import SelectChoice

from notesbase.forms import Form
from notesbase.models import RetentionAction, Series

KEEP_CHOICES = [
    SelectChoice("keep", "Keep the full notes until this is changed"),
    SelectChoice("months", "Keep them for a number of months after each meeting, then act"),
]
ACTION_CHOICES = [SelectChoice(action.value, action.label) for action in RetentionAction]


class RetentionForm(Form):
    keep = RadioField("How long", choices=KEEP_CHOICES, default="keep", validate_choice=False)
    months = StringField("Months after each meeting (1 to 600)")
    action = RadioField("Then", choices=ACTION_CHOICES, validate_choice=False)

    def fill(self, series: Series) -> None:
        self.keep.data = "keep" if series.retention_months is None else "months"
        self.months.data = str(series.retention_months or "")
        self.action.data = series.retention_action.value if series.retention_action else None
