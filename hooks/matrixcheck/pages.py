"""Pages made from the check report: the status table, a sample record, the printable reference.

A page asks for generated content with a marker line, so it stays declarative (no code in pages):

- ``<!-- identities: status -->``: one sortable table of every identity (id, title, page,
  layout, numeric check, exact check, proof steps, assumptions, other layout), linking each card;
  written as HTML into the page's stash, since Markdown would take a tenth of a second to read
  a table of a few hundred rows at every build;
- ``<!-- identities: record ID -->``: the ``identities.json`` record of identity ``ID``, as JSON;
- ``<!-- identities: all -->``: every identity card of the site, page by page in navigation order,
  with the proofs open, for printing; each card is the one its own page shows (see
  :class:`PrintedCards`).

The marker is replaced by Markdown; an unknown marker or id is reported like any page problem.
"""

from __future__ import annotations

import dataclasses
import html
import json
import posixpath
import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from .model import Location, PageProblem
from .project import Report
from .records import checked_steps, record, record_status
from .render import HtmlStash, ShownCard, scientific
from .results import IdentityResult

MARKER = re.compile(r"^<!--\s*identities:\s*(?P<kind>[a-z-]+)(?:\s+(?P<argument>\S+))?\s*-->\s*$")


@dataclasses.dataclass(frozen=True)
class SiteContext:
    """What generated content needs beyond the report: page titles in navigation order, URLs
    (each identity's, and the page's own, relative to the site's root), and the page's
    :class:`~matrixcheck.render.HtmlStash` for the HTML it adds."""

    titles: dict[str, str]
    urls: dict[str, str]
    stash: HtmlStash
    page_url: str = ""

    def href(self, identity_id: str) -> str | None:
        """The link to an identity's card from this page (None if the card is not published)."""
        url = self.urls.get(identity_id)
        return None if url is None else "../" * self.page_url.count("/") + url


def fill_markers(
    markdown: str, page_path: str, report: Report, site: SiteContext
) -> tuple[str, list[PageProblem]]:
    """``markdown`` with every marker line replaced by its content, and the problems found."""
    if "identities:" not in markdown:
        return markdown, []
    lines: list[str] = []
    problems: list[PageProblem] = []
    fence = False
    for number, line in enumerate(markdown.split("\n"), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        marker = None if fence else MARKER.match(line.strip())
        if marker is None:
            lines.append(line)
            continue
        kind, argument = marker.group("kind"), marker.group("argument") or ""
        maker = GENERATORS.get(kind)
        if maker is None:
            known = ", ".join(GENERATORS)
            message = f"unknown marker '{kind}' (fix: use one of: {known})"
            problems.append(PageProblem(Location(page_path, number), message))
            continue
        generated = maker(report, page_path, site, argument)
        if isinstance(generated, str):
            problems.append(PageProblem(Location(page_path, number), generated))
            continue
        lines += generated
    return "\n".join(lines), problems


def _row(tag: str, cells: Iterable[str]) -> str:
    """A table row, laid out as Markdown lays out its tables."""
    return "<tr>\n" + "".join(f"<{tag}>{cell}</{tag}>\n" for cell in cells) + "</tr>\n"


def status_table(report: Report, page_path: str, site: SiteContext, argument: str) -> list[str]:
    """One row per identity, in page order, sortable by any column in the browser."""
    rows = "".join(_status_row(result, site) for result in report.results)
    lines = [report.summary() + ".", ""]
    site.stash.add(
        lines,
        f'<div class="mc-sortable">\n<table>\n<thead>\n{STATUS_HEADER}</thead>\n<tbody>\n{rows}'
        "</tbody>\n</table>\n</div>",
    )
    return lines


#: The heading of each column of the status table.
STATUS_HEADER = _row(
    "th",
    (
        "id",
        "identity",
        "page",
        "layout",
        "status",
        "max rel. error",
        "exact",
        "proof steps",
        "assumptions",
        "other layout",
    ),
)


def _status_row(result: IdentityResult, site: SiteContext) -> str:
    spec = result.spec
    exact = result.exact.status if result.exact is not None else "not run"
    if spec.refuted and exact == "failed":
        exact = "refuted"  # the exact check confirms the counterexample; nothing failed
    necessary = sum(1 for a in result.assumptions if a.necessary)
    stated = len(result.assumptions)
    assumptions = f"{necessary} of {stated} shown necessary" if stated else "none"
    other = result.conversion.status if result.conversion else "not run"
    error = "" if result.max_rel_error is None else scientific(result.max_rel_error)
    steps = f"{checked_steps(result)}/{len(result.steps)}"
    href = site.href(spec.id)
    identity = f"<code>{html.escape(spec.id, quote=False)}</code>"
    title = html.escape(spec.title, quote=False)
    if href is not None:
        identity = f'<a href="{html.escape(href)}">{identity}</a>'
        title = f'<a href="{html.escape(href)}">{title}</a>'
    cells = [
        identity,
        title,
        html.escape(site.titles.get(spec.location.path, spec.location.path), quote=False),
        spec.layout,
        record_status(result),
        error,
        exact,
        steps,
        assumptions,
        other,
    ]
    return _row("td", cells)


def sample_record(
    report: Report, page_path: str, site: SiteContext, argument: str
) -> list[str] | str:
    """The ``identities.json`` record of one identity, as a JSON code block."""
    result = report.result(argument)
    if result is None:
        return (
            f"the record marker names '{argument}', which is no identity on the site (fix: give "
            "the id of an identity, as in '<!-- identities: record quadratic-form -->')"
        )
    text = json.dumps(record(result, site.urls.get(argument, "")), indent=2, ensure_ascii=False)
    return ["```json", *text.split("\n"), "```", ""]


def whole_reference(report: Report, page_path: str, site: SiteContext, argument: str) -> list[str]:
    """Every card of the site, grouped by page in navigation order, proofs open.

    Only the page titles are Markdown (the page's table of contents lists the pages); each card
    is a mark that :class:`PrintedCards` replaces by the card as its own page shows it: Markdown
    has read every card there already, and reading the cards' text again here took a third of a
    second a build, their headings alone a tenth at 1000 identities.
    """
    order = [p for p in site.titles if any(p == page.path for page in report.pages)]
    order += sorted(page.path for page in report.pages if page.path not in site.titles)
    pages = {page.path: page for page in report.pages}
    lines: list[str] = []
    for path in order:
        blocks = pages[path].blocks
        if not blocks:
            continue
        title = site.titles.get(path, path)
        anchor = "page-" + re.sub(r"[^a-z0-9]+", "-", path.removesuffix(".md").lower()).strip("-")
        folder = posixpath.dirname(page_path) or "."
        source = posixpath.relpath(path, folder)
        lines += [f"## {title} {{#{anchor} .print-page-title}}", ""]
        lines += [f"From the page [{title}]({source}).", "{: .print-page-source }", ""]
        for block in blocks:
            site.stash.add(lines, f"<!--mc-printed:{block.spec.id}-->")
    return lines


#: Where :func:`whole_reference` left a card.
PRINTED = re.compile(r"<!--mc-printed:([^>]*)-->")
#: The opening of a card's proof, closed.
CLOSED_PROOF = re.compile(r'<details class="(success|note)">(?=\n<summary>Proof \()')
#: A link or a source in HTML (after the space before every attribute: a literal first character
#: lets the pattern skip through the page, about fifteen times as fast as a word boundary).
ADDRESS = re.compile(r' (href|src)="([^"]*)"')
#: The level of a heading's tags.
HEADING_LEVEL = re.compile(r"(</?h)[1-6]\b")
#: The level of a card's heading on the printable page, below the page titles.
PRINTED_LEVEL = 3


class PrintedCards:
    """Puts the cards into the printable page: each from ``cards`` (id to the URL of its page and
    the card as that page shows it, see :meth:`~matrixcheck.render.HtmlStash.shown_cards`), its
    heading below the page titles, its proof open, and every relative link of its body made
    relative to the printable page (the heading's only link is to itself).

    Each card is kept as printed, per printable page, with what it was made from (its page's
    URL, and the card as shown, the same object for as long as that page is kept under
    ``mkdocs serve``): a rebuild prints again only the cards of the pages that changed.
    """

    def __init__(self) -> None:
        self._kept: dict[str, dict[str, tuple[str, ShownCard, str]]] = {}

    def page(self, page_html: str, cards: dict[str, tuple[str, ShownCard]], page_url: str) -> str:
        """``page_html`` with each card's mark replaced by the card (a page without marks as it
        is)."""
        if "<!--mc-printed:" not in page_html:
            return page_html
        last = self._kept.get(page_url, {})
        kept: dict[str, tuple[str, ShownCard, str]] = {}

        def card(mark: re.Match[str]) -> str:
            identity_id = mark.group(1)
            found = cards.get(identity_id)
            if found is None:
                return (
                    f'<h{PRINTED_LEVEL} class="identity-title" id="{identity_id}">{identity_id}'
                    f"</h{PRINTED_LEVEL}>\n"
                    '<p class="identity-unpublished">This identity is on no page of the site.</p>'
                )
            source_url, shown = found
            before = last.get(identity_id)
            if before is not None and before[0] == source_url and before[1] is shown:
                printed = before[2]
            else:
                heading = HEADING_LEVEL.sub(rf"\g<1>{PRINTED_LEVEL}", shown.heading)
                body = CLOSED_PROOF.sub(r'<details class="\1" open>', shown.body)
                printed = heading + _rebased(body, source_url, page_url)
            kept[identity_id] = (source_url, shown, printed)
            return printed

        finished = PRINTED.sub(card, page_html)
        self._kept[page_url] = kept
        return finished


def _rebased(body: str, source_url: str, page_url: str) -> str:
    """``body``'s relative links, written for the page at ``source_url``, for ``page_url`` (both
    relative to the site's root)."""
    source_folder = posixpath.dirname(source_url)
    page_folder = posixpath.dirname(page_url)

    def rebased(attribute: re.Match[str]) -> str:
        name, address = attribute.groups()
        split = urlsplit(address)
        if split.scheme or split.netloc or address.startswith("/"):
            return attribute.group(0)
        target = posixpath.join(source_folder, split.path) if split.path else source_url
        query = f"?{split.query}" if split.query else ""
        fragment = f"#{split.fragment}" if split.fragment else ""
        return f' {name}="{_relative(target, page_folder)}{query}{fragment}"'

    return ADDRESS.sub(rebased, body)


def _relative(target: str, folder: str) -> str:
    """The URL path ``target`` (relative to the site's root; empty for the root) as seen from
    ``folder`` (likewise)."""
    target = target or "./"
    path = posixpath.relpath(posixpath.normpath(target), folder or ".")
    if path == ".":
        return "./"
    return path + "/" if target.endswith("/") else path


GENERATORS: dict[str, Callable[..., list[str] | str]] = {
    "status": status_table,
    "record": sample_record,
    "all": whole_reference,
}
