"""Numeric backend: evaluates the tree with NumPy and differentiates at machine precision.

Every value is a 2-D array (a scalar is 1×1). Derivatives are taken by the complex step,
``Df(x)[v] = Im f(x + i h v) / h`` with ``h = 1e-30``: no subtraction, so no cancellation error,
and the result is accurate to rounding. Every function here is the analytic continuation of its
real definition (``|z|`` as ``z·sign(Re z)``, ``‖x‖₂`` as ``sqrt(Σ x_i²)``, no conjugation), which is
what makes the complex step valid (``sign``, ``step`` and ``relu`` are piecewise analytic, with
their kinks away from every sample). A derivative nested inside another one (the values are
already complex) falls back to an eighth-order central difference, and the comparison tolerance is
widened accordingly.

A Hessian ``D²f[U, V]`` is the eighth-order central difference, in real steps along ``U``, of the
complex-step derivative along ``V``. The inner derivative is exact to rounding (relative error
``ε ≈ 1e-16``), so the error is the difference formula's own: truncation ``(4!)²/9! · δ⁸ · g⁽⁹⁾``
plus rounding ``≈ 2ε/δ``, relative to the largest value. If the nearest singularity of ``g`` (a
singular matrix, a zero of a norm, a pole of σ at ``±iπ``) is at distance ``r``, Cauchy's estimate
``|g⁽⁹⁾| ≤ 9!·max|g|/r⁹`` bounds truncation by about ``576 (δ/r)⁸``; with ``δ = 2e-3`` both
terms are below ``1e-12`` for any ``r > 0.2``, far from every sample, and
:data:`results.TOLERANCE_HESSIAN` (1e-8) leaves a margin of thousands (a test checks that
Hessians land below 1e-11).

Batching: a value may carry leading batch axes before its two matrix axes, one matrix per
direction. ∂Y/∂X stacks its basis directions on a new outermost axis and takes all the complex
steps in one walk of the tree; a Hessian stacks its pairs ``(B_k, B_l)`` the same way; a
difference formula stacks its eight points. Nested, these axes multiply (a difference of a
Hessian's pairs is an 8 × pairs batch). Every primitive, matrix function and domain test acts on
each matrix of a batch, so the result is that of the one-direction-at-a-time definition in
:class:`~matrixcheck.evaluate.Evaluator`, at a fraction of the cost.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

import numpy as np

from .evaluate import ArrayEvaluator, DomainError, Point, Values
from .matfuncs import MATRIX_FUNCTIONS, eigenpair, nuclear_norm, singular_triple
from .tree import SIZED, Derivative, Differential, Integral, Neg, Node, Symbol, Transpose, walk

COMPLEX_STEP = 1e-30
DIFFERENCE_STEP = 2e-2
HESSIAN_STEP = 2e-3
#: Eighth-order central difference weights for f'(0), at offsets 1…4 (antisymmetric).
DIFFERENCE_WEIGHTS = (4 / 5, -1 / 5, 4 / 105, -1 / 280)
LARGEST_CONDITION = 1e10
#: Gauss–Legendre nodes and weights on [0, 1] for integrals: exact for polynomials of degree
#: below 48, and to rounding for the matrix exponentials of this reference's integrands.
QUADRATURE_NODES, QUADRATURE_WEIGHTS = (
    (array + offset) / 2
    for array, offset in zip(np.polynomial.legendre.leggauss(24), (1, 0), strict=True)
)
#: Nodes whose value has the Frobenius norm of their operand's, observed already.
SAME_NORM = (Neg, Transpose)


class NumericEvaluator(ArrayEvaluator):
    """NumPy primitives; tracks the largest intermediate magnitude for the comparison.

    Values may carry leading batch axes (see :class:`~matrixcheck.evaluate.ArrayEvaluator`): all
    directions of a derivative, all pairs of a Hessian and all points of a difference formula are
    evaluated in one walk of the tree, each as one matrix of the batch.
    """

    eigenpair = staticmethod(eigenpair)
    singular_triple = staticmethod(singular_triple)

    def __init__(self, point: Point) -> None:
        super().__init__(point)
        #: The square of :attr:`magnitude` (squares are what :meth:`observe` computes).
        self.largest_square = 0.0
        self.used_differences = False
        self.used_hessian = False
        #: The symbols' values observed so far, by identity (the entries keep them alive):
        #: observing one again cannot change the magnitude.
        self.observed: dict[int, np.ndarray] = {}

    def evaluate(self, node: Node, values: Values | None = None) -> np.ndarray:
        """The value of ``node``, observed (:meth:`observe`) unless its norm was met already."""
        value = super().evaluate(node, values)
        kind = type(node)
        if kind in SAME_NORM:
            return value
        if kind is Symbol:
            if id(value) in self.observed:
                return value
            self.observed[id(value)] = value
        self.observe(value)
        return value

    def observe(self, value: np.ndarray) -> None:
        """Track the largest intermediate value (and derivative, inside a complex step).

        Rounding errors scale with the largest quantity a computation passes through, not with
        its result: ``d(X X⁻¹) = 0`` is computed from terms of size ``‖X⁻¹‖``. The comparison
        therefore measures differences against this magnitude as well as against the sides: the
        largest Frobenius norm of a matrix in the batch. A value with an infinite or NaN entry
        (its sum of squares is not finite then) is a :class:`DomainError`.
        """
        if value.dtype.kind == "c":
            squares = _squared_norm(value.real)
            steps = _squared_norm(value.imag) / COMPLEX_STEP**2
            if steps > squares or math.isnan(steps):
                squares = steps
        else:
            squares = _squared_norm(value)
        if squares <= self.largest_square:
            return
        if math.isfinite(squares):
            self.largest_square = float(squares)
        elif not np.all(np.isfinite(value)):
            raise DomainError(
                "the evaluation overflowed or produced NaN at values of order 1",
                "check the formula for a runaway exponent or a division that should not be there",
            )

    @property
    def magnitude(self) -> float:
        """The largest Frobenius norm of a value met so far (see :meth:`observe`)."""
        return math.sqrt(self.largest_square)

    determinants = staticmethod(np.linalg.det)

    def number(self, value: Fraction) -> np.ndarray:
        return np.array([[float(value)]])

    def eye(self, size: int) -> np.ndarray:
        return np.eye(size)

    def scale(self, value: np.ndarray, factor: complex | np.ndarray) -> np.ndarray:
        if isinstance(factor, np.ndarray):
            return value * factor[..., None, None]
        return value * factor

    def inverse(self, value: np.ndarray) -> np.ndarray:
        """The inverse; a condition number ``σ_max/σ_min`` of 1e10 or more (or a zero matrix) is
        a :class:`DomainError`."""
        singular = np.linalg.svd(value.real, compute_uv=False)
        if (singular[..., 0] >= LARGEST_CONDITION * singular[..., -1]).any():
            raise DomainError("a matrix that is inverted is singular (or nearly so) at the sample")
        return np.linalg.inv(value)

    def entrywise(self, name: str, value: np.ndarray) -> np.ndarray:
        return ENTRYWISE_FUNCTIONS[name](value)

    def matrix(self, entries: list[list[int]]) -> np.ndarray:
        return np.array(entries, dtype=float)

    def duals(self, basis: list[np.ndarray]) -> list[np.ndarray]:
        """The dual basis computed at once, the basis stacked as one batch."""
        stacked = np.stack(basis)
        return list(self.scale(stacked, self.reciprocal(self.squared_norm(stacked))))

    def directionals(
        self, node: Node, values: Values, variable: str, directions: list[np.ndarray]
    ) -> list[np.ndarray]:
        def take() -> list[np.ndarray]:
            stacked = _new_axis(np.stack(directions), self._batched(values))
            return list(self._directional(node, values, {variable: stacked}))

        along = ("partials", variable) if directions is self.point.bases.get(variable) else None
        return self._shared(node, values, along, take)

    def hessian(self, node: Derivative, values: Values) -> np.ndarray:
        take = functools.partial(super().hessian, node, values)
        return self._shared(node.operand, values, ("hessian", node.variable), take)

    def _shared(
        self, operand: Node, values: Values, along: tuple | None, take: Callable[[], Any]
    ) -> Any:
        """``take()``, the derivative of ``operand`` at the sample (``along`` says which: along
        the basis, the point's directions, or the Hessian), taken once for every relation checked
        on the sample; ``along`` None takes it afresh.

        A proof step or the formula in the other layout often takes a derivative the formula took
        already (layouts differ only in how the partials are laid out); it reuses the value, and
        with it the largest magnitude met while taking it and whether differences or a Hessian
        were used, so that its comparison is exactly the one it would make on its own.
        Derivatives inside other derivatives (at shifted values) are taken afresh.
        """
        known = self.point.operands.get(id(operand)) if values is self.point.values else None
        if known is None or along is None:
            return take()
        number, sized = known
        key = (number, tuple(self.point.identity_sizes.get(node) for node in sized), along)
        taken = self.point.shared.get(key)
        if taken is None:
            outer = (self.largest_square, self.used_differences, self.used_hessian, self.observed)
            self.largest_square, self.used_differences, self.used_hessian = 0.0, False, False
            self.observed = {}
            try:
                value = take()
            finally:
                inner = (self.largest_square, self.used_differences, self.used_hessian)
                (
                    self.largest_square,
                    self.used_differences,
                    self.used_hessian,
                    self.observed,
                ) = outer
            taken = self.point.shared[key] = (value, *inner)
        value, square, differences, hessian = taken
        self.largest_square = max(self.largest_square, square)
        self.used_differences = self.used_differences or differences
        self.used_hessian = self.used_hessian or hessian
        return value

    def _eval_Integral(self, node: Integral, values: Values) -> np.ndarray:
        """The integrand at every quadrature node at once, the nodes on a new outermost batch
        axis, weighted and summed over it."""
        lower = self.evaluate(node.lower, values)
        width = self.evaluate(node.upper, values) - lower
        nodes = _new_axis(QUADRATURE_NODES[:, None, None], [*self._batched(values), width])
        inside = {**values, node.variable: lower + width * nodes}
        integrand = _full(self.evaluate(node.body, inside), inside)
        weights = QUADRATURE_WEIGHTS.reshape((-1,) + (1,) * (integrand.ndim - 1))
        return (weights * integrand).sum(axis=0) * width

    def _batched(self, values: Values) -> list[np.ndarray]:
        """The arrays whose batch axes a new batch axis must go in front of: the values, and the
        point's own directions, which a differential inside the derivative brings in (in
        entrywise layout they are stacked on a batch axis of their own)."""
        return [*values.values(), *self.point.directions.values()]

    def second_directionals(
        self, node: Node, values: Values, variable: str, pairs: list[tuple[np.ndarray, ...]]
    ) -> list[np.ndarray]:
        firsts, seconds = (
            _new_axis(np.stack(side), self._batched(values)) for side in zip(*pairs, strict=True)
        )
        return list(self.second_directional(node, values, {variable: firsts}, {variable: seconds}))

    def second_directional(
        self, node: Node, values: Values, first: Values, second: Values
    ) -> np.ndarray:
        self.used_hessian = True
        return self._central_difference(
            lambda shifted: self._directional(node, shifted, second),
            values,
            first,
            HESSIAN_STEP,
        )

    def directional(self, node: Node, values: Values, directions: Values) -> np.ndarray:
        """The derivative along ``directions``, which may carry batch axes of their own (the
        result then has them too)."""
        # The point's own directions are arrays of the sample, alive as long as it: their ids
        # name them.
        own = all(d is self.point.directions.get(n) for n, d in directions.items())
        along = ("along", *sorted((n, id(d)) for n, d in directions.items())) if own else None
        return self._shared(
            node, values, along, functools.partial(self._directional, node, values, directions)
        )

    def _directional(self, node: Node, values: Values, directions: Values) -> np.ndarray:
        if not any(v.dtype.kind == "c" for v in values.values()):
            shifted = _shifted(values, directions, 1j * COMPLEX_STEP)
            value = self.evaluate(node, shifted)
            return _full(np.imag(value), shifted) / COMPLEX_STEP
        self.used_differences = True
        return self._central_difference(
            lambda shifted: self.evaluate(node, shifted), values, directions, DIFFERENCE_STEP
        )

    def _central_difference(
        self,
        function: Callable[[Values], np.ndarray],
        values: Values,
        directions: Values,
        step: float,
    ) -> np.ndarray:
        """The eighth-order central difference of ``function`` at ``values`` along
        ``directions``, its eight points evaluated together on a new leading batch axis."""
        offsets = np.array(
            [sign * offset for offset in range(1, len(DIFFERENCE_WEIGHTS) + 1) for sign in (1, -1)]
        )
        points = _new_axis(offsets * step, [*self._batched(values), *directions.values()], 0)
        shifted = _shifted(values, {n: points * d for n, d in directions.items()}, 1)
        results = _full(function(shifted), shifted)
        total = None
        for result, offset in zip(results, offsets, strict=True):
            term = np.sign(offset) * DIFFERENCE_WEIGHTS[abs(offset) - 1] * result
            total = term if total is None else total + term
        assert total is not None
        return total / step

    def reciprocal(self, scalar: complex | np.ndarray) -> complex | np.ndarray:
        if (scalar == 0).any():
            raise DomainError("division by zero")
        return 1 / scalar

    def function(self, name: str, value: np.ndarray) -> np.ndarray:
        return np.asarray(FUNCTIONS[name](value))[..., None, None]

    def matrix_function(self, name: str, value: np.ndarray) -> np.ndarray:
        return MATRIX_FUNCTIONS[name](value)


def derivative_keys(relation: Node, numbers: dict[Node, int]) -> dict[int, tuple]:
    """Where :meth:`NumericEvaluator._shared` finds the derivatives ``relation`` takes at the
    sample: for the operand of each (by node identity), its number in ``numbers`` (shared by equal
    operands of every relation checked on the same samples) and its sized nodes (identity
    matrices, ones, commutation matrices), whose sizes complete the key. Operands that take
    derivatives themselves are left out."""
    keys = {}
    for node in walk(relation):
        if not isinstance(node, (Derivative, Differential)):
            continue
        inner = list(walk(node.operand))
        if any(isinstance(n, (Derivative, Differential)) for n in inner):
            continue
        sized = tuple(id(n) for n in inner if isinstance(n, SIZED))
        keys[id(node.operand)] = (numbers.setdefault(node.operand, len(numbers)), sized)
    return keys


def _squared_norm(value: np.ndarray) -> float:
    """The largest squared Frobenius norm of a matrix of the batch (NaN if an entry is NaN)."""
    if value.ndim == 2:
        entries = value.reshape(-1)
        return entries.dot(entries)
    rows = value.reshape(-1, value.shape[-2] * value.shape[-1])
    return float(np.vecdot(rows, rows).max())


def _batch_shape(values: Values) -> tuple[int, ...]:
    return np.broadcast_shapes(*(np.shape(v)[:-2] for v in values.values()))


def _new_axis(
    stacked: np.ndarray, arrays: Iterable[np.ndarray], matrix_axes: int = 2
) -> np.ndarray:
    """``stacked`` (a batch axis, then ``matrix_axes`` axes) with its batch axis moved in front of
    every axis of ``arrays``, so that it broadcasts with them as a new, outermost batch axis."""
    depth = max(np.ndim(a) for a in arrays) - matrix_axes
    return stacked.reshape(stacked.shape[:1] + (1,) * depth + stacked.shape[1:])


def _shifted(values: Values, directions: Values, factor: complex) -> Values:
    shifted = dict(values)
    for name, direction in directions.items():
        shifted[name] = values[name] + factor * direction
    return shifted


def _full(value: np.ndarray, values: Values) -> np.ndarray:
    """``value`` with every batch axis of ``values`` (a part that did not depend on one lacks
    it). ``value`` may have batch axes of its own: a differential inside the derivative, in
    entrywise layout, moves its symbol along the point's stacked directions."""
    batch = np.broadcast_shapes(_batch_shape(values), value.shape[:-2])
    if value.shape[:-2] == batch:
        return value
    return np.broadcast_to(value, batch + value.shape[-2:])


def _scalar(value: np.ndarray) -> complex | np.ndarray:
    return value[..., 0, 0]


def _log(value: np.ndarray) -> complex | np.ndarray:
    z = _scalar(value)
    if (z.real <= 0).any():
        raise DomainError("the logarithm of a non-positive number")
    return np.log(z)


def _abs(value: np.ndarray) -> complex | np.ndarray:
    z = _scalar(value)
    if (z.real == 0).any():
        raise DomainError("the absolute value at zero, where it is not differentiable")
    return z * np.sign(z.real)


def _entries_sum(value: np.ndarray) -> complex | np.ndarray:
    """The sum of the entries of each matrix of the batch."""
    return np.sum(value, axis=(-2, -1))


def _signed_sum(value: np.ndarray) -> complex | np.ndarray:
    if (value.real == 0).any():
        raise DomainError(
            "the 1-norm at a vector with a zero entry, where it is not differentiable"
        )
    return _entries_sum(value * np.sign(value.real))


def _p_norm(power: int) -> Callable[[np.ndarray], complex | np.ndarray]:
    """``(Σ |x_i|^p)^{1/p}``, with ``|z|`` continued analytically as ``z·sign(Re z)``."""

    def norm(value: np.ndarray) -> complex | np.ndarray:
        if (value.real == 0).all(axis=(-2, -1)).any():
            raise DomainError("a norm at zero, where it is not differentiable")
        if power % 2 and (value.real == 0).any():
            raise DomainError(
                f"the {power}-norm at a vector with a zero entry, where |x_i|^{power} is not "
                "analytic"
            )
        signs = np.sign(value.real) if power % 2 else 1
        return _entries_sum((value * signs) ** power) ** (1 / power)

    return norm


def _entrywise_log(value: np.ndarray) -> np.ndarray:
    if (value.real <= 0).any():
        raise DomainError("the logarithm of a non-positive entry")
    return np.log(value)


def _kinked(function: Callable[[np.ndarray], np.ndarray], what: str):
    """A piecewise analytic function whose kink at 0 no sample may sit on."""

    def apply(value: np.ndarray) -> np.ndarray:
        if (value.real == 0).any():
            raise DomainError(f"{what} at an entry equal to zero, where it is not differentiable")
        return function(value)

    return apply


def _sigmoid(value: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-value))


ENTRYWISE_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp,
    "log": _entrywise_log,
    "sin": np.sin,
    "cos": np.cos,
    "sigma": _sigmoid,
    "abs": _kinked(lambda v: v * np.sign(v.real), "the absolute value"),
    "sign": _kinked(lambda v: np.sign(v.real), "sign"),
    "step": _kinked(lambda v: (v.real > 0).astype(float), "the step function"),
    "relu": _kinked(lambda v: v * (v.real > 0), "relu"),
}


def _two_norm(value: np.ndarray) -> complex | np.ndarray:
    """The Euclidean norm of a vector, the spectral norm (largest singular value) of a matrix."""
    if min(value.shape[-2:]) > 1:
        return singular_triple(value, "max", 0)[0]
    return _euclidean(value)


def _euclidean(value: np.ndarray) -> complex | np.ndarray:
    squared = _entries_sum(value * value)
    if (squared.real <= 0).any():
        raise DomainError("a norm at zero, where it is not differentiable")
    return np.sqrt(squared)


FUNCTIONS: dict[str, Callable[[np.ndarray], complex | np.ndarray]] = {
    "tr": lambda v: np.trace(v, axis1=-2, axis2=-1),
    "det": np.linalg.det,
    "log": _log,
    "exp": lambda v: np.exp(_scalar(v)),
    "sin": lambda v: np.sin(_scalar(v)),
    "cos": lambda v: np.cos(_scalar(v)),
    "abs": _abs,
    "norm2": _two_norm,
    "nuclear": nuclear_norm,
    "fro": _euclidean,
    "norm1": _signed_sum,
    "norm3": _p_norm(3),
    "norm4": _p_norm(4),
}
