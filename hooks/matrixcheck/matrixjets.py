"""Matrix functions of a matrix jet ``M + Σ_k t_k N_k`` (``t_j t_k = 0``) in binary floats.

``f(M + t N) = f(M) + t Df(M)[N]``: the jet's two parts are the blocks of
``f([[M, N], [0, M]]) = [[f(M), Df(M)[N]], [0, f(M)]]``, and since ``M + t N ↦ [[M, N], [0, M]]``
respects sums, products and inverses, any algorithm built from those computes the block rule on
the pair ``(M, N)`` at a third of the cost of the doubled matrix. No rule of matrix calculus is
used: ``Df(M)[N]`` comes out of the same arithmetic as ``f(M)``. Several slopes ``N_k`` whose
infinitesimals multiply to zero (the directions of one gradient) share the work on ``M``.

The arithmetic is MPFR (:mod:`gmpy2`) at :data:`PRECISION` bits, well beyond the 50 digits the
sides are compared to, on NumPy object arrays (so that products and sums of matrices run in C
loops over the same MPFR operations, in the same order); the algorithms are the textbook ones:

- ``exp``: scaling and squaring around the Taylor series of ``exp(2⁻ˢ M)``;
- ``sin``/``cos``: both Taylor series at ``2⁻ˢ M``, then ``s`` double-angle steps;
- ``log``: inverse scaling and squaring: square roots (Denman–Beavers, product form) until
  ``‖R − I‖₁ ≤ 1/4``, then ``log R = 2 artanh((R − I)(R + I)⁻¹)`` by its series.

Series and iterations run until the change is below :data:`TOLERANCE` of the result, in both
parts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from typing import TypeAlias

import gmpy2
import numpy as np
from gmpy2 import mpfr

#: Working precision in bits (about 77 digits) for 50-digit results.
PRECISION = 256
#: The Taylor series are summed at ``2⁻ˢ M`` with ``‖2⁻ˢ M‖₁ ≤ 2^-EXP_SCALE`` (for the
#: exponential) or ``2^-TRIGONOMETRIC_SCALE`` (sine and cosine, whose doublings lose 2 bits each).
EXP_SCALE = 10
TRIGONOMETRIC_SCALE = 4
#: Square roots are taken until ``‖R − I‖₁`` is at most this.
LOG_RADIUS = 0.25
MAX_ITERATIONS = 200
#: Series and iterations stop at this relative change (about 65 digits).
TOLERANCE = mpfr(2) ** (40 - PRECISION)

#: A matrix of mpfr entries (a NumPy object array).
Matrix: TypeAlias = np.ndarray
#: ``(M, [N_1, …])`` for ``M + Σ_k t_k N_k``; no slopes when no infinitesimal is open.
Pair: TypeAlias = tuple[Matrix, list[Matrix]]


class NoConvergence(ArithmeticError):
    """An iteration did not converge (the matrix is outside the function's domain)."""


def function(name: str, pair: Pair) -> Pair:
    """``f(M + Σ t_k N_k)`` for ``f`` one of exp, log, sin, cos; entries are anything mpfr
    accepts."""
    with gmpy2.context(precision=PRECISION):
        base, slopes = pair
        converted = (_map(base, mpfr), [_map(slope, mpfr) for slope in slopes])
        return FUNCTIONS[name](converted)


# -- matrices: NumPy object arrays of mpfr --------------------------------------------------------
def _map(value: Iterable[Iterable], function: Callable) -> Matrix:
    """The matrix of ``function`` of each entry of ``value`` (rows of entries)."""
    return np.array([[function(e) for e in row] for row in value], dtype=object)


def _identity(n: int) -> Matrix:
    return _map([[int(i == j) for j in range(n)] for i in range(n)], mpfr)


def _product(a: Matrix, b: Matrix) -> Matrix:
    return a @ b


def _sum(a: Matrix, b: Matrix) -> Matrix:
    return a + b


def _scaled(a: Matrix, factor: mpfr | int) -> Matrix:
    return a * factor


def _norm(a: Matrix | None) -> mpfr:
    """The 1-norm (largest column sum of absolute values); 0 for no matrix."""
    if a is None:
        return mpfr(0)
    return max(np.abs(a).sum(axis=0))


def _inverse(a: Matrix) -> Matrix:
    """Gauss–Jordan elimination with partial pivoting."""
    n = len(a)
    rows = [[*row, *(mpfr(int(i == j)) for j in range(n))] for i, row in enumerate(a)]
    for column in range(n):
        pivot = max(range(column, n), key=lambda r: abs(rows[r][column]))
        if rows[pivot][column] == 0:
            raise NoConvergence("a singular matrix")
        rows[column], rows[pivot] = rows[pivot], rows[column]
        head = rows[column][column]
        rows[column] = [x / head for x in rows[column]]
        for r in range(n):
            factor = rows[r][column]
            if r != column and factor != 0:
                rows[r] = [x - factor * y for x, y in zip(rows[r], rows[column], strict=True)]
    return np.array([row[n:] for row in rows], dtype=object)


# -- pairs: M + Σ t_k N_k --------------------------------------------------------------------------
def _times(a: Pair, b: Pair) -> Pair:
    """``(A + Σ t_k B_k)(C + Σ t_k D_k) = AC + Σ t_k (A D_k + B_k C)``."""
    (p, q), (r, s) = a, b
    if not q:
        slopes = [_product(p, y) for y in s]
    elif not s:
        slopes = [_product(x, r) for x in q]
    else:
        slopes = [_sum(_product(p, y), _product(x, r)) for x, y in zip(q, s, strict=True)]
    return _product(p, r), slopes


def _plus(a: Pair, b: Pair) -> Pair:
    (p, q), (r, s) = a, b
    slopes = q if not s else s if not q else [_sum(x, y) for x, y in zip(q, s, strict=True)]
    return _sum(p, r), slopes


def _scale(a: Pair, factor: mpfr | int) -> Pair:
    return _scaled(a[0], factor), [_scaled(slope, factor) for slope in a[1]]


def _invert(a: Pair) -> Pair:
    """``(A + Σ t_k B_k)⁻¹ = A⁻¹ − Σ t_k A⁻¹ B_k A⁻¹``."""
    inverse = _inverse(a[0])
    return inverse, [_scaled(_product(_product(inverse, b), inverse), -1) for b in a[1]]


def _one(a: Pair) -> Pair:
    return _identity(len(a[0])), []


def _negligible(change: Pair, total: Pair) -> bool:
    """Whether each part of ``change`` is below :data:`TOLERANCE` of that part of ``total``."""
    parts = [(change[0], total[0]), *itertools.zip_longest(change[1], total[1])]
    return all(_norm(part) <= TOLERANCE * _norm(whole) for part, whole in parts)


def _halvings(a: Pair, scale: int) -> int:
    """The least ``s ≥ 0`` with ``‖2⁻ˢ M‖₁ ≤ 2^-scale`` (up to a factor 2)."""
    norm = _norm(a[0])
    return 0 if norm == 0 else max(0, math.frexp(float(norm))[1] + scale)


def _series(start: Pair, step: Callable[[Pair, int], Pair]) -> Pair:
    """``start + Σ_k term_k`` where ``term_k = step(term_(k−1), k)``, until a term is negligible."""
    total, term = start, start
    for k in range(1, MAX_ITERATIONS):
        term = step(term, k)
        total = _plus(total, term)
        if _negligible(term, total):
            return total
    raise NoConvergence("a series did not converge")


# -- the functions ----------------------------------------------------------------------------------
def _exp(a: Pair) -> Pair:
    s = _halvings(a, EXP_SCALE)
    x = _scale(a, mpfr(2) ** -s)
    result = _series(_one(x), lambda term, k: _scale(_times(term, x), mpfr(1) / k))
    for _ in range(s):
        result = _times(result, result)
    return result


def _sine_cosine(a: Pair) -> tuple[Pair, Pair]:
    s = _halvings(a, TRIGONOMETRIC_SCALE)
    x = _scale(a, mpfr(2) ** -s)
    square = _times(x, x)

    def step(offset: int) -> Callable[[Pair, int], Pair]:
        """The next term of ``Σ (−1)ᵏ x^(2k + offset) / (2k + offset)!``."""
        return lambda term, k: _scale(
            _times(term, square), mpfr(-1) / ((2 * k + offset - 1) * (2 * k + offset))
        )

    sine, cosine = _series(x, step(1)), _series(_one(x), step(0))
    minus_identity = _scale(_one(x), -1)
    for _ in range(s):
        sine, cosine = (
            _scale(_times(sine, cosine), 2),
            _plus(_scale(_times(cosine, cosine), 2), minus_identity),
        )
    return sine, cosine


def _square_root(a: Pair) -> Pair:
    """Denman–Beavers in product form: ``M → I`` while ``Y → A^(1/2)``."""
    m, y = a, a
    half = mpfr(1) / 2
    identity = _one(a)
    for _ in range(MAX_ITERATIONS):
        inverse = _invert(m)
        following = _scale(_times(y, _plus(identity, inverse)), half)
        m = _scale(_plus(_scale(_plus(m, inverse), half), identity), half)
        change, y = _plus(following, _scale(y, -1)), following
        if _negligible(change, y):
            return y
    raise NoConvergence("a square root did not converge")


def _log(a: Pair) -> Pair:
    identity = _one(a)
    minus_identity = _scale(identity, -1)
    roots = 0
    while _norm(_plus(a, minus_identity)[0]) > LOG_RADIUS:
        if roots == MAX_ITERATIONS:
            raise NoConvergence("the matrix logarithm did not converge")
        a, roots = _square_root(a), roots + 1
    z = _times(_plus(a, minus_identity), _invert(_plus(a, identity)))
    square = _times(z, z)
    series = _series(z, lambda term, k: _scale(_times(term, square), mpfr(2 * k - 1) / (2 * k + 1)))
    return _scale(series, mpfr(2) ** (roots + 1))


FUNCTIONS: dict[str, Callable[[Pair], Pair]] = {
    "exp": _exp,
    "log": _log,
    "sin": lambda a: _sine_cosine(a)[0],
    "cos": lambda a: _sine_cosine(a)[1],
}
