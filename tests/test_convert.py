"""Conversion of identities between numerator and denominator layout.

Why: the layout switch shows readers a formula the author never wrote. It must be derived by the
engine (the transpose pushed through the formula and simplified), printed in the author's
notation, and verified at build time like the original; a wrong conversion must fail the build.
"""

from __future__ import annotations

import dataclasses

import matrixcheck.check as check_module
import pytest
from matrixcheck.check import _exact_transposes, check_identity
from matrixcheck.convert import Transposer, other_layout, transpose_mark
from matrixcheck.declarations import parse_declarations
from matrixcheck.document import read_page
from matrixcheck.parser import Vocabulary, parse_expression, parse_relation
from matrixcheck.printer import to_latex
from matrixcheck.results import NO_DERIVATIVE, Conversion, ExactOutcome, IdentityResult
from matrixcheck.tree import Relation
from support import card_html, check, docs_specs, make_spec, seed_blocks, seed_result

VECTORS = {"x": "vector n", "a": "vector n", "A": "matrix n x n"}


def converted(latex: str, layout: str, symbols: dict) -> str:
    """The other-layout formula of a relation, printed with bare names and ^{\\top}."""
    declarations = parse_declarations(symbols)
    relation = parse_relation(latex, Vocabulary(frozenset(declarations)))
    return to_latex(other_layout(relation, declarations, layout))


def test_quadratic_form_becomes_a_column_with_the_symmetric_sum_kept() -> None:
    latex = r"\frac{\partial x^T A x}{\partial x} = x^T (A + A^T)"
    assert converted(latex, "numerator", VECTORS) == (
        r"\frac{\partial x^{\top} A x}{\partial x} = (A + A^{\top}) x"
    )


def test_product_order_is_reversed_and_signs_come_out() -> None:
    symbols = {"a": "vector n", "b": "vector n", "X": "matrix n x n, invertible"}
    latex = r"\frac{\partial a^T X^{-1} b}{\partial X} = -(X^{-1})^T a b^T (X^{-1})^T"
    assert converted(latex, "denominator", symbols).endswith(r"= -X^{-1} b a^{\top} X^{-1}")


def test_inverse_transpose_is_written_outside_the_power() -> None:
    symbols = {"a": "vector n", "X": "matrix n x n, invertible"}
    latex = r"\frac{\partial a^T X^{-1} a}{\partial a} = a^T (X^{-1} + (X^T)^{-1})"
    assert converted(latex, "numerator", symbols).endswith(r"= (X^{-1} + X^{-\top}) a")


def test_declared_symmetric_symbols_lose_their_transpose() -> None:
    symbols = {
        "x": "vector n",
        "a": "vector n",
        "W": "matrix n x n, symmetric",
        "B": "matrix n x n",
    }
    latex = r"\frac{\partial a^T W B x}{\partial x} = a^T W B"
    assert converted(latex, "numerator", symbols).endswith(r"= B^{\top} W a")
    # (W B + B^T W) equals its own transpose: the sum is kept as written.
    latex = r"\frac{\partial x^T W B x}{\partial x} = x^T (W B + B^T W)"
    assert converted(latex, "numerator", symbols).endswith(r"= (W B + B^{\top} W) x")


def test_scalar_factors_stay_in_front_and_untouched() -> None:
    symbols = {"x": "vector n", "a": "vector n"}
    latex = r"\frac{\partial (a^T x)^2}{\partial x} = 2 (a^T x) a^T"
    assert converted(latex, "numerator", symbols).endswith(r"= 2 (a^{\top} x) a")
    symbols = {"X": "matrix n x n"}
    latex = r"\frac{\partial \operatorname{tr}(X)^2}{\partial X} = 2 \operatorname{tr}(X) I"
    assert converted(latex, "denominator", symbols).endswith(r"= 2 \operatorname{tr}(X) I")


def test_kronecker_and_entrywise_products_transpose_factor_by_factor() -> None:
    symbols = {"A": "matrix n x m", "B": "matrix p x q", "C": "matrix n x m"}
    declarations = parse_declarations(symbols)
    expression = parse_expression(r"(A \circ C) \otimes B", Vocabulary(frozenset(declarations)))
    transposer = Transposer(declarations, "denominator", Relation((expression, expression)))
    assert to_latex(transposer.transpose(expression)) == (
        r"(A^{\top} \circ C^{\top}) \otimes B^{\top}"
    )


@pytest.mark.parametrize(
    ("latex", "layout", "symbols"),
    [
        (r"\frac{\partial x^T A x}{\partial x} = x^T (A + A^T)", "numerator", VECTORS),
        (
            r"\frac{\partial a^T X b}{\partial X} = a b^T",
            "denominator",
            {"a": "vector m", "X": "matrix m x n", "b": "vector n"},
        ),
        (
            r"\frac{\partial a^T X^{-1} b}{\partial X} = -X^{-T} a b^T X^{-T}",
            "denominator",
            {"a": "vector n", "b": "vector n", "X": "matrix n x n, invertible"},
        ),
        (
            r"\frac{\partial (A x)}{\partial x} = A",
            "numerator",
            {"A": "matrix m x n", "x": "vector n"},
        ),
    ],
)
def test_converting_twice_gives_the_formula_back(latex: str, layout: str, symbols: dict) -> None:
    declarations = parse_declarations(symbols)
    vocabulary = Vocabulary(frozenset(declarations))
    relation = parse_relation(latex, vocabulary)
    other = {"numerator": "denominator", "denominator": "numerator"}[layout]
    once = other_layout(relation, declarations, layout)
    reparsed = parse_relation(to_latex(once), vocabulary)
    assert reparsed == once
    assert other_layout(reparsed, declarations, other) == relation


def test_the_author_s_transpose_and_symbol_spellings_are_kept() -> None:
    assert transpose_mark(r"\boldsymbol a^\text T \boldsymbol x") == r"\text T"
    assert transpose_mark(r"a^{\mathsf T} x") == r"\mathsf T"
    assert transpose_mark(r"X^{-\top}") == r"\top"
    assert transpose_mark(r"a^T x") == "T"
    assert transpose_mark(r"\operatorname{tr}(X)") == r"\text T"
    conversion = seed_result("bilinear-form").conversion
    assert conversion is not None
    assert conversion.latex.endswith(r"= \boldsymbol{b} \boldsymbol{a}^{\text T}")


def test_seed_identities_carry_a_verified_conversion_or_say_why_not() -> None:
    linear = seed_result("linear-form").conversion
    assert linear is not None and linear.layout == "denominator"
    assert (linear.status, linear.exact) == ("verified", "verified")
    assert linear.max_rel_error is not None and linear.max_rel_error < 1e-12
    entrywise = seed_result("inverse-of-function").conversion
    assert entrywise is not None and entrywise.status == "not applicable"
    assert "entrywise" in entrywise.reason


def test_converted_formula_is_checked_by_the_engine_in_the_other_layout() -> None:
    symbols = {"x": "vector n", "A": "matrix n x n"}
    result = check(r"\frac{\partial x^T A x}{\partial x} = x^T (A + A^T)", "numerator", symbols)
    assert result.ok and result.conversion is not None
    restated = dataclasses.replace(
        make_spec(result.conversion.latex, "denominator", {"x": "vector n", "A": "matrix n x n"})
    )
    assert check_identity(restated, thorough=False).status == "verified"
    wrong_layout = make_spec(
        result.conversion.latex, "numerator", {"x": "vector n", "A": "matrix n x n"}
    )
    assert check_identity(wrong_layout, thorough=False).status != "verified"


def test_a_wrong_conversion_fails_the_build_with_a_located_message(monkeypatch) -> None:
    from matrixcheck import convert

    monkeypatch.setattr(convert, "other_layout", lambda relation, declarations, layout: relation)
    result = check(
        r"\frac{\partial a^T x}{\partial x} = a^T", "numerator", {"a": "vector n", "x": "vector n"}
    )
    assert not result.ok
    assert result.conversion is not None and result.conversion.status == "failed"
    ((location, message),) = result.failures()
    assert str(location) == "test.md:1"
    assert "denominator-layout form derived by the converter" in message
    assert "(fix:" in message


def _transposes_checked(result: IdentityResult, latex: str) -> ExactOutcome:
    """The exact transposes check of ``latex`` as the converted formula of ``result``."""
    assert result.formula is not None
    converted = parse_relation(latex, check_module.vocabulary_of(result.declarations))
    variables = check_module._variables(result.formula)
    samples = check_module._exact_samples(result.spec, result.declarations, variables)
    return _exact_transposes(result, converted, samples)


def test_the_exact_check_compares_each_plain_side_with_the_original_transposed() -> None:
    result = seed_result("bilinear-form")
    assert result.conversion is not None and result.conversion.exact == "verified"
    assert _transposes_checked(result, result.conversion.latex).status == "verified"
    # b a^T is right; a b^T (the untransposed side) is exactly wrong.
    wrong = result.conversion.latex.replace(
        r"\boldsymbol{b} \boldsymbol{a}^{\text T}", r"\boldsymbol{a} \boldsymbol{b}^{\text T}"
    )
    assert wrong != result.conversion.latex
    symbols = {"a": "vector m", "X": "matrix m x m", "b": "vector m"}
    square = check(result.spec.formula.latex, "denominator", symbols)
    assert _transposes_checked(square, wrong).status == "failed"


def test_entrywise_maps_commute_with_the_transpose_and_vec_does_not() -> None:
    symbols = {"x": "vector n", "y": "vector n"}
    assert converted(
        r"\frac{\partial y^T \exp(x)}{\partial x} = (y \circ \exp(x))^T", "numerator", symbols
    ).endswith(r"= y \circ \exp(x)")
    kron = {"X": "matrix m x n", "A": "matrix n x n"}
    vec_form = r"\frac{\partial \operatorname{tr}(X A X^T)}{\partial \operatorname{vec} X} = "
    vec_form += r"\operatorname{vec}(X (A + A^T))^T"
    assert converted(vec_form, "numerator", kron).endswith(
        r"= \operatorname{vec}(X (A + A^{\top}))"
    )


def test_a_derivative_inside_a_trace_is_read_in_the_other_layout() -> None:
    symbols = {"X": "matrix m x n", "f": "function m x n -> 1 x 1"}
    latex = r"d(f(X)) = \operatorname{tr}\left(\left(\frac{\partial f(X)}{\partial X}\right)^T dX\right)"
    result = check(latex, "denominator", symbols)
    assert result.status == "verified", result.message
    assert result.conversion is not None and result.conversion.status == "verified"
    assert result.conversion.latex.endswith(
        r"= \operatorname{tr}\left(\frac{\partial f(X)}{\partial X} d X\right)"
    )


def test_the_converted_formula_is_checked_on_the_samples_of_the_original(monkeypatch) -> None:
    draws = []
    draw = check_module._Sampler._draw

    def counted(sampler, trial):
        draws.append(trial.seed)
        return draw(sampler, trial)

    monkeypatch.setattr(check_module._Sampler, "_draw", counted)
    result = check_identity(seed_blocks()["bilinear-form"].spec)
    assert result.conversion is not None and result.conversion.status == "verified"
    # One draw per trial, shared by the formula, its proof steps and the converted formula.
    assert sorted(draws) == sorted(trial.seed for trial in result.trials)
    assert len(draws) == check_module.TRIALS


def test_converted_formulas_have_only_the_brackets_reading_needs() -> None:
    symbols = {"A": "matrix n x n", "X": "matrix n x n"}
    latex = r"\frac{\partial \log|\det(A + X)|}{\partial X} = (A + X)^{-T}"
    assert check(latex, "denominator", symbols).status == "verified"
    assert converted(latex, "denominator", symbols) == (
        r"\frac{\partial \log|\det(A + X)|}{\partial X} = (A + X)^{-1}"
    )
    symbols = {"x": "vector n", "y": "vector n"}
    latex = r"\frac{\partial |x^T y|}{\partial x} = \operatorname{sign}(x^T y) \, y^T"
    assert check(latex, "numerator", symbols).status == "verified"
    assert converted(latex, "numerator", symbols).startswith(r"\frac{\partial |x^{\top} y|}")
    # Sized delimiters only around what is taller than a line.
    latex = r"\frac{\partial (\frac{1}{2} x^T y)^2}{\partial x} = (\frac{1}{2} x^T y) y^T"
    result = check(latex, "numerator", symbols)
    assert result.status == "verified" and result.conversion is not None
    assert result.conversion.status == "verified"
    assert result.conversion.latex.endswith(r"= \left(\frac{1}{2} x^{T} y\right) y")


def test_a_converted_hessian_keeps_the_author_s_transpose_mark() -> None:
    symbols = {"x": "vector n", "A": "matrix n x n"}
    latex = r"\frac{\partial^2 x^\text T A x}{\partial x \partial x^\text T} = A + A^\text T"
    result = check(latex, "numerator", symbols)
    assert result.conversion is not None and result.conversion.status == "verified"
    assert r"{\partial x \, \partial x^{\text T}}" in result.conversion.latex
    assert r"\top" not in result.conversion.latex


def test_a_formula_without_a_derivative_reads_the_same_in_every_layout() -> None:
    symbols = {"A": "matrix n x n, invertible", "B": "matrix m x m, invertible"}
    latex = r"(A \otimes B)^{-1} = A^{-1} \otimes B^{-1}"
    result = check(latex, "denominator", symbols)
    assert result.status == "verified", result.message
    assert result.conversion == Conversion("denominator", "not applicable", reason=NO_DERIVATIVE)
    page = read_page(NO_DERIVATIVE_PAGE, "p.md")
    card = card_html(page.blocks[0], check_identity(page.blocks[0].spec))
    assert "same in every layout" in card and "mc-converted" not in card


NO_DERIVATIVE_PAGE = r"""# P

/// identity | Inverse of a Kronecker product
    id: kron-inverse-test
    layout: denominator
    symbols:
      A: matrix n x n, invertible
      B: matrix m x m, invertible

$$
(\boldsymbol A \otimes \boldsymbol B)^{-1} = \boldsymbol A^{-1} \otimes \boldsymbol B^{-1}
$$
///
"""


def test_a_bold_commutation_matrix_stays_bold_in_the_other_layout() -> None:
    spec = docs_specs()["kron-vec-transpose"]
    assert r"\boldsymbol K_{mn}" in spec.formula.latex
    conversion = check_identity(spec).conversion
    assert conversion is not None and conversion.status == "verified"
    assert conversion.latex.endswith(r"= \boldsymbol K_{mn}^{\text T}")


def test_a_formula_the_author_set_on_several_lines_is_converted_on_several_lines() -> None:
    """A long formula set in ``aligned`` (left side alone, then ``= …``, each further term after
    ``{} +``) is converted the same way: one line per term, which the checker reads back."""
    symbols = {"X": "matrix m x n", "C": "matrix m x m", "B": "matrix n x p"}
    latex = (
        r"\begin{aligned} & \frac{\partial \operatorname{tr}(B^\text T X^\text T C X B)}"
        r"{\partial X} \\ &\quad = C X B B^\text T \\ &\qquad {} + C^\text T X B B^\text T"
        r"\end{aligned}"
    )
    result = check(latex, "denominator", symbols)
    assert result.status == "verified", result.message
    conversion = result.conversion
    assert conversion is not None and conversion.status == "verified", conversion
    lines = conversion.latex.split(" \\\\\n")
    assert lines[0].startswith("\\begin{aligned}\n& \\frac{\\partial")
    assert lines[1].startswith("&\\quad = ") and lines[2].startswith("&\\qquad {} + ")
    assert conversion.latex.endswith("\n\\end{aligned}") and len(lines) == 3
    one_line = check(" ".join(latex.split("\\\\")).replace("&", ""), "denominator", symbols)
    assert one_line.conversion is not None and "aligned" not in one_line.conversion.latex
