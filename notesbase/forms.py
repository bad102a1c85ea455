"""The base of every form: WTForms' own messages said in plain words.

WTForms words its built-in messages for developers ("Not a valid integer
value.", "Field cannot be longer than 80 characters."). Its translation hook
lets every form say them the way the rest of the app speaks, in one place."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.widgets import Select

from notesbase.text import removed_characters

# WTForms' English message -> what a reader of this app is told instead.
PLAIN_WORDS = {
    "This field is required.": "Fill this in.",
    "Not a valid choice.": "Choose one of the options listed.",
    "Invalid Choice: could not coerce.": "Choose one of the options listed.",
    "'%(value)s' is not a valid choice for this field.": "Choose only from the options listed.",
    "'%(value)s' are not valid choices for this field.": "Choose only from the options listed.",
    "Not a valid integer value.": "Give a whole number, such as 10.",
    "Not a valid decimal value.": "Give a number, such as 2.5.",
    "Not a valid float value.": "Give a number, such as 2.5.",
    "Not a valid date value.": "Give a real date as year-month-day, such as 2025-03-14.",
    "Not a valid datetime value.": "Give a date and time, such as 2025-03-14 18:30.",
    "Not a valid time value.": "Give the time as hours and minutes, such as 18:30.",
    "Invalid email address.": "Give an email address, such as name@example.org.",
    "Invalid URL.": "Give a web address starting with https://.",
    "Field cannot be longer than %(max)d character.": "Use at most %(max)d character.",
    "Field cannot be longer than %(max)d characters.": "Use at most %(max)d characters.",
    "Field must be at least %(min)d character long.": "Use at least %(min)d character.",
    "Field must be at least %(min)d characters long.": "Use at least %(min)d characters.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Use from %(min)d to %(max)d characters."
    ),
    "Number must be at least %(min)s.": "Give a number of %(min)s or more.",
    "Number must be at most %(max)s.": "Give a number of %(max)s or less.",
    "Number must be between %(min)s and %(max)s.": "Give a number from %(min)s to %(max)s.",
}


class PlainWords:
    """A WTForms translations object that swaps in ``PLAIN_WORDS``."""

    def gettext(self, string: str) -> str:
        return PLAIN_WORDS.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


PLAIN = PlainWords()


class Form(FlaskForm):
    """A FlaskForm (CSRF and all) whose built-in messages are in plain words."""

    class Meta:
        def get_translations(self, form: object) -> PlainWords:
            return PLAIN

    def validate(self, extra_validators: Any = None) -> bool:
        """As WTForms, except that a field whose input could not be read
        ("abc" for a number) says only that: its range or length rules,
        checked against no value, would add a second, confusing message.
        A blank field keeps its own "required" message."""
        valid = super().validate(extra_validators)
        for field in self:
            typed = any(str(value).strip() for value in field.raw_data or ())
            if field.process_errors and typed:
                field.errors = list(field.process_errors)
        return valid


class ManyOptions(Select):
    """WTForms' select, each plain option (a value and a label, nothing
    else) written in one step: the same HTML as WTForms writes, for lists
    of hundreds of options (every item of a long meeting, every person)."""

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        value = escape(choice.value)
        label = escape(choice.label or choice.value)
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{value}">{label}</option>')  # noqa: S704 - escaped


def flash_removed(form: Form) -> None:
    """Tell the writer which hidden characters (bidi overrides, fillers,
    zero-width spaces) storing what they typed into ``form`` took out,
    field by field: never silently (``text.removed_characters``)."""
    parts = []
    for field in form:
        if not isinstance(field, StringField) or isinstance(field, PasswordField):
            continue
        typed = field.raw_data[0] if field.raw_data else None
        one_line = not isinstance(field, TextAreaField)
        found = removed_characters(str(typed or ""), one_line=one_line)
        if found:
            parts.append(f"{field.label.text}: {', '.join(found)}")
    if parts:
        flash(
            "Hidden characters were taken out before saving, because they can disguise "
            "or reverse text (" + "; ".join(parts) + "). Check the text reads as you meant.",
            "warning",
        )
