"""Turns an identity block into the Markdown of its card, as readers see it.

The card is plain Markdown with ``attr_list`` classes and ``md_in_html``: a heading whose anchor is
the identity's id, badges (layout, verification), the formula exactly as the author wrote it, the
"where …" line generated from the declarations, any prose, and the proof collapsed in a
``???`` block with each step marked checked, unchecked (with the reason) or failed.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from .check import IdentityResult
from .declarations import Binding, Declaration
from .document import Block, Segment
from .model import IdentitySpec
from .project import Report
from .references import COOKBOOK_EDITION, References, wikipedia_url

LAYOUT_LABELS = {
    "numerator": "numerator layout",
    "denominator": "denominator layout",
    "entrywise": "entrywise",
    "differential": "differential form",
}
LAYOUT_HINTS = {
    "numerator": "∂y/∂x has the shape of y by the transpose of x (Jacobian)",
    "denominator": "∂y/∂x has the shape of x by the transpose of y (gradient)",
    "entrywise": "every ∂/∂X means ∂/∂X_ij for the same entry (i, j)",
    "differential": "dX is any direction; d(…) is the differential along it",
}
PROOF_INDENT = "    "


@dataclass(frozen=True)
class Correction:
    """The verified identity that replaces a refuted formula: its LaTeX and a link to it."""

    latex: str
    link: str
    title: str


def correction_for(report: Report, spec: IdentitySpec, page_path: str) -> Correction | None:
    """The correction shown beside a refuted formula, linked relative to ``page_path``."""
    target = report.result(spec.corrected) if spec.refuted else None
    if target is None:
        return None
    folder = posixpath.dirname(page_path) or "."
    link = f"{posixpath.relpath(target.spec.location.path, folder)}#{target.spec.id}"
    return Correction(target.spec.formula.latex, link, target.spec.title)


def render_block(
    block: Block, result: IdentityResult | None, correction: Correction | None = None
) -> list[str]:
    """The Markdown lines that replace ``block`` in the page."""
    spec = block.spec
    classes = "identity identity-refuted" if spec.refuted else "identity"
    lines = [f"{'#' * block.heading_level} {spec.title} {{#{spec.id} .identity-title}}", ""]
    lines += [f'<div class="{classes}" markdown>', ""]
    lines += [_badges(spec, result), "{: .identity-badges }", ""]
    if result is not None and not result.ok:
        lines += error_box([f"{where}: {text}" for where, text in result.failures()])
    for segment in block.segments:
        if segment.in_proof:
            continue
        lines += list(segment.lines)
        if segment.kind == "formula" and result is not None and result.declarations:
            where = where_line(result.declarations, result.spellings, spec.formula.latex)
            lines += ["", where, "{: .identity-where }", ""]
            lines += _evidence(result, correction)
    lines += references_line(spec.references)
    proof = [s for s in block.segments if s.in_proof]
    if proof:
        lines += ["", *_proof(proof, result)]
    lines += ["", "</div>", ""]
    return lines


def references_line(references: References) -> list[str]:
    """The small "Also in: …" line naming the Cookbook equations and Wikipedia tables."""
    parts = []
    numbers = references.cookbook_equations
    if numbers:
        label = "eq." if len(numbers) == 1 else "eqs."
        parts.append(f"The Matrix Cookbook ({COOKBOOK_EDITION}), {label} {', '.join(numbers)}")
    for section in references.cookbook_sections:
        parts.append(f"The Matrix Cookbook ({COOKBOOK_EDITION}), §{section}")
    for table in references.wikipedia_tables:
        parts.append(f"Wikipedia, [Matrix calculus: {table.lower()}]({wikipedia_url(table)})")
    if not parts:
        return []
    return ["", "Also in: " + "; ".join(parts) + ".", "{: .identity-references }", ""]


def _badges(spec: IdentitySpec, result: IdentityResult | None) -> str:
    label = LAYOUT_LABELS.get(spec.layout, spec.layout)
    hint = LAYOUT_HINTS.get(spec.layout, "")
    badges = [f'<span class="badge badge-layout" title="{hint}">{label}</span>']
    if result is None:
        badges.append('<span class="badge badge-failed">not checked</span>')
    elif not result.ok:
        badges.append('<span class="badge badge-failed">✗ check failed</span>')
    elif spec.refuted:
        badges.append(
            '<span class="badge badge-refuted" title="The build found a counterexample">'
            "✗ false: refuted by the build</span>"
        )
    else:
        error = result.max_rel_error or 0.0
        size_sets = [", ".join(f"{n}={v}" for n, v in t.sizes.items()) for t in result.trials]
        sizes = "; ".join(dict.fromkeys(size_sets))
        title = (
            f"Checked at build time on {len(result.trials)} random samples"
            + (f" (sizes {sizes})" if sizes.strip("; ") else "")
            + f"; largest relative error {error:.1e}, tolerance {result.tolerance:.0e}"
        )
        badges.append(
            f'<span class="badge badge-verified" title="{title}">✓ verified · '
            f"max rel. error {error:.1e}</span>"
        )
        if result.exact is not None and result.exact.status == "verified":
            badges.append(
                '<span class="badge badge-exact" title="Checked again in exact rational '
                'arithmetic">✓ exact</span>'
            )
    return " ".join(badges)


def _evidence(result: IdentityResult, correction: Correction | None) -> list[str]:
    """The counterexample of a refuted formula, or the assumptions shown necessary."""
    if result.spec.refuted:
        if result.counterexample is not None:
            found = (
                f"Counterexample found by the build: {result.counterexample.describe()}; "
                f"the two sides differ by a relative error of {result.max_rel_error:.2g}."
            )
        else:
            found = f"Found by the build: {result.message}."
        lines = [_escape(found), "{: .identity-counterexample }", ""]
        if result.spec.source:
            lines += [f"Published in: {result.spec.source}", "{: .identity-source }", ""]
        if correction is not None:
            lines += [
                f"Correct ([{correction.title}]({correction.link}), verified):",
                "{: .identity-correction }",
                "",
                "$$",
                correction.latex,
                "$$",
                "",
            ]
        return lines
    needed = [a for a in result.assumptions if a.necessary]
    if not needed:
        return []
    parts = [f"**{a.symbol} {a.property}** ({_escape(a.evidence)})" for a in needed]
    return [
        "Assumptions shown necessary: " + "; ".join(parts) + ".",
        "{: .identity-assumptions }",
        "",
    ]


def _escape(text: str) -> str:
    """Text shown literally in Markdown: backslashes, emphasis marks and HTML neutralised."""
    text = text.replace("\\", "\\\\").replace("<", "&lt;")
    return text.replace("*", "\\*").replace("_", "\\_").replace("$", "\\$")


def error_box(messages: list[str]) -> list[str]:
    """Red paragraphs, one per message, shown while serving a page that fails its checks."""
    lines = []
    for message in messages:
        lines += [f"✗ {_escape(message)}", "{: .identity-error }", ""]
    return lines


def _proof(segments: list[Segment], result: IdentityResult | None) -> list[str]:
    steps = result.steps if result is not None else []
    checked = sum(1 for s in steps if s.status == "checked")
    total = sum(1 for s in segments if s.kind == "step")
    kind = "success" if total and checked == total else "note"
    lines = [f'??? {kind} "Proof ({checked} of {total} steps checked by machine)"', ""]
    pending = iter(steps)
    for segment in segments:
        body = list(segment.lines)
        if segment.kind == "step":
            step = next(pending, None)
            body += ["", *_step_marker(step)]
        lines += [PROOF_INDENT + line if line.strip() else "" for line in body]
    return lines


def _step_marker(step) -> list[str]:
    if step is None:
        return ["step not checked", "{: .proof-step .proof-step-unchecked }"]
    if step.status == "checked":
        return [
            f"step checked (relative error {step.max_rel_error:.1e})",
            "{: .proof-step .proof-step-checked }",
        ]
    if step.status == "unchecked":
        reason = _escape(step.reason)
        return [f"step not checked: {reason}", "{: .proof-step .proof-step-unchecked }"]
    return ["step failed its check", "{: .proof-step .proof-step-failed }"]


def where_line(declarations: dict[str, Declaration], spellings: dict[str, str], latex: str) -> str:
    """``where \\(\\boldsymbol a, \\boldsymbol b \\in \\mathbb{R}^{n}\\), …`` in formula order."""

    def position(name: str) -> int:
        found = latex.find(spellings.get(name, name))
        return found if found >= 0 else len(latex)

    order = sorted(declarations, key=position)
    groups: dict[tuple, list[str]] = {}
    for name in order:
        declaration = declarations[name]
        key = (declaration.kind, declaration.shape, declaration.argument, declaration.stated)
        key += (declaration.binding,)
        groups.setdefault(key, []).append(spellings.get(name, name))
    phrases = [
        _phrase(declarations_key[:4], names) + _bound(declarations_key[4], spellings)
        for declarations_key, names in groups.items()
    ]
    if len(phrases) > 1:
        phrases[-1] = "and " + phrases[-1]
    separator = ", " if len(phrases) > 2 else " "
    return "where " + separator.join(phrases) + "."


def _space(shape: tuple) -> str:
    rows, columns = shape
    if rows == columns == 1:
        return r"\mathbb{R}"
    if columns == 1:
        return rf"\mathbb{{R}}^{{{rows}}}"
    return rf"\mathbb{{R}}^{{{rows}\times {columns}}}"


#: How a property reads after the symbol's space, where the plain name does not.
PROPERTY_WORDING = {
    "positive definite": "symmetric positive definite",
    "simple spectrum": "with a simple spectrum",
    "simple singular values": "with simple singular values",
}


def _bound(binding: Binding | None, spellings: dict[str, str]) -> str:
    """``, the unit eigenvector of A for λ_i`` for a bound symbol; empty otherwise."""
    if binding is None:
        return ""
    of = spellings.get(binding.of, binding.of)
    if not binding.index:
        return rf", the {binding.kind} of \({of}\) as columns"
    value = "lambda" if "eigenvector" in binding.kind else "sigma"
    index = rf"\{binding.index}" if binding.index in ("max", "min") else binding.index
    unit = "unit " if binding.kind == "eigenvector" else ""
    return rf", the {unit}{binding.kind} of \({of}\) for \(\{value}_{{{index}}}\)"


def _phrase(key: tuple, names: list[str]) -> str:
    kind, shape, argument, stated = key
    joined = ", ".join(names)
    adjectives = " ".join(PROPERTY_WORDING.get(p, p) for p in stated)
    if kind == "function":
        text = rf"\({joined}\colon {_space(argument)} \to {_space(shape)}\) differentiable"
        return text + (f" with {adjectives} values" if adjectives else "")
    space = _space(shape if kind != "row vector" else (1, shape[1]))
    if kind == "row vector":
        space = rf"\mathbb{{R}}^{{1\times {shape[1]}}}"
    text = rf"\({joined} \in {space}\)"
    return text + (f" {adjectives}" if adjectives else "")
