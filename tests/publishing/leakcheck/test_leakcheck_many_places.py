"""A thing found at many places (a first name in item after item): the
leak-check page shows its first places with their quick fixes and
overrides, lists the rest with their links, and shows it whole on demand.
What the page leaves out of view still blocks, still moves to the front
once the places before it are overridden, and is never named by its
words in an address."""

from __future__ import annotations

import re
from html import unescape

import pytest

from notesbase.db import db
from notesbase.disclosure import Audience, Kind
from notesbase.models import Item, Role
from notesbase.notes.items import ItemFields, create_item, update_item
from notesbase.publishing.leakcheck import groups
from notesbase.publishing.leakcheck.check import LeakCheckFailed, require_clean
from tests.conftest import csrf_token_from
from tests.publishing.leakcheck.leakcheck_support import (  # noqa: F401 - fixtures
    the_meeting,
    world_fixture,
)

PAGE = "/series/cop/meetings/1/leak-check"
WORDS = PAGE + "/fix/words"
ITEM = PAGE + "/fix/item"
OVERRIDE = PAGE + "/override"
PLACES = groups.ACTED_ON + 3


@pytest.fixture
def alex_often(app, world) -> list[int]:
    """Alex (anonymous everywhere) named by his first name in ``PLACES`` open
    items, after the world's five: items 6 to 13."""
    with app.app_context():
        ids = []
        for n in range(PLACES):
            body = f"Alex raised point {n} about the register."
            ids.append(create_item(the_meeting(), ItemFields(Kind.POINT, body), actor=None).id)
        db.session.commit()
        return ids


def get(client, url: str = PAGE) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def alex_entry(html: str) -> str:
    members = re.search(r'aria-labelledby="audience-member">.*?</section>', html, re.S)
    assert members
    found = [
        entry
        for entry in re.findall(r'<li class="leak-finding".*?</ul>\s*</li>', members.group(), re.S)
        if "<code>Alex</code>" in entry
    ]
    assert len(found) == 1
    return found[0]


def acted_on(entry: str) -> list[str]:
    """The places shown with their actions: each one's override value."""
    return re.findall(r'name="findings" value="([^"]+)"', entry)


def whole_link(entry: str) -> str:
    found = re.search(r'<a href="([^"]+)">Fix or override each of the (\d+) places</a>', entry)
    assert found, "no link to the entry whole"
    assert found.group(2) == str(PLACES)
    return found.group(1)


def test_first_places_with_actions_the_rest_listed(app, client, login_as, alex_often):
    """The first ``ACTED_ON`` places carry an override and quick fixes; the
    others are listed, each linked to its edit page, behind a count; a
    link shows the entry whole, named by a digest and not by the words."""
    login_as(Role.FACILITATOR)
    entry = alex_entry(get(client))
    assert len(acted_on(entry)) == groups.ACTED_ON
    assert entry.count(f'action="{ITEM}"') == groups.ACTED_ON
    assert f"<summary>{PLACES - groups.ACTED_ON} more places</summary>" in entry
    for item_id in alex_often[groups.ACTED_ON :]:
        assert f'href="/series/cop/meetings/1/notes/items/{item_id}/edit"' in entry
    link = whole_link(entry)
    assert re.fullmatch(PAGE + r"\?entry=[0-9a-f]{16}#finding-[0-9a-f]{16}", link)
    assert "alex" not in link.lower()


def test_the_entry_whole_acts_on_every_place(app, client, login_as, alex_often):
    """Followed, the link shows every place with its actions, and the forms
    there come back to the entry shown whole."""
    login_as(Role.FACILITATOR)
    link = whole_link(alex_entry(get(client)))
    address = link.split("#")[0]
    whole = alex_entry(get(client, address))
    assert len(acted_on(whole)) == PLACES
    assert "more places" not in whole and "Fix or override each" not in whole
    assert f'name="next" value="{address}"' in whole


def test_quick_fixes_are_worked_out_for_the_places_shown_only(
    app, client, login_as, alex_often, monkeypatch
):
    """The quick fixes render an item again per place: only the places
    shown with them are tried, unless the entry is asked for whole."""
    tried: list[int] = []
    real = groups.offered

    def counting(item, *args):  # type: ignore[no-untyped-def]
        tried.append(item.id)
        return real(item, *args)

    monkeypatch.setattr(groups, "offered", counting)
    login_as(Role.FACILITATOR)
    html = get(client)
    assert len([i for i in tried if i in alex_often]) == groups.ACTED_ON
    tried.clear()
    get(client, whole_link(alex_entry(html)).split("#")[0])
    assert sorted(i for i in tried if i in alex_often) == alex_often


def test_places_out_of_view_still_block_and_come_forward(app, client, login_as, alex_often):
    """Overriding every place shown leaves the finding standing (the places
    listed still block the email), and the places that still stand come
    first, with their actions, on the next page."""
    login_as(Role.FACILITATOR)
    html = get(client)
    for findings in acted_on(alex_entry(html)):
        data = {"findings": findings, "reason": "Alex is our guest", "next": PAGE}
        data["csrf_token"] = csrf_token_from(html)
        assert client.post(OVERRIDE, data=data).status_code == 302
    entry = alex_entry(get(client))
    assert "Overridden" not in entry.split("</p>")[0]  # the entry still stands
    assert len(acted_on(entry)) == PLACES - groups.ACTED_ON
    listed = PLACES - groups.ACTED_ON  # overridden: after the places still standing
    assert f"{listed} more places (0 still standing)" in entry
    assert entry.count("(overridden)") == listed
    assert "Fix or override each" not in entry  # nothing listed still stands
    with app.app_context(), pytest.raises(LeakCheckFailed):
        require_clean(the_meeting(), "circulation")


def test_a_refused_override_out_of_view_shows_its_entry_whole(app, client, login_as, alex_often):
    """An override without a reason at a place past the first few (posted
    from the entry shown whole) comes back with the entry whole, the
    message at that place and the reason field marked."""
    login_as(Role.FACILITATOR)
    link = whole_link(alex_entry(get(client))).split("#")[0]
    whole = get(client, link)
    last = acted_on(alex_entry(whole))[-1]
    data = {"findings": last, "reason": "  ", "next": link, "csrf_token": csrf_token_from(whole)}
    response = client.post(OVERRIDE, data=data)
    assert response.status_code == 422
    entry = alex_entry(unescape(response.get_data(as_text=True)))
    assert len(acted_on(entry)) == PLACES
    assert entry.count('<details class="leak-override" open>') == 1
    assert 'aria-invalid="true"' in entry


@pytest.mark.parametrize(
    "entry",
    ["nonsense", "0" * 16, "ABCDEF0123456789", "0" * 17, "%00", "<script>", "a" * 5000],
)
def test_any_other_entry_asked_for_shows_the_page_as_usual(
    app, client, login_as, alex_often, entry
):
    """An entry no digest names (or not a digest at all) is the page as it
    is without one: no error, nothing shown whole."""
    login_as(Role.FACILITATOR)
    html = get(client, f"{PAGE}?entry={entry}")
    assert len(acted_on(alex_entry(html))) == groups.ACTED_ON


def test_others_get_the_404_with_or_without_an_entry(app, client, login_as, alex_often):
    """The entry shown whole is for facilitators only, as the page is: the
    public and a member get the 404 of a missing meeting."""
    ident = groups.Entry("name", "Alex", "", audience=Audience.MEMBER).ident
    address = f"{PAGE}?entry={ident}"
    assert client.get(address).status_code == 404
    login_as(Role.MEMBER)
    assert client.get(address).status_code == 404
    assert client.get("/series/cop/meetings/99/leak-check?entry=" + ident).status_code == 404


def test_a_refused_fix_from_the_entry_whole_keeps_it_whole(app, client, login_as, alex_often):
    """A quick fix posted from the entry shown whole, on an item someone
    changed meanwhile, is refused (409) with nothing changed, and the page
    it answers with still shows that entry whole."""
    login_as(Role.FACILITATOR)
    link = whole_link(alex_entry(get(client))).split("#")[0]
    whole = get(client, link)
    last = alex_often[-1]
    form = re.search(
        rf'<form method="post" class="inline" action="{ITEM}">(?:(?!</form>).)*'
        rf'name="item" value="{last}".*?</form>',
        whole,
        re.S,
    )
    assert form, "no item fix for the last place"
    data = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group()))
    assert data["next"] == link
    with app.app_context():
        item = db.session.get(Item, last)
        fields = ItemFields(item.kind, item.body + " Edited.", item.section)
        update_item(item, fields, actor=None)
        db.session.commit()
    response = client.post(ITEM, data=data)
    assert response.status_code == 409
    entry = alex_entry(unescape(response.get_data(as_text=True)))
    assert len(acted_on(entry)) == PLACES
