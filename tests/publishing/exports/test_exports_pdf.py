"""The notes as PDF (WeasyPrint): the print page's document and nothing
else, no author metadata, nothing fetched, and the same access and leak
check as every other export."""

from __future__ import annotations

import io
import os
import re
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pypdf
import pytest
import sqlalchemy as sa

from notesbase.publishing.exports import pdf as export_pdf

if not export_pdf.pdf_available():
    MISSING = (
        "WeasyPrint or its system libraries are missing (pip install -e '.[pdf]'; "
        "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)"
    )
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError(f"PDF exports are required in CI: {MISSING}")
    pytest.skip(MISSING, allow_module_level=True)

from weasyprint.formatting_structure.boxes import TextBox

from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.models import Meeting, Role
from notesbase.notes.items import ItemFields, create_item
from notesbase.publishing.exports.notes import CHATHAM_HOUSE_LINE, build_export
from tests.publishing.exports.exports_support import (
    AUTHOR,
    MEMBERS_ONLY,
    NOTES,
    assert_clean,
    world_fixture,  # noqa: F401 - a fixture
)

PDF = NOTES + ".pdf"


@pytest.fixture
def reader(world, login_as):
    return login_as(Role.MEMBER, "reader@example.org", series=[world["cop"]], name="Rhoda Reader")


def pdf_text(app, number: int = 1) -> str:
    """The words laid out on the PDF's pages (WeasyPrint's own boxes, before
    fonts turn them into glyph numbers)."""
    with app.app_context(), app.test_request_context():
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.number == number))
        document = export_pdf.render_document(build_export(meeting))
    words: list[str] = []
    for page in document.pages:
        words += [box.text for box in page._page_box.descendants() if isinstance(box, TextBox)]
    return " ".join(" ".join(words).split())


def pdf_objects(body: bytes) -> bytes:
    """The PDF with its compressed streams (object streams too) inflated, so
    the document information can be read."""
    parts = [body]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_weasyprint_is_available_here():
    """The PDF is offered: WeasyPrint and its libraries load on this machine."""
    assert export_pdf.pdf_available()


def test_member_downloads_the_pdf(client, reader):
    """A member of the series gets a PDF attachment with a safe name."""
    response = client.get(PDF)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=cop-meeting-1-notes.pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF-")
    objects = pdf_objects(body)
    assert b"/Title" in objects and b"/Producer" in objects
    for key in (b"/Author", b"/Keywords", b"/Subject", b"/Creator"):
        assert key not in objects


def test_print_page_links_the_pdf(client, reader):
    html = client.get(NOTES + "/print").get_data(as_text=True)
    assert 'href="/series/cop/meetings/1/notes.pdf"' in html


def test_the_pdf_carries_the_members_notes_only(app, world):
    """The PDF's words: the reminder and the members' view; no planted name,
    confidential text, author, or the site's header (no reader's name)."""
    text = pdf_text(app)
    assert CHATHAM_HOUSE_LINE in text
    assert MEMBERS_ONLY in text
    assert "Notes of meeting 1: Roundtable on shared data" in text
    assert_clean(text, "PDF")
    assert AUTHOR not in text and "Log out" not in text and "Rhoda" not in text


@pytest.mark.parametrize(("who", "status"), [("public", 404), ("other series", 404)])
def test_others_get_404(client, world, login_as, who, status):
    if who == "other series":
        login_as(Role.MEMBER, "outsider@example.org", series=[world["other"]])
    assert client.get(PDF).status_code == status


def test_a_finding_refuses_the_pdf(client, reader):
    response = client.get("/series/cop/meetings/2/notes.pdf")
    assert response.status_code == 409
    assert response.mimetype == "text/html"


class _Recorder(BaseHTTPRequestHandler):
    paths: list[str] = []  # noqa: RUF012 - shared with the test

    def do_GET(self) -> None:
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red; }")

    def log_message(self, format: str, *args: object) -> None:
        return


def test_rendering_fetches_nothing(app, caplog):
    """Stylesheets and images named in the document are never fetched, not
    even from loopback: the fetcher refuses every URL."""
    from weasyprint import HTML

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        html = f'<link rel="stylesheet" href="{url}/a.css"><img src="{url}/b.png"><p>x</p>'
        with app.app_context():
            HTML(string=html, base_url=url, url_fetcher=export_pdf._fetcher()).write_pdf()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert _Recorder.paths == []


def test_without_weasyprint_no_pdf_is_offered(client, reader, monkeypatch):
    """Where WeasyPrint cannot load (no Pango), the print page offers no PDF
    and the address is a 404; Markdown and print still work."""
    monkeypatch.setattr(export_pdf, "pdf_available", lambda: False)
    html = client.get(NOTES + "/print").get_data(as_text=True)
    assert "notes.pdf" not in html and "notes.md" in html
    assert client.get(PDF).status_code == 404


def catalog(body: bytes) -> tuple[Any, Any]:
    """The PDF's document catalog and reader, read by pypdf."""
    reader = pypdf.PdfReader(io.BytesIO(body))
    return reader.trailer["/Root"], reader


def test_the_pdf_is_tagged_for_accessibility(client, reader):
    """A tagged PDF (PDF/UA-1): marked content with a structure tree, the
    document's language, and its title in the metadata, shown as the
    window's title; the tree holds the notes' heading and paragraphs."""
    root, pdf = catalog(client.get(PDF).get_data())
    true = pypdf.generic.BooleanObject(True)
    assert root["/MarkInfo"]["/Marked"] == true
    tree = root["/StructTreeRoot"].get_object()
    assert tree["/Type"] == "/StructTreeRoot" and tree["/K"]
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == true
    title = "Notes of meeting 1: Roundtable on shared data"
    assert pdf.metadata.title == title
    assert pdf.xmp_metadata is not None and pdf.xmp_metadata.dc_title == {"x-default": title}
    roles: set[str] = set()
    pending = [tree]
    while pending:
        node = pending.pop().get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            pending += list(node)
            continue
        if not isinstance(node, pypdf.generic.DictionaryObject):
            continue
        if "/S" in node:
            roles.add(str(node["/S"]))
        if "/K" in node:
            pending.append(node["/K"])
    assert {"/H1", "/P"} <= roles, roles


def test_the_pdfs_links_are_at_the_site_whatever_host_asked(app, client, reader):
    """A link typed relative in the notes is, in the PDF, the address it
    had on the notes page at BASE_URL, the same whichever host asked."""
    app.config.update(BASE_URL="https://notes.example.org/network", SERVER_NAME=None)
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.number == 1))
        body = "See [meeting 2](/series/cop/meetings/2) and [the agenda](agenda)."
        create_item(meeting, ItemFields(Kind.POINT, body, "Links"), actor=None)
        db.session.commit()
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value, domain="evil.example")
    seen = set()
    for host in ("localhost", "evil.example"):
        response = client.get(PDF, headers={"Host": host})
        assert response.status_code == 200, host
        _root, pdf = catalog(response.get_data())
        seen.add(
            tuple(
                sorted(
                    str(annotation.get_object()["/A"]["/URI"])
                    for page in pdf.pages
                    for annotation in page.get("/Annots") or []
                    if "/URI" in annotation.get_object().get("/A", {})
                )
            )
        )
    assert seen == {
        (
            "https://notes.example.org/network/series/cop/meetings/1/agenda",
            "https://notes.example.org/series/cop/meetings/2",
        )
    }
