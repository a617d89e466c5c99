"""A gate you can trust: exact checks, necessary assumptions, refutations, mutants, no flakes.

Why: a green build must mean that every identity was confirmed twice (numerically and exactly),
that every stated assumption is needed, that every published mistake was shown false with a
counterexample, and that the gate rejects the mistakes people actually make.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from matrixcheck import check as check_module
from matrixcheck.check import check_identity
from matrixcheck.declarations import SPECIAL_CASES
from matrixcheck.project import check_docs, read_specs
from matrixcheck.results import ExactOutcome
from matrixcheck.workers import run_all
from support import make_spec

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
SEEDS_FOR_FLAKES = 35  # 35 offsets × 6 trials = 210 samples per identity


@pytest.fixture(scope="module")
def records(built_site: Path) -> dict[str, dict]:
    data = json.loads((built_site / "identities.json").read_text(encoding="utf-8"))
    return {record["id"]: record for record in data["identities"]}


@pytest.fixture(scope="module")
def site_report():
    return check_docs(DOCS)


def test_every_identity_is_confirmed_exactly(records: dict[str, dict]) -> None:
    """Every identity, eigenvalues, singular values and their vectors included; an integral is
    the one exception (its quadrature is accurate to rounding, not exact), and says so."""
    identities = [r for r in records.values() if r["refuted"] is None]
    assert len(identities) >= 15
    assert any("simple spectrum" in str(r["symbols"]) for r in identities)
    integrals = [r for r in identities if r"\int" in r["latex"]]
    assert [r["id"] for r in integrals] == ["exponential-differential-integral"]
    for record in integrals:
        assert record["exact"]["status"] == "not applicable"
        assert "integral" in record["exact"]["reason"], record["exact"]
    for record in (r for r in identities if r not in integrals):
        exact = record["exact"]
        assert exact["status"] == "verified", (record["id"], exact["reason"])
        assert exact["sizes"], record["id"]


def test_seed_seven_needs_w_symmetric(records: dict[str, dict]) -> None:
    (assumption,) = records["weighted-residual"]["assumptions"]
    assert assumption["statement"] == "W symmetric"
    assert assumption["necessary"] is True
    assert "relative error" in assumption["evidence"]


def test_every_stated_assumption_is_shown_necessary(records: dict[str, dict]) -> None:
    """A special case (``singular``: the formula shown where X⁻¹ does not exist) is the one kind of
    property that may hold without being needed; it is published as such, with its evidence."""
    assumptions = [a for r in records.values() for a in r["assumptions"]]
    assert assumptions
    assert all(a["evidence"] for a in assumptions)
    assert all(a["necessary"] for a in assumptions if a["property"] not in SPECIAL_CASES)
    (special,) = records["det-gradient-adjugate-singular"]["assumptions"]
    assert special["property"] == "singular" and not special["necessary"]


def test_dropping_a_property_stops_at_the_first_counterexample_with_the_same_verdicts(
    monkeypatch,
) -> None:
    """Showing a property necessary takes one failing trial; the trials after it are not run,
    and running them all (``_refuted`` never true) changes no verdict."""
    specs = [
        spec
        for spec in read_specs(DOCS)
        if not spec.refuted and any(", " in text for text in spec.symbols.values())
    ]
    calls = {"trials": 0}
    compare_at = check_module._compare_at

    def counted(*arguments):
        calls["trials"] += 1
        return compare_at(*arguments)

    monkeypatch.setattr(check_module, "_compare_at", counted)

    def verdicts() -> tuple[list[tuple], int]:
        calls["trials"] = 0
        found = [
            (spec.id, a.symbol, a.property, a.necessary)
            for spec in specs
            for a in check_identity(spec).assumptions
        ]
        return found, calls["trials"]

    stopping, stopping_trials = verdicts()
    monkeypatch.setattr(check_module, "_refuted", lambda comparison: False)
    exhaustive, exhaustive_trials = verdicts()
    assert len(stopping) >= 20
    assert any(necessary for *_, necessary in stopping)
    assert stopping == exhaustive
    assert stopping_trials < exhaustive_trials


def test_common_mistakes_are_refuted_with_counterexamples(records: dict[str, dict]) -> None:
    mistakes = [r for r in records.values() if r["url"].startswith("mistakes/") and r["refuted"]]
    assert len(mistakes) >= 5
    for record in mistakes:
        assert record["status"] == "refuted"
        example = record["refuted"]["counterexample"]
        assert example["rel_error"] > 1e-3
        assert example["sizes"] and isinstance(example["seed"], int)
        assert records[record["refuted"]["corrected"]]["status"] == "verified"


def test_a_superfluous_assumption_is_a_warning() -> None:
    result = check_identity(
        make_spec(
            r"\frac{\partial a^T x}{\partial x} = a^T",
            "numerator",
            {"a": "vector n, nonzero", "x": "vector n"},
        )
    )
    assert result.status == "verified"
    (warning,) = result.warnings()
    assert "'a nonzero' is not needed" in warning


def test_a_formula_declared_false_that_holds_fails_the_build() -> None:
    spec = make_spec(
        r"\frac{\partial a^T x}{\partial x} = a^T", "numerator", {"a": "vector n", "x": "vector n"}
    )
    spec.refuted, spec.corrected = True, "linear-form"
    result = check_identity(spec)
    assert result.status == "failed"
    assert "declared false, but the formula holds" in result.message


def test_numeric_and_exact_disagreement_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def exact_says_no(*args: object) -> ExactOutcome:
        return ExactOutcome("failed", "entry (1, 1) differs exactly: 1 versus 2")

    monkeypatch.setattr(check_module, "_exact", exact_says_no)
    result = check_identity(
        make_spec(
            r"\frac{\partial a^T X b}{\partial X} = a b^T",
            "denominator",
            {"a": "vector m", "b": "vector n", "X": "matrix m x n"},
        )
    )
    assert result.status == "error"
    assert "numeric and the exact checks disagree" in result.message


def test_exact_check_rejects_a_wrong_formula_on_its_own() -> None:
    spec = make_spec(
        r"\frac{\partial a^T X b}{\partial X} = a b^T",
        "denominator",
        {"a": "vector m", "b": "vector n", "X": "matrix m x n"},
    )
    assert check_module.exact_check(spec).status == "verified"
    spec.formula = type(spec.formula)(r"a^T X b = b^T X^T a + 1", spec.formula.location)
    assert check_module.exact_check(spec).status == "failed"


def test_symmetric_variable_gradient_is_sym_not_cookbook() -> None:
    symbols = {"X": "matrix n x n, positive definite"}
    correct = check_identity(
        make_spec(r"\frac{\partial \log\det X}{\partial X} = X^{-1}", "denominator", symbols)
    )
    assert correct.status == "verified"
    cookbook = check_identity(
        make_spec(
            r"\frac{\partial \log\det X}{\partial X} = 2 X^{-1} - X^{-1} \circ I",
            "denominator",
            symbols,
        )
    )
    assert cookbook.status == "failed"
    assert cookbook.max_rel_error is not None and cookbook.max_rel_error > 0.1


def test_no_flakes_over_200_samples(site_report) -> None:
    specs = [result.spec for result in site_report.results]
    for offset in range(1, SEEDS_FOR_FLAKES + 1):
        # On every core, as the build checks: 35 × 90 checks take minutes one after another.
        shifted = functools.partial(check_identity, trial_offset=offset * 100, thorough=False)
        for spec, again in zip(specs, run_all(specs, shifted), strict=True):
            expected = "refuted" if spec.refuted else "verified"
            assert again.status == expected, (spec.id, offset, again.message)


def test_make_mutants_kills_every_non_equivalent_mutant() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "matrixcheck", "mutants", "docs"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "hooks")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    last = completed.stdout.strip().splitlines()[-1]
    words = last.split()
    assert words[0] == "killed" and words[2] == "of" and words[1] == words[3], last
    assert int(words[1]) >= 50
    assert "survived" not in completed.stdout
