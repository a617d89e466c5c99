"""Numeric backend: evaluates the expression tree with NumPy and differentiates at machine precision.

Every value is a 2-D array (a scalar is 1×1). Derivatives are taken by the complex step,
``Df(x)[v] = Im f(x + i h v) / h`` with ``h = 1e-30``: no subtraction, so no cancellation error, and
the result is accurate to rounding. Every function here is written as the analytic continuation of
its real definition (``|z|`` as ``z·sign(Re z)``, ``‖x‖₂`` as ``sqrt(Σ x_i²)``, no conjugation), which
is what makes the complex step valid. A derivative nested inside another one (the values are
already complex) falls back to an eighth-order central difference, and the comparison tolerance
is widened accordingly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

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
    Symbol,
    Transpose,
)

COMPLEX_STEP = 1e-30
DIFFERENCE_STEP = 2e-2
#: Eighth-order central difference weights for f'(0), at offsets 1…4 (antisymmetric).
DIFFERENCE_WEIGHTS = (4 / 5, -1 / 5, 4 / 105, -1 / 280)
LARGEST_CONDITION = 1e10


class DomainError(Exception):
    """The expression is undefined at the sample (log of a negative number, singular matrix …)."""


@dataclass
class Point:
    """One sample: values of the symbols, test functions, the layout and the current directions.

    ``bases`` holds, for each variable of differentiation, the orthonormal basis of directions it
    may move in; ``directions`` the direction that ``dX`` and, in entrywise layout, ``∂/∂X`` mean.
    """

    values: dict[str, np.ndarray]
    functions: dict[str, Callable[[np.ndarray], np.ndarray]]
    layout: str
    bases: dict[str, list[np.ndarray]]
    directions: dict[str, np.ndarray]
    identity_sizes: dict[int, int] = field(default_factory=dict)
    used_differences: bool = field(default=False)


class NumericEvaluator:
    """Walks the tree at one :class:`Point`; one method per node type."""

    def __init__(self, point: Point) -> None:
        self.point = point
        self.magnitude = 0.0

    def evaluate(self, node: Node, values: dict[str, np.ndarray] | None = None) -> np.ndarray:
        values = self.point.values if values is None else values
        method = getattr(self, f"_eval_{type(node).__name__}")
        value = method(node, values)
        self._observe(value)
        return value

    def _observe(self, value: np.ndarray) -> None:
        """Track the largest intermediate value (and derivative, inside a complex step).

        Rounding errors scale with the largest quantity a computation passes through, not with
        its result: ``d(X X⁻¹) = 0`` is computed from terms of size ``‖X⁻¹‖``. The comparison
        therefore measures differences against this magnitude as well as against the sides.
        """
        size = float(np.linalg.norm(value.real))
        if np.iscomplexobj(value):
            size = max(size, float(np.linalg.norm(value.imag)) / COMPLEX_STEP)
        if np.isfinite(size):
            self.magnitude = max(self.magnitude, size)

    # -- leaves ------------------------------------------------------------------------------------
    def _eval_Number(self, node: Number, values: dict[str, np.ndarray]) -> np.ndarray:
        return np.array([[float(node.value)]])

    def _eval_Symbol(self, node: Symbol, values: dict[str, np.ndarray]) -> np.ndarray:
        return values[node.name]

    def _eval_IdentityMatrix(
        self, node: IdentityMatrix, values: dict[str, np.ndarray]
    ) -> np.ndarray:
        return np.eye(self.point.identity_sizes[id(node)])

    # -- algebra -----------------------------------------------------------------------------------
    def _eval_Add(self, node: Add, values: dict[str, np.ndarray]) -> np.ndarray:
        result = self.evaluate(node.terms[0], values)
        for term in node.terms[1:]:
            result = result + self.evaluate(term, values)
        return result

    def _eval_Neg(self, node: Neg, values: dict[str, np.ndarray]) -> np.ndarray:
        return -self.evaluate(node.operand, values)

    def _eval_Mul(self, node: Mul, values: dict[str, np.ndarray]) -> np.ndarray:
        result = self.evaluate(node.factors[0], values)
        for factor in node.factors[1:]:
            result = multiply(result, self.evaluate(factor, values))
        return result

    def _eval_Div(self, node: Div, values: dict[str, np.ndarray]) -> np.ndarray:
        denominator = self.evaluate(node.denominator, values)[0, 0]
        if denominator == 0:
            raise DomainError("division by zero")
        return self.evaluate(node.numerator, values) / denominator

    def _eval_Transpose(self, node: Transpose, values: dict[str, np.ndarray]) -> np.ndarray:
        return self.evaluate(node.operand, values).T

    def _eval_Power(self, node: Power, values: dict[str, np.ndarray]) -> np.ndarray:
        base = self.evaluate(node.base, values)
        if base.shape == (1, 1):
            if base[0, 0] == 0 and node.exponent < 0:
                raise DomainError("a negative power of zero")
            return base**node.exponent
        if node.exponent < 0:
            base = invert(base)
        return np.linalg.matrix_power(base, abs(node.exponent))

    def _eval_Hadamard(self, node: Hadamard, values: dict[str, np.ndarray]) -> np.ndarray:
        return self.evaluate(node.left, values) * self.evaluate(node.right, values)

    def _eval_Kronecker(self, node: Kronecker, values: dict[str, np.ndarray]) -> np.ndarray:
        return np.kron(self.evaluate(node.left, values), self.evaluate(node.right, values))

    def _eval_Func(self, node: Func, values: dict[str, np.ndarray]) -> np.ndarray:
        operand = self.evaluate(node.operand, values)
        return np.array([[FUNCTIONS[node.name](operand)]])

    def _eval_Apply(self, node: Apply, values: dict[str, np.ndarray]) -> np.ndarray:
        return self.point.functions[node.function](self.evaluate(node.argument, values))

    # -- calculus ----------------------------------------------------------------------------------
    def _eval_Differential(self, node: Differential, values: dict[str, np.ndarray]) -> np.ndarray:
        return self.directional(node.operand, values, self.point.directions)

    def _eval_Derivative(self, node: Derivative, values: dict[str, np.ndarray]) -> np.ndarray:
        variable = node.variable
        if self.point.layout == "entrywise":
            return self.directional(
                node.operand, values, {variable: self.point.directions[variable]}
            )
        basis = self.point.bases.get(variable) or unit_basis(values[variable].shape)
        partials = [self.directional(node.operand, values, {variable: b}) for b in basis]
        gradient = sum(
            (np.multiply.outer(d, b) for d, b in zip(partials, basis, strict=True)),
            np.zeros(partials[0].shape + basis[0].shape, dtype=partials[0].dtype),
        )
        return arrange(gradient, self.point.layout)

    def directional(
        self, node: Node, values: dict[str, np.ndarray], directions: dict[str, np.ndarray]
    ) -> np.ndarray:
        """The derivative of ``node`` at ``values`` along ``directions`` (symbol → direction)."""
        if not any(np.iscomplexobj(v) for v in values.values()):
            shifted = dict(values)
            for name, direction in directions.items():
                shifted[name] = values[name] + 1j * COMPLEX_STEP * direction
            return np.imag(self.evaluate(node, shifted)) / COMPLEX_STEP
        self.point.used_differences = True
        total: np.ndarray | None = None
        for offset, weight in enumerate(DIFFERENCE_WEIGHTS, start=1):
            for sign in (1, -1):
                shifted = dict(values)
                for name, direction in directions.items():
                    shifted[name] = values[name] + sign * offset * DIFFERENCE_STEP * direction
                term = sign * weight * self.evaluate(node, shifted)
                total = term if total is None else total + term
        assert total is not None
        return total / DIFFERENCE_STEP


def multiply(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Matrix product, or scaling when one factor is 1×1 and the shapes do not conform."""
    if left.shape[1] == right.shape[0]:
        return left @ right
    if left.shape == (1, 1):
        return left[0, 0] * right
    return left * right[0, 0]


def invert(matrix: np.ndarray) -> np.ndarray:
    if np.linalg.cond(matrix.real) > LARGEST_CONDITION:
        raise DomainError("a matrix that is inverted is singular (or nearly so) at the sample")
    return np.linalg.inv(matrix)


def unit_basis(shape: tuple[int, ...]) -> list[np.ndarray]:
    basis = []
    for index in np.ndindex(*shape):
        unit = np.zeros(shape)
        unit[index] = 1.0
        basis.append(unit)
    return basis


def arrange(gradient: np.ndarray, layout: str) -> np.ndarray:
    """Lay out the tensor T[a, b, i, j] = ∂Y_ab/∂X_ij as the layout prescribes.

    Denominator layout gives X's shape for a scalar Y and ``len(x) × len(y)`` for vectors;
    numerator layout is its transpose. Shape checking has already ruled out other cases.
    """
    rows, columns, var_rows, var_columns = gradient.shape
    if rows * columns == 1:
        result = gradient[0, 0]
        return result if layout == "denominator" else result.T
    if var_rows * var_columns == 1:
        result = gradient[:, :, 0, 0]
        return result if layout == "numerator" else result.T
    jacobian = gradient.reshape(rows * columns, var_rows * var_columns)
    return jacobian if layout == "numerator" else jacobian.T


def _scalar(value: np.ndarray) -> complex:
    return value[0, 0]


def _log(value: np.ndarray) -> complex:
    z = _scalar(value)
    if z.real <= 0:
        raise DomainError("the logarithm of a non-positive number")
    return np.log(z)


def _abs(value: np.ndarray) -> complex:
    z = _scalar(value)
    if z.real == 0:
        raise DomainError("the absolute value at zero, where it is not differentiable")
    return z * np.sign(z.real)


def _signed_sum(value: np.ndarray) -> complex:
    if np.any(value.real == 0):
        raise DomainError(
            "the 1-norm at a vector with a zero entry, where it is not differentiable"
        )
    return np.sum(value * np.sign(value.real))


def _euclidean(value: np.ndarray) -> complex:
    squared = np.sum(value * value)
    if squared.real <= 0:
        raise DomainError("a norm at zero, where it is not differentiable")
    return np.sqrt(squared)


FUNCTIONS: dict[str, Callable[[np.ndarray], complex]] = {
    "tr": np.trace,
    "det": np.linalg.det,
    "log": _log,
    "exp": lambda v: np.exp(_scalar(v)),
    "sin": lambda v: np.sin(_scalar(v)),
    "cos": lambda v: np.cos(_scalar(v)),
    "abs": _abs,
    "norm2": _euclidean,
    "fro": _euclidean,
    "norm1": _signed_sum,
}
