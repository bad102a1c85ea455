"""Public write-ups: a facilitator's summary and chosen open items, published
for the public. The parts:

- ``service``: storing and publishing (its refusals: ``errors``), a
  snapshot of the draft at each publishing (``snapshot``);
- ``public``: the public view, computed on every request through
  ``disclose`` over the published snapshot with the current people and
  consents;
- ``guard``: re-checks published write-ups in the transaction of any change
  that could alter them, and withholds one the leak check finds something
  in;
- ``views`` (pages, with their ``forms``), ``feed`` (Atom), ``api`` (JSON),
  ``export`` and ``markdown`` (the Markdown page);
- ``channels``: the leak check's "writeup" channel and the search index's
  "writeup" source; ``cli``: ``notesbase export writeup``."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the pages, feeds, leak-check channel, search source and command."""
    # Importing adds the feed's routes to the pages' blueprint; the API nests
    # the JSON routes (``api``) in its own.
    from notesbase.meetings.cli import export_cli
    from notesbase.publishing.writeups import channels, feed, guard  # noqa: F401
    from notesbase.publishing.writeups.cli import export_writeup_command
    from notesbase.publishing.writeups.views import bp

    channels.register_channels()
    export_cli.add_command(export_writeup_command)
    guard.install()
    app.register_blueprint(bp)
