"""The leak-check page's forms: an override at one place (every channel it
is listed for there), and the two quick fixes at an item."""

from __future__ import annotations

import re

from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from notesbase.forms import Form
from notesbase.publishing.leakcheck.check import REASON_MAX
from notesbase.publishing.leakcheck.fixes import TEXT_MAX

RELOAD = "This finding is no longer listed: reload the page."
FINDINGS_MAX = 2000
_FINDING = re.compile(r"([\w.-]{1,20}):([0-9a-f]{1,64})", re.ASCII)
LEVELS = ["members", "confidential"]


class OverrideForm(Form):
    """An override at one place: the findings it covers there (each
    ``channel:key``, space-separated), the written reason, where to go back."""

    findings = HiddenField(
        "Findings",
        validators=[DataRequired(RELOAD), Length(max=FINDINGS_MAX, message=RELOAD)],
    )
    reason = StringField(
        "Why is this not a leak?",
        validators=[
            DataRequired("Write why this is not a leak."),
            Length(max=REASON_MAX, message=f"A reason is at most {REASON_MAX:,} characters."),
        ],
    )
    next = HiddenField()

    def validate_findings(self, field: HiddenField) -> None:
        if not self.pairs():
            raise ValidationError(RELOAD)

    def pairs(self) -> list[tuple[str, str]]:
        """The (channel, key) pairs sent, or [] when any is malformed."""
        values = (self.findings.data or "").split()
        found = [_FINDING.fullmatch(value) for value in values]
        if not values or not all(found):
            return []
        return list(dict.fromkeys((m[1], m[2]) for m in found if m))


class _ItemFix(Form):
    item = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(RELOAD), NumberRange(min=1, message=RELOAD)]
    )
    version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(RELOAD), NumberRange(min=1, message=RELOAD)]
    )
    level = HiddenField(
        validators=[
            InputRequired(RELOAD),
            AnyOf(LEVELS, message="Choose members-only or confidential."),
        ]
    )
    next = HiddenField()


class WordsFixForm(_ItemFix):
    """Put the words found behind a span of ``level`` in one item."""

    text = HiddenField(
        validators=[
            DataRequired(RELOAD),
            Length(max=TEXT_MAX, message=f"The words are at most {TEXT_MAX} characters."),
        ]
    )


class ItemFixForm(_ItemFix):
    """Raise one item's confidentiality to ``level``."""
