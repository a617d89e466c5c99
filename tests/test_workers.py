"""Resource bounds: a check that hangs or eats memory stops with a clear error, not a hung build.

Why: a contributor's page must never be able to hang or exhaust the gate; every identity runs in
its own process with a time and a memory limit, and results come back in page order.
"""

from __future__ import annotations

import time

from matrixcheck.check import check_identity
from matrixcheck.results import IdentityResult
from matrixcheck.workers import run_all
from support import make_spec


def _sleepy(spec):
    time.sleep(30)
    return IdentityResult(spec, "verified")


def _greedy(spec):
    hoard = bytearray(600 * 1024**2)
    return IdentityResult(spec, "verified", message=str(len(hoard)))


def test_a_check_over_its_time_limit_is_stopped_with_a_message() -> None:
    spec = make_spec("a = a", "numerator", {"a": "vector n"})
    start = time.monotonic()
    (result,) = run_all([spec], _sleepy, time_limit=0.5)
    assert time.monotonic() - start < 10
    assert result.status == "error"
    assert "took longer than 0.5 s" in result.message
    assert "simplify the formula" in result.message


def test_a_check_over_its_memory_limit_is_stopped_with_a_message() -> None:
    spec = make_spec("a = a", "numerator", {"a": "vector n"})
    (result,) = run_all([spec], _greedy, memory_limit=100 * 1024**2)
    assert result.status == "error"
    assert "ran out of memory (limit 100 MiB)" in result.message


def test_results_come_back_in_spec_order_whatever_the_finishing_order() -> None:
    specs = [
        make_spec(
            rf"\frac{{\partial a^T x}}{{\partial x}} = {rhs}",
            "numerator",
            symbols,
            identity_id=f"id-{i}",
        )
        for i, (rhs, symbols) in enumerate(
            [
                ("a^T", {"a": "vector n", "x": "vector n"}),
                ("a", {"a": "vector n", "x": "vector n"}),
                ("a^T", {"a": "vector m", "x": "vector m"}),
            ]
        )
    ]
    results = run_all(specs, check_identity, jobs=3)
    assert [r.spec.id for r in results] == ["id-0", "id-1", "id-2"]
    assert [r.status for r in results] == ["verified", "failed", "verified"]
