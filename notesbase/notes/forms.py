"""Forms of the facilitators' notes editor. They check the shape of the
input; the services (``items``, ``people``, ``notes_import``) check the rest
and raise ``NotesError`` naming the field, which ``show_error`` puts beside it."""

from __future__ import annotations

from typing import Any

import wtforms
from flask_wtf.file import FileField
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from notesbase.disclosure import Confidentiality, Kind
from notesbase.forms import Form, ManyOptions
from notesbase.models import Item, Person
from notesbase.notes.errors import NotesError
from notesbase.notes.items import BODY_MAX, SECTION_MAX, ItemFields
from notesbase.notes.notes_import import ImportMode
from notesbase.notes.people import NAME_MAX, PersonFields

NO_SPEAKER = ""
AT_THE_END = ""
IMPORT_TEXT_MAX = 1_000_000

CONFIDENTIALITY_CHOICES = [
    SelectChoice(Confidentiality.OPEN.value, "Open: members and the public write-up"),
    SelectChoice(Confidentiality.MEMBERS.value, "Members only: left out of the public write-up"),
    SelectChoice(Confidentiality.CONFIDENTIAL.value, "Confidential: facilitators only"),
]
# Service error fields -> form fields.
FIELD_NAMES = {
    "name": "new_name",
    "affiliation": "new_affiliation",
    "descriptor": "new_descriptor",
    "email": "new_name",
}


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def show_error(form: Form, error: NotesError) -> None:
    """Put a service's error beside its field (or above the form)."""
    name = FIELD_NAMES.get(error.field, error.field)
    if name in form:
        field = form[name]
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def person_label(person: Person) -> str:
    return f"{person.name} ({person.affiliation})" if person.affiliation else person.name


def excerpt(text: str, length: int = 60) -> str:
    words = " ".join(text.split())
    return words if len(words) <= length else words[: length - 1].rstrip() + "…"


class ItemForm(Form):
    """The fields an item has, and a new speaker made on the way."""

    kind = SelectField(
        "Kind", choices=[SelectChoice(k.value, k.label) for k in Kind], default=Kind.POINT
    )
    speaker = SelectField("Speaker", default=NO_SPEAKER, widget=ManyOptions())
    new_name = StringField(
        "New speaker's name", filters=[_strip], validators=[Length(max=NAME_MAX)]
    )
    new_affiliation = StringField(
        "Their affiliation", filters=[_strip], validators=[Length(max=NAME_MAX)]
    )
    new_descriptor = StringField(
        "Their own description", filters=[_strip], validators=[Length(max=NAME_MAX)]
    )
    section = StringField(
        "Section heading",
        filters=[_strip],
        validators=[Length(max=SECTION_MAX)],
        render_kw={"list": "section-names"},
    )
    confidentiality = RadioField(
        "Confidentiality", choices=CONFIDENTIALITY_CHOICES, default=Confidentiality.OPEN
    )
    body = TextAreaField(
        "Text",
        validators=[
            DataRequired("Write what was said or agreed."),
            Length(max=BODY_MAX, message=f"An item is at most {BODY_MAX:,} characters long."),
        ],
        render_kw={"rows": 6, "class": "item-body"},
    )

    def set_people(self, people: list[Person]) -> None:
        self.speaker.choices = [SelectChoice(NO_SPEAKER, "No speaker recorded")] + [
            SelectChoice(str(p.id), person_label(p)) for p in people
        ]

    def focus_body(self) -> None:
        """Put the cursor in the text when the page opens (typing goes on)."""
        self.body.render_kw = {**(self.body.render_kw or {}), "autofocus": True}

    def validate_new_name(self, field: StringField) -> None:
        if field.data and self.speaker.data:
            raise ValidationError("Choose a speaker from the list or enter a new one, not both.")
        if not field.data and (self.new_affiliation.data or self.new_descriptor.data):
            raise ValidationError("Give the new speaker's name too.")

    def new_person(self) -> PersonFields | None:
        if not self.new_name.data:
            return None
        return PersonFields(
            name=self.new_name.data,
            affiliation=self.new_affiliation.data or "",
            descriptor=self.new_descriptor.data or "",
        )

    def item_fields(self, speaker_id: int | None) -> ItemFields:
        if speaker_id is None and self.speaker.data:
            speaker_id = int(self.speaker.data)
        return ItemFields(
            kind=Kind(self.kind.data),
            body=self.body.data or "",
            section=self.section.data or "",
            speaker_id=speaker_id,
            confidentiality=Confidentiality(self.confidentiality.data),
        )


class NewItemForm(ItemForm):
    after = SelectField("Place", default=AT_THE_END, widget=ManyOptions())

    def set_items(self, items: list[Item]) -> None:
        self.after.choices = [SelectChoice(AT_THE_END, "At the end")] + [
            SelectChoice(str(i.id), f"After {i.position}. {i.kind.label}: {excerpt(i.body)}")
            for i in items
        ]


class EditItemForm(ItemForm):
    # The version the facilitator started from: a later one means a clash.
    version = HiddenField(
        "Version",
        validators=[
            InputRequired("The form lost the item's version: reload the item and edit it again.")
        ],
    )

    def fill(self, item: Item) -> None:
        self.kind.data = item.kind.value
        self.speaker.data = str(item.speaker_id) if item.speaker_id else NO_SPEAKER
        self.section.data = item.section
        self.confidentiality.data = item.confidentiality.value
        self.body.data = item.body
        self.version.data = str(item.version)

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data or "")
        except ValueError:
            return None


class ConfirmForm(Form):
    """A button that only does something when posted from our own page."""


class ImportForm(Form):
    file = FileField("Notes file (.md or .txt)")
    text = TextAreaField(
        "Or paste the notes",
        validators=[Length(max=IMPORT_TEXT_MAX)],
        render_kw={"rows": 14, "class": "item-body"},
    )
    mode = RadioField(
        "If the meeting already has notes",
        choices=[
            SelectChoice(ImportMode.REFUSE.value, "Stop: import only into a meeting without notes"),
            SelectChoice(ImportMode.APPEND.value, "Add the imported items after the ones there"),
            SelectChoice(ImportMode.REPLACE.value, "Replace: delete the items there first"),
        ],
        default=ImportMode.REFUSE.value,
    )

    def validate_text(self, field: TextAreaField) -> None:
        has_file = bool(self.file.data and getattr(self.file.data, "filename", ""))
        if has_file and (field.data or "").strip():
            raise ValidationError("Upload a file or paste the notes, not both.")
        if not has_file and not (field.data or "").strip():
            raise ValidationError("Choose a notes file to upload, or paste the notes here.")

    def validate_file(self, field: FileField) -> None:
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        if not upload.filename.lower().endswith((".md", ".txt", ".markdown")):
            raise ValidationError("Upload a .md or .txt file.")

    def notes_text(self) -> str:
        """The text to import: the pasted notes, or the uploaded file as UTF-8."""
        upload = self.file.data
        if upload and getattr(upload, "filename", ""):
            try:
                return str(upload.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                raise NotesError("file", "The file is not UTF-8 text; save it as UTF-8.") from None
        return self.text.data or ""


class PositionEntry(wtforms.Form):
    """One item's place in the reorder form (a sub-form: CSRF is the parent's)."""

    item_id = HiddenField()
    position = IntegerField(
        "Position",
        validators=[
            InputRequired("Give a position number."),
            NumberRange(min=1, max=100_000, message="Use a whole number from 1."),
        ],
    )


class ReorderForm(Form):
    entries = FieldList(FormField(PositionEntry), max_entries=10_000)

    def fill(self, items: list[Item]) -> None:
        for number, item in enumerate(items, start=1):
            self.entries.append_entry({"item_id": str(item.id), "position": number})

    def ordered_ids(self) -> list[int]:
        """The item ids sorted by the numbers typed; ties keep their old order."""
        rows = []
        for index, entry in enumerate(self.entries):
            try:
                item_id = int(entry.item_id.data or "")
            except ValueError:
                raise NotesError(
                    "order", "The order must list every item of this meeting once."
                ) from None
            rows.append((entry.position.data, index, item_id))
        return [item_id for _position, _index, item_id in sorted(rows)]


class MoveForm(Form):
    """Move one item a place up or down (the button pressed names which)."""

    direction = SelectField(
        choices=[SelectChoice("up", "Move up"), SelectChoice("down", "Move down")]
    )
