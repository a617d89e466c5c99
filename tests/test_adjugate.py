"""The adjugate ``\\operatorname{adj}`` and matrices declared ``singular``.

Why: Jacobi's formula ``d det X = tr(adj(X) dX)`` and the gradient ``adj(X)ᵀ`` hold for every
square ``X``, singular ones included, where ``det(X) X⁻ᵀ`` does not exist. The checker must read
the adjugate, compute it the same way in both backends (the numeric one analytic, so that the
complex step goes through it), refuse it on a non-square argument, and draw singular samples of
rank exactly ``n − 1`` on which a formula with ``X⁻¹`` is undefined.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matrixcheck.declarations import parse_declaration
from matrixcheck.errors import AuthorError
from matrixcheck.evaluate import Point
from matrixcheck.exact import ExactEvaluator, exact_value
from matrixcheck.numeric import COMPLEX_STEP, NumericEvaluator
from matrixcheck.parser import Vocabulary, parse_expression
from matrixcheck.plaintext import readable
from matrixcheck.printer import to_latex
from matrixcheck.sampling import sample_value
from matrixcheck.tree import Func, Symbol, walk
from support import author_error, check

ADJ = Func("adj", Symbol("X"))
GRADIENT = (
    r"\frac{\partial \det \boldsymbol X}{\partial \boldsymbol X} = "
    r"\operatorname{adj}(\boldsymbol X)^\text T"
)


def _point(value) -> Point:
    return Point({"X": value}, {}, "denominator", {}, {})


def _numeric_adj(value: np.ndarray) -> np.ndarray:
    return NumericEvaluator(_point(value)).evaluate(ADJ)


def _exact_adj(value: np.ndarray) -> np.ndarray:
    return ExactEvaluator(_point(value)).evaluate(ADJ)


def _cofactor_adjugate(value: np.ndarray) -> np.ndarray:
    """The textbook definition, one minor at a time: ``adj(X)_ij = (−1)^{i+j} det(X without row
    j and column i)``."""
    n = value.shape[0]
    result = np.empty((n, n))
    for i, j in itertools.product(range(n), repeat=2):
        minor = np.delete(np.delete(value, j, axis=0), i, axis=1)
        result[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return result


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_numeric_and_exact_adjugates_agree_with_the_cofactors(n: int) -> None:
    for seed in range(3):
        rng = np.random.default_rng(seed)
        exact = exact_value(frozenset(), (n, n), rng)
        as_float = np.array(exact.tolist(), dtype=float)
        exact_adj = np.array(_exact_adj(exact).tolist(), dtype=float)
        numeric_adj = _numeric_adj(as_float.astype(complex))
        assert np.allclose(numeric_adj, exact_adj, rtol=1e-12, atol=1e-12)
        assert np.allclose(exact_adj, _cofactor_adjugate(as_float), rtol=1e-12, atol=1e-12)
        # X adj(X) = det(X) I, exactly.
        product = exact @ _exact_adj(exact)
        determinant = np.linalg.det(as_float)
        assert np.allclose(np.array(product.tolist(), dtype=float), determinant * np.eye(n))


def test_the_adjugate_of_a_1_by_1_matrix_is_1() -> None:
    assert _numeric_adj(np.array([[3.0 + 0j]])).tolist() == [[1.0]]
    assert _exact_adj(exact_value(frozenset(), (1, 1), np.random.default_rng(0))).tolist() == [[1]]


def test_a_batch_of_matrices_gives_the_batch_of_adjugates() -> None:
    rng = np.random.default_rng(7)
    batch = rng.standard_normal((2, 5, 3, 3))
    result = _numeric_adj(batch)
    assert result.shape == (2, 5, 3, 3)
    for index in np.ndindex(2, 5):
        assert np.allclose(result[index], _cofactor_adjugate(batch[index]), atol=1e-12)


def test_the_complex_step_through_adj_matches_a_central_difference() -> None:
    rng = np.random.default_rng(3)
    value, direction = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    complex_step = _numeric_adj(value + 1j * COMPLEX_STEP * direction).imag / COMPLEX_STEP
    h = 1e-6
    difference = (_numeric_adj(value + h * direction) - _numeric_adj(value - h * direction)) / (
        2 * h
    )
    assert np.allclose(complex_step, difference.real, rtol=1e-6, atol=1e-8)
    assert np.linalg.norm(complex_step) > 0.1


@pytest.mark.parametrize("declared", ["matrix n x n", "matrix n x n, singular"])
def test_the_gradient_of_the_determinant_is_the_transposed_adjugate(declared: str) -> None:
    result = check(GRADIENT, "denominator", {"X": declared})
    assert result.status == "verified", result.message
    assert result.max_rel_error < 1e-12
    assert result.exact is not None and result.exact.status == "verified"
    assert not result.warnings()


def test_without_the_transpose_the_gradient_is_refuted() -> None:
    wrong = GRADIENT.replace(r"^\text T", "")
    for declared in ("matrix n x n", "matrix n x n, singular"):
        result = check(wrong, "denominator", {"X": declared})
        assert result.status == "failed" and result.max_rel_error > 0.01, result.message
    symmetric = check(wrong, "denominator", {"X": "matrix n x n, symmetric"})
    assert symmetric.status == "verified", symmetric.message


def test_a_singular_declaration_the_formula_needs_is_shown_necessary() -> None:
    result = check(
        r"\boldsymbol X \operatorname{adj}(\boldsymbol X) = 0",
        "numerator",
        {"X": "matrix n x n, singular"},
    )
    assert result.status == "verified", result.message
    (assumption,) = result.assumptions
    assert assumption.property == "singular" and assumption.necessary


@pytest.mark.parametrize(
    ("inverse", "message"),
    [
        # The symbol itself: an author error before any sample is drawn, with its fix.
        (r"\boldsymbol X^{-\text T}", "X is declared singular, so its inverse does not exist"),
        # An expression in it: undefined at the sample, where the inverted matrix is singular.
        (
            r"(\boldsymbol X^\text T)^{-1}",
            "undefined at a sample: a matrix that is inverted is singular",
        ),
    ],
)
def test_inverting_a_singular_symbol_is_reported(inverse: str, message: str) -> None:
    formula = (
        r"\frac{\partial \det \boldsymbol X}{\partial \boldsymbol X} = "
        rf"\det(\boldsymbol X) {inverse}"
    )
    result = check(formula, "denominator", {"X": "matrix n x n, singular"})
    assert result.status == "error"
    assert message in result.message


def test_inverting_a_singular_symbol_says_how_to_fix_it() -> None:
    formula = r"\det(\boldsymbol X) \boldsymbol X^{-1} = \operatorname{adj}(\boldsymbol X)"
    result = check(formula, "numerator", {"X": "matrix n x n, singular"})
    assert "(fix: declare X invertible" in result.message


@pytest.mark.parametrize("properties", [("singular",), ("symmetric", "singular")])
def test_singular_samples_have_rank_n_minus_1(properties: tuple[str, ...]) -> None:
    declared = parse_declaration("X", "matrix n x n, " + ", ".join(properties)).properties
    for n, seed in itertools.product((2, 3, 4, 5), range(4)):
        numeric = sample_value(declared, (n, n), np.random.default_rng(seed))
        exact = exact_value(declared, (n, n), np.random.default_rng(seed))
        for value in (numeric, np.array(exact.tolist(), dtype=float)):
            assert np.linalg.matrix_rank(value) == n - 1, (n, seed, value)
            assert np.allclose(value, value.T) == ("symmetric" in properties)
        # Rank n − 1 exactly: determinant 0, a nonzero adjugate.
        assert np.all(_exact_adj(exact) @ exact == 0)
        assert np.any(_exact_adj(exact) != 0)


@pytest.mark.parametrize("other", ["invertible", "positive definite", "orthogonal", "diagonal"])
def test_singular_is_incompatible_with_what_implies_invertible(other: str) -> None:
    with pytest.raises(AuthorError, match="cannot be both"):
        parse_declaration("X", f"matrix n x n, singular, {other}")


def test_a_generic_function_cannot_be_singular() -> None:
    with pytest.raises(AuthorError, match="generic function declared singular") as raised:
        parse_declaration("F", "function n x n -> n x n, singular")
    assert "declare a singular matrix symbol instead" in raised.value.hint


def test_the_adjugate_of_a_non_square_matrix_is_an_author_error() -> None:
    error = author_error(
        r"\operatorname{adj}(\boldsymbol A) = \operatorname{adj}(\boldsymbol A)",
        "numerator",
        {"A": "matrix m x n"},
    )
    assert "adj (the adjugate) needs a square matrix, but this one is m×n" in error


@pytest.mark.parametrize(
    "latex",
    [
        r"\operatorname{adj}(\boldsymbol X)^\text T",
        r"\mathrm{adj}\left(\boldsymbol X \boldsymbol Y\right)",
        r"\operatorname{tr}(\operatorname{adj}(\boldsymbol X) \, d\boldsymbol X)",
    ],
)
def test_the_printer_round_trips_the_adjugate(latex: str) -> None:
    vocabulary = Vocabulary(frozenset({"X", "Y"}))
    tree = parse_expression(latex, vocabulary)
    assert any(isinstance(node, Func) and node.name == "adj" for node in walk(tree))
    printed = to_latex(tree)
    assert r"\operatorname{adj}" in printed
    assert parse_expression(printed, vocabulary) == tree


def test_plain_text_reads_adj() -> None:
    assert readable(r"\operatorname{adj}(\boldsymbol X)^\text T") == "adj(X)ᵀ"
