"""The machine-readable face of the reference: one JSON record per identity.

Courses and tools read ``identities.json``; its fields are documented on the authoring page and
kept stable. Output is deterministic: records in page order, floats rounded to 3 significant
digits, no timestamps.
"""

from __future__ import annotations

import json

from .declarations import Declaration
from .model import IdentitySpec
from .permalinks import permalink
from .project import Report
from .results import IdentityResult

SCHEMA_VERSION = 1


def shape_text(declaration: Declaration) -> str:
    """``scalar``, ``vector n``, ``row vector n``, ``matrix m x n``, a function signature,
    ``scalar function`` or ``positive integer``."""

    def one(kind: str, shape: tuple) -> str:
        rows, columns = shape
        if kind == "scalar":
            return "scalar"
        if kind == "vector":
            return f"vector {rows}"
        if kind == "row vector":
            return f"row vector {columns}"
        return f"matrix {rows} x {columns}"

    if declaration.is_scalar_function:
        return "scalar function"
    if declaration.is_integer:
        return "positive integer"
    if declaration.is_function:
        argument = declaration.argument or (1, 1)
        return f"function {one('matrix', argument)} -> {one('matrix', declaration.shape)}"
    return one(declaration.kind, declaration.shape)


def _integers(result: IdentityResult) -> dict:
    """``integers``, the value of each positive integer symbol at each trial, for an identity
    that declares one (the field is absent otherwise)."""
    if not any(trial.integers for trial in result.trials):
        return {}
    return {"integers": [trial.integers for trial in result.trials]}


def assumptions(result: IdentityResult) -> list[dict]:
    """Each stated property, whether dropping it breaks the identity, and the evidence."""
    return [
        {
            "statement": f"{a.symbol} {a.property}",
            "symbol": a.symbol,
            "property": a.property,
            "necessary": a.necessary,
            "evidence": a.evidence,
        }
        for a in result.assumptions
    ]


def _exact(result: IdentityResult) -> dict | None:
    if result.exact is None:
        return None
    return {
        "status": result.exact.status,
        "reason": result.exact.reason,
        "sizes": result.exact.sizes,
    }


def _refutation(result: IdentityResult) -> dict | None:
    spec = result.spec
    if not spec.refuted:
        return None
    example = result.counterexample
    return {
        "corrected": spec.corrected,
        "source": spec.source,
        "counterexample": None
        if example is None
        else {
            "sizes": example.sizes,
            "seed": example.seed,
            "test_functions": example.test_functions,
            **({"integers": example.integers} if example.integers else {}),
            "rel_error": _rounded(result.max_rel_error),
        },
        "evidence": result.message,
    }


def other_layout(result: IdentityResult) -> dict | None:
    """The formula in the other layout, as converted and checked by the engine."""
    conversion = result.conversion
    if conversion is None:
        return None
    return {
        "layout": conversion.layout,
        "latex": conversion.latex,
        "status": conversion.status,
        "reason": conversion.reason,
        "max_rel_error": _rounded(conversion.max_rel_error),
        "exact": conversion.exact,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.3g}")


def record_status(result: IdentityResult) -> str:
    """``verified`` (or ``refuted``) only when the formula and every checked proof step hold."""
    if result.ok:
        return result.status
    return "failed" if result.status in ("verified", "refuted") else result.status


def checked_steps(result: IdentityResult) -> int:
    """How many of the proof's steps the engine checked."""
    return sum(1 for step in result.steps if step.status == "checked")


def record(result: IdentityResult, url: str) -> dict:
    spec = result.spec
    steps = result.steps
    return {
        "id": spec.id,
        "title": spec.title,
        "url": url,
        "permalink": permalink(spec.id) if url else "",
        "source": str(spec.location),
        "latex": spec.formula.latex,
        "layout": spec.layout,
        "symbols": {
            name: {"shape": shape_text(d), "properties": list(d.stated)}
            for name, d in result.declarations.items()
        },
        "assumptions": assumptions(result),
        "status": record_status(result),
        "message": result.message,
        "max_rel_error": _rounded(result.max_rel_error),
        "tolerance": result.tolerance,
        "exact": _exact(result),
        "refuted": _refutation(result),
        "references": spec.references.as_record(),
        "other_layout": other_layout(result),
        "sizes": [trial.sizes for trial in result.trials],
        "seeds": [trial.seed for trial in result.trials],
        **_integers(result),
        "proof_steps_checked": checked_steps(result),
        "proof_steps_total": len(steps),
        "proof_steps": [
            {
                "source": str(s.display.location),
                "status": s.status,
                "reason": s.reason,
                "max_rel_error": _rounded(s.max_rel_error),
            }
            for s in steps
        ],
    }


def identities_json(report: Report, urls: dict[str, str], lines: RecordLines | None = None) -> str:
    """The whole export, one identity per line; ``urls`` maps an id to its page URL with the
    ``#id`` anchor. (One line per record keeps diffs readable and lets the C JSON encoder, which
    does not indent, write the file.) ``lines`` keeps records' lines from one export to the next
    (under ``mkdocs serve``)."""
    lines = lines if lines is not None else RecordLines()
    identities = ",\n".join(lines.line(r, urls.get(r.spec.id, "")) for r in report.results)
    lines.retain(report.results)
    return f'{{"schema_version": {SCHEMA_VERSION}, "identities": [\n{identities}\n]}}\n'


class RecordLines:
    """Each identity's line of ``identities.json``, kept with what it was made from: the result
    (the same object for as long as its identity is not checked again), its spec (compared by
    value: a rebuild reads the page again) and its URL. A record reads nothing else."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[IdentityResult, IdentitySpec, str, str]] = {}

    def line(self, result: IdentityResult, url: str) -> str:
        kept = self._kept.get(result.spec.id)
        if kept is not None and kept[0] is result and kept[1] == result.spec and kept[2] == url:
            return kept[3]
        line = json.dumps(record(result, url), ensure_ascii=False)
        self._kept[result.spec.id] = (result, result.spec, url, line)
        return line

    def retain(self, results: list[IdentityResult]) -> None:
        """Forget the lines of identities not among ``results``."""
        ids = {result.spec.id for result in results}
        self._kept = {i: kept for i, kept in self._kept.items() if i in ids}
