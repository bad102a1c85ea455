"""Circulation by email: the members' view of a meeting's notes, sent to the
active members of its series, one message each, resumably.

- ``circulation_message``: the message (plain text and HTML) and what the
  leak check reads of it;
- ``circulation_service``: recording, claiming and sending, never twice;
- ``circulation_views``: the facilitators' page; ``circulation_cli``: the
  ``notesbase circulate`` command;
- ``mail``: the transport (SMTP, or ``.eml`` files in ``instance/outbox/``)."""

from __future__ import annotations

from flask import Flask

from notesbase.disclosure import Audience


def register(app: Flask) -> None:
    """Add the leak-check channel, the pages and the command to ``app``."""
    from notesbase.publishing import leakcheck
    from notesbase.publishing.circulation_cli import circulate_command
    from notesbase.publishing.circulation_message import CHANNEL, leak_fields
    from notesbase.publishing.circulation_views import bp

    leakcheck.register_channel(CHANNEL, Audience.MEMBER, leak_fields, "Circulation by email")
    app.register_blueprint(bp)
    app.cli.add_command(circulate_command)
