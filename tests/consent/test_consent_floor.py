"""Members never see less than the public: a grant to the public is a floor
for members of the series, on every channel and on every consent page, and
withdrawing it lowers members again at once."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import Consent, Role
from tests.conftest import post_form
from tests.consent.consent_support import (
    JANE,
    OPEN_TEXT,
    browser,
    notes_of,
    page_text,
    set_level,
    world_fixture,  # noqa: F401 - a fixture
)

AFFILIATION = "Someone from Open Data Manchester"
PARTICIPANT = "A participant"


def _credit_of(text: str, remark: str) -> str:
    """The credit shown with ``remark`` on a notes page: the nearest one."""
    for credit in (JANE, AFFILIATION, "A local authority data lead", PARTICIPANT):
        start = text.find(remark)
        if start != -1 and credit in text[start : start + 600]:
            return credit
    return ""


def test_a_public_grant_lifts_members_to_it(app, world):
    """Jane releases her affiliation to the public only: members read it too,
    and both her page and the flash say so."""
    jane = browser(app, "jane@example.org")
    reader = browser(app, "reader@example.org")
    assert _credit_of(notes_of(reader, 1), OPEN_TEXT) == PARTICIPANT
    assert set_level(jane, "public", "affiliation").status_code == 302
    mine = page_text(jane, "/me/attributions")
    assert f"Members of the series read “{AFFILIATION}” there." in mine
    assert "Public: affiliation, so members: at least affiliation" in mine
    assert "The public's level, from the grant for everywhere" in mine
    assert _credit_of(notes_of(reader, 1), OPEN_TEXT) == AFFILIATION


def test_a_weaker_member_grant_does_not_lower_members_below_the_public(app, world):
    """A narrower, newer "anonymous" for members does not undercut the
    public's affiliation; a stronger one for members still wins."""
    jane = browser(app, "jane@example.org")
    reader = browser(app, "reader@example.org")
    set_level(jane, "public", "affiliation")
    response = set_level(jane, "member", "anonymous", f"meeting-{world['m1']}")
    assert response.status_code == 302
    mine = page_text(jane, "/me/attributions")
    assert "That is the public's level: members never see less than the public." in mine
    assert _credit_of(notes_of(reader, 1), OPEN_TEXT) == AFFILIATION
    set_level(jane, "member", "named", f"meeting-{world['m1']}")
    assert _credit_of(notes_of(reader, 1), OPEN_TEXT) == JANE


def test_withdrawing_the_public_grant_lowers_members_at_once(app, world):
    jane = browser(app, "jane@example.org")
    reader = browser(app, "reader@example.org")
    set_level(jane, "public", "affiliation")
    set_level(jane, "member", "descriptor")
    assert _credit_of(notes_of(reader, 1), OPEN_TEXT) == AFFILIATION
    with app.app_context():
        public = db.session.scalar(
            sa.select(Consent).where(Consent.audience == "public", Consent.withdrawn_at.is_(None))
        )
        public_id = public.id
    response = post_form(
        jane, f"/me/attributions/consent/{public_id}/withdraw", {}, page="/me/attributions"
    )
    assert response.status_code == 302
    mine = page_text(jane, "/me/attributions")
    assert "Members of the series read “A local authority data lead” there." in mine
    assert _credit_of(notes_of(reader, 1), OPEN_TEXT) == "A local authority data lead"


def test_the_facilitators_person_page_shows_the_floor(app, world, make_member):
    make_member("fac@example.org", role=Role.FACILITATOR)
    facilitator = browser(app, "fac@example.org")
    jane = browser(app, "jane@example.org")
    set_level(jane, "public", "named", f"series-{world['cop']}")
    text = page_text(facilitator, f"/people/{world['jane']}")
    assert "Public: named, so members: at least named" in text
    assert "The public's level, from the grant for every meeting of Community of Practice" in text


@pytest.mark.parametrize("query", ["Ragwort", '"ragwort open"'])
def test_search_credits_members_at_the_public_level(app, world, query):
    """The members' search results credit Jane as the notes page does: the
    re-check reads the public's grants for members too."""
    jane = browser(app, "jane@example.org")
    reader = browser(app, "reader@example.org")
    set_level(jane, "public", "affiliation")
    text = page_text(reader, f"/search?q={query}")
    hits = re.findall(r'<li class="search-hit">.*?</li>', text, re.DOTALL)
    assert len(hits) == 1
    assert f'<span class="attribution">{AFFILIATION}</span>' in hits[0]
