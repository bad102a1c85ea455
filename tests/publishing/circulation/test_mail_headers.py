"""Headers carrying what people typed (a member's display name, a subject
with a meeting's title): whatever the text, the message parsed back has
exactly the headers the app meant: no Bcc, no second To, no Cc, the one
recipient, and the subject as intended. Not left to the interpreter's
email package, whose folding let a decoded line break through
(CVE-2024-6923) and folded a subject right after "Subject:"."""

from __future__ import annotations

import base64
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notesbase.publishing.circulation import mail, mail_headers
from notesbase.publishing.circulation.mail_settings import MailConfigError, MailSettings
from notesbase.publishing.circulation.message import Letter, Recipient, build_message
from tests.publishing.circulation.circulation_support import SmtpServer

RECIPIENT = "ada@example.org"
HEADERS = ["Subject", "From", "To", "Date", "Message-ID", "MIME-Version", "Content-Type"]


def b_word(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


BCC = "Bcc: x@evil.example"
# The CVE-2024-6923 payload and its kin: line breaks raw and encoded, every
# kind of line break, encoded words split or spread over several words.
PAYLOADS = [
    "=?utf-8?q?=0D=0ABcc:_x@evil.example?=",
    "=?UTF-8?Q?=0ABcc:_x@evil.example?=",
    "=?utf-8?q?=0DBcc:_x@evil.example?=",
    b_word(f"\r\n{BCC}"),
    b_word(f"\n{BCC}"),
    f"Ada\r\n{BCC}",
    f"Ada\n{BCC}",
    f"Ada\r{BCC}",
    f"Ada\u2028{BCC}",
    f"Ada\u2029{BCC}",
    f"Ada\x85{BCC}",
    f"Ada\x0b\x0c{BCC}",
    f"Ada\r\n\t{BCC}",
    "=?utf-8?q?=0D?= =?utf-8?q?=0ABcc:_x@evil.example?=",
    "=\r\n?utf-8?q?=0D=0ABcc:_x@evil.example?=",
    "=\x00?utf-8?q?=0D=0ABcc:_x@evil.example?=",
    "==??utf-8?q?=0D=0ABcc:_x@evil.example?=",
    "=?=?utf-8?q?=0D=0ABcc:_x@evil.example?=?=",
    "Ada =?utf-8?b?DQpDYzogeEBldmlsLmV4YW1wbGU=?= Byron",
    "=?iso-8859-1?q?=0D=0ATo:_x@evil.example?=",
    '"Ada\r\nBcc: x@evil.example" <x@evil.example>',
    "Ada, Bcc <x@evil.example>",
    "Ada Byron " * 30 + f"\r\n{BCC}",
    "Zoë Ünal " * 25 + "=?utf-8?q?=0ABcc:_x@evil.example?=",
]


def letter(title: str) -> Letter:
    return Letter(
        subject=mail_headers.safe_header_text(f"Notes of meeting 10: {title}"),
        series_title="Community of Practice",
        meeting_number=10,
        meeting_title=title,
        meeting_date=__import__("datetime").date(2025, 7, 9),
        chatham_house=True,
        notes_url="https://notes.example.org/series/cop/meetings/10/notes",
        sections=(),
    )


@pytest.fixture
def app(sqlite_app):
    """A message's headers are made without the database: the same on every
    engine, so these run on SQLite only."""
    return sqlite_app


@pytest.fixture
def mail_settings(tmp_path: Path) -> MailSettings:
    return MailSettings.from_config({}, str(tmp_path))


def compose(app, name: str, title: str, settings: MailSettings) -> EmailMessage:
    with app.app_context():
        return build_message(letter(title), Recipient(name, RECIPIENT), settings)


def read_back(data: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(data)  # type: ignore[return-value]


def phrase_as_rfc_2047_reads_it(raw_to: str) -> str:
    """The display name of a To header as an RFC 2047 reader decodes it
    (whitespace between two encoded words is not part of the text)."""
    phrase = " ".join(raw_to.split()).rsplit("<", 1)[0].strip()
    return str(make_header(decode_header(phrase)))


def assert_exactly_meant(data: bytes, name: str, title: str) -> None:
    """The headers the app means, and only those; one recipient; the
    subject and display name as intended (made safe)."""
    message = read_back(data)
    assert [key for key, _ in message.items()] == HEADERS, message.keys()
    for header in ("Bcc", "Cc", "Reply-To", "Sender"):
        assert message[header] is None
    head = data.split(b"\r\n\r\n", 1)[0]
    assert b"\nbcc" not in head.lower() and b"\ncc:" not in head.lower()
    assert [a.addr_spec for a in message["To"].addresses] == [RECIPIENT]
    assert message["Subject"] == mail_headers.safe_header_text(f"Notes of meeting 10: {title}")
    raw_to = data.split(b"\r\nTo: ", 1)[1].split(b"\r\nDate:", 1)[0].decode("ascii")
    intended = mail_headers.safe_header_text(name)
    assert phrase_as_rfc_2047_reads_it(raw_to) == intended
    # CPython's own reader keeps the space RFC 2047 drops between two encoded
    # words; beyond that it reads the same name.
    shown = message["To"].addresses[0].display_name
    assert shown.replace(" ", "") == intended.replace(" ", "")
    for line in head.split(b"\r\n"):
        assert len(line) <= mail_headers.HEADER_LINE_MAX, line
    assert data.split(b"\r\n", 1)[0].rstrip() != b"Subject:"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_display_name_can_add_a_header_in_the_outbox(app, mail_settings, payload):
    """The payload as a member's display name, and in a meeting's title:
    the .eml file read back has exactly the intended headers."""
    message = compose(app, payload, payload, mail_settings)
    with mail.connect(mail_settings) as transport:
        transport.send(message)
    (path,) = mail_settings.outbox.glob("*.eml")
    assert_exactly_meant(path.read_bytes(), payload, payload)
    assert "evil" not in str(read_back(path.read_bytes())["To"].addresses[0].addr_spec)


def test_no_display_name_can_add_a_recipient_over_smtp(app, tmp_path):
    """Through a real SMTP server on loopback: the envelope goes to the one
    recipient, and what the server kept has exactly the intended headers."""
    server = SmtpServer().start()
    try:
        smtp_settings = MailSettings.from_config(
            {"MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": server.port}, str(tmp_path)
        )
        with mail.connect(smtp_settings) as transport:
            for payload in PAYLOADS:
                transport.send(compose(app, payload, payload, smtp_settings))
        assert len(server.received) == len(PAYLOADS)
        for payload, received in zip(PAYLOADS, server.received, strict=True):
            assert received.envelope_to == (RECIPIENT,)
            data = received.message.as_bytes(policy=policy.SMTP)
            assert [a.addr_spec for a in received.message["To"].addresses] == [RECIPIENT]
            assert received.message["Bcc"] is None and received.message["Cc"] is None
            assert received.message["Subject"] == mail_headers.safe_header_text(
                f"Notes of meeting 10: {payload}"
            )
            assert data.count(b"\r\nTo: ") == 1
    finally:
        server.stop()
    assert not (tmp_path / "outbox").exists()


@pytest.mark.parametrize(
    "payload", ["Ada\r\nBcc: x@evil.example", "=?utf-8?q?=0D=0ABcc:_x@evil.example?="]
)
def test_what_is_left_of_the_text(payload):
    """One line; no encoded-word start left; the words kept."""
    safe = mail_headers.safe_header_text(payload)
    assert "\r" not in safe and "\n" not in safe and "=?" not in safe
    assert "Bcc" in safe


def test_a_lone_surrogate_becomes_a_replacement_character():
    """Text that is not valid Unicode still makes a header (no encoding error)."""
    assert mail_headers.safe_header_text("\ud800Ada\udfff") == "\ufffdAda\ufffd"
    assert mail_headers.text_header("Subject", "\ud800Ada").isascii()


@pytest.mark.parametrize(
    "title",
    [
        "Data in the open",
        "https://example.org/a/very/long/path/that/goes/on/and/on/forever/and/ever/again",
        "x" * 200,
        "Réunion très importante sur l'avenir des données publiques et la participation",
        "日本語のタイトル" * 12,
        "Emoji 🙂 and ZWJ 👩‍👩‍👧 families " * 4,
        '"Quoted" (parenthesised) <angled>, comma; semicolon: colon \\ backslash',
        "  leading and trailing  spaces, and   runs  ",
        "Ünïcödé " * 20,
        "a" * 70 + " " + "b" * 70,
        "",
    ],
)
def test_subjects_read_back_exactly(app, mail_settings, title):
    """Long, non-ASCII and odd subjects: a parser reads exactly the subject
    meant, never a leading space; the subject starts on its own line."""
    message = compose(app, "Ada Byron", title, mail_settings)
    data = mail.wire_bytes(message)
    first = data.split(b"\r\n", 1)[0]
    assert first.startswith(b"Subject: ") and len(first) > len(b"Subject: ")
    subject = read_back(data)["Subject"]
    assert subject == mail_headers.safe_header_text(f"Notes of meeting 10: {title}")
    assert not subject.startswith(" ")
    assert_exactly_meant(data, "Ada Byron", title)


NASTY = st.lists(
    st.one_of(
        st.sampled_from(
            [
                *' =?\r\n\t\x0b\x0c\x85\u2028\u2029\x00"\\(),;:<>@_éü—日🙂\u200b\u202e',
                *("=?", "?=", "=?utf-8?q?", "=?utf-8?b?", "=0D", "=0A", "Bcc:", "To:", "x" * 80),
            ]
        ),
        st.characters(codec="utf-8"),
    ),
    max_size=60,
).map("".join)


@given(name=NASTY, title=NASTY)
@settings(
    max_examples=150,
    deadline=None,
    # The app only lends its templates; nothing in it changes between examples.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_any_name_and_title_give_exactly_the_headers_meant(app, name, title):
    """Whatever a member is called and a meeting titled."""
    found = MailSettings.from_config({}, "/nonexistent")
    assert_exactly_meant(mail.wire_bytes(compose(app, name, title, found)), name, title)


@pytest.mark.parametrize(
    "address",
    [
        "=?utf-8?q?x?=@example.org",
        "a@b@example.org",
        "ada@example.org\r\nBcc: x@e.org",
        "a b@c.org",
        "ada@example.org>, x@evil.example",
    ],
)
def test_an_address_mail_cannot_carry_is_refused(app, mail_settings, address):
    """A recipient address that would be read as more than an address."""
    with app.app_context(), pytest.raises(ValueError):
        build_message(letter("T"), Recipient("Ada", address), mail_settings)


@pytest.mark.parametrize(
    "sender", ["=?utf-8?q?=0D=0ABcc:_x@e.org?= <n@example.org>", "n@example.org\u2028Bcc: x@e.org"]
)
def test_a_sender_setting_that_could_add_a_header_is_refused(tmp_path, sender):
    with pytest.raises(MailConfigError):
        MailSettings.from_config({"MAIL_SENDER": sender}, str(tmp_path))
