"""Positive integer symbols, powers with an integer exponent and finite sums with a bound index.

Why: the general-k identities (``∂tr(X^k)/∂X = k (X^{k−1})ᵀ``, ``d(X^k) = Σ_{r=0}^{k−1} X^r dX
X^{k−1−r}``, …) were stated only in prose because the checker could not read ``k`` or ``Σ``. A
symbol declared ``positive integer`` takes the values 1 to 5 across the first five trials (1
first, where ``X^{k−1} = I``) and one of 8 to 12 at the sixth, a power ``X^{k−1}`` and a sum
``\\sum_{r=0}^{k-1}`` are evaluated by repeated products and a loop over ``r``, the same way in
both backends, and every mistake an author can make with them comes back as an author error with
its fix.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from matrixcheck.check import check_identity
from matrixcheck.declarations import parse_declaration, parse_declarations
from matrixcheck.errors import AuthorError
from matrixcheck.evaluate import Point
from matrixcheck.exact import ExactEvaluator, exact_points, exact_value
from matrixcheck.mutants import right_hand_mutations
from matrixcheck.numeric import NumericEvaluator
from matrixcheck.parser import Vocabulary, parse_expression
from matrixcheck.plaintext import readable
from matrixcheck.printer import to_latex
from matrixcheck.project import Report
from matrixcheck.records import identities_json
from matrixcheck.render import evidence_panel, where_line
from matrixcheck.sampling import INTEGER_VALUES, LARGE_INTEGER_VALUES, integer_values
from matrixcheck.tree import (
    Add,
    Differential,
    Index,
    Kronecker,
    Mul,
    Neg,
    Number,
    Sum,
    Symbol,
    SymbolicPower,
)
from support import author_error, check, docs_specs

X, K = Symbol("X"), Symbol("k")
WORDS = Vocabulary(frozenset({"X", "A", "k", "a"}))
SQUARE = {"X": "matrix n x n", "k": "positive integer"}
TRACE_POWER = (
    r"\frac{\partial \operatorname{tr}(\boldsymbol X^{k})}{\partial \boldsymbol X} = "
    r"k \, (\boldsymbol X^{k-1})^\text T"
)
DIFFERENTIAL_POWER = (
    r"d(\boldsymbol X^k) = \sum_{r=0}^{k-1} \boldsymbol X^r \, d\boldsymbol X \, "
    r"\boldsymbol X^{k-1-r}"
)
NEW_CARDS = (
    "differential-power-k",
    "trace-power-k",
    "trace-weighted-power-k",
    "det-power-k",
    "kron-vec-power-k",
)


def _minus(node, value: int = 1):
    return Add((node, Neg(Number(Fraction(value)))))


# -- declarations ---------------------------------------------------------------------------------


def test_a_positive_integer_is_a_scalar_of_its_own_kind() -> None:
    declaration = parse_declaration("k", "positive integer")
    assert declaration.is_integer and not declaration.is_function
    assert declaration.shape == (1, 1) and declaration.properties == frozenset()
    assert declaration.dimensions() == set()


@pytest.mark.parametrize("text", ["integer", "natural number", "positive integer, symmetric"])
def test_other_integer_declarations_say_how_to_write_one(text: str) -> None:
    with pytest.raises(AuthorError) as raised:
        parse_declaration("k", text)
    assert "write 'k: positive integer'" in raised.value.describe()
    assert "(fix: " in raised.value.describe()


# -- parsing --------------------------------------------------------------------------------------


def test_an_integer_expression_in_a_superscript_is_a_symbolic_power() -> None:
    assert parse_expression(r"\boldsymbol X^{k}", WORDS) == SymbolicPower(X, K)
    assert parse_expression(r"\boldsymbol X^{k-1}", WORDS) == SymbolicPower(X, _minus(K))
    # Transposes, inverses and literal powers keep their own nodes.
    assert parse_expression(r"(\boldsymbol X^{k-1})^\text T", WORDS).operand == SymbolicPower(
        X, _minus(K)
    )
    assert parse_expression(r"\boldsymbol X^{-k}", WORDS) == SymbolicPower(X, Neg(K))


def test_a_sum_binds_its_index_in_the_summand_up_to_the_next_plus() -> None:
    tree = parse_expression(DIFFERENTIAL_POWER.split(" = ")[1] + r" + \boldsymbol A", WORDS)
    assert isinstance(tree, Add)
    total, rest = tree.terms
    assert rest == Symbol("A")
    assert total == Sum(
        "r",
        Number(Fraction(0)),
        _minus(K),
        Mul(
            (
                SymbolicPower(X, Index("r")),
                Differential(X),
                SymbolicPower(X, Add((K, Neg(Number(Fraction(1))), Neg(Index("r"))))),
            )
        ),
    )


def test_the_summand_runs_over_a_kronecker_product() -> None:
    tree = parse_expression(
        r"\sum_{r=0}^{k-1} (\boldsymbol X^{r})^\text T \otimes \boldsymbol X", WORDS
    )
    assert isinstance(tree, Sum) and isinstance(tree.body, Kronecker)


@pytest.mark.parametrize(
    ("latex", "message"),
    [
        (r"\sum \boldsymbol X", "a sum needs its index and bounds"),
        (r"\sum_r \boldsymbol X", "the lower bound of a sum must name its index"),
        (r"\sum_{r=0} \boldsymbol X", "the sum has no upper bound"),
        (r"\sum_{r=0}^{k}", "the sum has no summand"),
        (r"\sum_{k=0}^{3} \boldsymbol X", "the index 'k' of the sum is already declared"),
        (
            r"\sum_{r=0}^{k} \sum_{r=0}^{k} \boldsymbol X^r",
            "the index 'r' of the sum is already an index",
        ),
        (r"\boldsymbol X^{\star}", "unsupported superscript"),
        (r"\boldsymbol X^{j}", "unsupported superscript '^{j}': undeclared symbol 'j'"),
    ],
)
def test_malformed_sums_and_powers_are_author_errors(latex: str, message: str) -> None:
    with pytest.raises(AuthorError, match=message.replace("^", r"\^")) as raised:
        parse_expression(latex, WORDS)
    assert "(fix: " in raised.value.describe()


@pytest.mark.parametrize(
    ("formula", "symbols", "message"),
    [
        (
            r"\boldsymbol X^{a} = \boldsymbol X^{a}",
            {"X": "matrix n x n", "a": "scalar"},
            (
                "a power with a real exponent needs a scalar base, but this one is n×n (fix: a "
                "matrix takes integer powers only (^{2}, ^{-1}, ^{k-1} with k declared "
                "'positive integer')"
            ),
        ),
        (
            r"\boldsymbol X^{k \boldsymbol X} = \boldsymbol X",
            SQUARE,
            "the exponent of a power uses 'X', which is not declared as an integer",
        ),
        (
            r"\boldsymbol A^{k} = \boldsymbol A^{k}",
            {"A": "matrix m x n", "k": "positive integer"},
            "a power needs a square matrix, but this one is m×n",
        ),
        (
            r"\sum_{r=0}^{a} \boldsymbol X^r = \boldsymbol X",
            {"X": "matrix n x n", "a": "scalar"},
            "the upper bound of the sum over r uses 'a', which is not declared as an integer",
        ),
        (
            r"\sum_{r=0}^{k} \boldsymbol X^r = \boldsymbol X^r",
            SQUARE,
            "undeclared symbol 'r'",
        ),
        (
            r"\frac{\partial \operatorname{tr}(\boldsymbol X^k)}{\partial k} = 0",
            SQUARE,
            "∂/∂k differentiates by k, which is declared a positive integer",
        ),
        (
            r"\boldsymbol X^{-k} = \boldsymbol X^{-k}",
            {"X": "matrix n x n, singular", "k": "positive integer"},
            "X is declared singular, so its inverse does not exist",
        ),
    ],
)
def test_shape_errors_of_integer_expressions_say_how_to_fix_them(
    formula: str, symbols: dict, message: str
) -> None:
    assert message in author_error(formula, "numerator", symbols)


# -- sampling -------------------------------------------------------------------------------------


def test_integer_values_are_deterministic_start_at_1_and_cover_the_range() -> None:
    for identity in ("trace-power-k", "some-other-id"):
        trials = [integer_values(["k", "l"], identity, index) for index in range(6)]
        assert trials == [integer_values(["k", "l"], identity, index) for index in range(6)]
        assert trials[0] == {"k": 1, "l": 1}
        for name in ("k", "l"):
            assert {trial[name] for trial in trials[:5]} == set(INTEGER_VALUES)
            assert trials[5][name] in LARGE_INTEGER_VALUES
    assert INTEGER_VALUES[0] == 1 and max(INTEGER_VALUES) >= 4
    assert min(LARGE_INTEGER_VALUES) > max(INTEGER_VALUES) + 1


def test_the_last_trial_takes_a_large_value_chosen_by_the_id() -> None:
    last = {integer_values(["k"], f"identity-{n}", 5)["k"] for n in range(40)}
    assert last == set(LARGE_INTEGER_VALUES)


def test_a_formula_right_only_for_small_powers_is_refuted_at_the_large_one() -> None:
    vanishing = "(k-1)(k-2)(k-3)(k-4)(k-5)"
    wrong = f"{TRACE_POWER} + {vanishing} \\, \\boldsymbol X"
    result = check(wrong, "denominator", SQUARE)
    assert result.status == "failed", result.message
    shown = [value for value in LARGE_INTEGER_VALUES if f"k={value}," in result.message]
    assert len(shown) == 1, result.message


def test_a_check_samples_every_value_of_k_and_both_backends_use_them() -> None:
    result = check(TRACE_POWER, "denominator", SQUARE)
    assert result.status == "verified", result.message
    assert result.max_rel_error < 1e-12
    values = [trial.integers["k"] for trial in result.trials]
    assert set(values[:5]) == set(INTEGER_VALUES) and values[5] in LARGE_INTEGER_VALUES
    assert result.exact is not None and result.exact.status == "verified"
    declarations = parse_declarations(SQUARE)
    exact = exact_points("test-identity", declarations, ["X"], "denominator", ("",))
    drawn = [int(points[0].values["k"][0, 0]) for _, points in exact]
    assert drawn[0] == 1 and drawn == [
        integer_values(["k"], "test-identity", i)["k"] for i in (0, 1)
    ]


# -- evaluation -----------------------------------------------------------------------------------


def _evaluate(latex: str, value, k: int, exact: bool):
    words = Vocabulary(frozenset({"X", "k"}))
    tree = parse_expression(latex, words)
    if exact:
        k_value = exact_value(frozenset(), (1, 1), np.random.default_rng(0)) * 0 + k
        evaluator = ExactEvaluator(Point({"X": value, "k": k_value}, {}, "numerator", {}, {}))
    else:
        point = Point({"X": value, "k": np.array([[float(k)]])}, {}, "numerator", {}, {})
        evaluator = NumericEvaluator(point)
    return evaluator.evaluate(tree)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_powers_and_sums_agree_numerically_exactly_and_with_numpy(k: int) -> None:
    rng = np.random.default_rng(k)
    exact = exact_value(frozenset(), (3, 3), rng)
    as_float = np.array(exact.tolist(), dtype=float)
    cases = {
        r"\boldsymbol X^{k}": np.linalg.matrix_power(as_float, k),
        r"\boldsymbol X^{k-1}": np.linalg.matrix_power(as_float, k - 1),
        r"\boldsymbol X^{-k}": np.linalg.matrix_power(np.linalg.inv(as_float), k),
        r"\sum_{r=0}^{k-1} \boldsymbol X^r": sum(
            np.linalg.matrix_power(as_float, r) for r in range(k)
        ),
        r"\sum_{r=1}^{k} r \boldsymbol X^{k-r}": sum(
            r * np.linalg.matrix_power(as_float, k - r) for r in range(1, k + 1)
        ),
        r"\det(\boldsymbol X)^{k}": np.linalg.det(as_float) ** k,
    }
    for latex, expected in cases.items():
        numeric = _evaluate(latex, as_float, k, exact=False)
        rational = np.array(_evaluate(latex, exact, k, exact=True).tolist(), dtype=float)
        assert np.allclose(numeric, expected, rtol=1e-10), latex
        assert np.allclose(rational, expected, rtol=1e-10), latex


def test_an_empty_sum_is_zero_and_the_zeroth_power_the_identity() -> None:
    # The geometric series: for k = 1 the sum has the single term I, and X^0 = I.
    result = check(
        r"\sum_{r=0}^{k-1} \boldsymbol X^r (\boldsymbol I - \boldsymbol X) = \boldsymbol I - \boldsymbol X^k",
        "numerator",
        SQUARE,
    )
    assert result.status == "verified", result.message
    assert result.exact is not None and result.exact.status == "verified"
    empty = check(
        r"\sum_{r=0}^{k-2} \boldsymbol X^r = \sum_{r=1}^{k-1} \boldsymbol X^{r-1}",
        "numerator",
        SQUARE,
    )
    assert empty.status == "verified", empty.message


@pytest.mark.parametrize("identity_id", NEW_CARDS)
def test_the_general_k_cards_are_verified_both_ways_with_k_from_1(identity_id: str) -> None:
    """The docs cards; tests/test_batched.py and test_exact_batch.py also compare them, with
    every docs identity, against the one-direction-at-a-time loop."""
    result = check_identity(docs_specs()[identity_id])
    assert result.status == "verified", result.message
    assert result.exact is not None and result.exact.status == "verified"
    assert all(step.status == "checked" for step in result.steps), result.steps
    assert 1 in {trial.integers["k"] for trial in result.trials}
    if result.conversion is not None and result.conversion.status != "not applicable":
        assert result.conversion.status == "verified", result.conversion.reason


# -- wrong variants -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "layout"),
    [
        # No transpose: right only for k = 1 (and for a symmetric X).
        (TRACE_POWER.replace(r"^\text T", ""), "denominator"),
        # One term too many, one too few, the exponents of the two sides swapped.
        (DIFFERENTIAL_POWER.replace("^{k-1} ", "^{k} "), "differential"),
        (DIFFERENTIAL_POWER.replace("{r=0}", "{r=1}"), "differential"),
        (
            DIFFERENTIAL_POWER.replace(r"\boldsymbol X^{k-1-r}", r"\boldsymbol X^{k-r}"),
            "differential",
        ),
        (r"d(\boldsymbol X^k) = k \boldsymbol X^{k-1} d\boldsymbol X", "differential"),
    ],
)
def test_wrong_variants_are_refuted_with_the_k_of_the_counterexample(
    formula: str, layout: str
) -> None:
    result = check(formula, layout, SQUARE)
    assert result.status == "failed", result.message
    assert result.max_rel_error > 0.01
    assert result.counterexample is None or result.counterexample.integers["k"] >= 2
    assert "relative error" in result.message and ", k=" in result.message


def test_without_the_transpose_the_formula_holds_for_symmetric_x() -> None:
    symmetric = {"X": "matrix n x n, symmetric", "k": "positive integer"}
    assert (
        check(TRACE_POWER.replace(r"^\text T", ""), "denominator", symmetric).status == "verified"
    )


# -- printing, plain text, the card, the export, mutations ---------------------------------------


@pytest.mark.parametrize(
    "latex",
    [
        r"k (\boldsymbol X^{k-1})^\text T",
        DIFFERENTIAL_POWER.split(" = ")[1],
        r"\sum_{r=0}^{k-1} (\boldsymbol X^{k-1-r})^\text T \otimes \boldsymbol X^r",
        r"\left(\sum_{r=0}^{k-1} \boldsymbol X^r\right) \boldsymbol A + \boldsymbol X^{-k}",
        r"\sum_{r=0}^{k} (\boldsymbol X^r + \boldsymbol A) \otimes \boldsymbol A",
        r"\det(\boldsymbol X)^{k} \sum_{r=1}^{2 k} \sum_{s=0}^{r} \boldsymbol X^{r-s}",
    ],
)
def test_the_printer_round_trips_powers_and_sums(latex: str) -> None:
    tree = parse_expression(latex, WORDS)
    printed = to_latex(tree)
    assert parse_expression(printed, WORDS) == tree, printed


def test_plain_text_reads_powers_and_sums() -> None:
    assert readable(DIFFERENTIAL_POWER) == "d(Xᵏ) = ∑ᵣ₌₀ᵏ⁻¹ Xʳ dX Xᵏ⁻¹⁻ʳ"
    assert readable(TRACE_POWER) == "∂tr(Xᵏ)/∂X = k (Xᵏ⁻¹)ᵀ"


def test_the_where_line_says_k_is_a_positive_integer() -> None:
    line = where_line(parse_declarations(SQUARE), {}, TRACE_POWER)
    assert line == (r"where \(X \in \mathbb{R}^{n\times n}\) and \(k \in \mathbb{N},\ k \ge 1\).")


def test_the_export_names_the_kind_and_the_values_of_k() -> None:
    result = check(TRACE_POWER, "denominator", SQUARE)
    record = json.loads(identities_json(Report("docs", results=[result]), {}))["identities"][0]
    assert record["symbols"]["k"] == {"shape": "positive integer", "properties": []}
    assert [trial["k"] for trial in record["integers"]] == [
        trial.integers["k"] for trial in result.trials
    ]
    plain = check(r"\boldsymbol X = \boldsymbol X", "numerator", {"X": "matrix n x n"})
    assert (
        "integers"
        not in json.loads(identities_json(Report("docs", results=[plain]), {}))["identities"][0]
    )


def test_mutations_reach_exponents_and_bounds() -> None:
    side = parse_expression(DIFFERENTIAL_POWER.split(" = ")[1], WORDS)
    mutants = {(operator, to_latex(tree)) for operator, tree in right_hand_mutations(side)}
    printed = {latex for _, latex in mutants}
    assert r"\sum_{r=0}^{k} X^{r} d X X^{k - 1 - r}" in printed  # k − 1 → k
    assert r"\sum_{r=0}^{k + 1} X^{r} d X X^{k - 1 - r}" in printed  # k − 1 → k + 1
    assert ("start a sum one later", r"\sum_{r=1}^{k - 1} X^{r} d X X^{k - 1 - r}") in mutants
    assert ("raise a power by one", r"\sum_{r=0}^{k - 1} X^{r + 1} d X X^{k - 1 - r}") in mutants


def test_the_evidence_panel_has_a_column_of_k() -> None:
    result = check(TRACE_POWER, "denominator", SQUARE)
    panel = evidence_panel(result)
    assert '<th scope="col">sizes</th><th scope="col">k</th><th scope="col">seed</th>' in panel
    for trial in result.trials:
        assert f"<td>{trial.integers['k']}</td><td>{trial.seed}</td>" in panel
    plain = evidence_panel(
        check(r"\boldsymbol X = \boldsymbol X", "numerator", {"X": "matrix n x n"})
    )
    assert '<th scope="col">sizes</th><th scope="col">seed</th>' in plain
