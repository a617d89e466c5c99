"""Matrix functions of ``M + t N``: both parts agree with mpmath on the doubled block matrix.

Why: the exact backend's matrix functions (exp, log, sin, cos) and their derivatives come from
:mod:`matrixjets`; they must match an independent computation, ``f([[M, N], [0, M]])`` by mpmath's
own algorithms at higher precision, far beyond the 50 digits the sides are compared to.
"""

from __future__ import annotations

import mpmath
import pytest
from gmpy2 import mpq
from matrixcheck import matrixjets

M = [
    [mpq(3, 2), mpq(-1, 3), mpq(1, 4)],
    [mpq(2, 5), mpq(2), mpq(-1, 2)],
    [mpq(0), mpq(1, 3), mpq(5, 4)],
]
N = [[mpq(1), mpq(2, 3), mpq(-1)], [mpq(-1, 2), mpq(0), mpq(3, 2)], [mpq(1, 5), mpq(-2), mpq(1)]]


def _reference(name: str, context: mpmath.MPContext) -> mpmath.matrix:
    """``f([[M, N], [0, M]])`` by mpmath at the context's precision."""
    n = len(M)
    block = context.zeros(2 * n, 2 * n)
    for i in range(n):
        for j in range(n):
            block[i, j] = block[n + i, n + j] = context.mpf(int(M[i][j].numerator)) / int(
                M[i][j].denominator
            )
            block[i, n + j] = context.mpf(int(N[i][j].numerator)) / int(N[i][j].denominator)
    return getattr(context, f"{name}m")(block)


@pytest.mark.parametrize("name", ["exp", "log", "sin", "cos"])
def test_value_and_derivative_agree_with_the_block_rule(name: str) -> None:
    context = mpmath.MPContext()
    context.dps = 80
    reference = _reference(name, context)
    value, (derivative,) = matrixjets.function(name, (M, [N]))
    n = len(M)
    for i in range(n):
        for j in range(n):
            for ours, theirs in (
                (value[i][j], reference[i, j]),
                (derivative[i][j], reference[i, n + j]),
            ):
                mantissa, exponent = ours.as_mantissa_exp()
                difference = context.ldexp(int(mantissa), int(exponent)) - context.re(theirs)
                assert abs(difference) < context.mpf(10) ** -65 * max(1, abs(theirs))


def test_without_an_infinitesimal_only_the_value_is_computed() -> None:
    value, derivatives = matrixjets.function("exp", (M, []))
    assert derivatives == []
    back, _ = matrixjets.function("log", (value, []))
    for row, original in zip(back, M, strict=True):
        for ours, exact in zip(row, original, strict=True):
            assert abs(mpq(ours) - exact) < mpq(1, 10**65)


def test_several_slopes_are_each_the_slope_alone() -> None:
    other = [[mpq(i - j, 1 + i + j) for j in range(3)] for i in range(3)]
    for name in ("exp", "log", "sin", "cos"):
        value, derivatives = matrixjets.function(name, (M, [N, other]))
        for slope, derivative in zip((N, other), derivatives, strict=True):
            alone_value, (alone,) = matrixjets.function(name, (M, [slope]))
            for ours, theirs in ((value, alone_value), (derivative, alone)):
                for row, reference in zip(ours, theirs, strict=True):
                    for a, b in zip(row, reference, strict=True):
                        assert abs(a - b) <= mpq(1, 10**65) * max(1, abs(b))
