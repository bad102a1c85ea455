"""Checks that hostile input stayed inert, made with real parsers: Python's
html.parser (attribute values unescaped as a browser reads them), the email
package, icalendar, xml.etree and PyYAML. No test here; each
``assert_*`` raises AssertionError naming the channel and what it found."""

from __future__ import annotations

import email
import json
import re
import xml.etree.ElementTree as ET
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from icalendar import Calendar
from markdown_it import MarkdownIt

CORPUS_FILE = Path(__file__).with_name("xss_corpus.json")

# Elements that run code, load a document or rewrite the page: never from input.
EXECUTABLE = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "svg",
    "math",
    "style",
    "template",
    "portal",
    "noscript",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "cite",
    "ping",
    "srcset",
    "xlink:href",
}
BAD_SCHEMES = ("javascript", "vbscript", "data", "livescript", "mocha")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
# What browsers drop from a URL before reading its scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def corpus() -> list[tuple[str, str]]:
    """(name, payload) for every payload in the corpus."""
    return [(entry["name"], entry["payload"]) for entry in json.loads(CORPUS_FILE.read_text())]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def url_scheme(value: str) -> str:
    """The scheme a browser reads from an attribute value ('' if relative)."""
    match = _SCHEME.match(_URL_NOISE.sub("", value))
    return match.group(1).lower() if match else ""


class _Elements(HTMLParser):
    """Every start tag with its attributes (values unescaped, as a browser
    reads them), and any text inside a <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag.lower(), {k.lower(): v or "" for k, v in attrs}))
        self._in_script = tag.lower() == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def html_problems(document: str, *, where: str = "") -> list[str]:
    """Everything in ``document`` that could run: elements that execute,
    event-handler and style attributes, forms that leave the site, and
    script-bearing URLs. Our own templates' scripts (from /static/, with no
    inline code) and same-site links are the only exceptions."""
    parser = _Elements()
    parser.feed(document)
    parser.close()
    problems = [f"{where}: inline script {text[:40]!r}" for text in parser.script_text]
    for tag, attrs in parser.found:
        if tag in EXECUTABLE and not (tag == "script" and _our_script(attrs)):
            problems.append(f"{where}: <{tag}>")
        if tag == "meta" and "http-equiv" in attrs:
            problems.append(f"{where}: <meta http-equiv>")
        if tag == "link" and not _same_site(attrs.get("href", "")):
            problems.append(f"{where}: <link href={attrs.get('href')!r}>")
        if tag == "form" and not _same_site(attrs.get("action", "")):
            problems.append(f"{where}: <form action={attrs.get('action')!r}>")
        for name, value in attrs.items():
            if name.startswith("on") or name in ("style", "formaction", "srcdoc"):
                problems.append(f"{where}: <{tag} {name}=...>")
            elif name in URL_ATTRIBUTES and url_scheme(value) in BAD_SCHEMES:
                problems.append(f"{where}: <{tag} {name}={value[:60]!r}>")
    return problems


def _our_script(attrs: dict[str, str]) -> bool:
    return attrs.get("src", "").startswith("/static/")


def _same_site(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.hostname == "localhost"
    return not url.startswith("//") and not _URL_NOISE.search(url)


def assert_inert_html(document: str, where: str) -> None:
    problems = html_problems(document, where=where)
    assert not problems, "\n".join(problems[:20])


def assert_inert_markdown(text: str, where: str) -> None:
    """A Markdown file is inert when a permissive renderer (raw HTML on, as
    Jekyll's kramdown renders a page) makes inert HTML of it."""
    permissive = MarkdownIt("commonmark", {"html": True}).enable("table")
    # markdown-it's own link check would hide bad links from us: turn it off.
    permissive.validateLink = lambda url: True  # type: ignore[method-assign]
    assert_inert_html(permissive.render(text), where)


# The event pages' own keys, which the write-up page writes (and nothing else).
FRONT_MATTER_KEYS = {
    "layout",
    "title",
    "image",
    "upcoming",
    "writeup",
    "featured",
    "date",
    "topics",
    "category",
    "link",
    "project",
}


def front_matter(text: str) -> dict[str, Any]:
    """The YAML front matter of a Markdown page; it must parse."""
    assert text.startswith("---\n"), text[:80]
    head, separator, _ = text[4:].partition("\n---\n")
    assert separator, "no end to the front matter"
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data


# -- email --------------------------------------------------------------------------

EMAIL_HEADERS = {
    "subject",
    "from",
    "to",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}


def parse_email(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def assert_inert_email(data: bytes, where: str) -> EmailMessage:
    """One header of each kind we write and no other, no header line break
    smuggled through a value, and an inert HTML part."""
    message = parse_email(data)
    assert not message.defects, (where, message.defects)
    names = [name.lower() for name in message]
    assert set(names) <= EMAIL_HEADERS, (where, sorted(set(names) - EMAIL_HEADERS))
    assert len(names) == len(set(names)), (where, names)
    for name, value in message.items():
        assert "\r" not in str(value) and "\n" not in str(value), (where, name, value)
    assert len(message["To"].addresses) == 1, where
    head = data.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in data else data.split(b"\n\n", 1)[0]
    for line in re.split(rb"\r?\n", head):
        assert line[:1] in (b" ", b"\t") or b":" in line, (where, line)
    html_part = message.get_body(("html",))
    text_part = message.get_body(("plain",))
    assert html_part is not None and text_part is not None, where
    assert_inert_html(html_part.get_content(), f"{where} (HTML part)")
    return message


# -- calendar -----------------------------------------------------------------------

EVENT_PROPERTIES = {
    "UID",
    "DTSTAMP",
    "LAST-MODIFIED",
    "SEQUENCE",
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "URL",
    "STATUS",
}


def assert_inert_calendar(data: bytes, events: int, where: str) -> Calendar:
    """Exactly ``events`` events, each with only the properties we write,
    and every unfolded content line one of ours."""
    calendar = Calendar.from_ical(data)
    found = calendar.walk("VEVENT")
    assert len(found) == events, (where, len(found), events)
    for event in found:
        extra = set(event.keys()) - EVENT_PROPERTIES
        assert not extra, (where, extra)
        summary = str(event["SUMMARY"])
        assert not re.search(r"[\x00-\x1f\x7f]", summary), (where, summary)
    unfolded = re.sub(rb"\r\n[ \t]", b"", data)
    assert b"\n" not in unfolded.replace(b"\r\n", b""), f"{where}: a bare line break"
    for line in unfolded.split(b"\r\n"):
        assert re.match(rb"^[A-Z][A-Z0-9-]*[;:]", line) or not line, (where, line[:80])
    return calendar


# -- Atom ---------------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def assert_inert_atom(data: bytes, where: str) -> ET.Element:
    """Well-formed Atom, only Atom elements, text (never html) content, and
    links that are plain web addresses."""
    root = ET.fromstring(data)  # noqa: S314 - our own feed, under test
    assert root.tag == ATOM + "feed", where
    for element in root.iter():
        assert element.tag.startswith(ATOM), (where, element.tag)
        if element.get("type") is not None and _local(element.tag) in ("title", "summary"):
            assert element.get("type") == "text", (where, element.tag, element.get("type"))
        if _local(element.tag) == "link":
            assert url_scheme(element.get("href", "")) in ("http", "https"), where
    return root
