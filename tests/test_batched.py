"""The numeric backend's batched evaluation against the one-direction-at-a-time loop.

Why: the numeric backend evaluates every direction of a derivative, every pair of a Hessian and
every point of a difference formula in one walk of the tree, each as one matrix of a batch (issue
6). The evaluator's default — one :meth:`directional` per direction, one
:meth:`second_directional` per pair — is the plain definition; batching must change the cost, not
the verdicts or the evidence. Every identity of ``docs/`` is checked both ways, and the batched
primitives that carry their own logic (matrix functions, eigenpairs, the magnitude) are compared
with the same primitive applied to each matrix alone.
"""

from __future__ import annotations

import numpy as np
import pytest
from matrixcheck import check
from matrixcheck.check import IdentityResult, check_identity
from matrixcheck.evaluate import DomainError, Evaluator, Point
from matrixcheck.matfuncs import MATRIX_FUNCTIONS, eigenpair, nuclear_norm, singular_triple, sqrtm
from matrixcheck.numeric import COMPLEX_STEP, NumericEvaluator
from support import docs_specs, make_spec


class OneDirectionAtATime(NumericEvaluator):
    """The numeric backend with the evaluator's plain loop over directions and pairs."""

    directionals = Evaluator.directionals
    second_directionals = Evaluator.second_directionals


def _numeric_gate(identity_id: str) -> IdentityResult:
    return check_identity(docs_specs()[identity_id], thorough=False)


def _errors(result: IdentityResult) -> list[float | None]:
    return [result.max_rel_error] + [step.max_rel_error for step in result.steps]


def test_batched_and_looped_evaluation_agree_on_every_identity(monkeypatch) -> None:
    batched = {name: _numeric_gate(name) for name in docs_specs()}
    monkeypatch.setattr(check, "NumericEvaluator", OneDirectionAtATime)
    compared = 0
    for name, fast in batched.items():
        slow = _numeric_gate(name)
        assert (fast.status, fast.message, fast.tolerance) == (
            slow.status,
            slow.message,
            slow.tolerance,
        ), name
        assert [s.status for s in fast.steps] == [s.status for s in slow.steps], name
        for a, b in zip(_errors(fast), _errors(slow), strict=True):
            assert (a is None) == (b is None), name
            if a is not None:
                # Rounding only: a thousandth of the tolerance, relative for refuted formulas.
                assert abs(a - b) <= 1e-3 * fast.tolerance * max(1.0, b), (name, a, b)
                compared += 1
    assert compared > 400


def test_entrywise_layout_takes_every_entry_and_misses_none() -> None:
    """In entrywise layout the sides are evaluated for all entries ``X_ij`` at once, one batch
    per trial; a formula that is right on the diagonal and wrong off it still fails, and the right
    one holds to rounding."""
    symbols = {"X": "matrix n x n"}
    wrong = make_spec(
        r"\frac{\partial \boldsymbol X^\text T}{\partial \boldsymbol X}"
        r" = \frac{\partial \boldsymbol X}{\partial \boldsymbol X}",
        "entrywise",
        symbols,
    )
    right = make_spec(
        r"\frac{\partial \boldsymbol X^\text T}{\partial \boldsymbol X}"
        r" = \left(\frac{\partial \boldsymbol X}{\partial \boldsymbol X}\right)^\text T",
        "entrywise",
        symbols,
    )
    failed = check_identity(wrong, thorough=False)
    assert failed.status == "failed" and failed.max_rel_error > 0.1
    held = check_identity(right, thorough=False)
    assert held.status == "verified" and held.max_rel_error < 1e-15


def _stack(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    """Well-conditioned matrices with a simple real spectrum, slightly moved by a complex step."""
    q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    base = (q * np.arange(1.0, n + 1)) @ q.T + 0.1 * rng.standard_normal((n, n))
    return base + 1j * COMPLEX_STEP * rng.standard_normal((count, n, n))


@pytest.mark.parametrize("name", sorted(MATRIX_FUNCTIONS))
def test_matrix_functions_of_a_batch_are_those_of_each_matrix(name: str) -> None:
    stack = _stack(np.random.default_rng(1), 5, 4)
    together = MATRIX_FUNCTIONS[name](stack)
    for matrix, result in zip(stack, together, strict=True):
        alone = MATRIX_FUNCTIONS[name](matrix)
        assert np.allclose(result.real, alone.real, rtol=1e-13, atol=1e-13)
        assert np.allclose(result.imag, alone.imag, rtol=1e-11, atol=1e-13 * COMPLEX_STEP)
    assert np.allclose(sqrtm(stack) @ sqrtm(stack), stack, rtol=1e-12, atol=1e-12)


def test_spectral_quantities_of_a_batch_are_those_of_each_matrix() -> None:
    stack = _stack(np.random.default_rng(2), 4, 3)
    parts = {
        "eigenpair": lambda v: eigenpair(v, "2", 0),
        "singular": lambda v: singular_triple(v, "max", 0),
        "wide": lambda v: singular_triple(v[..., :2, :], "1", 0),
        "nuclear": lambda v: (nuclear_norm(v),),
    }
    for what, function in parts.items():
        together = function(stack)
        for index, matrix in enumerate(stack):
            for batched, alone in zip(together, function(matrix), strict=True):
                assert np.allclose(batched[index], alone, rtol=1e-12, atol=1e-40), what


def test_magnitude_is_the_largest_frobenius_norm_in_the_batch() -> None:
    evaluator = NumericEvaluator(Point({}, {}, "numerator", {}, {}))
    values = np.arange(12.0).reshape(3, 2, 2)
    evaluator.observe(values)
    assert evaluator.magnitude == pytest.approx(max(np.linalg.norm(v) for v in values))
    evaluator.observe(np.full((1, 1), 1.0 + 1j * COMPLEX_STEP * 100.0))
    assert evaluator.magnitude == pytest.approx(100.0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, 1j * np.nan])
def test_a_nonfinite_entry_anywhere_in_the_batch_is_a_domain_error(bad: complex) -> None:
    evaluator = NumericEvaluator(Point({}, {}, "numerator", {}, {}))
    values = np.ones((4, 2, 2), dtype=complex)
    values[2, 1, 0] = bad
    with pytest.raises(DomainError, match="overflowed or produced NaN"):
        evaluator.observe(values)


def test_overflowing_squares_of_finite_entries_are_not_an_error() -> None:
    evaluator = NumericEvaluator(Point({}, {}, "numerator", {}, {}))
    with np.errstate(over="ignore"):
        evaluator.observe(np.array([[1e200, 1.0]]))
    assert evaluator.magnitude == 0.0
