"""``disclose``: a meeting's notes as one audience may see them.

The rule, in order, for every item:
1. An item whose confidentiality the audience may not see is left out, with
   no marker, gap or count; a section left empty disappears with it.
2. Redacted spans (and links, code or images given a redaction class) the
   audience may not see are cut from the body and from section headings
   before they are rendered, or give way to their ``alt`` text; facilitators
   keep them, marked. Markup meant as a redaction that cannot be read as one
   fails closed (``spans``): it hides what it marks, or its whole block,
   from everyone but facilitators. An item whose every word was redacted is
   left out as if it were confidential.
3. The speaker is credited at the level of the narrowest active consent for
   this audience (anonymous without one); facilitators see who spoke.
4. Names, surnames, affiliations, descriptors and email addresses that a
   person has not released to this audience are replaced wherever they were
   typed (headings, bodies, link text and addresses) by what the person did
   release ("a participant", "someone from ...", their descriptor), and
   affiliations by "an organisation"; a link whose address names them loses
   its address. Where two people share a string, withholding wins, and a
   credit that would carry someone's withheld name falls back to a weaker one.
5. A final check of the finished text; if anything withheld is still there
   (a name split across blocks, say), the body falls back to plain scrubbed
   text, and failing that is left empty."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache

from notesbase.disclosure import bodies
from notesbase.disclosure.bodies import Shown
from notesbase.disclosure.consent import released_levels
from notesbase.disclosure.facts import (
    DisclosedItem,
    ItemFacts,
    Notes,
    NotesView,
    PersonFacts,
)
from notesbase.disclosure.matching import Matcher
from notesbase.disclosure.render import attribute_values, spaced_text, to_html, to_text
from notesbase.disclosure.scrub import scrub_addresses, scrub_tokens
from notesbase.disclosure.spans import heading_text, redacted_tokens
from notesbase.disclosure.terms import (
    matcher_for,
    safe_credit,
    strict_terms,
    withheld_terms,
)
from notesbase.disclosure.vocabulary import Audience, Level
from notesbase.text import without_hidden

__all__ = ["disclose", "withheld_terms"]


def disclose(notes: Notes, audience: Audience, *, keep: bool = True) -> NotesView:
    """The view of ``notes`` for ``audience``: see the module docstring.
    ``keep=False``: keep none of the bodies (a draft checked as it is typed,
    never shown again, would only push out the bodies worth keeping)."""
    audience = Audience(audience)
    people = {person.id: person for person in notes.people}
    levels = released_levels(notes, audience)
    matcher, strict = _matchers(tuple(notes.people), tuple(sorted(levels.items())), audience)
    visible = sorted(
        (item for item in notes.items if item.confidentiality.visible_to(audience)),
        key=lambda item: (item.position, item.id),
    )
    # Items share a few headings: each is checked once.
    sections = {item.section for item in visible}
    headings = {section: _heading(section, audience, matcher) for section in sections}
    shown = _bodies([item.body for item in visible], audience, matcher, keep)
    items = (
        _disclose_item(
            item, headings[item.section], shown[item.body], people, levels, audience, strict
        )
        for item in visible
    )
    return NotesView(audience=audience, items=tuple(item for item in items if item is not None))


@lru_cache(maxsize=64)
def _matchers(
    people: tuple[PersonFacts, ...], levels: tuple[tuple[int, Level], ...], audience: Audience
) -> tuple[Matcher, Matcher]:
    """The matchers for what ``audience`` may not see, and for the withheld
    full names a credit must not carry. Building them is most of the cost of
    a view, and they depend only on the people and their levels: cached."""
    by_id = dict(levels)
    matcher = matcher_for(people, by_id, audience)
    strict = Matcher(dict.fromkeys(strict_terms(people, by_id, audience), ""))
    return matcher, strict


def _leaks(matcher: Matcher, body_html: str, body_text: str) -> bool:
    if matcher.search(body_text):
        return True
    spaced = spaced_text(body_html, body_text)
    return (spaced != body_text and matcher.search(spaced)) or any(
        matcher.names_in_url(value) for value in attribute_values(body_html)
    )


def _render(body: str, audience: Audience, matcher: Matcher) -> tuple[str, str]:
    # Text stored before hidden characters were refused at the door may
    # still hold a bidi override, which would show reversed words the
    # right way round: no audience is shown one.
    tokens = redacted_tokens(without_hidden(body), audience)
    if matcher:
        tokens = scrub_tokens(tokens, matcher)
    body_html = to_html(tokens)
    return body_html, to_text(body_html)


# Bodies as each audience saw them lately: (body, audience, matcher serial)
# to (HTML, text), or None when every word was redacted. Bounded by entries,
# not by matchers: entries of a matcher gone (the people or levels changed)
# are never asked for again and leave as newer ones come in. Beyond these,
# the app's store (``bodies``) keeps renders for every process of the site.
_BODIES: OrderedDict[tuple[str, Audience, int], Shown] = OrderedDict()
_BODIES_MAX = 2048
_BODIES_LOCK = threading.Lock()


def _bodies(texts: list[str], audience: Audience, matcher: Matcher, keep: bool) -> dict[str, Shown]:
    """Each body of ``texts`` as ``audience`` sees it (HTML, text), or None
    when every word was redacted (rules 2, 4 and 5). A body depends on
    nothing but its arguments, and a matcher stands for one set of people
    and levels (``_matchers``, ``Matcher.rules``), so renders are kept: in
    this process, then in the app's store (``bodies``), found by a key
    made from all they are made from. ``keep=False``: neither looked up
    nor kept."""
    wanted = dict.fromkeys(texts)
    if not keep:
        return {body: _shown_body(body, audience, matcher) for body in wanted}
    found: dict[str, Shown] = {}
    with _BODIES_LOCK:
        for body in wanted:
            key = (body, audience, matcher.serial)
            if key in _BODIES:
                _BODIES.move_to_end(key)
                found[body] = _BODIES[key]
    missing = [body for body in wanted if body not in found]
    if not missing:
        return found
    kept = bodies.store()
    keys = {bodies.body_key(body, audience, matcher.rules): body for body in missing}
    stored = kept.get_many(keys) if kept is not None else {}
    made: dict[bytes, Shown] = {}
    for key, body in keys.items():
        if key in stored:
            found[body] = stored[key]
        else:
            found[body] = made[key] = _shown_body(body, audience, matcher)
    if made and kept is not None:
        kept.put_many(made)
    with _BODIES_LOCK:
        for body in missing:
            _BODIES[(body, audience, matcher.serial)] = found[body]
        while len(_BODIES) > _BODIES_MAX:
            _BODIES.popitem(last=False)
    return found


def _shown_body(body: str, audience: Audience, matcher: Matcher) -> Shown:
    body_html, body_text = _render(body, audience, matcher)
    if (
        not body_text
        and audience is not Audience.FACILITATOR
        and _render(body, Audience.FACILITATOR, matcher)[1]
    ):
        return None
    if matcher and _leaks(matcher, body_html, body_text):
        # Something withheld survived formatting: plain scrubbed text instead.
        body_text = " ".join(scrub_addresses(matcher.sub(body_text), matcher).split())
        body_html = to_html(redacted_tokens(_escape_markdown(body_text), audience))
        if _leaks(matcher, body_html, body_text):
            body_text, body_html = "", ""
    return body_html, body_text


def _heading(section: str, audience: Audience, matcher: Matcher) -> str:
    """A section heading with the spans the audience may not see cut and
    what it may not see replaced, or nothing if something withheld is still
    there (or a redaction in it cannot be read)."""
    section = heading_text(without_hidden(section).strip(), audience)
    if not matcher:
        return section
    section = scrub_addresses(matcher.sub(section), matcher)
    if matcher.search(section) or matcher.names_in_url(section):
        return ""
    return section


def _disclose_item(
    item: ItemFacts,
    section: str,
    rendered: Shown,
    people: dict[int, PersonFacts],
    levels: dict[int, Level],
    audience: Audience,
    strict: Matcher,
) -> DisclosedItem | None:
    facilitator = audience is Audience.FACILITATOR
    if rendered is None:
        return None  # every word was redacted: leave no empty item behind
    body_html, body_text = rendered
    speaker = people.get(item.speaker_id) if item.speaker_id is not None else None
    credit = None
    if speaker is not None:
        credit = safe_credit(speaker, levels.get(speaker.id, Level.ANONYMOUS), strict)
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
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!<>|~&" else c for c in text)
