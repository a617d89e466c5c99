"""Under ``mkdocs serve`` a page (or a line of ``identities.json``) is made again exactly when
something it shows has changed.

Why: every edit rebuilds every page, so re-rendering only the pages that changed keeps a
rebuild fast; but a page kept from an earlier build must never show a stale card, correction or
status table. These tests edit a copy of a small site between two builds that share one result
cache (as ``serve`` does) and check which pages are rendered again, and that every page, kept
or not, is what a fresh rendering gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from matrixcheck import records
from matrixcheck.cache import ResultCache
from matrixcheck.page_render import RenderedPages, render_page
from matrixcheck.project import Report, check_docs
from matrixcheck.records import RecordLines, identities_json

TARGET = r"""# Traces

/// identity | Trace of a product with a symmetric matrix
    id: trace-symmetric
    layout: denominator
    symbols:
      A: matrix n x n
      X: matrix n x n, symmetric

$$
\frac{\partial \operatorname{tr}(\boldsymbol A \boldsymbol X)}{\partial \boldsymbol X}
= \frac{1}{2} (\boldsymbol A + \boldsymbol A^\text T)
$$
///

/// identity | Trace of a product
    id: trace-product
    layout: denominator
    symbols:
      A: matrix n x n
      X: matrix n x n

$$
\frac{\partial \operatorname{tr}(\boldsymbol A \boldsymbol X)}{\partial \boldsymbol X}
= \boldsymbol A^\text T
$$
///
"""

REFUTED = r"""# Errors

/// refuted | A symmetric trace rule
    id: wrong-trace-symmetric
    layout: denominator
    corrected: trace-symmetric
    source: a made-up reference
    symbols:
      A: matrix n x n
      X: matrix n x n, symmetric

$$
\frac{\partial \operatorname{tr}(\boldsymbol A \boldsymbol X)}{\partial \boldsymbol X}
= \boldsymbol A + \boldsymbol A^\text T - \boldsymbol A \circ \boldsymbol I
$$
///
"""

UNRELATED = r"""# Notes

Nothing but prose, with \(x\) in it.
"""

STATUS = """# Status

<!-- identities: status -->
"""

PAGES = {"traces.md": TARGET, "errors.md": REFUTED, "notes.md": UNRELATED, "status.md": STATUS}
TITLES = {path: path.removesuffix(".md") for path in PAGES}


class Site:
    """A docs directory built again and again with one cache and one :class:`RenderedPages`."""

    def __init__(self, docs: Path, cache: ResultCache) -> None:
        self.docs, self.cache, self.pages = docs, cache, RenderedPages()
        for path, text in PAGES.items():
            (docs / path).write_text(text, encoding="utf-8")

    def edit(self, path: str, old: str, new: str) -> None:
        page = self.docs / path
        text = page.read_text(encoding="utf-8")
        assert text.count(old) == 1
        page.write_text(text.replace(old, new), encoding="utf-8")

    def build(self) -> dict[str, object]:
        """Each page's rendering in this build, checked against a fresh rendering."""
        report = check_docs(self.docs, "docs", self.cache)
        assert report.ok, report.messages()
        self.pages.retain({page.path for page in report.pages})
        rendered = {}
        for path in PAGES:
            markdown = (self.docs / path).read_text(encoding="utf-8")
            rendered[path] = self.pages.render(markdown, path, report, TITLES, _urls(report))
            fresh = render_page(markdown, path, report, TITLES, _urls(report))
            assert rendered[path].markdown == fresh.markdown
            assert rendered[path].stash.pieces == fresh.stash.pieces
        return rendered


def _urls(report: Report) -> dict[str, str]:
    return {r.spec.id: f"{r.spec.location.path[:-3]}/#{r.spec.id}" for r in report.results}


@pytest.fixture
def site(tmp_path: Path) -> Site:
    docs = tmp_path / "docs"
    docs.mkdir()
    return Site(docs, ResultCache(tmp_path / "cache"))


def _rendered_again(before: dict[str, object], after: dict[str, object]) -> set[str]:
    return {path for path in PAGES if after[path] is not before[path]}


def test_a_rebuild_without_edits_renders_nothing_again(site: Site) -> None:
    first = site.build()
    assert _rendered_again(first, site.build()) == set()


def test_an_edited_formula_renders_its_page_and_the_status_page_again(site: Site) -> None:
    first = site.build()
    site.edit("traces.md", r"= \boldsymbol A^\text T", r"= \boldsymbol A^\text T + 0 \boldsymbol A")
    assert _rendered_again(first, site.build()) == {"traces.md", "status.md"}


def test_a_new_title_of_a_correction_renders_the_refuted_page_again(site: Site) -> None:
    first = site.build()
    # The title is not checked, so every result stays the same object; the refuted page still
    # shows the correction's title, and the status table every title.
    site.edit(
        "traces.md", "Trace of a product with a symmetric", "Trace of a product by a symmetric"
    )
    second = site.build()
    assert _rendered_again(first, second) == {"traces.md", "errors.md", "status.md"}
    errors = second["errors.md"]
    assert "Trace of a product by a symmetric" in errors.markdown + "".join(errors.stash.pieces)


def test_prose_edited_on_a_page_without_identities_renders_only_it_again(site: Site) -> None:
    first = site.build()
    site.edit("notes.md", "Nothing but prose", "Only prose")
    assert _rendered_again(first, site.build()) == {"notes.md", "status.md"}


def test_identities_json_made_from_kept_lines_is_what_a_fresh_export_gives(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    original = records.record
    monkeypatch.setattr(
        records, "record", lambda r, url: made.append(r.spec.id) or original(r, url)
    )
    lines = RecordLines()

    def export() -> str:
        report = check_docs(site.docs, "docs", site.cache)
        made.clear()
        kept = identities_json(report, _urls(report), lines)
        fresh_made = list(made)
        assert kept == identities_json(report, _urls(report))
        return ",".join(fresh_made)

    assert export() == "wrong-trace-symmetric,trace-symmetric,trace-product"
    assert export() == ""
    site.edit(
        "traces.md", "Trace of a product with a symmetric", "Trace of a product by a symmetric"
    )
    assert export() == "trace-symmetric"
    site.edit("traces.md", r"= \boldsymbol A^\text T", r"= \boldsymbol A^\text T + 0 \boldsymbol A")
    assert export() == "trace-product"
