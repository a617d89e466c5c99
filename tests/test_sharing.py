"""Work shared between the relations of one identity changes no result.

Why: the formula, its proof steps and its converted formula are checked on the same samples
(issue 6). A derivative they take alike is taken once per sample (the numeric backend replays the
magnitude and methods it met), so is an eigenpair or singular triple, and the exact check of the converted formula reads the original
sides back from the points of the original's exact check. Both must change the cost only: every
identity of ``docs/`` is checked with and without the sharing, and every verdict, message and
error must be the same, bit for bit.
"""

from __future__ import annotations

from matrixcheck import check
from matrixcheck.check import check_identity
from matrixcheck.exact import ExactEvaluator
from matrixcheck.numeric import NumericEvaluator
from matrixcheck.results import TOLERANCE_HESSIAN, IdentityResult
from matrixcheck.shapes import ShapeChecker
from support import docs_specs


def _everything(result: IdentityResult) -> tuple:
    """What the build reports and publishes of a result, errors and evidence included."""
    steps = [(s.status, s.reason, s.max_rel_error) for s in result.steps]
    return (
        result.status,
        result.message,
        result.max_rel_error,
        result.tolerance,
        result.counterexample,
        steps,
        result.exact,
        result.assumptions,
        result.conversion,
    )


def _checked_counting(monkeypatch) -> tuple[dict[str, tuple], dict[str, int]]:
    """Every docs identity checked, with the count of numeric derivatives taken and of exact
    evaluations (of a node, or of a side read back)."""
    counts = {"derivatives": 0, "exact": 0}

    def counted(name, method):
        def wrapper(*arguments, **keywords):
            counts[name] += 1
            return method(*arguments, **keywords)

        return wrapper

    directional = NumericEvaluator._directional
    monkeypatch.setattr(NumericEvaluator, "_directional", counted("derivatives", directional))
    evaluate = ExactEvaluator.evaluate
    monkeypatch.setattr(ExactEvaluator, "evaluate", counted("exact", evaluate))
    results = {name: _everything(check_identity(spec)) for name, spec in docs_specs().items()}
    return results, counts


def test_sharing_derivatives_and_exact_sides_changes_no_result(monkeypatch) -> None:
    shared, shared_counts = _checked_counting(monkeypatch)
    monkeypatch.undo()
    monkeypatch.setattr(check, "derivative_keys", lambda relation, numbers: {})
    # A side evaluated without being remembered: the converted formula's check evaluates its
    # original sides again.
    monkeypatch.setattr(ExactEvaluator, "side", lambda evaluator, node: evaluator.evaluate(node))
    # Every eigenpair and singular triple computed afresh.
    monkeypatch.setattr(
        NumericEvaluator,
        "_decomposed",
        lambda evaluator, decompose, value, index: decompose(
            value, index, evaluator.point.index_seed
        ),
    )
    alone, alone_counts = _checked_counting(monkeypatch)
    assert shared.keys() == alone.keys()
    for name, result in shared.items():
        assert result == alone[name], name
    # The sharing took place: fewer derivatives taken, fewer exact evaluations.
    assert shared_counts["derivatives"] < 0.9 * alone_counts["derivatives"]
    assert shared_counts["exact"] < 0.95 * alone_counts["exact"]


def test_a_derivative_taken_again_brings_its_magnitude_and_its_tolerance() -> None:
    """The second relation reads the Hessian back, and compares as if it had taken it."""
    result = check_identity(docs_specs()["hessian-quadratic-form"])
    assert result.formula is not None
    layout = result.spec.layout
    checker = ShapeChecker(result.declarations, layout)
    checker.check_relation(result.formula)
    again = check._Checked(result.formula, checker)
    sampler = check._Sampler(result.declarations, check._variables(result.formula))
    first, second = check._compare([again, again], result.trials, sampler, layout)
    assert sampler.drawn and all(sample.shared for sample in sampler.drawn.values())
    assert first == second
    assert second.tolerance == TOLERANCE_HESSIAN
