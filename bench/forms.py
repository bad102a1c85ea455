"""The forms of a page as a browser would submit them, for the page
benchmark's writes: each field's current value (the CSRF token and hidden
fields included) and the choices of each checkbox, radio and select, so the
benchmark fills in the form the page gave, as a facilitator does."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageForm:
    """One ``<form>``: where it posts, what it would send as it stands, and
    the values each choice field offers."""

    action: str
    method: str
    values: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)

    def value(self, name: str) -> str:
        found = self.values.get(name) or [""]
        return found[0]

    def filled(self, **given: str | list[str]) -> dict[str, str | list[str]]:
        """What to post: the form as it stands, with ``given`` fields set."""
        sent: dict[str, str | list[str]] = {
            name: values if len(values) != 1 else values[0] for name, values in self.values.items()
        }
        sent.update(given)
        return sent


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._selected: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = PageForm(attr.get("action", ""), attr.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or not (name := attr.get("name") or self._select or ""):
            return
        if tag == "input":
            kind = attr.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio"):
                form.choices.setdefault(name, []).append(attr.get("value", "on"))
                if "checked" in attr:
                    form.values.setdefault(name, []).append(attr.get("value", "on"))
                return
            form.values.setdefault(name, []).append(attr.get("value", ""))
        elif tag == "select":
            self._select, self._selected, self._first_option = name, None, None
            form.choices.setdefault(name, [])
        elif tag == "option" and self._select is not None:
            value = attr.get("value", "")
            form.choices[self._select].append(value)
            if self._first_option is None:
                self._first_option = value
            if "selected" in attr:
                self._selected = value
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if tag == "form":
            self._form = None
        elif form is None:
            return
        elif tag == "select" and self._select is not None:
            chosen = self._selected if self._selected is not None else self._first_option
            if chosen is not None:
                form.values.setdefault(self._select, []).append(chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # As a browser does: one newline straight after <textarea> is not content.
            form.values.setdefault(self._textarea, []).append(text.removeprefix("\n"))
            self._textarea = None


def forms_of(page: str) -> list[PageForm]:
    """Every form of ``page``, in order."""
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return reader.forms


def form_with(page: str, field_name: str) -> PageForm:
    """The page's first form that has a field ``field_name``; a clear
    error when there is none (the page is not the one expected)."""
    for form in forms_of(page):
        if field_name in form.values or field_name in form.choices:
            return form
    raise SystemExit(f"no form with a field {field_name!r} on the page")
