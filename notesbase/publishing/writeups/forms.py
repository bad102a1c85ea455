"""Forms of the write-up pages: the summary and the chosen items, and the
publish / unpublish buttons. Each carries the version the facilitator saw,
so a change made meanwhile by someone else is a 409, not a silent overwrite."""

from __future__ import annotations

from wtforms import HiddenField, SelectMultipleField, TextAreaField
from wtforms.validators import Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from notesbase.forms import Form
from notesbase.publishing.writeups.errors import WriteupError
from notesbase.publishing.writeups.service import SUMMARY_MAX


def _version(field: HiddenField) -> None:
    value = (field.data or "").strip()
    if not value.isdigit() or len(value) > 9:
        raise ValidationError("Reload the page: the form lost track of the write-up's version.")


class VersionedForm(Form):
    version = HiddenField(default="0")

    def validate_version(self, field: HiddenField) -> None:
        _version(field)

    def expected_version(self) -> int:
        return int(self.version.data)


class WriteupForm(VersionedForm):
    summary = TextAreaField(
        "Summary",
        validators=[
            Length(max=SUMMARY_MAX, message=f"A summary is at most {SUMMARY_MAX:,} characters.")
        ],
        render_kw={"rows": 10},
    )
    items = SelectMultipleField(
        "Items in the write-up",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )

    def set_choices(self, item_ids: list[int]) -> None:
        self.items.choices = [(item_id, f"Item {item_id}") for item_id in item_ids]

    def chosen(self) -> list[int]:
        return list(self.items.data or [])

    def show_error(self, error: WriteupError) -> None:
        """Put a service's error beside its field (or above the form)."""
        if error.field in self:
            field = self[error.field]
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


class PublishForm(VersionedForm):
    """Publish the write-up as it was when the page was shown."""


class UnpublishForm(Form):
    """Take the write-up out of public view (no version: always allowed)."""
