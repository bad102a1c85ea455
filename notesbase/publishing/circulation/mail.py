"""Sending email, one message at a time: through an SMTP server when
``MAIL_SMTP_HOST`` is set, else (the embedded default) as ``.eml`` files in
``instance/outbox/``, which any mail program opens.

A transport says plainly what happened to each message, because a caller
recording who received what must never guess:

- it returns: the message was handed over (the server said 250, or the file
  is in the outbox);
- ``MessageRefused``: this message was not sent, others may still go;
- ``MailUnavailable``: this message was not sent and nothing can be sent now
  (no server, a refused login, no disk): stop the batch;
- ``DeliveryUncertain``: the connection broke after the message was handed
  over, so it may have arrived. Retrying could send it twice.

Headers that carry what people typed (a display name, a subject with a
meeting's title) are made here and only here (``safe_header_text``,
``text_header``, ``address_header``): line breaks of every kind and the
``=?`` that starts an encoded word are taken out first, then the text is
encoded and folded by this module, not by the interpreter's email package,
whose folding has let a decoded line break through (CVE-2024-6923) and
folds subjects in ways readers misread. So what a message says in its
headers does not depend on the Python it runs on."""

from __future__ import annotations

import base64
import re
import secrets
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol

from notesbase import private_files
from notesbase.models import utcnow
from notesbase.text import clean_line

OUTBOX_FOLDER = "outbox"
DEFAULT_SENDER = "notesbase <notesbase@localhost>"
DEFAULT_TIMEOUT = 30.0
SMTP_PORTS = {"ssl": 465, "starttls": 587, "plain": 25}
# SMTP's "service not available, closing": the server is going away.
SERVICE_CLOSING = 421
REASON_MAX = 200
# RFC 2047: a header line holding an encoded word is at most 76 characters.
HEADER_LINE_MAX = 76
ENCODED_WORD = "=?utf-8?b?{}?="
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a display name may hold as it is (RFC 5322 atext and spaces); any
# other name is sent as encoded words rather than quoted.
_PLAIN_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+")
# A plain email address, as the envelope carries it.
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})")
# Serialising leaves the headers made here as they are (already folded).
WIRE_POLICY = policy.SMTP.clone(refold_source="none")


class MailError(Exception):
    """A message was not (or perhaps not) sent; ``reason`` is short and safe
    to store and show (no message text, no password)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:REASON_MAX]


class MessageRefused(MailError):
    """This message was not sent; the next one may be."""


class MailUnavailable(MailError):
    """This message was not sent, and no other can be sent now."""


class DeliveryUncertain(MailError):
    """The connection broke after the message was handed over."""


class MailConfigError(MailUnavailable):
    """The mail settings cannot work as they stand."""


@dataclass(frozen=True)
class MailSettings:
    """How to send mail, read from the app's configuration (``from_config``)."""

    sender: str
    outbox: Path
    smtp_host: str = ""
    smtp_port: int = 0
    username: str = ""
    password: str = ""
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_config(cls, config: Mapping[str, Any], instance_path: str) -> MailSettings:
        """Environment variables arrive as strings or JSON values; both work."""
        use_ssl = _flag(config.get("MAIL_SMTP_SSL", False))
        starttls = _flag(config.get("MAIL_SMTP_STARTTLS", False))
        if use_ssl and starttls:
            raise MailConfigError("set MAIL_SMTP_SSL or MAIL_SMTP_STARTTLS, not both")
        mode = "ssl" if use_ssl else "starttls" if starttls else "plain"
        try:
            port = int(config.get("MAIL_SMTP_PORT") or SMTP_PORTS[mode])
            timeout = float(config.get("MAIL_SMTP_TIMEOUT") or DEFAULT_TIMEOUT)
        except (TypeError, ValueError):
            raise MailConfigError("MAIL_SMTP_PORT and MAIL_SMTP_TIMEOUT must be numbers") from None
        sender = str(config.get("MAIL_SENDER") or DEFAULT_SENDER).strip()
        if "@" not in parseaddr(sender)[1] or "\n" in sender or "\r" in sender:
            raise MailConfigError("MAIL_SENDER is not an email address")
        try:
            address_header("From", *parseaddr(sender))
        except ValueError:
            raise MailConfigError("MAIL_SENDER is not an address mail can carry") from None
        return cls(
            sender=sender,
            outbox=Path(instance_path) / OUTBOX_FOLDER,
            smtp_host=str(config.get("MAIL_SMTP_HOST") or "").strip(),
            smtp_port=port,
            username=str(config.get("MAIL_SMTP_USERNAME") or ""),
            password=str(config.get("MAIL_SMTP_PASSWORD") or ""),
            starttls=starttls,
            use_ssl=use_ssl,
            timeout=timeout,
        )

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]

    @property
    def sender_domain(self) -> str:
        return self.sender_address.rpartition("@")[2] or "localhost"

    def describe(self) -> str:
        """Where mail goes, for facilitators (never the password)."""
        if self.smtp_host:
            return f"the SMTP server {self.smtp_host}:{self.smtp_port}"
        return f"the outbox folder {self.outbox}"


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def safe_header_text(text: str | None) -> str:
    """``text`` as it may stand in a header: one line (line breaks of every
    kind, CR, LF, NEL, U+2028, and other control or invisible characters
    gone, spaces run together) and no ``=?`` left, however it was split up,
    so no reader decodes an encoded word (a line break, say) out of it."""
    cleaned = clean_line(_SURROGATE.sub("\ufffd", text or ""))
    while "=?" in cleaned:
        cleaned = " ".join(cleaned.replace("=?", "").split())
    return cleaned


def _encoded_words(text: str, room: int) -> list[str]:
    """``text`` as UTF-8 encoded words (RFC 2047, base64) of at most ``room``
    characters each, never splitting a character, and between words of the
    text where one fits. Spaces go inside the encoded words: a reader drops
    the space between two of them (RFC 2047, 6.2)."""
    per_word = (room - len(ENCODED_WORD.format(""))) // 4 * 3
    chunks: list[bytes] = [b""]
    for word in re.findall(r"[^ ]+ ?| ", text):  # each word with its space
        encoded = word.encode("utf-8")
        if chunks[-1] and len(chunks[-1]) + len(encoded) > per_word:
            chunks.append(b"")
        if len(encoded) <= per_word:
            chunks[-1] += encoded
            continue
        for character in word:  # a word longer than an encoded word holds
            piece = character.encode("utf-8")
            if chunks[-1] and len(chunks[-1]) + len(piece) > per_word:
                chunks.append(b"")
            chunks[-1] += piece
    return [ENCODED_WORD.format(base64.b64encode(chunk).decode("ascii")) for chunk in chunks]


def _folded(name: str, words: list[str]) -> str:
    """``words`` as the value of header ``name``, folded between words so no
    line passes ``HEADER_LINE_MAX``; the first word always on the first line
    (a fold right after the colon reads as a leading space)."""
    lines = [f"{name}: {words[0]}"]
    for word in words[1:]:
        if len(lines[-1]) + 1 + len(word) <= HEADER_LINE_MAX:
            lines[-1] += f" {word}"
        else:
            lines.append(f" {word}")
    return "\r\n".join(lines)[len(name) + 2 :]


def _words(name: str, text: str, plain: re.Pattern[str] | None = None) -> list[str]:
    """``text`` (made safe) as the words of header ``name``: as it is when it
    is printable ASCII that ``plain`` allows and each word fits on a line,
    else encoded words."""
    room = HEADER_LINE_MAX - len(name) - 2
    words = text.split(" ")
    if (
        text.isascii()
        and text.isprintable()
        and (plain is None or plain.fullmatch(text))
        and all(len(word) <= room for word in words)
    ):
        return words
    return _encoded_words(text, room)


def text_header(name: str, text: str) -> str:
    """The folded value of an unstructured header (a subject) holding ``text``."""
    safe = safe_header_text(text)
    return _folded(name, _words(name, safe) if safe else [""])


def address_header(name: str, display_name: str | None, address: str) -> str:
    """The folded value of header ``name`` addressed to ``address``, with
    ``display_name`` (made safe; left out when nothing is left of it).
    Raises ``ValueError`` for an address mail cannot carry as it is."""
    if not _ADDRESS.fullmatch(address) or "=?" in address or ".." in address:
        raise ValueError("the address cannot be sent to as it is")
    phrase = safe_header_text(display_name)
    words = _words(name, phrase, _PLAIN_PHRASE) if phrase else []
    return _folded(name, [*words, f"<{address}>"])


def put_header(message: EmailMessage, name: str, value: str) -> None:
    """Add a header made by ``text_header`` or ``address_header``, as it is."""
    message.set_raw(name, value)


def settings_for(app: Any) -> MailSettings:
    """The mail settings of a Flask app."""
    return MailSettings.from_config(app.config, app.instance_path)


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


@contextmanager
def connect(settings: MailSettings) -> Iterator[Transport]:
    """One transport for a batch of messages, closed at the end."""
    transport: Transport = SmtpTransport(settings) if settings.smtp_host else Outbox(settings)
    try:
        yield transport
    finally:
        transport.close()


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as it goes on the wire (CRLF line ends, headers encoded;
    those made here as they were made)."""
    try:
        return message.as_bytes(policy=WIRE_POLICY)
    except (UnicodeError, ValueError, TypeError) as error:
        raise MessageRefused(f"the message could not be encoded: {type(error).__name__}") from None


def envelope_recipients(message: EmailMessage) -> list[str]:
    recipients = [address.addr_spec for address in message["To"].addresses]
    if not recipients:
        raise MessageRefused("the message has no recipient")
    if not all(address.isascii() for address in recipients):
        # SMTPUTF8 is not spoken here: such an address would fail mid-envelope.
        raise MessageRefused("addresses with non-ASCII characters cannot be sent to")
    return recipients


class Outbox:
    """Each message becomes one file in the outbox folder. A file appears
    whole or not at all (written beside it, then renamed), readable by the
    owner only, under a name no two messages share."""

    def __init__(self, settings: MailSettings) -> None:
        self.folder = settings.outbox

    def send(self, message: EmailMessage) -> None:
        data = wire_bytes(message)
        envelope_recipients(message)
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            private_files.make_folder(self.folder, exist_ok=True)
            with private_files.replacing(self.folder / self.file_name(), sync=True) as handle:
                handle.write(data)
        except OSError as error:
            raise MailUnavailable(f"cannot write to the outbox: {error.strerror}") from None

    @staticmethod
    def file_name() -> str:
        """Sortable by time; no part of it comes from the message."""
        return f"{utcnow():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(8)}.eml"

    def close(self) -> None:
        """Nothing to close: each file is complete when ``send`` returns."""


class SmtpTransport:
    """One SMTP connection for a batch, opened on the first message. Before
    each message the connection is checked (NOOP) and opened again if the
    server dropped it; the message itself is never retried once handed over."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        data = wire_bytes(message)
        recipients = envelope_recipients(message)
        try:
            self._hand_over_envelope(recipients)
        except (smtplib.SMTPServerDisconnected, OSError):
            # Nothing of this message reached the server: open a new
            # connection and try once more.
            self._drop()
            try:
                self._hand_over_envelope(recipients)
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                self._drop()
                raise MailUnavailable(f"lost the connection to the mail server: {error}") from None
        self._send_data(data)

    def _hand_over_envelope(self, recipients: list[str]) -> None:
        """MAIL FROM and RCPT TO on a live connection; a refusal is answered
        with RSET so the connection can carry the next message."""
        smtp = self._live()
        code, reply = smtp.mail(self.settings.sender_address)
        if code != 250:
            self._refused(code, reply, "the mail server refused the sender")
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                self._refused(code, reply, "the mail server refused the recipient")

    def _send_data(self, data: bytes) -> None:
        """DATA, then the message. Until the server has said 354 nothing is
        handed over; after the message has gone, a broken connection leaves
        it unknown whether the server kept it."""
        smtp = self.smtp
        assert smtp is not None
        try:
            smtp.putcmd("data")
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._drop()
            raise MailUnavailable(f"lost the connection to the mail server: {error}") from None
        if code != 354:
            self._refused(code, reply, "the mail server refused the message")
        try:
            smtp.send(_dot_stuffed(data))
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._drop()
            raise DeliveryUncertain(
                f"the connection broke while the message was being handed over ({error}); "
                "it may have arrived"
            ) from None
        if code != 250:
            self._refused(code, reply, "the mail server refused the message")

    def _refused(self, code: int, reply: bytes | str, what: str) -> None:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        reason = f"{what}: {code} {' '.join(text.split())}".strip()
        if code == SERVICE_CLOSING:
            self._drop()
            raise MailUnavailable(reason)
        with suppress(smtplib.SMTPException, OSError):
            self.smtp.rset()  # type: ignore[union-attr]
        raise MessageRefused(reason)

    def _live(self) -> smtplib.SMTP:
        """The open connection if it still answers, else a new one."""
        if self.smtp is not None:
            try:
                if self.smtp.noop()[0] == 250:
                    return self.smtp
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        self.smtp = self._open()
        return self.smtp

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP | None = None
        try:
            if settings.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    settings.smtp_host,
                    settings.smtp_port,
                    timeout=settings.timeout,
                    context=context,
                )
            else:
                smtp = smtplib.SMTP(
                    settings.smtp_host, settings.smtp_port, timeout=settings.timeout
                )
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, settings.password)
        except smtplib.SMTPAuthenticationError as error:
            _quit(smtp)
            raise MailUnavailable(
                f"the mail server refused the login ({error.smtp_code})"
            ) from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
            _quit(smtp)
            raise MailUnavailable(
                f"cannot connect to the mail server {settings.smtp_host}:{settings.smtp_port}: "
                f"{getattr(error, 'strerror', None) or error}"
            ) from None
        return smtp

    def _drop(self) -> None:
        _quit(self.smtp, polite=False)
        self.smtp = None

    def close(self) -> None:
        _quit(self.smtp)
        self.smtp = None


def _dot_stuffed(data: bytes) -> bytes:
    """The message body as DATA carries it: leading dots doubled, ended by
    a line with a single dot (RFC 5321, 4.5.2)."""
    stuffed = re.sub(rb"(?m)^\.", b"..", data)
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


def _quit(smtp: smtplib.SMTP | None, *, polite: bool = True) -> None:
    """Close a connection, saying QUIT when it may still answer."""
    if smtp is None:
        return
    if polite:
        with suppress(smtplib.SMTPException, OSError):
            smtp.quit()
    with suppress(OSError):
        smtp.close()
