"""What the event importer tells its user to do: a page that lands in an
existing series only because the titles match (the demo's, say) and clashes
there is told to give ``--series``; other clashes keep their own advice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from notesbase.db import db
from notesbase.demo import DEMO_SERIES, load_demo
from notesbase.models import Meeting, Series

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = FIXTURES / "events" / "2025-07-09-community-of-practice.md"
OWN_SLUG = "data-and-ai-public-engagement-community-of-practice"


def run(runner, *args: str | Path):
    return runner.invoke(args=["import", "events", *map(str, args)])


def demo(app) -> None:
    with app.app_context():
        load_demo(datetime(2025, 7, 1, 12, tzinfo=UTC))
        db.session.commit()


def write_page(folder: Path, name: str, front: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\n{front}\n---\n\nText.\n", encoding="utf-8")
    return path


def test_real_page_beside_the_demo_is_told_to_give_series(app, runner):
    """The real page has the demo series' title: its clash names the demo and
    suggests --series with the page's own slug, which then imports it."""
    demo(app)
    result = run(runner, REAL)
    assert result.exit_code == 1
    assert f"meeting 10 of {DEMO_SERIES.slug} is already another meeting" in result.output
    assert "(loaded with the demo, 2025-07-09)" in result.output
    assert "because that series has the page's title" in result.output
    assert f"give --series {OWN_SLUG}" in result.output
    assert "give --series NEW-SLUG" not in result.output  # no second, vaguer advice
    again = run(runner, "--series", OWN_SLUG, REAL)
    assert again.exit_code == 0, again.output
    assert f"meeting 10 of {OWN_SLUG}" in again.output
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Meeting)
                .join(Series)
                .where(Series.slug == OWN_SLUG)
            )
            == 1
        )


def test_suggested_slug_is_a_placeholder_when_taken(app, runner, make_series, tmp_path):
    """When the page's own slug was taken meanwhile (by an earlier page of the
    same import), the advice says --series NEW-SLUG."""
    make_series("cop", "Fresh")
    run(
        runner,
        "--series",
        "cop",
        write_page(tmp_path / "a", "one.md", "title: Fresh\ndate: 2025-01-10\nnumber: 1"),
    )
    write_page(tmp_path / "b", "1-other.md", "title: Other\nseries: fresh\ndate: 2025-02-01")
    clash = write_page(tmp_path / "b", "2-fresh.md", "title: Fresh\ndate: 2025-02-10\nnumber: 1")
    output = run(runner, tmp_path / "b").output
    assert f"error        {clash}: meeting 1 of cop is already another meeting" in output
    assert "give --series NEW-SLUG" in output


def test_number_inferred_by_date_clashing_in_a_title_match_suggests_series(app, runner):
    """An unnumbered page that lands in the demo series by title and takes a
    demo meeting's number by date is told to give --series too."""
    demo(app)
    page = write_page(
        Path(app.instance_path) / "pages",
        "2025-01-20-cop.md",
        f'title: "{DEMO_SERIES.title}"\ndate: 2025-01-20',
    )
    result = run(runner, page)
    assert result.exit_code == 1
    assert "inferred from the date order, is already meeting" in result.output
    assert "(loaded with the demo, " in result.output
    assert f"give --series {OWN_SLUG}" in result.output


def test_title_match_without_a_clash_says_where_the_meeting_went(app, runner, make_series):
    """A page joining a series by its title imports, with a note naming the
    series and how to keep the page apart."""
    make_series("cop", "Data and AI public engagement: Community of Practice")
    result = run(runner, REAL)
    assert result.exit_code == 0, result.output
    assert "went into the series 'cop', which has the page's title" in result.output
    assert "--series NEW-SLUG" in result.output


def test_other_clashes_keep_the_number_advice(app, runner, tmp_path):
    """A clash inside the page's own series is about the number, not the series."""
    run(runner, REAL)
    copy = tmp_path / "2025-07-10-copy.md"
    copy.write_bytes(REAL.read_bytes())
    result = run(runner, copy)
    assert result.exit_code == 1
    assert "give this page its own 'number:'" in result.output
    assert "--series" not in result.output
