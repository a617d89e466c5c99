"""Exact jets: derivatives read off ``a + b t`` (``t² = 0``) are exact, and stay rational.

Why: the exact check is the second, independent confirmation of every identity. It must
differentiate without any step size or rounding, keep rational values rational (never a float),
and handle the cases elimination alone cannot (a determinant singular at the sample).
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from gmpy2 import mpq
from matrixcheck import jets
from matrixcheck.jets import Jet, infinitesimal, slope, value_at_zero


def _at(a: Fraction) -> Jet:
    """``a + t`` for the first infinitesimal."""
    return a + infinitesimal(0)


def test_products_and_quotients_differentiate_exactly() -> None:
    x = Fraction(3, 7)
    value = (_at(x) ** 3 - 2 * _at(x)) / (1 + _at(x) * _at(x))
    expected_slope = ((3 * x**2 - 2) * (1 + x**2) - (x**3 - 2 * x) * 2 * x) / (1 + x**2) ** 2
    assert value_at_zero(value) == (x**3 - 2 * x) / (1 + x**2)
    assert slope(value, 0) == expected_slope
    assert isinstance(slope(value, 0), mpq)


def test_nested_infinitesimals_give_the_mixed_second_derivative() -> None:
    x = Fraction(2, 3)
    value = (x + infinitesimal(0) + infinitesimal(1)) ** 4
    assert slope(slope(value, 0), 1) == 12 * x**2


@pytest.mark.parametrize(
    ("name", "derivative"),
    [
        ("exp", lambda m, x: m.exp(x)),
        ("log", lambda m, x: 1 / x),
        ("sin", lambda m, x: m.cos(x)),
        ("cos", lambda m, x: -m.sin(x)),
        ("sqrt", lambda m, x: 1 / (2 * m.sqrt(x))),
    ],
)
def test_transcendental_functions_agree_to_fifty_digits(name: str, derivative) -> None:
    mp = jets.mp()
    x = Fraction(5, 3)
    value = jets.apply(jets.SERIES[name], _at(x))
    exact = derivative(mp, jets.real(x))
    assert abs(jets.real(value_at_zero(slope(value, 0))) - exact) < mp.mpf("1e-45")


def test_square_roots_of_squares_stay_rational() -> None:
    value = jets.apply(jets.SERIES["sqrt"], _at(Fraction(9, 4)))
    assert value_at_zero(value) == Fraction(3, 2)
    assert slope(value, 0) == Fraction(1, 3)


def test_inverse_and_determinant_are_exact() -> None:
    a = jets.matrix(3, 3, lambda i, j: Fraction(i * j + 1, i + j + 1) + (i == j))
    inverse = jets.inverse(a)
    assert inverse is not None
    assert ((a @ inverse) == jets.eye(3)).all()
    assert jets.determinant(a) == jets._expansion(a)


def test_a_determinant_singular_at_the_sample_still_has_its_derivative() -> None:
    # det(J + t I) for the 2×2 all-ones J is 2t + t²: zero at t = 0, slope 2.
    shifted = jets.matrix(2, 2, lambda i, j: ONE_PLUS_T if i == j else Fraction(1))
    assert jets.inverse(shifted) is None
    determinant = jets.determinant(shifted)
    assert value_at_zero(determinant) == 0 and slope(determinant, 0) == 2


ONE_PLUS_T = Fraction(1) + infinitesimal(0)


def test_a_batch_gives_each_directional_derivative_and_no_cross_terms() -> None:
    # f(x, y) = x² y / (1 + x y) at (x, y) + Σ_k t_k (a_k, b_k), with t_j t_k = 0.
    x, y = Fraction(2, 3), Fraction(-5, 4)
    directions = [(Fraction(1), Fraction(0)), (Fraction(0), Fraction(1)), (Fraction(3), -2)]
    flags = jets.batch(0, len(directions))
    at_x = jets.shifted(x, [(flag, a) for flag, (a, _) in zip(flags, directions, strict=True)])
    at_y = jets.shifted(y, [(flag, b) for flag, (_, b) in zip(flags, directions, strict=True)])
    value = at_x * at_x * at_y / (1 + at_x * at_y)
    fx = (2 * x * y * (1 + x * y) - x**2 * y * y) / (1 + x * y) ** 2
    fy = (x**2 * (1 + x * y) - x**2 * y * x) / (1 + x * y) ** 2
    for flag, (a, b) in zip(flags, directions, strict=True):
        assert jets.coefficient(value, flag) == fx * a + fy * b
    assert set(value.terms) == {0, *flags}


def test_a_batch_inside_an_outer_derivative_keeps_the_cross_terms() -> None:
    # exp(x + s + Σ_k t_k v_k): d/ds d/dt_k is exp(x) v_k, so the products s t_k must survive.
    x = Fraction(1, 3)
    velocities = [Fraction(2), Fraction(-1, 2)]
    flags = jets.batch(1, len(velocities))
    value = jets.apply(
        jets.SERIES["exp"],
        jets.shifted(x + infinitesimal(0), list(zip(flags, velocities, strict=True))),
    )
    mp = jets.mp()
    for flag, v in zip(flags, velocities, strict=True):
        mixed = slope(jets.coefficient(value, flag), 0)
        assert abs(jets.real(value_at_zero(mixed)) - mp.exp(jets.real(x)) * v) < mp.mpf("1e-45")


def test_the_first_transcendental_entry_raises_no_warning() -> None:
    """mpmath, imported by the first transcendental value, raises the invalid floating-point flag
    as it loads; an entrywise function must not turn that into a warning (the build log must not
    depend on which identity a worker checks first). A fresh process, where mpmath is not loaded
    yet, with warnings as errors."""
    program = (
        "import sys, warnings\n"
        "from matrixcheck import jets\n"
        "assert 'mpmath' not in sys.modules\n"
        "warnings.simplefilter('error')\n"
        "value = jets.matrix(2, 1, lambda i, j: jets.infinitesimal(0) + i + 1)\n"
        "result = jets.entrywise(lambda z: jets.apply(jets.SERIES['exp'], z), value)\n"
        "assert 'mpmath' in sys.modules and result.shape == (2, 1)\n"
    )
    hooks = Path(__file__).resolve().parent.parent / "hooks"
    completed = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(hooks)},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
