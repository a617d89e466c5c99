"""Mutation testing of the gate: do plausible mistakes in a formula get caught?

For every verified identity, the right-hand side is mutated the way people get formulas wrong: a
transpose dropped, a sign flipped, two factors of a product swapped (unless one is built from
numbers and the variables of sums and integrals alone, a scalar that commutes with anything), a
term of a sum dropped, an inverse replaced by an inverse transpose, a derivative ``f'`` of a scalar
function replaced by ``f`` (``f''`` by ``f'``), the whole side scaled by 2, and the layout swapped.
Integer exponents and the bounds of finite sums are reached by the same operators (``k - 1`` to
``k`` drops a term, to ``k + 1`` flips a sign); two off-by-one slips complete them: a sum started
one later (``\\sum_{r=1}``) and a power ``X^k`` raised to ``X^{k+1}``.
Each mutant is printed back to LaTeX and checked like a page's formula. A mutant that the
numeric gate accepts is then checked exactly: if it is exactly equal to the original (say
``(A + Aᵀ)`` with the terms swapped) it is equivalent and set aside; otherwise it survived, and
the gate has a hole.

Eigenvalues, singular values and their vectors are exact on the integer spectra the exact sampler
draws (:mod:`exactspectral`), so a mutant of an identity that uses them is checked exactly like
any other. Where the exact backend cannot evaluate one (a spectrum not known exactly, see
:class:`~matrixcheck.exact.NotExact`), a mutant is still proved equivalent when its right-hand
side equals the original one as a function of free values: every ``λ_i(A)``, ``σ_i(X)`` and
bound vector replaced by an independent symbol of its shape, and checked exactly. Equal for all values means equal at the spectral ones.
This is done only when no derivative acts on anything but a plain variable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from .check import check_identity, exact_check, parse_formula, vocabulary_of
from .declarations import parse_declarations, symbol_name, without_binding
from .errors import AuthorError
from .model import Display, IdentitySpec
from .parser import parse_relation
from .printer import to_latex
from .project import Report
from .shapes import Dim, ShapeChecker, SidesDiffer
from .tree import (
    Add,
    Apply,
    Derivative,
    Differential,
    Func,
    HadamardPower,
    Index,
    Mul,
    Neg,
    Node,
    Number,
    Power,
    RealPower,
    Relation,
    Spectral,
    Sum,
    Symbol,
    SymbolicPower,
    Transpose,
    positions,
    replace_at,
    walk,
    with_children,
)

#: Names for the free values that stand in for spectral quantities (skipped when declared).
FREE_NAMES = ("q", "r", "s", "w", "z", "k", "h", "g", "p", "c")

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
                if any(map(_is_constant_scalar, factors[index : index + 2])):
                    continue
                factors[index], factors[index + 1] = factors[index + 1], factors[index]
                yield "swap two factors", replace_at(side, path, Mul(tuple(factors)))
        if isinstance(node, Apply) and node.order:
            dropped_prime = dataclasses.replace(node, order=node.order - 1)
            yield "drop a prime", replace_at(side, path, dropped_prime)
        if isinstance(node, Power) and node.exponent == -1 and not _under_transpose(side, path):
            yield "inverse to inverse transpose", replace_at(side, path, Transpose(node))
        if isinstance(node, Sum):
            later = dataclasses.replace(node, lower=_plus_one(node.lower))
            yield "start a sum one later", replace_at(side, path, later)
        if isinstance(node, (SymbolicPower, RealPower, HadamardPower)) and not isinstance(
            node.exponent, Add
        ):
            raised = with_children(node, (node.base, _plus_one(node.exponent)))
            yield "raise a power by one", replace_at(side, path, raised)
    if not isinstance(side, Neg):
        yield "flip a sign", Neg(side)
    yield "scale by 2", Mul((Number(Fraction(2)), side))


def _is_constant_scalar(factor: Node) -> bool:
    """Whether ``factor`` is built from numbers and the variables of sums and integrals alone:
    a scalar, which commutes with any factor, so a swap with it writes the same product."""
    return all(isinstance(node, (Number, Index, Add, Neg, Mul)) for node in walk(factor))


def _plus_one(node: Node) -> Node:
    """``node + 1`` for an integer expression (a literal is incremented)."""
    if isinstance(node, Number):
        return Number(node.value + 1)
    return Add((node, Number(Fraction(1))))


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
        formula = result.formula or parse_formula(result.spec)[1]
        for mutant in mutants_of(result.spec, formula):
            verdict = check_identity(mutant.spec, thorough=False)
            if verdict.status != "verified":
                outcome.killed.append(mutant)
            elif _exactly_equal(mutant.spec) or _equal_as_free(result.spec, mutant.spec):
                outcome.equivalent.append(mutant)
            else:
                outcome.survived.append(mutant)
    return outcome


def _exactly_equal(spec: IdentitySpec) -> bool:
    try:
        return exact_check(spec).status == "verified"
    except AuthorError:
        return False


def _equal_as_free(original: IdentitySpec, mutant: IdentitySpec) -> bool:
    """Whether the right-hand sides agree exactly with spectral quantities as free values.

    A swapped layout claims the transpose of the original right-hand side, so there the side is
    compared with its own transpose.
    """
    try:
        declarations = parse_declarations(original.symbols)
        vocabulary = vocabulary_of(declarations)
        relations = [parse_relation(spec.formula.latex, vocabulary) for spec in (original, mutant)]
        shape = ShapeChecker(declarations, original.layout).check_relation(relations[0])
    except (AuthorError, SidesDiffer):
        return False
    sides = [relation.sides[-1] for relation in relations]
    if original.layout != mutant.layout:
        sides[1] = Transpose(sides[1])
    free = iter(name for name in FREE_NAMES if name not in declarations)
    probe = next(free)
    probe_shape = " x ".join(str(size) for size in shape)
    if not all(isinstance(size, Dim) and len(size.names) <= 1 for size in shape):
        return False
    # ⟨W, G⟩ for a free W of the side's shape: equal for every W iff the sides are equal, and W
    # gives an identity matrix on its own (``I`` against ``Iᵀ``) a size.
    sides = [Func("tr", Mul((Transpose(Symbol(probe)), side))) for side in sides]
    bound = {name for name, d in declarations.items() if d.binding is not None}
    for node in (n for side in sides for n in walk(side)):
        if isinstance(node, Derivative) or (
            isinstance(node, Differential)
            and not (isinstance(node.operand, Symbol) and node.operand.name not in bound)
        ):
            return False
    names: dict[Spectral, str] = {}
    relation = Relation(tuple(_free_spectral(side, names, free) for side in sides))
    used = {n.name for n in walk(relation) if isinstance(n, Symbol)}
    symbols = {
        key: without_binding(str(value))
        for key, value in original.symbols.items()  # type: ignore[union-attr]
        if symbol_name(str(key)) in used
    }
    symbols.update({name: "scalar" for name in names.values()})
    symbols[probe] = f"matrix {probe_shape}"
    formula = Display(to_latex(relation), original.formula.location)
    spec = dataclasses.replace(original, symbols=symbols, formula=formula, proof=[])
    try:
        return _exactly_equal(spec)
    except SidesDiffer:
        return False


def _free_spectral(node: Node, names: dict[Spectral, str], free: Iterator[str]) -> Node:
    """``node`` with every spectral value replaced by a free scalar symbol (the same for equals)."""
    for path, sub in positions(node):
        if isinstance(sub, Spectral):
            if sub not in names:
                names[sub] = next(free)
            return _free_spectral(replace_at(node, path, Symbol(names[sub])), names, free)
    return node
