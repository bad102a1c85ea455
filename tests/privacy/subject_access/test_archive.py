"""The archive of a guest and of a member, on SQLite and PostgreSQL: what
it holds, as the person may read it, and nothing of anyone else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from notesbase.db import db
from notesbase.models import Person
from notesbase.privacy.subject_access.archive import FORMAT, VERSION, build
from tests.conftest import app_on, engine_url
from tests.privacy.subject_access.access_support import (
    GUEST,
    GUEST_EMAIL,
    MEMBER,
    MEMBER_EMAIL,
    NEW_UNNAMING,
    OLD_NAMING,
    OWN,
    OWN_CONFIDENTIAL,
    archive_json,
    leaks,
    open_archive,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Flask]:
    """The app on SQLite, then on a PostgreSQL database of this test's own."""
    with app_on(tmp_path, engine_url(request, tmp_path)) as app:
        yield app


def archive_of(app: Flask, person_id: int) -> bytes:
    with app.app_context():
        return build(db.session.get(Person, person_id))


def texts(data: dict[str, Any]) -> dict[int, list[str | None]]:
    return {i["id"]: [v["text"] for v in i["versions"]] for i in data["items"]}


def test_guest_archive_holds_her_items_as_the_public_reads_them(app, world):
    """A guest's archive: her record, her consent history, her items as the
    public reads them with her named, and her own confidential words."""
    zipped = archive_of(app, world["gwen"])
    data = archive_json(zipped)
    assert (data["format"], data["version"]) == (FORMAT, VERSION)
    assert data["person"]["name"] == GUEST and data["person"]["email"] == GUEST_EMAIL
    assert data["account"] is None
    shown = texts(data)
    assert shown[world["gwen_own"]] == [OWN]
    credit = data["items"][0]["versions"][0]["credited_as"]
    assert GUEST in credit
    # Her own confidential words, whole: nobody else is in them.
    confidential = next(i for i in data["items"] if i["id"] == world["gwen_confidential"])
    assert confidential["versions"][0]["confidentiality"] == "confidential"
    assert confidential["versions"][0]["text"] == OWN_CONFIDENTIAL
    # Members-only and others' confidential items are not the public's.
    assert world["members"] not in shown and world["secret"] not in shown
    assert world["mina_own"] not in shown and world["harolds"] not in shown
    # A name typed in an old version counts; each version is there.
    assert shown[world["edited"]] == [OLD_NAMING, NEW_UNNAMING]
    assert all(i["shown_as"] == "public" for i in data["items"])
    consents = data["consents"]
    assert len(consents) == 1 and consents[0]["withdrawn_at"] is not None
    assert consents[0]["note"].startswith("(withheld")
    assert "report.md" in open_archive(zipped)
    assert GUEST in open_archive(zipped)["report.md"]


def test_member_archive_reads_as_a_member_with_her_account(app, world):
    """A member's archive: her account (no hashes), members' items naming her."""
    data = archive_json(archive_of(app, world["mina"]))
    account = data["account"]
    assert account["email"] == MEMBER_EMAIL and account["series"] == ["Community of Practice"]
    assert "password_hash" not in str(account) and "token_hash" not in str(data)
    shown = texts(data)
    assert world["members"] in shown and world["mina_own"] in shown
    assert MEMBER in shown[world["members"]][0]
    assert world["gwen_own"] not in shown and world["secret"] not in shown
    assert all(i["shown_as"] == "member" for i in data["items"])


@pytest.mark.parametrize("who", ["gwen", "mina"])
def test_nothing_of_a_withheld_person_anywhere_in_the_zip(app, world, who):
    """Harold's name, look-alike spellings, zero-width splits, his
    organisation's word and his address: in no byte of any file."""
    zipped = archive_of(app, world[who])
    assert leaks(app, zipped, world["harold"]) == []
    hostile = next(i for i in archive_json(zipped)["items"] if i["id"] == world[f"{who}_hostile"])
    version = hostile["versions"][0]
    # Her own words with him in them: shown without him, or held back.
    assert version["held"] or "budget is short" in (version["text"] or "")
