"""Bodies rendered before, kept where every process of the site finds them.

An item's body as one audience sees it (``disclose._shown_body``) depends on
nothing but the body's Markdown, the audience, what the matcher withholds
and puts in place (``Matcher.rules``), and the code that renders it. So a
render can be kept beyond the process that made it, under a key made from
all of those, whole:

- ``body_key``: a digest of the body, the audience, the matcher's rules and
  ``CODE``, the digest of every file of this package, of the Markdown
  allow-list and hidden-character rules it reads, and of the versions of
  Python, Unicode and the libraries it renders with. Any change to any of
  them (an edit, a consent given or withdrawn, a name corrected, a span
  redacted, a new release) is another key, so a kept render can never be
  shown for anything but what it was made from.
- ``Store``: where renders are kept (``notesbase.renders`` keeps them in a
  file beside the database). This package reads and writes nothing itself;
  the app says which store, if any, ``disclose`` uses (``use``).

A kept render holds what its audience was shown, names released to it
included, so a store is emptied whenever text or a person must leave no
trace (``notesbase.renders``)."""

from __future__ import annotations

import hashlib
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Protocol

from notesbase.disclosure.vocabulary import Audience

Shown = tuple[str, str] | None  # (HTML, text), or None: every word was redacted

# What a render is made with besides this package (read, not imported, so
# this stays free of them).
_PACKAGE = Path(__file__).resolve().parent
_ALSO_READ = ("markdown.py", "text.py")
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "nh3", "pyicu-wheels", "PyICU")


class Store(Protocol):
    """Where renders are kept. Either call may find nothing or fail
    quietly: a render not found is made again, one not kept is lost."""

    def get_many(self, keys: Iterable[bytes]) -> Mapping[bytes, Shown]: ...

    def put_many(self, renders: Mapping[bytes, Shown]) -> None: ...


def _none() -> Store | None:
    return None


_current: Callable[[], Store | None] = _none


def use(lookup: Callable[[], Store | None]) -> None:
    """Say where ``disclose`` finds the store to use now (None: none)."""
    global _current
    _current = lookup


def store() -> Store | None:
    return _current()


@cache
def code_digest() -> bytes:
    """A digest of all a render is made with but its arguments (see the
    module): files read in a fixed order, each with its name and length."""
    digest = hashlib.blake2b(digest_size=32)
    files = sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    files += [_PACKAGE.parent / name for name in _ALSO_READ]
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path.relative_to(_PACKAGE.parent)}\x00{len(data)}\x00".encode())
        digest.update(data)
    versions = [sys.version, unicodedata.unidata_version]
    for name in _LIBRARIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    digest.update("\x00".join(versions).encode())
    return digest.digest()


def body_key(body: str, audience: Audience, rules: bytes) -> bytes:
    """The key of ``body`` rendered for ``audience`` under a matcher's
    ``rules``: lengths first, so no two sets of arguments run together alike."""
    encoded = body.encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(code_digest(), digest_size=32)
    digest.update(f"{audience.value}\x00{len(rules)}\x00{len(encoded)}\x00".encode())
    digest.update(rules)
    digest.update(encoded)
    return digest.digest()
