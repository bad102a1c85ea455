"""Shared by the circulation tests: a series whose notes plant released
and unreleased names, confidential text and redacted spans; members in and
out of it; a real SMTP server on loopback; readers for what arrived there
and in the outbox."""

from __future__ import annotations

import asyncio
import email
import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from notesbase.consent.grants import Scope, grant
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import Circulation, CirculationRecipient, Meeting, Member, Role, Series
from notesbase.notes.items import ItemFields, create_item
from notesbase.notes.people import PersonFields, create_person
from tests.support.loopback_support import free_port

PAGE = "/series/cop/meetings/10/circulate"
CONFIRM = PAGE + "/confirm"
NOTES = "/series/cop/meetings/10/notes"
TITLE = "Shared data in practice"

# Released to members: Jane is named to them.
RELEASED_CREDIT = "Jane Doe (Open Data Manchester)"
MEMBERS_ITEM = "Members-only insight about budgets"
MEMBERS_SPAN = "members-span-words"
# Never in any message, in any form.
UNRELEASED_NAME = "Zéphyrine Oakenshaw"
UNRELEASED_AFFILIATION = "Quillfeather Holdings"
UNRELEASED_DESCRIPTOR = "a harbour pilot"
UNRELEASED_EMAIL = "zeph@quillfeather.example"
CONFIDENTIAL_ITEM = "CONFIDENTIAL-MERGER-PLAN: the Acme merger is off until spring"
REDACTED_SPAN = "REDACTED-SPAN-BRAVO"
NEVER = [
    "Zéphyrine",
    "Oakenshaw",
    UNRELEASED_AFFILIATION,
    UNRELEASED_DESCRIPTOR,
    UNRELEASED_EMAIL,
    CONFIDENTIAL_ITEM,
    REDACTED_SPAN,
]
FACILITATOR = "facilitator@example.org"
FACILITATOR_NAME = "Fran Facilitator"
# Active members of "cop": each gets exactly one message.
RECIPIENTS = ["ada@example.org", "ben@example.org", "cat@example.org"]
# Inactive in "cop", and a member of "other" only: nothing, ever.
NOT_RECIPIENTS = ["dan@example.org", "eve@example.org", FACILITATOR]

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def folded(text: str) -> str:
    """Text as the tests compare it: accents, case and invisible characters gone."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_INVISIBLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def squashed(text: str) -> str:
    """Letters and digits only, so a name split by markup or spacing shows."""
    return re.sub(r"[\W_]+", "", folded(text))


def assert_never_planted(text: str, where: str = "") -> None:
    for secret in NEVER:
        assert folded(secret) not in folded(text), (where, secret)
        assert squashed(secret) not in squashed(text), (where, secret)


def build_world(app: Any, make_member: Any, make_series: Any) -> dict[str, Any]:
    """Series "cop" (meeting 10, the planted notes) and "other"; the members."""
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Other network")
    facilitator = make_member(FACILITATOR, role=Role.FACILITATOR, name=FACILITATOR_NAME)
    make_member("ada@example.org", name="Ada Byron", series=[cop])
    make_member("ben@example.org", name="Ben Okri", series=[cop])
    cat = make_member("cat@example.org", name="Cat Stevens", series=[cop])
    make_member("dan@example.org", name="Dan Inactive", series=[cop], active=False)
    make_member("eve@example.org", name="Eve Elsewhere", series=[other])
    with app.app_context():
        series = db.session.get(Series, cop.id)
        author = db.session.get(Member, facilitator.id)
        cat_row = db.session.get(Member, cat.id)
        cat_row.series.append(db.session.get(Series, other.id))
        meeting = Meeting(series=series, number=10, title=TITLE, date=date(2025, 7, 9))
        db.session.add(meeting)
        db.session.flush()
        jane = create_person(
            PersonFields(
                "Jane Doe",
                "Open Data Manchester",
                "a local authority data lead",
                "jane@odm.example",
            ),
            actor=author,
        )
        zeph = create_person(
            PersonFields(
                UNRELEASED_NAME, UNRELEASED_AFFILIATION, UNRELEASED_DESCRIPTOR, UNRELEASED_EMAIL
            ),
            actor=author,
        )
        grant(jane, ConsentAudience.MEMBER, Level.NAMED, Scope(), actor=author)
        for kind, body, confidentiality, speaker in (
            (Kind.POINT, "Shared data needs shared rules.", Confidentiality.OPEN, jane.id),
            (
                Kind.QUOTE,
                "ZÉPHYRINE OAKENSHAW agreed; Oakenshaw's team at Quillfeather Holdings "
                "(ask Zephyrine Oaken\u200bshaw, zeph@quillfeather.example) did it, said "
                "a harbour pilot.",
                Confidentiality.OPEN,
                zeph.id,
            ),
            (Kind.POINT, MEMBERS_ITEM, Confidentiality.MEMBERS, jane.id),
            (Kind.DECISION, CONFIDENTIAL_ITEM, Confidentiality.CONFIDENTIAL, None),
            (
                Kind.ACTION,
                f"Follow up [{REDACTED_SPAN}]{{.confidential}} and [{MEMBERS_SPAN}]{{.members}}.",
                Confidentiality.OPEN,
                None,
            ),
        ):
            create_item(
                meeting, ItemFields(kind, body, "Opening", speaker, confidentiality), actor=author
            )
        db.session.commit()
        return {"meeting_id": meeting.id, "cop": cop, "other": other}


# What arrived -------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    envelope_to: tuple[str, ...]
    message: EmailMessage

    @property
    def to(self) -> str:
        return self.message["To"].addresses[0].addr_spec

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()  # type: ignore[union-attr]

    def everything(self) -> str:
        """Every header and decoded part: what a reader could see."""
        headers = "\n".join(f"{k}: {v}" for k, v in self.message.items())
        return "\n".join([headers, self.text, self.html])


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def outbox_messages(app: Any) -> list[Received]:
    folder = Path(app.instance_path) / "outbox"
    found = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        message = parse(path.read_bytes())
        found.append(Received(tuple(a.addr_spec for a in message["To"].addresses), message))
    return found


def stop_controller(controller: Controller) -> None:
    """Stop the server and close its event loop: aiosmtpd keeps the loop for
    a restart, and an unclosed loop is a ResourceWarning (an error here)."""
    controller.stop()
    controller.loop.close()


class SmtpServer:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it accepts.
    ``reject``: addresses refused at RCPT with 550. ``go_down_after``: after
    accepting that many messages it stops listening and drops the
    connection, like a server shut down in the middle of a batch."""

    def __init__(
        self,
        reject: set[str] | None = None,
        go_down_after: int | None = None,
        **controller_options: Any,
    ) -> None:
        self.reject = set(reject or ())
        self.go_down_after = go_down_after
        self.received: list[Received] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        self.controller = Controller(
            self, hostname="127.0.0.1", port=free_port(), **controller_options
        )

    @property
    def port(self) -> int:
        return self.controller.port

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        stop_controller(self.controller)

    def configure(self, app: Any) -> None:
        app.config.update(MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=self.port)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.reject:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.received.append(Received(tuple(envelope.rcpt_tos), parse(envelope.content)))
            count = len(self.received)
        if self.go_down_after is not None and count >= self.go_down_after:
            self.controller.server.close()  # no new connections from here on
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 OK"

    def addresses(self) -> list[str]:
        with self.lock:
            return sorted(address for r in self.received for address in r.envelope_to)


def recipient_rows(app: Any) -> dict[str, tuple[str, bool, str]]:
    """address -> (status, has sent_at, error) over every circulation."""
    with app.app_context():
        rows = db.session.scalars(sa.select(CirculationRecipient).order_by(CirculationRecipient.id))
        return {row.email: (row.status.value, row.sent_at is not None, row.error) for row in rows}


def circulation_count(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Circulation)) or 0


def send_form_of(html: str) -> dict[str, str]:
    """The hidden fields of the confirmation page's send form (empty when
    the page offers no sending)."""
    form = re.search(rf'<form method="post" action="{PAGE}" .*?</form>', html, re.S)
    if form is None:
        return {}
    inputs = re.findall(r"<input [^>]*>", form.group(0))
    fields = {}
    for tag in inputs:
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def confirm_and_send(client: Any, **overrides: str) -> Any:
    """What a facilitator does: open the confirmation, then press Send."""
    html = client.get(CONFIRM).get_data(as_text=True)
    fields = send_form_of(html)
    assert fields, "the confirmation offers no sending"
    return client.post(PAGE, data={**fields, **overrides})
