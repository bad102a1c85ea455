"""Every link in the README and in docs/ resolves inside the repository: the
file exists, the heading an anchor names is there (as GitHub spells
anchors), and nothing points outside the repository. The README stays a
front door, under 20 KB."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) and ![alt](target), with an optional "title"; not inside code.
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _prose(text: str) -> str:
    return CODE.sub("", FENCE.sub("", text))


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the page's headings."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in HEADING.findall(FENCE.sub("", page.read_text())):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def links(page: Path) -> list[str]:
    return LINK.findall(_prose(page.read_text()))


def _cases() -> list[tuple[Path, str]]:
    return [(page, target) for page in PAGES for target in links(page)]


def test_the_pages_hold_links_to_check():
    """The pattern finds the README's links into docs/ (a test of the test)."""
    targets = links(ROOT / "README.md")
    assert "docs/operations.md#configuration" in targets
    assert len(_cases()) > 50


@pytest.mark.parametrize(
    ("page", "target"), _cases(), ids=lambda v: v.name if isinstance(v, Path) else v
)
def test_every_link_resolves_inside_the_repository(page: Path, target: str):
    if re.match(r"[a-z][a-z0-9+.-]*:", target):
        assert target.startswith(("https://", "http://", "mailto:")), target
        return
    path, _hash, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    assert file.is_relative_to(ROOT), f"{page.name}: {target} leaves the repository"
    assert file.exists(), f"{page.name}: {target} does not exist"
    if anchor:
        assert file.suffix == ".md", f"{page.name}: {target} has an anchor into a non-Markdown file"
        assert anchor in anchors(file), f"{page.name}: no heading for #{anchor} in {file.name}"


def test_the_readme_is_a_front_door():
    assert (ROOT / "README.md").stat().st_size < 20_000
