"""Reading a JSON request body strictly: 413 past the size limit, 415 when it
is not JSON, 400 when it does not parse to an object, and 422 naming every
field that is missing, unknown, of the wrong type or out of range. And
``iso``: how an answer writes a time."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any

from flask import request

from notesbase.api_support.errors import ApiError
from notesbase.routing import INT_MAX
from notesbase.text import removed_from

MAX_BODY = 1024 * 1024
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2})?")
MISSING = object()
SURROGATE = "Remove the unpaired surrogate: it is not a character."


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_object() -> dict[str, Any]:
    """The request body as a JSON object."""
    length = request.content_length
    if length is not None and length > MAX_BODY:
        raise ApiError(413, f"The body is at most {MAX_BODY:,} bytes.")
    if request.mimetype != "application/json":
        raise ApiError(415)
    data = request.get_data(cache=True)
    if len(data) > MAX_BODY:
        raise ApiError(413, f"The body is at most {MAX_BODY:,} bytes.")
    try:
        body = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def unpaired_surrogate(value: str) -> bool:
    """``"\\ud800"`` is valid JSON but no character: it has no UTF-8 form,
    so it can be neither stored nor searched."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def storable(value: str) -> bool:
    """Whether a database can hold (or look up) ``value``: PostgreSQL
    refuses a NUL, which the services strip from what they store but which
    a lookup would send as it is."""
    return "\x00" not in value and not unpaired_surrogate(value)


class Fields:
    """Take fields out of a JSON object one by one, collecting a message for
    each that is wrong; ``done()`` raises one 422 naming all of them."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: dict[str, str] = {}
        self.seen: set[str] = set()

    def has(self, name: str) -> bool:
        return name in self.body

    def removed_characters(self, *several_lines: str) -> dict[str, list[str]]:
        """For each text field of the body, the hidden characters storing it
        takes out (``several_lines`` name the fields of several lines), so
        the answer can tell the writer: nothing is dropped silently."""
        return removed_from(
            {
                name: (value, name not in several_lines)
                for name, value in self.body.items()
                if isinstance(value, str)
            }
        )

    def _raw(self, name: str, required: bool) -> Any:
        self.seen.add(name)
        if name not in self.body:
            if required:
                self.errors[name] = "This field is required."
            return MISSING
        return self.body[name]

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(
        self,
        name: str,
        *,
        required: bool = False,
        max_length: int,
        blank: bool = True,
        nullable: bool = False,
        default: str | None = "",
        trim: bool = True,
    ) -> Any:
        """A string, trimmed (unless ``trim`` is false: Markdown, where
        leading spaces mean something); ``default`` when absent (or null, if
        allowed)."""
        value = self._raw(name, required)
        if value is MISSING or (value is None and nullable):
            return default
        if not isinstance(value, str):
            self.fail(name, "Give a string.")
            return default
        if trim:
            value = value.strip()
        if unpaired_surrogate(value):
            self.fail(name, SURROGATE)
        elif not blank and not value:
            self.fail(name, "This field must not be empty.")
        elif len(value) > max_length:
            self.fail(name, f"At most {max_length:,} characters.")
        return value

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: int = 1,
        maximum: int = INT_MAX,
        nullable: bool = False,
    ) -> Any:
        value = self._raw(name, required)
        if value is MISSING or (value is None and nullable):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 3.0 is the number 3 in JSON (and in JSON Schema)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, "Give a whole number.")
            return None
        if not minimum <= value <= maximum:
            self.fail(name, f"Give a whole number from {minimum} to {maximum}.")
            return None
        return value

    def integers(self, name: str, *, required: bool = False, max_items: int) -> list[int]:
        """A list of whole numbers from 1 to ``INT_MAX`` (ids)."""
        value = self._raw(name, required)
        if value is MISSING:
            return []
        if isinstance(value, list):
            value = [int(v) if isinstance(v, float) and v.is_integer() else v for v in value]
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= INT_MAX for v in value
        ):
            self.fail(name, f"Give a list of whole numbers from 1 to {INT_MAX}.")
            return []
        if len(value) > max_items:
            self.fail(name, f"Give at most {max_items:,} entries.")
            return []
        return list(value)

    def boolean(self, name: str, *, default: bool) -> bool:
        value = self._raw(name, False)
        if value is MISSING:
            return default
        if not isinstance(value, bool):
            self.fail(name, "Give true or false.")
            return default
        return value

    def iso_date(self, name: str, *, required: bool = False) -> date | None:
        value = self._raw(name, required)
        if value is MISSING:
            return None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(name, "Give a date as YYYY-MM-DD.")
        return None

    def iso_time(self, name: str) -> time | None:
        value = self._raw(name, False)
        if value is MISSING or value is None:
            return None
        if isinstance(value, str) and _TIME.fullmatch(value):
            try:
                return time.fromisoformat(value)
            except ValueError:
                pass
        self.fail(name, "Give a time as HH:MM (24-hour clock), or null.")
        return None

    def choice(
        self, name: str, choices: list[str], *, required: bool = False, nullable: bool = False
    ) -> Any:
        value = self._raw(name, required)
        if value is MISSING or (value is None and nullable):
            return None
        if not isinstance(value, str) or value not in choices:
            self.fail(name, f"Choose one of: {', '.join(choices)}.")
            return None
        return value

    def strings(self, name: str, *, max_items: int, max_length: int) -> list[str]:
        value = self._raw(name, False)
        if value is MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, "Give a list of strings.")
            return []
        if any(map(unpaired_surrogate, value)):
            self.fail(name, SURROGATE)
        elif len(value) > max_items:
            self.fail(name, f"Give at most {max_items} entries.")
        elif any(len(v) > max_length for v in value):
            self.fail(name, f"Keep each entry under {max_length} characters.")
        return list(value)

    def done(self) -> None:
        """422 for any wrong or unknown field; nothing is written then."""
        for name in self.body:
            if name not in self.seen:
                self.errors.setdefault(name, "This field is not known here.")
        if self.errors:
            raise ApiError(422, fields=dict(sorted(self.errors.items())))
