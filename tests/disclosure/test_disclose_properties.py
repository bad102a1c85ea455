"""Property tests over random notes, people and consents: no member or
public view carries a confidential string or anything a person has not
released to it, however it was typed into the Markdown; facilitators see
everything; released credits show; members read everything the public
reads about a person; ``disclose`` is deterministic."""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notesbase.disclosure import (
    Audience,
    Confidentiality,
    ConsentAudience,
    Grant,
    ItemFacts,
    Kind,
    Level,
    Notes,
    NotesView,
    PersonFacts,
    disclose,
)
from tests.disclosure.builders_support import (
    MEETING,
    OTHER_MEETING,
    OTHER_SERIES,
    SERIES,
    at,
    leak_forms,
    shows,
    squash,
)

# Zero-width characters that hide inside a word.
ZERO_WIDTH = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"

# The leak check gets the most examples; the others share the generator.
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LIGHTER = settings(SETTINGS, max_examples=100)
# Sentinels are "qx" + five letters from LETTERS + "v": no q, x or v inside,
# so one can only be found where it was planted, even with words glued.
LETTERS = "abcdefghijklmnoprstuwyz"
ACCENTED = {"a": "áàâäã", "e": "éèêë", "i": "íìîï", "o": "óòôöõ", "u": "úùûü", "c": "ç", "n": "ñ"}
FILLER = [
    "the", "council", "agreed", "to", "publish", "data", "on", "housing", "next", "year",
    "and", "we", "discussed", "a", "pilot", "with", "residents", "about", "trust", "consent",
    "registers", "budgets", "open", "standards",
]  # fmt: skip
SEPARATORS = [" ", " ", "\n", "  ", "\u00a0", "\t", "  \n", "\\\n"]
# In code a backslash is shown as it is, not a line break.
CODE_SEPARATORS = [" ", "\n", "  ", "\t"]
SLUG_JOINS = ["-", "_", "", "%20", "+", "."]


@dataclass
class Plan:
    """What was planted where, to check each view against."""

    secret: dict[str, Confidentiality] = field(default_factory=dict)
    planted: set[str] = field(default_factory=set)


def sentinel(body: str) -> str:
    return "qx" + body + "v"


@st.composite
def disguised(
    draw: st.DrawFn,
    text: str,
    *,
    line_breaks: bool = True,
    possessive: bool = True,
    separators: Sequence[str] = SEPARATORS,
) -> str:
    """``text`` as a note-taker might type it: cases, accents, invisible
    characters, odd spaces and line breaks, and a possessive."""
    out: list[str] = []
    for char in text:
        if char == " ":
            out.append(draw(st.sampled_from(separators if line_breaks else [" ", "\u00a0"])))
            continue
        choice = draw(st.integers(0, 9))
        if choice == 0 and char in ACCENTED:
            char = draw(st.sampled_from(ACCENTED[char]))
        elif choice == 1 and char in ACCENTED:
            char = unicodedata.normalize("NFD", draw(st.sampled_from(ACCENTED[char])))
        elif choice == 2:
            char = char + draw(st.sampled_from(ZERO_WIDTH + "\u2063\u034f"))
        out.append(char)
    typed = "".join(out)
    case = draw(st.sampled_from(["keep", "upper", "title", "swap"]))
    typed = {
        "keep": typed,
        "upper": typed.upper(),
        "title": typed.title(),
        "swap": typed.swapcase(),
    }[case]
    if possessive and draw(st.booleans()):
        typed += draw(st.sampled_from(["'s", "’s"]))
    return typed


@st.composite
def planted(draw: st.DrawFn, text: str, *, block: bool) -> str:
    """``text`` in a random inline Markdown context. In one-line blocks
    (headings, tables) no line break is typed."""
    line = not block
    typed = draw(disguised(text, line_breaks=line))
    slug = draw(st.sampled_from(SLUG_JOINS)).join(draw(disguised(text, line_breaks=False)).split())
    contexts = [
        typed,
        f"*{typed}*",
        f"**{typed}**",
        f"_{typed}_",
        f"[{typed}](https://example.org/page)",
        f"[see here](https://example.org/{slug})",
        f"[see here](https://example.org/p?who={slug}#top)",
        f'[see here](https://example.org/p "{typed}")',
        f"<https://example.org/{slug}>",
        f"https://example.org/{slug}/cv",
        f"![{typed}](https://example.org/i.png)",
        f"[{typed}]{{.extra}}",
    ]
    if "\n" not in typed and "`" not in typed:
        contexts.append(f"`{typed}`")
    if "@" in text:
        contexts.append(f"<{slug}>")
        contexts.append(f"[write](mailto:{slug})")
    bare = text.replace(" ", "")
    if len(bare) > 4 and " " not in text:
        cut = draw(st.integers(2, len(text) - 2))
        contexts.append(f"{text[:cut]}*{text[cut:]}*")
    if " " in text:
        first, rest = text.split(" ", 1)
        contexts.append(f"{first} **{rest}**")
        contexts.append(f"[{first}](https://example.org/a) {rest}")
    if text[:1].isalpha():
        contexts.append(f"&#{ord(text[0])};{text[1:]}")
    return draw(st.sampled_from(contexts))


@st.composite
def secret_phrase(draw: st.DrawFn, word: str, level: Confidentiality) -> str:
    """A redacted span (or redacted element) holding ``word``."""
    cls = "confidential" if level is Confidentiality.CONFIDENTIAL else "members"
    inner = draw(planted(word, block=True))
    forms = [
        f"[{inner}]{{.{cls}}}",
        f"[some {inner} words]{{.{cls}}}",
        f"[*{word}*]{{.{cls}}}",
        f"[[{word}](https://example.org/{word})]{{.{cls}}}",
        f"`{word}`{{.{cls}}}",
        f"[{word}](https://example.org/{word}){{.{cls}}}",
        f"![{word}](https://example.org/i.png){{.{cls}}}",
        f"[{word}]{{.{cls.upper()}}}",
        f"[{word}] {{.{cls}}}",
    ]
    if level is Confidentiality.CONFIDENTIAL:
        forms.append(f"[open [{word}]{{.confidential}} words]{{.members}}")
    else:
        forms.append(f"[open [{word}]{{.members}} words]{{.extra}}")
    return draw(st.sampled_from(forms))


@st.composite
def inline_text(
    draw: st.DrawFn, things: list[str], secrets: list[tuple[str, Confidentiality]], block: bool
) -> str:
    words = draw(st.lists(st.sampled_from(FILLER), min_size=1, max_size=6))
    pieces = list(words)
    for thing in things:
        pieces.insert(draw(st.integers(0, len(pieces))), draw(planted(thing, block=block)))
    for word, level in secrets:
        pieces.insert(draw(st.integers(0, len(pieces))), draw(secret_phrase(word, level)))
    return " ".join(pieces)


@st.composite
def body(draw: st.DrawFn, things: list[str], secrets: list[tuple[str, Confidentiality]]) -> str:
    """A Markdown body in blocks of random kinds, with ``things`` and
    ``secrets`` spread over them."""
    count = draw(st.integers(1, 3))
    share_things = [draw(st.integers(0, count - 1)) for _ in things]
    share_secrets = [draw(st.integers(0, count - 1)) for _ in secrets]
    blocks = []
    for index in range(count):
        mine = [t for t, s in zip(things, share_things, strict=True) if s == index]
        hidden = [x for x, s in zip(secrets, share_secrets, strict=True) if s == index]
        kind = draw(st.sampled_from(["p", "h", "li", "quote", "table", "fence"]))
        if kind == "fence" and not hidden:
            lines = [draw(disguised(t, separators=CODE_SEPARATORS)) for t in mine] + ["code"]
            blocks.append("```\n" + "\n".join(lines) + "\n```")
            continue
        one_line = kind in ("h", "table")
        text = draw(inline_text(mine, hidden, block=one_line))
        if kind == "h":
            blocks.append("## " + text)
        elif kind == "li":
            blocks.append("- " + text + "\n- " + draw(st.sampled_from(FILLER)))
        elif kind == "quote":
            blocks.append("> " + text)
        elif kind == "table":
            blocks.append(f"| a | b |\n|---|---|\n| {text} | {draw(st.sampled_from(FILLER))} |")
        else:
            blocks.append(text)
    return "\n\n".join(blocks)


@st.composite
def meetings(draw: st.DrawFn) -> tuple[Notes, Plan]:
    """Random people, consents and items, and the plan of what was planted."""
    n_people = draw(st.integers(1, 3))
    n_items = draw(st.integers(1, 4))
    pool = iter(
        sentinel(word)
        for word in draw(
            st.lists(
                st.text(LETTERS, min_size=5, max_size=5),
                min_size=9 * n_people + 3 * n_items,
                max_size=9 * n_people + 3 * n_items,
                unique=True,
            )
        )
    )
    plan = Plan()
    people: list[PersonFacts] = []
    identities: list[str] = []
    for person_id in range(1, n_people + 1):
        first, last, org1, org2, desc1, desc2, mail1, mail2, only = (next(pool) for _ in range(9))
        single = draw(st.booleans()) and person_id == 1
        name = only if single else f"{first.title()} {last.title()}"
        person = PersonFacts(
            id=person_id,
            name=draw(disguised(name, line_breaks=False, possessive=False))
            if draw(st.booleans())
            else name,
            affiliation=draw(st.sampled_from([f"{org1.title()} {org2.title()} Trust", ""])),
            descriptor=draw(st.sampled_from([f"a {desc1} {desc2} lead", ""])),
            email=draw(st.sampled_from([f"{mail1}.{mail2}@example.org", None])),
        )
        people.append(person)
        identities.extend([name, name.split()[-1], person.affiliation, person.descriptor])
        identities.append(person.email or "")
    identities = [term for term in identities if term]

    grants = [
        Grant(
            person_id=draw(st.integers(1, n_people)),
            audience=draw(st.sampled_from(list(ConsentAudience))),
            level=draw(st.sampled_from(list(Level))),
            granted_at=at(minute),
            series_id=draw(st.sampled_from([None, SERIES, OTHER_SERIES])),
            meeting_id=None,
            withdrawn_at=at(minute + 1) if draw(st.integers(0, 3)) == 0 else None,
        )
        for minute in draw(st.lists(st.integers(0, 500), unique=True, max_size=6))
    ]
    grants = [
        replace(g, series_id=None, meeting_id=draw(st.sampled_from([MEETING, OTHER_MEETING])))
        if g.series_id is None and draw(st.booleans())
        else g
        for g in grants
    ]

    items: list[ItemFacts] = []
    for item_id in range(1, n_items + 1):
        confidentiality = draw(st.sampled_from(list(Confidentiality)))
        own, span_c, span_m = next(pool), next(pool), next(pool)
        secrets: list[tuple[str, Confidentiality]] = []
        if draw(st.booleans()):
            secrets.append((span_c, Confidentiality.CONFIDENTIAL))
            plan.secret[span_c] = Confidentiality.CONFIDENTIAL
        if draw(st.booleans()):
            secrets.append((span_m, Confidentiality.MEMBERS))
            plan.secret[span_m] = Confidentiality.MEMBERS
        things = draw(st.lists(st.sampled_from(identities), max_size=3))
        plan.planted.update(things)
        section = draw(st.sampled_from(["", "Welcome", "Discussion", "About"]))
        if section == "About" and identities:
            typed = draw(disguised(draw(st.sampled_from(identities)), line_breaks=False))
            section = f"About {typed}"
        if confidentiality is not Confidentiality.OPEN:
            things.append(own)
            plan.secret[own] = confidentiality
            if draw(st.booleans()):
                section = f"{own} notes"
        if section.startswith("About "):
            plan.planted.add(section[len("About ") :])
        items.append(
            ItemFacts(
                id=item_id,
                position=draw(st.integers(0, 3)),
                kind=draw(st.sampled_from(list(Kind))),
                body=draw(body(things, secrets)),
                confidentiality=confidentiality,
                section=section,
                speaker_id=draw(st.sampled_from([None, *range(1, n_people + 1)])),
            )
        )
    notes = Notes(series_id=SERIES, meeting_id=MEETING, items=items, people=people, grants=grants)
    return notes, plan


def expected_level(notes: Notes, person: PersonFacts, audience: Audience) -> Level:
    """The consent rule, written out again independently of the code under test."""
    if audience is Audience.FACILITATOR:
        return Level.NAMED
    level = granted(notes, person, ConsentAudience.PUBLIC)
    if audience is Audience.MEMBER:  # never less than the public
        member = granted(notes, person, ConsentAudience.MEMBER)
        level = max(level, member, key=list(Level).index)
    if level is Level.AFFILIATION and not person.affiliation:
        level = Level.DESCRIPTOR
    if level is Level.DESCRIPTOR and not person.descriptor:
        level = Level.ANONYMOUS
    return level


def granted(notes: Notes, person: PersonFacts, audience: ConsentAudience) -> Level:
    """The level of the narrowest, then latest, active grant for ``audience``."""
    best: tuple[int, datetime] | None = None
    level = Level.ANONYMOUS
    for g in notes.grants:
        if g.person_id != person.id or g.audience is not audience or g.withdrawn_at:
            continue
        if g.meeting_id is not None:
            rank = 2 if g.meeting_id == notes.meeting_id else -1
        elif g.series_id is not None:
            rank = 1 if g.series_id == notes.series_id else -1
        else:
            rank = 0
        if rank >= 0 and (best is None or (rank, g.granted_at) > best):
            best, level = (rank, g.granted_at), g.level
    return level


def withheld(person: PersonFacts, level: Level) -> list[str]:
    """What ``person`` has not released at ``level`` (email: never released)."""
    terms = [person.email or ""]
    if level is not Level.NAMED:
        terms.append(person.name)
        words = person.name.split()
        if len(words) > 1:
            terms.append(words[-1])
    if level in (Level.ANONYMOUS, Level.DESCRIPTOR):
        terms.append(person.affiliation)
    if level is Level.ANONYMOUS:
        terms.append(person.descriptor)
    return [term for term in terms if term]


def expected_credit(person: PersonFacts, level: Level) -> str:
    if level is Level.NAMED:
        return f"{person.name} ({person.affiliation})" if person.affiliation else person.name
    if level is Level.AFFILIATION:
        return f"Someone from {person.affiliation}"
    if level is Level.DESCRIPTOR:
        return person.descriptor[:1].upper() + person.descriptor[1:]
    return "A participant"


def assert_nothing_withheld_shows(notes: Notes, plan: Plan, view: NotesView) -> None:
    audience = view.audience
    for word, level in plan.secret.items():
        if not level.visible_to(audience):
            assert not shows(view, word), (audience, word)
    for person in notes.people:
        for term in withheld(person, expected_level(notes, person, audience)):
            assert not shows(view, term), (audience, term)


@SETTINGS
@given(meetings())
def test_member_and_public_views_keep_every_secret(case: tuple[Notes, Plan]) -> None:
    """No member or public view, in any field or reading of it, carries a
    confidential item's or span's text (members spans for the public), or a
    name, surname, affiliation, descriptor or email not released to it."""
    notes, plan = case
    for audience in (Audience.MEMBER, Audience.PUBLIC):
        view = disclose(notes, audience)
        assert_nothing_withheld_shows(notes, plan, view)
        assert "redact-" not in view.text()
        for shown in view.items:
            assert shown.body is None and shown.speaker_id is None
            assert shown.confidentiality is None


@LIGHTER
@given(meetings())
def test_facilitators_see_everything(case: tuple[Notes, Plan]) -> None:
    """Facilitators get every item, every planted string and every name in
    the rendered view itself (not only in the raw body)."""
    notes, plan = case
    view = disclose(notes, Audience.FACILITATOR)
    assert sorted(shown.id for shown in view.items) == sorted(i.id for i in notes.items)
    rendered = NotesView(
        audience=view.audience, items=tuple(replace(i, body=None) for i in view.items)
    )
    _folded, squashed = leak_forms(rendered)
    in_order = sorted(notes.items, key=lambda i: (i.position, i.id))
    for shown, source in zip(view.items, in_order, strict=True):
        assert shown.body == source.body
        assert shown.confidentiality is source.confidentiality
    for word in [*plan.secret, *plan.planted]:
        assert squash(word) in squashed, word


@LIGHTER
@given(meetings())
def test_released_credit_is_shown(case: tuple[Notes, Plan]) -> None:
    """Every shown item is credited exactly as its speaker consented for the
    audience, and items hidden by confidentiality are absent."""
    notes, _plan = case
    people = {person.id: person for person in notes.people}
    for audience in Audience:
        view = disclose(notes, audience)
        allowed = {i.id for i in notes.items if i.confidentiality.visible_to(audience)}
        assert {shown.id for shown in view.items} <= allowed
        sources = {i.id: i for i in notes.items}
        for shown in view.items:
            speaker_id = sources[shown.id].speaker_id
            if speaker_id is None:
                assert shown.attribution is None
                continue
            person = people[speaker_id]
            assert shown.attribution == expected_credit(
                person, expected_level(notes, person, audience)
            )


def credit_rank(person: PersonFacts, credit: str) -> int:
    """How much a credit gives away, read from its words alone: 0 "A
    participant", 1 the descriptor, 2 "Someone from" the affiliation, 3 the
    name."""
    if credit == "A participant":
        return 0
    if credit.startswith("Someone from "):
        return 2
    if person.descriptor and credit == person.descriptor[:1].upper() + person.descriptor[1:]:
        return 1
    return 3


def identity(person: PersonFacts) -> list[str]:
    words = person.name.split()
    terms = [person.name, words[-1], person.affiliation, person.descriptor, person.email or ""]
    return [term for term in terms if term]


@SETTINGS
@given(meetings())
def test_members_read_everything_the_public_reads_about_a_person(
    case: tuple[Notes, Plan],
) -> None:
    """Members never see less than the public: for any people and grants,
    each name, surname, affiliation or email of a person that the public's
    text shows, the members' text shows too (a description, their
    affiliation or name in its place), and every item the public reads,
    members read crediting its speaker at least as fully."""
    notes, _plan = case
    public = disclose(notes, Audience.PUBLIC)
    members = disclose(notes, Audience.MEMBER)

    def uncredited(view: NotesView) -> NotesView:
        return replace(view, items=tuple(replace(i, attribution=None) for i in view.items))

    public_text, members_text = uncredited(public), uncredited(members)
    for person in notes.people:
        for term in identity(person):
            if not shows(public_text, term) or shows(members_text, term):
                continue
            # Only a description or an affiliation may give way, to
            # something that tells more in its place: "someone from" the
            # affiliation, or the name (as the notes wrote it: the surname
            # alone where they name only it).
            names = [person.name, person.name.split()[-1]]
            if term == person.descriptor:
                stronger = [t for t in (person.affiliation, *names) if t]
            else:
                assert term == person.affiliation, (person, term)
                stronger = names
            assert any(shows(members_text, t) for t in stronger), (person, term)
    people = {person.id: person for person in notes.people}
    speakers = {item.id: item.speaker_id for item in notes.items}
    credits = {shown.id: shown.attribution for shown in members.items}
    for shown in public.items:
        assert shown.id in credits
        if shown.attribution is not None:
            person = people[speakers[shown.id]]
            assert credit_rank(person, credits[shown.id]) >= credit_rank(person, shown.attribution)


@LIGHTER
@given(meetings())
def test_disclose_is_deterministic(case: tuple[Notes, Plan]) -> None:
    """The same notes give the same view, whatever order items, people and
    grants come in."""
    notes, _plan = case
    shuffled = replace(
        notes,
        items=list(reversed(notes.items)),
        people=list(reversed(notes.people)),
        grants=list(reversed(notes.grants)),
    )
    for audience in Audience:
        first = disclose(notes, audience)
        assert disclose(notes, audience) == first
        assert disclose(shuffled, audience) == first


def test_sentinels_cannot_collide_with_ordinary_text() -> None:
    """The sentinel alphabet keeps planted words apart from filler and stand-ins."""
    assert not set("qxv") & set(LETTERS)
    ordinary = " ".join([*FILLER, "a participant", "someone from", "an organisation", "a link"])
    assert "qx" not in squash(ordinary)
    assert set(LETTERS) <= set(string.ascii_lowercase)
