"""The notes as PDF, by WeasyPrint, from the print page's document.

WeasyPrint needs Debian's Pango (``libpango-1.0-0``, ``libpangoft2-1.0-0``)
and ``libharfbuzz-subset0``; where it cannot load, the PDF is simply not
offered. It fetches nothing: the one stylesheet is read from the package
and every URL in the document (a link, an image someone typed) is refused,
so rendering never reaches the network or the file system.

The PDF is tagged (PDF/UA-1: a structure tree, the document's language and
title shown as its title), so screen readers can read it and it meets the
accessibility rules public bodies work to."""

from __future__ import annotations

import logging
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app, render_template

if TYPE_CHECKING:
    from notesbase.publishing.exports.notes import NotesExport

PDF_TEMPLATE = "exports/notes_pdf.html"
STYLESHEET = "print.css"
# Relative links resolve against the notes page at the site's address; with
# no address known, against this, which names no host.
BASE_URL = "notesbase:/"
# A tagged, accessible PDF: the PDF/UA-1 variant where this WeasyPrint has it
# (it tags the structure, writes the language and shows the title), else tags.
PDF_VARIANT = "pdf/ua-1"
LANGUAGE = "en-GB"


@lru_cache(maxsize=1)
def pdf_available() -> bool:
    """Whether WeasyPrint and its system libraries load here."""
    try:
        with warnings.catch_warnings():
            # WeasyPrint warns (DeprecationWarning) when an optional system
            # library is missing; under strict warnings that must not turn a
            # working PDF export, or the page that links to it, into an error.
            warnings.simplefilter("ignore", DeprecationWarning)
            import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        logging.getLogger(__name__).info("PDF exports are off: %s", error)
        return False
    return True


def _refuse_every_url(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError("notesbase PDFs fetch nothing")


def _fetcher() -> Any:
    """A WeasyPrint URL fetcher that fetches nothing (errors are logged by
    WeasyPrint and the resource left out, never fatal)."""
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return _refuse_every_url(url)

    return NoFetching(allowed_protocols=())


def _stylesheet() -> Any:
    from weasyprint import CSS

    path = Path(current_app.static_folder or "") / STYLESHEET
    return CSS(string=path.read_text(encoding="utf-8"), base_url=BASE_URL, url_fetcher=_fetcher())


def pdf_html(export: NotesExport) -> str:
    """The HTML the PDF is made from: the print page's document, bare."""
    return render_template(PDF_TEMPLATE, export=export)


def accessibility_options() -> dict[str, Any]:
    """WeasyPrint's options for a tagged PDF: the PDF/UA-1 variant, or (a
    WeasyPrint without it) structure tags alone."""
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.pdf import VARIANTS

    if PDF_VARIANT in VARIANTS:
        return {"pdf_variant": PDF_VARIANT}
    if "pdf_tags" in DEFAULT_OPTIONS:
        return {"pdf_tags": True}
    return {}


def render_document(export: NotesExport) -> Any:
    """The laid-out WeasyPrint document (pages of boxes)."""
    from weasyprint import HTML

    html = HTML(
        string=pdf_html(export), base_url=export.address or BASE_URL, url_fetcher=_fetcher()
    )
    return html.render(stylesheets=[_stylesheet()], **accessibility_options())


def render_pdf(export: NotesExport) -> bytes:
    """The PDF's bytes, tagged. Its metadata carries the title and language
    only: no author, no keywords, nothing about who wrote or exported it."""
    from weasyprint.document import DocumentMetadata

    document = render_document(export)
    # Whatever the HTML carried, the PDF says its title and language only.
    document.metadata = DocumentMetadata(title=export.title, lang=LANGUAGE)
    return bytes(document.write_pdf(**accessibility_options()))
