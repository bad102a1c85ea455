"""The leak check: before anything leaves for an audience, the exact text
that audience will receive is read for anything it may not see.

- ``check``: the check itself, overrides, the channel registry;
- the rules: ``people`` (names, affiliations, descriptors, emails; their
  ``terms``), ``secrets`` (confidential items, redacted spans) and
  ``redactions`` (redactions that cannot be read, or leave a sentence
  broken); what they read: ``text`` (an output in canonical form),
  ``lines`` and ``pieces`` (each distinct line once), ``audience`` (one
  audience's reading, for all its channels);
- ``places``: where in the notes each finding is; ``meeting``: the
  "meeting" channel (a meeting's own public fields);
- ``views``: the leak-check page (``groups``: one entry per thing found),
  its override and quick-fix forms (``forms``, ``fixes``); ``cli``:
  ``notesbase check``;
- ``draft``: the people rules on an item as it is typed, for the notes
  editor (``draft_views``).

Channels register with ``check`` from their own packages, and nothing here
imports them, except the "meeting" channel (``meeting``): it reads what the
calendar feed and the write-up feed make of a meeting."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the "meeting" channel, the leak-check page, the editor's names
    check, ``notesbase check``, and the page's results worked out after
    each save in the notes editor (``prefill``)."""
    from notesbase.publishing.leakcheck import draft_views, meeting, prefill, views
    from notesbase.publishing.leakcheck.cli import check_command
    from notesbase.publishing.leakcheck.groups import checks_for

    meeting.register_channel()
    app.register_blueprint(views.bp)
    app.add_template_global(checks_for, "leak_checks")
    app.register_blueprint(draft_views.bp)
    app.cli.add_command(check_command)
    prefill.init_app(app)
