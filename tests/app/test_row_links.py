"""``RowLinks`` gives each row the address ``url_for`` gives it, whatever the
shared arguments hold (a series slug of digits, the row's own number in it)."""

from __future__ import annotations

import pytest
from flask import url_for

from notesbase.routing import INT_MAX, RowLinks


@pytest.mark.parametrize("slug", ["cop", "2147483654", "1", "a-2147483654-b"])
@pytest.mark.parametrize("row", [1, 42, 2147483654 - 7, INT_MAX])
def test_each_row_gets_the_address_url_for_gives(app, slug, row):
    with app.test_request_context():
        links = RowLinks(slug=slug, number=10)
        for endpoint in ("notes.edit_item", "notes.move_item", "notes.history"):
            assert links(endpoint, row) == url_for(endpoint, slug=slug, number=10, item_id=row)
        expected = url_for("notes.editor", slug=slug, number=10, after=row)
        assert links("notes.editor", row, "after") == expected


def test_a_row_is_a_number(app):
    with app.test_request_context():
        links = RowLinks(slug="cop", number=1)
        with pytest.raises(ValueError):
            links("notes.edit_item", "5/../../admin")  # type: ignore[arg-type]
