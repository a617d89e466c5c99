"""Turns a page's Markdown into what MkDocs converts: cards for blocks, content for markers.

:func:`render_page` replaces each ``/// identity`` block by its card (:mod:`render`) and each
``<!-- identities: … -->`` marker by its generated content (:mod:`pages`), and puts an error box
on top for the page's problems (shown while serving). The cards' HTML waits in the page's
:class:`~matrixcheck.render.HtmlStash`.

Under ``mkdocs serve`` every edit rebuilds every page, and most pages have not changed.
:class:`RenderedPages` keeps each page's last rendering with what it was made from, and renders a
page again only when one of those changed: its text, the result of one of its identities (a
result is the same object for as long as its identity is not checked again), the correction or
the problem it shows; for a page with markers, also any page, result, title or URL of the site,
since its generated content reads them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from .document import Page, read_page
from .model import PageProblem
from .pages import SiteContext, fill_markers
from .project import Report
from .render import HtmlStash, correction_for, error_box, render_block
from .results import IdentityResult


@dataclass(frozen=True)
class RenderedPage:
    """A page's Markdown with cards and generated content, its stash, and its marker problems
    (an unknown marker or id), which fail a build."""

    markdown: str
    stash: HtmlStash
    problems: list[PageProblem]


def render_page(
    markdown: str,
    path: str,
    report: Report,
    titles: dict[str, str],
    urls: dict[str, str],
    page_url: str = "",
) -> RenderedPage:
    """The page at ``path`` (relative to the docs directory, published at ``page_url``, relative
    to the site's root) as MkDocs should convert it."""
    scanned = _scanned(markdown, path, report) or read_page(markdown, path)
    stash = HtmlStash(path)
    lines = markdown.split("\n")
    for block in reversed(scanned.blocks):
        result = report.result(block.spec.id)
        correction = correction_for(report, block.spec, path)
        lines[block.first_line : block.last_line + 1] = render_block(
            block, result, stash, correction
        )
    filled, marker_problems = fill_markers(
        "\n".join(lines), path, report, SiteContext(titles, urls, stash, page_url)
    )
    problems = [p for p in report.problems if p.location.path == path] + marker_problems
    box = error_box([f"{p.location}: {p.message}" for p in problems])
    return RenderedPage("\n".join([*box, filled]), stash, marker_problems)


@dataclass(frozen=True, eq=False)
class _Inputs:
    """What a rendering was made from: ``results`` are compared by identity, ``values`` by value."""

    markdown: str
    results: tuple[IdentityResult | None, ...]
    values: tuple

    def same_as(self, other: _Inputs) -> bool:
        return (
            self.markdown == other.markdown
            and len(self.results) == len(other.results)
            and all(
                ours is theirs for ours, theirs in zip(self.results, other.results, strict=True)
            )
            and self.values == other.values
        )


class RenderedPages:
    """Renders pages, reusing a page's previous rendering while nothing it reads has changed."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[_Inputs, RenderedPage]] = {}

    def render(
        self,
        markdown: str,
        path: str,
        report: Report,
        titles: dict[str, str],
        urls: dict[str, str],
        page_url: str = "",
    ) -> RenderedPage:
        """:func:`render_page`, or the page's last rendering if made from the same inputs."""
        inputs = _inputs(markdown, path, report, titles, urls, page_url)
        kept = self._kept.get(path)
        if kept is not None and kept[0].same_as(inputs):
            return kept[1]
        rendered = render_page(markdown, path, report, titles, urls, page_url)
        self._kept[path] = (inputs, rendered)
        return rendered

    def retain(self, paths: set[str]) -> None:
        """Forget the pages not in ``paths`` (the pages of the build under way)."""
        self._kept = {path: kept for path, kept in self._kept.items() if path in paths}


def _inputs(
    markdown: str,
    path: str,
    report: Report,
    titles: dict[str, str],
    urls: dict[str, str],
    page_url: str,
) -> _Inputs:
    """Everything :func:`render_page` reads for ``path``, beyond ``markdown`` itself.

    A block's card reads its result and the correction it links to; the page's error box reads
    its problems. Generated content (status table, records, the printable reference) reads the
    whole site: every page's text, every result, the titles and the URLs, and its own URL.
    """
    scanned = _scanned(markdown, path, report)
    blocks = scanned.blocks if scanned is not None else None
    problems = tuple(p for p in report.problems if p.location.path == path)
    if blocks is None or "identities:" in markdown:
        site = (
            tuple((page.path, page.text) for page in report.pages),
            tuple(report.problems),
            tuple(titles.items()),
            tuple(urls.items()),
            page_url,
        )
        return _Inputs(markdown, tuple(report.results), (problems, site))
    results = tuple(report.result(block.spec.id) for block in blocks)
    corrections = tuple(correction_for(report, block.spec, path) for block in blocks)
    return _Inputs(markdown, results, (problems, corrections))


def _scanned(markdown: str, path: str, report: Report) -> Page | None:
    """The report's scan of the page, if it was made from this very ``markdown``."""
    scanned = report.page(path)
    return scanned if scanned is not None and scanned.text == markdown else None
