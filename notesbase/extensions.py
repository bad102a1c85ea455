"""Flask extensions, created unbound and bound in ``create_app``."""

from __future__ import annotations

import copy
from typing import Any

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

# Seconds to wait for a Redis rate-limit store before counting in-process.
REDIS_TIMEOUT = 1.0


class AppLimiter(Limiter):
    """Flask-Limiter bound afresh to each app it is given.

    Flask-Limiter keeps what the first app's config said (key prefix, what to
    do when the store is down, ...) for every later app, and a store found
    dead stays dead for them too; here each ``init_app`` starts from the
    state the limiter was constructed with, so each app (in the tests, each
    test's app) gets its own settings. A Redis store answers within
    ``REDIS_TIMEOUT`` or counts as down."""

    # Attributes Flask-Limiter fills from the first app's config and keeps.
    _PER_APP = (
        "_key_prefix",
        "_swallow_errors",
        "_headers_enabled",
        "_fail_on_first_breach",
        "_retry_after",
        "_strategy",
        "_storage_options",
        "_header_mapping",
        "_in_memory_fallback",
        "_in_memory_fallback_enabled",
        "_storage_dead",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._as_constructed = {name: copy.copy(getattr(self, name)) for name in self._PER_APP}

    def init_app(self, app: Any) -> None:
        for name, value in self._as_constructed.items():
            setattr(self, name, copy.copy(value))
        uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
        if uri.startswith(("redis", "rediss", "valkey")):
            options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
            options.setdefault("socket_timeout", REDIS_TIMEOUT)
            options.setdefault("socket_connect_timeout", REDIS_TIMEOUT)
            app.config["RATELIMIT_STORAGE_OPTIONS"] = options
        super().init_app(app)

    def without_headers(self) -> None:
        """No rate-limit headers on this request's response: Flask-Limiter
        would raise its ``Retry-After`` to the end of the limit's window,
        where a 503 means to say when the service may be back."""
        self.context.view_rate_limit = None


csrf = CSRFProtect()
login_manager = LoginManager()
limiter = AppLimiter(key_func=get_remote_address)
