"""The singular-vector matrices of a rectangular matrix: the thin SVD, its shapes and its sizes.

Why: ``U: left singular vectors of X`` of an ``m × n`` matrix means the thin factor, ``m × k`` with
``k = min(m, n)``, and which of ``m``, ``n`` is the smaller is said by the shapes the author
declares; the checker must then sample sizes that honour it (``m > n`` for ``U: m × n``), or a
thin factor would be checked at sizes where it has the wrong shape. So the factors must be the
thin SVD in both backends, the cards of the spectral page that use them must be verified, wrong
gradients refuted, and a declared shape that is not a thin factor must be an author error that
says which shape is expected.
"""

from __future__ import annotations

import numpy as np
import pytest
from matrixcheck.check import check_identity, exact_check
from matrixcheck.declarations import Binding
from matrixcheck.evaluate import Point
from matrixcheck.exact import ExactEvaluator, exact_sizes, exact_value
from matrixcheck.numeric import NumericEvaluator
from matrixcheck.project import read_file
from matrixcheck.sampling import sample_value, size_sets
from support import DOCS, check, make_spec

SIMPLE = frozenset({"simple singular values"})
BINDINGS = {"U": Binding("left singular vectors", "X"), "V": Binding("right singular vectors", "X")}
TALL = {
    "X": "matrix m x n, simple singular values",
    "U": "matrix m x n, left singular vectors of X",
    "V": "matrix n x n, right singular vectors of X",
}
WIDE = {
    "X": "matrix m x n, simple singular values",
    "U": "matrix m x m, left singular vectors of X",
    "V": "matrix n x m, right singular vectors of X",
}
GRADIENT = r"\frac{\partial \|X\|_*}{\partial X} = "


def _factors(evaluator_class: type, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    point = Point({"X": value}, {}, "denominator", {}, {}, bindings=BINDINGS)
    evaluator = evaluator_class(point)
    return evaluator.bound(BINDINGS["U"], point.values), evaluator.bound(
        BINDINGS["V"], point.values
    )


def _assert_thin_svd(x: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
    (m, n), k = x.shape, min(x.shape)
    assert u.shape == (m, k) and v.shape == (n, k)
    assert np.allclose(u.T @ u, np.eye(k)) and np.allclose(v.T @ v, np.eye(k))
    sigmas = np.linalg.svd(x, compute_uv=False)
    assert np.allclose(u.T @ x @ v, np.diag(sigmas))
    assert np.allclose(u @ np.diag(sigmas) @ v.T, x)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_the_numeric_factors_are_the_thin_svd(shape: tuple[int, int]) -> None:
    x = sample_value(SIMPLE, shape, np.random.default_rng(4))
    _assert_thin_svd(x, *_factors(NumericEvaluator, x))


@pytest.mark.parametrize("shape", [(4, 3), (2, 3)])
def test_the_exact_factors_are_the_thin_svd(shape: tuple[int, int]) -> None:
    value = exact_value(SIMPLE, shape, np.random.default_rng(6))
    u, v = _factors(ExactEvaluator, value)
    sigmas = np.diag(np.array(u.T @ value @ v, dtype=float))
    assert np.allclose(sigmas, np.round(sigmas)) and np.all(np.diff(sigmas) < 0)
    _assert_thin_svd(
        np.array(value, dtype=float), np.array(u, dtype=float), np.array(v, dtype=float)
    )


@pytest.mark.parametrize("card", ["nuclear-norm-rectangular", "polar-factor-rectangular"])
def test_the_rectangular_cards_are_verified_at_tall_sizes(card: str) -> None:
    page = read_file(DOCS / "spectral.md", "spectral.md")
    (spec,) = [block.spec for block in page.blocks if block.spec.id == card]
    result = check_identity(spec)
    assert result.ok and result.status == "verified", result.message
    assert result.steps and all(step.status == "checked" for step in result.steps)
    assert result.exact is not None and result.exact.status == "verified", result.exact
    sizes = [trial.sizes for trial in result.trials] + result.exact.sizes
    assert all(s["m"] > s["n"] for s in sizes)
    assert len({tuple(s.items()) for s in result.exact.sizes}) == 2


@pytest.mark.parametrize("symbols", [TALL, WIDE], ids=["tall", "wide"])
def test_the_gradient_is_u_v_transpose_for_tall_and_wide(symbols: dict[str, str]) -> None:
    result = check(GRADIENT + "U V^T", "denominator", symbols)
    assert result.status == "verified" and result.exact is not None, result.message
    assert result.exact.status == "verified", result.exact.reason
    ordered = [trial.sizes for trial in result.trials]
    assert all((s["m"] > s["n"]) == (symbols is TALL) for s in ordered)


@pytest.mark.parametrize(
    ("latex", "layout"),
    [
        (GRADIENT + "V U^T", "denominator"),
        (GRADIENT + "U V^T", "numerator"),
        (GRADIENT + "U V^T V", "denominator"),
        (r"\|X\|_* = \operatorname{tr}(U^T X V V^T)", "denominator"),
        (r"X = (U V^T)(V U^T)", "denominator"),
    ],
)
def test_wrong_forms_fail(latex: str, layout: str) -> None:
    result = check(latex, layout, TALL)
    assert result.status == "failed", result.message


def test_a_wrong_form_of_the_right_shape_is_refuted_exactly() -> None:
    outcome = exact_check(make_spec(GRADIENT + "U V^T V", "denominator", TALL))
    assert outcome.status == "failed" and "differs" in outcome.reason


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"U": "matrix m x p, left singular vectors of X"},
            (
                "so its shape is m×n (checked at m > n) or m×m (checked at n > m), not m×p "
                "(fix: declare 'U' with shape m×n for a tall X, or m×m for a wide one)"
            ),
        ),
        (
            {"V": "matrix m x n, right singular vectors of X"},
            (
                "'V' holds the right singular vectors of the m×n matrix 'X', so its shape is "
                "n×n, not m×n (fix: declare 'V' with shape n×n)"
            ),
        ),
        (
            {"U": "matrix m x m, left singular vectors of X"},
            "ask for sizes with m > n, n > m, which cannot all hold",
        ),
        (
            {
                "X": "matrix m x 2, simple singular values",
                "V": "matrix 2 x 2, right singular vectors of X",
                "U": "matrix m x 2, left singular vectors of X",
            },
            "a number and a name do not say (fix: write both dimensions of X as names",
        ),
        (
            {
                "X": "matrix 4 x 2, simple singular values",
                "V": "matrix 2 x 2, right singular vectors of X",
                "U": "matrix 4 x 4, left singular vectors of X",
            },
            "so its shape is 4×2, not 4×4 (fix: declare 'U' with shape 4×2)",
        ),
    ],
)
def test_a_factor_of_the_wrong_shape_is_an_author_error(
    changes: dict[str, str], message: str
) -> None:
    result = check(GRADIENT + "U V^T", "denominator", {**TALL, **changes})
    assert result.status == "error"
    assert message in result.message


def test_numbered_dimensions_are_checked_as_they_are() -> None:
    symbols = {
        "X": "matrix 2 x 4, simple singular values",
        "U": "matrix 2 x 2, left singular vectors of X",
        "V": "matrix 4 x 2, right singular vectors of X",
    }
    result = check(GRADIENT + "U V^T", "denominator", symbols)
    assert result.status == "verified", result.message


def test_sizes_honour_the_orderings_and_are_unchanged_without() -> None:
    assert exact_sizes(["m", "n"]) == [{"m": 2, "n": 3}, {"m": 3, "n": 2}]
    assert exact_sizes(["n", "m"], [("m", "n")]) == [{"m": 3, "n": 2}, {"m": 4, "n": 3}]
    assert size_sets(["m", "n"], "some-id", []) == size_sets(["m", "n"], "some-id")
    ordered = size_sets(["m", "n", "p"], "some-id", [("m", "n"), ("n", "p")])
    assert len(ordered) == 3 and all(s["m"] > s["n"] > s["p"] for s in ordered)
