"""Checks every page of a docs directory and gathers one report for the whole site.

This is what both the MkDocs hook and the command line run: read each Markdown file (sorted, so
reports come out in the same order every time), scan it, check every identity, and collect every
problem at once, so that an author sees all failures in one build.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .cache import ResultCache
from .document import Page, read_page, strip_front_matter
from .model import IdentitySpec, Location, PageProblem
from .results import IdentityResult


@dataclass
class Report:
    """The outcome of checking a docs directory; ``label`` prefixes paths in messages.

    ``computed`` lists the ids checked in this run (the others came from the cache); ``notes``
    are remarks about the cache that change nothing in the results.
    """

    label: str
    pages: list[Page] = field(default_factory=list)
    results: list[IdentityResult] = field(default_factory=list)
    problems: list[PageProblem] = field(default_factory=list)
    computed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _by_id: dict[str, IdentityResult] = field(default_factory=dict, repr=False, compare=False)

    def page(self, path: str) -> Page | None:
        """The page read from ``path`` (relative to the docs directory), if there is one."""
        return next((page for page in self.pages if page.path == path), None)

    def result(self, identity_id: str) -> IdentityResult | None:
        if len(self._by_id) != len(self.results):  # results are set once, after the pages
            self._by_id = {r.spec.id: r for r in self.results}
        return self._by_id.get(identity_id)

    def messages(self) -> list[str]:
        """One author-facing line per problem: ``docs/page.md:12: [id] what is wrong``."""
        lines = [self._line(p.location, p.identity_id, p.message) for p in self.problems]
        for result in self.results:
            for location, failure in result.failures():
                lines.append(self._line(location, result.spec.id, failure))
        return lines

    def warnings(self) -> list[str]:
        """Lines for assumptions an identity does not need (errors under ``--strict``)."""
        return [
            self._line(result.spec.location, result.spec.id, warning)
            for result in self.results
            for warning in result.warnings()
        ]

    def _line(self, location: Location, identity_id: str, message: str) -> str:
        tag = f" [{identity_id}]" if identity_id else ""
        return f"{self.label}/{location}:{tag} {message}"

    @property
    def ok(self) -> bool:
        return not self.problems and all(result.ok for result in self.results)

    def summary(self) -> str:
        verified = sum(1 for r in self.results if r.ok and not r.spec.refuted)
        refuted = sum(1 for r in self.results if r.ok and r.spec.refuted)
        steps = [s for r in self.results for s in r.steps]
        checked = sum(1 for s in steps if s.status == "checked")
        failing = len(self.messages())
        text = (
            f"{len(self.results)} identities on {len(self.pages)} pages: {verified} verified, "
            f"{refuted} refuted; {checked} of {len(steps)} proof steps checked"
        )
        warnings = len(self.warnings())
        text += f"; {failing} problem(s)" if failing else ""
        return text + (f"; {warnings} warning(s)" if warnings else "")

    def cache_summary(self) -> str:
        reused = len(self.results) - len(self.computed)
        return f"{len(self.computed)} identities checked, {reused} results reused from the cache"


def check_docs(
    docs_dir: Path, label: str | None = None, cache: ResultCache | None = None
) -> Report:
    """Check every ``*.md`` file below ``docs_dir``, reusing results from ``cache`` if given."""
    report = Report(label if label is not None else docs_dir.name)
    root = docs_dir.resolve()
    for path in sorted(docs_dir.rglob("*.md")):
        relative = path.relative_to(docs_dir).as_posix()
        if not path.resolve().is_relative_to(root):
            outside = Page(relative)
            outside.problems.append(
                PageProblem(
                    Location(relative, 1),
                    "this page is a link to a file outside the docs directory and was not read "
                    "(fix: copy the page into docs/)",
                )
            )
            report.pages.append(outside)
            continue
        report.pages.append(read_file(path, relative))
    seen: dict[str, Location] = {}
    specs: list[IdentitySpec] = []
    for page in report.pages:
        report.problems.extend(page.problems)
        for block in page.blocks:
            spec = block.spec
            if spec.id in seen:
                report.problems.append(
                    PageProblem(
                        spec.location,
                        f"the id '{spec.id}' is already used at {report.label}/{seen[spec.id]} "
                        "(fix: ids are permalinks and must be unique across the site; choose "
                        "another)",
                        spec.id,
                    )
                )
                continue
            seen[spec.id] = spec.location
            specs.append(spec)
    report.results = _results(specs, cache, report)
    report.problems.extend(_corrections(report))
    return report


def _results(
    specs: list[IdentitySpec], cache: ResultCache | None, report: Report
) -> list[IdentityResult]:
    """Cached results where trusted; the others checked in parallel (no process when none), and
    stored as they arrive, while the workers check the rest."""
    stored = cache.load_all(specs) if cache is not None else [None] * len(specs)
    missing = [spec for spec, result in zip(specs, stored, strict=True) if result is None]
    if cache is not None:
        report.notes.extend(cache.take_notes())
    computed = _check(missing, cache) if missing else []
    if cache is not None:
        # Sorted: results arrive in whatever order the workers finish them.
        report.notes.extend(sorted(cache.take_notes()))
        cache.retain(specs)
    report.computed = [spec.id for spec in missing]
    fresh = iter(computed)
    return [result if result is not None else next(fresh) for result in stored]


def _check(missing: list[IdentitySpec], cache: ResultCache | None) -> list[IdentityResult]:
    """Check ``missing`` in parallel, storing each result as it arrives. The workers (and with
    them :mod:`multiprocessing`) are imported only here: a warm build never needs them."""
    from .workers import Stopped, run_all

    def keep(index: int, result: IdentityResult) -> None:
        if cache is not None and not isinstance(result, Stopped):
            cache.store(missing[index], result)

    return run_all(missing, _checker(), on_result=keep)


def _checker() -> Callable[[IdentitySpec], IdentityResult]:
    """The function that checks one identity.

    NumPy and the checker are imported here, only when something must be checked (a build whose
    results all come from the cache never does), and before the workers fork, so they share them,
    with what the checker would otherwise load on first use (:func:`check.preload`).
    The parsed formula stays in the worker: the result crosses the process boundary without it,
    as it is stored in the cache.
    """
    from .check import check_identity, preload

    preload()

    def checked(spec: IdentitySpec) -> IdentityResult:
        """A bug in the checker becomes that identity's error, not a traceback."""
        try:
            return dataclasses.replace(check_identity(spec), formula=None)
        except Exception as error:  # noqa: BLE001 - reported to the author with the identity's place
            message = (
                f"internal error in the checker ({type(error).__name__}: {error}); the formula may "
                "use a construct the checker mishandles: please report it with this identity"
            )
            return IdentityResult(spec, "error", message)

    return checked


def _corrections(report: Report) -> list[PageProblem]:
    """Every refuted formula names a verified identity that corrects it."""
    problems = []
    for result in report.results:
        spec = result.spec
        if not spec.refuted:
            continue
        corrected = report.result(spec.corrected)
        if corrected is None or corrected.spec.refuted:
            problems.append(
                PageProblem(
                    spec.location,
                    f"'corrected: {spec.corrected}' names no identity on the site (fix: give the "
                    "id of the verified identity that corrects this formula)",
                    spec.id,
                )
            )
    return problems


def read_specs(docs_dir: Path) -> list[IdentitySpec]:
    """Every identity block of the ``*.md`` files below ``docs_dir``, in page order, as scanned
    (for tools and benchmarks that check identities one by one: no report, no page problems)."""
    return [
        block.spec
        for path in sorted(docs_dir.rglob("*.md"))
        for block in read_file(path, path.relative_to(docs_dir).as_posix()).blocks
    ]


def read_file(path: Path, relative: str) -> Page:
    """Read and scan one page; undecodable bytes are a problem of the page, not a crash."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        page = Page(relative)
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        page.problems.append(
            PageProblem(
                Location(relative, line), "the file is not valid UTF-8 (fix: save it as UTF-8)"
            )
        )
        return page
    body, removed = strip_front_matter(text)
    return _scan(body, relative, removed)


#: A page whose text has not changed is not scanned again in the same process (``mkdocs serve``
#: rebuilding after an edit scans only the edited page). Scans are never modified after reading.
_scan = functools.lru_cache(maxsize=4096)(read_page)
