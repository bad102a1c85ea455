"""``Matcher.joins``: what tells whether finding terms in each piece of a
text finds what finding them in the whole text finds (the leak check reads
each distinct line once, ``publishing.leakcheck.lines``): a term spelled across a break,
and the few sets of terms that a longer text holding more of them finds
differently."""

from __future__ import annotations

from notesbase.disclosure.canonical import term_key
from notesbase.disclosure.matching import Matcher
from notesbase.disclosure.patterns import reading_words


def loose(text: str) -> list[str]:
    return reading_words(text)[0]


def keys(*terms: str) -> set[str]:
    return {term_key(term) for term in terms}


OTHERS = ["Ada Byron", "Bo Chen", "Cy Dunn", "Di Evans", "Ed Fox", "Flo Gray", "Gus Hale"]


def test_a_term_across_a_break_is_seen() -> None:
    """The words either side of a break that spell a term, whole or run
    together, are seen; words that spell none are not."""
    joins = Matcher({"Jane Doe": "x", "Open Data Manchester": "y"}).joins
    words = loose("We met Jane Doe today")
    assert joins.across(words, 3)  # "jane" | "doe"
    assert joins.may_cross("jane", "doe")
    assert joins.across(loose("Open Data Manchester"), 1)
    assert joins.across(loose("Open Data Manchester"), 2)
    assert joins.across(loose("the Ja neDoe"), 2)  # run together across the break
    assert not joins.across(words, 2)  # "met" | "jane"
    assert not joins.across(words, 4)  # "doe" | "today"
    assert not joins.may_cross("met", "jane")
    assert not joins.across(words, 0) and not joins.across(words, len(words))


def test_the_loose_reading_is_what_terms_are_looked_up_by() -> None:
    """``reading_words`` reads as the matcher does: a capital I is an "l"
    too, and a sign shaped like a letter has a reading of its own."""
    assert reading_words("Jane DOE, here") == (["jane", "doe", "here"], None)
    plain, other = reading_words("J|ll")
    assert other is not None and other != plain


def test_terms_found_differently_in_a_longer_text_are_risky() -> None:
    """A term that overlaps itself, two of the same letters split
    differently, two of one length where one's letters begin the
    other's: risky. Everyday names are not."""
    assert not Matcher({name: "x" for name in OTHERS}).joins.risky
    assert Matcher({"Lee Ann Lee": "x", "Jo Lee": "y"}).joins.risky == keys("Lee Ann Lee")
    split = Matcher({"Anne Marie Smith": "x", "Annemarie Smith": "y"}).joins.risky
    assert split == keys("Anne Marie Smith", "Annemarie Smith")
    assert Matcher({"a b c": "x", "abc d": "y"}).joins.risky == keys("a b c", "abc d")


def test_why_a_risky_term_is_read_whole() -> None:
    """ "Lee Ann Lee" overlaps itself: in a line alone it is not found after
    "Jo Lee" takes its first word, yet in a text naming many more people
    it is (the matcher looks for them all at once). So a text that may
    hold a risky term is read whole, never line by line."""
    matcher = Matcher({name: name for name in ["Jo Lee", "Lee Ann Lee", *OTHERS]})
    line = "Jo Lee Ann Lee Ann Lee"
    alone = [found for _s, _e, found in matcher.matches(line)]
    among = [
        found for s, _e, found in matcher.matches(f"{line}\n{' '.join(OTHERS)}") if s < len(line)
    ]
    assert alone != among
    assert matcher.joins.holds_risky(set(loose(line)))
    assert not matcher.joins.holds_risky(set(loose("Jo Lee met Bo Chen")))
