"""The email a circulation sends: the member view of a meeting's notes, as
``disclose`` gives it to members now, in plain text and HTML.

Everything recipients share is worked out once into a ``Letter``; each
message adds only the recipient's own name and address. The leak check reads
the same letter (``leak_fields``), addressed to a stand-in, so what it checks
is what is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app

from notesbase import site
from notesbase.disclosure import Audience
from notesbase.models import Meeting, utcnow
from notesbase.notes.facts import meeting_view
from notesbase.notes.views import ShownSection, shown_sections
from notesbase.publishing.circulation.mail_headers import (
    address_header,
    put_header,
    safe_header_text,
    text_header,
)
from notesbase.publishing.circulation.mail_settings import MailSettings
from notesbase.publishing.circulation.plain_text import html_to_text
from notesbase.publishing.leakcheck.check import Field

CHANNEL = "circulation"
HTML_TEMPLATE = "circulation/email.html"
CHATHAM_HOUSE = (
    "Held under the Chatham House Rule. Use what was said, but do not reveal who "
    "said it, or their affiliation, beyond what is credited here."
)


class AddressUnknown(Exception):
    """The site's own address is needed for the link and is not configured."""


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str


# Who the leak check and the preview address the letter to: a recipient's
# own name and address are theirs to read, and are not the check's concern.
STAND_IN = Recipient("(the member's name)", "(the member's address)")


@dataclass(frozen=True)
class Letter:
    """What every message of one sending shares; plain values, no rows."""

    subject: str
    series_title: str
    meeting_number: int
    meeting_title: str
    meeting_date: date
    chatham_house: bool
    notes_url: str
    sections: tuple[ShownSection, ...]
    # The privacy notice (``/privacy``), at the site's address.
    privacy_url: str = ""


def subject_for(meeting: Meeting) -> str:
    """'Notes of meeting 10: <title>' as the header will carry it (one line,
    no encoded-word markers), so the leak check reads what is sent."""
    return safe_header_text(f"Notes of meeting {meeting.number}: {meeting.title}")


def notes_url(meeting: Meeting, *, absolute: bool = True) -> str:
    """The address of the meeting's notes page, at the site's address
    (``BASE_URL``, ``SERVER_NAME``'s, or the one the server listens on),
    never the request's host. With none known, ``absolute=False`` gives the
    path and ``absolute=True`` raises ``AddressUnknown``."""
    values = {"slug": meeting.series.slug, "number": meeting.number}
    try:
        base = site.known_base_url()
    except site.ConfigError as error:
        raise AddressUnknown(str(error)) from None
    if base:
        return site.url_for_site("notes.read", base=base, **values)
    if absolute:
        raise AddressUnknown(
            "notesbase does not know its own address for the link in the email: set BASE_URL "
            f"(in instance/config.py or NOTESBASE_BASE_URL), e.g. {site.EXAMPLE}"
        )
    return current_app.url_map.bind("localhost").build("notes.read", values)


def compose(meeting: Meeting, link: str) -> Letter:
    """The letter for ``meeting`` from the current rows (members' view)."""
    view = meeting_view(meeting, Audience.MEMBER)
    return Letter(
        subject=subject_for(meeting),
        series_title=meeting.series.title,
        meeting_number=meeting.number,
        meeting_title=meeting.title,
        meeting_date=meeting.date,
        chatham_house=meeting.chatham_house,
        notes_url=link,
        sections=tuple(shown_sections(view)),
        privacy_url=privacy_url(),
    )


def privacy_url() -> str:
    """The privacy notice's address, absolute when the site's is known, else its path."""
    base = site.known_base_url()
    if base:
        return site.url_for_site("privacy.notice", base=base)
    return current_app.url_map.bind("localhost").build("privacy.notice")


def html_body(letter: Letter, recipient: Recipient) -> str:
    """The HTML part. Rendered straight from the Jinja environment (with
    autoescape, as for every ``.html`` template) so it comes out the same
    in a request, from the command line and in the leak check."""
    template = current_app.jinja_env.get_template(HTML_TEMPLATE)
    return template.render(letter=letter, recipient=recipient)


def text_body(letter: Letter, recipient: Recipient) -> str:
    """The plain-text part, in the same order as the HTML one."""
    lines: list[str] = []
    if letter.chatham_house:
        lines.append(CHATHAM_HOUSE)
    lines += [
        f"These notes are for members of {letter.series_title}: please do not pass them on.",
        "",
        f"Dear {recipient.name},",
        "",
        f"Here are the notes of meeting {letter.meeting_number} of {letter.series_title}, "
        f"“{letter.meeting_title}”, held on {_long_date(letter.meeting_date)}.",
        f"Read them online: {letter.notes_url}",
    ]
    for section in letter.sections:
        lines.append("")
        if section.heading:
            lines += ["", section.heading, "=" * min(len(section.heading), 72)]
        for shown in section.items:
            item = shown.item
            credit = f" · {item.attribution}" if item.attribution else ""
            lines += ["", f"* {item.kind.label}{credit}"]
            lines += [f"  {line}" if line else "" for line in html_to_text(item.body_html)]
    lines += [
        "",
        "-- ",
        f"You receive this as an active member of {letter.series_title}. "
        f"Sent to {recipient.email}.",
    ]
    if letter.privacy_url:
        lines.append(f"What is kept about you, and how to ask for it: {letter.privacy_url}")
    return "\n".join(lines) + "\n"


def _long_date(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def build_message(letter: Letter, recipient: Recipient, settings: MailSettings) -> EmailMessage:
    """One recipient's message: plain text and HTML alternatives, addressed
    to them alone. Raises ``ValueError`` for an address mail cannot carry."""
    message = EmailMessage()
    # Headers with what people typed are made safe and folded by ``mail``.
    put_header(message, "Subject", text_header("Subject", letter.subject))
    put_header(message, "From", address_header("From", *parseaddr(settings.sender)))
    put_header(message, "To", address_header("To", recipient.name, recipient.email))
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=settings.sender_domain)
    message.set_content(text_body(letter, recipient))
    message.add_alternative(html_body(letter, recipient), subtype="html")
    return message


def leak_fields(meeting: Meeting) -> list[Field]:
    """What the leak check reads for the "circulation" channel: the exact
    subject, plain text and HTML of the message, as a recipient gets it."""
    letter = compose(meeting, notes_url(meeting, absolute=False))
    return [
        Field("subject", letter.subject, "meeting"),
        Field("plain text", text_body(letter, STAND_IN)),
        Field("HTML", html_body(letter, STAND_IN)),
    ]
