"""Matrix functions, eigenvalues and singular values: the numerics, the declarations, the gate.

Why: these quantities are computed by algorithms chosen so that complex steps pass through them
(a derivative read off an imaginary part of 1e-30); a careless algorithm gives a plausible value
and a wrong derivative. So every algorithm is compared with an independent reference, derivatives
with the block rule ``f([[X, V], [0, X]]) = [[f(X), Df(X)[V]], [0, f(X)]]``, and the gate must
accept true identities, reject false ones, and refuse statements whose conditions it cannot
guarantee.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from matrixcheck.declarations import parse_declaration, parse_declarations
from matrixcheck.errors import AuthorError
from matrixcheck.evaluate import DomainError
from matrixcheck.matfuncs import (
    MATRIX_FUNCTIONS,
    eigenpair,
    expm,
    logm,
    nuclear_norm,
    singular_triple,
    sqrtm,
)
from matrixcheck.model import Display
from matrixcheck.mutants import _equal_as_free
from matrixcheck.sampling import sample_value
from support import author_error, check, make_spec

STEP = 1e-30


def _reference(name: str, value: np.ndarray) -> np.ndarray:
    """The scalar function applied to the eigenvalues (``value`` is diagonalisable)."""
    eigenvalues, vectors = np.linalg.eig(value)
    scalar = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos}[name]
    return ((vectors * scalar(eigenvalues.astype(complex))) @ np.linalg.inv(vectors)).real


def _sample(name: str, rng: np.random.Generator, n: int = 4) -> np.ndarray:
    if name == "log":
        return sample_value(frozenset({"positive definite"}), (n, n), rng)
    return 2 * rng.standard_normal((n, n))


@pytest.mark.parametrize("name", sorted(MATRIX_FUNCTIONS))
def test_matrix_functions_agree_with_the_eigendecomposition(name: str) -> None:
    rng = np.random.default_rng(7)
    for n in (2, 3, 5):
        value = _sample(name, rng, n)
        computed = MATRIX_FUNCTIONS[name](value)
        reference = _reference(name, value)
        assert np.linalg.norm(computed - reference) <= 1e-11 * max(1, np.linalg.norm(reference))


@pytest.mark.parametrize("name", sorted(MATRIX_FUNCTIONS))
def test_complex_steps_through_matrix_functions_give_the_block_derivative(name: str) -> None:
    rng = np.random.default_rng(11)
    value, direction = _sample(name, rng), rng.standard_normal((4, 4))
    function = MATRIX_FUNCTIONS[name]
    stepped = np.imag(function(value + 1j * STEP * direction)) / STEP
    block = function(np.block([[value, direction], [np.zeros((4, 4)), value]]))[:4, 4:]
    assert np.linalg.norm(stepped - block) <= 1e-10 * np.linalg.norm(block)


def test_a_matrix_function_is_not_the_function_of_each_entry() -> None:
    value = np.array([[0.0, 1.0], [0.0, 0.0]])
    assert np.allclose(expm(value), [[1.0, 1.0], [0.0, 1.0]])
    assert not np.allclose(expm(value), np.exp(value))


def test_logarithm_and_square_root_refuse_the_negative_axis() -> None:
    value = np.diag([2.0, -1.0, 3.0])
    for function in (logm, sqrtm):
        with pytest.raises(DomainError, match=r"\(−∞, 0\]") as error:
            function(value)
        assert "positive definite" in error.value.hint


def test_eigenpairs_are_decreasing_and_their_derivatives_are_first_order_perturbation() -> None:
    rng = np.random.default_rng(3)
    a = sample_value(frozenset({"symmetric", "simple spectrum"}), (5, 5), rng)
    eigenvalues = np.sort(np.linalg.eigvalsh(a))[::-1]
    assert [eigenpair(a, str(k), 0)[0] for k in range(1, 6)] == pytest.approx(eigenvalues)
    assert eigenpair(a, "max", 0)[0] == pytest.approx(eigenvalues[0])
    assert eigenpair(a, "min", 0)[0] == pytest.approx(eigenvalues[-1])
    direction = rng.standard_normal((5, 5))
    direction = direction + direction.T
    for index in ("1", "3", "min"):
        _, vector, _ = eigenpair(a, index, 0)
        stepped = np.imag(eigenpair(a + 1j * STEP * direction, index, 0)[0]) / STEP
        assert stepped == pytest.approx(vector @ direction @ vector, rel=1e-12)


def test_a_general_matrix_has_left_and_right_eigenvectors() -> None:
    rng = np.random.default_rng(5)
    a = sample_value(frozenset({"simple spectrum"}), (4, 4), rng)
    assert not np.allclose(a, a.T)
    value, right, left = eigenpair(a, "2", 0)
    assert np.allclose(a @ right, value * right)
    assert np.allclose(left @ a, value * left)
    assert right @ right == pytest.approx(1.0)


def test_singular_triples_and_the_nuclear_norm() -> None:
    rng = np.random.default_rng(9)
    for shape in ((3, 5), (5, 3)):
        x = sample_value(frozenset({"simple singular values"}), shape, rng)
        sigmas = np.linalg.svd(x, compute_uv=False)
        for index in range(1, 4):
            sigma, u, v = singular_triple(x, str(index), 0)
            assert sigma == pytest.approx(sigmas[index - 1])
            assert np.allclose(x @ v, sigma * u) and np.allclose(x.T @ u, sigma * v)
        assert nuclear_norm(x) == pytest.approx(sigmas.sum())


@pytest.mark.parametrize(
    "properties",
    [
        {"simple spectrum"},
        {"symmetric", "simple spectrum"},
        {"positive definite", "simple spectrum"},
        {"simple spectrum", "invertible"},
    ],
)
def test_simple_spectra_are_sampled_with_a_gap(properties: set[str]) -> None:
    rng = np.random.default_rng(1)
    for n in (2, 3, 6):
        for _ in range(20):
            value = sample_value(frozenset(properties), (n, n), rng)
            eigenvalues = np.linalg.eigvals(value)
            assert np.allclose(eigenvalues.imag, 0)
            ordered = np.sort(eigenvalues.real)
            assert np.all(np.diff(ordered) >= 0.5 - 1e-9)
            assert np.min(np.abs(ordered)) >= 0.25 - 1e-9
            if "positive definite" in properties:
                assert np.allclose(value, value.T) and ordered[0] >= 1 - 1e-9


def test_simple_singular_values_are_sampled_apart_and_at_least_one() -> None:
    rng = np.random.default_rng(2)
    for shape in ((2, 5), (4, 4), (6, 3)):
        for _ in range(20):
            values = np.linalg.svd(sample_value(frozenset({"simple singular values"}), shape, rng))
            singular = np.sort(values[1])
            assert singular[0] >= 1 - 1e-9 and np.all(np.diff(singular) >= 0.5 - 1e-9)


# -- declarations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "of", "index"),
    [
        (r"vector n, unit eigenvector of A for \lambda_1", "eigenvector", "A", "1"),
        (r"vector n, eigenvector of \Sigma for \lambda_{\max}", "eigenvector", "Sigma", "max"),
        (r"vector n, left eigenvector of A for \lambda_i", "left eigenvector", "A", "i"),
        (r"vector m, left singular vector of X for \sigma_2", "left singular vector", "X", "2"),
        (r"matrix n x n, right singular vectors of X", "right singular vectors", "X", ""),
    ],
)
def test_bound_symbols_are_declared_with_a_phrase(
    text: str, kind: str, of: str, index: str
) -> None:
    binding = parse_declaration("v", text).binding
    assert binding is not None
    assert (binding.kind, binding.of, binding.index) == (kind, of, index)


EIGEN = r"\frac{\partial \lambda_1(A)}{\partial A} = v v^T"


@pytest.mark.parametrize(
    ("latex", "symbols", "message"),
    [
        (
            EIGEN,
            {"A": "matrix n x n, symmetric", "v": r"vector n, eigenvector of A for \lambda_1"},
            "not declared with a simple spectrum",
        ),
        (
            r"\frac{\partial \lambda_1(A)}{\partial A} = A",
            {"A": "matrix n x n, symmetric"},
            "λ_1 of A needs A to have a simple spectrum",
        ),
        (
            r"\frac{\partial \lambda_1(A A)}{\partial A} = A",
            {"A": "matrix n x n, simple spectrum"},
            "taken of an expression",
        ),
        (
            EIGEN,
            {
                "A": "matrix n x n, symmetric, simple spectrum",
                "v": r"vector m, eigenvector of A for \lambda_1",
            },
            "so its shape is n×1",
        ),
        (
            r"\frac{\partial \|X\|_*}{\partial X} = U",
            {
                "X": "matrix m x n, simple singular values",
                "U": "matrix m x p, left singular vectors of X",
            },
            "so its shape is m×n (checked at m > n) or m×m (checked at n > m), not m×p",
        ),
        (
            r"\frac{\partial \|X\|_2}{\partial X} = X",
            {"X": "matrix m x n"},
            "needs X to have simple singular values",
        ),
        (
            r"\frac{\partial v^T A v}{\partial v} = 2 A v",
            {
                "A": "matrix n x n, symmetric, simple spectrum",
                "v": r"vector n, eigenvector of A for \lambda_1",
            },
            "moves with it",
        ),
        (
            r"\frac{\partial \operatorname{tr}(\sin X)}{\partial X} = X",
            {"X": "matrix m x n"},
            "square matrices",
        ),
        (r"e^{X} = X", {"X": "matrix m x n"}, "square matrices"),
        (
            EIGEN,
            {"A": "matrix n x n, symmetric, simple spectrum", "v": r"vector n, eigenvector of B"},
            "names no lambda",
        ),
    ],
)
def test_conditions_that_cannot_be_guaranteed_are_refused(
    latex: str, symbols: dict[str, str], message: str
) -> None:
    assert message in author_error(latex, "denominator", symbols)


# -- the gate ---------------------------------------------------------------------------------

SYMMETRIC = {
    "A": "matrix n x n, symmetric, simple spectrum",
    "v": r"vector n, unit eigenvector of A for \lambda_i",
}


def test_a_simple_eigenvalue_gradient_is_verified_with_both_conditions_necessary() -> None:
    result = check(
        r"\frac{\partial \lambda_i(A)}{\partial A} = v v^T",
        "denominator",
        SYMMETRIC,
        proof=[r"d\lambda_i(A) = v^T dA v", r"v^T dv = 0", r"A v = \lambda_i(A) v"],
    )
    assert result.status == "verified", result.message
    assert [s.status for s in result.steps] == ["checked"] * 3
    assert all(a.necessary for a in result.assumptions)
    assert {a.property for a in result.assumptions} == {"symmetric", "simple spectrum"}
    assert result.exact is not None and result.exact.status == "verified", result.exact.reason


@pytest.mark.parametrize(
    "latex",
    [
        r"\frac{\partial \lambda_i(A)}{\partial A} = 2 v v^T",
        r"\frac{\partial \lambda_i(A)}{\partial A} = v^T v I",
        r"d v = (\lambda_i(A) I - A + v v^T)^{-1} dA v",
    ],
)
def test_false_spectral_identities_fail(latex: str) -> None:
    layout = "differential" if latex.startswith("d v") else "denominator"
    result = check(latex, layout, SYMMETRIC)
    assert result.status == "failed", result.message


def test_singular_value_and_norm_gradients() -> None:
    symbols = {
        "X": "matrix m x n, simple singular values",
        "u": r"vector m, left singular vector of X for \sigma_1",
        "v": r"vector n, right singular vector of X for \sigma_1",
    }
    good = check(r"\frac{\partial \|X\|_2}{\partial X} = u v^T", "denominator", symbols)
    assert good.status == "verified", good.message
    bad = check(r"\frac{\partial \|X\|_2}{\partial X} = v^T X^T u \, u v^T", "denominator", symbols)
    assert bad.status == "failed"


def test_matrix_functions_are_checked_exactly_at_fifty_digits() -> None:
    result = check(
        r"\frac{\partial \operatorname{tr}(e^{X})}{\partial X} = (e^{X})^T",
        "denominator",
        {"X": "matrix n x n"},
    )
    assert result.status == "verified" and result.exact is not None
    assert result.exact.status == "verified", result.exact.reason
    wrong = check(
        r"\frac{\partial \operatorname{tr}(\sin X)}{\partial X} = \cos X",
        "denominator",
        {"X": "matrix n x n"},
    )
    assert wrong.status == "failed"


def test_the_principal_logarithm_condition_is_shown_necessary() -> None:
    """The formula holds for every X whose logarithm is defined: the property is shown needed by
    a sample where it is not (an eigenvalue on the negative axis)."""
    result = check(
        r"\frac{\partial \operatorname{tr}(\log X)}{\partial X} = X^{-T}",
        "denominator",
        {"X": "matrix n x n, positive definite"},
    )
    assert result.status == "verified", result.message
    [assumption] = result.assumptions
    assert assumption.necessary and "(−∞, 0]" in assumption.evidence


def test_a_logarithm_without_its_condition_is_undefined() -> None:
    result = check(r"e^{\log X} = X", "denominator", {"X": "matrix n x n"})
    assert result.status == "error"
    assert "eigenvalue on (−∞, 0]" in result.message and "(fix: " in result.message


def test_spectral_mutants_are_equivalent_only_when_they_are() -> None:
    symbols = {
        "A": "matrix n x n, symmetric, simple spectrum",
        "v": r"vector n, unit eigenvector of A for \lambda_i",
    }
    formula = r"d v = ((\lambda_i(A) I - A + v v^T)^{-1} - v v^T) dA v"
    original = make_spec(formula, "differential", symbols)

    def mutant(latex: str):
        return dataclasses.replace(original, formula=Display(latex, original.formula.location))

    assert _equal_as_free(original, mutant(formula.replace("^{-1}", "^{-T}")))
    assert _equal_as_free(original, mutant(formula.replace(r"\lambda_i(A) I", r"I \lambda_i(A)")))
    assert not _equal_as_free(original, mutant(formula.replace("- v v^T)", ")")))
    gradient = make_spec(
        r"\frac{\partial \lambda_i(A)}{\partial A} = v v^T", "denominator", symbols
    )
    assert _equal_as_free(gradient, dataclasses.replace(gradient, layout="numerator"))
    general = make_spec(
        r"\frac{\partial \lambda_i(A)}{\partial A} = \frac{y x^T}{y^T x}",
        "denominator",
        {
            "A": "matrix n x n, simple spectrum",
            "x": r"vector n, eigenvector of A for \lambda_i",
            "y": r"vector n, left eigenvector of A for \lambda_i",
        },
    )
    assert not _equal_as_free(general, dataclasses.replace(general, layout="numerator"))


def test_declarations_combine_spectral_properties() -> None:
    declarations = parse_declarations(
        {
            "A": "matrix n x n, positive definite, simple spectrum",
            "X": "matrix m x n, distinct singular values",
        }
    )
    assert "simple spectrum" in declarations["A"].properties
    assert declarations["X"].properties == frozenset({"simple singular values"})
    with pytest.raises(AuthorError, match="cannot be both"):
        parse_declaration("A", "matrix n x n, orthogonal, simple spectrum")
