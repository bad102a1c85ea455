"""``report.md``: the archive's JSON in words, section by section. Every
value comes from the JSON (already cleared); Markdown's own characters in
it are escaped, so a name cannot turn into a link or a heading."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

READERS = {"member": "the series' members read", "public": "the public reads"}
_SPECIAL = re.compile(r"([\\`*_\[\]<>#~|])")


def esc(value: Any) -> str:
    """``value`` as Markdown shows it literally, on one line."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = " ".join(str(value).split())
    return _SPECIAL.sub(r"\\\1", text)


def _value(value: Any) -> str | None:
    """One value on one line; None for a list of records (shown apart)."""
    if isinstance(value, dict):
        return ", ".join(f"{esc(k)} {esc(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            return None
        return ", ".join(esc(v) for v in value) or "—"
    return esc(value)


def _rows(lines: list[str], rows: list[dict[str, Any]], empty: str) -> None:
    if not rows:
        if empty:
            lines += [empty, ""]
        return
    for row in rows:
        parts = [(key, _value(v)) for key, v in row.items()]
        lines.append("- " + "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in parts if v))
    lines.append("")


def _items(lines: list[str], items: list[dict[str, Any]]) -> None:
    if not items:
        lines += ["No item of the notes credits or names you.", ""]
        return
    for item in items:
        lines += [
            f"### Item {item['id']}: meeting {esc(item['meeting'])} of {esc(item['series'])}",
            "",
            f"{esc(item['meeting_title'])}, {esc(item['meeting_date'])}; shown as "
            f"{READERS.get(item['shown_as'], 'the public reads')} it, with you named.",
            "",
        ]
        for version in item["versions"]:
            spoke = " (you spoke)" if version["you_spoke"] else ""
            extra = f", {esc(version['confidentiality'])}" if "confidentiality" in version else ""
            lines.append(
                f"- Version {version['version']}, {esc(version['saved_at'])}: "
                f"{esc(version['kind'])}{extra}{spoke}"
            )
            if version["held"]:
                lines.append("  - Held back: it may name someone else. Ask a facilitator.")
                continue
            if version["section"]:
                lines.append(f"  - Under: {esc(version['section'])}")
            lines.append(f"  - Credited as: {esc(version['credited_as'])}")
            lines.append(f"  - Text: {esc(version['text'])}")
        lines.append("")


def report(data: dict[str, Any]) -> str:
    person = data["person"]
    lines = [
        "# Everything held about you",
        "",
        f"Produced {esc(data['produced_at'])}. The same, as data: subject-access.json "
        f"(format {data['format']}, version {data['version']}). Other people appear only "
        "as a role, or as you could already read them.",
        "",
        "## You",
        "",
    ]
    _rows(lines, [{k: v for k, v in person.items() if k != "id"}], "")
    account = data["account"]
    lines += ["## Your account", ""]
    if account is None:
        lines += ["You have no account.", ""]
    else:
        _rows(lines, [account], "")
        lines += ["### Logins", ""]
        _rows(lines, account["login_sessions"], "None.")
        lines += ["### API tokens", ""]
        _rows(lines, account["api_tokens"], "None.")
    lines += ["## Consents, with their history", ""]
    _rows(lines, data["consents"], "None: you are credited as “a participant” everywhere.")
    lines += ["## Items of the notes that credit or name you", ""]
    _items(lines, data["items"])
    lines += ["## Invitations", ""]
    _rows(lines, data["invitations"], "None.")
    lines += ["## Reviews you were asked to", ""]
    _rows(lines, data["reviews"], "None.")
    for review in data["reviews"]:
        _rows(lines, review["requests"], "")
    lines += ["## Emails sent to you", ""]
    _rows(lines, data["emails"], "None.")
    lines += ["## Audit log entries about you", ""]
    _rows(lines, data["audit"], "None.")
    return "\n".join(lines).rstrip() + "\n"
