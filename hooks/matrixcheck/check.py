"""Checks one identity and its proof steps numerically, and says why when it fails.

The formula and every proof step are evaluated at the same random samples: several size sets in
which every dimension name has its own size, seeds derived from the identity's id, and for
generic functions each built-in test function in turn. Two sides agree when their relative
difference ``‖L − R‖_F / max(‖L‖_F, ‖R‖_F)`` stays under a tolerance set by the differentiation
method: complex-step derivatives are exact to rounding, so a correct identity lands near 1e-16
and anything above 1e-9 is wrong; nested derivatives use finite differences (about 1e-10), so
their tolerance is 1e-6.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from .declarations import Declaration, parse_declarations
from .errors import AuthorError
from .model import Display, IdentitySpec
from .numeric import DomainError, NumericEvaluator, Point
from .parser import Vocabulary, parse_chains
from .sampling import (
    TEST_FUNCTION_KINDS,
    concrete,
    random_direction,
    sample_value,
    seed_for,
    size_sets,
    tangent_basis,
    test_function,
)
from .shapes import LAYOUTS, ShapeChecker, ShapeError, SidesDiffer
from .tree import Derivative, Differential, Relation, Symbol, walk

TRIALS = 6
TOLERANCE_COMPLEX_STEP = 1e-9
TOLERANCE_DIFFERENCES = 1e-6


@dataclass
class Trial:
    """The sizes, seed and test-function kind of one sample."""

    sizes: dict[str, int]
    seed: int
    test_functions: str


@dataclass
class Comparison:
    """The largest relative difference seen for one relation, and where it was seen."""

    max_rel_error: float = 0.0
    worst: Trial | None = None
    tolerance: float = TOLERANCE_COMPLEX_STEP
    domain_error: str = ""

    @property
    def holds(self) -> bool:
        return not self.domain_error and self.max_rel_error <= self.tolerance


@dataclass
class StepResult:
    """A proof step: ``checked``, ``unchecked`` (with a reason) or ``failed``."""

    display: Display
    status: str
    reason: str = ""
    max_rel_error: float | None = None


@dataclass
class IdentityResult:
    """Everything the build reports and publishes about one identity."""

    spec: IdentitySpec
    status: str
    message: str = ""
    max_rel_error: float | None = None
    tolerance: float = TOLERANCE_COMPLEX_STEP
    trials: list[Trial] = field(default_factory=list)
    steps: list[StepResult] = field(default_factory=list)
    declarations: dict[str, Declaration] = field(default_factory=dict)
    spellings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "verified" and all(s.status != "failed" for s in self.steps)

    def failures(self) -> list[str]:
        """One line per problem: the identity's own, then each failed proof step."""
        lines = [] if self.status == "verified" else [self.message]
        for step in self.steps:
            if step.status == "failed":
                lines.append(f"proof step at {step.display.location}: {step.reason}")
        return lines


@dataclass
class _Checked:
    """A relation ready to evaluate, with its shape checker."""

    relation: Relation
    checker: ShapeChecker


def check_identity(spec: IdentitySpec) -> IdentityResult:
    """Parse, shape-check and numerically verify one identity and its proof steps."""
    result = IdentityResult(spec, "error")
    try:
        if spec.layout not in LAYOUTS:
            raise AuthorError(
                f"unknown layout '{spec.layout}'", "use numerator, denominator or entrywise"
            )
        result.declarations = parse_declarations(spec.symbols)
        vocabulary = _vocabulary(result.declarations)
        result.spellings = vocabulary.spellings
        formula = _parse_single(spec.formula, vocabulary)
        _require_all_used(formula, result.declarations)
        checker = ShapeChecker(result.declarations, spec.layout)
        checker.check_relation(formula)
        variables = _variables(formula)
    except SidesDiffer as difference:
        result.status, result.message = "failed", f"the identity is false: {difference}"
        return result
    except AuthorError as error:
        result.message = error.describe()
        return result
    steps = [
        _prepare_step(display, vocabulary, result.declarations, spec.layout)
        for display in spec.proof
    ]
    checks = [_Checked(formula, checker)] + [s for s in steps if isinstance(s, _Checked)]
    trials = _trials(spec.id, result.declarations)
    try:
        comparisons = _compare(checks, trials, result.declarations, variables, spec.layout)
    except AuthorError as error:
        result.message = error.describe()
        return result
    result.trials = trials
    _record_formula(result, comparisons[0])
    _record_steps(result, steps, comparisons[1:])
    return result


def _vocabulary(declarations: dict[str, Declaration]) -> Vocabulary:
    functions = frozenset(name for name, d in declarations.items() if d.is_function)
    return Vocabulary(frozenset(declarations), functions)


def _parse_single(display: Display, vocabulary: Vocabulary) -> Relation:
    chains = parse_chains(display.latex, vocabulary)
    if len(chains) != 1:
        raise AuthorError(
            "the formula of an identity must be one chain of equalities",
            "put further relations in the proof, or continue the chain with '&= …'",
        )
    relation = chains[0]
    if len(relation.sides) < 2:
        raise AuthorError(
            "the formula has no '=': there is nothing to check",
            "write the identity as 'left = right'",
        )
    return relation


def _require_all_used(relation: Relation, declarations: dict[str, Declaration]) -> None:
    used = {n.name for n in walk(relation) if isinstance(n, Symbol)}
    used |= {n.variable for n in walk(relation) if isinstance(n, Derivative)}
    used |= {getattr(n, "function", "") for n in walk(relation)}
    unused = sorted(set(declarations) - used)
    if unused:
        raise AuthorError(
            f"declared but never used in the formula: {', '.join(unused)}",
            "remove the declaration, or check the formula for a misspelt symbol",
        )


def _variables(relation: Relation) -> list[str]:
    """Symbols the identity differentiates by: ∂/∂X denominators and symbols under a bare d."""
    names = {n.variable for n in walk(relation) if isinstance(n, Derivative)}
    names |= {
        n.operand.name
        for n in walk(relation)
        if isinstance(n, Differential) and isinstance(n.operand, Symbol)
    }
    if not names and any(isinstance(n, Differential) for n in walk(relation)):
        raise AuthorError(
            "the formula takes differentials but names no variable",
            "write the differential of the variable explicitly, as d\\boldsymbol{X}",
        )
    return sorted(names)


def _prepare_step(
    display: Display, vocabulary: Vocabulary, declarations: dict[str, Declaration], layout: str
) -> _Checked | StepResult:
    try:
        chains = parse_chains(display.latex, vocabulary)
    except AuthorError as error:
        return StepResult(display, "unchecked", f"not read by the checker: {error.describe()}")
    relations = [chain for chain in chains if len(chain.sides) > 1]
    if len(relations) != 1 or len(chains) != 1:
        return StepResult(display, "unchecked", "not a single chain of equalities")
    checker = ShapeChecker(declarations, layout)
    try:
        checker.check_relation(relations[0])
    except SidesDiffer as difference:
        return StepResult(display, "failed", f"the step is false: {difference}")
    except ShapeError as error:
        return StepResult(display, "failed", f"shape error: {error.describe()}")
    return _Checked(relations[0], checker)


def _trials(identity_id: str, declarations: dict[str, Declaration]) -> list[Trial]:
    dimensions = sorted({d for decl in declarations.values() for d in decl.dimensions()})
    sets = size_sets(dimensions, identity_id)
    has_functions = any(d.is_function for d in declarations.values())
    return [
        Trial(
            sizes=sets[index % len(sets)],
            seed=seed_for(identity_id, index),
            test_functions=(
                TEST_FUNCTION_KINDS[index % len(TEST_FUNCTION_KINDS)] if has_functions else ""
            ),
        )
        for index in range(TRIALS)
    ]


def _compare(
    checks: list[_Checked],
    trials: list[Trial],
    declarations: dict[str, Declaration],
    variables: list[str],
    layout: str,
) -> list[Comparison]:
    comparisons = [Comparison() for _ in checks]
    for trial in trials:
        for point in _points(trial, declarations, variables, layout):
            for check, comparison in zip(checks, comparisons, strict=True):
                if comparison.domain_error:
                    continue
                _compare_at(check, point, trial, comparison)
    return comparisons


def _points(
    trial: Trial, declarations: dict[str, Declaration], variables: list[str], layout: str
) -> list[Point]:
    """The sample of one trial, once per direction the layout needs."""
    rng = np.random.default_rng(trial.seed)
    values: dict[str, np.ndarray] = {}
    functions = {}
    for name in sorted(declarations):
        declaration = declarations[name]
        if declaration.is_function:
            functions[name] = test_function(declaration, trial.sizes, trial.test_functions, rng)
        else:
            shape = concrete(declaration.shape, trial.sizes)
            values[name] = sample_value(declaration.properties, shape, rng)
    bases = {v: tangent_basis(declarations[v].properties, values[v]) for v in variables}
    directions = {v: random_direction(bases[v], rng) for v in variables}

    def point(chosen: dict[str, np.ndarray]) -> Point:
        return Point(values, functions, layout, bases, chosen)

    if layout != "entrywise":
        return [point(directions)]
    return [point({**directions, v: b}) for v in variables for b in bases[v]]


def _compare_at(check: _Checked, point: Point, trial: Trial, comparison: Comparison) -> None:
    point.identity_sizes = check.checker.identity_sizes(trial.sizes)
    point.used_differences = False
    evaluator = NumericEvaluator(point)
    try:
        sides = [evaluator.evaluate(side) for side in check.relation.sides]
    except DomainError as error:
        comparison.domain_error = f"{error} (sizes {_sizes_text(trial.sizes)}, seed {trial.seed})"
        return
    except np.linalg.LinAlgError as error:
        comparison.domain_error = f"linear algebra failed: {error}"
        return
    if point.used_differences:
        comparison.tolerance = TOLERANCE_DIFFERENCES
    for left, right in itertools.pairwise(sides):
        error = relative_error(left, right, evaluator.magnitude)
        if comparison.worst is None or error > comparison.max_rel_error:
            comparison.max_rel_error = error
            comparison.worst = trial


def relative_error(left: np.ndarray, right: np.ndarray, magnitude: float = 0.0) -> float:
    """``‖L − R‖_F / max(‖L‖_F, ‖R‖_F, M)``, and 0 when all three are zero.

    ``M`` is the largest intermediate value met while evaluating, so that two sides which are both
    zero up to rounding (``d(X X⁻¹) = 0``) compare as equal.
    """
    left, right = np.broadcast_arrays(left, right)
    scale = max(np.linalg.norm(left), np.linalg.norm(right), magnitude)
    if not np.isfinite(scale):
        return float("inf")
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(left - right) / scale)


def _sizes_text(sizes: dict[str, int]) -> str:
    return ", ".join(f"{name}={size}" for name, size in sizes.items()) or "scalars only"


def _evidence(comparison: Comparison) -> str:
    worst = comparison.worst
    where = ""
    if worst is not None:
        functions = f", {worst.test_functions} test functions" if worst.test_functions else ""
        where = f" (sizes {_sizes_text(worst.sizes)}, seed {worst.seed}{functions})"
    return (
        f"relative error {comparison.max_rel_error:.3g} > tolerance {comparison.tolerance:.0e}"
        + where
    )


def _record_formula(result: IdentityResult, comparison: Comparison) -> None:
    result.tolerance = comparison.tolerance
    if comparison.domain_error:
        result.message = (
            f"the formula is undefined at a sample: {comparison.domain_error}; declare the "
            "properties that make it defined (invertible, positive definite, positive, nonzero)"
        )
        return
    result.max_rel_error = comparison.max_rel_error
    if comparison.holds:
        result.status = "verified"
    else:
        result.status = "failed"
        result.message = f"the two sides differ: {_evidence(comparison)}"


def _record_steps(
    result: IdentityResult, steps: list[_Checked | StepResult], comparisons: list[Comparison]
) -> None:
    pending = iter(comparisons)
    for step, display in zip(steps, result.spec.proof, strict=True):
        if isinstance(step, StepResult):
            result.steps.append(step)
            continue
        comparison = next(pending)
        if comparison.domain_error:
            reason = f"undefined at a sample: {comparison.domain_error}"
            result.steps.append(StepResult(display, "failed", reason))
        elif comparison.holds:
            result.steps.append(StepResult(display, "checked", "", comparison.max_rel_error))
        else:
            reason = f"the step is false: {_evidence(comparison)}"
            result.steps.append(StepResult(display, "failed", reason, comparison.max_rel_error))
