"""Remove or anonymise per item; items that only name the person are
rewritten, others' words and other people stay; search finds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.models import Item, ItemRevision, Member, Person
from notesbase.privacy.erasure.plan import Choice
from notesbase.privacy.erasure.service import erase
from tests.privacy.erasure.erasure_support import (
    AFFILIATION,
    EMAIL,
    FIRST,
    OTHER,
    SURNAME,
    build_world,
    settle_index,
)


def test_choices_per_item_and_others_untouched(app, client, auth, make_member, make_series):
    world = build_world(app, make_member, make_series)
    with app.app_context():
        person = db.session.get(Person, world.person)
        erase(person, Choice.ANONYMISE, {world.items["zoe_removed"]: Choice.REMOVE}, actor=None)
    settle_index(app)
    with app.app_context():
        assert db.session.get(Item, world.items["zoe_removed"]) is None
        kept = db.session.get(Item, world.items["zoe_kept"])
        assert kept.speaker_id is None and AFFILIATION not in kept.body
        naming = db.session.get(Item, world.items["raj_naming"])
        assert naming.speaker_id == world.other and OTHER in naming.body
        assert FIRST not in naming.body and SURNAME not in naming.body
        history = db.session.scalars(
            sa.select(ItemRevision.body).where(ItemRevision.item_id == world.items["history"])
        ).all()
        assert history and not any(EMAIL in body for body in history)
        untouched = db.session.get(Item, world.items["untouched"])
        assert untouched.version == 1
        assert db.session.get(Person, world.other) is not None
        member = db.session.get(Member, world.member)
        assert not member.active and member.display_name == "Erased member"
    for email in ("member@example.org", "facilitator@example.org", None):
        headers = {}
        if email:
            with app.app_context():
                member = db.session.scalar(sa.select(Member).where(Member.email == email))
                _, token = tokens.create_token(member, "t", actor=None)
                db.session.commit()
            headers = {"Authorization": f"Bearer {token}"}
        for words in (SURNAME, "Quennell", "Vrestholm", FIRST, EMAIL):
            found = client.get("/api/v1/search", query_string={"q": words}, headers=headers)
            assert found.status_code == 200
            assert found.json["total"] == 0 and found.json["results"] == [], (email, words)
