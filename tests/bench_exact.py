"""Benchmark of the exact backend alone: CPU seconds of every exact check of a docs tree.

Not a test (pytest collects only ``test_*.py``): timings depend on the machine. Every identity is
checked in this one process (no cache, no workers), and the drawing of its exact samples and each
call of the exact check (the formula's, and the converted formula's derivative-free sides) are
timed in CPU seconds. Prints the total (and the samples' share), the share of the whole check,
and the identities that cost most.

Usage: ``PYTHONPATH=hooks python tests/bench_exact.py [docs] [--top 10]``.
"""

from __future__ import annotations

import argparse
import collections
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from matrixcheck import check
from matrixcheck.project import read_specs

T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("docs", type=Path, nargs="?", default=Path("docs"))
    parser.add_argument("--top", type=int, default=10)
    arguments = parser.parse_args()
    specs = read_specs(arguments.docs)
    spent: collections.Counter[str] = collections.Counter()
    sampling: collections.Counter[str] = collections.Counter()
    current = [""]

    def timed(function: Callable[..., T], counters: list[collections.Counter[str]]) -> Callable:
        def measured(*arguments: object) -> T:
            start = time.process_time()
            try:
                return function(*arguments)
            finally:
                for counter in counters:
                    counter[current[0]] += time.process_time() - start

        return measured

    check._exact = timed(check._exact, [spent])
    check.exact_points = timed(check.exact_points, [spent, sampling])
    start = time.process_time()
    for spec in specs:
        current[0] = spec.id
        check.check_identity(spec)
    total = time.process_time() - start
    print(
        f"{len(specs)} identities: exact checks {sum(spent.values()):.2f} s CPU "
        f"(drawing the samples {sum(sampling.values()):.2f} s) of {total:.2f} s for the whole check"
    )
    for identity, seconds in spent.most_common(arguments.top):
        print(f"{seconds:7.3f}  {identity}")


if __name__ == "__main__":
    main()
