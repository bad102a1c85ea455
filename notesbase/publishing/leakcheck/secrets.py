"""The confidential side of the leak check: words of items an audience may
not see, and of spans redacted from the items it does see, copied into an
output. A run of four or more words is found wherever it is copied; a
shorter secret only as a whole and only when it is distinctive, so common
phrases ("at the end of the") never count. What the series' title says is
never a secret (the meeting's own fields are checked like any text). A short
secret the audience also reads in its own view of the notes is not one
either; but a run of four or more words is, even there: that is a
confidential passage copied into an open item."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from notesbase.disclosure import Audience, Confidentiality, ItemFacts, Notes
from notesbase.disclosure.classes import may_hold_redaction
from notesbase.disclosure.render import to_html, to_text
from notesbase.disclosure.spans import heading_words, redacted_tokens
from notesbase.disclosure.words import stopwords
from notesbase.publishing.leakcheck import text as leak_text
from notesbase.publishing.leakcheck.people import AUDIENCE_WORDS, Hit

RUN = 4  # words in a copied run that count wherever they appear
_SHORT_MIN_LETTERS = 4


def content(word: str) -> bool:
    """A word that carries meaning: not a stop word, and three letters or a digit."""
    return word not in stopwords() and (len(word) >= 3 or any(c.isdigit() for c in word))


def strong(word: leak_text.Word, source: str) -> bool:
    """A word distinctive on its own: a number, a long word, or a capitalised one."""
    if not content(word.text):
        return False
    if any(c.isdigit() for c in word.text):
        return True
    capitalised = source[word.start : word.start + 1].isupper()
    return len(word.text) >= 9 or (capitalised and len(word.text) >= 4)


def distinctive_run(run: Sequence[str]) -> bool:
    return sum(1 for word in run if content(word)) >= 2


def distinctive_short(words: Sequence[leak_text.Word], source: str) -> bool:
    """Whether a secret of one to three words means something alone."""
    if sum(len(word.text) for word in words) < _SHORT_MIN_LETTERS:
        return False
    if len(words) == 1:
        return strong(words[0], source)
    return sum(1 for w in words if content(w.text)) >= 2 or any(strong(w, source) for w in words)


@dataclass(frozen=True)
class Secret:
    rule: str
    why: str


@lru_cache(maxsize=4096)
def plain_text(body: str, audience: Audience) -> str:
    """An item body's words as ``audience`` would get them before names are
    scrubbed: what a redaction leaves (facilitators keep every span)."""
    return to_text(to_html(redacted_tokens(body, audience)))


def _grams(words: Sequence[str], size: int) -> Iterable[tuple[str, ...]]:
    for index in range(len(words) - size + 1):
        yield tuple(words[index : index + size])


def _next_found(owner: list[int | None], start: int, least: int) -> int:
    """The first run of ``RUN`` words, from ``least`` on, that may hold a
    word found at or after ``start`` (past the end when none is)."""
    for at in range(start, len(owner)):
        if owner[at] is not None:
            return max(at - RUN + 1, least)
    return len(owner)


def _grams_from(
    words: Sequence[str], size: int, starts: Mapping[str, frozenset[str]]
) -> list[tuple[int, tuple[str, ...]]]:
    """``_grams`` with where each starts, only those whose first two words
    begin some gram of ``starts`` (a secret's first word, to the second
    words that follow it): the others cannot be a secret's."""
    if not starts or starts.keys().isdisjoint(words):
        return []
    count = len(words)
    found = []
    for index, word in enumerate(words):
        seconds = starts.get(word)
        if seconds is None or index + size > count:
            continue
        if size > 1 and words[index + 1] not in seconds:
            continue
        found.append((index, tuple(words[index : index + size])))
    return found


def _starts(grams: Iterable[tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Each gram's first word, to the second words that follow it."""
    found: dict[str, set[str]] = {}
    for gram in grams:
        found.setdefault(gram[0], set()).update(gram[1:2])
    return {first: frozenset(seconds) for first, seconds in found.items()}


class SecretsCheck:
    """Finds text of hidden items and redacted spans of ``notes`` in an
    output for ``audience``; ``readable`` is every text the audience may
    read anyway, ``public`` the part of it that is not the notes (copied runs
    are secret even inside the audience's view of the notes)."""

    def __init__(
        self,
        notes: Notes,
        audience: Audience,
        readable: Iterable[str],
        public: Iterable[str] = (),
    ) -> None:
        self.audience = audience
        self.secrets: list[Secret] = []
        self.runs: dict[tuple[str, ...], int] = {}
        # Every run of each secret, distinctive or not: a copied run found by
        # a distinctive part is followed through its plainer words.
        self.continues: dict[tuple[str, ...], set[int]] = {}
        self.short: dict[tuple[str, ...], int] = {}
        # Runs shorter than ``RUN`` of what the audience may read anyway:
        # made when a short secret first asks (most notes have none).
        self._readable_texts = list(readable)
        self._readable: set[tuple[str, ...]] | None = None
        self._public_runs: set[tuple[str, ...]] = set()
        for text in public:
            self._public_runs.update(_grams(leak_text.word_texts(text), RUN))
        if audience is Audience.FACILITATOR:
            return
        items = sorted(notes.items, key=lambda item: (item.position, item.id))
        headings: set[str] = set()
        for item in items:
            if item.confidentiality.visible_to(audience):
                self._redacted(item)
                if item.section not in headings:
                    headings.add(item.section)
                    self._redacted_heading(item)
            else:
                self._hidden(item)
        self._hidden_headings(items)
        # The first two words of each run and of each short secret (by its
        # length): a text is looked up only where they stand.
        self._run_starts = _starts(self.runs)
        self._short_starts = {
            size: _starts(gram for gram in self.short if len(gram) == size)
            for size in range(1, RUN)
        }

    def _secret(self, rule: str, why: str) -> int:
        self.secrets.append(Secret(rule, why))
        return len(self.secrets) - 1

    def _add(self, source: str, words: Sequence[leak_text.Word], secret: int) -> None:
        texts = [word.text for word in words]
        if len(texts) >= RUN:
            # ``distinctive_run`` of each gram: two content words or more.
            meaning = list(accumulate((content(text) for text in texts), initial=0))
            for index, gram in enumerate(_grams(texts, RUN)):
                self.continues.setdefault(gram, set()).add(secret)
                if meaning[index + RUN] - meaning[index] >= 2 and gram not in self._public_runs:
                    self.runs.setdefault(gram, secret)
        elif texts and distinctive_short(words, source) and not self._may_read(tuple(texts)):
            self.short.setdefault(tuple(texts), secret)

    def _may_read(self, words: tuple[str, ...]) -> bool:
        """Whether the audience reads these words anyway, together."""
        if self._readable is None:
            self._readable = set()
            for text in self._readable_texts:
                texts = leak_text.word_texts(text)
                for size in range(1, RUN):
                    self._readable.update(_grams(texts, size))
        return words in self._readable

    def _hidden(self, item: ItemFacts) -> None:
        """An item the audience may not see: all its words are secret."""
        if item.confidentiality is Confidentiality.CONFIDENTIAL:
            why = (
                f"These words come from item {item.position}, "
                "which is confidential (facilitators only)."
            )
        else:
            why = (
                f"These words come from item {item.position}, which is for members only "
                f"and is left out of what {AUDIENCE_WORDS[Audience.PUBLIC]} sees."
            )
        secret = self._secret("confidential", why)
        text = plain_text(item.body, Audience.FACILITATOR)
        self._add(text, leak_text.words(text), secret)

    def _redacted(self, item: ItemFacts) -> None:
        """The runs of words a redaction cuts out of an item the audience sees
        (spans, marked links and images, a paragraph with a mistyped class)."""
        if not may_hold_redaction(item.body):
            return  # nothing in it can redact anything (the common case)
        full = plain_text(item.body, Audience.FACILITATOR)
        self._cut(item, full, plain_text(item.body, self.audience))

    def _redacted_heading(self, item: ItemFacts) -> None:
        """The words a redaction cuts out of a section heading the audience sees."""
        if item.section.strip() and may_hold_redaction(item.section):
            full = heading_words(item.section, Audience.FACILITATOR)
            self._cut(item, full, heading_words(item.section, self.audience))

    def _cut(self, item: ItemFacts, full: str, shown: str) -> None:
        kept = leak_text.word_texts(shown)
        words = leak_text.words(full)
        matcher = difflib.SequenceMatcher(None, [w.text for w in words], kept, autojunk=False)
        for tag, start, end, _kept_start, _kept_end in matcher.get_opcodes():
            if tag not in ("delete", "replace"):
                continue
            why = (
                f"These words were redacted from item {item.position}: "
                f"{AUDIENCE_WORDS.get(self.audience, str(self.audience))} may not see them."
            )
            self._add(full, words[start:end], self._secret("redacted", why))

    def _hidden_headings(self, items: Sequence[ItemFacts]) -> None:
        """A section heading whose every item is hidden disappears from the
        audience's view, so it is secret too."""
        headings: dict[str, bool] = {}
        for item in items:
            heading = item.section.strip()
            if heading:
                visible = item.confidentiality.visible_to(self.audience)
                headings[heading] = headings.get(heading, False) or visible
        for heading, visible in headings.items():
            if not visible:
                who = AUDIENCE_WORDS.get(self.audience, str(self.audience))
                why = f"This is the heading of a section whose items {who} may not see."
                words = heading_words(heading, Audience.FACILITATOR)
                self._add(words, leak_text.words(words), self._secret("confidential", why))

    def hits(self, text: str) -> list[Hit]:
        """Each copied run or distinctive short secret in ``text``."""
        if not (self.runs or self.short):
            return []
        return self.hits_in(text, leak_text.words(text))

    def hits_in(
        self,
        text: str,
        words: Sequence[leak_text.Word],
        texts: Sequence[str] | None = None,
        grams: Callable[[int], Iterable[tuple[int, tuple[str, ...]]]] | None = None,
    ) -> list[Hit]:
        """``hits``, given the words of ``text`` (``leakcheck.text.words``) and,
        if at hand, their texts and ``grams(size)``: in order, where each
        run of ``size`` words starts and its words, for at least every run
        that is a secret's (``grams_in``)."""
        if not (self.runs or self.short):
            return []
        if texts is None:
            texts = [word.text for word in words]
        if grams is None:
            grams = functools.partial(self.grams_in, texts)  # type: ignore[assignment]
        owner: list[int | None] = [None] * len(texts)
        for index, gram in grams(RUN):
            secret = self.runs.get(gram)
            if secret is not None:
                self._mark(owner, index, RUN, secret)
        if owner.count(None) < len(owner):
            self._follow(texts, owner)
        for size in range(RUN - 1, 0, -1):
            for index, gram in grams(size) if self.short else ():
                secret = self.short.get(gram)
                if secret is not None and all(o is None for o in owner[index : index + size]):
                    owner[index : index + size] = [secret] * size
        if owner.count(None) == len(owner):
            return []
        return self._runs(text, words, owner)

    def secrets_of(self, size: int) -> Mapping[tuple[str, ...], int]:
        """The runs of ``size`` words that are a secret's (of ``RUN`` words, or short)."""
        return self.runs if size == RUN else self.short

    def starts(self, size: int) -> Mapping[str, frozenset[str]]:
        """The words a secret's run of ``size`` words may start with (to the
        words that may follow them)."""
        return self._run_starts if size == RUN else self._short_starts[size]

    def grams_in(self, texts: Sequence[str], size: int) -> list[tuple[int, tuple[str, ...]]]:
        """Where each run of ``size`` of ``texts`` that is a secret's starts
        (a copied run of ``RUN`` words, or a short secret), in order."""
        table: Mapping[tuple[str, ...], object]
        if size == RUN:
            table, starts = self.runs, self._run_starts
        else:
            table, starts = self.short, self._short_starts[size]
        return [(index, gram) for index, gram in _grams_from(texts, size, starts) if gram in table]

    @staticmethod
    def _mark(owner: list[int | None], index: int, size: int, secret: int) -> bool:
        changed = False
        for at in range(index, index + size):
            if owner[at] is None:
                owner[at] = secret
                changed = True
        return changed

    def _follow(self, texts: Sequence[str], owner: list[int | None]) -> None:
        """Extend each found run over neighbouring words that go on copying
        the same secret ("... is off until September"): each run of ``RUN``
        words of a secret holding a word found and one not yet is marked,
        in order, until none changes. A run holding no word found changes
        nothing, so the words up to the next word found are passed over."""
        continues = self.continues
        last = len(texts) - RUN
        changed = True
        while changed:
            changed = False
            index = 0
            while index <= last:
                window = owner[index : index + RUN]
                if all(o is None for o in window):
                    index = _next_found(owner, index + RUN, max(index + 1, 0))
                    continue
                if None in window:
                    found = continues.get(tuple(texts[index : index + RUN]))
                    if found is not None:
                        for secret in {o for o in window if o is not None} & found:
                            changed = self._mark(owner, index, RUN, secret) or changed
                index += 1

    def _runs(
        self, text: str, words: Sequence[leak_text.Word], owner: Sequence[int | None]
    ) -> list[Hit]:
        hits: list[Hit] = []
        index, count = 0, len(owner)
        while index < count:
            secret = owner[index]
            if secret is None:
                index += 1
                continue
            end = index
            while end + 1 < count and owner[end + 1] == secret:
                end += 1
            start_at, end_at = words[index].start, words[end].end
            found = self.secrets[secret]
            hits.append(Hit(found.rule, start_at, text[start_at:end_at], found.why))
            index = end + 1
        return hits
