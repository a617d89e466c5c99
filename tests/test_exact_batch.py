"""The exact backend's batched derivatives against the one-direction-at-a-time loop.

Why: the exact backend evaluates all directions of a gradient in one walk, at
``X + Σ_k t_k V_k`` with ``t_j t_k = 0``, and a Hessian in one walk per first direction (issue 6).
The evaluator's default — one :meth:`directional` per direction, one :meth:`second_directional`
per pair — is the plain definition; batching must change the cost, not the values. Every
identity of ``docs/`` is checked exactly both ways, and the two sides compared at every sample
must be the same: equal rationals, or 50-digit numbers equal to 45 digits.
"""

from __future__ import annotations

import numpy as np
import pytest
from matrixcheck import check, jets
from matrixcheck.errors import AuthorError
from matrixcheck.evaluate import Evaluator
from matrixcheck.exact import ExactEvaluator, exact_difference
from support import docs_specs


class OneDirectionAtATime(ExactEvaluator):
    """The exact backend with the evaluator's plain loop over directions and pairs."""

    directionals = Evaluator.directionals
    second_directionals = Evaluator.second_directionals


def _compared(monkeypatch: pytest.MonkeyPatch, spec: object) -> tuple[object, list]:
    """The exact verdict of ``spec`` and every pair of sides the check compared."""
    sides: list[tuple[np.ndarray, np.ndarray]] = []

    def recorded(left: np.ndarray, right: np.ndarray) -> str:
        sides.append((left, right))
        return exact_difference(left, right)

    monkeypatch.setattr(check, "exact_difference", recorded)
    try:
        outcome: object = check.exact_check(spec)
    except AuthorError as error:
        outcome = error.describe()
    return outcome, sides


def _same(a: object, b: object) -> bool:
    a, b = jets.value_at_zero(a), jets.value_at_zero(b)
    if jets.is_rational(a) and jets.is_rational(b):
        return a == b
    scale = max(abs(jets.real(a)), abs(jets.real(b)), 1)
    return abs(jets.real(a) - jets.real(b)) <= jets.mp().mpf("1e-45") * scale


def test_batched_and_looped_derivatives_agree_on_every_identity(monkeypatch) -> None:
    batched = {name: _compared(monkeypatch, spec) for name, spec in docs_specs().items()}
    monkeypatch.setattr(check, "ExactEvaluator", OneDirectionAtATime)
    entries = 0
    for name, spec in docs_specs().items():
        fast_outcome, fast_sides = batched[name]
        slow_outcome, slow_sides = _compared(monkeypatch, spec)
        assert fast_outcome == slow_outcome, name
        assert len(fast_sides) == len(slow_sides), name
        for fast, slow in zip(fast_sides, slow_sides, strict=True):
            for a, b in zip(fast, slow, strict=True):
                assert a.shape == b.shape, name
                assert all(_same(x, y) for x, y in zip(a.flat, b.flat, strict=True)), name
                entries += a.size
    assert entries > 5000
