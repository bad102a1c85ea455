"""Forms facilitators use to create and edit series and meetings. They check
the shape of the input; uniqueness is checked by the service, which owns it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from notesbase.forms import Form
from notesbase.meetings import service
from notesbase.meetings.timeline import DEFAULT_TIMEZONE, is_known_timezone, status_of
from notesbase.meetings.topics import clean_topic_names
from notesbase.models import MeetingFormat, MeetingStatus, utcnow
from notesbase.text import clean_line, clean_text, slugify

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Paths under /series/ that a series slug would hide.
RESERVED_SLUGS = frozenset({"new"})
MAX_TOPICS = 20
MAX_TOPIC_LENGTH = 120
MAX_MEETING_NUMBER = 100_000
MAX_TEXT = 50_000


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _line(value: Any) -> Any:
    """A one-line field as it will be stored, so "required" sees what is left
    once invisible and control characters are gone."""
    return clean_line(value) if isinstance(value, str) else value


def _text(value: Any) -> Any:
    return clean_text(value).strip() if isinstance(value, str) else value


def _slug(form: Form, field: StringField) -> None:
    value = field.data or ""
    if not SLUG_PATTERN.fullmatch(value):
        raise ValidationError(
            "Use lowercase letters, digits and single hyphens only, e.g. community-of-practice."
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(f"'{value}' is reserved; choose another slug.")


def _timezone(form: Form, field: StringField) -> None:
    if not is_known_timezone(field.data or ""):
        raise ValidationError(
            "Give a time zone name like Europe/London or America/New_York (IANA time zone)."
        )


def _http_url(form: Form, field: URLField) -> None:
    value = field.data or ""
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        raise ValidationError("Give a web address starting with https:// or http://.")


def _topics(form: Form, field: StringField) -> None:
    names = topic_names(field.data)
    if len(names) > MAX_TOPICS:
        raise ValidationError(f"Give at most {MAX_TOPICS} topics.")
    too_long = [n for n in names if len(n) > MAX_TOPIC_LENGTH]
    if too_long:
        raise ValidationError(f"Keep each topic under {MAX_TOPIC_LENGTH} characters.")


def topic_names(text: str | None) -> list[str]:
    """The topics typed as 'Public sector, Open data'."""
    return clean_topic_names((text or "").split(","))


class SeriesForm(Form):
    title = StringField(
        "Title",
        filters=[_line],
        validators=[DataRequired("Give the series a title."), Length(max=200)],
    )
    slug = StringField(
        "Web address name (slug)",
        filters=[_strip],
        validators=[
            DataRequired("Give a slug, or a title to make one from."),
            Length(max=80),
            _slug,
        ],
    )
    description = TextAreaField("Description", filters=[_text], validators=[Length(max=MAX_TEXT)])

    def validate(self, extra_validators: Any = None) -> bool:
        if not self.slug.data and self.title.data:
            self.slug.data = slugify(self.title.data)
        return super().validate(extra_validators)

    def fields(self) -> service.SeriesFields:
        return service.SeriesFields(
            slug=self.slug.data or "",
            title=self.title.data or "",
            description=self.description.data or "",
        )

    def fill(self, series: Any) -> None:
        self.slug.data = series.slug
        self.title.data = series.title
        self.description.data = series.description


FORMAT_CHOICES = [
    SelectChoice("", "Not stated"),
    *(SelectChoice(f.value, f.label) for f in MeetingFormat),
]
STATUS_CHOICES = [SelectChoice(s.value, s.label) for s in MeetingStatus]


class MeetingForm(Form):
    number = IntegerField(
        "Number",
        validators=[
            InputRequired("Give the meeting's number in the series."),
            NumberRange(min=1, max=MAX_MEETING_NUMBER, message="Use a whole number from 1."),
        ],
    )
    title = StringField(
        "Title",
        filters=[_line],
        validators=[DataRequired("Give the meeting a title."), Length(max=200)],
    )
    date = DateField("Date", validators=[InputRequired("Give the date as YYYY-MM-DD.")])
    start_time = TimeField("Start time (optional)", validators=[Optional()], default=None)
    timezone = StringField(
        "Time zone",
        filters=[_strip],
        default=DEFAULT_TIMEZONE,
        validators=[DataRequired("Give the time zone."), Length(max=64), _timezone],
    )
    format = SelectField("Format", choices=FORMAT_CHOICES, default="")
    status = SelectField("Status", choices=STATUS_CHOICES, default=MeetingStatus.UPCOMING.value)
    theme = StringField("Theme", filters=[_line], validators=[Length(max=300)])
    topics = StringField("Topics", filters=[_strip], validators=[Length(max=3000), _topics])
    speakers = TextAreaField(
        "Speakers", filters=[_text], validators=[Length(max=5000)], render_kw={"rows": 3}
    )
    registration_url = URLField(
        "Registration link", filters=[_strip], validators=[Length(max=500), _http_url]
    )
    description = TextAreaField("Description", filters=[_text], validators=[Length(max=MAX_TEXT)])
    chatham_house = BooleanField("Held under the Chatham House Rule", default=True)

    def fields(self) -> service.MeetingFields:
        return service.MeetingFields(
            number=int(self.number.data or 0),
            title=self.title.data or "",
            date=self.date.data,  # type: ignore[arg-type]  # required above
            start_time=self.start_time.data,
            timezone=self.timezone.data or DEFAULT_TIMEZONE,
            format=MeetingFormat(self.format.data) if self.format.data else None,
            status=MeetingStatus(self.status.data),
            theme=self.theme.data or "",
            topics=topic_names(self.topics.data),
            speakers=self.speakers.data or "",
            registration_url=self.registration_url.data or None,
            description=self.description.data or "",
            chatham_house=bool(self.chatham_house.data),
        )

    def fill(self, meeting: Any) -> None:
        for name in (
            "number", "title", "date", "start_time", "timezone", "theme", "speakers",
            "description", "chatham_house",
        ):  # fmt: skip
            getattr(self, name).data = getattr(meeting, name)
        self.format.data = meeting.format.value if meeting.format else ""
        # The status the pages show, so saving unchanged keeps what readers see.
        self.status.data = status_of(meeting, utcnow()).value
        self.topics.data = ", ".join(t.name for t in meeting.topics)
        self.registration_url.data = meeting.registration_url or ""
