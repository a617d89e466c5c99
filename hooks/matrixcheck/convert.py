"""Converts an identity between numerator and denominator layout by pushing a transpose through it.

In this engine a derivative in denominator layout is the transpose of the same derivative in
numerator layout (scalar by matrix, scalar by vector, vector by scalar and vector by vector
alike). So if ``L = R`` holds in one layout, ``Lᵀ = Rᵀ`` holds there too, and reading every
``∂Y/∂X`` of ``Lᵀ = Rᵀ`` in the other layout means replacing it by its transpose. The converter
does exactly that on the tree, then pushes each transpose down to the symbols: through products
(reversing their order; 1×1 factors stay in front, untouched), sums, negation, quotients by
scalars, Kronecker and entrywise products, powers (integer or symbolic, ``(Xᵀ)^k = (X^k)ᵀ``),
finite sums (term by term) and adjugates; transposes of scalars (traces,
determinants, 1×1 products), of the identity matrix and of symbols declared symmetric (or
diagonal) vanish, a skew-symmetric symbol changes sign, and double transposes cancel. An inverse
transpose is always written ``A^{-T}`` (a transpose outside the power).

The result is a new tree, printed with the author's spelling of each symbol and of the transpose;
the checker verifies it in the other layout like any formula. Entrywise and differential
identities mean the same in every layout and are not converted.
"""

from __future__ import annotations

import re
from collections import Counter

from .declarations import Declaration
from .model import Display, IdentitySpec
from .printer import to_latex
from .results import NO_DERIVATIVE, Conversion
from .shapes import ENTRYWISE_FUNCTIONS, SCALAR_FUNCTIONS, ShapeChecker
from .tree import (
    Add,
    Apply,
    Derivative,
    Differential,
    Div,
    Func,
    Hadamard,
    HadamardPower,
    IdentityMatrix,
    Integral,
    Kronecker,
    Mul,
    Neg,
    Node,
    Number,
    Power,
    Relation,
    Sum,
    Symbol,
    SymbolicPower,
    Transpose,
    children,
    walk,
    with_children,
)

OTHER_LAYOUT = {"numerator": "denominator", "denominator": "numerator"}
#: Properties that make a matrix equal to its own transpose.
SELF_TRANSPOSE = frozenset({"symmetric", "diagonal"})
#: How an author may write a transpose, as it appears after ``^`` (first match wins).
_TRANSPOSE_MARK = re.compile(
    r"\^\s*\{?\s*-?\s*(\\text\s*\{?\s*T\s*\}?|\\mathsf\s*\{?\s*T\s*\}?|\\top|\\intercal|T)\b"
)
#: The identity matrix ``I`` or a commutation matrix ``K_{mn}`` written in bold.
_BOLD_CONSTANT = re.compile(
    r"\\(?:boldsymbol|mathbf|bm|bold)\s*(?:\{\s*(?P<braced>[IK])\s*\}|(?P<bare>[IK])(?![A-Za-z]))"
)
_MARK_SPELLINGS = {r"\text": r"\text T", r"\mathsf": r"\mathsf T", r"\top": r"\top"}


def not_converted(spec: IdentitySpec, formula: Relation) -> Conversion | None:
    """Why an identity has no other-layout form, or None if it has one. Layouts differ only in
    how derivatives are laid out: a formula without one would merely be transposed."""
    if spec.refuted:
        return Conversion(
            spec.layout, "not applicable", reason="a false formula is shown as published"
        )
    if spec.layout not in OTHER_LAYOUT:
        return Conversion(
            spec.layout,
            "not applicable",
            reason=f"{spec.layout} identities read the same in numerator and denominator layout",
        )
    if not any(isinstance(node, (Derivative, Differential)) for node in walk(formula)):
        return Conversion(spec.layout, "not applicable", reason=NO_DERIVATIVE)
    return None


def converter_failure(spec: IdentitySpec, latex: str, why: str) -> Conversion:
    """A converted formula that did not pass its checks: a bug in the converter, not the page."""
    layout = OTHER_LAYOUT.get(spec.layout, spec.layout)
    shown = f", {latex}," if latex else ""
    reason = (
        f"the {layout}-layout form derived by the converter{shown} does not check: {why} "
        "(fix: this is a bug in the converter, not in the page; report it with this identity)"
    )
    return Conversion(layout, "failed", latex, reason)


def converted_spec(
    spec: IdentitySpec,
    relation: Relation,
    declarations: dict[str, Declaration],
    spellings: dict[str, str],
) -> IdentitySpec:
    """The identity restated in the other layout, ready to be checked like a page's identity."""
    converted = other_layout(relation, declarations, spec.layout)
    spelt = dict(spellings)
    for bold in _BOLD_CONSTANT.finditer(spec.formula.latex):
        spelt.setdefault(bold["braced"] or bold["bare"], bold.group(0))
    broken = "\\\\" in spec.formula.latex
    latex = to_latex(converted, spelt, transpose_mark(spec.formula.latex), broken)
    formula = Display(latex, spec.formula.location)
    return IdentitySpec(
        id=spec.id,
        title=spec.title,
        layout=OTHER_LAYOUT[spec.layout],
        symbols=spec.symbols,
        formula=formula,
        location=spec.location,
    )


def transpose_mark(latex: str) -> str:
    """The author's transpose superscript (``\\text T``, ``\\top``, ``T``, …), for printing; the
    site's own (``\\text T``, see the conventions page) if ``latex`` writes no transpose."""
    found = _TRANSPOSE_MARK.search(latex)
    if found is None:
        return r"\text T"
    mark = found.group(1)
    for prefix, spelling in _MARK_SPELLINGS.items():
        if mark.startswith(prefix):
            return spelling
    return mark


def other_layout(relation: Relation, declarations: dict[str, Declaration], layout: str) -> Relation:
    """``relation`` (true in ``layout``) restated for the other layout: every side transposed."""
    swapped = Relation(tuple(swap(side) for side in relation.sides))
    transposer = Transposer(declarations, OTHER_LAYOUT[layout], swapped)
    return Relation(
        tuple(transposer.transpose(transposer.simplify(side)) for side in swapped.sides)
    )


def swap(node: Node) -> Node:
    """``node`` with every derivative replaced by the transpose of the other layout's."""
    new = with_children(node, tuple(swap(child) for child in children(node)))
    return Transpose(new) if isinstance(new, Derivative) else new


class Transposer:
    """Simplifies trees and transposes them, knowing which sub-expressions are 1×1."""

    def __init__(self, declarations: dict[str, Declaration], layout: str, relation: Relation):
        self.declarations = declarations
        self.checker = ShapeChecker(declarations, layout)
        self.checker.check_relation(relation)

    def is_scalar(self, node: Node) -> bool:
        """Whether ``node`` is 1×1 (a property a transpose does not change)."""
        return self.checker.is_scalar(self.checker.shape(node))

    def simplify(self, node: Node) -> Node:
        """Bottom-up normal form: transposes pushed down, signs out of products, no ``--``.

        What is differentiated stays as written: a derivative's operand is left alone.
        """
        if isinstance(node, Derivative):
            return node
        node = with_children(node, tuple(self.simplify(child) for child in children(node)))
        if isinstance(node, Transpose):
            return self.transpose(node.operand)
        if isinstance(node, Neg):
            return negate(node.operand)
        if isinstance(node, Mul):
            return self.product(node.factors)
        if isinstance(node, (Power, SymbolicPower)) and isinstance(node.base, Transpose):
            return self.transpose(with_children(node, (node.base.operand, *children(node)[1:])))
        return node

    def transpose(self, node: Node) -> Node:
        """The simplified transpose of a simplified ``node``."""
        if isinstance(node, Transpose):
            return node.operand
        if isinstance(node, (Number, IdentityMatrix)) or self.is_scalar(node):
            return node
        method = getattr(self, f"_transpose_{type(node).__name__}", None)
        return method(node) if method is not None else Transpose(node)

    def _transpose_Symbol(self, node: Symbol) -> Node:
        properties = self.declarations[node.name].properties
        if properties & SELF_TRANSPOSE:
            return node
        if "skew-symmetric" in properties:
            return Neg(node)
        return Transpose(node)

    def _transpose_Apply(self, node: Apply) -> Node:
        """A scalar function (and its derivatives) acts entrywise: ``f(A)ᵀ = f(Aᵀ)``."""
        if self.declarations[node.function].is_scalar_function:
            return Apply(node.function, self.transpose(node.argument), node.order)
        values = self.declarations[node.function].properties
        return node if values & SELF_TRANSPOSE else Transpose(node)

    def _transpose_Func(self, node: Func) -> Node:
        """Entrywise maps, matrix functions and the adjugate commute with the transpose
        (``adj(X)ᵀ = adj(Xᵀ)``); diag(x) is diagonal."""
        if node.name in SCALAR_FUNCTIONS | ENTRYWISE_FUNCTIONS | {"adj"}:
            return Func(node.name, self.transpose(node.operand))
        if node.name == "diag" and self.checker.is_vector(self.checker.shape(node.operand)):
            return node
        return Transpose(node)

    def _transpose_Add(self, node: Add) -> Node:
        terms = tuple(self.transpose(term) for term in node.terms)
        return node if Counter(terms) == Counter(node.terms) else Add(terms)

    def _transpose_Neg(self, node: Neg) -> Node:
        return negate(self.transpose(node.operand))

    def _transpose_Mul(self, node: Mul) -> Node:
        scalars, matrices = self.scalar_groups(node.factors)
        transposed = [self.transpose(f) for f in reversed(matrices)]
        return self.product((*scalars, *transposed))

    def scalar_groups(self, factors: tuple[Node, ...]) -> tuple[list[Node], list[Node]]:
        """The 1×1 runs of a product (``a^T x`` in ``a^T x a``), and its other factors.

        A product is read left to right, and a 1×1 running product scales what follows; such a
        run is one scalar factor, which a transpose leaves alone and in front.
        """
        scalars: list[Node] = []
        run: list[Node] = []
        shape = None
        for factor in factors:
            run.append(factor)
            factor_shape = self.checker.shape(factor)
            shape = factor_shape if shape is None else self.checker.product(shape, factor_shape)
            if self.checker.is_scalar(shape):
                scalars.append(run[0] if len(run) == 1 else Mul(tuple(run)))
                run, shape = [], None
        return scalars, run

    def product(self, factors: tuple[Node, ...]) -> Node:
        """A product with the signs of its factors moved in front and non-scalar groups flattened."""
        flat: list[Node] = []
        negative = False
        for factor in factors:
            while isinstance(factor, Neg):
                negative, factor = not negative, factor.operand
            nested = isinstance(factor, Mul) and not self.is_scalar(factor)
            flat.extend(factor.factors if nested else (factor,))
        result = flat[0] if len(flat) == 1 else Mul(tuple(flat))
        return Neg(result) if negative else result

    def _transpose_Div(self, node: Div) -> Node:
        return Div(self.transpose(node.numerator), node.denominator)

    def _transpose_Power(self, node: Power | SymbolicPower) -> Node:
        return node if self.transpose(node.base) == node.base else Transpose(node)

    _transpose_SymbolicPower = _transpose_Power

    def _transpose_Integral(self, node: Integral) -> Node:
        return Integral(node.variable, node.lower, node.upper, self.transpose(node.body))

    def _transpose_HadamardPower(self, node: HadamardPower) -> Node:
        return HadamardPower(self.transpose(node.base), node.exponent, node.real)

    def _transpose_Sum(self, node: Sum) -> Node:
        """The transpose of a finite sum is the sum of the transposed summands."""
        return Sum(node.index, node.lower, node.upper, self.transpose(node.body))

    def _transpose_Hadamard(self, node: Hadamard) -> Node:
        return Hadamard(self.transpose(node.left), self.transpose(node.right))

    def _transpose_Kronecker(self, node: Kronecker) -> Node:
        return Kronecker(self.transpose(node.left), self.transpose(node.right))


def negate(node: Node) -> Node:
    """``-node``, with a double negation cancelled."""
    return node.operand if isinstance(node, Neg) else Neg(node)
