"""URL rules: ``<int:...>`` stops at the database's integer range, so a huge
number in a URL is a 404 rather than an overflow in the database."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1  # PostgreSQL's integer; SQLite takes it too


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter
