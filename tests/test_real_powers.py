"""Real powers of a positive scalar: ``|det X|^α``, ``‖x‖₂^{α−2}``, ``(xᵀAx)^{1/2}``.

Why: a power with a real exponent (a declared scalar such as ``\\alpha``, or a fraction) was an
error, so identities for every real α (the gradient of ``|det X|^α``, of ``‖x‖^α``) could not be
checked. An exponent with a fraction or a symbol declared ``scalar`` now makes a
:class:`RealPower`, ``exp(α log s)``, evaluated by both backends (the exact one to 50 digits) and
defined where the base is positive; an integer exponent keeps the integer power, defined for
every base. What cannot be a real power (a matrix base, a vector exponent, a negative base) comes
back as an author error with its fix.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from matrixcheck.check import check_identity, vocabulary_of
from matrixcheck.declarations import parse_declarations
from matrixcheck.mutants import right_hand_mutations
from matrixcheck.parser import parse_expression
from matrixcheck.printer import to_latex
from matrixcheck.results import IdentityResult
from matrixcheck.tree import Add, Div, Neg, Number, RealPower, Symbol, SymbolicPower
from support import check, docs_specs

SCALARS = {"s": "scalar, positive", "alpha": "scalar", "k": "positive integer"}
CARDS = ("det-abs-real-power", "norm-euclidean-real-power", "form-quadratic-real-power")
NORM_POWER = (
    r"\frac{\partial (\boldsymbol x^\text T \boldsymbol x)^{\alpha}}{\partial \boldsymbol x} = "
    r"2 \alpha (\boldsymbol x^\text T \boldsymbol x)^{\alpha - 1} \boldsymbol x"
)
VECTOR = {"x": "vector n", "alpha": "scalar"}


def _parsed(latex: str, symbols: dict[str, str] = SCALARS):
    return parse_expression(latex, vocabulary_of(parse_declarations(symbols)))


def _assert_verified_exactly(result: IdentityResult) -> None:
    """Both backends verify: the numeric gate and the exact check."""
    assert result.status == "verified", result.message
    assert result.exact is not None and result.exact.status == "verified"


# -- parsing ---------------------------------------------------------------------------------------


def test_a_real_scalar_or_a_fraction_in_the_exponent_makes_a_real_power() -> None:
    s, alpha = Symbol("s"), Symbol("alpha")
    assert _parsed(r"s^{\alpha}") == RealPower(s, alpha)
    assert _parsed(r"s^{\alpha - 1}") == RealPower(s, Add((alpha, Neg(Number(Fraction(1))))))
    assert _parsed(r"s^{\frac{1}{2}}") == RealPower(s, Number(Fraction(1, 2)))
    assert _parsed(r"s^{\frac{\alpha}{2}}") == RealPower(s, Div(alpha, Number(Fraction(2))))


def test_an_integer_exponent_keeps_the_integer_power() -> None:
    s, k = Symbol("s"), Symbol("k")
    assert _parsed(r"s^{k-1}") == SymbolicPower(s, Add((k, Neg(Number(Fraction(1))))))
    assert not isinstance(_parsed(r"s^{2}"), RealPower)


@pytest.mark.parametrize(
    "latex", [r"s^{\alpha}", r"s^{\alpha - 1}", r"s^{\frac{1}{2}}", r"(s + 1)^{2 \alpha}"]
)
def test_a_real_power_prints_back_to_the_same_tree(latex: str) -> None:
    node = _parsed(latex)
    assert isinstance(node, RealPower)
    assert _parsed(to_latex(node)) == node


# -- shapes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "symbols", "message", "hint"),
    [
        (
            r"\boldsymbol X^{\alpha} = \boldsymbol X",
            {"X": "matrix n x n", "alpha": "scalar"},
            "a power with a real exponent needs a scalar base, but this one is n×n",
            "a matrix takes integer powers only (^{2}, ^{-1}, ^{k-1} with k declared",
        ),
        (
            r"s^{\boldsymbol x} = s",
            {"s": "scalar, positive", "x": "vector n"},
            "uses 'x', which is not declared as an integer",
            "declare 'x: positive integer'",
        ),
        (
            r"s^{\alpha \boldsymbol x} = s",
            {"s": "scalar, positive", "x": "vector n", "alpha": "scalar"},
            "the exponent of a power must be a scalar, but this one is n×1",
            "write a scalar exponent",
        ),
    ],
)
def test_what_cannot_be_a_real_power_is_an_author_error(
    latex: str, symbols: dict[str, str], message: str, hint: str
) -> None:
    result = check(latex, "denominator", symbols)
    assert result.status == "error"
    assert message in result.message and hint in result.message, result.message


def test_a_base_that_is_not_positive_is_named_with_its_fix() -> None:
    result = check(
        r"\frac{\partial s^{\alpha}}{\partial \alpha} = s^{\alpha} \log s",
        "denominator",
        {"s": "scalar", "alpha": "scalar"},
    )
    assert result.status == "error"
    assert "a real power of a number that is not positive" in result.message
    assert "declare what makes the base positive" in result.message


# -- evaluation ------------------------------------------------------------------------------------


def test_a_real_power_verifies_in_both_backends_at_rounding_error() -> None:
    result = check(NORM_POWER, "denominator", VECTOR)
    _assert_verified_exactly(result)
    assert result.max_rel_error < 1e-12


def test_the_exponent_can_be_the_variable() -> None:
    result = check(
        r"\frac{\partial s^{\alpha}}{\partial \alpha} = s^{\alpha} \log s",
        "denominator",
        {"s": "scalar, positive", "alpha": "scalar"},
    )
    _assert_verified_exactly(result)
    positive = next(a for a in result.assumptions if a.property == "positive")
    assert positive.necessary and "not positive" in positive.evidence


@pytest.mark.parametrize(
    "wrong",
    [
        NORM_POWER.replace(r"^{\alpha - 1}", r"^{\alpha}"),
        NORM_POWER.replace(r"2 \alpha", r"\alpha"),
        NORM_POWER.replace(r"^{\alpha - 1}", r"^{\alpha - 2}"),
    ],
)
def test_a_wrong_exponent_or_factor_fails(wrong: str) -> None:
    result = check(wrong, "denominator", VECTOR)
    assert result.status == "failed", result.message
    assert "the two sides differ" in result.message


def test_a_half_power_is_the_square_root() -> None:
    result = check(
        r"(\boldsymbol x^\text T \boldsymbol x)^{\frac{1}{2}} = \|\boldsymbol x\|_2",
        "denominator",
        {"x": "vector n"},
    )
    _assert_verified_exactly(result)


# -- the cards -------------------------------------------------------------------------------------


@pytest.mark.parametrize("identity", CARDS)
def test_the_real_power_cards_verify_with_every_step(identity: str) -> None:
    result = check_identity(docs_specs()[identity])
    _assert_verified_exactly(result)
    assert result.steps and all(step.status == "checked" for step in result.steps)


def test_the_mutation_test_raises_a_real_exponent_and_the_gate_catches_it() -> None:
    spec = docs_specs()["det-abs-real-power"]
    left, right = spec.formula.latex.split("=")
    declarations = parse_declarations(spec.symbols)
    side = parse_expression(right, vocabulary_of(declarations))
    raised = [
        tree for operator, tree in right_hand_mutations(side) if operator == "raise a power by one"
    ]
    assert [to_latex(tree) for tree in raised] == [r"\alpha |\det(X)|^{\alpha + 1} X^{-\top}"]
    result = check(f"{left} = {to_latex(raised[0])}", "denominator", spec.symbols)
    assert result.status == "failed", result.message
