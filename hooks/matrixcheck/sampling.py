"""Random inputs that honour the declarations, chosen reproducibly from the identity's id.

Sizes give every dimension name its own value (never 1, never equal to another name's), so a
missing transpose cannot hide behind a square shape. Matrices declared invertible are well
conditioned (singular values in [1, 2]), so the numeric comparison is not spoiled by a nearly
singular sample; matrices declared singular have rank exactly ``n − 1``, the other singular values
in [1, 2]. Each variable also gets an orthonormal basis of the directions it may move in
(all matrices, or only symmetric ones, diagonal ones, …): derivatives are taken along that basis.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .declarations import Declaration, Dimension, satisfies

#: Pairs ``(larger, smaller)`` of dimension names (:func:`declarations.size_orderings`).
Orderings = Sequence[tuple[str, str]]

SIZE_POOL = (2, 3, 4, 5, 6)
SIZE_SETS = 3
#: The values a symbol declared 'positive integer' takes: 1 (the edge case, ``X^{k-1} = I``)
#: and a few more.
INTEGER_VALUES = (1, 2, 3, 4, 5)
#: The values it takes after those, one per trial: a formula that holds only for small powers
#: (a pattern read off the first few) fails at the last trial of a check.
LARGE_INTEGER_VALUES = (8, 9, 10, 11, 12)


def seed_for(identity_id: str, trial: int) -> int:
    """A 32-bit seed derived from the identity's id and the trial number."""
    digest = hashlib.sha256(f"{identity_id}#{trial}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def size_sets(
    names: list[str], identity_id: str, orderings: Orderings = ()
) -> list[dict[str, int]]:
    """Several assignments of distinct sizes to the dimension names, fixed by the id, that
    honour the ``(larger, smaller)`` orderings (the thin SVD of a tall ``m × n`` matrix)."""
    names = sorted(names)
    pool = tuple(range(2, len(names) + 2)) if len(names) > len(SIZE_POOL) else SIZE_POOL
    rng = np.random.default_rng(seed_for(identity_id, -1))
    permutations = ordered_permutations(names, pool, orderings)
    chosen: list[dict[str, int]] = []
    for index in rng.permutation(len(permutations)):
        sizes = dict(zip(names, permutations[index], strict=True))
        if sizes not in chosen:
            chosen.append(sizes)
        if len(chosen) == SIZE_SETS:
            break
    return chosen or [{}]


def integer_values(names: Sequence[str], identity_id: str, trial: int) -> dict[str, int]:
    """The value of each positive integer symbol at the trial numbered ``trial``: 1 at the
    first trial, then the other :data:`INTEGER_VALUES`, then the :data:`LARGE_INTEGER_VALUES`,
    each group in an order fixed by the id and the name, cycling: the first five trials see
    every small value and the sixth trial of a check a large one."""
    values = {}
    for name in sorted(names):
        rng = np.random.default_rng(seed_for(f"{identity_id}:{name}", -2))
        small = rng.permutation(INTEGER_VALUES[1:]).tolist()
        large = rng.permutation(LARGE_INTEGER_VALUES).tolist()
        order = (INTEGER_VALUES[0], *small, *large)
        values[name] = int(order[trial % len(order)])
    return values


def ordered_permutations(
    names: list[str], pool: Sequence[int], orderings: Orderings
) -> list[tuple[int, ...]]:
    """The sizes from ``pool`` for the sorted ``names``, distinct and honouring the orderings, in
    lexicographic order (all of them when there is no ordering)."""
    return [
        sizes
        for sizes in itertools.permutations(pool, len(names))
        if satisfies(dict(zip(names, sizes, strict=True)), orderings)
    ]


def concrete(shape: tuple[Dimension, Dimension], sizes: dict[str, int]) -> tuple[int, int]:
    """Replace dimension names by the sizes of one size set."""
    return tuple(size if isinstance(size, int) else sizes[size] for size in shape)  # type: ignore[return-value]


def _orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _magnitudes(count: int, rng: np.random.Generator, low: float = 1.0) -> np.ndarray:
    return rng.uniform(low, 2.0, count)


def _signs(count: int, rng: np.random.Generator) -> np.ndarray:
    return rng.choice((-1.0, 1.0), count)


def sample_value(
    properties: frozenset[str], shape: tuple[int, int], rng: np.random.Generator
) -> np.ndarray:
    """A random real matrix of ``shape`` with the declared ``properties``."""
    rows, columns = shape
    n = rows
    if properties & {"simple spectrum", "simple singular values"}:
        return _simple_spectrum(properties, shape, rng)
    if "diagonal" in properties:
        entries = rng.standard_normal(n)
        if "positive definite" in properties:
            entries = _magnitudes(n, rng, 0.5)
        elif "invertible" in properties:
            entries = _signs(n, rng) * _magnitudes(n, rng, 0.5)
        value = np.diag(entries)
    elif "positive definite" in properties:
        q = _orthogonal(n, rng)
        value = (q * _magnitudes(n, rng, 0.5)) @ q.T
    elif "orthogonal" in properties:
        value = _orthogonal(n, rng)
    elif "singular" in properties:
        value = _singular(properties, n, rng)
    elif "symmetric" in properties:
        if "invertible" in properties:
            q = _orthogonal(n, rng)
            value = (q * (_signs(n, rng) * _magnitudes(n, rng))) @ q.T
        else:
            g = rng.standard_normal((n, n))
            value = (g + g.T) / 2
    elif "skew-symmetric" in properties:
        g = rng.standard_normal((n, n))
        value = (g - g.T) / 2
    elif properties & {"lower triangular", "upper triangular"}:
        value = np.tril(rng.standard_normal((n, n)), -1)
        diagonal = rng.standard_normal(n)
        if "invertible" in properties:
            diagonal = _signs(n, rng) * _magnitudes(n, rng)
        value = value + np.diag(diagonal)
        if "upper triangular" in properties:
            value = value.T
    elif "positive stable" in properties:
        # Every eigenvalue of G + cI is one of G's plus c > ρ(G): its real part is in [1, 2).
        g = rng.standard_normal((n, n))
        shift = np.abs(np.linalg.eigvals(g)).max() + _magnitudes(1, rng)[0]
        value = g + shift * np.eye(n)
    elif "invertible" in properties:
        u, v = _orthogonal(n, rng), _orthogonal(n, rng)
        value = (u * _magnitudes(n, rng)) @ v
    else:
        value = rng.standard_normal((rows, columns))
    if "positive" in properties:
        value = np.abs(value) + 0.5
    elif "nonzero" in properties:
        value = value + 0.5 * np.where(value < 0, -1.0, 1.0)
    return value


def _singular(properties: frozenset[str], n: int, rng: np.random.Generator) -> np.ndarray:
    """A matrix of rank exactly ``n − 1``: ``U diag(s) Vᵀ`` with ``s_n = 0`` and the other
    singular values in [1, 2] (``Q diag(λ) Qᵀ``, ``λ_n = 0``, the others ±[1, 2], if symmetric)."""
    left = _orthogonal(n, rng)
    if "symmetric" in properties:
        right, values = left, _signs(n - 1, rng) * _magnitudes(n - 1, rng)
    else:
        right, values = _orthogonal(n, rng), _magnitudes(n - 1, rng)
    return (left * np.append(values, 0.0)) @ right.T


def _spaced(count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` increasing values with gaps in [1/2, 1]."""
    return np.cumsum(rng.uniform(0.5, 1.0, count))


def _simple_spectrum(
    properties: frozenset[str], shape: tuple[int, int], rng: np.random.Generator
) -> np.ndarray:
    """A matrix whose eigenvalues (or singular values) are simple, real, with gaps ≥ 1/2.

    Eigenvalues avoid zero by at least 1/4 (zero sits in the middle of a gap or outside the
    spectrum); positive definite ones are at least 1; singular values are at least 1. A general
    matrix with a simple spectrum is ``S D S⁻¹`` with ``S`` of condition number at most 2.
    """
    rows, columns = shape
    if "simple singular values" in properties:
        count = min(rows, columns)
        values = 0.5 + _spaced(count, rng)
        left, right = _orthogonal(rows, rng)[:, :count], _orthogonal(columns, rng)[:, :count]
        return (left * values) @ right.T
    values = _spaced(rows, rng)
    if "positive definite" in properties:
        values = values + 0.5
    else:
        gap = int(rng.integers(0, rows + 1))
        low = values[gap - 1] if gap > 0 else values[0] - 0.5
        high = values[gap] if gap < rows else values[-1] + 0.5
        values = values - (low + high) / 2
    q = _orthogonal(rows, rng)
    if properties & {"symmetric", "positive definite"}:
        return (q * values) @ q.T
    basis = (q * _magnitudes(rows, rng)) @ _orthogonal(rows, rng)
    return (basis * values) @ np.linalg.inv(basis)


#: One basis direction: integer entries ``(row, column, coefficient)``.
Pattern = tuple[tuple[int, int, int], ...]


def tangent_patterns(properties: frozenset[str], shape: tuple[int, int]) -> list[Pattern]:
    """An orthogonal basis (Frobenius inner product) of the directions a variable may move in.

    A general matrix moves in every direction; a symmetric one only along symmetric matrices
    (``E_ij + E_ji``), a diagonal one along diagonal matrices, a skew-symmetric one along
    ``E_ij - E_ji``. For an orthogonal ``Q`` the directions are ``Q Ω`` with ``Ω`` skew-symmetric:
    :func:`orthogonal_group` says when the patterns are to be multiplied by the value. Entries are
    integers so that the exact backend stays in rational arithmetic; the gradient on the set is
    ``Σ_k Df[B_k] B_k / ⟨B_k, B_k⟩``.
    """
    rows, columns = shape
    indices = [(i, j) for i in range(rows) for j in range(columns)]
    if "diagonal" in properties:
        return [((i, i, 1),) for i in range(rows)]
    if properties & {"symmetric", "positive definite"}:
        return [((i, j, 1),) if i == j else ((i, j, 1), (j, i, 1)) for i, j in indices if i <= j]
    if properties & {"skew-symmetric", "orthogonal"}:
        return [((i, j, 1), (j, i, -1)) for i, j in indices if i < j]
    if "lower triangular" in properties:
        return [((i, j, 1),) for i, j in indices if i >= j]
    if "upper triangular" in properties:
        return [((i, j, 1),) for i, j in indices if i <= j]
    return [((i, j, 1),) for i, j in indices]


def orthogonal_group(properties: frozenset[str]) -> bool:
    """Whether tangent patterns are skew matrices Ω to be turned into ``Q Ω``."""
    return "orthogonal" in properties


def tangent_basis(properties: frozenset[str], value: np.ndarray) -> list[np.ndarray]:
    """The tangent basis of :func:`tangent_patterns` as NumPy arrays at ``value``."""
    patterns = tangent_patterns(properties, value.shape)
    basis = np.zeros((len(patterns), *value.shape))
    for k, pattern in enumerate(patterns):
        for i, j, coefficient in pattern:
            basis[k, i, j] = coefficient
    return list(value @ basis if orthogonal_group(properties) else basis)


def random_direction(basis: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """A random combination of the basis: a direction the variable may move in (the terms
    added in the order of the basis)."""
    weights = rng.standard_normal(len(basis))
    return np.add.reduce(weights[:, None, None] * np.stack(basis), axis=0, initial=0.0)


TEST_FUNCTION_KINDS = ("linear", "polynomial", "transcendental")


@dataclass(frozen=True)
class Entrywise:
    """A backend's matrix product and entrywise operations, so one test-function recipe serves
    both backends."""

    product: Callable[[Any, Any], Any]
    sin: Callable[[Any], Any]
    cos: Callable[[Any], Any]
    exp: Callable[[Any], Any]
    matmul: Callable[[Any, Any], Any]


def test_function(
    declaration: Declaration,
    kind: str,
    offset: Any,
    factors: list[tuple[Any, Any]],
    entrywise: Entrywise,
) -> Callable[[Any], Any]:
    """A smooth built-in function with the declared argument and value shapes.

    With ``factors`` ``(A_k, B_k)``: ``linear`` is ``C + A_0 X B_0``; ``polynomial`` adds the
    entrywise product ``(A_1 X B_1) ∘ (A_2 X B_2)``; ``transcendental`` adds ``sin(A_1 X B_1)/2 +
    exp(A_2 X B_2)/5`` entrywise. Values declared symmetric are symmetrised. Everything is
    analytic, so complex-step differentiation applies.
    """
    symmetric = bool(declaration.properties & {"symmetric", "positive definite"})

    def linear(x: Any, index: int) -> Any:
        left, right = factors[index]
        return entrywise.matmul(entrywise.matmul(left, x), right)

    def value(x: Any) -> Any:
        # The matrix of the argument first: a jet then adds the offset by its own method.
        result = linear(x, 0) + offset
        if kind == "polynomial":
            result = result + entrywise.product(linear(x, 1), linear(x, 2))
        elif kind == "transcendental":
            result = result + entrywise.sin(linear(x, 1)) / 2 + entrywise.exp(linear(x, 2)) / 5
        if symmetric:
            result = (result + result.swapaxes(-1, -2)) / 2
        return result

    return value


NUMPY_ENTRYWISE = Entrywise(np.multiply, np.sin, np.cos, np.exp, np.matmul)

#: How many coefficients a scalar test function takes.
SCALAR_COEFFICIENTS = 5


def scalar_test_functions(
    name: str, kind: str, c: list[Any], entrywise: Entrywise
) -> dict[str, Callable[[Any], Any]]:
    """A smooth function of one variable with its first and second derivatives in closed form,
    each applied entrywise, keyed ``f``, ``f'`` and ``f''``.

    With coefficients ``c``: ``linear`` is ``c₀ + c₁t``; ``polynomial`` the cubic ``c₀ + c₁t +
    c₂t² + c₃t³``; ``transcendental`` is ``c₀ + c₁ sin(c₂t) + c₃ exp(c₄t)``. The derivatives are
    exact formulas, not differences, so nested derivatives of ``f'`` stay accurate, and all three
    are analytic, so complex-step differentiation applies.
    """
    if kind == "polynomial":
        functions = (
            lambda t: ((t * c[3] + c[2]) * t + c[1]) * t + c[0],
            lambda t: (t * (3 * c[3]) + 2 * c[2]) * t + c[1],
            lambda t: t * (6 * c[3]) + 2 * c[2],
        )
    elif kind == "transcendental":
        functions = (
            lambda t: entrywise.sin(t * c[2]) * c[1] + entrywise.exp(t * c[4]) * c[3] + c[0],
            lambda t: (
                entrywise.cos(t * c[2]) * (c[1] * c[2]) + entrywise.exp(t * c[4]) * (c[3] * c[4])
            ),
            lambda t: (
                entrywise.sin(t * c[2]) * (-c[1] * c[2] * c[2])
                + entrywise.exp(t * c[4]) * (c[3] * c[4] * c[4])
            ),
        )
    else:
        functions = (lambda t: t * c[1] + c[0], lambda t: t * 0 + c[1], lambda t: t * 0)
    return {name + "'" * order: function for order, function in enumerate(functions)}


def numeric_test_functions(
    declaration: Declaration, sizes: dict[str, int], kind: str, rng: np.random.Generator
) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """The test functions that stand for a declared function at a numeric sample, by the name a
    point holds them under (a scalar function brings its derivatives)."""
    if declaration.is_scalar_function:
        magnitudes = rng.uniform(0.5, 1.5, SCALAR_COEFFICIENTS)
        coefficients = list(magnitudes * _signs(SCALAR_COEFFICIENTS, rng))
        coefficients[4] /= 3  # exp(c₄t) stays moderate on arguments of a few units
        return scalar_test_functions(declaration.name, kind, coefficients, NUMPY_ENTRYWISE)
    return {declaration.name: numeric_test_function(declaration, sizes, kind, rng)}


def numeric_test_function(
    declaration: Declaration, sizes: dict[str, int], kind: str, rng: np.random.Generator
) -> Callable[[np.ndarray], np.ndarray]:
    """:func:`test_function` with random real factors; invertible values stay well conditioned."""
    assert declaration.argument is not None
    m, n = concrete(declaration.argument, sizes)
    p, q = concrete(declaration.shape, sizes)
    scale = 0.3 / np.sqrt(m * n)
    factors = [(rng.standard_normal((p, m)) * scale, rng.standard_normal((n, q))) for _ in range(3)]
    offset = sample_value(declaration.properties, (p, q), rng)
    if declaration.properties & {"invertible", "positive definite"}:
        offset = offset * 2.0
    return test_function(declaration, kind, offset, factors, NUMPY_ENTRYWISE)
