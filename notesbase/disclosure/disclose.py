"""``disclose``: a meeting's notes as one audience may see them.

The rule, in order, for every item:
1. An item whose confidentiality the audience may not see is left out, with
   no marker, gap or count; a section left empty disappears with it.
2. Redacted spans the audience may not see are cut from the body before it
   is rendered; facilitators keep them, marked.
3. The speaker is credited at the level of the narrowest active consent for
   this audience (anonymous without one); facilitators see who spoke.
4. Names, surnames, affiliations, descriptors and email addresses that a
   person has not released to this audience are replaced wherever they were
   typed (headings, bodies, link text and addresses) by what the person did
   release ("a participant", "someone from ...", their descriptor); a link
   whose address names them loses its address.
5. A final check of the finished text; if anything withheld is still there
   (a name split across formatting, say), the body falls back to plain
   scrubbed text, and failing that is left empty."""

from __future__ import annotations

from collections.abc import Iterable

from markdown_it.token import Token

from notesbase.disclosure.consent import attribution, effective_level, released_level
from notesbase.disclosure.facts import (
    DisclosedItem,
    ItemFacts,
    Notes,
    NotesView,
    PersonFacts,
)
from notesbase.disclosure.matching import Matcher, contains_any
from notesbase.disclosure.render import to_html, to_text
from notesbase.disclosure.spans import redacted_tokens
from notesbase.disclosure.vocabulary import Audience, Level

ORGANISATION = "an organisation"
PARTICIPANT = "a participant"


def disclose(notes: Notes, audience: Audience) -> NotesView:
    """The view of ``notes`` for ``audience``: see the module docstring."""
    audience = Audience(audience)
    people = {person.id: person for person in notes.people}
    levels = {
        person.id: released_level(
            person,
            effective_level(
                notes.grants,
                person.id,
                audience,
                series_id=notes.series_id,
                meeting_id=notes.meeting_id,
            ),
        )
        for person in notes.people
    }
    withheld = withheld_terms(notes.people, levels, audience)
    matcher = Matcher(withheld)
    visible = sorted(
        (item for item in notes.items if item.confidentiality.visible_to(audience)),
        key=lambda item: (item.position, item.id),
    )
    items = tuple(
        _disclose_item(item, people, levels, audience, matcher, withheld) for item in visible
    )
    return NotesView(audience=audience, items=items)


def withheld_terms(
    people: Iterable[PersonFacts], levels: dict[int, Level], audience: Audience
) -> dict[str, str]:
    """Every identifying string the audience may not see, with what stands in
    for it. Facilitators are shown everything."""
    terms: dict[str, str] = {}
    if audience is Audience.FACILITATOR:
        return terms
    for person in people:
        level = levels.get(person.id, Level.ANONYMOUS)
        stand_in = _lower_first(attribution(person, level))
        if level is not Level.NAMED:
            name = person.name.strip()
            terms.setdefault(name, stand_in)
            words = name.split()
            if len(words) > 1 and len(words[-1]) >= 3:
                terms.setdefault(words[-1], stand_in)
        if level.rank < Level.AFFILIATION.rank and person.affiliation.strip():
            terms.setdefault(person.affiliation.strip(), ORGANISATION)
        if level.rank < Level.DESCRIPTOR.rank and person.descriptor.strip():
            terms.setdefault(person.descriptor.strip(), PARTICIPANT)
        if person.email and person.email.strip():
            terms.setdefault(person.email.strip(), stand_in)
    return {term: stand_in for term, stand_in in terms.items() if term}


def _lower_first(text: str) -> str:
    # "A participant" / "Someone from X" read well mid-sentence in lower case;
    # a descriptor is the person's own words, already a phrase.
    return text[:1].lower() + text[1:]


def _scrub_tokens(tokens: list[Token], matcher: Matcher) -> list[Token]:
    preceding = ""
    for token in tokens:
        if token.type in ("fence", "code_block", "code_inline", "text"):
            token.content = matcher.sub(token.content, preceding)
            preceding += token.content
        elif token.type in ("softbreak", "hardbreak"):
            preceding += " "
        if token.type == "link_open":
            for name in ("href", "title"):
                value = token.attrs.get(name)
                if value is not None and matcher.search(str(value)):
                    token.attrs.pop(name, None)
        if token.type == "image":
            token.attrs.pop("src", None)
        if token.children:
            token.children = _scrub_tokens(token.children, matcher)
    return tokens


def _disclose_item(
    item: ItemFacts,
    people: dict[int, PersonFacts],
    levels: dict[int, Level],
    audience: Audience,
    matcher: Matcher,
    withheld: dict[str, str],
) -> DisclosedItem:
    facilitator = audience is Audience.FACILITATOR
    tokens = redacted_tokens(item.body, audience)
    if matcher:
        tokens = _scrub_tokens(tokens, matcher)
    body_html = to_html(tokens)
    body_text = to_text(body_html)
    section = matcher.sub(item.section.strip()) if matcher else item.section.strip()
    if withheld and contains_any(body_html + "\n" + body_text, withheld):
        # Something withheld survived formatting: plain scrubbed text instead.
        body_text = matcher.sub(body_text)
        body_html = to_html(redacted_tokens(_escape_markdown(body_text), audience))
        if contains_any(body_html + "\n" + body_text, withheld):
            body_text, body_html = "", ""
    if withheld and contains_any(section, withheld):
        section = ""
    speaker = people.get(item.speaker_id) if item.speaker_id is not None else None
    credit = None
    if speaker is not None:
        credit = attribution(speaker, levels.get(speaker.id, Level.ANONYMOUS))
    return DisclosedItem(
        id=item.id,
        version=item.version,
        position=item.position,
        section=section,
        kind=item.kind,
        body_html=body_html,
        body_text=body_text,
        attribution=credit,
        body=item.body if facilitator else None,
        speaker_id=item.speaker_id if facilitator else None,
        confidentiality=item.confidentiality if facilitator else None,
    )


def _escape_markdown(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!<>|~" else c for c in text)
