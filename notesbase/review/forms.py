"""Forms of the review pages. They check shape; the services check the rest."""

from __future__ import annotations

from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from notesbase.disclosure import ConsentAudience, Level
from notesbase.forms import Form
from notesbase.models import RequestKind
from notesbase.review.requests import COMMENT_MAX, REASON_MAX

SCOPES = [
    SelectChoice("meeting", "This meeting"),
    SelectChoice("series", "Every meeting of this series"),
    SelectChoice("everywhere", "Everywhere"),
]


class OpenForm(Form):
    deadline = DateField("Deadline (the end of that day, where the meeting was held)")


class ActionForm(Form):
    """A button: the CSRF token is all it carries."""


class RejectForm(Form):
    reason = TextAreaField(
        "Reason (sent to the person)", validators=[DataRequired(), Length(max=REASON_MAX)]
    )


class ReviewConsentForm(Form):
    audience = RadioField(
        "Who reads it", choices=[SelectChoice(a.value, a.label) for a in ConsentAudience]
    )
    scope = SelectField("Where it applies", choices=SCOPES)
    level = RadioField(
        "How you are credited", choices=[SelectChoice(v.value, v.label) for v in Level]
    )


class RequestForm(Form):
    item = StringField("Item", validators=[DataRequired()])
    kind = RadioField("What you ask", choices=[SelectChoice(k.value, k.label) for k in RequestKind])
    suggested = TextAreaField("The text as you would have it", validators=[Optional()])
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=COMMENT_MAX)])
