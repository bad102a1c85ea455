"""``forms.ManyOptions`` writes a select exactly as WTForms' own widget does,
hostile labels and values escaped the same way, for the long lists of the
notes editor (every item of a meeting, every person)."""

from __future__ import annotations

import pytest
from wtforms import Form, SelectField
from wtforms.fields import SelectChoice
from wtforms.widgets import Select

from notesbase.forms import ManyOptions
from notesbase.notes.forms import NewItemForm

HOSTILE = [
    ("", "At the end"),
    ("1", 'After 1. Point: <script>alert("x")</script> & more'),
    ("2", "Quotes \" and ' and `backticks`"),
    ('3" onmouseover="x', "A value that tries to close its attribute"),
    ("4", "Look-alike Аlex\u200b and a bidi \u202etxet"),
    ("5", ""),  # no label: the value is shown, as WTForms does
    ("6", "&amp; already escaped? &lt;b&gt;"),
]


def pair(choices, data, **render_kw):  # type: ignore[no-untyped-def]
    """The same field written by WTForms' widget and by ``ManyOptions``."""

    class Both(Form):
        stock = SelectField("Stock", choices=choices, widget=Select())
        many = SelectField("Many", choices=choices, widget=ManyOptions())

    form = Both(data={"stock": data, "many": data})
    stock = form.stock(**render_kw).replace('id="stock" name="stock"', "")
    many = form.many(**render_kw).replace('id="many" name="many"', "")
    return str(stock), str(many)


@pytest.mark.parametrize("selected", [None, "", "1", '3" onmouseover="x', "6", "missing"])
def test_the_same_html_as_wtforms(selected):
    stock, many = pair([SelectChoice(v, label) for v, label in HOSTILE], selected)
    assert many == stock
    assert "<script>" not in many and 'onmouseover="x"' not in many


def test_render_kw_and_booleans_as_wtforms_writes_them():
    """Options carrying their own attributes, or a boolean value, are left to
    WTForms itself."""
    choices = [
        SelectChoice("a", "Plain"),
        SelectChoice("b", "Disabled", render_kw={"disabled": True}),
        SelectChoice(True, "Yes"),
    ]
    stock, many = pair(choices, "b", **{"aria-invalid": "true", "class": "x"})
    assert many == stock and "disabled" in many


def test_the_editor_lists_every_item_through_it(app):
    """The editor's place and speaker lists, as the page writes them."""
    with app.test_request_context():
        form = NewItemForm(meta={"csrf": False})
        assert isinstance(form.after.widget, ManyOptions)
        assert isinstance(form.speaker.widget, ManyOptions)
        form.after.choices = [SelectChoice(v, label) for v, label in HOSTILE]
        form.after.data = "2"
        written = str(form.after())
        assert written == str(Select()(form.after))
        assert written.count("<option") == len(HOSTILE)
        assert '<option selected value="2">' in written
