"""Work a request leaves until its reply has been sent: the server closes
the reply once the last byte is out, and the work runs then, in the same
worker, while the browser already has the page (with several workers, the
next page it asks for is served beside it). Used for what a reader need not
wait for and what is safe to do late, such as applying the search outbox:
until then a search applies it itself, or leaves out what it touches.

Registered through the request's WSGI environ, so work asked for at any
point of a request (in an ``after_request`` hook too) runs. Work never
fails the reply: an error is logged."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, has_request_context, request
from werkzeug.wsgi import ClosingIterator

log = logging.getLogger(__name__)

_ENVIRON_KEY = "notesbase.after_reply"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def after_reply(key: str, work: Callable[[], None]) -> None:
    """Run ``work`` once this request's reply has been sent, at most once
    per ``key`` and request (the first asked for is kept); outside a
    request, now."""
    if not has_request_context():
        work()
        return
    request.environ.setdefault(_ENVIRON_KEY, {}).setdefault(key, work)


class AfterReply:
    """The WSGI layer that runs a request's ``after_reply`` work when its
    reply is closed."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = self.app(environ, start_response)
        pending: dict[str, Callable[[], None]] | None = environ.get(_ENVIRON_KEY)
        if not pending:
            return body
        return ClosingIterator(body, [lambda: _run(pending)])


def _run(pending: dict[str, Callable[[], None]]) -> None:
    for key, work in pending.items():
        try:
            work()
        except Exception:
            log.exception("work left until after the reply failed: %s", key)


def init_app(app: Flask) -> None:
    app.wsgi_app = AfterReply(app.wsgi_app)  # type: ignore[method-assign]
