"""Reading the audit page as a person reads it: the text of its table, tags
taken out, so a sentence with links in it can be asserted whole."""

from __future__ import annotations

import html
import re


def audit_rows(page: str) -> list[str]:
    """Each row of the audit table as 'when | who | what'."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [_text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows.append(" | ".join(cells))
    return rows


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())
