"""Resource bounds: a check that hangs or eats memory stops with a clear error, not a hung build.

Why: a contributor's page must never be able to hang or exhaust the gate; every identity runs in
its own process with a CPU time and a memory limit (and a wall-clock limit for a check that waits
instead of computing), and results come back in page order.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from matrixcheck.check import check_identity
from matrixcheck.results import IdentityResult
from matrixcheck.workers import WALL_CLOCK_FACTOR, Stopped, run_all
from support import make_spec


def _sleepy(spec):
    time.sleep(30)
    return IdentityResult(spec, "verified")


def _busy(spec):
    """Computes forever; catches Exception like the build's checker does."""
    try:
        while True:
            sum(range(10_000))
    except Exception:  # noqa: BLE001 - the CPU limit must not be caught here
        return IdentityResult(spec, "verified")


def _greedy(spec):
    hoard = bytearray(600 * 1024**2)
    return IdentityResult(spec, "verified", message=str(len(hoard)))


def test_a_check_over_its_cpu_time_limit_is_stopped_and_the_next_one_still_runs() -> None:
    specs = [
        make_spec("a = a", "numerator", {"a": "vector n"}, identity_id=name)
        for name in ("busy", "next")
    ]
    checks = {"busy": _busy, "next": lambda spec: IdentityResult(spec, "verified")}
    started = time.monotonic()
    busy, following = run_all(specs, lambda spec: checks[spec.id](spec), jobs=1, time_limit=1)
    assert time.monotonic() - started < 10
    assert busy.status == "error" and isinstance(busy, Stopped)
    assert "used more than 1 s of CPU time" in busy.message
    assert "simplify the formula" in busy.message
    assert following.status == "verified"


def test_a_check_that_waits_is_stopped_by_the_wall_clock() -> None:
    spec = make_spec("a = a", "numerator", {"a": "vector n"})
    started = time.monotonic()
    (result,) = run_all([spec], _sleepy, time_limit=0.2)
    assert time.monotonic() - started < 10
    assert result.status == "error"
    assert f"still running after {0.2 * WALL_CLOCK_FACTOR:g} s (wall clock)" in result.message


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


def test_each_result_is_handed_on_as_it_arrives_stopped_ones_included() -> None:
    """The build stores each result while the workers check the others: the callback gets every
    result, a stopped one too, with its spec's index, in the order they finish."""
    specs = [
        make_spec("a = a", "numerator", {"a": "vector n"}, identity_id=name)
        for name in ("busy", "quick", "next")
    ]

    def check(spec):
        return _busy(spec) if spec.id == "busy" else IdentityResult(spec, "verified")

    arrived: list[tuple[int, IdentityResult]] = []
    results = run_all(
        specs,
        check,
        jobs=2,
        time_limit=1,
        on_result=lambda index, result: arrived.append((index, result)),
    )
    assert [index for index, _ in arrived] == [1, 2, 0]
    assert all(result is results[index] for index, result in arrived)
    assert isinstance(results[0], Stopped)


def test_a_worker_loads_nothing_the_checker_could_have_loaded_before_the_fork() -> None:
    """Workers are forked after :func:`matrixcheck.check.preload`: a check, transcendental values
    and random samples included, then imports no module in the worker (under ``mkdocs serve``
    each rebuild forks a new worker, which imported mpmath and NumPy's random module again at
    every edit). A fresh process, where nothing is loaded yet."""
    program = (
        "import sys\n"
        "from matrixcheck.check import check_identity, preload\n"
        "from support import make_spec\n"
        "preload()\n"
        "loaded = set(sys.modules)\n"
        "spec = make_spec(r'\\frac{\\partial \\operatorname{tr}(e^{X})}{\\partial X} = e^{X^T}',\n"
        "                 'denominator', {'X': 'matrix n x n'})\n"
        "assert check_identity(spec).status == 'verified'\n"
        "print(sorted(set(sys.modules) - loaded))\n"
    )
    tests = Path(__file__).resolve().parent
    completed = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": f"{tests.parent / 'hooks'}:{tests}"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
