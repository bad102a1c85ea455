"""The review's emails: the invitation with the private link, the reminder,
and the answer to a request. Plain text and HTML, through the app's mail
transport (SMTP or the outbox folder).

A message says only what its recipient may read: their own name, the
series, the meeting's number and date, the deadline, their link; never the
text of the notes. A facilitator's reason is quoted only when the matcher
finds nobody else in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from flask import current_app

from notesbase import site
from notesbase.models import (
    Meeting,
    Person,
    RequestStatus,
    ReviewRequest,
    ReviewRound,
    utcnow,
)
from notesbase.publishing.circulation.mail import MailError, connect
from notesbase.publishing.circulation.mail_headers import (
    address_header,
    put_header,
    safe_header_text,
    text_header,
)
from notesbase.publishing.circulation.mail_settings import settings_for
from notesbase.review.requests import reason_shown
from notesbase.review.service import Invitation


@dataclass(frozen=True)
class Letter:
    """One message to one person, before it is built."""

    person: Person
    subject: str
    template: str
    values: dict[str, object]


def review_link(token: str) -> str:
    """The absolute address of a review link, at the site's address."""
    base = site.known_base_url()
    if not base:
        raise MailError(
            "notesbase does not know its own address for the link in the email: set BASE_URL"
        )
    return site.url_for_site("review.link", base=base, token=token)


def deadline_text(when: datetime, meeting: Meeting) -> str:
    """'13 December 2026 at 23:59 (Europe/London)', where the meeting was held."""
    zone = ZoneInfo(meeting.timezone or "Europe/London")
    local = when.astimezone(zone)
    return f"{local.day} {local:%B %Y} at {local:%H:%M} ({zone.key})"


def _deadline(review: ReviewRound) -> str:
    return deadline_text(review.deadline, review.meeting)


def _about(meeting: Meeting) -> str:
    return f"meeting {meeting.number} of {meeting.series.title}"


def invitation_subject(meeting: Meeting) -> str:
    return f"Please review the notes of {_about(meeting)}"


def reminder_subject(meeting: Meeting) -> str:
    return f"Reminder: the review of {_about(meeting)} ends soon"


def outcome_subject(meeting: Meeting, accepted: bool) -> str:
    return (
        f"Your request on the notes of {_about(meeting)} was "
        f"{'accepted' if accepted else 'not accepted'}"
    )


def invitation(review: ReviewRound, person: Person, token: str, *, again: bool = False) -> Letter:
    meeting = review.meeting
    return Letter(
        person,
        invitation_subject(meeting),
        "invitation",
        {"link": review_link(token), "deadline": _deadline(review), "again": again},
    )


def reminder(review: ReviewRound, person: Person) -> Letter:
    return Letter(
        person,
        reminder_subject(review.meeting),
        "reminder",
        {"deadline": _deadline(review)},
    )


def outcome(request: ReviewRequest) -> Letter:
    reviewer = request.reviewer
    person = reviewer.person
    accepted = request.status is RequestStatus.ACCEPTED
    reason = reason_shown(request)
    return Letter(
        person,
        outcome_subject(reviewer.round.meeting, accepted),
        "outcome",
        {
            "accepted": accepted,
            "kind": request.kind.label.lower(),
            "reason": reason,
            "reason_withheld": bool(request.reason) and not reason,
        },
    )


def build(letter: Letter, review: ReviewRound) -> EmailMessage:
    settings = settings_for(current_app)
    person = letter.person
    values = {
        "person": person,
        "meeting": review.meeting,
        "series": review.meeting.series,
        "about": _about(review.meeting),
        **letter.values,
    }
    message = EmailMessage()
    put_header(message, "Subject", text_header("Subject", safe_header_text(letter.subject)))
    put_header(message, "From", address_header("From", *parseaddr(settings.sender)))
    put_header(message, "To", address_header("To", person.name, person.email or ""))
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=settings.sender_domain)
    # Straight from the Jinja environment, so it renders the same in a
    # request and from the command line (``notesbase review remind``).
    env = current_app.jinja_env
    message.set_content(env.get_template(f"review/mail_{letter.template}.txt").render(values))
    html = env.get_template(f"review/mail_{letter.template}.html").render(values)
    message.add_alternative(html, subtype="html")
    return message


def invite(
    review: ReviewRound, invitations: Iterable[Invitation], *, again: bool = False
) -> tuple[list[Person], str]:
    """Email each invitation its link and mark those reached as invited (the
    caller commits): the people reached, and why the rest were not."""
    invitations = list(invitations)
    try:
        letters = [invitation(review, i.reviewer.person, i.token, again=again) for i in invitations]
    except MailError as error:
        return [], error.reason
    reached, problem = send(letters, review)
    now = utcnow()
    reached_ids = {person.id for person in reached}
    for one in invitations:
        if one.reviewer.person_id in reached_ids:
            one.reviewer.invited_at = now
    return reached, problem


def send(letters: Iterable[Letter], review: ReviewRound) -> tuple[list[Person], str]:
    """Send each letter: the people reached, in order, and why the rest were
    not (empty when all were), as the transport said."""
    reached: list[Person] = []
    try:
        messages = [(letter.person, build(letter, review)) for letter in letters]
        if messages:
            with connect(settings_for(current_app)) as transport:
                for person, message in messages:
                    transport.send(message)
                    reached.append(person)
    except MailError as error:
        return reached, str(error)
    return reached, ""
