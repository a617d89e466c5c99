"""Benchmark of the exact backend alone: CPU seconds of every exact check of a docs tree.

Not a test (pytest collects only ``test_*.py``): timings depend on the machine. Every identity is
checked in this one process (no cache, no workers), and each call of the exact check (the
formula's, and the converted formula's derivative-free sides) is timed in CPU seconds. Prints
the total, the share of the whole check, and the identities that cost most.

Usage: ``PYTHONPATH=hooks python tests/bench_exact.py [docs] [--top 10]``.
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

from matrixcheck import check
from matrixcheck.project import read_specs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("docs", type=Path, nargs="?", default=Path("docs"))
    parser.add_argument("--top", type=int, default=10)
    arguments = parser.parse_args()
    specs = read_specs(arguments.docs)
    spent: collections.Counter[str] = collections.Counter()
    exact = check._exact

    def timed(*arguments: object) -> check.ExactOutcome:
        start = time.process_time()
        try:
            return exact(*arguments)
        finally:
            spent[arguments[1].id] += time.process_time() - start

    check._exact = timed
    start = time.process_time()
    for spec in specs:
        check.check_identity(spec)
    total = time.process_time() - start
    print(
        f"{len(specs)} identities: exact checks {sum(spent.values()):.2f} s CPU "
        f"of {total:.2f} s for the whole check"
    )
    for identity, seconds in spent.most_common(arguments.top):
        print(f"{seconds:7.3f}  {identity}")


if __name__ == "__main__":
    main()
