"""Checks one identity: numerically, exactly, its assumptions, and its proof steps.

The formula and every proof step are evaluated at the same random samples: several size sets in
which every dimension name has its own size, seeds derived from the identity's id, and for
generic functions each built-in test function in turn. Two sides agree when their relative
difference ``‖L − R‖_F / max(‖L‖_F, ‖R‖_F, M)`` (``M`` the largest intermediate value) stays under
a tolerance set by the differentiation method: complex-step derivatives are exact to rounding, so
a correct identity lands near 1e-16 and anything above 1e-9 is wrong; nested derivatives use
finite differences (about 1e-10), so their tolerance is 1e-6. Hessians difference an exact
complex-step derivative once (error below 1e-11, see :mod:`numeric`): their tolerance is 1e-8.

The formula is then checked a second, independent way by the exact backend, and every stated
property is dropped in turn to show that it is needed. A refuted block must fail both checks.
Finally the formula is converted to the other layout (:mod:`convert`) and the converted formula is
checked numerically and exactly too, so that what a reader sees after switching layouts is
verified like what the author wrote; it is checked on the very samples of the original (drawn
once, as are the tangent bases and their duals).

Work is shared, never skipped: a derivative that several relations of one identity take at the
same sample (the formula, a proof step restating it, the converted formula) is taken once there,
and the comparison that reuses it sees the same magnitude and tolerance as if it had taken it
itself; the exact check of the converted formula reads the original sides back.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .convert import converted_spec, converter_failure, not_converted
from .declarations import (
    SPECTRAL_PHRASES,
    SPECTRAL_PROPERTIES,
    Declaration,
    article,
    bound_symbols,
    check_bindings,
    parse_declarations,
    size_orderings,
    with_implied,
)
from .errors import AuthorError
from .evaluate import DomainError, Point
from .exact import ExactEvaluator, ExactSamples, NotExact, exact_difference, exact_points
from .jets import mp
from .model import Display, IdentitySpec
from .numeric import NumericEvaluator, derivative_keys
from .parser import Vocabulary, parse_chains
from .results import (
    TOLERANCE_DIFFERENCES,
    TOLERANCE_HESSIAN,
    Assumption,
    Comparison,
    Conversion,
    ExactOutcome,
    IdentityResult,
    StepResult,
    Trial,
    sizes_phrase,
)
from .sampling import (
    TEST_FUNCTION_KINDS,
    concrete,
    integer_values,
    numeric_test_functions,
    random_direction,
    sample_value,
    seed_for,
    size_sets,
    tangent_basis,
)
from .shapes import LAYOUTS, ShapeChecker, ShapeError, SidesDiffer, written_negative
from .tree import (
    Apply,
    Derivative,
    Differential,
    Div,
    Func,
    Node,
    Power,
    Relation,
    Spectral,
    Symbol,
    SymbolicPower,
    Transpose,
    walk,
)

TRIALS = 6
EXACT_TEST_KINDS = ("linear", "polynomial")
#: Properties whose absence makes a formula undefined where it inverts or divides by the symbol.
DEFINEDNESS = {"invertible": "inverts", "nonzero": "divides by"}
#: Functions with a kink at zero (|·|, sign, relu, step, ‖·‖₁): "nonzero" keeps every entry
#: of their argument off the kink, where the formula is undefined.
KINKED = frozenset({"abs", "sign", "relu", "step", "norm1"})


@dataclass
class _Checked:
    """A relation ready to evaluate, with its shape checker."""

    relation: Relation
    checker: ShapeChecker


def preload() -> None:
    """Load what checks otherwise load on their first use (NumPy's random generators, the 50-digit
    context of transcendental values): processes forked afterwards then share it instead of each
    loading it again, which under ``mkdocs serve`` every rebuild's new worker did (about 35 ms)."""
    importlib.import_module("numpy.random")
    mp()


def check_identity(
    spec: IdentitySpec, trial_offset: int = 0, thorough: bool = True
) -> IdentityResult:
    """Parse, shape-check and verify one identity (or refutation) and its proof steps.

    ``trial_offset`` shifts the seeds, for tests that re-run every identity on fresh samples.
    With ``thorough`` off only the numeric gate runs (no exact check, no assumption analysis).
    """
    return _check_identity(spec, trial_offset, thorough, None)


def _check_identity(
    spec: IdentitySpec, trial_offset: int, thorough: bool, shared: _Sampler | None
) -> IdentityResult:
    """:func:`check_identity`, reusing the samples of ``shared`` where they fit (the converted
    formula of an identity is checked on the samples of the identity itself)."""
    result = IdentityResult(spec, "error")
    try:
        if spec.layout not in LAYOUTS:
            raise AuthorError(
                f"unknown layout '{spec.layout}'", f"use one of: {', '.join(LAYOUTS)}"
            )
        result.declarations = parse_declarations(spec.symbols)
        check_bindings(result.declarations)
        result.where = spec.formula.location
        vocabulary = vocabulary_of(result.declarations)
        result.spellings = vocabulary.spellings
        formula = result.formula = _parse_single(spec.formula, vocabulary)
        _require_all_used(formula, result.declarations)
        checker = ShapeChecker(result.declarations, spec.layout)
        checker.check_relation(formula)
        variables = _free_variables(_variables(formula), result.declarations, formula)
    except SidesDiffer as difference:
        _record_shape_difference(result, difference)
        return result
    except AuthorError as error:
        result.message = error.describe()
        return result
    steps = [
        _prepare_step(display, vocabulary, result.declarations, spec.layout, variables)
        for display in spec.proof
    ]
    checks = [_Checked(formula, checker)] + [s for s in steps if isinstance(s, _Checked)]
    result.trials = _trials(spec.id, result.declarations, trial_offset)
    sampler = _Sampler(result.declarations, variables)
    if shared is not None and shared.fits(sampler):
        sampler = shared
    try:
        comparisons = _compare(checks, result.trials, sampler, spec.layout)
        _record_formula(result, comparisons[0])
        _record_steps(result, steps, comparisons[1:])
        if thorough and result.status in ("verified", "refuted"):
            samples = _exact_samples(spec, result.declarations, variables)
            result.exact = _exact(checks[0], samples)
            _reconcile(result)
            if result.status == "verified":
                result.assumptions = _assumptions(checks[0], result, variables)
            if result.status in ("verified", "refuted"):
                result.conversion = _conversion(result, sampler, samples)
    except AuthorError as error:
        result.status, result.message = "error", error.describe()
    return result


def vocabulary_of(declarations: dict[str, Declaration]) -> Vocabulary:
    """What the declarations make of names, for the parser."""
    functions = frozenset(name for name, d in declarations.items() if d.is_function)
    scalar = frozenset(name for name, d in declarations.items() if d.is_scalar_function)
    reals = frozenset(name for name, d in declarations.items() if d.kind == "scalar")
    return Vocabulary(frozenset(declarations), functions, scalar, reals=reals)


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
    used = set()
    for node in walk(relation):
        if isinstance(node, Symbol):
            used.add(node.name)
        elif isinstance(node, Derivative):
            used.add(node.variable)
        elif isinstance(node, Apply):
            used.add(node.function)
    unused = sorted(set(declarations) - used)
    if unused:
        raise AuthorError(
            f"declared but never used in the formula: {', '.join(unused)}",
            "remove the declaration, or check the formula for a misspelt symbol",
        )


def _variables(relation: Relation) -> list[str]:
    """Symbols the identity differentiates by: ∂/∂X denominators and symbols under a bare d."""
    names = set()
    differentials = False
    for node in walk(relation):
        if isinstance(node, Derivative):
            names.add(node.variable)
        elif isinstance(node, Differential):
            differentials = True
            if isinstance(node.operand, Symbol):
                names.add(node.operand.name)
    if not names and differentials:
        raise AuthorError(
            "the formula takes differentials but names no variable",
            "write the differential of the variable explicitly, as d\\boldsymbol{X}",
        )
    return sorted(names)


def _free_variables(
    names: list[str], declarations: dict[str, Declaration], relation: Relation
) -> list[str]:
    """The variables, with a bound symbol under ``d`` standing for the matrix it follows.

    ``dv`` for an eigenvector ``v`` of ``A`` is the change of ``v`` as ``A`` moves along ``dA``;
    ``∂/∂v`` has no meaning, since ``v`` cannot move on its own.
    """
    differentiated = {n.variable for n in walk(relation) if isinstance(n, Derivative)}
    free = set()
    for name in names:
        binding = declarations[name].binding
        if binding is None:
            free.add(name)
        elif name in differentiated:
            raise AuthorError(
                f"the formula differentiates by {name}, which is {article(binding.kind)} of "
                f"{binding.of} and moves with it",
                f"differentiate by {binding.of}, or declare {name} as an independent symbol",
            )
        else:
            free.add(binding.of)
    return sorted(free)


def _prepare_step(
    display: Display,
    vocabulary: Vocabulary,
    declarations: dict[str, Declaration],
    layout: str,
    variables: list[str],
) -> _Checked | StepResult:
    try:
        chains = parse_chains(display.latex, vocabulary)
    except AuthorError as error:
        return StepResult(display, "unchecked", f"not read by the checker: {error.describe()}")
    if len(chains) != 1 or len(chains[0].sides) < 2:
        return StepResult(display, "unchecked", "not a single chain of equalities")
    relation = chains[0]
    others = sorted(
        {n.variable for n in walk(relation) if isinstance(n, Derivative)} - set(variables)
    )
    if others:
        return StepResult(
            display, "unchecked", f"differentiates by {', '.join(others)}, not the variable"
        )
    checker = ShapeChecker(declarations, layout)
    try:
        checker.check_relation(relation)
    except SidesDiffer as difference:
        return StepResult(display, "failed", f"the step is false: {difference}")
    except ShapeError as error:
        return StepResult(display, "failed", f"shape error: {error.describe()}")
    return _Checked(relation, checker)


def _trials(identity_id: str, declarations: dict[str, Declaration], offset: int) -> list[Trial]:
    dimensions = sorted({d for decl in declarations.values() for d in decl.dimensions()})
    sets = size_sets(
        dimensions,
        f"{identity_id}+{offset}" if offset else identity_id,
        size_orderings(declarations),
    )
    has_functions = any(d.is_function for d in declarations.values())
    kinds = TEST_FUNCTION_KINDS if has_functions else ("",)
    integers = [name for name, d in declarations.items() if d.is_integer]
    return [
        Trial(
            sets[index % len(sets)],
            seed_for(identity_id, offset + index),
            kinds[index % 3 % len(kinds)],
            integer_values(integers, identity_id, index),
        )
        for index in range(TRIALS)
    ]


def _compare(
    checks: list[_Checked],
    trials: list[Trial],
    sampler: _Sampler,
    layout: str,
    until_refuted: bool = False,
) -> list[Comparison]:
    """Each relation of ``checks`` compared at every trial's sample. With ``until_refuted``, the
    trials stop once every relation is shown false (a relative error above the widest tolerance,
    or undefined): one counterexample is all a necessary property needs, and the trials after it
    could not make the relation hold."""
    comparisons = [Comparison() for _ in checks]
    keys = [derivative_keys(check.relation, sampler.operands) for check in checks]
    for trial in trials:
        for point in sampler.points(trial, layout):
            for check, operands, comparison in zip(checks, keys, comparisons, strict=True):
                if not comparison.domain_error:
                    point.operands = operands
                    _compare_at(check, point, trial, comparison)
        if until_refuted and all(map(_refuted, comparisons)):
            break
    return comparisons


def _refuted(comparison: Comparison) -> bool:
    """Whether no further trial can make the relation hold (its tolerance is at most
    :data:`TOLERANCE_DIFFERENCES`, and the error only grows)."""
    return bool(comparison.domain_error) or comparison.max_rel_error > TOLERANCE_DIFFERENCES


@dataclass
class _Sample:
    """One trial's draw: the symbols' values, the test functions, and for each variable its
    tangent basis and a random direction (and, once computed, the dual basis, which every point
    of the sample shares), and what the relations checked so far computed there that the next
    ones may need again (derivatives, eigenpairs and singular triples)."""

    values: dict[str, np.ndarray]
    functions: dict[str, Callable[[np.ndarray], np.ndarray]]
    bases: dict[str, list[np.ndarray]]
    directions: dict[str, np.ndarray]
    dual_bases: dict[str, list[np.ndarray]] = field(default_factory=dict)
    shared: dict[tuple, object] = field(default_factory=dict)


@dataclass
class _Sampler:
    """Draws the sample of each trial once for the given declarations and variables.

    The formula converted to the other layout has the same symbols, seeds and variables, so its
    check reuses the identity's samples instead of drawing them again (:meth:`fits`), and with
    them the derivatives and decompositions already computed there. ``operands`` numbers the distinct operands of the
    derivatives of every relation checked on the samples (see :func:`numeric.derivative_keys`).
    """

    declarations: dict[str, Declaration]
    variables: list[str]
    drawn: dict[tuple, _Sample] = field(default_factory=dict)
    operands: dict[Node, int] = field(default_factory=dict)

    def fits(self, other: _Sampler) -> bool:
        return self.declarations == other.declarations and self.variables == other.variables

    def points(self, trial: Trial, layout: str) -> list[Point]:
        """The sample of one trial, once per variable in entrywise layout (the variable moving
        along every direction of its basis at once, stacked on a batch axis, and the others
        along their random directions), else once."""
        key = (
            trial.seed,
            trial.test_functions,
            tuple(trial.sizes.items()),
            tuple(trial.integers.items()),
        )
        if key not in self.drawn:
            self.drawn[key] = self._draw(trial)
        sample = self.drawn[key]
        bindings = bound_symbols(self.declarations)

        def point(chosen: dict[str, np.ndarray]) -> Point:
            return Point(
                sample.values,
                sample.functions,
                layout,
                sample.bases,
                chosen,
                {},
                bindings,
                trial.seed,
                sample.dual_bases,
                sample.shared,
            )

        if layout != "entrywise" or not self.variables:
            # Without a variable there is no entry to differentiate by: compare at the sample.
            return [point(sample.directions)]
        return [point({**sample.directions, v: np.stack(sample.bases[v])}) for v in self.variables]

    def _draw(self, trial: Trial) -> _Sample:
        rng = np.random.default_rng(trial.seed)
        values: dict[str, np.ndarray] = {}
        functions = {}
        for name in sorted(self.declarations):
            declaration = self.declarations[name]
            if declaration.is_function:
                functions.update(
                    numeric_test_functions(declaration, trial.sizes, trial.test_functions, rng)
                )
            elif declaration.is_integer:
                values[name] = np.array([[float(trial.integers[name])]])
            elif declaration.binding is None:
                shape = concrete(declaration.shape, trial.sizes)
                values[name] = sample_value(declaration.properties, shape, rng)
        bases = {
            v: tangent_basis(self.declarations[v].properties, values[v]) for v in self.variables
        }
        directions = {v: random_direction(bases[v], rng) for v in self.variables}
        return _Sample(values, functions, bases, directions)


def _compare_at(check: _Checked, point: Point, trial: Trial, comparison: Comparison) -> None:
    point.identity_sizes = check.checker.identity_sizes(trial.sizes)
    evaluator = NumericEvaluator(point)
    try:
        with np.errstate(all="ignore"):
            sides = [evaluator.evaluate(side) for side in check.relation.sides]
    except DomainError as error:
        comparison.domain_error = f"{error} ({trial.describe()})"
        comparison.domain_hint = error.hint
        return
    except np.linalg.LinAlgError as error:
        comparison.domain_error = f"linear algebra failed: {error} ({trial.describe()})"
        return
    if evaluator.used_hessian:
        comparison.tolerance = max(comparison.tolerance, TOLERANCE_HESSIAN)
    if evaluator.used_differences:
        comparison.tolerance = TOLERANCE_DIFFERENCES
    for left, right in itertools.pairwise(sides):
        shapes = left.shape[-2:], right.shape[-2:]
        if shapes[0] != shapes[1] and (1, 1) not in shapes:
            described = " and ".join("×".join(map(str, shape)) for shape in shapes)
            comparison.domain_error = f"the two sides evaluate to {described} ({trial.describe()})"
            comparison.domain_hint = (
                "the shapes agreed symbolically, so this is a bug in the checker: please report "
                "it with this identity"
            )
            return
        error = relative_error(left, right, evaluator.magnitude)
        if comparison.worst is None or error > comparison.max_rel_error:
            comparison.max_rel_error = error
            comparison.worst = trial


def relative_error(left: np.ndarray, right: np.ndarray, magnitude: float = 0.0) -> float:
    """``‖L − R‖_F / max(‖L‖_F, ‖R‖_F, M)``, and 0 when all three are zero.

    ``M`` is the largest intermediate value met while evaluating, so that two sides which are both
    zero up to rounding (``d(X X⁻¹) = 0``) compare as equal. Sides too large to square in
    floating point give an infinite scale, and so an infinite error.
    """
    if left.shape != right.shape:
        left, right = np.broadcast_arrays(left, right)
    with np.errstate(over="ignore", invalid="ignore"):
        scale = max(_norm(left), _norm(right), magnitude)
    if not math.isfinite(scale):
        return float("inf")
    if scale == 0:
        return 0.0
    return _norm(left - right) / scale


def _norm(value: np.ndarray) -> float:
    """The Frobenius norm of all entries, computed as :func:`numpy.linalg.norm` does (without
    its argument handling, which costs more than the norm of a small matrix)."""
    entries = value.ravel(order="K")
    if entries.dtype.kind == "c":
        return math.sqrt(entries.real.dot(entries.real) + entries.imag.dot(entries.imag))
    return math.sqrt(entries.dot(entries))


def _record_shape_difference(result: IdentityResult, difference: SidesDiffer) -> None:
    if result.spec.refuted:
        result.status = "refuted"
        result.message = f"false as written: {difference}"
    else:
        result.status, result.message = "failed", f"the identity is false: {difference}"


def _record_formula(result: IdentityResult, comparison: Comparison) -> None:
    result.tolerance = comparison.tolerance
    if comparison.domain_error:
        result.message = f"the formula is {comparison.evidence()} (fix: {comparison.domain_hint})"
        return
    result.max_rel_error = comparison.max_rel_error
    tolerance = f"tolerance {comparison.tolerance:.0e}"
    if result.spec.refuted:
        if comparison.holds:
            result.status = "failed"
            result.message = (
                f"declared false, but the formula holds ({comparison.evidence()} ≤ {tolerance}) "
                "(fix: it is not a mistake; make it an '/// identity' block)"
            )
        else:
            result.status, result.counterexample = "refuted", comparison.worst
    elif comparison.holds:
        result.status = "verified"
    else:
        result.status = "failed"
        result.message = (
            f"the two sides differ: {comparison.evidence()} > {tolerance} (fix: look for a "
            "missing transpose, a wrong sign or factor, the wrong layout or a missing property)"
        )


def _record_steps(
    result: IdentityResult, steps: list[_Checked | StepResult], comparisons: list[Comparison]
) -> None:
    pending = iter(comparisons)
    for step, display in zip(steps, result.spec.proof, strict=True):
        if isinstance(step, StepResult):
            result.steps.append(step)
            continue
        comparison = next(pending)
        if comparison.holds:
            result.steps.append(StepResult(display, "checked", "", comparison.max_rel_error))
        else:
            reason = (
                f"the step is false: {comparison.evidence()} (fix: every side of a step must "
                "equal the one before it)"
            )
            result.steps.append(StepResult(display, "failed", reason, comparison.max_rel_error))


def parse_formula(spec: IdentitySpec) -> tuple[dict[str, Declaration], Relation]:
    """The declarations of ``spec`` and its parsed formula (an :class:`AuthorError` if wrong)."""
    declarations = parse_declarations(spec.symbols)
    return declarations, _parse_single(spec.formula, vocabulary_of(declarations))


def exact_check(spec: IdentitySpec) -> ExactOutcome:
    """Only the exact check of an identity's formula (for mutants the numeric gate let through)."""
    declarations, formula = parse_formula(spec)
    checker = ShapeChecker(declarations, spec.layout)
    checker.check_relation(formula)
    samples = _exact_samples(spec, declarations, _variables(formula))
    return _exact(_Checked(formula, checker), samples)


def _exact_samples(
    spec: IdentitySpec, declarations: dict[str, Declaration], variables: list[str]
) -> ExactSamples:
    """The rational samples of the exact check: each trial's sizes and points."""
    return exact_points(spec.id, declarations, variables, spec.layout, EXACT_TEST_KINDS)


def _exact(check: _Checked, trials: ExactSamples) -> ExactOutcome:
    """The relation evaluated again by the exact backend, on rational samples (a point
    remembers the sides, for the exact check of the converted formula)."""
    for sizes, points in trials:
        for point in points:
            point.identity_sizes = check.checker.identity_sizes(sizes)
            evaluator = ExactEvaluator(point)
            try:
                sides = [evaluator.side(side) for side in check.relation.sides]
            except NotExact as reason:
                return ExactOutcome("not applicable", str(reason))
            except DomainError as error:
                return ExactOutcome("not applicable", f"undefined at the exact sample: {error}")
            for left, right in itertools.pairwise(sides):
                difference = exact_difference(left, right)
                if difference:
                    return ExactOutcome("failed", f"{difference} ({sizes_phrase(sizes)})")
    return ExactOutcome("verified", "", [sizes for sizes, _ in trials])


def _conversion(result: IdentityResult, sampler: _Sampler, samples: ExactSamples) -> Conversion:
    """The formula in the other layout, derived by the engine and checked like any formula.

    Numerically the converted formula is checked end to end in the other layout. Exactly, each
    side without a derivative is compared with the transpose of the original side: that is the
    algebra the converter does (a derivative side is the same text, read in the other layout, and
    its exact derivative is already known from the original's exact check). Both checks run on
    the samples of the original (``sampler``, and the exact ``samples``).
    """
    assert result.formula is not None
    skipped = not_converted(result.spec, result.formula)
    if skipped is not None:
        return skipped
    try:
        spec = converted_spec(result.spec, result.formula, result.declarations, result.spellings)
        numeric = _check_identity(spec, 0, False, sampler)
        verified = numeric.status == "verified" and numeric.formula is not None
        exact = _exact_transposes(result, numeric.formula, samples) if verified else None
    except AuthorError as error:
        return converter_failure(result.spec, "", error.describe())
    if exact is None:
        return converter_failure(result.spec, spec.formula.latex, numeric.message)
    if exact.status == "failed":
        return converter_failure(result.spec, spec.formula.latex, f"exactly, {exact.reason}")
    latex = spec.formula.latex
    return Conversion(spec.layout, "verified", latex, "", numeric.max_rel_error, exact.status)


def _exact_transposes(
    result: IdentityResult, converted: Relation, samples: ExactSamples
) -> ExactOutcome:
    """Exactly: every derivative-free side of ``converted`` (the converted formula as its own
    check parsed it) is the original side transposed, at the ``samples`` of the original's exact
    check (where the original sides are known already)."""
    assert result.formula is not None
    outcome = ExactOutcome("not applicable", "every side differentiates; checked numerically")
    for new, old in zip(converted.sides, result.formula.sides, strict=True):
        if any(isinstance(n, (Derivative, Differential)) for n in walk(old)):
            continue
        pair = Relation((new, Transpose(old)))
        checker = ShapeChecker(result.declarations, result.spec.layout)
        rows, columns = checker.check_relation(result.formula)
        shape = checker.check_relation(pair)
        # The formula's shape, transposed, sizes an identity matrix standing alone on a side.
        checker.unify(shape[0], columns)
        checker.unify(shape[1], rows)
        outcome = _exact(_Checked(pair, checker), samples)
        if outcome.status != "verified":
            return outcome
    return outcome


def _reconcile(result: IdentityResult) -> None:
    """The numeric and exact verdicts must agree; a disagreement fails the build."""
    exact = result.exact
    if exact is None or exact.status == "not applicable":
        return
    numeric_holds = result.status == "verified"
    exact_holds = exact.status == "verified"
    if numeric_holds != exact_holds:
        result.status = "error"
        result.message = (
            f"the numeric and the exact checks disagree: numerically the formula "
            f"{'holds' if numeric_holds else 'fails'}, exactly it "
            f"{'holds' if exact_holds else 'fails'} ({exact.reason or 'exact equality'}); "
            "this is a bug in the checker or a formula at the edge of its domain: report it"
        )


def _assumptions(check: _Checked, result: IdentityResult, variables: list[str]) -> list[Assumption]:
    """Drop each stated property in turn and see whether the identity still holds."""
    found = []
    for name, declaration in result.declarations.items():
        for prop in declaration.stated:
            necessary, evidence = _without(check, result, variables, name, prop)
            found.append(Assumption(name, prop, necessary, evidence))
    return found


def _without(
    check: _Checked, result: IdentityResult, variables: list[str], name: str, prop: str
) -> tuple[bool, str]:
    declaration = result.declarations[name]
    if prop in DEFINEDNESS and _depends(check.relation, name, prop):
        return True, f"the formula {DEFINEDNESS[prop]} an expression in {name}"
    if prop == "nonzero" and _kinked(check.relation, name):
        return True, (
            f"the formula takes |·|, sign, relu or step of {name}, which are not differentiable "
            "where an entry is zero"
        )
    spectral = _spectral_use(check.relation, result.declarations, name, prop)
    if spectral:
        return True, (
            f"the formula takes {spectral} of {name}, which the checks follow and differentiate "
            f"where {name} has {SPECTRAL_PHRASES[prop]}, as every sample has"
        )
    stated = tuple(p for p in declaration.stated if p != prop)
    relaxed = dataclasses.replace(declaration, stated=stated, properties=with_implied(stated))
    declarations = {**result.declarations, name: relaxed}
    sampler = _Sampler(declarations, variables)
    comparison = _compare([check], result.trials, sampler, result.spec.layout, True)[0]
    if comparison.holds:
        return False, f"without it, the relative error is {comparison.max_rel_error:.1e}"
    if comparison.domain_error:
        return True, f"without it, the formula is {comparison.evidence()}"
    return True, f"without it, the relative error is {comparison.max_rel_error:.2g}"


def _kinked(relation: Relation, name: str) -> bool:
    """Whether a function with a kink at zero is applied to the symbol ``name`` itself."""
    return any(
        isinstance(node, Func) and node.name in KINKED and node.operand == Symbol(name)
        for node in walk(relation)
    )


def _spectral_use(
    relation: Relation, declarations: dict[str, Declaration], name: str, prop: str
) -> str:
    """What spectral quantity of ``name`` the formula takes that needs ``prop`` ('' if none)."""
    if prop not in SPECTRAL_PROPERTIES.values():
        return ""
    for node in walk(relation):
        operand = node.operand if isinstance(node, (Spectral, Func)) else None
        if not (isinstance(operand, Symbol) and operand.name == name):
            continue
        if isinstance(node, Spectral) and SPECTRAL_PROPERTIES[node.kind] == prop:
            return f"the {node.kind}s"
        singular = prop == SPECTRAL_PROPERTIES["singular value"]
        if isinstance(node, Func) and node.name in ("norm2", "nuclear") and singular:
            return "the singular values"
    for node in walk(relation):
        if isinstance(node, Symbol) and declarations[node.name].binding is not None:
            binding = declarations[node.name].binding
            if binding.of == name:
                return f"the {binding.kind} {node.name}"
    return ""


def _depends(relation: Relation, name: str, prop: str) -> bool:
    """Whether the formula inverts (or divides by) an expression involving ``name``."""

    def involves(node) -> bool:
        return any(
            (isinstance(n, Symbol) and n.name == name)
            or (isinstance(n, Apply) and n.function == name)
            for n in walk(node)
        )

    for node in walk(relation):
        inverse = (isinstance(node, Power) and node.exponent < 0) or (
            isinstance(node, SymbolicPower) and written_negative(node.exponent)
        )
        if inverse and involves(node.base):
            return True
        if prop == "nonzero" and isinstance(node, Div) and involves(node.denominator):
            return True
    return False
