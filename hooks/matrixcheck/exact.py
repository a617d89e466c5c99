"""Exact backend: evaluates the same tree with SymPy on rational matrices and differentiates exactly.

Symbols take random rational values that honour their declarations (symmetric ``G + Gᵀ``,
positive definite ``B Bᵀ + I``, orthogonal by the Cayley transform ``(I − S)(I + S)⁻¹``, …) at
small sizes (2, 3, 4). A directional derivative is ``d/dt f(X + t V)`` at ``t = 0`` for a fresh
symbol ``t``, computed by SymPy: no step size, no rounding. The sides are then compared exactly
when every entry is rational (a nonzero rational function vanishes at a random rational point with
negligible probability), and to 50 digits when logarithms, exponentials or square roots appear.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy

from .declarations import Declaration, bound_symbols
from .evaluate import DomainError, Evaluator, Point, Values
from .sampling import (
    Entrywise,
    concrete,
    orthogonal_group,
    seed_for,
    tangent_patterns,
    test_function,
)
from .tree import Node, Spectral

EXACT_TRIALS = 2
EXACT_SIZES = (2, 3, 4, 5, 6)
DIGITS = 50
AGREEMENT = sympy.Float("1e-35", DIGITS)

MPMATH_FUNCTIONS = {"exp": "expm", "log": "logm", "sin": "sinm", "cos": "cosm"}


class NotExact(Exception):
    """The exact backend cannot evaluate this formula; the message says why."""


SYMPY_ENTRYWISE = Entrywise(
    product=lambda a, b: a.multiply_elementwise(b),
    sin=lambda a: a.applyfunc(sympy.sin),
    exp=lambda a: a.applyfunc(sympy.exp),
)


class ExactEvaluator(Evaluator):
    """SymPy primitives; derivatives by a fresh symbol ``t`` and ``d/dt`` at 0."""

    def __init__(self, point: Point) -> None:
        super().__init__(point)
        self.steps: list[sympy.Symbol] = []

    def evaluate(self, node: Node, values: Values | None = None) -> sympy.Matrix:
        """Evaluate, keeping every entry to first order in each open ``t`` (``t² = 0``).

        Only ``d/dt`` at 0 is ever read, so higher powers of ``t`` are dropped as soon as they
        appear; this keeps expressions small without any rule of matrix calculus.
        """
        value = super().evaluate(node, values)
        return value.applyfunc(self._first_order) if self.steps else value

    def _first_order(self, expression: sympy.Expr) -> sympy.Expr:
        for t in self.steps:
            if expression.has(t):
                slope = sympy.diff(expression, t).subs(t, 0)
                expression = expression.subs(t, 0) + t * slope
        return expression

    def at_zero(self, expression: sympy.Expr) -> sympy.Expr:
        """The value of an entry at the sample itself (every open ``t`` set to 0)."""
        return expression.subs({t: 0 for t in self.steps}) if self.steps else expression

    def number(self, value: Fraction) -> sympy.Matrix:
        return sympy.Matrix([[sympy.Rational(value.numerator, value.denominator)]])

    def eye(self, size: int) -> sympy.Matrix:
        return sympy.eye(size)

    def shape(self, value: sympy.Matrix) -> tuple[int, int]:
        return value.shape

    def entry(self, value: sympy.Matrix, row: int, column: int) -> sympy.Expr:
        return value[row, column]

    def scale(self, value: sympy.Matrix, factor: sympy.Expr) -> sympy.Matrix:
        return value * factor

    def matmul(self, left: sympy.Matrix, right: sympy.Matrix) -> sympy.Matrix:
        return left * right

    def transpose(self, value: sympy.Matrix) -> sympy.Matrix:
        return value.T

    def inverse(self, value: sympy.Matrix) -> sympy.Matrix:
        determinant = value.det()
        if self.at_zero(determinant) == 0:
            raise DomainError("a matrix that is inverted is singular at the exact sample")
        return value.adjugate() / determinant

    def hadamard(self, left: sympy.Matrix, right: sympy.Matrix) -> sympy.Matrix:
        return left.multiply_elementwise(right)

    def kron(self, left: sympy.Matrix, right: sympy.Matrix) -> sympy.Matrix:
        return sympy.kronecker_product(left, right)

    def vec(self, value: sympy.Matrix) -> sympy.Matrix:
        rows, columns = value.shape
        return value.reshape(rows * columns, 1)

    def reciprocal(self, scalar: sympy.Expr) -> sympy.Expr:
        if self.at_zero(scalar) == 0:
            raise DomainError("division by zero at the exact sample")
        return 1 / scalar

    def function(self, name: str, value: sympy.Matrix) -> sympy.Matrix:
        return sympy.Matrix([[self._scalar_function(name, value)]])

    def _scalar_function(self, name: str, value: sympy.Matrix) -> sympy.Expr:
        z = value[0, 0]
        if name == "tr":
            return value.trace()
        if name == "det":
            return value.det()
        if name == "log":
            if not self.at_zero(z).is_positive:
                raise DomainError("the logarithm of a non-positive number")
            return sympy.log(z)
        if name in ("exp", "sin", "cos"):
            return getattr(sympy, name)(z)
        if name == "abs":
            return z * self._sign(z)
        if name == "norm1":
            return sum((e * self._sign(e) for e in value), sympy.Integer(0))
        squared = sum((e * e for e in value), sympy.Integer(0))
        if not self.at_zero(squared).is_positive:
            raise DomainError("a norm at zero, where it is not differentiable")
        return sympy.sqrt(squared)

    def matrix_function(self, name: str, value: sympy.Matrix) -> sympy.Matrix:
        """The matrix function at 50 digits (mpmath); with one open ``t`` by the block rule.

        ``f([[M, N], [0, M]]) = [[f(M), Df(M)[N]], [0, f(M)]]`` for analytic ``f``, so the
        first-order part in ``t`` is exact to 50 digits without any rule of matrix calculus.
        """
        open_steps = [t for t in self.steps if value.has(t)]
        if len(open_steps) > 1 or value.free_symbols - set(open_steps):
            raise NotExact("a matrix function inside a nested derivative")
        n = value.rows
        base = value.subs({t: 0 for t in open_steps})
        slope = value.diff(open_steps[0]).subs(open_steps[0], 0) if open_steps else None
        if name == "log":
            eigenvalues = np.linalg.eigvals(np.array(base.evalf(20).tolist(), dtype=float))
            if np.any((np.abs(eigenvalues.imag) < 1e-12) & (eigenvalues.real <= 0)):
                raise DomainError("the logarithm of a matrix with an eigenvalue on (−∞, 0]")
        with mpmath.workdps(DIGITS + 10):
            size = 2 * n if slope is not None else n
            block = mpmath.zeros(size, size)
            for i, j in itertools.product(range(n), range(n)):
                block[i, j] = mpmath.mpf(sympy.N(base[i, j], DIGITS + 10))
                if slope is not None:
                    block[n + i, n + j] = block[i, j]
                    block[i, n + j] = mpmath.mpf(sympy.N(slope[i, j], DIGITS + 10))
            result = getattr(mpmath, MPMATH_FUNCTIONS[name])(block)

            def entry(i: int, j: int) -> sympy.Expr:
                value = sympy.Float(mpmath.re(result[i, j]), DIGITS)
                if slope is not None:
                    value += open_steps[0] * sympy.Float(mpmath.re(result[i, n + j]), DIGITS)
                return value

            return sympy.Matrix(n, n, entry)

    def spectral(self, node: Spectral, value: sympy.Matrix) -> sympy.Matrix:
        raise NotExact(
            f"{node.kind}s of rational matrices are irrational algebraic numbers in general, and "
            "their derivatives have no form independent of the identity being checked"
        )

    def bound(self, binding, values: Values) -> sympy.Matrix:
        raise NotExact(f"the {binding.kind} of a rational matrix is not rational in general")

    def _sign(self, expression: sympy.Expr) -> int:
        value = self.at_zero(expression)
        if value == 0:
            raise DomainError("the absolute value at zero, where it is not differentiable")
        return 1 if value.is_positive else -1

    def directional(self, node: Node, values: Values, directions: Values) -> sympy.Matrix:
        t = sympy.Symbol(f"t{len(self.steps)}")
        self.steps.append(t)
        shifted = dict(values)
        for name, direction in directions.items():
            shifted[name] = values[name] + t * direction
        result = self.evaluate(node, shifted).diff(t).subs(t, 0)
        self.steps.pop()
        return result


@dataclass
class ExactOutcome:
    """``verified``, ``failed`` (with the entry that differs) or ``not applicable`` (why)."""

    status: str
    reason: str = ""
    sizes: list[dict[str, int]] | None = None


def _rational(rng: np.random.Generator, shape: tuple[int, int], low: int = -4) -> sympy.Matrix:
    numerators = rng.integers(low, 5, size=shape)
    denominators = rng.integers(1, 4, size=shape)
    rows, columns = shape
    return sympy.Matrix(
        rows,
        columns,
        lambda i, j: sympy.Rational(int(numerators[i, j]), int(denominators[i, j])),
    )


def exact_value(
    properties: frozenset[str], shape: tuple[int, int], rng: np.random.Generator
) -> sympy.Matrix:
    """A random rational matrix with the declared properties."""
    n = shape[0]
    if properties & {"simple spectrum", "simple singular values"}:
        return _exact_simple_spectrum(properties, shape, rng)
    general = _rational(rng, shape)
    if "diagonal" in properties:
        entries = [_nonzero(rng) for _ in range(n)]
        if "positive definite" in properties:
            entries = [abs(e) for e in entries]
        value = sympy.diag(*entries)
    elif "positive definite" in properties:
        value = general * general.T + sympy.eye(n)
    elif "orthogonal" in properties:
        skew = general - general.T
        value = (sympy.eye(n) - skew) * (sympy.eye(n) + skew).inv()
    elif "symmetric" in properties:
        value = general + general.T
    elif "skew-symmetric" in properties:
        value = general - general.T
    elif properties & {"lower triangular", "upper triangular"}:
        value = general.lower_triangular(-1) + sympy.diag(*[_nonzero(rng) for _ in range(n)])
        if "upper triangular" in properties:
            value = value.T
    else:
        value = general
    if "positive" in properties:
        value = value.applyfunc(lambda e: abs(e) + sympy.Rational(1, 2))
    elif "nonzero" in properties:
        value = value.applyfunc(lambda e: e if e != 0 else sympy.Integer(1))
    shift = 0
    while "invertible" in properties and (value + shift * sympy.eye(n)).det() == 0:
        shift += 1
    return value + shift * sympy.eye(n) if shift else value


def _rational_orthogonal(n: int, rng: np.random.Generator) -> sympy.Matrix:
    """The Cayley transform ``(I − S)(I + S)⁻¹`` of a random rational skew matrix."""
    general = _rational(rng, (n, n))
    skew = general - general.T
    return (sympy.eye(n) - skew) * (sympy.eye(n) + skew).inv()


def _exact_simple_spectrum(
    properties: frozenset[str], shape: tuple[int, int], rng: np.random.Generator
) -> sympy.Matrix:
    """Rational matrices with integer eigenvalues (or singular values) at least 1 apart.

    Eigenvalues are nonzero (positive for positive definite); singular values are at least 1.
    Symmetric matrices are ``Q D Qᵀ`` with a rational orthogonal ``Q``; others ``S D S⁻¹``.
    """
    rows, columns = shape
    count = min(rows, columns)
    steps = [int(step) for step in rng.integers(1, 3, size=count)]
    values = [sum(steps[: k + 1]) for k in range(count)]
    if "simple singular values" in properties:
        left = _rational_orthogonal(rows, rng)[:, :count]
        right = _rational_orthogonal(columns, rng)[:, :count]
        return left * sympy.diag(*values) * right.T
    if "positive definite" not in properties:
        shift = int(rng.integers(0, count + 1))
        values = [v - values[shift - 1] if shift else v for v in values]
        values = [2 * v - 1 if shift else v for v in values]
    diagonal = sympy.diag(*values)
    q = _rational_orthogonal(rows, rng)
    if properties & {"symmetric", "positive definite"}:
        return q * diagonal * q.T
    basis = q * sympy.diag(*[_nonzero(rng) for _ in range(rows)])
    return basis * diagonal * basis.inv()


def _nonzero(rng: np.random.Generator) -> sympy.Rational:
    numerator = int(rng.integers(1, 5)) * int(rng.choice((-1, 1)))
    return sympy.Rational(numerator, int(rng.integers(1, 4)))


def exact_sizes(names: list[str]) -> list[dict[str, int]]:
    """Small distinct sizes, two assignments (e.g. m=2, n=3 and m=3, n=2)."""
    names = sorted(names)
    pool = EXACT_SIZES[: max(len(names), 2)]
    assignments = list(itertools.permutations(pool, len(names)))
    return [dict(zip(names, a, strict=True)) for a in (assignments[0], assignments[-1])]


def exact_points(
    identity_id: str,
    declarations: dict[str, Declaration],
    variables: list[str],
    layout: str,
    test_kinds: tuple[str, ...],
) -> list[tuple[dict[str, int], list[Point]]]:
    """The exact samples: for each trial its sizes and its points (one per basis direction in
    entrywise layout, where ``∂/∂X`` and ``dX`` mean the single entry ``E_ij``, as numerically)."""
    dimensions = sorted({d for decl in declarations.values() for d in decl.dimensions()})
    trials = []
    for index, sizes in enumerate(exact_sizes(dimensions)[:EXACT_TRIALS]):
        rng = np.random.default_rng(seed_for(identity_id, 1000 + index))
        values: Values = {}
        functions: dict[str, Callable] = {}
        for name in sorted(declarations):
            declaration = declarations[name]
            if declaration.is_function:
                kind = test_kinds[index % len(test_kinds)]
                functions[name] = _exact_test_function(declaration, sizes, kind, rng)
            else:
                shape = concrete(declaration.shape, sizes)
                values[name] = exact_value(declaration.properties, shape, rng)
        bases = {v: _exact_basis(declarations[v].properties, values[v]) for v in variables}
        directions = {v: _exact_direction(bases[v], rng) for v in variables}

        bindings = bound_symbols(declarations)
        if layout == "entrywise":
            points = [
                Point(values, functions, layout, bases, {**directions, v: b}, {}, bindings)
                for v in variables
                for b in bases[v]
            ]
        else:
            points = [Point(values, functions, layout, bases, directions, {}, bindings)]
        trials.append((sizes, points))
    return trials


def _exact_basis(properties: frozenset[str], value: sympy.Matrix) -> list[sympy.Matrix]:
    basis = []
    for pattern in tangent_patterns(properties, value.shape):
        direction = sympy.zeros(*value.shape)
        for i, j, coefficient in pattern:
            direction[i, j] = coefficient
        basis.append(value * direction if orthogonal_group(properties) else direction)
    return basis


def _exact_direction(basis: list[sympy.Matrix], rng: np.random.Generator) -> sympy.Matrix:
    weights = [int(w) for w in rng.integers(1, 4, size=len(basis))]
    total = sympy.zeros(*basis[0].shape)
    for weight, direction in zip(weights, basis, strict=True):
        total += weight * direction
    return total


def _exact_test_function(
    declaration: Declaration, sizes: dict[str, int], kind: str, rng: np.random.Generator
) -> Callable:
    assert declaration.argument is not None
    m, n = concrete(declaration.argument, sizes)
    p, q = concrete(declaration.shape, sizes)
    factors = [(_rational(rng, (p, m)) / 10, _rational(rng, (n, q))) for _ in range(3)]
    offset = exact_value(declaration.properties, (p, q), rng)
    if declaration.properties & {"invertible", "positive definite"}:
        offset = offset + 3 * sympy.eye(p)
    return test_function(declaration, kind, offset, factors, SYMPY_ENTRYWISE)


def exact_difference(left: sympy.Matrix, right: sympy.Matrix) -> str:
    """Empty if the sides agree exactly (or to 50 digits); else a description of an entry."""
    left, right = _zero_as(left, right), _zero_as(right, left)
    if left.shape != right.shape:
        return f"the sides have shapes {left.shape} and {right.shape}"
    for i, j in itertools.product(range(left.rows), range(left.cols)):
        a, b = left[i, j], right[i, j]
        difference = a - b
        if difference.is_Rational:
            if difference != 0:
                return f"entry ({i + 1}, {j + 1}) differs exactly: {a} versus {b}"
            continue
        scale = max(abs(sympy.N(a, DIGITS)), abs(sympy.N(b, DIGITS)), sympy.Integer(1))
        if abs(sympy.N(difference, DIGITS)) > AGREEMENT * scale:
            return (
                f"entry ({i + 1}, {j + 1}) differs at {DIGITS} digits: "
                f"{sympy.N(a, 12)} versus {sympy.N(b, 12)}"
            )
    return ""


def _zero_as(value: sympy.Matrix, other: sympy.Matrix) -> sympy.Matrix:
    """A literal 1×1 zero stands for a zero matrix of the other side's shape."""
    if value.shape == (1, 1) and value[0, 0] == 0:
        return sympy.zeros(*other.shape)
    return value
