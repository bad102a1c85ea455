"""How mail is sent, read from the app's configuration: an SMTP server when
``MAIL_SMTP_HOST`` is set (its port, login, TLS and timeout), else the
outbox folder; and the sender. Settings that cannot work are a
``MailConfigError``, before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from notesbase.publishing.circulation.mail import MailUnavailable
from notesbase.publishing.circulation.mail_headers import address_header

OUTBOX_FOLDER = "outbox"
DEFAULT_SENDER = "notesbase <notesbase@localhost>"
DEFAULT_TIMEOUT = 30.0
SMTP_PORTS = {"ssl": 465, "starttls": 587, "plain": 25}


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


def settings_for(app: Any) -> MailSettings:
    """The mail settings of a Flask app."""
    return MailSettings.from_config(app.config, app.instance_path)
