"""The leak check's quick scans find what the plain ones find: the secrets
scan (runs looked up only where a secret's first word stands, followed on
only next to words already found) against the plain scan of every run of
words; the folding of ASCII text in one pass against folding it letter by
letter; a piece's words and folded text, and one reading of HTML for its
words and its attribute values, against reading each apart."""

from __future__ import annotations

import random
from itertools import accumulate

import pytest

from notesbase.disclosure import Audience, Confidentiality
from notesbase.disclosure.render import attribute_values, text_and_attributes, to_text
from notesbase.publishing.leakcheck import text as leak_text
from notesbase.publishing.leakcheck.people import Hit
from notesbase.publishing.leakcheck.secrets import RUN, SecretsCheck
from tests.disclosure.builders_support import item, notes

HIDDEN = "The merger with Northwind Holdings is off until the spending review of 2026"
MEMBERS = "Project Nightingale starts in the spring with the council data team"
SPAN = "the draft charter on data sharing"
# Words the texts are made of: the secrets' own (so runs are copied, and
# followed on through plainer words) and others.
WORDS = [*HIDDEN.split(), *MEMBERS.split(), *SPAN.split(), "pilot", "ran", "We", "a", "2025"]


def plain_hits(check: SecretsCheck, text: str) -> list[Hit]:
    """``SecretsCheck.hits`` as a plain scan of every run of words: the
    specification the quick scan keeps."""
    if not (check.runs or check.short):
        return []
    words = leak_text.words(text)
    texts = [word.text for word in words]
    owner: list[int | None] = [None] * len(words)

    def mark(index: int, size: int, secret: int) -> bool:
        changed = False
        for at in range(index, index + size):
            if owner[at] is None:
                owner[at] = secret
                changed = True
        return changed

    grams = [tuple(texts[at : at + RUN]) for at in range(len(texts) - RUN + 1)]
    for index, gram in enumerate(grams):
        if gram in check.runs:
            mark(index, RUN, check.runs[gram])
    changed = True
    while changed:
        changed = False
        for index, gram in enumerate(grams):
            window = owner[index : index + RUN]
            if None in window:
                found = {o for o in window if o is not None} & check.continues.get(gram, set())
                for secret in found:
                    changed = mark(index, RUN, secret) or changed
    for size in range(RUN - 1, 0, -1):
        for index in range(len(texts) - size + 1):
            secret = check.short.get(tuple(texts[index : index + size]))
            if secret is not None and all(o is None for o in owner[index : index + size]):
                owner[index : index + size] = [secret] * size
    hits = []
    index = 0
    while index < len(words):
        if owner[index] is None:
            index += 1
            continue
        end = index
        while end + 1 < len(words) and owner[end + 1] == owner[index]:
            end += 1
        secret = check.secrets[owner[index]]  # type: ignore[index]
        start_at, end_at = words[index].start, words[end].end
        hits.append(Hit(secret.rule, start_at, text[start_at:end_at], secret.why))
        index = end + 1
    return hits


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBER])
def test_the_secrets_scan_finds_what_the_plain_scan_finds(audience: Audience) -> None:
    """2,000 texts of the secrets' words in every order: the same runs, the
    same words followed on, the same short secrets, at the same places."""
    check = SecretsCheck(
        notes(
            [
                item(HIDDEN, Confidentiality.CONFIDENTIAL, id=1),
                item(MEMBERS, Confidentiality.MEMBERS, id=2),
                item(f"They shared [{SPAN}]{{.members}} and [Bell]{{.confidential}}.", id=3),
                item("[2026]{.confidential} is the year.", id=4),
            ]
        ),
        audience,
        readable=["We ran a pilot."],
    )
    assert check.runs and check.continues
    rng = random.Random(7)  # noqa: S311 - a test corpus, not a secret
    found = followed = 0
    for _ in range(2000):
        start = rng.randrange(len(WORDS))
        copied = WORDS[start : start + rng.randint(0, 12)]
        text = " ".join(rng.choices(WORDS, k=rng.randint(0, 8)) + copied + rng.choices(WORDS, k=3))
        expected = plain_hits(check, text)
        assert check.hits(text) == expected, text
        found += len(expected)
        followed += sum(1 for hit in expected if len(hit.match.split()) > RUN)
    assert found > 500 and followed > 50  # runs were found, and followed on


def test_ascii_folds_in_one_pass_as_letter_by_letter() -> None:
    """Folding ASCII text in one pass gives the folded text and positions
    that folding each letter gives ("m" is "rn", a quote two)."""
    rng = random.Random(3)  # noqa: S311 - a test corpus, not a secret
    letters = "".join(map(chr, range(128))) + 'mM"`I0|'
    for _ in range(3000):
        text = "".join(rng.choices(letters, k=rng.randint(0, 60)))
        pieces = [leak_text._FOLDED[char] for char in text]
        assert leak_text._fold(text) == ("".join(pieces), list(accumulate(map(len, pieces))))
        assert leak_text._folded(text) == "".join(pieces)


@pytest.mark.parametrize(
    "text",
    [
        "Smith’s view, O'Neill's and the Smiths' data.",
        "Ni\u200bghtingale \u00e9t\u00e9 \u0410cme ﬁne rn m",
        "Attendees:\n- Alex\n- Renée\n\nThe 3 pilots' runs",
        "",
    ],
)
def test_a_pieces_words_are_its_words(text: str) -> None:
    """``piece_words`` gives the folded text and the words' texts that
    ``fold_lines`` and ``word_texts`` give."""
    assert leak_text.piece_words(text) == (
        leak_text.fold_lines(text)[0],
        leak_text.word_texts(text),
    )


@pytest.mark.parametrize(
    "html",
    [
        '<p>Ja<em>mes</em> and <a href="/p/alexsmith" title="Alex">a friend</a></p>',
        "<ul><li>One</li><li>Two <img src=x alt='y'></li></ul>",
        "no markup at all = none",
    ],
)
def test_html_read_once_gives_its_text_and_attributes(html: str) -> None:
    """One reading of HTML gives ``to_text`` and ``attribute_values``."""
    assert text_and_attributes(html) == (to_text(html), attribute_values(html))
