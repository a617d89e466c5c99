"""Shape inference over the expression tree, in terms of the declared dimension names.

Shapes are pairs of symbolic dimensions (``n``, ``m n``, ``1``), so a mismatch is reported the way
an author thinks of it ("m×n times m×1"), not with the sizes of one random sample. The identity
matrix and a literal zero standing alone take their size from context through unification
variables; a zero factor of a product is the scalar zero.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from .declarations import SPECTRAL_PHRASES, SPECTRAL_PROPERTIES, Declaration, Dimension
from .errors import AuthorError
from .tree import (
    Add,
    Apply,
    Commutation,
    Derivative,
    Differential,
    Div,
    Func,
    Hadamard,
    HadamardPower,
    IdentityMatrix,
    Index,
    Integral,
    Kronecker,
    Mul,
    Neg,
    Node,
    Number,
    Ones,
    PNorm,
    Power,
    RealPower,
    Relation,
    Spectral,
    Sum,
    Symbol,
    SymbolicPower,
    Transpose,
    walk,
)

LAYOUTS = ("numerator", "denominator", "entrywise", "differential")
#: Functions that are matrix (power-series) functions when applied to a square matrix.
MATRIX_FUNCTION_NAMES = frozenset({"exp", "log", "sin", "cos"})
#: Scalar functions that act entrywise on a vector; of a square matrix, matrix functions (or,
#: for |·|, an error).
SCALAR_FUNCTIONS = MATRIX_FUNCTION_NAMES | {"abs"}
#: Scalar functions that act entrywise on anything: no matrix function is ever meant by them.
ENTRYWISE_FUNCTIONS = frozenset({"sigma", "sign", "relu", "step"})
SQUARE_TO_SCALAR = frozenset({"tr", "det"})
VECTOR_NORMS = frozenset({"norm2", "norm1", "norm3", "norm4"})
FUNCTION_LABELS = {
    "tr": "tr",
    "det": "det",
    "norm2": "‖·‖₂",
    "norm1": "‖·‖₁",
    "norm3": "‖·‖₃",
    "norm4": "‖·‖₄",
    "fro": "‖·‖_F",
    "nuclear": "‖·‖_*",
    "sigma": "σ",
}
SPECTRAL_LABELS = {"eigenvalue": "λ", "singular value": "σ"}
_INTEGER = re.compile(r"\d+")
_POWER = re.compile(r"\^(\d+)")


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
        self.identities: list[tuple[Node, Size]] = []
        self.commutations: list[tuple[Commutation, Dim, Dim]] = []
        self.dimensions = sorted(
            {d for decl in declarations.values() for d in decl.dimensions()}, key=len
        )[::-1]
        #: The variables of the integrals around the node being checked: real, not integers.
        self.real_indices: set[str] = set()

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

    def identity_sizes(self, sizes: dict[str, int]) -> dict[int, int | tuple[int, int]]:
        """The size of every identity matrix and ones vector in the checked trees (and the two
        sizes of every commutation matrix), keyed by node identity."""
        result: dict[int, int | tuple[int, int]] = {}
        for node, var in self.identities:
            size = self.resolve(var)
            if isinstance(size, Var):
                what = "a vector of ones" if isinstance(node, Ones) else "an identity matrix"
                written = "\\mathbf 1_n" if isinstance(node, Ones) else "I_n"
                raise ShapeError(
                    f"the size of {what} cannot be inferred from its context",
                    f"give it a size, as in {written}, or make sure it is added to or multiplied "
                    "by a matrix of known shape",
                )
            result[id(node)] = _concrete(size, sizes)
        for node, rows, columns in self.commutations:
            result[id(node)] = (_concrete(rows, sizes), _concrete(columns, sizes))
        return result

    def read_size(self, text: str) -> Dim | None:
        """A written size such as ``n``, ``mn``, ``n^2`` or ``2n`` as a :class:`Dim`, or None."""
        text = text.replace("{", "").replace("}", "").replace(" ", "")
        result, position = ONE, 0
        while position < len(text):
            for name in [*self.dimensions, None]:
                if name is None:
                    match = _INTEGER.match(text, position)
                    if match is None:
                        return None
                    factor, end = Dim(int(match.group())), match.end()
                    break
                if text.startswith(name, position):
                    factor, end = Dim(1, (name,)), position + len(name)
                    break
            power = _POWER.match(text, end)
            if power is not None:
                end, base = power.end(), factor
                for _ in range(int(power.group(1)) - 1):
                    factor = factor * base
            result, position = result * factor, end
        return result

    def _declared_size(self, text: str, what: str, example: str) -> Dim:
        size = self.read_size(text)
        if size is None:
            known = ", ".join(sorted(self.dimensions)) or "none"
            raise ShapeError(
                f"cannot read the size '{text}' of {what}",
                f"write it with the dimension names of the declared shapes ({known}), as in "
                f"{example}",
            )
        return size

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
        size: Size = self.fresh()
        if node.size:
            size = self._declared_size(node.size, "an identity matrix", "I_n or I_{mn}")
        self.identities.append((node, size))
        return (size, size)

    def _shape_Ones(self, node: Ones) -> Shape:
        size: Size = self.fresh()
        if node.size:
            size = self._declared_size(node.size, "a vector of ones", "\\mathbf 1_n")
        self.identities.append((node, size))
        return (size, ONE)

    def _shape_Commutation(self, node: Commutation) -> Shape:
        """``K_{mn}`` (or ``K_{m,n}``) is mn×mn; the subscript splits into two sizes."""
        text = node.subscript.replace("{", "").replace("}", "").replace(" ", "")
        candidates = (
            [tuple(text.split(","))]
            if "," in text
            else [(text[:cut], text[cut:]) for cut in range(1, len(text))]
        )
        readings = []
        for first, second in candidates:
            rows, columns = self.read_size(first), self.read_size(second)
            if rows is not None and columns is not None:
                readings.append((rows, columns))
        if len(readings) != 1:
            problem = "cannot be read" if not readings else "can be read in several ways"
            raise ShapeError(
                f"the subscript of the commutation matrix K_{{{node.subscript}}} {problem}",
                "write K_{mn} with two declared dimension names, or K_{m,n}",
            )
        rows, columns = readings[0]
        self.commutations.append((node, rows, columns))
        size = rows * columns
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
        result = self._factor_shape(node.factors[0])
        for factor in node.factors[1:]:
            result = self.product(result, self._factor_shape(factor))
        return result

    def _factor_shape(self, factor: Node) -> Shape:
        """A literal zero in a product is the scalar zero, as the evaluators read it: ``0 A``
        has the shape of ``A``. Only a zero standing alone (a side, a term) takes its shape
        from context; a zero matrix inside a product is written with its size, ``0 I_n``."""
        if isinstance(factor, Number) and factor.value == 0:
            return (ONE, ONE)
        return self.shape(factor)

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
        if node.exponent < 0:
            self._require_invertible(node.base)
        return shape

    def _require_invertible(self, base: Node) -> None:
        """An inverse of a symbol declared singular does not exist."""
        if isinstance(base, Symbol) and "singular" in self.declarations[base.name].properties:
            raise ShapeError(
                f"{base.name} is declared singular, so its inverse does not exist",
                f"declare {base.name} invertible, or write the formula without the inverse "
                f"(\\operatorname{{adj}}({base.name}) instead of \\det({base.name}) {base.name}^{{-1}})",
            )

    def _shape_SymbolicPower(self, node: SymbolicPower) -> Shape:
        """``X^{k-1}``: a scalar or a square matrix to an integer expression (``X^{-k}``, written
        negative, is a power of the inverse)."""
        self.require_integer(node.exponent, "the exponent of a power")
        shape = self.shape(node.base)
        if not self.is_scalar(shape):
            self.require_square(shape, "a power")
            if written_negative(node.exponent):
                self._require_invertible(node.base)
        return shape

    def _shape_RealPower(self, node: RealPower) -> Shape:
        """``s^{\\alpha}``: a scalar base (positive where it is evaluated) to a scalar exponent."""
        shape = self.shape(node.base)
        if not self.is_scalar(shape):
            raise ShapeError(
                f"a power with a real exponent needs a scalar base, but this one is "
                f"{self.text(shape)}",
                "a matrix takes integer powers only (^{2}, ^{-1}, ^{k-1} with k declared "
                "'positive integer'); raise a scalar such as \\det(X) or x^T x to a real power, "
                "or every entry, A^{\\circ \\alpha}",
            )
        self._require_scalar_exponent(node.exponent)
        return shape

    def _shape_HadamardPower(self, node: HadamardPower) -> Shape:
        """``A^{\\circ e}``: the shape of ``A``; a real exponent is a scalar, an integer one an
        integer expression."""
        if node.real:
            self._require_scalar_exponent(node.exponent)
        else:
            self.require_integer(node.exponent, "the exponent of an entrywise power")
        return self.shape(node.base)

    def _shape_PNorm(self, node: PNorm) -> Shape:
        """``‖x‖_p``: a vector and a scalar order give a scalar."""
        shape = self.shape(node.operand)
        if not self.is_vector(shape):
            raise ShapeError(
                f"‖·‖_p is a vector norm, but its argument is {self.text(shape)}",
                "use \\|X\\|_F for the Frobenius norm of a matrix, or take the norm of vec X",
            )
        self._require_scalar_exponent(node.order)
        return (ONE, ONE)

    def _require_scalar_exponent(self, exponent: Node) -> None:
        shape = self.shape(exponent)
        if not self.is_scalar(shape):
            raise ShapeError(
                f"the exponent of a power must be a scalar, but this one is {self.text(shape)}",
                "write a scalar exponent such as \\alpha, p - 1 or \\frac{1}{2}",
            )

    def _shape_Index(self, node: Index) -> Shape:
        return (ONE, ONE)

    def _shape_Sum(self, node: Sum) -> Shape:
        """A finite sum has the shape of its summand; its bounds are integer expressions."""
        self.require_integer(node.lower, f"the lower bound of the sum over {node.index}")
        self.require_integer(node.upper, f"the upper bound of the sum over {node.index}")
        return self.shape(node.body)

    def _shape_Integral(self, node: Integral) -> Shape:
        """An integral has the shape of its integrand; its bounds are scalars."""
        for bound, which in ((node.lower, "lower"), (node.upper, "upper")):
            shape = self.shape(bound)
            if not self._unify_shapes(shape, (ONE, ONE)):
                raise ShapeError(
                    f"the {which} bound of the integral over {node.variable} must be a scalar, "
                    f"but is {self.text(shape)}",
                    "write numbers or scalar expressions as the bounds, as in \\int_0^1",
                )
        self.real_indices.add(node.variable)
        try:
            return self.shape(node.body)
        finally:
            self.real_indices.discard(node.variable)

    def require_integer(self, node: Node, what: str) -> None:
        """``node`` is built from integers, symbols declared 'positive integer' and summation
        indices with ``+``, ``-`` and products."""
        for part in walk(node):
            if isinstance(part, Index) and part.name in self.real_indices:
                raise ShapeError(
                    f"{what} uses '{part.name}', the real variable of an integral",
                    "use integers, symbols declared 'positive integer' and the index of an "
                    "enclosing sum there",
                )
            if isinstance(part, (Add, Neg, Mul, Index)):
                continue
            if isinstance(part, Number) and part.value.denominator == 1:
                continue
            if isinstance(part, Symbol) and self.declarations[part.name].is_integer:
                continue
            if isinstance(part, Symbol):
                name = part.name
                raise ShapeError(
                    f"{what} uses '{name}', which is not declared as an integer",
                    f"declare '{name}: positive integer', or write the power with integers and "
                    "the index of an enclosing sum",
                )
            raise ShapeError(
                f"{what} must be an integer expression such as k - 1, but is not",
                "write it with integers, symbols declared 'positive integer' and the index of "
                "an enclosing sum, joined by + and -",
            )

    def require_square(self, shape: Shape, what: str) -> None:
        if not self.unify(shape[0], shape[1]):
            raise ShapeError(
                f"{what} needs a square matrix, but this one is {self.text(shape)}",
                "check the shapes declared under 'symbols:'",
            )

    def _shape_Func(self, node: Func) -> Shape:
        shape = self.shape(node.operand)
        label = FUNCTION_LABELS.get(node.name, node.name)
        structured = getattr(self, f"_shape_{node.name}", None)
        if structured is not None:
            return structured(shape)
        if node.name in ENTRYWISE_FUNCTIONS or (
            node.name in SCALAR_FUNCTIONS and self.is_vector(shape)
        ):
            return shape
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
                    f"{label} is applied to a {self.text(shape)} matrix; it is read for scalars, "
                    "entrywise for vectors, and as a matrix function for square matrices",
                    "apply it to a scalar, a vector or a square matrix; for an entrywise map of a "
                    "matrix use σ, sign, relu or step, which are always entrywise",
                )
            return shape
        return (ONE, ONE)

    def _concrete_shape(self, shape: Shape, what: str) -> tuple[Dim, Dim]:
        rows, columns = (self.resolve(size) for size in shape)
        if not isinstance(rows, Dim) or not isinstance(columns, Dim):
            raise ShapeError(
                f"the shape of the argument of {what} cannot be inferred",
                "give identity matrices and vectors of ones inside it an explicit size, as I_n",
            )
        return rows, columns

    def _shape_adj(self, shape: Shape) -> Shape:
        """The adjugate of a square matrix has its shape."""
        self.require_square(shape, "adj (the adjugate)")
        return shape

    def _shape_vec(self, shape: Shape) -> Shape:
        rows, columns = self._concrete_shape(shape, "vec")
        return (rows * columns, ONE)

    def _shape_diag(self, shape: Shape) -> Shape:
        """diag of a vector is a diagonal matrix; diag of a square matrix, its diagonal."""
        if self.is_scalar(shape):
            raise ShapeError(
                "diag is applied to a scalar",
                "apply diag to a vector (to build a diagonal matrix) or a square matrix",
            )
        if self.is_vector(shape):
            length = self.length(shape)
            return (length, length)
        self.require_square(shape, "diag of a matrix (its diagonal)")
        return (shape[0], ONE)

    def _shape_softmax(self, shape: Shape) -> Shape:
        """softmax of a vector, or of each row of a matrix: the argument's shape."""
        if self.is_scalar(shape):
            raise ShapeError(
                "softmax is applied to a scalar", "apply it to a vector, or a matrix (row-wise)"
            )
        return shape

    def _shape_lse(self, shape: Shape) -> Shape:
        """lse of a vector is a scalar; of an m×n matrix, the m×1 column of its rows' lse."""
        if self.is_scalar(shape):
            raise ShapeError(
                "lse (log-sum-exp) is applied to a scalar",
                "apply it to a vector, or a matrix (row-wise)",
            )
        return (ONE, ONE) if self.is_vector(shape) else (shape[0], ONE)

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
        if declaration.is_scalar_function:
            return self.shape(node.argument)  # applied entry by entry, as are f' and f''
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
        if isinstance(node.operand, Symbol):
            self._require_continuous(node.operand.name, f"d{node.operand.name}")
        return self.shape(node.operand)

    def _require_continuous(self, name: str, what: str) -> None:
        """A positive integer does not vary continuously: nothing is differentiated by it."""
        if self.declarations[name].is_integer:
            raise ShapeError(
                f"{what} differentiates by {name}, which is declared a positive integer",
                f"differentiate by a matrix, vector or scalar symbol; {name} is a fixed integer",
            )

    def _shape_Derivative(self, node: Derivative) -> Shape:
        self._require_continuous(node.variable, f"∂/∂{node.variable}")
        operand = self.shape(node.operand)
        variable = self._shape_Symbol(Symbol(node.variable))
        name = node.variable
        if node.vectorized:
            rows, columns = self._concrete_shape(variable, "vec")
            variable, name = (rows * columns, ONE), f"vec {node.variable}"
        if node.order == 2:
            return self.hessian_shape(operand, variable, name)
        return self.derivative_shape(operand, variable, name)

    def hessian_shape(self, operand: Shape, variable: Shape, name: str) -> Shape:
        """The Hessian of a scalar by a vector of length n is n×n, in either layout."""
        if self.layout not in ("numerator", "denominator"):
            raise ShapeError(
                f"a Hessian appears in a formula declared 'layout: {self.layout}'",
                "declare 'layout: numerator' or 'layout: denominator' (the Hessian is the same "
                "matrix in both)",
            )
        if not self.is_scalar(operand):
            raise ShapeError(
                f"the Hessian of a {self.text(operand)} matrix: a Hessian is taken of a scalar",
                "differentiate a scalar twice, or take the Jacobian of the gradient",
            )
        if not self.is_vector(variable):
            raise ShapeError(
                f"the Hessian by the {self.text(variable)} matrix {name} has no matrix form",
                "differentiate by \\operatorname{vec} of the matrix: \\partial "
                "\\operatorname{vec} X \\partial (\\operatorname{vec} X)^\\top",
            )
        length = self.length(variable)
        return (length, length)

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


def written_negative(exponent: Node) -> bool:
    """Whether an integer exponent is written with a leading minus (``-k``, ``-k + 1``): a
    power of the inverse, at least for large ``k``."""
    leading = exponent.terms[0] if isinstance(exponent, Add) else exponent
    return isinstance(leading, Neg)


def _concrete(size: Dim, sizes: dict[str, int]) -> int:
    return size.coefficient * int(np.prod([sizes[n] for n in size.names]))
