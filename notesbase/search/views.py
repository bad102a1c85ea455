"""The search page, its suggestions, and ``GET /api/v1/search``: the same
parameters and rules in both, a friendly message for any query that cannot
run, never an error page."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from notesbase.access import current_member
from notesbase.api_support.callers import caller
from notesbase.api_support.errors import error_response
from notesbase.auth.throttle import limit_searches, limit_suggestions
from notesbase.db import db
from notesbase.extensions import limiter
from notesbase.models import Series, Topic
from notesbase.search import service
from notesbase.search.query import KINDS, Filters, QueryError, parse_date
from notesbase.text import clean_line

bp = Blueprint("search", __name__)

RETRY_AFTER = "5"


class FilterError(QueryError):
    """A filter the reader must correct; ``field`` is the parameter (and the
    search form's field) it belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _meeting_number(args: MultiDict[str, str], name: str) -> int | None:
    value = args.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 2**31 - 1:
        raise FilterError(name, "Give a whole meeting number, such as 8.")
    return int(value)


def _date(args: MultiDict[str, str], name: str, *, end: bool = False) -> date | None:
    value = args.get(name, "").strip()
    if not value:
        return None
    try:
        return parse_date(value, end=end)
    except QueryError as error:
        raise FilterError(name, str(error)) from None


def filters_from(args: MultiDict[str, str]) -> tuple[Filters, int, bool]:
    """Filters, page and sort from query parameters; ``QueryError`` for
    anything malformed (``FilterError`` for one filter), with a message
    saying what to write instead."""
    args = printable(args)
    kinds = tuple(k for k in args.getlist("kind") if k)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise FilterError("kind", f"Choose a kind from the list: {', '.join(KINDS)}.")
    filters = Filters(
        series=tuple(s for s in args.getlist("series") if s)[:20],
        topics=tuple(t.lower() for t in args.getlist("topic") if t)[:20],
        kinds=kinds,
        number_from=_meeting_number(args, "meeting_from"),
        number_to=_meeting_number(args, "meeting_to"),
        date_from=_date(args, "from"),
        date_to=_date(args, "to", end=True),
        review=tuple(r.strip() for r in args.getlist("review") if r.strip())[:20],
    )
    try:
        page = int(args.get("page", "1") or "1")
    except ValueError:
        raise QueryError("The page must be a whole number.") from None
    if not 1 <= page <= service.MAX_PAGE:
        raise QueryError(f"Pages run from 1 to {service.MAX_PAGE}.")
    return filters, page, args.get("sort") == "date"


def printable(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """Parameters without control characters (a NUL cannot even be stored
    in a PostgreSQL text value)."""
    return MultiDict([(k, _printable(v)) for k, v in args.items(multi=True)])


def _printable(value: str) -> str:
    """Invisible characters dropped (so "Jo\u200bsé" stays one word), then
    any other unprintable one made a space."""
    return "".join(c if c.isprintable() else " " for c in clean_line(value))


@bp.get("/search")
@limit_searches
def page() -> Any:
    text = _printable(request.args.get("q", ""))
    context: dict[str, Any] = {
        "q": text,
        "args": request.args,
        "kinds": KINDS,
        "result": None,
        "series_options": db.session.scalars(sa.select(Series).order_by(Series.title)).all(),
        "topic_options": db.session.scalars(sa.select(Topic).order_by(Topic.name)).all(),
        "review_options": service.review_offered(current_member()),
    }
    if not request.args:
        return render_template("search/search.html", **context)
    status = 200
    try:
        filters, number, by_date = filters_from(request.args)
        context["result"] = service.search(
            current_member(), text, filters, page=number, by_date=by_date
        )
    except QueryError as error:
        if isinstance(error, FilterError):
            context["filter_errors"] = {error.field: str(error)}
        else:
            context["message"] = str(error)
        status = 400
    except service.SearchUnavailable as unavailable:
        context["message"] = unavailable.message
        limiter.without_headers()  # else its window's end would replace our Retry-After
        response = Response(render_template("search/search.html", **context), status=503)
        response.headers["Retry-After"] = RETRY_AFTER
        return response
    return render_template("search/search.html", **context), status


@bp.get("/search/suggest")
@limit_suggestions
def suggest() -> Response:
    return jsonify(service.suggestions(current_member(), request.args.get("q", "")))


def hit_url(hit: service.Hit) -> str:
    meeting = hit.meeting
    if hit.doctype == "item":
        return url_for(
            "notes.read",
            slug=meeting.series.slug,
            number=meeting.number,
            _anchor=f"item-{hit.item_id}",
        )
    if hit.doctype == "writeup":
        return url_for("writeups.public", slug=meeting.series.slug, number=meeting.number)
    return url_for("meetings.meeting", slug=meeting.series.slug, number=meeting.number)


def api_search() -> Response:
    """``GET /api/v1/search``: the page's rules, as JSON."""
    try:
        filters, number, by_date = filters_from(request.args)
        result = service.search(
            caller(), _printable(request.args.get("q", "")), filters, page=number, by_date=by_date
        )
    except QueryError as error:
        return error_response(400, str(error))
    except service.SearchUnavailable as unavailable:
        limiter.without_headers()
        response = error_response(503, unavailable.message)
        response.headers["Retry-After"] = RETRY_AFTER
        return response
    return jsonify(
        {
            "query": result.text,
            "total": result.total,
            "page": result.page,
            "pages": result.pages,
            "topics": [
                {"slug": t.slug, "name": t.name, "count": n} for t, n in result.topic_counts
            ],
            "results": [
                {
                    "type": hit.doctype,
                    "kind": hit.kind,
                    "series": hit.meeting.series.slug,
                    "meeting": hit.meeting.number,
                    "title": hit.meeting.title,
                    "date": hit.meeting.date.isoformat(),
                    "topics": [t.slug for t in hit.meeting.topics],
                    "section": hit.section,
                    "attribution": hit.attribution,
                    "item": hit.item_id,
                    "snippet_html": str(hit.snippet),
                    "url": hit_url(hit),
                }
                for hit in result.hits
            ],
        }
    )


@bp.app_context_processor
def search_helpers() -> dict[str, Any]:
    def page_url(number: int) -> str:
        args = request.args.to_dict(flat=False)
        args["page"] = [str(number)]
        return url_for("search.page", **args)

    def topic_url(slug: str) -> str:
        args = request.args.to_dict(flat=False)
        args["topic"] = [slug]
        args.pop("page", None)
        return url_for("search.page", **args)

    return {
        "hit_url": hit_url,
        "kind_label": lambda kind: KINDS.get(kind, kind),
        "page_url": page_url,
        "topic_url": topic_url,
    }
