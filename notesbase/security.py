"""Response headers, proxy handling and cookie flags every response gets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class SecureCookiesOverHttps:
    """Mark every cookie ``Secure`` when the request came over HTTPS.

    It sits inside ``ProxyFix``, so behind a trusted proxy (``PROXY_FIX_HOPS``)
    the scheme is the one the proxy reports in ``X-Forwarded-Proto``: a site
    served over HTTPS never sends its login cookies over plain HTTP, even when
    ``SESSION_COOKIE_SECURE`` was forgotten. Over plain HTTP (local use) the
    cookies stay usable; set ``SESSION_COOKIE_SECURE`` and
    ``REMEMBER_COOKIE_SECURE`` to require HTTPS always."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("wsgi.url_scheme") != "https":
            return self.app(environ, start_response)

        def secure_start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            return start_response(status, [_secure(name, value) for name, value in headers], *args)

        return self.app(environ, secure_start_response)


def _secure(name: str, value: str) -> tuple[str, str]:
    if name.lower() != "set-cookie":
        return name, value
    attributes = {part.strip().lower() for part in value.split(";")[1:]}
    return (name, value) if "secure" in attributes else (name, value + "; Secure")


def init_app(app: Flask) -> None:
    wsgi_app: Any = SecureCookiesOverHttps(app.wsgi_app)
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops:
        wsgi_app = ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    app.wsgi_app = wsgi_app  # type: ignore[method-assign]

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if current_user and current_user.is_authenticated:
            # Pages a member sees may hold what the public must not: never cache.
            headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response
