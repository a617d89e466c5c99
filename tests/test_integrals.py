"""Integrals over a real variable: ``d(e^X) = ∫₀¹ e^{sX} dX e^{(1−s)X} ds``.

Why: the general differential of the matrix exponential is an integral, so the reference could
state it only in prose. ``\\int_{a}^{b} … ds`` binds the letter of its ``ds`` as a real number in
the integrand, which the numeric check integrates by Gauss–Legendre quadrature (exact for
polynomials of degree below 48); the exact check says it does not apply, and every mistake in
writing an integral is an author error with its fix.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from matrixcheck.check import check_identity, vocabulary_of
from matrixcheck.declarations import parse_declarations
from matrixcheck.mutants import right_hand_mutations
from matrixcheck.numeric import QUADRATURE_NODES, QUADRATURE_WEIGHTS
from matrixcheck.parser import parse_expression
from matrixcheck.printer import to_latex
from matrixcheck.tree import Index, Integral, Mul, Number, RealPower, Symbol
from support import author_error, check, docs_specs

SQUARE = {"X": "matrix n x n"}
DIFFERENTIAL = (
    r"d(e^{\boldsymbol X}) = \int_0^1 e^{s \boldsymbol X} \, d\boldsymbol X \, "
    r"e^{(1 - s) \boldsymbol X} \, ds"
)


def _parsed(latex: str, symbols: dict[str, str] = SQUARE):
    return parse_expression(latex, vocabulary_of(parse_declarations(symbols)))


def test_the_ds_names_the_variable_and_ends_the_integrand() -> None:
    node = _parsed(r"\int_0^1 s \boldsymbol X \, ds \, \boldsymbol X")
    s, x = Index("s"), Symbol("X")
    integral = Integral("s", Number(Fraction(0)), Number(Fraction(1)), Mul((s, x)))
    assert node == Mul((integral, x))


def test_the_variable_is_real_in_an_exponent() -> None:
    node = _parsed(r"\int_0^1 (\operatorname{tr} \boldsymbol X)^{s} \, ds")
    assert isinstance(node, Integral) and isinstance(node.body, RealPower)


@pytest.mark.parametrize(
    "latex",
    [
        r"\int_0^1 e^{s X} \, dX \, e^{(1 - s) X} \, ds",
        r"\int_{0}^{2} (X + s I) \, ds",
        r"\int_0^1 s^{2} X \, ds X",
    ],
)
def test_an_integral_prints_back_to_the_same_tree(latex: str) -> None:
    node = _parsed(latex)
    assert _parsed(to_latex(node)) == node


def test_the_quadrature_is_exact_for_polynomials_below_degree_48() -> None:
    for degree in (0, 1, 7, 47):
        total = (QUADRATURE_WEIGHTS * QUADRATURE_NODES**degree).sum()
        assert abs(total - 1 / (degree + 1)) < 1e-15


@pytest.mark.parametrize(
    ("latex", "symbols"),
    [
        (DIFFERENTIAL, SQUARE),
        (r"\int_0^1 3 s^2 \boldsymbol A \, ds = \boldsymbol A", {"A": "matrix m x n"}),
        (
            r"\int_0^1 e^{s \boldsymbol X} \, ds \, \boldsymbol X = e^{\boldsymbol X} - \boldsymbol I",
            SQUARE,
        ),
        (
            r"\int_{a}^{2 a} \boldsymbol A \, dt = a \boldsymbol A",
            {"A": "matrix m x n", "a": "scalar"},
        ),
        (
            (
                r"\frac{\partial}{\partial \boldsymbol x} \int_0^1 s \, \boldsymbol x^\text T "
                r"\boldsymbol x \, ds = \boldsymbol x"
            ),
            {"x": "vector n"},
        ),
    ],
)
def test_integrals_verify_and_the_exact_check_says_it_does_not_apply(
    latex: str, symbols: dict[str, str]
) -> None:
    result = check(latex, "denominator", symbols)
    assert result.status == "verified", result.message
    assert result.max_rel_error < 1e-13
    assert result.exact is not None and result.exact.status == "not applicable"
    assert "integral" in result.exact.reason


@pytest.mark.parametrize(
    "wrong",
    [
        DIFFERENTIAL.replace(r"e^{(1 - s) \boldsymbol X}", r"e^{s \boldsymbol X}"),
        DIFFERENTIAL.replace(r"\int_0^1", r"\int_0^2"),
        DIFFERENTIAL.replace(r"d(e^{\boldsymbol X}) =", r"e^{\boldsymbol X} d\boldsymbol X ="),
    ],
)
def test_a_wrong_integral_fails(wrong: str) -> None:
    result = check(wrong, "denominator", SQUARE)
    assert result.status == "failed", result.message


@pytest.mark.parametrize(
    ("latex", "symbols", "message"),
    [
        (r"\int \boldsymbol X \, ds = \boldsymbol X", SQUARE, "an integral needs its bounds"),
        (r"\int_0 \boldsymbol X \, ds = \boldsymbol X", SQUARE, "the integral has no upper bound"),
        (
            r"\int_0^1 \boldsymbol X = \boldsymbol X",
            SQUARE,
            "the integral does not end with the differential of its variable",
        ),
        (
            r"\int_0^1 \boldsymbol X \, dt = \boldsymbol X",
            {"X": "matrix n x n", "t": "scalar"},
            "the integral does not end with the differential of its variable",
        ),
        (
            r"\sum_{r=0}^{1} \int_0^1 \boldsymbol X \, dr = \boldsymbol X",
            SQUARE,
            "the variable 'r' of the integral is already the index of a sum",
        ),
        (
            r"\int_0^1 \boldsymbol X^{s} \, ds = \boldsymbol X",
            SQUARE,
            "a power with a real exponent needs a scalar base",
        ),
        (
            r"\int_0^1 \sum_{r=0}^{s} \boldsymbol X \, ds = \boldsymbol X",
            SQUARE,
            "the upper bound of the sum over r uses 's', the real variable of an integral",
        ),
        (
            r"\int_{\boldsymbol X}^1 \boldsymbol X \, ds = \boldsymbol X",
            SQUARE,
            "the lower bound of the integral over s must be a scalar, but is n×n",
        ),
    ],
)
def test_what_cannot_be_an_integral_says_how_to_fix_it(
    latex: str, symbols: dict[str, str], message: str
) -> None:
    assert message in author_error(latex, "denominator", symbols)


def test_the_card_verifies_with_every_step() -> None:
    result = check_identity(docs_specs()["exponential-differential-integral"])
    assert result.status == "verified", result.message
    assert len(result.steps) == 3 and all(step.status == "checked" for step in result.steps)
    assert result.exact is not None and result.exact.status == "not applicable"


def test_the_mutation_test_swaps_matrices_but_not_a_scalar_of_the_variable() -> None:
    side = _parsed(r"\int_0^1 e^{s X} \, dX \, e^{(1 - s) X} \, ds")
    swapped = {
        to_latex(tree)
        for operator, tree in right_hand_mutations(side)
        if operator == "swap two factors"
    }
    assert r"\int_{0}^{1} d X \exp(s X) \exp((1 - s) X) \, ds" in swapped
    assert not any("X (1 - s)" in latex or "X s" in latex for latex in swapped), swapped
