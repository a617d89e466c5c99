"""Exact backend: evaluates the same tree in rational arithmetic and differentiates exactly.

Symbols take random rational values that honour their declarations (symmetric ``G + Gᵀ``,
positive definite ``B Bᵀ + I``, orthogonal by the Cayley transform ``(I − S)(I + S)⁻¹``, singular
``P D Q`` with one zero on the diagonal of ``D``, …) at
small sizes (2, 3, 4). Values are NumPy object arrays of exact rationals (gmpy2's ``mpq``). A
directional derivative is ``d/dt f(X + t V)`` at ``t = 0``, computed on first-order jets
(:mod:`jets`, numbers ``a + b t`` with ``t² = 0``): no step size, no rounding, no symbolic
algebra. All the directions of a gradient are taken in one evaluation at ``X + Σ_k t_k V_k``
with ``t_j t_k = 0`` (:func:`jets.batch`), and a Hessian in one evaluation per first direction.
The sides are then compared exactly when every entry is rational (a nonzero rational function
vanishes at a random rational point with negligible probability), and to 50 digits when
logarithms, exponentials, sines or irrational square roots appear. Matrix functions (``e^X``,
``log X``, ``sin X``, ``cos X``) are evaluated on the jet ``X + t V`` in 256-bit binary floats
(:mod:`matrixjets`), which gives their derivatives by the block rule. Eigenvalues, singular
values and their vectors are exact for the matrices drawn with an integer spectrum
(:mod:`exactspectral`); anything else the backend cannot do raises :class:`NotExact`.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeAlias

import numpy as np
from gmpy2 import mpq

from . import exactspectral, jets, matrixjets
from .declarations import Declaration, bound_symbols, size_orderings
from .evaluate import ArrayEvaluator, DomainError, Point, Values
from .exactspectral import NotExact
from .jets import DIGITS, ONE, ZERO, Scalar, is_rational, mp, real, value_at_zero
from .sampling import (
    SCALAR_COEFFICIENTS,
    Entrywise,
    Orderings,
    concrete,
    integer_values,
    ordered_permutations,
    orthogonal_group,
    scalar_test_functions,
    seed_for,
    tangent_patterns,
    test_function,
)
from .tree import SIZED, Integral, Node, walk

EXACT_TRIALS = 2
#: Relative agreement required of 50-digit values.
AGREEMENT = "1e-35"


JET_ENTRYWISE = Entrywise(
    product=np.multiply,
    sin=lambda a: jets.entrywise(lambda e: jets.apply(jets.SERIES["sin"], e), a),
    cos=lambda a: jets.entrywise(lambda e: jets.apply(jets.SERIES["cos"], e), a),
    exp=lambda a: jets.entrywise(lambda e: jets.apply(jets.SERIES["exp"], e), a),
    matmul=jets.product,
)


#: The exact samples of an identity: for each trial, its sizes and its points.
ExactSamples: TypeAlias = list[tuple[dict[str, int], list[Point]]]


class ExactEvaluator(ArrayEvaluator):
    """Exact primitives on object arrays; derivatives by a fresh infinitesimal ``t``, read at 0.

    The sides of the relations checked at a point are remembered there (:meth:`side`): another
    relation checked at the point that contains one of them, with its identity matrices sized
    alike, reuses its value.
    """

    #: Exact for a matrix with an integer spectrum at ``t = 0`` (:mod:`exactspectral`).
    eigenpair = staticmethod(exactspectral.eigenpair)
    singular_triple = staticmethod(exactspectral.singular_triple)

    @staticmethod
    def determinants(stack: np.ndarray) -> np.ndarray:
        """The exact determinant of each matrix of a stack of object arrays."""
        result = np.empty(stack.shape[:-2], dtype=object)
        for index in np.ndindex(result.shape):
            result[index] = jets.determinant(stack[index])
        return result

    def __init__(self, point: Point) -> None:
        super().__init__(point)
        #: The lowest bit no open infinitesimal uses.
        self.free_bit = 0

    def side(self, node: Node) -> np.ndarray:
        """A side of a relation, evaluated at the point and remembered there."""
        value = self.evaluate(node)
        self.point.shared[("side", id(node))] = (value, node, self.point.identity_sizes)
        return value

    def evaluate(self, node: Node, values: Values | None = None) -> np.ndarray:
        if values is None or values is self.point.values:
            known = self.point.shared.get(("side", id(node)))
            if known is not None and self._sized_alike(node, known[2]):
                return known[0]
        return super().evaluate(node, values)

    def _sized_alike(self, node: Node, sizes: dict[int, Any]) -> bool:
        """Whether every identity matrix, ones vector and commutation matrix in ``node`` is sized
        now as in ``sizes`` (those a side was remembered with; each relation's are a new dict,
        so the same dict means the same sizes and the tree need not be walked)."""
        now = self.point.identity_sizes
        return now is sizes or all(
            now.get(id(n)) == sizes.get(id(n)) for n in walk(node) if isinstance(n, SIZED)
        )

    def _eval_Integral(self, node: Integral, values: Values) -> np.ndarray:
        raise NotExact(
            "the formula holds an integral, whose quadrature is accurate to rounding but not exact"
        )

    def number(self, value: Fraction) -> np.ndarray:
        return jets.matrix(1, 1, lambda i, j: mpq(value))

    def eye(self, size: int) -> np.ndarray:
        return jets.eye(size)

    def matmul(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return jets.product(left, right)

    def scale(self, value: np.ndarray, factor: Scalar) -> np.ndarray:
        """Each entry times ``factor``; a jet ``factor`` multiplies rational entries by its own
        method (see :func:`jets.product`)."""
        if isinstance(factor, jets.Jet) and not jets.has_jet(value):
            return jets.entrywise(factor.__mul__, value)
        return jets.entrywise(lambda e: e * factor, value)

    def inverse(self, value: np.ndarray) -> np.ndarray:
        inverted = jets.inverse(value)
        if inverted is None:
            raise DomainError("a matrix that is inverted is singular at the exact sample")
        return inverted

    def reciprocal(self, scalar: Scalar) -> Scalar:
        if value_at_zero(scalar) == 0:
            raise DomainError("division by zero at the exact sample")
        return jets.reciprocal(scalar)

    def function(self, name: str, value: np.ndarray) -> np.ndarray:
        result = self._scalar_function(name, value)
        return jets.matrix(1, 1, lambda i, j: result)

    def _scalar_function(self, name: str, value: np.ndarray) -> Scalar:
        z = value[0, 0]
        if name == "tr":
            return sum(np.diagonal(value), ZERO)
        if name == "det":
            return jets.determinant(value)
        if name == "log" and not value_at_zero(z) > 0:
            raise DomainError("the logarithm of a non-positive number")
        if name in ("exp", "sin", "cos", "log"):
            return jets.apply(jets.SERIES[name], z)
        if name == "abs":
            return z * self._sign(z)
        if name == "norm1":
            return sum((e * self._sign(e) for e in value.flat), ZERO)
        if name == "nuclear":
            count = min(value.shape)
            return sum(
                (
                    self._decomposed(self.singular_triple, value, str(k))[0]
                    for k in range(1, count + 1)
                ),
                ZERO,
            )
        if name == "norm2" and min(value.shape) > 1:
            return self._decomposed(self.singular_triple, value, "max")[0]
        if name in ("norm3", "norm4"):
            power = int(name[-1])
            total = sum(
                ((e * (self._sign(e) if power % 2 else 1)) ** power for e in value.flat), ZERO
            )
            if not value_at_zero(total) > 0:
                raise DomainError("a norm at zero, where it is not differentiable")
            return jets.apply(jets.root_series(power), total)
        squared = sum((e * e for e in value.flat), ZERO)
        if not value_at_zero(squared) > 0:
            raise DomainError("a norm at zero, where it is not differentiable")
        return jets.apply(jets.SERIES["sqrt"], squared)

    def matrix_function(self, name: str, value: np.ndarray) -> np.ndarray:
        """The matrix function to 50 digits (:mod:`matrixjets`), with open ``t_k``, ``t_j t_k = 0``.

        ``f(M + t N) = f(M) + t Df(M)[N]`` by the block rule
        ``f([[M, N], [0, M]]) = [[f(M), Df(M)[N]], [0, f(M)]]`` for analytic ``f``, so the
        first-order part in ``t`` is exact to 50 digits without any rule of matrix calculus. The
        ``t_k`` are one infinitesimal or the directions of one :func:`jets.batch` (any two
        share a bit); infinitesimals of nested derivatives (``t₁ t₂ ≠ 0``) are not supported.
        """
        masks = sorted(
            {mask for entry in value.flat if isinstance(entry, jets.Jet) for mask in entry.terms}
            - {0}
        )
        if masks and functools.reduce(operator.and_, masks) == 0:
            raise NotExact("a matrix function inside a nested derivative")
        n = value.shape[0]

        def part(mask: int) -> list[list[mpq]]:
            """The coefficient matrix of the term ``mask`` (0: the value at ``t = 0``)."""
            return [[jets.rational(_term(value[i, j], mask)) for j in range(n)] for i in range(n)]

        base = part(0)
        if name == "log":
            eigenvalues = np.linalg.eigvals(np.array(base, dtype=float))
            if np.any((np.abs(eigenvalues.imag) < 1e-12) & (eigenvalues.real <= 0)):
                raise DomainError("the logarithm of a matrix with an eigenvalue on (−∞, 0]")
        result, derivatives = matrixjets.function(name, (base, [part(mask) for mask in masks]))

        def entry(i: int, j: int) -> Scalar:
            terms = {0: jets.from_binary(result[i][j])}
            for mask, derivative in zip(masks, derivatives, strict=True):
                terms[mask] = jets.from_binary(derivative[i][j])
            return jets.jet(terms)

        return jets.matrix(n, n, entry)

    def _sign(self, expression: Scalar) -> int:
        value = value_at_zero(expression)
        if value == 0:
            raise DomainError("the absolute value at zero, where it is not differentiable")
        return 1 if value > 0 else -1

    def entrywise(self, name: str, value: np.ndarray) -> np.ndarray:
        return jets.entrywise(lambda z: self._entry_function(name, z), value)

    def _entry_function(self, name: str, z: Scalar) -> Scalar:
        if name == "sigma":
            return jets.reciprocal(1 + jets.apply(jets.SERIES["exp"], -z))
        if name in ("log", "exp", "sin", "cos", "abs"):
            return self._scalar_function(name, jets.matrix(1, 1, lambda i, j: z))
        sign = self._sign(z)
        if name == "sign":
            return mpq(sign)
        if name == "step":
            return mpq(int(sign > 0))
        return z * int(sign > 0)

    def matrix(self, entries: list[list[int]]) -> np.ndarray:
        return jets.matrix(len(entries), len(entries[0]), lambda i, j: mpq(entries[i][j]))

    def second_directional(
        self, node: Node, values: Values, first: Values, second: Values
    ) -> np.ndarray:
        return self._along(lambda shifted: self.directional(node, shifted, second), values, first)

    def second_directionals(
        self, node: Node, values: Values, variable: str, pairs: list[tuple[np.ndarray, np.ndarray]]
    ) -> list[np.ndarray]:
        """One walk per first direction: along it, the :meth:`directionals` of all its seconds."""
        groups: dict[int, list[int]] = {}
        for index, (first, _) in enumerate(pairs):
            groups.setdefault(id(first), []).append(index)
        results: dict[int, np.ndarray] = {}
        for indices in groups.values():
            seconds = [pairs[index][1] for index in indices]
            stacked = self._along(
                lambda shifted, seconds=seconds: np.stack(
                    self.directionals(node, shifted, variable, seconds)
                ),
                values,
                {variable: pairs[indices[0]][0]},
            )
            for index, second in zip(indices, stacked, strict=True):
                results[index] = second
        return [results[index] for index in range(len(pairs))]

    def directional(self, node: Node, values: Values, directions: Values) -> np.ndarray:
        return self._along(lambda shifted: self.evaluate(node, shifted), values, directions)

    def directionals(
        self, node: Node, values: Values, variable: str, directions: list[np.ndarray]
    ) -> list[np.ndarray]:
        """All the derivatives in one walk, at ``X + Σ_k t_k V_k`` with ``t_j t_k = 0``
        (:func:`jets.batch`): each ``t_k`` keeps its products with the infinitesimals of
        enclosing derivatives, so nesting stays exact."""
        flags = jets.batch(self.free_bit, len(directions))
        shifted = {**values, variable: _shifted(values[variable], flags, directions)}
        result = self._opened(len(directions) + 1, lambda: self.evaluate(node, shifted))
        return [
            jets.entrywise(functools.partial(jets.coefficient, flag=flag), result) for flag in flags
        ]

    def _along(
        self, evaluate: Callable[[Values], np.ndarray], values: Values, directions: Values
    ) -> np.ndarray:
        """The slope of ``evaluate`` at ``values + t·directions`` in a fresh infinitesimal t."""
        bit = self.free_bit
        shifted = dict(values)
        for name, direction in directions.items():
            shifted[name] = _shifted(values[name], [1 << bit], [direction])
        result = self._opened(1, lambda: evaluate(shifted))
        return jets.entrywise(lambda e: jets.slope(e, bit), result)

    def _opened(self, bits: int, evaluate: Callable[[], np.ndarray]) -> np.ndarray:
        """``evaluate()`` with the next ``bits`` bits taken by the infinitesimals it opened."""
        self.free_bit += bits
        try:
            return evaluate()
        finally:
            self.free_bit -= bits


def _shifted(value: np.ndarray, flags: list[int], directions: list[np.ndarray]) -> np.ndarray:
    """``value + Σ_k t_k·directions[k]`` for new infinitesimals ``t_k`` with masks ``flags``."""
    rows, columns = value.shape
    return jets.matrix(
        rows,
        columns,
        lambda i, j: jets.shifted(
            value[i, j], [(flag, d[i, j]) for flag, d in zip(flags, directions, strict=True)]
        ),
    )


def _term(entry: Scalar, mask: int) -> jets.Coefficient:
    """The coefficient of exactly the product of infinitesimals ``mask`` (0: the value)."""
    if isinstance(entry, jets.Jet):
        return entry.terms.get(mask, ZERO)
    return ZERO if mask else entry


def _rational(rng: np.random.Generator, shape: tuple[int, int], low: int = -4) -> np.ndarray:
    numerators = rng.integers(low, 5, size=shape).ravel().tolist()
    denominators = rng.integers(1, 4, size=shape).ravel().tolist()
    entries = map(mpq, numerators, denominators)
    return np.fromiter(entries, dtype=object, count=len(numerators)).reshape(shape)


def _diagonal(entries: list[mpq]) -> np.ndarray:
    n = len(entries)
    return jets.matrix(n, n, lambda i, j: entries[i] if i == j else ZERO)


def exact_value(
    properties: frozenset[str], shape: tuple[int, int], rng: np.random.Generator
) -> np.ndarray:
    """A random rational matrix with the declared properties."""
    n = shape[0]
    if properties & {"simple spectrum", "simple singular values"}:
        return _exact_simple_spectrum(properties, shape, rng)
    general = _rational(rng, shape)
    if "diagonal" in properties:
        entries = [_nonzero(rng) for _ in range(n)]
        if "positive definite" in properties:
            entries = [abs(e) for e in entries]
        value = _diagonal(entries)
    elif "positive definite" in properties:
        value = general @ general.T + jets.eye(n)
    elif "orthogonal" in properties:
        skew = general - general.T
        inverse = jets.inverse(jets.eye(n) + skew)
        assert inverse is not None  # I + S is invertible for every skew-symmetric S
        value = (jets.eye(n) - skew) @ inverse
    elif "singular" in properties:
        value = _exact_singular(properties, general, rng)
    elif "symmetric" in properties:
        value = general + general.T
    elif "skew-symmetric" in properties:
        value = general - general.T
    elif "positive stable" in properties:
        # G + kI with an integer k > ‖G‖_F ≥ ρ(G): every eigenvalue has a real part above 0.
        squares = sum(entry * entry for entry in general.ravel())
        value = general + (math.isqrt(math.ceil(squares)) + 2) * jets.eye(n)
    elif properties & {"lower triangular", "upper triangular"}:
        value = _strictly_lower(general) + _diagonal([_nonzero(rng) for _ in range(n)])
        if "upper triangular" in properties:
            value = value.T
    else:
        value = general
    if "positive" in properties:
        value = jets.entrywise(lambda e: abs(e) + mpq(1, 2), value)
    elif "nonzero" in properties:
        value = jets.entrywise(lambda e: e if e != 0 else ONE, value)
    return _shifted_invertible(value) if "invertible" in properties else value


def _shifted_invertible(value: np.ndarray) -> np.ndarray:
    """``value + k I`` for the least integer ``k ≥ 0`` that makes it invertible."""
    n = value.shape[0]
    shift = 0
    while jets.determinant(value + shift * jets.eye(n)) == 0:
        shift += 1
    return value + shift * jets.eye(n) if shift else value


def _exact_singular(
    properties: frozenset[str], general: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A rational matrix of rank exactly ``n − 1``: ``P D Q`` with ``P``, ``Q`` invertible and
    ``D`` diagonal with nonzero entries but the last, which is 0 (``P D Pᵀ`` if symmetric)."""
    n = general.shape[0]
    left = _shifted_invertible(general)
    right = left.T if "symmetric" in properties else _shifted_invertible(_rational(rng, (n, n)))
    return left @ _diagonal([*(_nonzero(rng) for _ in range(n - 1)), ZERO]) @ right


def _rational_orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    """The Cayley transform ``(I − S)(I + S)⁻¹`` of a random rational skew matrix."""
    general = _rational(rng, (n, n))
    skew = general - general.T
    inverse = jets.inverse(jets.eye(n) + skew)
    assert inverse is not None  # I + S is invertible for every skew-symmetric S
    return (jets.eye(n) - skew) @ inverse


def _exact_simple_spectrum(
    properties: frozenset[str], shape: tuple[int, int], rng: np.random.Generator
) -> np.ndarray:
    """Rational matrices with integer eigenvalues (or singular values) at least 1 apart.

    Eigenvalues are nonzero (positive for positive definite); singular values are at least 1.
    Symmetric matrices are ``Q D Qᵀ`` with a rational orthogonal ``Q``; others ``S D S⁻¹`` with
    ``S = Q L``, ``L`` unit lower triangular (not symmetric, and left and right eigenvectors
    differ).
    """
    rows, columns = shape
    count = min(rows, columns)
    steps = [int(step) for step in rng.integers(1, 3, size=count)]
    values = [sum(steps[: k + 1]) for k in range(count)]
    if "simple singular values" in properties:
        left = _rational_orthogonal(rows, rng)[:, :count]
        right = _rational_orthogonal(columns, rng)[:, :count]
        return left @ _diagonal([mpq(v) for v in values]) @ right.T
    if "positive definite" not in properties:
        shift = int(rng.integers(0, count + 1))
        values = [v - values[shift - 1] if shift else v for v in values]
        values = [2 * v - 1 if shift else v for v in values]
    diagonal = _diagonal([mpq(v) for v in values])
    q = _rational_orthogonal(rows, rng)
    if properties & {"symmetric", "positive definite"}:
        return q @ diagonal @ q.T
    # Q times a unit lower triangular matrix: invertible, and not orthogonal (a basis of scaled
    # columns of Q would commute with D and give the symmetric Q D Qᵀ again).
    general = _rational(rng, (rows, rows))
    basis = q @ (_strictly_lower(general) + jets.eye(rows))
    inverse = jets.inverse(basis)
    assert inverse is not None  # an orthogonal matrix times a unit triangular one
    return basis @ diagonal @ inverse


def _strictly_lower(value: np.ndarray) -> np.ndarray:
    """The entries of a square ``value`` below its diagonal, zeros elsewhere."""
    n = value.shape[0]
    return jets.matrix(n, n, lambda i, j: value[i, j] if i > j else ZERO)


def _nonzero(rng: np.random.Generator) -> mpq:
    numerator = int(rng.integers(1, 5)) * int(rng.choice((-1, 1)))
    return mpq(numerator, int(rng.integers(1, 4)))


def exact_sizes(names: list[str], orderings: Orderings = ()) -> list[dict[str, int]]:
    """Small distinct sizes, two assignments (e.g. m=2, n=3 and m=3, n=2): the first and the
    last that honour the ``(larger, smaller)`` orderings. An ordering takes one size more into
    the pool, so that two assignments differ (m=3, n=2 and m=4, n=3 for m > n)."""
    names = sorted(names)
    pool = list(range(2, 2 + max(len(names), 2) + (1 if orderings else 0)))
    valid = ordered_permutations(names, pool, orderings)
    return [dict(zip(names, a, strict=True)) for a in (valid[0], valid[-1])]


def exact_points(
    identity_id: str,
    declarations: dict[str, Declaration],
    variables: list[str],
    layout: str,
    test_kinds: tuple[str, ...],
) -> ExactSamples:
    """The exact samples: for each trial its sizes and its points (one per basis direction in
    entrywise layout, where ``∂/∂X`` and ``dX`` mean the single entry ``E_ij``, as numerically)."""
    dimensions = sorted({d for decl in declarations.values() for d in decl.dimensions()})
    trials = []
    orderings = size_orderings(declarations)
    for index, sizes in enumerate(exact_sizes(dimensions, orderings)[:EXACT_TRIALS]):
        seed = seed_for(identity_id, 1000 + index)
        rng = np.random.default_rng(seed)
        values: Values = {}
        functions: dict[str, Callable] = {}
        for name in sorted(declarations):
            declaration = declarations[name]
            if declaration.is_function:
                kind = test_kinds[index % len(test_kinds)]
                functions.update(_exact_test_functions(declaration, sizes, kind, rng))
            elif declaration.is_integer:
                value = integer_values([name], identity_id, index)[name]
                values[name] = jets.matrix(1, 1, lambda i, j, value=value: mpq(value))
            else:
                shape = concrete(declaration.shape, sizes)
                values[name] = exact_value(declaration.properties, shape, rng)
        bases = {v: _exact_basis(declarations[v].properties, values[v]) for v in variables}
        directions = {v: _exact_direction(bases[v], rng) for v in variables}

        bindings = bound_symbols(declarations)
        if layout == "entrywise":
            points = [
                Point(values, functions, layout, bases, {**directions, v: b}, {}, bindings, seed)
                for v in variables
                for b in bases[v]
            ]
        else:
            points = [Point(values, functions, layout, bases, directions, {}, bindings, seed)]
        trials.append((sizes, points))
    return trials


def _exact_basis(properties: frozenset[str], value: np.ndarray) -> list[np.ndarray]:
    basis = []
    for pattern in tangent_patterns(properties, value.shape):
        direction = jets.zeros(*value.shape)
        for i, j, coefficient in pattern:
            direction[i, j] = mpq(coefficient)
        basis.append(value @ direction if orthogonal_group(properties) else direction)
    return basis


def _exact_direction(basis: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    weights = [int(w) for w in rng.integers(1, 4, size=len(basis))]
    total = jets.zeros(*basis[0].shape)
    for weight, direction in zip(weights, basis, strict=True):
        total = total + weight * direction
    return total


def _exact_test_functions(
    declaration: Declaration, sizes: dict[str, int], kind: str, rng: np.random.Generator
) -> dict[str, Callable]:
    """The rational test functions of a declared function, by the name a point holds them under."""
    if declaration.is_scalar_function:
        coefficients = [_nonzero(rng) for _ in range(SCALAR_COEFFICIENTS)]
        return scalar_test_functions(declaration.name, kind, coefficients, JET_ENTRYWISE)
    assert declaration.argument is not None
    m, n = concrete(declaration.argument, sizes)
    p, q = concrete(declaration.shape, sizes)
    factors = [(_rational(rng, (p, m)) / 10, _rational(rng, (n, q))) for _ in range(3)]
    offset = exact_value(declaration.properties, (p, q), rng)
    if declaration.properties & {"invertible", "positive definite"}:
        offset = offset + 3 * jets.eye(p)
    return {declaration.name: test_function(declaration, kind, offset, factors, JET_ENTRYWISE)}


def exact_difference(left: np.ndarray, right: np.ndarray) -> str:
    """Empty if the sides agree exactly (or to 50 digits); else a description of an entry."""
    left, right = _zero_as(left, right), _zero_as(right, left)
    if left.shape != right.shape:
        return f"the sides have shapes {left.shape} and {right.shape}"
    if jets.rational_entries(left) and jets.rational_entries(right) and (left == right).all():
        return ""
    for i, j in itertools.product(range(left.shape[0]), range(left.shape[1])):
        a, b = _number(left[i, j]), _number(right[i, j])
        if is_rational(a) and is_rational(b):
            if a != b:
                return f"entry ({i + 1}, {j + 1}) differs exactly: {a} versus {b}"
            continue
        scale = max(abs(real(a)), abs(real(b)), mp().one)
        if abs(real(a) - real(b)) > mp().mpf(AGREEMENT) * scale:
            return (
                f"entry ({i + 1}, {j + 1}) differs at {DIGITS} digits: "
                f"{mp().nstr(real(a), 12)} versus {mp().nstr(real(b), 12)}"
            )
    return ""


def _number(entry: Scalar) -> int | mpq | object:
    """An entry of a finished side: a rational or a 50-digit number, never a float."""
    value = value_at_zero(entry)
    if isinstance(value, float) or (isinstance(entry, jets.Jet) and entry.terms.keys() - {0}):
        raise TypeError(f"the exact backend produced an inexact or unfinished entry {entry!r}")
    return value


def _zero_as(value: np.ndarray, other: np.ndarray) -> np.ndarray:
    """A literal 1×1 zero stands for a zero matrix of the other side's shape."""
    if value.shape == (1, 1) and value_at_zero(value[0, 0]) == 0:
        return jets.zeros(*other.shape)
    return value
