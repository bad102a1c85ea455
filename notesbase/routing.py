"""URL rules: ``<int:...>`` stops at the database's integer range, so a huge
number in a URL is a 404 rather than an overflow in the database."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1  # PostgreSQL's integer; SQLite takes it too


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


class RowLinks:
    """The addresses of many rows' actions (each item's "Edit", "History",
    ...), each endpoint built once with ``url_for`` and then for each row by
    putting its number where a stand-in stood: ``url_for`` costs about a
    tenth of a millisecond, and a meeting of 500 items lists five links an
    item. ``fixed`` are the arguments every row shares."""

    # A number no row has (past INT_MAX), so it stands out in what url_for made.
    _STAND_IN = INT_MAX + 7

    def __init__(self, **fixed: Any) -> None:
        self.fixed = fixed
        self._made: dict[tuple[str, str], tuple[str, str]] = {}

    def __call__(self, endpoint: str, row: int, key: str = "item_id") -> str:
        made = self._made.get((endpoint, key))
        if made is None:
            url = url_for(endpoint, **self.fixed, **{key: self._STAND_IN})
            before, _, after = url.rpartition(str(self._STAND_IN))
            made = self._made[(endpoint, key)] = (before, after)
        return f"{made[0]}{int(row)}{made[1]}"


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter


def not_found_if_unroutable(problem: HTTPException) -> HTTPException:
    """A 405 that is really a 404. Werkzeug says 405 when a rule for another
    method matched the path's shape but this method's rule refused a value
    (a number past the database's range): then no method can succeed."""
    if not isinstance(problem, MethodNotAllowed):
        return problem
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in problem.valid_methods or ():
        try:
            adapter.match(method=method)
        except HTTPException:
            continue
        return problem
    return NotFound()
