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

The settings are read by ``mail_settings``, and every header that carries
what people typed is made by ``mail_headers``."""

from __future__ import annotations

import re
import secrets
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email import policy
from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol

from notesbase import private_files
from notesbase.models import utcnow

if TYPE_CHECKING:
    from notesbase.publishing.circulation.mail_settings import MailSettings

# SMTP's "service not available, closing": the server is going away.
SERVICE_CLOSING = 421
REASON_MAX = 200
# Serialising leaves the headers ``mail_headers`` made as they are (already folded).
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
    those ``mail_headers`` made as they were made)."""
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
