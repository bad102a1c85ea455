"""``GET /api/v1/search``: the search page's rules, as JSON (see
``notesbase.search.views.api_search``)."""

from __future__ import annotations

from flask import Response

from notesbase.api.blueprint import bp
from notesbase.auth.throttle import limit_api_searches
from notesbase.search.views import api_search


@bp.get("/search")
@limit_api_searches
def search() -> Response:
    return api_search()
