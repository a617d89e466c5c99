"""Command line: ``python -m matrixcheck check docs/`` checks a docs tree without MkDocs.

A site built by a tool that ignores MkDocs hooks must not pass as verified, so the same checks run
here, with the same messages, and exit non-zero on any problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cache import ResultCache
from .mutants import run_mutants
from .project import Report, check_docs
from .records import identities_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matrixcheck", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check every identity under a docs directory")
    check.add_argument("docs", type=Path, help="the docs directory, e.g. docs/")
    check.add_argument("--json", type=Path, help="also write identities.json to this path")
    check.add_argument(
        "--strict", action="store_true", help="treat warnings (unneeded assumptions) as errors"
    )
    mutants = commands.add_parser("mutants", help="mutation-test the gate on every identity")
    mutants.add_argument("docs", type=Path, help="the docs directory, e.g. docs/")
    arguments = parser.parse_args(argv)
    if not arguments.docs.is_dir():
        print(f"error: {arguments.docs} is not a directory", file=sys.stderr)
        return 2
    label = arguments.docs.as_posix().rstrip("/")
    cache = ResultCache.configured(arguments.docs.parent)
    report = check_docs(arguments.docs, label, cache)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    if arguments.command == "mutants":
        return _mutants(report)
    for message in report.messages():
        print(f"error: {message}", file=sys.stderr)
    for warning in report.warnings():
        print(f"warning: {warning}", file=sys.stderr)
    if arguments.json:
        arguments.json.write_text(identities_json(report, {}), encoding="utf-8")
    print(report.cache_summary())
    print(report.summary())
    failed = not report.ok or (arguments.strict and report.warnings())
    return 1 if failed else 0


def _mutants(report: Report) -> int:
    if not report.ok:
        print("the site does not pass its checks; fix it before mutation testing", file=sys.stderr)
        return 1
    outcome = run_mutants(report)
    for label, group in (("survived", outcome.survived), ("equivalent", outcome.equivalent)):
        for mutant in group:
            print(f"{label}: [{mutant.identity}] {mutant.operator} ({mutant.spec.layout} layout)")
            print(f"    {mutant.spec.formula.latex}")
    print(
        f"{len(outcome.equivalent)} equivalent mutant(s) set aside (exactly equal to the original)"
    )
    print(outcome.summary())
    return 0 if not outcome.survived else 1


if __name__ == "__main__":
    sys.exit(main())
