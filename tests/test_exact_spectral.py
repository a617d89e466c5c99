"""The exact backend on eigenvalues, singular values and their vectors.

Why: the exact check is the second, independent witness of every identity; for spectral ones it
rests on the integer spectra the exact sampler draws and on the chord method on jets
(:mod:`matrixcheck.exactspectral`). So each spectral quantity must be verified exactly on a true
identity and refuted exactly on a false one, with no help from the numeric gate; its derivatives
must agree with the implicit function theorem on the characteristic polynomial; a letter index
must pick the same eigenvalue as the numeric backend; and a matrix whose spectrum is not known
exactly must be refused with a reason, never guessed.
"""

from __future__ import annotations

import numpy as np
import pytest
from gmpy2 import mpq
from matrixcheck import exactspectral, jets
from matrixcheck.check import exact_check
from matrixcheck.exact import NotExact, exact_value
from matrixcheck.matfuncs import eigenpair
from matrixcheck.render import _exact_text
from support import check, make_spec

SYMMETRIC = "matrix n x n, symmetric, simple spectrum"
GENERAL = "matrix n x n, simple spectrum"
SINGULAR = "matrix m x n, simple singular values"


def _eigenvector(index: str) -> dict[str, str]:
    return {"A": SYMMETRIC, "v": rf"vector n, unit eigenvector of A for \lambda_{{{index}}}"}


def _singular(index: str) -> dict[str, str]:
    return {
        "X": SINGULAR,
        "u": rf"vector m, left singular vector of X for \sigma_{{{index}}}",
        "v": rf"vector n, right singular vector of X for \sigma_{{{index}}}",
    }


GENERAL_PAIR = {
    "A": GENERAL,
    "x": r"vector n, unit eigenvector of A for \lambda_i",
    "y": r"vector n, left eigenvector of A for \lambda_i",
}
NUCLEAR = {
    "X": "matrix n x n, simple singular values",
    "U": "matrix n x n, left singular vectors of X",
    "V": "matrix n x n, right singular vectors of X",
}

TRUE = [
    (r"\frac{\partial \lambda_1(A)}{\partial A} = v v^T", "denominator", _eigenvector("1")),
    (r"\frac{\partial \lambda_2(A)}{\partial A} = v v^T", "denominator", _eigenvector("2")),
    (
        r"\frac{\partial \lambda_{\max}(A)}{\partial A} = v v^T",
        "denominator",
        _eigenvector(r"\max"),
    ),
    (
        r"\frac{\partial \lambda_{\min}(A)}{\partial A} = v v^T",
        "denominator",
        _eigenvector(r"\min"),
    ),
    (r"\frac{\partial \lambda_i(A)}{\partial A} = v v^T", "denominator", _eigenvector("i")),
    (r"\lambda_i(A) = v^T A v", "denominator", _eigenvector("i")),
    (r"d\lambda_i(A) = v^T dA v", "differential", _eigenvector("i")),
    (
        r"\frac{\partial \lambda_i(A)}{\partial A} = \frac{y x^T}{y^T x}",
        "denominator",
        GENERAL_PAIR,
    ),
    (r"\sum_i \lambda_i(X) = \operatorname{tr} X", "denominator", {"X": GENERAL}),
    (r"\frac{\partial \sum_i \lambda_i(X)}{\partial X} = I", "denominator", {"X": GENERAL}),
    (r"\prod_i \lambda_i(X) = \det X", "denominator", {"X": GENERAL}),
    (
        r"\frac{\partial \prod_i \lambda_i(X)}{\partial X} = \det(X) X^{-T}",
        "denominator",
        {"X": "matrix n x n, simple spectrum, invertible"},
    ),
    (r"\sigma_1(X) = u^T X v", "denominator", _singular("1")),
    (r"\frac{\partial \sigma_1(X)}{\partial X} = u v^T", "denominator", _singular("1")),
    (r"\frac{\partial \sigma_i(X)}{\partial X} = u v^T", "denominator", _singular("i")),
    (r"\frac{\partial \sigma_{\max}(X)}{\partial X} = u v^T", "denominator", _singular(r"\max")),
    (r"\frac{\partial \|X\|_2}{\partial X} = u v^T", "denominator", _singular("1")),
    (r"\frac{\partial \|X\|_*}{\partial X} = U V^T", "denominator", NUCLEAR),
    (r"\|X\|_* = \operatorname{tr}(U^T X V)", "denominator", NUCLEAR),
]

FALSE = [
    (r"\frac{\partial \lambda_i(A)}{\partial A} = 2 v v^T", "denominator", _eigenvector("i")),
    (r"\lambda_{\max}(A) = \lambda_{\min}(A) + v^T v", "denominator", _eigenvector("i")),
    (
        r"\frac{\partial \lambda_i(A)}{\partial A} = \frac{x y^T}{y^T x}",
        "denominator",
        GENERAL_PAIR,
    ),
    (
        r"\frac{\partial \prod_i \lambda_i(X)}{\partial X} = \det(X) X^{-1}",
        "denominator",
        {"X": "matrix n x n, simple spectrum, invertible"},
    ),
    (r"\frac{\partial \sum_i \lambda_i(X)}{\partial X} = X^T", "denominator", {"X": GENERAL}),
    (r"\frac{\partial \|X\|_2^2}{\partial X} = \sigma_1(X) u v^T", "denominator", _singular("1")),
    (r"\|X\|_2 = \|X\|_F", "denominator", {"X": SINGULAR}),
    (r"\frac{\partial \|X\|_*}{\partial X} = V U^T", "denominator", NUCLEAR),
    (
        r"d v = (\lambda_i(A) I - A + v v^T)^{-1} dA v",
        "differential",
        _eigenvector("i"),
    ),
]


@pytest.mark.parametrize(("latex", "layout", "symbols"), TRUE)
def test_true_spectral_identities_are_verified_exactly(
    latex: str, layout: str, symbols: dict[str, str]
) -> None:
    outcome = exact_check(make_spec(latex, layout, symbols))
    assert outcome.status == "verified", outcome.reason
    assert outcome.sizes


@pytest.mark.parametrize(("latex", "layout", "symbols"), FALSE)
def test_false_spectral_identities_are_refuted_by_the_exact_backend_alone(
    latex: str, layout: str, symbols: dict[str, str]
) -> None:
    outcome = exact_check(make_spec(latex, layout, symbols))
    assert outcome.status == "failed", outcome.reason
    assert "differs" in outcome.reason


def _vanishes(entry: jets.Scalar) -> bool:
    """Every term is 0: exactly when rational, to 45 digits when a unit vector's norm is not."""
    terms = entry.terms.values() if isinstance(entry, jets.Jet) else [entry]
    return all(
        c == 0 if jets.is_rational(c) else abs(jets.real(c)) < jets.mp().mpf("1e-45") for c in terms
    )


def test_the_derivative_of_an_eigenvalue_is_that_of_the_characteristic_polynomial() -> None:
    """dλ/dt = −(∂p/∂t)/(∂p/∂λ) for p(λ, t) = det(A + tV − λI), both parts exact by jets."""
    rng = np.random.default_rng(3)
    for properties in ({"symmetric", "simple spectrum"}, {"simple spectrum"}):
        base = exact_value(frozenset(properties), (3, 3), rng)
        direction = jets.matrix(3, 3, lambda i, j: mpq(int(rng.integers(-3, 4)), 2))
        t, epsilon = jets.infinitesimal(0), jets.infinitesimal(1)
        moving = base + t * direction
        for index in ("1", "2", "3"):
            eigenvalue, vector, left = exactspectral.eigenpair(moving, index, 0)
            at_zero = jets.value_at_zero(eigenvalue)
            polynomial = jets.determinant(moving - (at_zero + epsilon) * jets.eye(3))
            expected = -polynomial.terms[0b01] / polynomial.terms[0b10]
            assert jets.slope(eigenvalue, 0) == expected
            assert jets.value_at_zero(polynomial) == 0
            residual = (moving - eigenvalue * jets.eye(3)) @ vector
            left_residual = left @ (moving - eigenvalue * jets.eye(3))
            assert all(_vanishes(e) for e in [*residual, *left_residual])


def test_a_nested_pair_of_infinitesimals_is_solved_to_second_order() -> None:
    """With ``t₁ t₂ ≠ 0`` (a Hessian) the eigenpair solves its equations in every term."""
    rng = np.random.default_rng(5)
    base = exact_value(frozenset({"symmetric", "simple spectrum"}), (3, 3), rng)
    first, second = (jets.matrix(3, 3, lambda i, j: mpq(int(rng.integers(-2, 3)))) for _ in "ab")
    moving = base + jets.infinitesimal(0) * (first + first.T)
    moving = moving + jets.infinitesimal(1) * (second + second.T)
    eigenvalue, vector, _ = exactspectral.eigenpair(moving, "2", 0)
    assert isinstance(eigenvalue, jets.Jet) and 0b11 in eigenvalue.terms
    residual = (moving - eigenvalue * jets.eye(3)) @ vector
    norm = sum((e * e for e in vector.flat), jets.ZERO) - 1
    assert all(_vanishes(e) for e in [*residual, norm])


@pytest.mark.parametrize("seed", range(6))
def test_a_letter_index_picks_the_eigenvalue_the_numeric_backend_picks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    value = exact_value(frozenset({"simple spectrum"}), (4, 4), rng)
    exact = exactspectral.eigenpair(value, "i", seed)[0]
    numeric, _, _ = eigenpair(np.array(value, dtype=float), "i", seed)
    assert abs(float(exact) - numeric) < 1e-9
    drawn = {jets.value_at_zero(exactspectral.eigenpair(value, "i", s)[0]) for s in range(8)}
    assert len(drawn) > 1


def test_singular_values_are_the_roots_of_the_gram_eigenvalues() -> None:
    rng = np.random.default_rng(11)
    for shape in ((2, 3), (3, 2)):
        value = exact_value(frozenset({"simple singular values"}), shape, rng)
        count = min(shape)
        values = [exactspectral.singular_triple(value, str(k), 0)[0] for k in range(1, count + 1)]
        assert all(jets.is_rational(s) and s >= 1 for s in values)
        assert values == sorted(set(values), reverse=True)
        sigma, u, v = exactspectral.singular_triple(value, "max", 0)
        assert sigma == values[0]
        assert all(e == 0 for e in [*(value @ v - sigma * u), *(value.T @ u - sigma * v)])
        assert sum(e * e for e in u) == 1 == sum(e * e for e in v)


@pytest.mark.parametrize(
    ("entries", "why"),
    [
        ([[1, 1], [1, 2]], "not distinct integers"),
        ([[2, 0], [0, 2]], "not distinct integers"),
        ([[0, -1], [1, 0]], "not distinct integers"),
    ],
)
def test_a_matrix_without_a_known_integer_spectrum_is_not_exact(
    entries: list[list[int]], why: str
) -> None:
    value = jets.matrix(2, 2, lambda i, j: mpq(entries[i][j]))
    with pytest.raises(NotExact, match=why) as raised:
        exactspectral.eigenpair(value, "1", 0)
    assert "simple spectrum" in str(raised.value)
    with pytest.raises(NotExact, match=why):
        exactspectral.singular_triple(value @ value.T + jets.eye(2), "1", 0)


def test_the_card_says_how_spectral_values_are_exact() -> None:
    spectral = check(
        r"\frac{\partial \lambda_i(A)}{\partial A} = v v^T", "denominator", _eigenvector("i")
    )
    plain = check(
        r"\frac{\partial \operatorname{tr} X}{\partial X} = I", "denominator", {"X": "matrix n x n"}
    )
    assert "integer ones" in _exact_text(spectral)
    assert "verified in exact rational arithmetic" in _exact_text(plain)
    assert "integer" not in _exact_text(plain)
