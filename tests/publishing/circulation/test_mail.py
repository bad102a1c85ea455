"""The mail transport: settings from the configuration, the outbox of .eml
files (whole files, unique names, owner-only), and SMTP against a real
server on loopback, saying exactly what happened to each message."""

from __future__ import annotations

import asyncio
import stat
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from notesbase.publishing.circulation import mail, mail_settings
from tests.publishing.circulation.circulation_support import SmtpServer, parse
from tests.support.loopback_support import free_port


def settings(tmp_path: Path, **config) -> mail_settings.MailSettings:
    return mail_settings.MailSettings.from_config(config, str(tmp_path))


def message(to: str = "ada@example.org", body: str = "Hello.\n") -> EmailMessage:
    built = EmailMessage()
    built["Subject"] = "Notes of meeting 1: Zürich"
    built["From"] = "notesbase <notes@example.org>"
    built["To"] = to
    built.set_content(body)
    return built


def lf(text: str) -> str:
    """Messages travel with CRLF line ends; compare with plain ones."""
    return text.replace("\r\n", "\n")


# Settings -------------------------------------------------------------------


def test_the_embedded_default_is_the_outbox(tmp_path):
    """No SMTP host: the outbox in the instance folder, from a default sender."""
    found = settings(tmp_path)
    assert found.smtp_host == ""
    assert found.outbox == tmp_path / "outbox"
    assert found.sender == mail_settings.DEFAULT_SENDER
    assert "outbox" in found.describe()


@pytest.mark.parametrize(
    ("config", "port"),
    [
        ({}, 25),
        ({"MAIL_SMTP_STARTTLS": True}, 587),
        ({"MAIL_SMTP_SSL": "true"}, 465),
        ({"MAIL_SMTP_STARTTLS": "yes", "MAIL_SMTP_PORT": "2525"}, 2525),
    ],
)
def test_ports_follow_the_mode(tmp_path, config, port):
    """The port defaults to the mode's; environment strings are understood."""
    found = settings(tmp_path, MAIL_SMTP_HOST="smtp.example.org", **config)
    assert found.smtp_port == port
    assert "smtp.example.org" in found.describe()


@pytest.mark.parametrize(
    "config",
    [
        {"MAIL_SMTP_SSL": True, "MAIL_SMTP_STARTTLS": True},
        {"MAIL_SENDER": "not an address"},
        {"MAIL_SENDER": "a@b.org\nBcc: x@y.org"},
        {"MAIL_SMTP_PORT": "twenty-five"},
    ],
)
def test_settings_that_cannot_work_are_refused(tmp_path, config):
    """Impossible settings are one clear error, not a half-sent batch."""
    with pytest.raises(mail_settings.MailConfigError):
        settings(tmp_path, **config)


def test_the_password_is_never_described(tmp_path):
    found = settings(tmp_path, MAIL_SMTP_HOST="smtp.example.org", MAIL_SMTP_PASSWORD="hunter22")
    assert "hunter22" not in found.describe() and "hunter22" not in repr(found.describe())


# The outbox ---------------------------------------------------------------


def test_the_outbox_writes_whole_private_files_with_unique_names(tmp_path):
    """Each message is one complete owner-only file; no temporary file stays."""
    found = settings(tmp_path)
    with mail.connect(found) as transport:
        for index in range(40):
            transport.send(message(body=f"Message {index}.\n"))
    files = sorted(found.outbox.iterdir())
    assert len(files) == 40
    assert all(path.suffix == ".eml" for path in files)
    assert stat.S_IMODE(found.outbox.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)
    bodies = {lf(parse(path.read_bytes()).get_content()) for path in files}
    assert bodies == {f"Message {index}.\n" for index in range(40)}
    assert parse(files[0].read_bytes())["Subject"] == "Notes of meeting 1: Zürich"


def test_an_outbox_that_cannot_be_written_stops_the_batch(tmp_path):
    """A file where the folder should be: MailUnavailable, nothing half-written."""
    (tmp_path / "outbox").write_text("in the way")
    with pytest.raises(mail.MailUnavailable), mail.connect(settings(tmp_path)) as transport:
        transport.send(message())
    assert (tmp_path / "outbox").read_text() == "in the way"


def send_one(found: mail_settings.MailSettings) -> None:
    with mail.connect(found) as transport:
        transport.send(message())


# SMTP ---------------------------------------------------------------------


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def smtp_settings(tmp_path: Path, port: int, **config) -> mail_settings.MailSettings:
    return settings(tmp_path, MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=port, **config)


def test_smtp_delivers_on_one_connection(tmp_path, smtp):
    """Several messages, one connection; dots at a line start survive."""
    with mail.connect(smtp_settings(tmp_path, smtp.port)) as transport:
        transport.send(message("ada@example.org", ".leading dot\n..two\n"))
        first = transport.smtp
        transport.send(message("ben@example.org"))
        assert transport.smtp is first
    assert smtp.addresses() == ["ada@example.org", "ben@example.org"]
    assert lf(smtp.received[0].message.get_content()) == ".leading dot\n..two\n"
    assert not (tmp_path / "outbox").exists()


def test_a_refused_recipient_leaves_the_connection_usable(tmp_path):
    """550 for one recipient: MessageRefused with the server's words; the
    next message goes on the same connection."""
    server = SmtpServer(reject={"ben@example.org"}).start()
    try:
        with mail.connect(smtp_settings(tmp_path, server.port)) as transport:
            with pytest.raises(mail.MessageRefused, match="550"):
                transport.send(message("ben@example.org"))
            connection = transport.smtp
            transport.send(message("cat@example.org"))
            assert transport.smtp is connection
        assert server.addresses() == ["cat@example.org"]
    finally:
        server.stop()


def test_nothing_listening_is_unavailable(tmp_path):
    with pytest.raises(mail.MailUnavailable, match="cannot connect"):
        send_one(smtp_settings(tmp_path, free_port()))


class DropsIdleConnections(SmtpServer):
    """Closes each connection after one message, as servers with short idle
    timeouts do, but keeps listening."""

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        asyncio.get_running_loop().call_soon(server.transport.close)
        return answer


def test_a_dropped_idle_connection_is_opened_again(tmp_path):
    """The server hung up between messages: the next one reconnects and arrives."""
    server = DropsIdleConnections().start()
    try:
        with mail.connect(smtp_settings(tmp_path, server.port)) as transport:
            for address in ("ada@example.org", "ben@example.org", "cat@example.org"):
                transport.send(message(address))
        assert server.addresses() == ["ada@example.org", "ben@example.org", "cat@example.org"]
    finally:
        server.stop()


class Closing(SmtpServer):
    async def handle_DATA(self, server, session, envelope):
        return "421 4.3.2 Shutting down"


def test_a_closing_server_stops_the_batch(tmp_path):
    """421 ("closing") is not one message's problem: MailUnavailable."""
    server = Closing().start()
    try:
        with pytest.raises(mail.MailUnavailable, match="421"):
            send_one(smtp_settings(tmp_path, server.port))
    finally:
        server.stop()


class HangsUpAfterData(SmtpServer):
    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        server.transport.abort()
        return answer


def test_a_connection_lost_after_the_message_is_uncertain(tmp_path):
    """The server took the message but the answer never came: uncertain,
    never reported as simply failed (retrying could send it twice)."""
    server = HangsUpAfterData().start()
    try:
        with pytest.raises(mail.DeliveryUncertain, match="may have arrived"):
            send_one(smtp_settings(tmp_path, server.port))
        assert server.addresses() == ["ada@example.org"]
    finally:
        server.stop()


class Authenticating:
    def __init__(self) -> None:
        self.logins: list[tuple[bytes, bytes]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        # handled=False: aiosmtpd answers 235 or 535 itself.
        return AuthResult(success=auth_data.password == b"right horse", handled=False)


@pytest.mark.parametrize(("password", "works"), [("right horse", True), ("wrong", False)])
def test_smtp_login(tmp_path, password, works):
    """MAIL_SMTP_USERNAME/PASSWORD log in; a refused login stops the batch."""
    authenticator = Authenticating()
    server = SmtpServer(authenticator=authenticator, auth_require_tls=False).start()
    try:
        config = smtp_settings(
            tmp_path, server.port, MAIL_SMTP_USERNAME="notes", MAIL_SMTP_PASSWORD=password
        )
        if works:
            with mail.connect(config) as transport:
                transport.send(message())
            assert server.addresses() == ["ada@example.org"]
        else:
            with pytest.raises(mail.MailUnavailable, match="refused the login"):
                send_one(config)
            assert server.addresses() == []
        assert authenticator.logins[0][0] == b"notes"
    finally:
        server.stop()


def test_an_address_smtp_cannot_carry_is_refused_before_sending(tmp_path, smtp):
    """A non-ASCII address (SMTPUTF8 is not spoken) refuses that message only."""
    with mail.connect(smtp_settings(tmp_path, smtp.port)) as transport:
        with pytest.raises(mail.MessageRefused, match="non-ASCII"):
            transport.send(message("x@bücher.example"))
        transport.send(message("ada@example.org"))
    assert smtp.addresses() == ["ada@example.org"]
