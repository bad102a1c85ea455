"""Forms of the consent pages: setting a level, recording consent given in
the room, and a person's details. They check shape; the services check the
rest (a scope the reader may not use is simply not among the choices)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms import EmailField, RadioField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from notesbase.consent.grants import NOTE_MAX
from notesbase.consent.shown import ScopeChoice
from notesbase.disclosure import ConsentAudience, Level
from notesbase.forms import Form
from notesbase.notes.people import NAME_MAX, PersonFields

DEFAULT_NOTE = "Recorded by a facilitator"
AUDIENCE_CHOICES = [SelectChoice(a.value, a.label) for a in ConsentAudience]
LEVEL_CHOICES = [SelectChoice(level.value, level.label) for level in Level]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def scope_select_choices(choices: Sequence[ScopeChoice]) -> list[SelectChoice]:
    """Scopes grouped for a <select>: everywhere, series, meetings."""
    groups = []
    for choice in choices:
        group = "Meetings" if choice.meeting else "Series" if choice.series else None
        groups.append(SelectChoice(choice.key, choice.label, optgroup=group))
    return groups


class ConsentForm(Form):
    """How a person may be credited, for one audience, in one scope."""

    # A missing or unknown choice gets the field's own message (a SelectField
    # checks its choices itself, so no DataRequired: it would add a second one).
    audience = RadioField("Who reads it", choices=AUDIENCE_CHOICES)
    scope = SelectField("Where it applies")
    level = RadioField("How you are credited", choices=LEVEL_CHOICES)

    def __init__(self, *args: Any, scopes: Sequence[ScopeChoice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope.choices = scope_select_choices(scopes)  # type: ignore[assignment]
        self.audience.invalid_choice_message = "Choose who this is for: members or the public."
        self.scope.invalid_choice_message = "Choose one of the places listed."
        self.level.invalid_choice_message = "Choose one of the four levels."


class RecordConsentForm(ConsentForm):
    """Consent a facilitator records for someone, e.g. given in the room."""

    level = RadioField("How they may be credited", choices=LEVEL_CHOICES)
    note = StringField(
        "Note",
        filters=[_strip],
        validators=[Length(max=NOTE_MAX)],
        render_kw={"placeholder": "given in the room"},
    )

    @property
    def note_text(self) -> str:
        return self.note.data or DEFAULT_NOTE


class PersonForm(Form):
    name = StringField(
        "Name",
        filters=[_strip],
        validators=[DataRequired("Enter the person's name."), Length(max=NAME_MAX)],
    )
    affiliation = StringField("Affiliation", filters=[_strip], validators=[Length(max=NAME_MAX)])
    descriptor = StringField(
        "Descriptor",
        filters=[_strip],
        validators=[Length(max=NAME_MAX)],
        render_kw={"placeholder": "a local authority data lead"},
    )
    email = EmailField("Email", filters=[_strip], validators=[Optional(), Length(max=254)])
    member_email = EmailField(
        "Member account", filters=[_strip], validators=[Optional(), Length(max=254)]
    )

    def fields(self) -> PersonFields:
        return PersonFields(
            name=self.name.data or "",
            affiliation=self.affiliation.data or "",
            descriptor=self.descriptor.data or "",
            email=self.email.data or None,
        )

    def fill(self, person: Any) -> None:
        self.name.data = person.name
        self.affiliation.data = person.affiliation
        self.descriptor.data = person.descriptor
        self.email.data = person.email or ""
        self.member_email.data = person.member.email if person.member else ""


class DescriptorForm(Form):
    """The person's own description of themselves, used at the descriptor level."""

    descriptor = StringField(
        "How you describe yourself",
        filters=[_strip],
        validators=[Length(max=NAME_MAX)],
        render_kw={"placeholder": "a local authority data lead"},
    )


class ConfirmForm(Form):
    """A button that changes state: only its CSRF token is posted."""


def place_error(form: Form, field: str, message: str, fallback: str) -> None:
    """Show a service's refusal beside the field it names (or ``fallback``)."""
    target = form._fields.get(field) or form._fields[fallback]
    target.errors = [*target.errors, message]
