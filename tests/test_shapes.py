"""Layouts give derivatives the shapes the conventions page promises, and the numbers agree.

Why: most disagreements between matrix-calculus references are layout transposes. The checker
must give ∂y/∂x the shape of the declared layout (shape inference) and the values of that layout
(evaluation), so that the same derivative verifies in one layout and fails in the other.
"""

from __future__ import annotations

import pytest
from matrixcheck.declarations import parse_declarations
from matrixcheck.parser import Vocabulary, parse_expression, parse_relation
from matrixcheck.shapes import ShapeChecker, ShapeError, SidesDiffer
from support import check

DECLARED = {
    "x": "vector n",
    "a": "vector n",
    "y": "vector m",
    "r": "row vector n",
    "A": "matrix m x n",
    "X": "matrix m x n",
    "S": "matrix n x n",
    "t": "scalar",
}


def shape_of(latex: str, layout: str) -> str:
    declarations = parse_declarations(DECLARED)
    node = parse_expression(latex, Vocabulary(frozenset(declarations)))
    checker = ShapeChecker(declarations, layout)
    return checker.text(checker.shape(node))


@pytest.mark.parametrize(
    ("latex", "numerator", "denominator"),
    [
        (r"\frac{\partial a^T x}{\partial x}", "1×n", "n×1"),  # scalar by vector
        (r"\frac{\partial y^T X x}{\partial X}", "n×m", "m×n"),  # scalar by matrix
        (r"\frac{\partial A x}{\partial x}", "m×n", "n×m"),  # vector by vector
        (r"\frac{\partial x t}{\partial t}", "n×1", "1×n"),  # vector by scalar
        (r"\frac{\partial r x}{\partial r}", "n×1", "1×n"),  # scalar by row vector
        (r"\frac{\partial t^2}{\partial t}", "1×1", "1×1"),  # scalar by scalar
    ],
)
def test_derivative_shapes_by_layout(latex: str, numerator: str, denominator: str) -> None:
    assert shape_of(latex, "numerator") == numerator
    assert shape_of(latex, "denominator") == denominator


def test_entrywise_derivative_has_the_shape_of_the_operand() -> None:
    assert shape_of(r"\frac{\partial A S}{\partial S}", "entrywise") == "m×n"
    with pytest.raises(ShapeError, match="no numerator-layout form"):
        shape_of(r"\frac{\partial A S}{\partial S}", "numerator")


def test_identity_matrix_takes_its_size_from_context() -> None:
    assert shape_of(r"(I + S) x", "numerator") == "n×1"
    assert shape_of(r"A (I - S)", "numerator") == "m×n"
    assert shape_of(r"I A", "numerator") == "m×n"


def test_sides_of_different_shapes_are_a_difference_not_an_error() -> None:
    declarations = parse_declarations(DECLARED)
    relation = parse_relation(r"A = A^T", Vocabulary(frozenset(declarations)))
    with pytest.raises(SidesDiffer) as raised:
        ShapeChecker(declarations, "numerator").check_relation(relation)
    assert (raised.value.left, raised.value.right) == ("m×n", "n×m")


def test_scalar_factors_scale_matrices() -> None:
    assert shape_of(r"(a^T x) A", "numerator") == "m×n"
    assert shape_of(r"A \, (a^T x)", "numerator") == "m×n"
    assert shape_of(r"t \cdot x", "numerator") == "n×1"
    assert shape_of(r"\frac{A}{a^T x}", "numerator") == "m×n"


VECTOR_SYMBOLS = {"A": "matrix m x n", "x": "vector n", "a": "vector n", "y": "vector m"}

# (derivative, numerator-layout value, denominator-layout value, symbols)
LAYOUT_PAIRS = [
    (r"\frac{\partial a^T x}{\partial x}", "a^T", "a", {"a": "vector n", "x": "vector n"}),
    (r"\frac{\partial A x}{\partial x}", "A", "A^T", {"A": "matrix m x n", "x": "vector n"}),
    (
        r"\frac{\partial y^T X x}{\partial X}",
        "x y^T",
        "y x^T",
        {"y": "vector m", "X": "matrix m x n", "x": "vector n"},
    ),
    (r"\frac{\partial x t}{\partial t}", "x", "x^T", {"x": "vector n", "t": "scalar"}),
    (
        r"\frac{\partial \operatorname{tr}(A X)}{\partial X}",
        "A",
        "A^T",
        {"A": "matrix n x m", "X": "matrix m x n"},
    ),
    (r"\frac{\partial x^T x}{\partial x}", "2 x^T", "2 x", {"x": "vector n"}),
]


@pytest.mark.parametrize(("derivative", "numerator", "denominator", "symbols"), LAYOUT_PAIRS)
def test_each_layout_verifies_its_own_form_and_rejects_the_other(
    derivative: str, numerator: str, denominator: str, symbols: dict
) -> None:
    for layout, right, wrong in (
        ("numerator", numerator, denominator),
        ("denominator", denominator, numerator),
    ):
        good = check(f"{derivative} = {right}", layout, symbols)
        assert good.status == "verified", (layout, good.message)
        assert good.max_rel_error is not None and good.max_rel_error < 1e-12
        bad = check(f"{derivative} = {wrong}", layout, symbols)
        assert bad.status == "failed", (layout, bad.message)


def test_entrywise_layout_differentiates_by_one_entry() -> None:
    symbols = {"A": "matrix p x m", "X": "matrix m x n", "B": "matrix n x q"}
    latex = r"\frac{\partial A X B}{\partial X} = A \frac{\partial X}{\partial X} B"
    assert check(latex, "entrywise", symbols).status == "verified"
    doubled = r"\frac{\partial A X B}{\partial X} = 2 A \frac{\partial X}{\partial X} B"
    assert check(doubled, "entrywise", symbols).status == "failed"


def test_symmetric_variable_uses_symmetric_directions() -> None:
    # For symmetric S, d(a^T S a) = a^T dS a along symmetric dS: the differential form holds,
    # and the gradient of tr(S) is I (the projection of I onto symmetric matrices).
    symbols = {"S": "matrix n x n, symmetric", "a": "vector n"}
    differential = r"d(a^T S a) = a^T \, d\boldsymbol S \, a"
    assert check(differential, "denominator", symbols).status == "verified"
    gradient = r"\frac{\partial \operatorname{tr}(S)}{\partial S} = I"
    assert check(gradient, "denominator", {"S": "matrix n x n, symmetric"}).status == "verified"


def test_zero_adopts_the_shape_of_the_other_side() -> None:
    assert check(r"X - X = 0", "numerator", {"X": "matrix m x n"}).status == "verified"
    result = check(
        r"d(\boldsymbol X^{-1}) \boldsymbol X + \boldsymbol X^{-1} d\boldsymbol X = 0",
        "denominator",
        {"X": "matrix n x n, invertible"},
    )
    assert result.status == "verified", result.message


def test_a_zero_factor_is_the_scalar_zero() -> None:
    symbols = {"A": "matrix n x m", "B": "matrix p x m"}
    result = check(r"0 \boldsymbol A = 0 \boldsymbol B", "numerator", symbols)
    assert result.status == "failed"
    assert "n×m" in result.message and "p×m" in result.message, result.message
    sized = check(r"0 \boldsymbol A = 0 I_n \boldsymbol A", "numerator", {"A": "matrix n x m"})
    assert sized.status == "verified", sized.message


@pytest.mark.parametrize(
    ("latex", "symbols"),
    [
        ("x = -x", {"x": "vector n"}),
        (r"\det(X) = 2 \operatorname{tr}(X)", {"X": "matrix n x n"}),
        (r"\exp(t) = t", {"t": "scalar"}),
    ],
)
def test_entrywise_formula_without_a_variable_is_still_compared(latex: str, symbols) -> None:
    # With nothing to differentiate by there is no entry (i, j) to loop over; the sides must
    # still be compared at the samples, not pass vacuously.
    result = check(latex, "entrywise", symbols)
    assert result.status == "failed", result.message
    assert result.max_rel_error is not None and result.max_rel_error > 0.1
    assert "the two sides differ" in result.message
    true = check(r"(X^T)^T = X", "entrywise", {"X": "matrix m x n"})
    assert true.status == "verified", true.message
