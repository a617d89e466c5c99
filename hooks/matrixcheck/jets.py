"""Exact first-order jets: numbers ``a + Σ c_S t^S`` in open infinitesimals with ``t_k² = 0``.

The exact backend differentiates by evaluating at ``X + t V`` and reading the coefficient of
``t``. Keeping only first order in each open ``t`` (a jet, or dual number) is all that
``d/dt … at t = 0`` ever needs, and nested derivatives simply open a second ``t``; the directions
of one gradient open a :func:`batch` of ``t_k`` whose products vanish. A term is keyed
by the bit mask of the infinitesimals it multiplies; coefficients are exact rationals (gmpy2's
``mpq``, GMP arithmetic; ``int`` and the parser's ``Fraction`` mix with them), so sums, products,
quotients, inverses and determinants are exact with no symbolic algebra at all.

Only transcendental values (logarithms, exponentials, sines, irrational roots) leave the
rationals: they become 50-digit :mod:`mpmath` numbers (imported only then), and the comparison of
the two sides then works to 50 digits instead of exactly. A function of a jet is its Taylor
polynomial, which is exact because the nilpotent part vanishes after as many powers as there are
open infinitesimals.

The cost is Python work per term, so the common paths do little of it: a sum or product of two
jets gathers all its terms in one pass (:func:`_accumulated`), all-rational terms are scaled in
one comprehension, and a rational's 50-digit conversion is remembered. Python asks the left
operand of ``q * jet`` first, and gmpy2 probes a jet for four conversion methods before it gives
up, which costs more than the product: a matrix product with the jets on the right only is taken
transposed (:func:`product`), so each jet multiplies by its own method.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, TypeAlias

import gmpy2
import numpy as np
from gmpy2 import mpq

if TYPE_CHECKING:
    import mpmath

DIGITS = 50
ZERO = mpq(0)
ONE = mpq(1)
#: The exact coefficients: gmpy2's rationals, integers, and the parser's fractions.
RATIONAL = (mpq, int, Fraction)
_EXACT_TYPES = frozenset({mpq, int})
Coefficient: TypeAlias = "int | mpq | mpmath.mpf"
Scalar: TypeAlias = "Coefficient | Jet"


@functools.cache
def mp() -> mpmath.MPContext:
    """The 50-digit context of every non-rational value: a private one (no global state), made
    on first use, so that builds whose checks are all cached never import mpmath."""
    import mpmath

    context = mpmath.MPContext()
    context.dps = DIGITS
    return context


def _number(value: object) -> bool:
    """A coefficient (rational or 50-digit); arrays are left to NumPy's own operators."""
    return not isinstance(value, (Jet, np.ndarray))


class Jet:
    """``terms[mask]`` is the coefficient of the product of the infinitesimals in ``mask``."""

    __slots__ = ("terms",)

    def __init__(self, terms: dict[int, Coefficient]) -> None:
        self.terms = terms

    def __repr__(self) -> str:
        return f"Jet({self.terms!r})"

    def __add__(self, other: object) -> Scalar:
        if type(other) is Jet:
            return _accumulated(self.terms.copy(), other.terms.items())
        if isinstance(other, np.ndarray):
            return NotImplemented
        return _accumulated(dict(self.terms), ((0, other),))

    __radd__ = __add__

    def __neg__(self) -> Jet:
        return Jet({mask: -coefficient for mask, coefficient in self.terms.items()})

    def __sub__(self, other: object) -> Scalar:
        if isinstance(other, np.ndarray):
            return NotImplemented
        return self + (-other)

    def __rsub__(self, other: object) -> Scalar:
        if not _number(other):
            return NotImplemented
        return (-self) + other

    def __mul__(self, other: object) -> Scalar:
        if type(other) is Jet:
            return _accumulated({}, _products(self.terms, other.terms))
        if isinstance(other, np.ndarray):
            return NotImplemented
        return jet(_scaled(self.terms, other))

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Scalar:
        if isinstance(other, np.ndarray):
            return NotImplemented
        return self * reciprocal(other)

    def __rtruediv__(self, other: object) -> Scalar:
        if not _number(other):
            return NotImplemented
        return reciprocal(self) * other

    def __pow__(self, exponent: int) -> Scalar:
        result: Scalar = ONE
        for _ in range(exponent):
            result = result * self
        return result


def jet(terms: dict[int, Coefficient]) -> Scalar:
    """A jet without zero terms; a plain rational when no infinitesimal is left.

    A 50-digit number always stays wrapped in a jet, even alone: only the jet's own arithmetic
    mixes it with rationals (``mpq`` and ``mpf`` do not combine with each other).
    """
    kept = terms if all(terms.values()) else {m: c for m, c in terms.items() if c or not m}
    if len(kept) > 1:
        return Jet(kept)
    if not kept:
        return ZERO
    if 0 in kept and is_rational(kept[0]):
        return kept[0]
    return Jet(kept)


def _scaled(terms: dict[int, Coefficient], factor: Coefficient) -> dict[int, Coefficient]:
    """Each coefficient times ``factor``, a rational factor made a 50-digit number at most once."""
    if not is_rational(factor):
        return {mask: _times(c, factor) for mask, c in terms.items()}
    if _EXACT_TYPES.issuperset(map(type, terms.values())):
        return {mask: c * factor for mask, c in terms.items()}
    converted = None
    scaled = {}
    for mask, c in terms.items():
        if is_rational(c):
            scaled[mask] = c * factor
        else:
            converted = real(factor) if converted is None else converted
            scaled[mask] = real(c) * converted
    return scaled


def _accumulated(terms: dict[int, Coefficient], added: Iterable[tuple[int, Coefficient]]) -> Scalar:
    """The jet of ``terms`` (taken over) with each ``(mask, coefficient)`` of ``added`` added to
    its term (two rationals added directly): one call per sum or product, not one per term."""
    for mask, coefficient in added:
        term = terms.get(mask)
        if term is None:
            terms[mask] = coefficient
        elif type(term) is mpq is type(coefficient):
            terms[mask] = term + coefficient
        else:
            terms[mask] = _plus(term, coefficient)
    return jet(terms)


def _products(
    left: dict[int, Coefficient], right: dict[int, Coefficient]
) -> Iterator[tuple[int, Coefficient]]:
    """The products of the terms of two jets, keyed by their masks; a product of an
    infinitesimal with itself (masks that share a bit) vanishes."""
    for mask, coefficient in left.items():
        rational = type(coefficient) is mpq
        for other_mask, other_coefficient in right.items():
            if not mask & other_mask:
                yield (
                    mask | other_mask,
                    coefficient * other_coefficient
                    if rational and type(other_coefficient) is mpq
                    else _times(coefficient, other_coefficient),
                )


def _plus(a: Coefficient, b: Coefficient) -> Coefficient:
    if is_rational(a) and is_rational(b):
        return a + b
    return real(a) + real(b)


def _times(a: Coefficient, b: Coefficient) -> Coefficient:
    if is_rational(a) and is_rational(b):
        return a * b
    return real(a) * real(b)


def infinitesimal(bit: int) -> Jet:
    """The infinitesimal ``t`` numbered ``bit`` (0, 1, … for nested derivatives)."""
    return Jet({1 << bit: ONE})


def batch(level: int, count: int) -> list[int]:
    """Masks of ``count`` infinitesimals ``t_k`` with ``t_j t_k = 0`` for all ``j``, ``k``.

    Each is a product of the shared bit ``level`` with its own bit above it: any two share
    ``level``, so their product drops out exactly as ``t²`` does, while products with other open
    infinitesimals are kept. Derivatives along ``count`` directions then take one evaluation
    at ``X + Σ_k t_k V_k``. The bits used are ``level`` to ``level + count``.
    """
    return [(1 << level) | (1 << (level + 1 + k)) for k in range(count)]


def value_at_zero(value: Scalar) -> Coefficient:
    """The value with every open infinitesimal set to 0."""
    return value.terms.get(0, ZERO) if isinstance(value, Jet) else value


def shifted(value: Scalar, slopes: list[tuple[int, Scalar]]) -> Scalar:
    """``value + Σ_k d_k t_k`` for ``(mask of t_k, d_k)`` in ``slopes``; every ``t_k`` is new to
    ``value`` and to every ``d_k``, so no two terms share a mask and nothing is added up."""
    terms = dict(value.terms) if isinstance(value, Jet) else {0: value}
    for flag, direction in slopes:
        if isinstance(direction, Jet):
            terms.update((mask | flag, c) for mask, c in direction.terms.items())
        else:
            terms[flag] = direction
    return jet(terms)


def slope(value: Scalar, bit: int) -> Scalar:
    """``d/dt`` at ``t = 0`` for the infinitesimal ``bit``: the coefficient of ``t``."""
    return coefficient(value, 1 << bit)


def coefficient(value: Scalar, flag: int) -> Scalar:
    """The coefficient of the infinitesimal with mask ``flag`` (one bit, or one of a
    :func:`batch`), which may still hold other open infinitesimals."""
    if not isinstance(value, Jet):
        return ZERO
    return jet({mask & ~flag: c for mask, c in value.terms.items() if mask & flag == flag})


def is_rational(value: Coefficient) -> bool:
    # The common types first: ``Fraction`` is an abstract ``numbers.Rational``, slow to test.
    return type(value) in _EXACT_TYPES or isinstance(value, RATIONAL)


def real(value: Coefficient) -> mpmath.mpf:
    """A coefficient as a 50-digit number."""
    if is_rational(value):
        return _real_rational(value)
    return value if isinstance(value, mp().mpf) else mp().mpf(value)


@functools.lru_cache(maxsize=4096)
def _real_rational(value: int | mpq | Fraction) -> mpmath.mpf:
    """A rational as a 50-digit number, remembered: the same few small ones recur (0, 1, the
    entries of the samples), and each conversion is a division."""
    return mp().mpf(int(value.numerator)) / int(value.denominator)


def rational(value: Coefficient) -> gmpy2.mpq:
    """A coefficient as an exact rational (a 50-digit number is a binary fraction)."""
    if is_rational(value):
        return gmpy2.mpq(value)
    mantissa, exponent = (int(part) for part in value.man_exp)
    magnitude = gmpy2.mpq(mantissa << max(exponent, 0), 1 << max(-exponent, 0))
    return -magnitude if value < 0 else magnitude


def from_binary(value: gmpy2.mpfr) -> mpmath.mpf:
    """An MPFR float rounded to a 50-digit number."""
    mantissa, exponent = value.as_mantissa_exp()
    return mp().mpf((int(mantissa), int(exponent)))


# -- functions of a jet: Taylor polynomials ------------------------------------------------------
#: ``series(a, order)`` gives ``f(a), f'(a)/1!, …, f⁽ᵒʳᵈᵉʳ⁾(a)/order!``.
Series = Callable[[Coefficient, int], list[Coefficient]]


def apply(series: Series, value: Scalar) -> Scalar:
    """``f(a + n) = Σ_k f⁽ᵏ⁾(a) nᵏ / k!``, exact since ``n`` is nilpotent."""
    if not isinstance(value, Jet):
        return jet({0: series(value, 0)[0]})
    nilpotent = Jet({mask: c for mask, c in value.terms.items() if mask})
    order = nilpotency(nilpotent.terms)
    coefficients = series(value_at_zero(value), order)
    result: Scalar = Jet({0: coefficients[0]})
    powers = itertools.accumulate(itertools.repeat(nilpotent, order), operator.mul)
    for power, coefficient in zip(powers, coefficients[1:], strict=True):
        result = result + power * coefficient
    return result


def nilpotency(masks: Iterable[int]) -> int:
    """How many of the terms ``masks`` (0, the value, is skipped) can multiply to a nonzero
    product: it needs disjoint masks, and disjoint masks have distinct lowest bits, so every
    product of more factors than there are lowest bits vanishes (a whole :func:`batch` counts
    once)."""
    return len({mask & -mask for mask in masks if mask})


def _inverse(a: Coefficient) -> Coefficient:
    """``1/a`` for a nonzero coefficient, rational when ``a`` is."""
    return 1 / mpq(a) if is_rational(a) else 1 / a


def _reciprocal_series(a: Coefficient, order: int) -> list[Coefficient]:
    inverse = _inverse(a)
    return [(-1) ** k * inverse ** (k + 1) for k in range(order + 1)]


def _exp_series(a: Coefficient, order: int) -> list[Coefficient]:
    value = mp().exp(real(a))
    return [value / math.factorial(k) for k in range(order + 1)]


def _log_series(a: Coefficient, order: int) -> list[Coefficient]:
    inverse = _inverse(a)
    return [mp().log(real(a))] + [
        _times(mpq((-1) ** (k - 1), k), inverse**k) for k in range(1, order + 1)
    ]


def _trigonometric(start: int) -> Series:
    """sin (``start`` 0) or cos (``start`` 1): derivatives cycle sin, cos, −sin, −cos."""

    def series(a: Coefficient, order: int) -> list[Coefficient]:
        sine, cosine = mp().sin(real(a)), mp().cos(real(a))
        cycle = (sine, cosine, -sine, -cosine)
        return [cycle[(start + k) % 4] / math.factorial(k) for k in range(order + 1)]

    return series


def root_series(power: int) -> Series:
    """The ``power``-th root: ``(a + n)^(1/p) = Σ_k C(1/p, k) a^(1/p − k) nᵏ``."""

    def series(a: Coefficient, order: int) -> list[Coefficient]:
        root = exact_root(a, power)
        binomial = ONE
        coefficients = []
        for k in range(order + 1):
            coefficients.append(_times(binomial, _times(root, _inverse(a) ** k)))
            binomial = binomial * (mpq(1, power) - k) / (k + 1)
        return coefficients

    return series


def exact_root(a: Coefficient, power: int) -> Coefficient:
    """``a^(1/power)`` for ``a > 0``, a rational when ``a`` is a power of one, else 50 digits."""
    if is_rational(a):
        a = mpq(a)
        numerator, denominator = (
            _integer_root(int(a.numerator), power),
            _integer_root(int(a.denominator), power),
        )
        if numerator is not None and denominator is not None:
            return mpq(numerator, denominator)
    return mp().root(real(a), power)


def _integer_root(value: int, power: int) -> int | None:
    """The exact ``power``-th root of a non-negative integer, or None."""
    root = round(value ** (1 / power)) if value < 2**1000 else None
    if root is None:
        return None
    for candidate in (root - 1, root, root + 1):
        if candidate >= 0 and candidate**power == value:
            return candidate
    return None


def reciprocal(value: Scalar) -> Scalar:
    """``1/value``; the caller makes sure that its value at zero is not 0."""
    return apply(_reciprocal_series, value)


SERIES: dict[str, Series] = {
    "exp": _exp_series,
    "log": _log_series,
    "sin": _trigonometric(0),
    "cos": _trigonometric(1),
    "sqrt": root_series(2),
}


# -- matrices of jets (NumPy object arrays) -------------------------------------------------------
def matrix(rows: int, columns: int, entry: Callable[[int, int], Scalar]) -> np.ndarray:
    """An object array of exact entries."""
    entries = (entry(i, j) for i in range(rows) for j in range(columns))
    return np.fromiter(entries, dtype=object, count=rows * columns).reshape(rows, columns)


def product(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``left @ right``, with the jets on the left of each product when only ``right`` has jets.

    Python asks the left operand of ``q * jet`` first, and gmpy2 probes a jet for four
    conversion methods before it gives up: several times the cost of the jet's own product.
    ``(rightᵀ leftᵀ)ᵀ`` forms the same products and sums in the same order, reaching the jet's
    method directly.
    """
    if has_jet(right) and not has_jet(left):
        return (right.swapaxes(-1, -2) @ left.swapaxes(-1, -2)).swapaxes(-1, -2)
    return left @ right


def has_jet(value: np.ndarray) -> bool:
    """Whether an entry of ``value`` is a jet."""
    return Jet in set(map(type, value.flat))


def rational_entries(value: np.ndarray) -> bool:
    """Whether every entry of ``value`` is a plain rational (``mpq`` or ``int``), no jet."""
    return _EXACT_TYPES.issuperset(map(type, value.flat))


def zeros(rows: int, columns: int) -> np.ndarray:
    return np.full((rows, columns), ZERO, dtype=object)


def eye(size: int) -> np.ndarray:
    value = zeros(size, size)
    np.fill_diagonal(value, ONE)
    return value


def entrywise(function: Callable[[Scalar], Scalar], value: np.ndarray) -> np.ndarray:
    """``function`` of each entry, in a Python loop rather than an object ufunc.

    NumPy reports every floating-point flag raised while a ufunc runs, and the first
    transcendental value imports mpmath, whose import raises the invalid flag (it computes
    ``inf - inf``). Under a ufunc that became a RuntimeWarning in the build log, printed or not
    depending on which identity a worker happened to check first.
    """
    entries = map(function, value.flat)
    return np.fromiter(entries, dtype=object, count=value.size).reshape(value.shape)


def inverse(value: np.ndarray) -> np.ndarray | None:
    """The exact inverse by Gauss–Jordan elimination; None when singular at ``t = 0``."""
    n = value.shape[0]
    rows = [[*value[i], *(ONE if i == j else ZERO for j in range(n))] for i in range(n)]
    for column in range(n):
        pivot = _pivot(rows, column)
        if pivot is None:
            return None
        rows[column], rows[pivot] = rows[pivot], rows[column]
        factor = reciprocal(rows[column][column])
        rows[column] = [entry * factor for entry in rows[column]]
        for r in range(n):
            if r != column and rows[r][column] != 0:
                multiple = rows[r][column]
                rows[r] = [a - multiple * b for a, b in zip(rows[r], rows[column], strict=True)]
    return matrix(n, n, lambda i, j: rows[i][n + j])


def determinant(value: np.ndarray) -> Scalar:
    """The exact determinant: elimination, or cofactor expansion when singular at ``t = 0``."""
    n = value.shape[0]
    rows = [list(value[i]) for i in range(n)]
    result: Scalar = ONE
    for column in range(n):
        pivot = _pivot(rows, column)
        if pivot is None:
            return _expansion(value)
        if pivot != column:
            rows[column], rows[pivot] = rows[pivot], rows[column]
            result = -result
        head = rows[column][column]
        result = result * head
        factor = reciprocal(head)
        for r in range(column + 1, n):
            if rows[r][column] != 0:
                multiple = rows[r][column] * factor
                rows[r] = [a - multiple * b for a, b in zip(rows[r], rows[column], strict=True)]
    return result


def _pivot(rows: list[list[Scalar]], column: int) -> int | None:
    """The first row at or below ``column`` whose entry there is nonzero at ``t = 0``."""
    return next((r for r in range(column, len(rows)) if value_at_zero(rows[r][column]) != 0), None)


def _expansion(value: np.ndarray) -> Scalar:
    """Laplace expansion along the rows, memoised on the set of columns left (division-free)."""
    n = value.shape[0]

    @functools.cache
    def minor(row: int, columns: int) -> Scalar:
        if row == n:
            return ONE
        total: Scalar = ZERO
        sign = 1
        for column in range(n):
            if columns & (1 << column):
                term = value[row, column] * minor(row + 1, columns & ~(1 << column))
                total = total + term if sign > 0 else total - term
                sign = -sign
        return total

    return minor(0, (1 << n) - 1)
