"""Split a Jekyll page into YAML front matter and body, reading the YAML
strictly: duplicate keys are reported (PyYAML would silently keep the last),
and every error names the line of the file, not of the YAML block. Also the
file's bytes as text (``decode_page``) and the front matter's date
(``page_date``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import yaml

from notesbase.importing.notices import Notice

# A page is a few kilobytes; anything this big is not one.
MAX_PAGE_BYTES = 2 * 1024 * 1024
_DELIMITERS = ("---",)
_CLOSERS = ("---", "...")


class PageError(Exception):
    """A page that cannot be imported: the message and the file line it concerns."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class FrontMatter:
    """The top-level keys, in order, with the file line each was written on.

    ``values`` holds the last value of a repeated key, as Jekyll would, except
    that lists are merged; ``repeats`` lists every key written more than once,
    with all its lines and values, so the caller can warn and keep them."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    repeats: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)
    list_indents: dict[str, int] = field(default_factory=dict)
    nested_repeats: list[tuple[str, int]] = field(default_factory=list)
    opening_line: int = 1
    body: str = ""
    body_line: int = 1


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that records repeated keys inside nested mappings and reads
    an impossible timestamp (``2025-13-45``) as text instead of crashing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.nested_repeats: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    self.nested_repeats.append((str(key), key_node.start_mark.line))
                seen.add(key)
            except TypeError:
                pass  # an unhashable key: the base class raises a marked error
        return super().construct_mapping(node, deep=deep)

    def construct_lenient_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_StrictLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _StrictLoader.construct_lenient_timestamp
)


def split_page(text: str) -> FrontMatter:
    """Find the front matter between the ``---`` lines and read it; raise
    ``PageError`` with a file line for anything that is not a Jekyll page."""
    if not text.strip():
        raise PageError("the file is empty", 1)
    lines = text.split("\n")
    if lines[0].rstrip() not in _DELIMITERS:
        raise PageError("no front matter: a Jekyll page starts with a '---' line", 1)
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in _CLOSERS), None)
    if closing is None:
        raise PageError("the front matter opened on line 1 is never closed by a '---' line", 1)
    matter = FrontMatter(body="\n".join(lines[closing + 1 :]), body_line=closing + 2)
    _read_yaml("\n".join(lines[1:closing]), matter, first_line=2)
    return matter


def _read_yaml(source: str, matter: FrontMatter, first_line: int) -> None:
    try:
        # The reader refuses control characters as soon as it is made.
        loader = _StrictLoader(source)
    except yaml.reader.ReaderError as error:
        line = source[: error.position].count("\n") + first_line
        raise PageError(
            f"the front matter has a control character (code {error.character:#x}) "
            "that YAML does not allow",
            line,
        ) from None
    try:
        root = loader.get_single_node()
        if root is None:
            return
        if not isinstance(root, yaml.MappingNode):
            raise PageError(
                "the front matter must be 'key: value' lines", root.start_mark.line + first_line
            )
        for key_node, value_node in root.value:
            key = loader.construct_object(key_node, deep=True)
            value = loader.construct_object(value_node, deep=True)
            _add_key(matter, str(key), value, key_node.start_mark.line + first_line)
            if isinstance(value_node, yaml.SequenceNode) and not value_node.flow_style:
                matter.list_indents.setdefault(str(key), value_node.start_mark.column)
        matter.nested_repeats = [(k, line + first_line) for k, line in loader.nested_repeats]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark else first_line
        problem = error.problem or error.context or "unreadable"
        raise PageError(f"the front matter is not valid YAML: {problem}", line) from None
    except yaml.YAMLError as error:
        raise PageError(f"the front matter is not valid YAML: {error}", first_line) from None
    finally:
        loader.dispose()


def _add_key(matter: FrontMatter, key: str, value: Any, line: int) -> None:
    if key not in matter.values:
        matter.values[key] = value
        matter.lines[key] = line
        return
    repeats = matter.repeats.setdefault(key, [(matter.lines[key], matter.values[key])])
    repeats.append((line, value))
    previous = matter.values[key]
    if isinstance(previous, list) and isinstance(value, list):
        matter.values[key] = previous + [v for v in value if v not in previous]
    else:
        matter.values[key] = value


def to_json(value: Any) -> Any:
    """A front-matter value in a form a JSON column stores and reads back equal."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_json(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else str(value)
        )
    return str(value)


def report_repeats(matter: FrontMatter, notices: list[Notice]) -> None:
    """Warn about keys written twice; merge lists, keep earlier differing values."""
    for key, occurrences in matter.repeats.items():
        lines = " and ".join(str(line) for line, _ in occurrences)
        values = [value for _, value in occurrences]
        if all(isinstance(v, list) for v in values):
            merged = ", ".join(str(v) for v in matter.values[key])
            message = f"'{key}' appears more than once (lines {lines}); merged the lists: {merged}"
        elif all(v == values[0] for v in values):
            message = f"'{key}' appears more than once (lines {lines}) with the same value"
        else:
            matter.values[key] = values[-1]
            message = (
                f"'{key}' appears more than once (lines {lines}) with different values; "
                f"used the last, kept the others in source_extra under 'repeated'"
            )
            repeated = {key: [to_json(v) for v in values[:-1]]}
            matter.values.setdefault("repeated", {}).update(repeated)
        notices.append(Notice.warning(message, occurrences[-1][0]))
    for key, line in matter.nested_repeats:
        notices.append(
            Notice.warning(f"'{key}' appears twice in the same block; YAML keeps the last", line)
        )


def report_indents(matter: FrontMatter, notices: list[Notice]) -> None:
    """Note a list indented unlike the others (read correctly, but worth a look)."""
    if len(matter.list_indents) < 2:
        return
    usual = Counter(matter.list_indents.values()).most_common(1)[0][0]
    for key, indent in matter.list_indents.items():
        if indent != usual:
            count = len(matter.values[key]) if isinstance(matter.values[key], list) else 1
            notices.append(
                Notice.note(
                    f"the list under '{key}' is indented {indent} spaces where the others use "
                    f"{usual}; read as a list of {count} item(s)",
                    matter.lines[key],
                )
            )


def decode_page(data: bytes) -> str:
    """UTF-8 text with one kind of line ending; a page over ``MAX_PAGE_BYTES``,
    non-UTF-8 bytes and NUL are errors (naming the line), never guessed at.
    (Other control characters are refused in the front matter by YAML, and
    dropped from the body as it is stored.)"""
    if len(data) > MAX_PAGE_BYTES:
        raise PageError(
            f"the file is {len(data) / 1024 / 1024:.1f} MB; an event page is at most "
            f"{MAX_PAGE_BYTES // 1024 // 1024} MB"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        raise PageError(f"not UTF-8 text (byte 0x{byte}): save the file as UTF-8", line) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise PageError("the file holds a NUL character", line)
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def page_date(matter: FrontMatter) -> tuple[dt.date, dt.time | None]:
    """The meeting's date, and its time when the front matter gives one
    (``2025-07-09 14:00`` or Jekyll's ``2025-07-09 14:00:00 +0100``)."""
    if "date" not in matter.values or matter.values["date"] in (None, ""):
        raise PageError(
            "no date in the front matter (write it as YYYY-MM-DD)",
            matter.lines.get("date", matter.opening_line),
        )
    raw, line = matter.values["date"], matter.lines["date"]
    if isinstance(raw, dt.datetime):
        stamp = raw
    elif isinstance(raw, dt.date):
        return raw, None
    else:
        stamp = parse_stamp(str(raw).strip())
        if stamp is None:
            raise PageError(f"the date '{raw}' is not a date (write it as YYYY-MM-DD)", line)
    clock = stamp.time().replace(second=0, microsecond=0)
    return stamp.date(), None if clock == dt.time(0, 0) else clock


def parse_stamp(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"):
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None
