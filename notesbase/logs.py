"""Logging: what the app writes to its logs, and what it never writes
(note text, passwords, tokens), with user-supplied text escaped.

Every log record made in the process, by the app or a library, is built by
``SafeLogRecord``: its message has control characters and line breaks escaped
(``\\n``, ``\\x1b``), so a name or a path sent by a visitor can neither forge
a log line nor drive a terminal, and the secret part of invitation links and
API tokens is replaced by ``[redacted]``. Tracebacks keep one frame per line,
but each exception's message is escaped the same way, and database errors
never show the values of their statement (which may be note text).

Werkzeug's development server (``notesbase run``) colours its start-up
banner and its access lines: its own colour codes are kept, around text
escaped as any other, when standard error is a terminal, and left out
elsewhere. Its access lines never show a query string (what a reader
searched for): a "?" and what follows it, up to the HTTP version, is left
out of every line of Werkzeug's that has arguments.

The app itself logs ids, counts and kinds, never the text of the notes, a
password, a token or what a visitor typed as an email (which is sometimes a
password typed into the wrong field)."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import Flask

# Loggers that write data at DEBUG or INFO: SQLAlchemy's engine logs every
# statement (and its values, note text and password hashes, should
# hide_parameters ever be off). Held at WARNING unless the deployment gives
# them a level of its own, so a DEBUG root logger does not turn them on.
QUIET_LOGGERS = ("sqlalchemy.engine",)

REDACTED = "[redacted]"
_SECRETS = (
    (re.compile(r"(/invite/)[^/?#\s]+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"\bnb_[A-Za-z0-9_-]{8,}"), f"nb_{REDACTED}"),
    (re.compile(r"(\bBearer\s+)\S+", re.IGNORECASE), rf"\g<1>{REDACTED}"),
)

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE = [
    *range(0x00, 0x20),  # C0 controls, among them line breaks and ESC
    *range(0x7F, 0xA0),  # DEL and the C1 controls (NEL, CSI)
    0x2028,  # line separator
    0x2029,  # paragraph separator
    *range(0x202A, 0x202F),  # bidirectional embeddings and overrides
    *range(0x2066, 0x206A),  # bidirectional isolates
]
_ESCAPES = {
    code: _NAMED.get(chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in _UNSAFE
}


def escape(text: str) -> str:
    """``text`` on one line, with every control character written as an escape."""
    return text.translate(_ESCAPES)


def redact(text: str) -> str:
    """``text`` without the secret part of invitation links and API tokens."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def clean(text: str) -> str:
    return escape(redact(text))


def _exception_line(error: BaseException) -> str:
    """``Type: message`` on one line, escaped; a database error without the
    values it was given (``hide_parameters``) or the row it was refusing."""
    hidden = isinstance(error, sa.exc.StatementError) and not error.hide_parameters
    if hidden:
        error.hide_parameters = True  # type: ignore[union-attr]
    try:
        text = "".join(traceback.format_exception_only(type(error), error))
    finally:
        if hidden:
            error.hide_parameters = False  # type: ignore[union-attr]
    if isinstance(error, sa.exc.StatementError):
        # PostgreSQL's DETAIL names key values and "Failing row contains (...)".
        text = "\n".join(line for line in text.splitlines() if not line.startswith("DETAIL:"))
    return clean(text.rstrip("\n")) + "\n"


def format_exception(error: BaseException) -> str:
    """A traceback of ``error`` and the exceptions it came from, one frame per
    line as usual, with every exception's message escaped and redacted."""
    parts: list[str] = []
    seen: set[int] = set()

    def add(current: BaseException) -> None:
        seen.add(id(current))
        cause, context = current.__cause__, current.__context__
        if cause is not None and id(cause) not in seen:
            add(cause)
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
            )
        elif context is not None and not current.__suppress_context__ and id(context) not in seen:
            add(context)
            parts.append(
                "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
        if current.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(frame + "\n" for frame in _frames(current))
        parts.append(_exception_line(current))

    add(error)
    return "".join(parts).rstrip("\n")


def _frames(error: BaseException) -> list[str]:
    """Each frame's two lines ("File ..., line n, in f" and its source) as one
    entry, so that escaping keeps their line break."""
    return [
        "\n".join(clean(line) for line in frame.rstrip("\n").split("\n"))
        for frame in traceback.format_tb(error.__traceback__)
    ]


# Werkzeug's records: the colours ``werkzeug.serving._ansi_style`` wraps
# around a whole text (bold and five colours, then a reset), the template of
# its access lines, and the first line of its start-up banner.
WERKZEUG = "werkzeug"
_WERKZEUG_STYLE = re.compile(r"\A((?:\x1b\[(?:1|3[1-6])m)+)(.*)(\x1b\[0m)\Z", re.DOTALL)
_ACCESS_LINE = '"%s" %s %s'
_BANNER = "WARNING: This is a development server."
# A request line's query string: from "?" up to the HTTP version, or to the
# end of a line that has none.
_QUERY = re.compile(r"\?.*?(?=(?: HTTP/\d(?:\.\d)?)?\Z)", re.DOTALL)


# What a server quotes back from a request it could not read (Werkzeug's
# "Bad request version ('…')", gunicorn's "Invalid HTTP request line: '…'"):
# the request line or a header as sent, search words and all, even where
# they are not in a query string (a raw space ends the target early).
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'" + r'|"(?:[^"\\]|\\.)*"')
# A query string in a request target anywhere in a server's message
# ("Error handling request /search?q=…").
_TARGET_QUERY = re.compile(r"""(/[^\s'"?]*)\?[^\s'"]*""")
GUNICORN = "gunicorn.error"


def without_request_text(text: str) -> str:
    """A server's message with what it quotes from a request and every
    query string replaced by ``[redacted]``."""
    text = _QUOTED.sub(f"'{REDACTED}'", text)
    return _TARGET_QUERY.sub(rf"\g<1>?{REDACTED}", text)


def _on_terminal() -> bool:
    """Whether standard error, where Werkzeug's log handler writes, is a terminal."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # None, or closed
        return False


def _werkzeug_text(text: str, colour: bool) -> str:
    """``text`` cleaned, with Werkzeug's colour around the whole of it kept
    when ``colour`` and dropped otherwise."""
    styled = _WERKZEUG_STYLE.match(text)
    if styled is None:
        return clean(text)
    inner = clean(styled[2])
    return f"{styled[1]}{inner}{styled[3]}" if colour else inner


def _werkzeug_argument(value: object, request: bool, colour: bool) -> object:
    """An argument of a Werkzeug line cleaned and without its query string;
    for the ``request`` of an access line, Werkzeug's colour around it kept
    when ``colour`` and dropped otherwise."""
    if isinstance(value, int | float):
        return value
    text = str(value)
    if not request:
        return clean(without_request_text(_QUERY.sub(f"?{REDACTED}", text, count=1)))
    styled = _WERKZEUG_STYLE.match(text)
    prefix, text, suffix = styled.groups() if styled else ("", text, "")
    text = clean(_QUERY.sub(f"?{REDACTED}", text, count=1))
    return f"{prefix}{text}{suffix}" if colour else text


def werkzeug_message(record: logging.LogRecord) -> str | None:
    """The message of a record of Werkzeug's server: the start-up banner on
    its lines, a line of its own coloured, an access or error line without
    query strings; None for a record of another shape, escaped as usual."""
    if not isinstance(record.msg, str):
        return None
    colour = _on_terminal()
    if not record.args:
        lines = record.msg.split("\n")
        if _werkzeug_text(lines[0], colour=False).startswith(_BANNER):
            return "\n".join(_werkzeug_text(line, colour) for line in lines)
        return _werkzeug_text(record.msg, colour)
    if not isinstance(record.args, tuple):
        return None
    # Only the request of an access line is Werkzeug's to colour.
    access = record.msg.endswith(_ACCESS_LINE) and len(record.args) == 3
    args = tuple(
        _werkzeug_argument(arg, request=access and index == 0, colour=colour)
        for index, arg in enumerate(record.args)
    )
    try:
        return clean(record.msg) % args
    except (TypeError, ValueError):
        return None


class SafeMessage:
    """Mixed into log records: the message escaped and redacted, and the
    traceback formatted by ``format_exception``."""

    escapes_user_text = True

    def getMessage(self) -> str:
        name = getattr(self, "name", None)
        if name == WERKZEUG:
            message = werkzeug_message(self)  # type: ignore[arg-type]
            if message is not None:
                return message
        if name == GUNICORN:
            return clean(without_request_text(super().getMessage()))  # type: ignore[misc]
        return clean(super().getMessage())  # type: ignore[misc]

    def _prepare_traceback(self) -> None:
        exc_info = getattr(self, "exc_info", None)
        if exc_info and exc_info[1] is not None and not getattr(self, "exc_text", None):
            # Formatters use a record's exc_text when it is already set.
            self.exc_text = format_exception(exc_info[1])


class SafeLogRecord(SafeMessage, logging.LogRecord):
    """The record every logger in the process makes once ``init_app`` ran."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_traceback()


@lru_cache(maxsize=16)
def _safe_class(record_class: type[logging.LogRecord]) -> type[logging.LogRecord]:
    if issubclass(record_class, SafeMessage):
        return record_class
    return type(f"Safe{record_class.__name__}", (SafeMessage, record_class), {})


def _install_record_factory() -> None:
    """Make every record a safe one, once per process, keeping any factory a
    library installed before us."""
    current = logging.getLogRecordFactory()
    if getattr(current, "escapes_user_text", False):
        return
    if current is logging.LogRecord:
        logging.setLogRecordFactory(SafeLogRecord)
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        record.__class__ = _safe_class(type(record))
        record._prepare_traceback()  # type: ignore[attr-defined]
        return record

    factory.escapes_user_text = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def init_app(app: Flask) -> None:
    """Configure the process's logging for the app. Safe to call for every app
    the process creates: nothing is added twice."""
    _install_record_factory()
    # Flask's logger is the "notesbase" logger: making it now gives every
    # module's records (notesbase.*) Flask's handler and format from the
    # first line, in gunicorn workers too, rather than Python's bare
    # last-resort output until something first asks for ``app.logger``.
    app.logger.debug("logging configured")
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)
