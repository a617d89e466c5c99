"""Random inputs that honour the declarations, chosen reproducibly from the identity's id.

Sizes give every dimension name its own value (never 1, never equal to another name's), so a
missing transpose cannot hide behind a square shape. Matrices declared invertible are well
conditioned (singular values in [1, 2]), so the numeric comparison is not spoiled by a nearly
singular sample. Each variable also gets an orthonormal basis of the directions it may move in
(all matrices, or only symmetric ones, diagonal ones, …): derivatives are taken along that basis.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable

import numpy as np

from .declarations import Declaration, Dimension

SIZE_POOL = (2, 3, 4, 5, 6)
SIZE_SETS = 3


def seed_for(identity_id: str, trial: int) -> int:
    """A 32-bit seed derived from the identity's id and the trial number."""
    digest = hashlib.sha256(f"{identity_id}#{trial}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def size_sets(names: list[str], identity_id: str) -> list[dict[str, int]]:
    """Several assignments of distinct sizes to the dimension names, fixed by the id."""
    names = sorted(names)
    pool = tuple(range(2, len(names) + 2)) if len(names) > len(SIZE_POOL) else SIZE_POOL
    rng = np.random.default_rng(seed_for(identity_id, -1))
    permutations = list(itertools.permutations(pool, len(names)))
    chosen: list[dict[str, int]] = []
    for index in rng.permutation(len(permutations)):
        sizes = dict(zip(names, permutations[index], strict=True))
        if sizes not in chosen:
            chosen.append(sizes)
        if len(chosen) == SIZE_SETS:
            break
    return chosen or [{}]


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
    if "positive definite" in properties:
        q = _orthogonal(n, rng)
        value = (q * _magnitudes(n, rng, 0.5)) @ q.T
    elif "orthogonal" in properties:
        value = _orthogonal(n, rng)
    elif "diagonal" in properties:
        entries = rng.standard_normal(n)
        if "invertible" in properties:
            entries = _signs(n, rng) * _magnitudes(n, rng, 0.5)
        value = np.diag(entries)
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


def tangent_basis(properties: frozenset[str], value: np.ndarray) -> list[np.ndarray]:
    """An orthonormal basis (Frobenius inner product) of the directions a variable may move in.

    A general matrix moves in every direction; a symmetric one only along symmetric matrices, a
    diagonal one along diagonal matrices, an orthogonal ``Q`` along ``Q Ω`` with ``Ω``
    skew-symmetric. The gradient on such a set is ``Σ_k Df[B_k] B_k`` over this basis.
    """
    rows, columns = value.shape

    def unit(i: int, j: int) -> np.ndarray:
        basis = np.zeros((rows, columns))
        basis[i, j] = 1.0
        return basis

    def pair(i: int, j: int, sign: float) -> np.ndarray:
        return (unit(i, j) + sign * unit(j, i)) / np.sqrt(2.0)

    indices = [(i, j) for i in range(rows) for j in range(columns)]
    if "diagonal" in properties:
        return [unit(i, i) for i in range(rows)]
    if properties & {"symmetric", "positive definite"}:
        return [unit(i, j) if i == j else pair(i, j, 1.0) for i, j in indices if i <= j]
    if "skew-symmetric" in properties:
        return [pair(i, j, -1.0) for i, j in indices if i < j]
    if "orthogonal" in properties:
        return [value @ pair(i, j, -1.0) for i, j in indices if i < j]
    if "lower triangular" in properties:
        return [unit(i, j) for i, j in indices if i >= j]
    if "upper triangular" in properties:
        return [unit(i, j) for i, j in indices if i <= j]
    return [unit(i, j) for i, j in indices]


def random_direction(basis: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """A random combination of the basis: a direction the variable may move in."""
    weights = rng.standard_normal(len(basis))
    return sum((w * b for w, b in zip(weights, basis, strict=True)), np.zeros_like(basis[0]))


TEST_FUNCTION_KINDS = ("linear", "polynomial", "transcendental")


def test_function(
    declaration: Declaration, sizes: dict[str, int], kind: str, rng: np.random.Generator
) -> Callable[[np.ndarray], np.ndarray]:
    """A smooth built-in function with the declared argument and value shapes.

    ``linear`` is ``C + A X B``; ``polynomial`` adds an entrywise product of two linear maps;
    ``transcendental`` uses entrywise sine and exponential. Values declared invertible are kept
    near a well-conditioned constant, and symmetric ones are symmetrised. Everything is analytic,
    so complex-step differentiation applies.
    """
    assert declaration.argument is not None
    m, n = concrete(declaration.argument, sizes)
    p, q = concrete(declaration.shape, sizes)
    scale = 0.3 / np.sqrt(m * n)
    left = [rng.standard_normal((p, m)) * scale for _ in range(3)]
    right = [rng.standard_normal((n, q)) for _ in range(3)]
    offset = sample_value(declaration.properties, (p, q), rng)
    if declaration.properties & {"invertible", "positive definite"}:
        offset = offset * 2.0

    def linear(x: np.ndarray, index: int) -> np.ndarray:
        return left[index] @ x @ right[index]

    def value(x: np.ndarray) -> np.ndarray:
        result = offset + linear(x, 0)
        if kind == "polynomial":
            result = result + linear(x, 1) * linear(x, 2)
        elif kind == "transcendental":
            result = result + np.sin(linear(x, 1)) * 0.5 + np.exp(linear(x, 2)) * 0.2
        if declaration.properties & {"symmetric", "positive definite"}:
            result = (result + result.T) / 2
        return result

    return value
