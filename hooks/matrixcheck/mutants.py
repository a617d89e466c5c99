"""Mutation testing of the gate: do plausible mistakes in a formula get caught?

For every verified identity, the right-hand side is mutated the way people get formulas wrong:
a transpose dropped, a sign flipped, two factors of a product swapped, a term of a sum dropped,
an inverse replaced by an inverse transpose, the whole side scaled by 2, and the layout swapped.
Each mutant is printed back to LaTeX and checked like a page's formula. A mutant that the
numeric gate accepts is then checked exactly: if it is exactly equal to the original (say
``(A + Aᵀ)`` with the terms swapped) it is equivalent and set aside; otherwise it survived, and
the gate has a hole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from .check import check_identity, exact_check
from .errors import AuthorError
from .model import Display, IdentitySpec
from .printer import to_latex
from .project import Report
from .tree import Add, Mul, Neg, Node, Number, Power, Relation, Transpose, positions, replace_at

SWAPPED_LAYOUT = {"numerator": "denominator", "denominator": "numerator"}


@dataclass(frozen=True)
class Mutant:
    """One mutation of an identity: what was changed and the resulting spec."""

    identity: str
    operator: str
    spec: IdentitySpec


@dataclass
class MutationReport:
    """Mutants by outcome."""

    killed: list[Mutant] = dataclasses.field(default_factory=list)
    equivalent: list[Mutant] = dataclasses.field(default_factory=list)
    survived: list[Mutant] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        total = len(self.killed) + len(self.survived)
        return f"killed {len(self.killed)} of {total} mutants"


def right_hand_mutations(side: Node) -> Iterator[tuple[str, Node]]:
    """``(operator, mutated side)`` for every applicable mutation of ``side``."""
    for path, node in positions(side):
        if isinstance(node, Transpose):
            yield "drop a transpose", replace_at(side, path, node.operand)
        if isinstance(node, Neg):
            yield "flip a sign", replace_at(side, path, node.operand)
        if isinstance(node, Add):
            for index, term in enumerate(node.terms):
                flipped = term.operand if isinstance(term, Neg) else Neg(term)
                terms = (*node.terms[:index], flipped, *node.terms[index + 1 :])
                yield "flip a sign", replace_at(side, path, Add(terms))
                rest = node.terms[:index] + node.terms[index + 1 :]
                dropped = rest[0] if len(rest) == 1 else Add(rest)
                yield "drop a term", replace_at(side, path, dropped)
        if isinstance(node, Mul):
            for index in range(len(node.factors) - 1):
                factors = list(node.factors)
                factors[index], factors[index + 1] = factors[index + 1], factors[index]
                yield "swap two factors", replace_at(side, path, Mul(tuple(factors)))
        if isinstance(node, Power) and node.exponent == -1 and not _under_transpose(side, path):
            yield "inverse to inverse transpose", replace_at(side, path, Transpose(node))
    if not isinstance(side, Neg):
        yield "flip a sign", Neg(side)
    yield "scale by 2", Mul((Number(Fraction(2)), side))


def _under_transpose(root: Node, path: tuple[int, ...]) -> bool:
    parent = dict(positions(root)).get(path[:-1]) if path else None
    return isinstance(parent, Transpose)


def mutants_of(spec: IdentitySpec, relation: Relation) -> Iterator[Mutant]:
    """The mutants of one identity, each with a distinct formula."""
    seen = {to_latex(relation)}
    head = relation.sides[:-1]
    for operator, side in right_hand_mutations(relation.sides[-1]):
        latex = to_latex(Relation((*head, side)))
        if latex in seen:
            continue
        seen.add(latex)
        formula = Display(latex, spec.formula.location)
        yield Mutant(spec.id, operator, dataclasses.replace(spec, formula=formula, proof=[]))
    if spec.layout in SWAPPED_LAYOUT:
        swapped = dataclasses.replace(spec, layout=SWAPPED_LAYOUT[spec.layout], proof=[])
        yield Mutant(spec.id, "swap the layout", swapped)


def run_mutants(report: Report) -> MutationReport:
    """Mutate every verified identity of ``report`` and classify each mutant."""
    outcome = MutationReport()
    for result in report.results:
        if result.spec.refuted or not result.ok:
            continue
        assert result.formula is not None
        for mutant in mutants_of(result.spec, result.formula):
            verdict = check_identity(mutant.spec, thorough=False)
            if verdict.status != "verified":
                outcome.killed.append(mutant)
            elif _exactly_equal(mutant.spec):
                outcome.equivalent.append(mutant)
            else:
                outcome.survived.append(mutant)
    return outcome


def _exactly_equal(spec: IdentitySpec) -> bool:
    try:
        return exact_check(spec).status == "verified"
    except AuthorError:
        return False
