"""Real powers of a positive scalar (``|det X|^α``, ``(xᵀAx)^{1/2}``), entrywise powers
(``A^{∘2}``, ``|x|^{∘(p−1)}``) and the p-norm ``‖x‖_p`` for a real ``p``.

Why: a power with a real exponent (a declared scalar such as ``\\alpha``, or a fraction) was an
error, so identities for every real α (the gradient of ``|det X|^α``, of ``‖x‖^α``) could not be
checked. An exponent with a fraction or a symbol declared ``scalar`` now makes a
:class:`RealPower`, ``exp(α log s)``, evaluated by both backends (the exact one to 50 digits) and
defined where the base is positive; an integer exponent keeps the integer power, defined for
every base. What cannot be a real power (a matrix base, a vector exponent, a negative base) comes
back as an author error with its fix. An entrywise power ``A^{∘e}`` follows the same rule entry
by entry, and ``‖x‖_p`` with a declared scalar ``p`` is ``(Σ|x_i|^p)^{1/p}``: the gradient of the
p-norm for every real p (The Matrix Cookbook states it for p > 1 only) is a checked card.
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
from matrixcheck.tree import (
    Add,
    Div,
    Func,
    HadamardPower,
    Neg,
    Number,
    PNorm,
    RealPower,
    Symbol,
    SymbolicPower,
)
from support import author_error, check, docs_specs

SCALARS = {
    "s": "scalar, positive",
    "alpha": "scalar",
    "k": "positive integer",
    "A": "matrix m x n",
    "x": "vector n",
}
CARDS = (
    "det-abs-real-power",
    "norm-euclidean-real-power",
    "form-quadratic-real-power",
    "elementwise-pnorm-gradient",
)
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


def test_an_entrywise_power_is_real_or_integer_by_the_same_rule() -> None:
    a, x, alpha = Symbol("A"), Symbol("x"), Symbol("alpha")
    assert _parsed(r"A^{\circ 2}") == HadamardPower(a, Number(Fraction(2)), False)
    assert _parsed(r"A^{\circ (k + 1)}") == HadamardPower(
        a, Add((Symbol("k"), Number(Fraction(1)))), False
    )
    assert _parsed(r"|x|^{\circ (\alpha - 1)}") == HadamardPower(
        Func("abs", x), Add((alpha, Neg(Number(Fraction(1))))), True
    )


def test_a_norm_with_a_real_subscript_is_the_p_norm() -> None:
    x, alpha = Symbol("x"), Symbol("alpha")
    assert _parsed(r"\|x\|_{\alpha}") == PNorm(x, alpha)
    assert _parsed(r"\|x\|_{\alpha + 1}") == PNorm(x, Add((alpha, Number(Fraction(1)))))
    assert _parsed(r"\|x\|_2") == Func("norm2", x)


@pytest.mark.parametrize(
    "latex",
    [
        r"s^{\alpha}",
        r"s^{\alpha - 1}",
        r"s^{\frac{1}{2}}",
        r"(s + 1)^{2 \alpha}",
        r"A^{\circ 2}",
        r"A^{\circ (k - 1)}",
        r"|x|^{\circ (\alpha - 1)}",
        r"\|x\|_{\alpha}",
        r"\|x + x\|_{\alpha + 1}^{\alpha}",
    ],
)
def test_every_new_power_prints_back_to_the_same_tree(latex: str) -> None:
    node = _parsed(latex)
    assert isinstance(node, (RealPower, HadamardPower, PNorm))
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
    error = author_error(latex, "denominator", symbols)
    assert message in error and hint in error, error


@pytest.mark.parametrize(
    ("latex", "symbols", "message"),
    [
        (
            r"\|\boldsymbol X\|_p = 1",
            {"X": "matrix m x n", "p": "scalar"},
            "‖·‖_p is a vector norm, but its argument is m×n",
        ),
        (
            r"\|\boldsymbol x\|_q = 1",
            {"x": "vector n", "p": "scalar"},
            "unsupported norm subscript 'q'",
        ),
        (
            r"\boldsymbol x^{\circ \boldsymbol x} = \boldsymbol x",
            {"x": "vector n"},
            "the exponent of an entrywise power uses 'x', which is not declared as an integer",
        ),
        (
            r"\boldsymbol X^{\circ (k - 3)} = \boldsymbol X^{\circ (k - 3)}",
            {"X": "matrix m x n", "k": "positive integer"},
            "an entrywise power with the negative exponent",
        ),
    ],
)
def test_what_cannot_be_an_entrywise_power_or_a_p_norm_says_how_to_fix_it(
    latex: str, symbols: dict[str, str], message: str
) -> None:
    assert message in author_error(latex, "denominator", symbols)


def test_a_base_that_is_not_positive_is_named_with_its_fix() -> None:
    error = author_error(
        r"\frac{\partial s^{\alpha}}{\partial \alpha} = s^{\alpha} \log s",
        "denominator",
        {"s": "scalar", "alpha": "scalar"},
    )
    assert "a real power of a number that is not positive" in error
    assert "declare what makes the base positive" in error


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


@pytest.mark.parametrize(
    ("latex", "symbols"),
    [
        (
            (
                r"\frac{\partial \mathbf 1^\text T \boldsymbol x^{\circ 3}}{\partial \boldsymbol x} = "
                r"3 \boldsymbol x^{\circ 2}"
            ),
            {"x": "vector n"},
        ),
        (
            r"\boldsymbol X^{\circ k} \circ \boldsymbol X = \boldsymbol X^{\circ (k + 1)}",
            {"X": "matrix m x n", "k": "positive integer"},
        ),
        (
            r"\boldsymbol X^{\circ (k - 1)} \circ \boldsymbol X = \boldsymbol X^{\circ k}",
            {"X": "matrix m x n", "k": "positive integer"},
        ),
        (
            (
                r"\|\boldsymbol x\|_{\alpha + 1}^{\alpha + 1} = "
                r"\mathbf 1^\text T |\boldsymbol x|^{\circ (\alpha + 1)}"
            ),
            {"x": "vector n, nonzero", "alpha": "scalar, positive"},
        ),
    ],
)
def test_entrywise_powers_and_p_norms_verify_in_both_backends(
    latex: str, symbols: dict[str, str]
) -> None:
    _assert_verified_exactly(check(latex, "denominator", symbols))


def test_an_integer_entrywise_power_is_defined_at_negative_entries() -> None:
    result = check(
        r"\boldsymbol x^{\circ 2} = \boldsymbol x \circ \boldsymbol x",
        "denominator",
        {"x": "vector n"},
    )
    _assert_verified_exactly(result)
    wrong = check(
        r"\boldsymbol x^{\circ 2} = \boldsymbol x \circ |\boldsymbol x|",
        "denominator",
        {"x": "vector n"},
    )
    assert wrong.status == "failed", wrong.message


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


def test_the_p_norm_card_needs_both_of_its_assumptions() -> None:
    result = check_identity(docs_specs()["elementwise-pnorm-gradient"])
    needed = {(a.symbol, a.property): a.necessary for a in result.assumptions}
    assert needed == {("x", "nonzero"): True, ("p", "nonzero"): True}
    assert result.conversion is not None and result.conversion.status == "verified"
