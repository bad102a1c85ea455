"""Names, surnames, affiliations, descriptors and email addresses typed into
the notes are replaced by what the person released to the audience,
however they were typed and wherever in the Markdown they sit."""

from __future__ import annotations

import pytest

from notesbase.disclosure import (
    Audience,
    ConsentAudience,
    Level,
    PersonFacts,
    disclose,
    withheld_terms,
)
from notesbase.disclosure.folding import fold
from notesbase.disclosure.matching import Matcher
from tests.disclosure.builders_support import (
    JANE,
    both,
    grant,
    item,
    mentions,
    notes,
    only_html,
    view_of,
)

MEMBER = Audience.MEMBER


def member_text(body: str, level: Level | None = None, **kwargs: object) -> str:
    grants = both(level) if level is not None else []
    view = view_of(body, MEMBER, grants=grants, **kwargs)  # type: ignore[arg-type]
    return view.items[0].body_text


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (None, "Thanks to a participant and an organisation; a participant agreed."),
        (
            Level.DESCRIPTOR,
            "Thanks to a local authority data lead and an organisation; "
            "a local authority data lead agreed.",
        ),
        (
            Level.AFFILIATION,
            "Thanks to someone from Open Data Manchester and Open Data Manchester; "
            "a local authority data lead agreed.",
        ),
        (
            Level.NAMED,
            "Thanks to Jane Doe and Open Data Manchester; a local authority data lead agreed.",
        ),
    ],
)
def test_names_are_replaced_by_what_was_released(level: Level | None, expected: str) -> None:
    """A name becomes the person's released credit, an unreleased affiliation
    "an organisation", an unreleased descriptor "a participant"."""
    body = "Thanks to Jane Doe and Open Data Manchester; a local authority data lead agreed."
    assert member_text(body, level) == expected


def test_surname_alone_is_replaced_but_not_the_first_name() -> None:
    """A surname on its own is withheld too; a first name alone is left, since
    it names nobody in particular (document it, do not rely on it)."""
    assert member_text("Doe said that Jane agreed.") == "A participant said that Jane agreed."


def test_email_is_withheld_even_when_named() -> None:
    """An email address is never released, whatever the consent."""
    text = member_text("Write to jane.doe@example.org please.", Level.NAMED)
    assert text == "Write to Jane Doe please."


def test_stand_in_opens_a_sentence_with_a_capital() -> None:
    """A stand-in at the start of a sentence, block or cell is capitalised,
    mid-sentence it is not; a descriptor keeps its own capitals."""
    assert member_text("Jane Doe spoke. Then Jane Doe left.") == (
        "A participant spoke. Then a participant left."
    )
    person = PersonFacts(id=1, name="Jane Doe", descriptor="NHS analyst")
    text = member_text("Then Jane Doe left.", Level.DESCRIPTOR, people=[person])
    assert text == "Then NHS analyst left."
    html = only_html(view_of("First.\n\nDoe left.", MEMBER))
    assert html == "<p>First.</p>\n<p>A participant left.</p>\n"


@pytest.mark.parametrize(
    "typed",
    [
        "JANE DOE",
        "jane doe",
        "Jáne Dõe",
        "Jane\u200b Doe",
        "J\u200bane D\u00adoe",
        "Jane\nDoe",
        "Jane   Doe",
        "Jane\u00a0Doe",
        "Ｊａｎｅ Ｄｏｅ",
        "Jane Doe's",
        "Jane Doe’s",
        "Jane D\u200doe",
        "Ja\u0301ne Doe",
        "&#74;ane Doe",
    ],
)
def test_name_found_however_it_was_typed(typed: str) -> None:
    """Case, accents (composed or not), invisible characters, line breaks,
    several or non-breaking spaces, full-width letters, possessives, entities."""
    view = view_of(f"We thank {typed} today.", MEMBER)
    assert not mentions(view, "Jane Doe")
    assert not mentions(view, "Doe")
    assert "participant" in view.items[0].body_text


@pytest.mark.parametrize(
    "body",
    [
        "# Jane Doe\n\ntext",
        "- Jane Doe\n- Open Data Manchester",
        "> Jane Doe said so",
        "| who | where |\n|---|---|\n| Jane Doe | Open Data Manchester |",
        "`Jane Doe`",
        "```\nJane Doe at Open Data Manchester\n```",
        "```Jane-Doe\ncode\n```",
        "*Jane Doe*",
        "Jane *Doe*",
        "**Open** Data *Manchester*",
        "Ja*ne Do*e",
        "[Jane Doe](https://example.org/people)",
        "[Jane](https://example.org/a) Doe",
        "[x]{.members} Jane Doe",
        "[Jane Doe]{.members}",
        "![Jane Doe](https://example.org/a.png)",
        "# Open Data\n\nManchester",
        "Open Data\\\nManchester",
    ],
)
def test_names_in_every_markdown_context(body: str) -> None:
    """Headings, lists, quotes, tables, code, emphasis (even split across it),
    links, spans, image descriptions and hard breaks."""
    view = view_of(body, MEMBER)
    for term in ("Jane Doe", "Doe", "Open Data Manchester"):
        assert not mentions(view, term), term


@pytest.mark.parametrize(
    "body",
    [
        "See [her page](https://example.org/jane-doe) now.",
        "See [her page](https://example.org/JaneDoe) now.",
        "See [her page](https://example.org/?who=jane_doe) now.",
        "See [her page](https://example.org/Jane%20Doe) now.",
        "See [her page](https://example.org/%4Aane%2DDoe) now.",
        "See [her page](https://example.org/doe) now.",
        "See [her page](https://opendatamanchester.example/) now.",
        "See [her page](mailto:jane.doe@example.org) now.",
    ],
)
def test_link_naming_someone_loses_the_link_but_keeps_its_words(body: str) -> None:
    """A link whose address names a withheld person or organisation becomes
    its plain words: no ``<a>`` without an address is left behind."""
    view = view_of(body, MEMBER)
    assert only_html(view) == "<p>See her page now.</p>\n"
    assert "doe" not in view.text().lower()


def test_link_not_naming_anyone_is_kept() -> None:
    """Other links are left alone."""
    html = only_html(view_of("See [the plan](https://example.org/plan).", MEMBER))
    assert '<a href="https://example.org/plan" rel="noopener noreferrer nofollow">' in html


def test_link_title_naming_someone_is_dropped() -> None:
    """A title naming someone goes; the link stays."""
    html = only_html(view_of('See [the plan](https://example.org/plan "Jane Doe").', MEMBER))
    assert 'href="https://example.org/plan"' in html
    assert "title" not in html
    assert "Doe" not in html


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Page: <https://example.org/jane-doe> ok", "Page: a link ok"),
        ("Mail <jane.doe@example.org> ok", "Mail a participant ok"),
        ("Page: https://example.org/janedoe/cv ok", "Page: a link ok"),
        ("Page: `https://example.org/JaneDoe` ok", "Page: a link ok"),
    ],
)
def test_written_out_addresses_naming_someone(body: str, expected: str) -> None:
    """An address shown as text that names someone becomes "a link"."""
    view = view_of(body, MEMBER)
    assert view.items[0].body_text == expected
    assert "<a " not in only_html(view)


def test_image_description_follows_the_same_rules() -> None:
    """Images are not shown; their description is text like any other."""
    view = view_of("Photo: ![Jane Doe at the desk](https://example.org/jd.png)", MEMBER)
    assert only_html(view) == "<p>Photo: A participant at the desk</p>\n"
    assert "jd.png" not in view.text()


def test_sections_are_scrubbed() -> None:
    """A section heading is text of the view like any other."""
    meeting = notes([item("A point.", section="Jane Doe's pilot")])
    assert disclose(meeting, MEMBER).items[0].section == "A participant's pilot"
    assert disclose(meeting, Audience.FACILITATOR).items[0].section == "Jane Doe's pilot"


def test_released_name_keeps_a_shared_surname() -> None:
    """Jane Doe, named, keeps her full name when John Doe, anonymous, shares
    her surname; "Doe" alone and John's full name are still withheld."""
    john = PersonFacts(id=2, name="John Doe", affiliation="Salford Trust")
    body = "Jane Doe thanked John Doe. Doe left."
    grants = [grant(Level.NAMED, ConsentAudience.MEMBER)]
    view = view_of(body, MEMBER, people=[JANE, john], grants=grants)
    assert view.items[0].body_text == ("Jane Doe thanked a participant. A participant left.")


def test_shared_affiliation_is_withheld_if_anyone_withholds_it() -> None:
    """Two people from one organisation, one releasing it and one not: the
    organisation is kept out of the text, and so is the stand-in that would
    name it; the consenting speaker is still credited as they chose."""
    ann = PersonFacts(id=2, name="Ann Lee", affiliation="Open Data Manchester")
    grants = [grant(Level.AFFILIATION, ConsentAudience.MEMBER)]
    meeting = notes(
        [item("Jane Doe and Ann Lee from Open Data Manchester.", speaker_id=1)],
        people=[JANE, ann],
        grants=grants,
    )
    shown = disclose(meeting, MEMBER).items[0]
    assert shown.body_text == "A participant and a participant from an organisation."
    assert shown.attribution == "Someone from Open Data Manchester"


def test_people_who_did_not_speak_are_protected_too() -> None:
    """Everyone in the notes' people is withheld, not only the speakers."""
    bystander = PersonFacts(id=7, name="Priya Raman", affiliation="Leeds Civic Lab")
    view = view_of("Priya Raman of Leeds Civic Lab joined.", MEMBER, people=[bystander])
    assert view.items[0].body_text == "A participant of an organisation joined."


def test_withheld_terms_and_facilitators() -> None:
    """Facilitators are withheld nothing; others get each term with its stand-in."""
    levels = {1: Level.ANONYMOUS}
    assert withheld_terms([JANE], levels, Audience.FACILITATOR) == {}
    assert withheld_terms([JANE], levels, MEMBER) == {
        "Jane Doe": "a participant",
        "Doe": "a participant",
        "jane.doe@example.org": "a participant",
        "Open Data Manchester": "an organisation",
        "Manchester": "an organisation",
        "a local authority data lead": "a participant",
    }


def test_short_surnames_are_only_withheld_with_the_full_name() -> None:
    """A surname under three letters is too common a word to replace alone;
    the full name still is, even split by formatting."""
    li = PersonFacts(id=1, name="Wei Li")
    assert member_text("Wei Li said li.", people=[li]) == "A participant said li."
    view = view_of("Wei *Li* said.", MEMBER, people=[li])
    assert not mentions(view, "Wei Li")


def test_matcher_folds_like_fold() -> None:
    """The matcher finds exactly what ``fold`` says reads the same."""
    matcher = Matcher({"Zoë Ångström": "X"})
    for typed in ("ZOE ANGSTROM", "zoe\u200bangstrom", "Zoe\u0308 A\u030angstro\u0308m"):
        if fold(typed).replace(" ", "") == "zoeangstrom" and " " in fold(typed):
            assert matcher.sub(typed) == "X"
    assert matcher.sub("Zoë Ångströms") == "Zoë Ångströms"
    assert matcher.sub("Zoë Ångström's") == "X's"


def test_line_break_in_an_image_description_does_not_glue_words() -> None:
    """Regression (found by the property test): a line break inside an image
    description was dropped, gluing "data\\nlead" into "datalead" so the
    descriptor no longer matched and was shown."""
    body = "![a local authority data\nlead](https://example.org/i.png) spoke"
    view = view_of(body, MEMBER)
    assert view.items[0].body_text == "A participant spoke"


def test_internationalised_host_naming_someone_is_found() -> None:
    """A host name typed with accents is sent as punycode (``xn--…``); it is
    decoded before looking for names in it."""
    view = view_of("See [her site](https://jáne-doé.example/) now.", MEMBER)
    assert only_html(view) == "<p>See her site now.</p>\n"


def test_released_phrase_carrying_a_withheld_full_name() -> None:
    """A descriptor someone released that names another, unreleased person
    ("Jane Doe's deputy") is no shelter: the name is withheld in the text
    and the credit falls back to one that does not carry it."""
    deputy = PersonFacts(id=2, name="Sam Roe", descriptor="Jane Doe's deputy")
    grants = [grant(Level.DESCRIPTOR, ConsentAudience.MEMBER, person_id=2)]
    meeting = notes(
        [item("Sam Roe, Jane Doe's deputy, spoke.", speaker_id=2)],
        people=[JANE, deputy],
        grants=grants,
    )
    shown = disclose(meeting, MEMBER).items[0]
    assert shown.attribution == "A participant"
    assert "Jane" not in shown.body_text
    assert "Doe" not in shown.body_text
    assert shown.body_text == "A participant, a participant's deputy, spoke."
