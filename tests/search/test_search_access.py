"""Search shows each reader exactly what ``disclose`` gives them: a matrix of
readers × planted words, names and query forms, checked on hits, totals,
topic counts and the raw answer of the page, the API and the service; and
never anything stale, even when the index has not caught up."""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind
from notesbase.meetings import service as meetings
from notesbase.models import Consent, Item, Meeting, Member, Role, Series
from notesbase.notes import items as notes_items
from notesbase.search import checking, indexer, service
from notesbase.search.query import Filters
from tests.conftest import PASSWORD, csrf_token_from, post_form
from tests.search import search_support as s

Match = Callable[[s.Doc, frozenset[str]], bool]


def has(*wanted: str) -> Match:
    return lambda _doc, words: all(w.lower() in words for w in wanted)


def starts(prefix: str) -> Match:
    return lambda _doc, words: any(w.startswith(prefix) for w in words)


def either(*matches: Match) -> Match:
    return lambda doc, words: any(m(doc, words) for m in matches)


def but_not(match: Match, word: str) -> Match:
    return lambda doc, words: match(doc, words) and word not in words


def where(
    match: Match,
    *,
    topic: str | None = None,
    kind: str | None = None,
    numbers: tuple[int, int] | None = None,
    days: tuple[date, date] | None = None,
) -> Match:
    def check(doc: s.Doc, words: frozenset[str]) -> bool:
        return (
            match(doc, words)
            and (topic is None or topic in doc.topics)
            and (kind is None or doc.kind == kind)
            and (numbers is None or numbers[0] <= doc.number <= numbers[1])
            and (days is None or days[0] <= doc.day <= days[1])
        )

    return check


def anything(_doc: s.Doc, _words: frozenset[str]) -> bool:
    return True


def nothing(_doc: s.Doc, _words: frozenset[str]) -> bool:
    return False


PLANT = starts("plant")

# (query, which documents it matches, judged on the words a reader may see)
CASES: list[tuple[str, Match]] = [
    *[
        (word, has(word))
        for word in (
            s.OPEN_WORD,
            s.CONF_SPAN,
            s.MEM_SPAN,
            s.MEM_ITEM,
            s.CONF_ITEM,
            s.MENTION,
            s.OTHER_WORD,
            s.DESC_WORD,
            s.SECTION_WORD,
            s.GONE_WORD,
        )
    ],
    # speakers and typed names, at every consent level
    ("Vantablack", has("vantablack")),
    ("Xylia", has("xylia")),
    ("Quorvex", has("quorvex")),
    ("Plumtrevor", has("plumtrevor")),
    ("Oswin", has("oswin")),
    ("Glimmerstaff", has("glimmerstaff")),
    ("Dunwoody", has("dunwoody")),
    ("Hesper", has("hesper")),
    ("Marrowgate", has("marrowgate")),
    ("Xylia Vantablack", has("xylia", "vantablack")),
    ('"Xylia Vantablack"', has("xylia", "vantablack")),
    ('"Oswin Plumtrevor"', has("oswin", "plumtrevor")),
    ('"Hesper Dunwoody"', has("hesper", "dunwoody")),
    (f'"{s.OPEN_WORD} aloud"', has(s.OPEN_WORD)),
    (f'"{s.CONF_ITEM} in confidence"', has(s.CONF_ITEM)),
    (f'"{s.GONE_WORD} entirely"', has(s.GONE_WORD)),
    # prefixes
    ("plant*", PLANT),
    ("plantcon*", starts("plantcon")),
    ("plantmem*", starts("plantmem")),
    ("PLANTOTH*", starts("plantoth")),
    ("vanta*", starts("vanta")),
    ("plumt*", starts("plumt")),
    ("dunw*", starts("dunw")),
    # OR
    (f"{s.CONF_ITEM} OR {s.OPEN_WORD}", either(has(s.CONF_ITEM), has(s.OPEN_WORD))),
    (f"Plumtrevor OR {s.MENTION}", either(has("plumtrevor"), has(s.MENTION))),
    (f"{s.OTHER_WORD} OR {s.DESC_WORD}", either(has(s.OTHER_WORD), has(s.DESC_WORD))),
    (f"Dunwoody OR {s.CONF_SPAN}", either(has("dunwoody"), has(s.CONF_SPAN))),
    # exclusions: leaving out a word the reader cannot see changes nothing for them
    (f"plant* -{s.CONF_SPAN}", but_not(PLANT, s.CONF_SPAN)),
    (f"{s.OPEN_WORD} -{s.CONF_SPAN}", but_not(has(s.OPEN_WORD), s.CONF_SPAN)),
    ("plant* -Plumtrevor", but_not(PLANT, "plumtrevor")),
    (f"plant* -{s.MEM_SPAN}", but_not(PLANT, s.MEM_SPAN)),
    ("gathering -Vantablack", but_not(has("gathering"), "vantablack")),
    # the meeting's title is searchable in every document of the meeting
    ("gathering", has("gathering")),
    ("Kickoff", has("kickoff")),
    ("Elsewhere", has("elsewhere")),
    # field queries
    ("plant* topic:health-data", where(PLANT, topic="health-data")),
    ("plant* topic:open-data", where(PLANT, topic="open-data")),
    ("plant* topic:climate", where(PLANT, topic="climate")),
    ("topic:open-data", where(anything, topic="open-data")),
    ("plant* kind:decision", where(PLANT, kind="decision")),
    ("plant* kind:quote", where(PLANT, kind="quote")),
    ("kind:quote", where(anything, kind="quote")),
    ("plant* kind:meeting", where(PLANT, kind="meeting")),
    ("plant* meeting:2", where(PLANT, numbers=(2, 2))),
    ("plant* meeting:1", where(PLANT, numbers=(1, 1))),
    ("meeting:2", where(anything, numbers=(2, 2))),
    ("plant* meeting:1-2", where(PLANT, numbers=(1, 2))),
    ("plant* date:2025-03", where(PLANT, days=(date(2025, 3, 1), date(2025, 3, 31)))),
    (
        "plant* date:2025-01..2025-02",
        where(PLANT, days=(date(2025, 1, 1), date(2025, 2, 28))),
    ),
    ("gathering date:2025-02-01", where(anything, days=(date(2025, 2, 1), date(2025, 2, 1)))),
    ("Plumtrevor topic:health-data", where(has("plumtrevor"), topic="health-data")),
    # no other field can be named: these are plain words, found nowhere
    ("audiences:facilitator", nothing),
    (f"audiences:facilitator {s.CONF_ITEM}", nothing),
    (f"text:{s.CONF_ITEM}", nothing),
    ("doctype:item", nothing),
    ("fingerprint:abc", nothing),
    (f"series:2 {s.OTHER_WORD}", nothing),
]


def expected(reader: str, match: Match) -> list[str]:
    return sorted(
        label
        for label, doc in s.DOCS.items()
        if reader in doc.readers and match(doc, doc.words(reader))
    )


def expected_topics(labels: list[str]) -> dict[str, int]:
    return dict(Counter(topic for label in labels for topic in s.DOCS[label].topics))


@dataclass
class Answer:
    status: int
    labels: list[str]
    total: int
    topics: dict[str, int]
    text: str  # the answer, less the places that echo the reader's own query


def api_answer(client: Any, world: s.World, reader: str, query: dict[str, Any]) -> Answer:
    response = client.get("/api/v1/search", query_string=query, headers=world.headers(reader))
    data = response.get_json()
    if response.status_code != 200:
        return Answer(response.status_code, [], 0, {}, response.get_data(as_text=True))
    echoed = dict(data)
    echoed.pop("query")
    return Answer(
        200,
        sorted(world.label_of(hit) for hit in data["results"]),
        data["total"],
        {t["slug"]: t["count"] for t in data["topics"]},
        repr(echoed),
    )


HIT_LINK = re.compile(
    r'<li class="search-hit">\s*<h2 class="search-hit-title">\s*<a href="([^"]+)"'
)
TOTAL = re.compile(r'role="status">\s*(\d+) results?\b')
FACET = re.compile(r'<li><a href="([^"]+)">[^<]*</a> <span class="muted">(\d+)</span></li>')
ECHOES = (
    re.compile(r"<title>.*?</title>", re.S),
    re.compile(r'<input id="search-q"[^>]*>'),
    re.compile(r'href="/search\?[^"]*"'),
    re.compile(r'<q class="query-echo">.*?</q>', re.S),
)


def page_answer(client: Any, world: s.World, query: dict[str, Any]) -> Answer:
    response = client.get("/search", query_string=query)
    page = response.get_data(as_text=True)
    total = TOTAL.search(page)
    topics: dict[str, int] = {}
    for href, count in FACET.findall(page):
        slug = parse_qs(urlsplit(href.replace("&amp;", "&")).query)["topic"][0]
        topics[slug] = int(count)
    shown = page
    for echo in ECHOES:
        shown = echo.sub("", shown)
    return Answer(
        response.status_code,
        sorted(world.label_of_url(url) for url in HIT_LINK.findall(page)),
        int(total.group(1)) if total else 0,
        topics,
        shown,
    )


def service_answer(app: Any, world: s.World, email: str, text: str) -> Answer:
    """A search run by the service itself as the member with ``email``,
    whatever state their account is in."""
    with app.test_request_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        result = service.search(member, text)
        labels = []
        for hit in result.hits:
            if hit.doctype == "item":
                labels.append(world.label_of({"type": "item", "item": hit.item_id}))
            else:
                key = (hit.meeting.series.slug, hit.meeting.number)
                labels.append(s.MEETING_LABELS.get(key, str(key)))
        shown = " ".join(f"{h.snippet} {h.section} {h.attribution}" for h in result.hits)
        return Answer(
            200,
            sorted(labels),
            result.total,
            {t.slug: n for t, n in result.topic_counts},
            shown,
        )


def problems(reader: str, query: str, match: Match, answer: Answer) -> list[str]:
    want = expected(reader, match)
    found: list[str] = []
    if answer.status != 200:
        return [f"{query!r}: status {answer.status}"]
    if answer.labels != want:
        found.append(f"{query!r}: hits {answer.labels}, expected {want}")
    if answer.total != len(want):
        found.append(f"{query!r}: total {answer.total}, expected {len(want)}")
    if answer.topics != expected_topics(want):
        found.append(f"{query!r}: topics {answer.topics}, expected {expected_topics(want)}")
    lowered = (answer.text + "\n" + s.visible_text(answer.text)).lower()
    leaked = [secret for secret in s.forbidden_for(reader) if secret.lower() in lowered]
    if leaked:
        found.append(f"{query!r}: {leaked} surfaced")
    return found


@pytest.fixture
def world(app, make_member, make_series) -> s.World:
    return s.build_world(app, make_member, make_series)


def log_in(client: Any, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token_from(page), "email": email, "password": PASSWORD},
    )
    assert response.status_code == 302, email


def deactivate(app: Any, email: str) -> None:
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        assert member is not None
        member.active = False
        db.session.commit()


@pytest.mark.parametrize("reader", ["public", "member", "other", "facilitator", "admin"])
def test_api_matrix(client, world, reader):
    """Through the API, each reader's hits, total and topic counts are
    exactly those of the documents they may read, and nothing they may not
    see is anywhere in the answer. Admins read as facilitators."""
    model = "facilitator" if reader == "admin" else reader
    found = []
    for query, match in CASES:
        found += problems(model, query, match, api_answer(client, world, reader, {"q": query}))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("reader", ["public", "member", "other", "facilitator", "inactive"])
def test_page_matrix(app, client, make_member, world, reader):
    """On the search page, the same: hits, the count line, the topic counts
    and every word of the page. A member deactivated while logged in is the
    public from the next request on."""
    if reader == "inactive":
        make_member("lapsed@example.org", series=[db_series(app, "cop")])
        log_in(client, "lapsed@example.org")
        deactivate(app, "lapsed@example.org")
    elif reader != "public":
        log_in(client, f"{reader}@example.org")
    found = []
    for query, match in CASES:
        found += problems(reader, query, match, page_answer(client, world, {"q": query}))
    assert not found, "\n".join(found)


def db_series(app: Any, slug: str) -> Series:
    with app.app_context():
        series = db.session.scalar(sa.select(Series).where(Series.slug == slug))
        assert series is not None
        db.session.expunge(series)
        return series


@pytest.mark.parametrize("email", ["inactive@example.org", "member@example.org"])
def test_service_matrix_for_a_deactivated_member(app, world, email):
    """The service itself gives a deactivated member of the series only
    what the public finds (and an active one their series)."""
    if email == "member@example.org":
        deactivate(app, email)
    found = []
    for query, match in CASES:
        found += problems("inactive", query, match, service_answer(app, world, email, query))
    assert not found, "\n".join(found)


def test_deactivated_members_token_is_refused(client, world):
    """A token of a deactivated member is a 401 in JSON, carrying nothing."""
    for query, _match in CASES[:10]:
        answer = api_answer(client, world, "inactive", {"q": query})
        assert answer.status == 401
        s.assert_none_of(answer.text, s.forbidden_for("public"), query)


@pytest.mark.parametrize(
    ("reader", "filters", "want"),
    [
        ("member", {"series": "other"}, ["else"]),
        ("member", {"series": "cop"}, ["desc", "m2", "mem", "mention", "open"]),
        ("other", {"series": "cop"}, ["desc", "m2"]),
        ("member", {"topic": "climate"}, ["else"]),
        ("facilitator", {"kind": "quote"}, ["conf"]),
        ("member", {"kind": "quote"}, []),
        ("member", {"meeting_from": "2", "meeting_to": "2"}, ["m2", "mention"]),
        ("facilitator", {"from": "2025-02-01", "to": "2025-02-28"}, ["else", "other"]),
        ("public", {"series": "cop", "kind": "meeting"}, ["desc", "m2"]),
    ],
)
def test_form_filters_stay_inside_access(client, world, reader, filters, want):
    """The form's filters narrow what a reader may see; they never widen it."""
    query = {"q": "gathering", **filters}
    answer = api_answer(client, world, reader, query)
    assert (answer.labels, answer.total) == (want, len(want))
    assert answer.topics == expected_topics(want)
    s.assert_none_of(answer.text, s.forbidden_for(reader), str(filters))


def test_members_removed_from_the_series_find_nothing_of_it(app, client, world):
    """Access is read from the database at every search: a member taken out
    of the series finds none of its notes on the next request."""
    assert "open" in api_answer(client, world, "member", {"q": s.OPEN_WORD}).labels
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == "member@example.org"))
        member.series.clear()
        db.session.commit()
    answer = api_answer(client, world, "member", {"q": "plant*"})
    assert (answer.labels, answer.total, answer.topics) == (["desc"], 1, {"open-data": 1})
    s.assert_none_of(answer.text, s.forbidden_for("public"))


# -- never stale ---------------------------------------------------------------


@contextlib.contextmanager
def index_stalled(app: Any, stalled: bool) -> Iterator[None]:
    """With ``stalled``, changes do not reach the index: nothing is applied
    on commit, and the catch-up before a search cannot get the writer lock
    (held here), so it times out and the search runs on the old index."""
    if not stalled:
        yield
        return
    app.config["SEARCH_APPLY_ON_COMMIT"] = False
    app.config["SEARCH_APPLY_TIMEOUT"] = 0.1
    with app.app_context():
        engine = indexer.engine_for(app)
    with engine.writer_lock(timeout=1):
        yield


def redact_open_word(app: Any, world: s.World) -> None:
    """The open item's planted word becomes a confidential span."""
    with app.app_context():
        body = db.session.get(Item, world.ids["open"]).body
    s.edit_item(
        app,
        world.ids["open"],
        body=body.replace(s.OPEN_WORD, f"[{s.OPEN_WORD}]{{.confidential}}"),
    )


def make_members_item_confidential(app: Any, world: s.World) -> None:
    s.edit_item(app, world.ids["mem"], confidentiality=Confidentiality.CONFIDENTIAL)


def withdraw_xylias_consent(app: Any, world: s.World) -> None:
    consent_id = s.member_consent(app, world.ids["xylia"], ConsentAudience.MEMBER)
    with app.app_context():
        grants.withdraw(db.session.get(Consent, consent_id), actor=None)
        db.session.commit()


def delete_members_item(app: Any, world: s.World) -> None:
    with app.app_context():
        notes_items.delete_item(db.session.get(Item, world.ids["mem"]), actor=None)
        db.session.commit()


# change, the query that found it before, the words that must be gone after
CHANGES = {
    "redaction": (redact_open_word, s.OPEN_WORD, [s.OPEN_WORD]),
    "confidentiality": (make_members_item_confidential, s.MEM_ITEM, [s.MEM_ITEM]),
    "consent withdrawal": (withdraw_xylias_consent, "Vantablack", ["Vantablack", "Quorvex"]),
    "deletion": (delete_members_item, s.MEM_ITEM, [s.MEM_ITEM]),
}


def consistent(answer: Answer, gone: list[str], where: str) -> None:
    """Nothing of ``gone`` anywhere, and the count and topic counts are
    those of the hits shown: no count or facet for a dropped hit."""
    assert answer.status == 200, where
    s.assert_none_of(answer.text, gone, where)
    assert answer.total == len(answer.labels), f"{where}: total {answer.total} {answer.labels}"
    assert answer.topics == expected_topics(answer.labels), f"{where}: {answer.topics}"


@pytest.mark.parametrize("stalled", [False, True], ids=["index current", "index behind"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_is_invisible_on_the_next_request(app, client, world, change, stalled):
    """After a redaction, a confidentiality change, a consent withdrawal or
    a deletion, the member's next search no longer finds what was removed:
    no hit, no count, no topic count, no snippet, on the page and in the
    API; also while the index is behind and its catch-up cannot run."""
    make_change, query, gone = CHANGES[change]
    log_in(client, "member@example.org")
    before = api_answer(client, world, "member", {"q": query})
    assert before.total == 1 and len(before.labels) == 1
    with index_stalled(app, stalled):
        make_change(app, world)
        for channel, answer in (
            ("api", api_answer(client, world, "member", {"q": query})),
            ("page", page_answer(client, world, {"q": query})),
        ):
            assert (answer.labels, answer.total, answer.topics) == ([], 0, {}), channel
            consistent(answer, gone, channel)
        for broad in ("plant*", "gathering", "topic:open-data"):
            consistent(api_answer(client, world, "member", {"q": broad}), gone, broad)
            consistent(page_answer(client, world, {"q": broad}), gone, f"page {broad}")


@pytest.mark.parametrize("stalled", [False, True], ids=["index current", "index behind"])
def test_redaction_through_the_editor_form_is_invisible_at_once(
    app, client, world, make_member, stalled
):
    """A facilitator redacts a word through the editor; the member's next
    search, in another browser, does not find it, and the facilitator's
    still does once the index has it."""
    make_member("editor@example.org", role=Role.FACILITATOR)
    facilitator = app.test_client()
    log_in(facilitator, "editor@example.org")
    log_in(client, "member@example.org")
    item_id = world.ids["open"]
    url = f"/series/cop/meetings/1/notes/items/{item_id}/edit"
    with app.app_context():
        item = db.session.get(Item, item_id)
        body, version, speaker = item.body, item.version, item.speaker_id
    data = {
        "kind": "point",
        "speaker": str(speaker),
        "new_name": "",
        "new_affiliation": "",
        "new_descriptor": "",
        "section": "",
        "confidentiality": "open",
        "body": body.replace(s.OPEN_WORD, f"[{s.OPEN_WORD}]{{.confidential}}"),
        "after": "",
        "version": str(version),
    }
    with index_stalled(app, stalled):
        assert post_form(facilitator, url, data).status_code == 302
        answer = page_answer(client, world, {"q": s.OPEN_WORD})
        assert (answer.labels, answer.total, answer.topics) == ([], 0, {})
        consistent(page_answer(client, world, {"q": "plant*"}), [s.OPEN_WORD], "plant*")
    if not stalled:
        assert page_answer(facilitator, world, {"q": s.OPEN_WORD}).labels == ["open"]


def test_after_consent_withdrawal_the_item_is_found_without_the_name(app, client, world):
    """Once the index has caught up, the item is found again by its words,
    credited as a participant; the name finds nothing."""
    withdraw_xylias_consent(app, world)
    answer = api_answer(client, world, "member", {"q": s.OPEN_WORD})
    assert answer.labels == ["open"]
    data = client.get(
        "/api/v1/search", query_string={"q": s.OPEN_WORD}, headers=world.headers("member")
    ).get_json()
    assert data["results"][0]["attribution"] == "A participant"
    s.assert_none_of(answer.text, ["Vantablack", "Xylia", "Quorvex"])
    assert api_answer(client, world, "member", {"q": "Xylia OR Vantablack"}).total == 0


def test_the_index_is_current_right_after_a_commit(app, world):
    """Index work runs when the transaction commits, not when a savepoint
    inside it is released (another connection cannot see the change yet):
    right after a meeting edit commits, the index matches the database."""
    with app.app_context():
        meeting = db.session.get(Meeting, world.ids["first"])
        meetings.update_meeting(
            meeting,
            meetings.MeetingFields(
                number=1,
                title="Kickoff gathering",
                date=date(2025, 1, 15),
                topics=["Open data", "Housing"],
                description="Now plantnewdesc instead.",
            ),
        )
        db.session.commit()
    report = checking.check(app)
    assert (report.missing, report.extra, report.stale, report.pending) == ([], [], [], 0)


# -- suggestions ---------------------------------------------------------------


@pytest.mark.parametrize("reader", ["public", "member", "facilitator"])
def test_suggestions_offer_only_topic_names_and_meeting_titles(client, world, reader):
    """Completions come from topic names and meeting titles; no word of any
    note, span or name is ever offered, to anyone."""
    if reader != "public":
        log_in(client, f"{reader}@example.org")
    assert client.get("/search/suggest?q=kick").get_json() == ["Kickoff gathering"]
    assert client.get("/search/suggest?q=open").get_json() == ["Open data"]
    assert client.get("/search/suggest?q=gather").get_json() == [
        "Elsewhere gathering",
        "Kickoff gathering",
        "Second gathering",
    ]
    for prefix in ("pl", "plant", "plantconf", "plantmem", "Vanta", "Plumt", "Dunw", "Quorv"):
        response = client.get("/search/suggest", query_string={"q": prefix})
        assert response.status_code == 200
        assert response.get_json() == [], prefix


def test_suggestions_never_offer_a_redacted_word(app, client, world):
    """A word redacted a moment ago is not offered, before or after the
    index catches up; and LIKE wildcards match nothing special."""
    log_in(client, "member@example.org")
    with index_stalled(app, True):
        redact_open_word(app, world)
        for prefix in (s.OPEN_WORD[:5], s.OPEN_WORD, "%", "%%", "__", "_%_"):
            response = client.get("/search/suggest", query_string={"q": prefix})
            assert response.status_code == 200
            assert response.get_json() == [], prefix


@pytest.mark.parametrize(
    ("prefix", "allowed"),
    [
        ("", []),
        ("k", []),
        ("x" * 10_000, []),
        ("(((", []),
        ("\x00\x01", []),
        ("\x00", []),
        ("ki\x00ck", ["Kickoff gathering"]),
    ],
    ids=["empty", "one letter", "ten kilobytes", "brackets", "control", "nul", "nul inside"],
)
def test_suggestions_are_bounded(client, world, prefix, allowed):
    """A short, long or odd prefix answers with a list, never a 500 nor
    everything (a NUL must not end the LIKE pattern early on SQLite, nor
    reach PostgreSQL, which refuses it in text)."""
    response = client.get("/search/suggest", query_string={"q": prefix})
    assert response.status_code == 200
    assert set(response.get_json()) <= set(allowed)


def test_a_prefix_is_not_crowded_out_by_words_the_reader_cannot_see(app, client, world):
    """A prefix expands to a bounded number of words; which ones must not
    depend on text the reader may not see. Confidential items full of
    frequent ``plant...`` words change nothing in a member's ``plant*``
    search (else the member learns that hidden text exists)."""
    before = api_answer(client, world, "member", {"q": "plant*"})
    assert before.labels == ["desc", "mem", "mention", "open"]
    hidden = " ".join(f"plantaa{number:03d}" for number in range(80))
    with app.app_context():
        meeting = db.session.get(Meeting, world.ids["first"])
        for _copy in range(3):
            fields = notes_items.ItemFields(
                Kind.POINT, hidden, confidentiality=Confidentiality.CONFIDENTIAL
            )
            notes_items.create_item(meeting, fields, actor=None)
        db.session.commit()
    after = api_answer(client, world, "member", {"q": "plant*"})
    assert (after.labels, after.total, after.topics) == (
        before.labels,
        before.total,
        before.topics,
    )
    facilitator = api_answer(client, world, "facilitator", {"q": "plantaa*"})
    assert facilitator.total == 3


def test_filters_cannot_name_a_series_by_id(client, world):
    """Series are named by slug; an id or unknown slug matches nothing
    rather than everything."""
    for value in ("1", "2", "nope"):
        answer = api_answer(client, world, "member", {"q": "gathering", "series": value})
        assert (answer.labels, answer.total) == ([], 0), value


def test_service_filters_are_resolved_inside_access(app, world):
    """The service's own filters cannot widen access either: a member of
    'cop' asking for series 'other' gets its public document only."""
    with app.test_request_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == "member@example.org"))
        result = service.search(member, "plant*", Filters(series=("other",)))
        assert result.total == 0
        result = service.search(member, "gathering", Filters(series=("other",)))
        assert [(h.doctype, h.meeting.number) for h in result.hits] == [("meeting", 1)]
        assert result.total == 1
