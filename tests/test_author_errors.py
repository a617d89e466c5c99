"""Mistakes in a page are reported as author errors that say what is wrong and how to fix it.

Why: the people adding identities are instructors, not the engine's authors. Every problem must
come back as ``status == "error"`` with a message naming the culprit (the symbol, both shapes, the
property), never as a Python exception, and never as "failed" (which means the mathematics is
wrong). Random LaTeX must not crash the checker either.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from matrixcheck.check import check_identity
from matrixcheck.declarations import parse_declaration, parse_declarations
from matrixcheck.errors import AuthorError
from matrixcheck.model import Location
from matrixcheck.parser import Vocabulary, parse_chains
from matrixcheck.shapes import LAYOUTS
from support import check, make_spec

BILINEAR = {"a": "vector m", "X": "matrix m x n", "b": "vector n"}
BILINEAR_FORMULA = (
    r"\frac{\partial \boldsymbol a^\text T \boldsymbol X \boldsymbol b}{\partial \boldsymbol X}"
    r" = \boldsymbol a \boldsymbol b^\text T"
)


def assert_error(result, *words: str) -> None:
    assert result.status == "error", (result.status, result.message)
    assert not result.ok
    for word in words:
        assert word in result.message, (word, result.message)


# -- malformed LaTeX ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "words"),
    [
        (
            r"\frac{\partial a^T X b}{\partial X = a b^T",
            ("unbalanced braces", "never closed", "add the missing '}'"),
        ),
        (r"\frac{\partial a^T X b}{\partial X} = a b^T}", ("unexpected '}'", "unbalanced")),
        (
            r"\frac{\partial a^T X b}{\partial X} = \left( a b^T",
            ("expected ')'", "close the bracket opened with '('"),
        ),
        (r"\frac{\partial a^T X b}{\partial X} = (a b^T", ("expected ')'",)),
        (
            r"\frac{\partial a^T X b}{\partial X} = \foo a b^T",
            ("unknown macro \\foo", "column 39"),
        ),
        (
            r"\frac{\partial a^T X b}{\partial X} = a b^T \sum",
            ("a sum needs its index and bounds",),
        ),
        (r"\frac{\partial a^T X b}{\partial X} = a b^T @", ("unexpected character '@'",)),
        (
            r"\begin{pmatrix} a \end{pmatrix} = a b^T X",
            ("environment {pmatrix} is not supported", "aligned"),
        ),
        (r"\frac{\partial a^T X b}{\partial X} = a^{1/2} b^T", ("unsupported superscript",)),
        (
            r"\frac{\partial a^T X b}{\partial X} = a b^T \\ a = a X b",
            ("one chain of equalities",),
        ),
        (r"\frac{\partial}{\partial X} = a b^T", ("nothing to act on",)),
        (r"\frac{\partial a^T X b}{X} = a b^T", ("denominator must be '\\partial X'",)),
        (r"\frac{\partial a^T X b}{\partial X} = (\,) a b^T", ("expected an expression",)),
    ],
)
def test_malformed_latex(latex: str, words: tuple[str, ...]) -> None:
    assert_error(check(latex, "denominator", BILINEAR), *words)


def test_undeclared_symbol_is_named_with_a_suggestion() -> None:
    result = check(r"\frac{\partial a^T X c}{\partial X} = a b^T", "denominator", BILINEAR)
    assert_error(result, "undeclared symbol 'c'", "declare it under 'symbols:'", "'c: ")


def test_undeclared_greek_symbol_is_named_without_backslash() -> None:
    result = check(r"\frac{\partial a^T \Sigma b}{\partial X} = a b^T", "denominator", BILINEAR)
    assert_error(result, "undeclared symbol 'Sigma'", "symbols:")


# -- shapes ---------------------------------------------------------------------------------------


def test_shape_mismatch_gives_both_shapes() -> None:
    symbols = {**BILINEAR, "a": "vector n"}
    result = check(BILINEAR_FORMULA, "denominator", symbols)
    assert_error(result, "cannot multiply", "1×n", "m×n", "missing transpose")


@pytest.mark.parametrize(
    ("latex", "symbols", "words"),
    [
        (r"X + X^T = X", {"X": "matrix m x n"}, ("cannot add", "m×n", "n×m")),
        (r"\det X = \det X", {"X": "matrix m x n"}, ("det needs a square matrix", "m×n")),
        (r"X^{-1} = X^{-1}", {"X": "matrix m x n"}, ("needs a square matrix", "m×n")),
        (r"\operatorname{tr}(X) = 1", {"X": "matrix m x n"}, ("tr needs a square", "m×n")),
        (r"\log X = \log X", {"X": "matrix m x n"}, ("log is applied to a m×n matrix",)),
        (r"\|X\|_2 = \|X\|_2", {"X": "matrix m x n"}, ("spectral norm", "simple singular values")),
        (r"\frac{a}{X} = a", {"X": "matrix m x n", "a": "vector n"}, ("cannot divide by",)),
        (r"X \circ X^T = X", {"X": "matrix m x n"}, ("entrywise product", "m×n and n×m")),
        (r"X \otimes I = X \otimes I", {"X": "matrix m x n"}, ("Kronecker", "inferred")),
        (r"x^T x \det(I) = x^T x", {"x": "vector n"}, ("identity matrix", "inferred")),
        (
            r"f(X^T) = f(X)",
            {"X": "matrix m x n", "f": "function m x n -> m x n"},
            ("f takes a m×n argument but is given n×m",),
        ),
        (
            r"f = f",
            {"X": "matrix m x n", "f": "function m x n -> m x n"},
            ("function 'f' must be applied to an argument",),
        ),
    ],
)
def test_shape_errors(latex: str, symbols: dict, words: tuple[str, ...]) -> None:
    assert_error(check(latex, "numerator", symbols), *words)


def test_matrix_by_matrix_derivative_needs_entrywise_layout() -> None:
    symbols = {"X": "matrix m x n", "A": "matrix p x m"}
    for layout in ("numerator", "denominator"):
        result = check(r"\frac{\partial A X}{\partial X} = A", layout, symbols)
        assert_error(result, f"no {layout}-layout form", "layout: entrywise")


# -- declarations ---------------------------------------------------------------------------------


def test_unknown_layout_lists_the_layouts() -> None:
    assert_error(
        check(BILINEAR_FORMULA, "gradient", BILINEAR),
        "unknown layout 'gradient'",
        *LAYOUTS,
    )
    assert {"numerator", "denominator", "entrywise"} <= set(LAYOUTS)


def test_unknown_property_lists_the_known_ones() -> None:
    result = check(BILINEAR_FORMULA, "denominator", {**BILINEAR, "X": "matrix m x n, shiny"})
    assert_error(result, "unknown property 'shiny' for 'X'", "symmetric", "positive definite")


@pytest.mark.parametrize("prop", ["symmetric", "invertible", "orthogonal", "positive definite"])
def test_square_property_on_a_rectangular_matrix(prop: str) -> None:
    result = check(BILINEAR_FORMULA, "denominator", {**BILINEAR, "X": f"matrix m x n, {prop}"})
    assert_error(result, f"'X' is declared {prop}", "m×n is not square", "matrix n x n")


@pytest.mark.parametrize(
    ("props", "pair"),
    [
        ("symmetric, skew-symmetric", "symmetric and skew-symmetric"),
        ("positive definite, skew-symmetric", "skew-symmetric"),
        ("lower triangular, symmetric", "lower triangular and symmetric"),
        ("orthogonal, positive definite", "orthogonal and positive definite"),
    ],
)
def test_contradictory_properties(props: str, pair: str) -> None:
    symbols = {"a": "vector n", "X": f"matrix n x n, {props}", "b": "vector n"}
    assert_error(check(BILINEAR_FORMULA, "denominator", symbols), "cannot be both", pair)


def test_scalar_cannot_have_a_matrix_property() -> None:
    assert_error(check("t = t", "numerator", {"t": "scalar, symmetric"}), "'t' is a scalar")


def test_declared_but_unused_symbol() -> None:
    result = check(BILINEAR_FORMULA, "denominator", {**BILINEAR, "c": "scalar"})
    assert_error(result, "declared but never used in the formula: c", "misspelt")


@pytest.mark.parametrize(
    ("symbols", "words"),
    [
        ("not a mapping", ("'symbols:' must map each symbol to its shape",)),
        ({}, ("'symbols:' must map",)),
        (None, ("'symbols:' must map",)),
        ({**BILINEAR, "b": 3}, ("the declaration of 'b' must be a text",)),
        ({**BILINEAR, "b": ""}, ("the declaration of 'b' must be a text",)),
        ({**BILINEAR, "X": "tensor m x n x p"}, ("cannot read the shape 'tensor m x n x p'",)),
        ({**BILINEAR, "X": "matrix m x 100"}, ("the size 100 is outside",)),
        ({**BILINEAR, "2x": "vector n"}, ("'2x' is not a symbol name",)),
    ],
)
def test_malformed_declarations(symbols: object, words: tuple[str, ...]) -> None:
    assert_error(check(BILINEAR_FORMULA, "denominator", symbols), *words)


def test_same_symbol_declared_twice_in_two_spellings() -> None:
    with pytest.raises(AuthorError, match="declared twice"):
        parse_declarations({"Sigma": "matrix n x n", "\\Sigma": "matrix n x n"})


def test_declarations_read_shapes_and_implied_properties() -> None:
    declaration = parse_declaration("S", "matrix n×n, SPD")
    assert declaration.shape == ("n", "n")
    assert declaration.stated == ("positive definite",)
    assert declaration.properties == {"positive definite", "symmetric", "invertible"}
    assert parse_declaration("r", "row vector k").shape == (1, "k")
    assert parse_declaration("v", "vector 3").shape == (3, 1)
    f = parse_declaration("f", "function m x n -> p x p, invertible")
    assert (f.kind, f.argument, f.shape) == ("function", ("m", "n"), ("p", "p"))


# -- the formula itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("latex", ["", "   ", "\n"])
def test_empty_formula(latex: str) -> None:
    assert_error(check(latex, "denominator", BILINEAR), "the formula is empty")


def test_formula_without_equals() -> None:
    result = check(r"\frac{\partial a^T X b}{\partial X}", "denominator", BILINEAR)
    assert_error(result, "has no '='", "left = right")


@pytest.mark.parametrize(
    "denominator", [r"\partial (X^T)", r"\partial X b", r"\partial \boldsymbol X^{-1}"]
)
def test_derivative_with_respect_to_an_expression(denominator: str) -> None:
    latex = rf"\frac{{\partial a^T X b}}{{{denominator}}} = a b^T"
    assert_error(check(latex, "denominator", BILINEAR), "which is not a declared symbol")


@pytest.mark.parametrize(
    ("latex", "words"),
    [
        (r"\operatorname{tr} A X = \operatorname{tr} A X", ("argument of tr is ambiguous",)),
        (r"d c = A X", ("differential 'd' must be followed by a declared symbol",)),
        (r"dX^2 = A X", ("power of a differential is ambiguous",)),
    ],
)
def test_ambiguous_notation(latex: str, words: tuple[str, ...]) -> None:
    symbols = {"X": "matrix n x n", "A": "matrix n x n"}
    assert_error(check(latex, "numerator", symbols), *words)


def test_formula_undefined_at_a_sample_asks_for_properties() -> None:
    latex = r"\frac{\partial \log(a^T x)}{\partial x} = \frac{a}{a^T x}"
    result = check(latex, "denominator", {"x": "vector n", "a": "vector n"})
    assert_error(result, "undefined at a sample", "logarithm", "positive")
    positive = check(latex, "denominator", {"x": "vector n, positive", "a": "vector n, positive"})
    assert positive.status == "verified", positive.message


def test_unreadable_proof_step_is_unchecked_with_its_reason() -> None:
    result = check(
        r"\frac{\partial a^T x}{\partial x} = a",
        "denominator",
        {"a": "vector n", "x": "vector n"},
        proof=[r"d(a^T x) = a^T r", r"\sum_i a_i x_i", r"a^T x", r"d(a^T x) = a^T d\boldsymbol x"],
    )
    assert result.status == "verified" and result.ok
    statuses = [(s.status, s.reason) for s in result.steps]
    assert statuses[0][0] == "unchecked" and "undeclared symbol 'r'" in statuses[0][1]
    assert (
        statuses[1][0] == "unchecked"
        and "lower bound of a sum must name its index" in statuses[1][1]
    )
    assert statuses[2] == ("unchecked", "not a single chain of equalities")
    assert statuses[3][0] == "checked"


def test_proof_step_with_a_shape_error_fails() -> None:
    result = check(
        r"\frac{\partial a^T x}{\partial x} = a",
        "denominator",
        {"a": "vector n", "x": "vector n"},
        proof=[r"d(a^T x) = a \, d\boldsymbol x"],
    )
    assert result.status == "verified"
    assert not result.ok
    assert result.steps[0].status == "failed"
    assert "shape error" in result.steps[0].reason
    assert result.failures() == [(Location("test.md", 10), f"proof step: {result.steps[0].reason}")]


@pytest.mark.parametrize("layout", ["denominator", "entrywise"])
def test_proof_step_derivative_by_another_symbol_is_not_a_crash(layout: str) -> None:
    # The formula differentiates by x only; a step differentiating by the constant a must be
    # reported (checked or unchecked with a reason), never crash, and never pass when false.
    symbols = {"a": "vector n", "x": "vector n"}
    if layout == "denominator":
        formula = r"\frac{\partial a^T x}{\partial x} = a"
        true_step = r"\frac{\partial a^T x}{\partial a} = x"
        false_step = r"\frac{\partial a^T x}{\partial a} = 2 x"
    else:
        formula = r"\frac{\partial a^T x}{\partial x} = a^T \frac{\partial x}{\partial x}"
        true_step = r"\frac{\partial a^T x}{\partial a} = x^T \frac{\partial a}{\partial a}"
        false_step = r"\frac{\partial a^T x}{\partial a} = 2 x^T \frac{\partial a}{\partial a}"
    result = check(formula, layout, symbols, proof=[true_step, false_step])
    assert result.status == "verified", result.message
    true, false = result.steps
    assert true.status in ("checked", "unchecked")
    assert false.status in ("failed", "unchecked")
    for step in (true, false):
        if step.status == "unchecked":
            assert "a" in step.reason


# -- robustness: no input crashes the checker ----------------------------------------------------

FRAGMENTS = (
    *(r"\frac", "{", "}", "(", ")", "[", "]", "^", "_", "T", "{-1}", "1", "2", "0", ".", ","),
    *("X", "a", "x", "f", "I", "d", "=", "=", "+", "-", "|", r"\|", "&", r"\\", " "),
    *(r"\partial", r"\left(", r"\right)", r"\cdot", r"\circ", r"\otimes", r"\top", r"\text"),
    *(r"\operatorname{tr}", r"\det", r"\log", r"\boldsymbol", r"\mathrm", r"\begin{aligned}"),
    *(r"\end{aligned}", r"\frac{\partial}{\partial X}", "F", r"\foo", "%", "\n"),
    *(r"\operatorname{vec}", r"\operatorname{softmax}", r"\operatorname{lse}", r"\sigma"),
    *(r"\operatorname{diag}", r"\operatorname{sign}", r"\mathbf 1", "K_{nn}", "I_n", r"\exp"),
    *(r"\frac{\partial^2}{\partial x \partial x^T}", r"\partial \operatorname{vec} X", "^2"),
)
SOUP_SYMBOLS = {
    "X": "matrix n x n, invertible",
    "a": "vector n",
    "x": "vector n",
    "f": "function n x n -> n x n",
}


def _declared_in(latex: str) -> dict[str, str]:
    plain = re.sub(r"\\[A-Za-z]+", "", latex)
    return {name: shape for name, shape in SOUP_SYMBOLS.items() if name in plain} or {
        "X": "matrix n x n"
    }


@settings(max_examples=250, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=16).map("".join),
    st.sampled_from(("numerator", "denominator", "entrywise")),
)
def test_random_latex_never_raises(latex: str, layout: str) -> None:
    spec = make_spec(latex, layout, _declared_in(latex), proof=[latex])
    result = check_identity(spec)
    assert result.status in ("verified", "failed", "error")
    if result.status != "verified":
        assert result.message


LEAVES = ("X", "a", "x", "t", "S", "I", "0", "2", r"\frac{1}{2}", "f(X)", r"d\boldsymbol X", "dt")
FORMS = (
    "{} {}",
    "{} + {}",
    "-{}",
    "({})^T",
    "({})^{{-1}}",
    "({})^2",
    r"\operatorname{{tr}}({})",
    r"\det({})",
    r"\log({})",
    r"\|{}\|_F",
    r"({}) \circ ({})",
    r"({}) \otimes ({})",
    "d({})",
    r"\frac{{\partial {}}}{{\partial X}}",
    r"\frac{{\partial {}}}{{\partial x}}",
    r"\frac{{\partial {}}}{{\partial t}}",
    r"\operatorname{{vec}}({})",
    r"\operatorname{{diag}}({})",
    r"\operatorname{{softmax}}({})",
    r"\operatorname{{lse}}({})",
    r"\sigma({})",
    r"\exp({})",
    r"\mathbf 1^T ({})",
    r"K_{{nn}} ({})",
    r"(I_n \otimes {})",
    r"\frac{{\partial {}}}{{\partial \operatorname{{vec}} X}}",
    r"\frac{{\partial^2 {}}}{{\partial x \partial x^T}}",
    r"\frac{{\partial^2 {}}}{{\partial \operatorname{{vec}} X \partial (\operatorname{{vec}} X)^T}}",
)
WELL_FORMED_SYMBOLS = {
    "X": "matrix n x n, invertible",
    "a": "vector n",
    "x": "vector n",
    "t": "scalar, positive",
    "S": "matrix n x n, positive definite",
    "f": "function n x n -> n x n",
}


@st.composite
def expressions(draw, depth: int = 3) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(LEAVES))
    form = draw(st.sampled_from(FORMS))
    return form.format(*(draw(expressions(depth - 1)) for _ in range(form.count("{}"))))


@settings(max_examples=150, deadline=None)
@given(expressions(), expressions(), st.sampled_from(("numerator", "denominator", "entrywise")))
# Found by Hypothesis: in entrywise layout, dX inside ∂/∂x moves X along its stacked directions.
@example("X", r"\frac{\partial d(X)}{\partial x}", "entrywise")
# And nested: a difference along x around dX must add its axis in front of X's stacked directions.
@example(
    "X", r"X \frac{\partial \frac{\partial d\boldsymbol X}{\partial x}}{\partial x}", "entrywise"
)
def test_well_formed_random_identities_never_raise(left: str, right: str, layout: str) -> None:
    latex = f"{left} = {right}"
    plain = re.sub(r"\\[A-Za-z]+", "", latex)
    symbols = {n: s for n, s in WELL_FORMED_SYMBOLS.items() if n in plain}
    if not symbols:
        symbols = {"X": "matrix n x n"}
        latex = f"{left} + 0 X = {right} + 0 X"
    result = check_identity(make_spec(latex, layout, symbols, proof=[latex]))
    assert result.status in ("verified", "failed", "error")
    assert (result.status == "verified") == (result.message == "")
    assert "disagree" not in result.message, (latex, layout, result.message)
    if result.status == "verified":
        assert result.max_rel_error is not None and result.max_rel_error <= result.tolerance
        assert result.steps[0].status == "checked"


LATEX_CHARACTERS = tuple("\\{}^_()[]|&=+-.,'/ aXxTd0129\n")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(LATEX_CHARACTERS), max_size=60))
def test_arbitrary_text_only_raises_author_errors(latex: str) -> None:
    vocabulary = Vocabulary(frozenset({"a", "X", "x"}), frozenset())
    try:
        parse_chains(latex, vocabulary)
    except AuthorError as error:
        assert error.message


def test_an_empty_group_only_spaces_a_sign_and_is_ignored() -> None:
    """``{} - …`` at the start of a continued line makes the sign binary; it means nothing."""
    latex = r"\frac{\partial a^T X b}{\partial X} = {} a b^T"
    assert check(latex, "denominator", BILINEAR).status == "verified"
