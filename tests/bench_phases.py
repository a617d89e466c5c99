"""Benchmark of checking by phase: CPU seconds of parsing, drawing samples, numeric comparisons and
exact checks over every identity of a docs tree.

Not a test (pytest collects only ``test_*.py``): timings depend on the machine. Every identity is
checked in this one process (no cache, no workers), ``--runs`` times; each phase is the CPU time
spent inside its function (``parse_chains``, ``_Sampler._draw``, ``_compare``, ``_exact``),
nested calls counted once, and the median over the runs is printed. Drawing happens inside the
comparisons, so ``compare`` includes ``draw``.

Usage: ``PYTHONPATH=hooks python tests/bench_phases.py [docs] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matrixcheck import check
from matrixcheck.project import read_specs

PHASES = {
    "parse": (check, "parse_chains"),
    "draw": (check._Sampler, "_draw"),
    "compare": (check, "_compare"),
    "exact": (check, "_exact"),
}


def _timed(function: Callable[..., Any], phase: str, spent: dict[str, float]) -> Callable:
    """``function``, adding its CPU time to ``spent[phase]`` (a call inside another counts once)."""
    running = [False]

    @functools.wraps(function)
    def timed(*arguments: Any, **keywords: Any) -> Any:
        if running[0]:
            return function(*arguments, **keywords)
        running[0] = True
        start = time.process_time()
        try:
            return function(*arguments, **keywords)
        finally:
            spent[phase] += time.process_time() - start
            running[0] = False

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("docs", type=Path, nargs="?", default=Path("docs"))
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    specs = read_specs(arguments.docs)
    spent = dict.fromkeys(PHASES, 0.0)
    for phase, (owner, name) in PHASES.items():
        setattr(owner, name, _timed(getattr(owner, name), phase, spent))
    runs = []
    for _ in range(arguments.runs):
        spent.update(dict.fromkeys(PHASES, 0.0))
        start = time.process_time()
        for spec in specs:
            check.check_identity(spec)
        runs.append({"total": time.process_time() - start, **spent})
    print(f"{len(specs)} identities, CPU seconds (median of {arguments.runs} runs):")
    for phase in ("total", *PHASES):
        print(f"  {phase:8s} {statistics.median(run[phase] for run in runs):6.3f}")


if __name__ == "__main__":
    main()
