"""Circulation by email: the members' view of a meeting's notes, sent to the
active members of its series, one message each, resumably.

- ``message``: the message (plain text and HTML, the text part by
  ``plain_text``) and what the leak check reads of it;
- ``service``: preparing and recording a circulation, and where each
  recipient stands; ``delivery``: claiming and sending, never twice;
- ``views``: the facilitators' pages (``confirm``: what they confirm
  before sending); ``cli``: the ``notesbase circulate`` command;
- ``mail``: the transport (SMTP, or ``.eml`` files in ``instance/outbox/``),
  read from ``mail_settings``, with the headers made by ``mail_headers``;
  the write-ups' guard and the review's emails use them too."""

from __future__ import annotations

from flask import Flask

from notesbase.disclosure import Audience


def register(app: Flask) -> None:
    """Add the leak-check channel, the pages and the command to ``app``."""
    from notesbase.publishing.circulation.cli import circulate_command
    from notesbase.publishing.circulation.message import CHANNEL, leak_fields
    from notesbase.publishing.circulation.views import bp
    from notesbase.publishing.leakcheck import check as leakcheck

    leakcheck.register_channel(CHANNEL, Audience.MEMBER, leak_fields, "Circulation by email")
    app.register_blueprint(bp)
    app.cli.add_command(circulate_command)
