"""The index of families lists every reference page with the number of identities it really holds.

Why: readers choose a page from the index, and its counts are written by hand in Markdown. A count
that drifts from the page, or a family page missing from the index or the navigation, would make
the index wrong without anyone noticing; this test makes such drift fail.
"""

from __future__ import annotations

import re

import yaml
from matrixcheck.project import read_file
from support import DOCS, REPO

ROW = re.compile(r"^\| \[(?P<title>[^\]]+)\]\((?P<page>[\w-]+\.md)\) \| .+ \| (?P<count>\d+) \|$")


def index_rows() -> dict[str, tuple[str, int, str]]:
    """Each indexed page: its title, its count, and what is counted (the table's last header)."""
    rows: dict[str, tuple[str, int, str]] = {}
    counted = ""
    for line in (DOCS / "reference.md").read_text(encoding="utf-8").splitlines():
        row = ROW.match(line)
        if row:
            rows[row["page"]] = (row["title"], int(row["count"]), counted)
        elif line.startswith("| ") and not line.startswith("| ---"):
            counted = line.rstrip(" |").rsplit("| ", 1)[-1]
    return rows


def blocks(page: str) -> tuple[int, int]:
    """(identities, refuted formulas) declared on a page."""
    scanned = read_file(DOCS / page, page)
    assert not scanned.problems, scanned.problems
    refuted = sum(1 for block in scanned.blocks if block.spec.refuted)
    return len(scanned.blocks) - refuted, refuted


def reference_nav() -> list[tuple[str, str]]:
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    [section] = [entry["Reference"] for entry in config["nav"] if "Reference" in entry]
    return [next(iter(entry.items())) for entry in section]


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose ``!ENV`` tags are irrelevant here."""


_Loader.add_constructor("!ENV", lambda loader, node: None)


def test_counts_match_the_pages() -> None:
    rows = index_rows()
    assert len(rows) >= 9
    assert {counted for _, _, counted in rows.values()} == {"Identities", "Refuted formulas"}
    for page, (_, count, counted) in rows.items():
        identities, refuted = blocks(page)
        assert count == (identities if counted == "Identities" else refuted), page


def test_every_family_page_is_indexed_under_its_navigation_title() -> None:
    rows = index_rows()
    family_pages = [(title, page) for title, page in reference_nav() if page != "reference.md"]
    assert family_pages
    for title, page in family_pages:
        assert page in rows, f"{page} is in the navigation but not in the index"
        assert rows[page][0] == title, f"{page}: index says {rows[page][0]!r}, navigation {title!r}"
