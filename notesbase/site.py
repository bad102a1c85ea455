"""The site's own address, ``BASE_URL``: every absolute URL, calendar UID and
feed id the app writes is built from it, never from the Host header of the
request that asked (a client, or a proxy, chooses that header, and readers
who subscribe through two names would otherwise see everything twice).

Unset, the address is, in this order: the one ``SERVER_NAME`` gives (with
``PREFERRED_URL_SCHEME`` and ``APPLICATION_ROOT``); the one ``notesbase run``
or ``notesbase serve`` listens on; else ``http://localhost``. Emails, which
need a link someone can follow, refuse the last one (``known_base_url``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

SETTING = "BASE_URL"
FALLBACK = "http://localhost"
EXAMPLE = "https://notes.example.org"
# Where ``notesbase run``/``serve`` record the address they listen on.
SERVED_AT = "notesbase.served_at"
# Hosts that mean "every interface": a browser on this machine reaches them as localhost.
# What an environment file or a copy and paste may leave around the address.
_SPACE = " \t\r\n"
_EVERY_INTERFACE = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 - names, not a bind


class ConfigError(Exception):
    """A setting cannot work as it stands; the message says which and why."""


def parse_base_url(value: Any, setting: str = SETTING) -> str | None:
    """``value`` as the site's address (``https://host[:port][/path]``, no
    trailing slash, host in lower case), None when it is empty; raises
    ``ConfigError`` for anything else."""
    if value is None or (isinstance(value, str) and not value.strip(_SPACE)):
        return None
    problem = _problem(value)
    if problem:
        raise ConfigError(
            f"{setting} must be the site's public address, an absolute http(s) URL without"
            f" query or fragment, like {EXAMPLE}: {value!r} {problem}"
        )
    parts = urlsplit(str(value).strip(_SPACE))
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def _problem(value: Any) -> str:
    """Why ``value`` is not a site address ("" when it is one)."""
    if not isinstance(value, str):
        return "is not text"
    text = value.strip(_SPACE)
    if not text.isascii() or any(ch.isspace() or not ch.isprintable() for ch in text):
        return "has spaces, control or non-ASCII characters (write an IDN host as xn--)"
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        return "does not start with http:// or https://"
    if "?" in text or "#" in text:
        return "has a query or a fragment"
    if "@" in parts.netloc:
        return "names a user or password"
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        return "has a port that is not a number from 0 to 65535"
    if not parts.hostname:
        return "names no host"
    if parts.path and not parts.path.startswith("/"):
        return "has a path that does not start with /"
    return ""


def configured_base_url(app: Flask | None = None) -> str | None:
    """``BASE_URL``, else the address ``SERVER_NAME`` gives; None without either."""
    app = app or current_app
    base = parse_base_url(app.config.get(SETTING))
    if base:
        return base
    server = str(app.config.get("SERVER_NAME") or "").strip()
    if not server:
        return None
    scheme = str(app.config.get("PREFERRED_URL_SCHEME") or "http")
    root = str(app.config.get("APPLICATION_ROOT") or "/")
    return parse_base_url(f"{scheme}://{server}{root}", "SERVER_NAME")


def known_base_url(app: Flask | None = None) -> str | None:
    """The configured address, else the one the server listens on; None when
    neither is known (a command run outside the server with neither set)."""
    app = app or current_app
    return configured_base_url(app) or app.extensions.get(SERVED_AT)


def base_url(app: Flask | None = None) -> str:
    """The site's address (see the module docstring): always an absolute URL."""
    return known_base_url(app) or FALLBACK


def host(app: Flask | None = None) -> str:
    """The host name of the site's address (no port): the domain of calendar
    UIDs and of the feeds' tag URIs."""
    return urlsplit(base_url(app)).hostname or "localhost"


def url_for_site(endpoint: str, *, base: str | None = None, **values: Any) -> str:
    """The absolute URL of ``endpoint`` at the site's address (or at ``base``),
    whatever host the current request came in on."""
    parts = urlsplit(base or base_url())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def served_address(host_name: str, port: int | str, *, https: bool = False) -> str:
    """The address a server listening on ``host_name:port`` is reached at from
    this machine (every interface: localhost)."""
    name = host_name.strip()
    if name in _EVERY_INTERFACE:
        name = "localhost"
    elif ":" in name and not name.startswith("["):
        name = f"[{name}]"
    return f"{'https' if https else 'http'}://{name.lower()}:{int(port)}"


def record_served_at(app: Flask, address: str | None) -> None:
    """Tell ``app`` the address it is being served at (by ``notesbase run``/``serve``)."""
    if address:
        app.extensions[SERVED_AT] = parse_base_url(address, "the server's address")
