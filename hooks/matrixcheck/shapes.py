"""Shape inference over the expression tree, in terms of the declared dimension names.

Shapes are pairs of symbolic dimensions (``n``, ``m n``, ``1``), so a mismatch is reported the way
an author thinks of it ("m×n times m×1"), not with the sizes of one random sample. The identity
matrix and a literal zero take their size from context through unification variables.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .declarations import SPECTRAL_PHRASES, SPECTRAL_PROPERTIES, Declaration, Dimension
from .errors import AuthorError
from .tree import (
    Add,
    Apply,
    Derivative,
    Differential,
    Div,
    Func,
    Hadamard,
    IdentityMatrix,
    Kronecker,
    Mul,
    Neg,
    Node,
    Number,
    Power,
    Relation,
    Spectral,
    Symbol,
    Transpose,
)

LAYOUTS = ("numerator", "denominator", "entrywise", "differential")
SCALAR_FUNCTIONS = frozenset({"log", "exp", "sin", "cos", "abs"})
SQUARE_TO_SCALAR = frozenset({"tr", "det"})
VECTOR_NORMS = frozenset({"norm2", "norm1"})
FUNCTION_LABELS = {
    "tr": "tr",
    "det": "det",
    "norm2": "‖·‖₂",
    "norm1": "‖·‖₁",
    "fro": "‖·‖_F",
    "nuclear": "‖·‖_*",
}
SPECTRAL_LABELS = {"eigenvalue": "λ", "singular value": "σ"}


@dataclass(frozen=True)
class Dim:
    """A product of dimension names times a positive integer."""

    coefficient: int
    names: tuple[str, ...] = ()

    @staticmethod
    def of(value: Dimension) -> Dim:
        return Dim(value) if isinstance(value, int) else Dim(1, (value,))

    def __mul__(self, other: Dim) -> Dim:
        return Dim(self.coefficient * other.coefficient, tuple(sorted(self.names + other.names)))

    def __str__(self) -> str:
        if not self.names:
            return str(self.coefficient)
        prefix = "" if self.coefficient == 1 else str(self.coefficient)
        return prefix + "".join(self.names)


ONE = Dim(1)


@dataclass(frozen=True)
class Var:
    """An unknown dimension, to be fixed by unification."""

    number: int

    def __str__(self) -> str:
        return "?"


Size = Dim | Var
Shape = tuple[Size, Size]


class ShapeError(AuthorError):
    """Shapes that do not fit together."""


class SidesDiffer(Exception):
    """The sides of a relation have different shapes: the identity is false as written."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__(f"the two sides have different shapes: {left} and {right}")
        self.left = left
        self.right = right


class ShapeChecker:
    """Infers the shape of every node for one identity's declarations and layout."""

    def __init__(self, declarations: dict[str, Declaration], layout: str) -> None:
        self.declarations = declarations
        self.layout = layout
        self.bindings: dict[int, Size] = {}
        self.counter = itertools.count()
        self.identities: list[tuple[IdentityMatrix, Var]] = []

    # -- unification ---------------------------------------------------------------------------
    def fresh(self) -> Var:
        return Var(next(self.counter))

    def resolve(self, size: Size) -> Size:
        while isinstance(size, Var) and size.number in self.bindings:
            size = self.bindings[size.number]
        return size

    def unify(self, first: Size, second: Size) -> bool:
        first, second = self.resolve(first), self.resolve(second)
        if first == second:
            return True
        if isinstance(first, Var):
            self.bindings[first.number] = second
            return True
        if isinstance(second, Var):
            self.bindings[second.number] = first
            return True
        return False

    def identity_sizes(self, sizes: dict[str, int]) -> dict[int, int]:
        """The size of every identity matrix in the checked trees, keyed by node identity."""
        result: dict[int, int] = {}
        for node, var in self.identities:
            size = self.resolve(var)
            if isinstance(size, Var):
                raise ShapeError(
                    "the size of an identity matrix cannot be inferred from its context",
                    "make sure I is added to or multiplied by a matrix of known shape",
                )
            result[id(node)] = size.coefficient * int(np.prod([sizes[n] for n in size.names]))
        return result

    def text(self, shape: Shape) -> str:
        return "×".join(str(self.resolve(size)) for size in shape)

    def is_scalar(self, shape: Shape) -> bool:
        return all(self.resolve(size) == ONE for size in shape)

    def is_vector(self, shape: Shape) -> bool:
        return any(self.resolve(size) == ONE for size in shape)

    def length(self, shape: Shape) -> Size:
        rows, columns = (self.resolve(size) for size in shape)
        return columns if rows == ONE else rows

    # -- inference -----------------------------------------------------------------------------
    def shape(self, node: Node) -> Shape:
        method = getattr(self, f"_shape_{type(node).__name__}")
        return method(node)

    def check_relation(self, relation: Relation) -> Shape:
        """Shapes of all sides must agree; raises :class:`SidesDiffer` otherwise."""
        shapes = [self.shape(side) for side in relation.sides]
        first = shapes[0]
        for other in shapes[1:]:
            if not self._unify_shapes(first, other):
                raise SidesDiffer(self.text(first), self.text(other))
        return first

    def _unify_shapes(self, first: Shape, second: Shape) -> bool:
        return self.unify(first[0], second[0]) and self.unify(first[1], second[1])

    def _shape_Number(self, node: Number) -> Shape:
        if node.value == 0:
            return (self.fresh(), self.fresh())
        return (ONE, ONE)

    def _shape_Symbol(self, node: Symbol) -> Shape:
        declaration = self.declarations[node.name]
        if declaration.is_function:
            raise ShapeError(
                f"the function '{node.name}' is used without an argument", f"write {node.name}(X)"
            )
        return (Dim.of(declaration.shape[0]), Dim.of(declaration.shape[1]))

    def _shape_IdentityMatrix(self, node: IdentityMatrix) -> Shape:
        size = self.fresh()
        self.identities.append((node, size))
        return (size, size)

    def _shape_Add(self, node: Add) -> Shape:
        shapes = [self.shape(term) for term in node.terms]
        result = shapes[0]
        for shape in shapes[1:]:
            if not self._unify_shapes(result, shape):
                raise ShapeError(
                    f"cannot add a {self.text(result)} term and a {self.text(shape)} term",
                    "every term of a sum must have the same shape; check for a missing transpose",
                )
        return result

    def _shape_Neg(self, node: Neg) -> Shape:
        return self.shape(node.operand)

    def _shape_Mul(self, node: Mul) -> Shape:
        result = self.shape(node.factors[0])
        for factor in node.factors[1:]:
            result = self.product(result, self.shape(factor))
        return result

    def product(self, left: Shape, right: Shape) -> Shape:
        inner_left, inner_right = self.resolve(left[1]), self.resolve(right[0])
        if inner_left == inner_right:
            return (left[0], right[1])
        if self.is_scalar(left):
            return right
        if self.is_scalar(right):
            return left
        if self.unify(inner_left, inner_right):
            return (left[0], right[1])
        raise ShapeError(
            f"cannot multiply a {self.text(left)} matrix by a {self.text(right)} matrix "
            f"(inner dimensions {inner_left} and {inner_right} differ)",
            "check the order of the factors and for a missing transpose",
        )

    def _shape_Div(self, node: Div) -> Shape:
        denominator = self.shape(node.denominator)
        if not self.is_scalar(denominator):
            raise ShapeError(
                f"cannot divide by a {self.text(denominator)} matrix",
                "only scalars can stand in a denominator; use an inverse ^{-1} instead",
            )
        return self.shape(node.numerator)

    def _shape_Transpose(self, node: Transpose) -> Shape:
        rows, columns = self.shape(node.operand)
        return (columns, rows)

    def _shape_Power(self, node: Power) -> Shape:
        shape = self.shape(node.base)
        if self.is_scalar(shape):
            return shape
        self.require_square(shape, "a power or an inverse")
        return shape

    def require_square(self, shape: Shape, what: str) -> None:
        if not self.unify(shape[0], shape[1]):
            raise ShapeError(
                f"{what} needs a square matrix, but this one is {self.text(shape)}",
                "check the shapes declared under 'symbols:'",
            )

    def _shape_Func(self, node: Func) -> Shape:
        shape = self.shape(node.operand)
        label = FUNCTION_LABELS.get(node.name, node.name)
        if node.name in SQUARE_TO_SCALAR:
            self.require_square(shape, label)
        elif (node.name == "norm2" and not self.is_vector(shape)) or node.name == "nuclear":
            norm = "spectral norm" if node.name == "norm2" else "nuclear norm"
            self.require_spectral(node.operand, "singular value", f"the {norm} {label}")
        elif node.name in VECTOR_NORMS and not self.is_vector(shape):
            raise ShapeError(
                f"{label} is a vector norm, but its argument is {self.text(shape)}",
                "use \\|X\\|_F for the Frobenius norm of a matrix",
            )
        elif node.name in SCALAR_FUNCTIONS and not self.is_scalar(shape):
            if node.name == "abs" or not self.unify(shape[0], shape[1]):
                raise ShapeError(
                    f"{label} is applied to a {self.text(shape)} matrix; it is defined for "
                    "scalars and, as a matrix function, for square matrices",
                    "apply it to a scalar or a square matrix; for the function of each entry use "
                    "the elementwise notation of the conventions page",
                )
            return shape
        return (ONE, ONE)

    def _shape_Spectral(self, node: Spectral) -> Shape:
        shape = self.shape(node.operand)
        if node.kind == "eigenvalue":
            self.require_square(shape, "an eigenvalue")
        label = f"{SPECTRAL_LABELS[node.kind]}_{node.index}"
        if node.index in ("sum", "prod"):
            label = f"the {node.index} of the eigenvalues"
        self.require_spectral(node.operand, node.kind, label)
        return (ONE, ONE)

    def require_spectral(self, operand: Node, kind: str, what: str) -> None:
        """Spectral values are taken of a declared symbol whose sampling keeps them simple."""
        needed = SPECTRAL_PROPERTIES[kind]
        if not isinstance(operand, Symbol) or self.declarations[operand.name].is_function:
            raise ShapeError(
                f"{what} is taken of an expression; the checker can only guarantee "
                f"{SPECTRAL_PHRASES[needed]} for a declared symbol",
                f"name the matrix as a symbol declared with '{needed}'",
            )
        declaration = self.declarations[operand.name]
        if needed not in declaration.properties:
            raise ShapeError(
                f"{what} of {operand.name} needs {operand.name} to have "
                f"{SPECTRAL_PHRASES[needed]}, which its declaration does not guarantee",
                f"declare '{operand.name}: {declaration.kind} …, {needed}' and state the "
                "condition in the card",
            )

    def _shape_Apply(self, node: Apply) -> Shape:
        declaration = self.declarations[node.function]
        assert declaration.argument is not None
        expected = (Dim.of(declaration.argument[0]), Dim.of(declaration.argument[1]))
        actual = self.shape(node.argument)
        if not self._unify_shapes(expected, actual):
            raise ShapeError(
                f"{node.function} takes a {self.text(expected)} argument but is given "
                f"{self.text(actual)}",
                "fix the argument or the function's declaration",
            )
        return (Dim.of(declaration.shape[0]), Dim.of(declaration.shape[1]))

    def _shape_Hadamard(self, node: Hadamard) -> Shape:
        left, right = self.shape(node.left), self.shape(node.right)
        if not self._unify_shapes(left, right):
            raise ShapeError(
                f"an entrywise product needs equal shapes, got {self.text(left)} and "
                f"{self.text(right)}",
                "check the shapes of both factors",
            )
        return left

    def _shape_Kronecker(self, node: Kronecker) -> Shape:
        left, right = self.shape(node.left), self.shape(node.right)
        sizes = [self.resolve(size) for size in (*left, *right)]
        if any(isinstance(size, Var) for size in sizes):
            raise ShapeError(
                "the size of a Kronecker factor cannot be inferred",
                "write identity matrices in a Kronecker product with an explicit size",
            )
        a, b, c, d = sizes
        assert isinstance(a, Dim) and isinstance(b, Dim) and isinstance(c, Dim)
        assert isinstance(d, Dim)
        return (a * c, b * d)

    def _shape_Differential(self, node: Differential) -> Shape:
        return self.shape(node.operand)

    def _shape_Derivative(self, node: Derivative) -> Shape:
        operand = self.shape(node.operand)
        variable = self._shape_Symbol(Symbol(node.variable))
        return self.derivative_shape(operand, variable, node.variable)

    def derivative_shape(self, operand: Shape, variable: Shape, name: str) -> Shape:
        """The shape of ∂Y/∂X in this identity's layout."""
        if self.layout == "entrywise":
            return operand
        if self.layout == "differential":
            raise ShapeError(
                f"∂/∂{name} appears in a formula declared 'layout: differential'",
                "use differential layout only for formulas in d(…); choose numerator, "
                "denominator or entrywise for derivatives",
            )
        numerator = self.layout == "numerator"
        if self.is_scalar(operand):
            return (variable[1], variable[0]) if numerator else variable
        if self.is_scalar(variable):
            return operand if numerator else (operand[1], operand[0])
        if self.is_vector(operand) and self.is_vector(variable):
            rows, columns = self.length(operand), self.length(variable)
            return (rows, columns) if numerator else (columns, rows)
        raise ShapeError(
            f"the derivative of a {self.text(operand)} matrix by the {self.text(variable)} "
            f"matrix {name} has no {self.layout}-layout form",
            "use 'layout: entrywise' (∂Y/∂X_ij for each entry) for matrix-by-matrix derivatives",
        )
