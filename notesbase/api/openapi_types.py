"""The building blocks of the OpenAPI document's JSON Schemas: the common
types, and helpers for closed objects, bounded text, enums and examples."""

from __future__ import annotations

from typing import Any

from notesbase.routing import INT_MAX

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
LINK: Schema = {"type": "string", "format": "uri-reference"}
DATE: Schema = {"type": "string", "format": "date"}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
ID: Schema = {"type": "integer", "minimum": 1, "maximum": INT_MAX}
COUNT: Schema = {"type": "integer", "minimum": 0}
SERIES_SLUG_MAX = 80
EMAIL_MAX = 254
URL_MAX = 500
NOT_BLANK = r"\S"  # the server trims; something must be left


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or JSON null (OpenAPI 3.1 spells it as a type union)."""
    if "type" in schema and "$ref" not in schema:
        out = dict(schema)
        out["type"] = [schema["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [schema, {"type": "null"}]}


# What a write took out of the text it stored, field by field: present only
# when something was.
REMOVED: Schema = {
    "type": "object",
    "description": "The hidden characters (bidi overrides, fillers, zero-width spaces, "
    "control characters) storing each text field took out, as 'U+202E RIGHT-TO-LEFT "
    "OVERRIDE'; present only when any were.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def closed(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """An object with exactly these properties (``required``: all of them by default)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def text(max_length: int, *, blank: bool = True, **extra: Any) -> Schema:
    schema: Schema = {"type": "string", "maxLength": max_length, **extra}
    if not blank:
        schema.update(minLength=1, pattern=NOT_BLANK)
    return schema


def example(schema: Schema, value: dict[str, Any]) -> Schema:
    """``schema`` with a request body that works on the README's world."""
    return {**schema, "examples": [value]}


def enum(values: list[str]) -> Schema:
    return {"type": "string", "enum": values}


def values(kind: Any) -> list[str]:
    return [member.value for member in kind]
