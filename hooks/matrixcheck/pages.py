"""Pages made from the check report: the status table, a sample record, the printable reference.

A page asks for generated content with a marker line, so it stays declarative (no code in pages):

- ``<!-- identities: status -->``: one sortable table of every identity (id, title, page,
  layout, numeric check, exact check, proof steps, assumptions, other layout), linking each card;
  written as HTML into the page's stash, since Markdown would take a tenth of a second to read
  a table of a few hundred rows at every build;
- ``<!-- identities: record ID -->``: the ``identities.json`` record of identity ``ID``, as JSON;
- ``<!-- identities: all -->``: every identity card of the site, page by page in navigation order,
  with the proofs open, for printing.

The marker is replaced by Markdown; an unknown marker or id is reported like any page problem.
"""

from __future__ import annotations

import dataclasses
import html
import json
import posixpath
import re
from collections.abc import Callable

from .document import Block
from .model import Location, PageProblem
from .project import Report
from .records import record
from .render import HtmlStash, correction_for, render_block, scientific
from .results import IdentityResult

MARKER = re.compile(r"^<!--\s*identities:\s*(?P<kind>[a-z-]+)(?:\s+(?P<argument>\S+))?\s*-->\s*$")
IN_PAGE_LINK = re.compile(r"\]\(#")


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


def status_table(report: Report, page_path: str, site: SiteContext, argument: str) -> list[str]:
    """One row per identity, in page order, sortable by any column in the browser."""
    rows = "".join(_status_row(result, site) for result in report.results)
    lines = [report.summary() + ".", ""]
    site.stash.add(
        lines,
        f'<div class="mc-sortable">\n<table>\n<thead>\n<tr>{STATUS_HEADER}</tr>\n</thead>\n'
        f"<tbody>\n{rows}</tbody>\n</table>\n</div>",
    )
    return lines


#: The heading of each column of the status table.
STATUS_HEADER = "".join(
    f"<th>{name}</th>"
    for name in (
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
    )
)


def _status_row(result: IdentityResult, site: SiteContext) -> str:
    spec = result.spec
    data = record(result, "")
    exact = data["exact"]["status"] if data["exact"] else "not run"
    if spec.refuted and exact == "failed":
        exact = "refuted"  # the exact check confirms the counterexample; nothing failed
    necessary = sum(1 for a in result.assumptions if a.necessary)
    stated = len(result.assumptions)
    assumptions = f"{necessary} of {stated} shown necessary" if stated else "none"
    other = result.conversion.status if result.conversion else "not run"
    error = "" if result.max_rel_error is None else scientific(result.max_rel_error)
    steps = f"{data['proof_steps_checked']}/{data['proof_steps_total']}"
    href = site.href(spec.id)
    identity = f"<code>{html.escape(spec.id)}</code>"
    title = html.escape(spec.title)
    if href is not None:
        identity = f'<a href="{html.escape(href)}">{identity}</a>'
        title = f'<a href="{html.escape(href)}">{title}</a>'
    cells = [
        identity,
        title,
        html.escape(site.titles.get(spec.location.path, spec.location.path)),
        spec.layout,
        data["status"],
        error,
        exact,
        steps,
        assumptions,
        other,
    ]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n"


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
    """Every card of the site, grouped by page in navigation order, proofs open."""
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
            lines += _printed_card(block, report, page_path, source, site.stash)
    return lines


def _printed_card(
    block: Block, report: Report, page_path: str, source: str, stash: HtmlStash
) -> list[str]:
    """A card as on its own page, one level below the page title, with links kept working."""
    segments = [
        dataclasses.replace(s, lines=tuple(IN_PAGE_LINK.sub(f"]({source}#", x) for x in s.lines))
        for s in block.segments
    ]
    printed = dataclasses.replace(block, heading_level=3, segments=segments)
    result = report.result(block.spec.id)
    correction = correction_for(report, block.spec, page_path)
    return render_block(printed, result, stash, correction, proof_open=True)


GENERATORS: dict[str, Callable[..., list[str] | str]] = {
    "status": status_table,
    "record": sample_record,
    "all": whole_reference,
}
