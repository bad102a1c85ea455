"""The checks ``disclose`` skips when they cannot find anything: scanning
for written-out addresses."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notesbase.disclosure.scrub import _ADDRESS, _MAYBE_ADDRESS

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(list("wW.:@ -x/ſ")), st.characters())).map("".join))
def test_no_address_without_its_marks(text: str) -> None:
    """Text with no ":", "@" or "www." holds no address to scrub."""
    assert _MAYBE_ADDRESS.search(text) or not _ADDRESS.search(text)
