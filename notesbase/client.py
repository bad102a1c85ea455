"""The app's test client: Flask's, closing each reply as a server does once
it has sent it, so work left until then (``notesbase.after_reply``, such as
applying the search outbox) has run when a call returns."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse


class ClosingClient(FlaskClient):
    """Reads each reply whole and closes it. ``buffered=False`` keeps a reply
    open, to time a request without the work that follows its reply."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> TestResponse:
        return super().open(*args, buffered=buffered, **kwargs)
