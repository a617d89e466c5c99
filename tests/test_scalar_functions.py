"""Scalar functions applied entrywise: ``f: scalar function``, ``f'(x)`` and ``f''(x)``.

Why: the elementwise rules (∂Σf(X_ij)/∂X = f′(X), the Jacobian diag(f′(x)), the Hessian
g″(aᵀx)aaᵀ) hold for any smooth f, and the reference states them so. The checker must read the
declaration and the primes, refuse a prime it cannot mean, give f, f′, f″ their argument's shape,
evaluate them with test functions whose derivatives are right (so that a correct card passes and a
wrong one fails, numerically and exactly), print and convert them, and let the mutation test
replace f′ by f.
"""

from __future__ import annotations

import numpy as np
import pytest
from matrixcheck.check import TRIALS, _trials, check_identity, vocabulary_of
from matrixcheck.convert import other_layout
from matrixcheck.declarations import parse_declarations
from matrixcheck.errors import AuthorError
from matrixcheck.mutants import right_hand_mutations
from matrixcheck.parser import parse_relation
from matrixcheck.plaintext import readable
from matrixcheck.printer import to_latex
from matrixcheck.records import shape_text
from matrixcheck.render import where_line
from matrixcheck.sampling import (
    NUMPY_ENTRYWISE,
    TEST_FUNCTION_KINDS,
    numeric_test_functions,
    scalar_test_functions,
)
from matrixcheck.shapes import ShapeChecker, ShapeError
from matrixcheck.tree import Apply, Symbol, walk
from support import check, docs_specs

SYMBOLS = {
    "f": "scalar function",
    "a": "vector m",
    "b": "vector n",
    "x": "vector n",
    "X": "matrix m x n",
    "F": "function m x n -> m x n",
}
NEW_CARDS = (
    "elementwise-generic-jacobian",
    "elementwise-generic-sum-gradient",
    "elementwise-generic-matrix-sum",
    "elementwise-generic-matrix-weighted",
    "hessian-generic-linear-gradient",
    "hessian-generic-linear",
)


def parsed(latex: str, symbols: dict[str, str] = SYMBOLS):
    declarations = parse_declarations(symbols)
    return parse_relation(latex, vocabulary_of(declarations))


def applications(latex: str) -> list[tuple[str, int]]:
    return [(n.function, n.order) for n in walk(parsed(latex)) if isinstance(n, Apply)]


# -- declarations ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["scalar function", "entrywise function", "Elementwise  function"])
def test_the_declaration_is_a_scalar_function(text: str) -> None:
    declaration = parse_declarations({"g": text})["g"]
    assert declaration.is_function and declaration.is_scalar_function
    assert declaration.kind == "scalar function" and not declaration.properties
    assert shape_text(declaration) == "scalar function"


def test_a_matrix_function_is_not_a_scalar_function() -> None:
    assert not parse_declarations({"F": "function n x n -> n x n"})["F"].is_scalar_function


def test_a_scalar_function_takes_no_property() -> None:
    with pytest.raises(AuthorError, match="cannot give them properties") as error:
        parse_declarations({"f": "scalar function, positive"})
    assert "write 'f: scalar function' alone" in error.value.describe()


def test_a_scalar_function_declared_twice_is_an_error() -> None:
    with pytest.raises(AuthorError, match="symbol 'f' is declared twice"):
        parse_declarations({"f": "scalar function", "\\f": "scalar function"})


# -- parsing --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "order"),
    [
        ("f(x)", 0),
        ("f'(x)", 1),
        ("f''(x)", 2),
        (r"f^{\prime}(x)", 1),
        (r"f^\prime(x)", 1),
        (r"f^{\prime\prime}(x)", 2),
    ],
)
def test_primes_give_the_order_of_the_derivative(written: str, order: int) -> None:
    assert applications(f"{written} = x") == [("f", order)]


def test_primes_inside_a_formula() -> None:
    latex = r"\frac{\partial \boldsymbol a^T f(\boldsymbol X) \boldsymbol b}{\partial X} = a b^T \circ f'(X)"
    assert applications(latex) == [("f", 0), ("f", 1)]


@pytest.mark.parametrize(
    ("latex", "message"),
    [
        ("x' = x", "a prime (') marks a derivative only right after a function declared"),
        (r"x^{\prime} = x", "a prime (') marks a derivative only right after a function declared"),
        ("f(x)' = x", "a prime (') marks a derivative only right after a function declared"),
        ("(x)' = x", "a prime (') marks a derivative only right after a function declared"),
        ("F'(X) = X", "'F' is not a scalar function"),
        ("f'''(x) = x", "f carries 3 primes"),
        ("f' = x", "the function 'f' must be applied to an argument in parentheses"),
        ("f = x", "the function 'f' must be applied to an argument in parentheses"),
    ],
)
def test_misplaced_primes_and_bare_functions_are_author_errors(latex: str, message: str) -> None:
    with pytest.raises(AuthorError) as error:
        parsed(latex)
    assert str(error.value).startswith(message)
    assert "(fix: " in error.value.describe()


def test_a_prime_on_a_symbol_says_how_to_write_the_derivative() -> None:
    with pytest.raises(AuthorError) as error:
        parsed("x' = x")
    assert "declare 'f: scalar function'" in error.value.describe()
    assert error.value.column == 1


# -- shapes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "shape"),
    [
        ("f(X)", "m×n"),
        ("f'(x)", "n×1"),
        ("f''(a^T X b)", "1×1"),
        ("f'(X^T)", "n×m"),
    ],
)
def test_f_and_its_derivatives_keep_the_shape_of_their_argument(
    expression: str, shape: str
) -> None:
    declarations = parse_declarations(SYMBOLS)
    relation = parsed(f"{expression} = {expression}")
    checker = ShapeChecker(declarations, "denominator")
    assert checker.text(checker.check_relation(relation)) == shape


def test_an_entrywise_map_of_a_matrix_does_not_add_to_a_vector() -> None:
    declarations = parse_declarations(SYMBOLS)
    with pytest.raises(ShapeError, match="m×n"):
        ShapeChecker(declarations, "denominator").check_relation(parsed("f'(X) + x = x"))


# -- test functions -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", TEST_FUNCTION_KINDS)
def test_the_closed_form_derivatives_are_the_derivatives(kind: str) -> None:
    """f′ and f″ agree with complex-step derivatives of f and f′ on a matrix of points."""
    rng = np.random.default_rng(7)
    declaration = parse_declarations({"f": "scalar function"})["f"]
    functions = numeric_test_functions(declaration, {}, kind, rng)
    assert set(functions) == {"f", "f'", "f''"}
    points = rng.standard_normal((3, 2)) * 2
    step = 1e-30
    for lower, higher in (("f", "f'"), ("f'", "f''")):
        slope = functions[lower](points + 1j * step).imag / step
        np.testing.assert_allclose(functions[higher](points), slope, rtol=1e-13, atol=1e-13)
        assert functions[higher](points).shape == points.shape


def test_the_kinds_differ() -> None:
    coefficients = [0.5, -1.0, 1.5, 0.75, -0.25]
    t = np.array([[0.3, -1.2]])
    values = [
        scalar_test_functions("f", k, coefficients, NUMPY_ENTRYWISE) for k in TEST_FUNCTION_KINDS
    ]
    second = [functions["f''"](t) for functions in values]
    np.testing.assert_array_equal(second[0], 0 * t)  # a line has no curvature
    assert not np.allclose(second[1], second[2])


def test_the_trials_cycle_through_the_test_function_kinds() -> None:
    declarations = parse_declarations({"f": "scalar function", "x": "vector n"})
    kinds = [trial.test_functions for trial in _trials("some-id", declarations, 0)]
    assert len(kinds) == TRIALS
    assert set(kinds) == set(TEST_FUNCTION_KINDS)


# -- checking -------------------------------------------------------------------------------------
@pytest.mark.parametrize("identity_id", NEW_CARDS)
def test_the_generic_cards_verify_numerically_and_exactly(identity_id: str) -> None:
    result = check_identity(docs_specs()[identity_id])
    assert result.status == "verified", result.message
    assert result.exact is not None and result.exact.status == "verified", result.exact
    assert result.max_rel_error < 1e-12
    assert result.steps and all(step.status == "checked" for step in result.steps)
    assert result.conversion is not None and result.conversion.status == "verified"


VECTOR = {"f": "scalar function", "x": "vector n"}
MATRIX = {"f": "scalar function", "a": "vector m", "X": "matrix m x n", "b": "vector n"}
LINEAR = {"g": "scalar function", "a": "vector n", "x": "vector n"}
SUM_GRADIENT = r"\frac{\partial \mathbf 1^\text T f(\boldsymbol x)}{\partial \boldsymbol x} = "
WEIGHTED = r"\frac{\partial\, \boldsymbol a^\text T f(\boldsymbol X) \boldsymbol b}{\partial \boldsymbol X} = "
GRADIENT = r"\frac{\partial g(\boldsymbol a^\text T \boldsymbol x)}{\partial \boldsymbol x} = "
HESSIAN = (
    r"\frac{\partial^2 g(\boldsymbol a^\text T \boldsymbol x)}"
    r"{\partial \boldsymbol x \, \partial \boldsymbol x^\text T} = "
)


@pytest.mark.parametrize(
    ("latex", "layout", "symbols"),
    [
        (SUM_GRADIENT + r"f(\boldsymbol x)", "denominator", VECTOR),
        (SUM_GRADIENT + r"f''(\boldsymbol x)", "denominator", VECTOR),
        (
            r"\frac{\partial f(\boldsymbol x)}{\partial \boldsymbol x} = \operatorname{diag}(f(\boldsymbol x))",
            "numerator",
            VECTOR,
        ),
        (
            WEIGHTED + r"(\boldsymbol a \boldsymbol b^\text T) \circ f(\boldsymbol X)",
            "denominator",
            MATRIX,
        ),
        (
            WEIGHTED + r"(\boldsymbol a \boldsymbol b^\text T) \circ f'(\boldsymbol X)",
            "numerator",
            MATRIX,
        ),
        (GRADIENT + r"g'(\boldsymbol a^\text T \boldsymbol x)\, \mathbf 1", "denominator", LINEAR),
        (
            GRADIENT + r"g(\boldsymbol a^\text T \boldsymbol x)\, \boldsymbol a",
            "denominator",
            LINEAR,
        ),
        (
            HESSIAN
            + r"g'(\boldsymbol a^\text T \boldsymbol x)\, \boldsymbol a \boldsymbol a^\text T",
            "denominator",
            LINEAR,
        ),
        (
            HESSIAN + r"g''(\boldsymbol a^\text T \boldsymbol x)\, \boldsymbol a",
            "denominator",
            LINEAR,
        ),
    ],
)
def test_wrong_formulas_fail(latex: str, layout: str, symbols: dict[str, str]) -> None:
    result = check(latex, layout, symbols)
    assert result.status in ("failed", "error"), result.status
    assert result.message


def test_a_wrong_layout_of_the_weighted_rule_fails_with_the_numbers() -> None:
    result = check(
        WEIGHTED + r"(\boldsymbol a \boldsymbol b^\text T) \circ f'(\boldsymbol X)",
        "numerator",
        MATRIX,
    )
    assert "different shapes" in result.message or "relative error" in result.message


def test_a_false_proof_step_with_f_prime_fails() -> None:
    result = check(
        SUM_GRADIENT + r"f'(\boldsymbol x)",
        "denominator",
        VECTOR,
        proof=[
            r"d\big(\mathbf 1^\text T f(\boldsymbol x)\big) = f(\boldsymbol x)^\text T d\boldsymbol x"
        ],
    )
    assert result.status == "verified"
    assert [step.status for step in result.steps] == ["failed"]


# -- printing, reading, converting, mutating ------------------------------------------------------
@pytest.mark.parametrize(
    "latex",
    [
        r"f'(X) = f''(X^T)^T",
        r"\frac{\partial \boldsymbol a^T f(X) \boldsymbol b}{\partial X} = a b^T \circ f'(X)",
        r"f^{\prime}(x) = f^{\prime\prime}(x)",
    ],
)
def test_the_printer_round_trips_primes(latex: str) -> None:
    relation = parsed(latex)
    printed = to_latex(relation)
    assert "'" in printed
    assert parsed(printed) == relation


def test_the_readable_text_shows_primes() -> None:
    assert readable(r"\operatorname{diag}(f'(\boldsymbol x))") == "diag(f′(x))"
    assert readable(r"g''(\boldsymbol a^\text T \boldsymbol x)") == "g″(aᵀx)"
    assert readable(r"f^{\prime\prime}(x)") == "f″(x)"


def test_the_converter_moves_the_transpose_inside_an_entrywise_map() -> None:
    declarations = parse_declarations(MATRIX)
    relation = parsed(
        WEIGHTED + r"(\boldsymbol a \boldsymbol b^\text T) \circ f'(\boldsymbol X)", MATRIX
    )
    printed = to_latex(other_layout(relation, declarations, "denominator"))
    assert printed.endswith(r"= b a^{\top} \circ f'(X^{\top})")


def test_a_matrix_function_is_not_moved_through_the_transpose() -> None:
    symbols = {
        "F": "function m x n -> m x n",
        "X": "matrix m x n",
        "a": "vector m",
        "b": "vector n",
    }
    relation = parsed(r"\frac{\partial a^T F(X) b}{\partial a} = F(X) b", symbols)
    printed = to_latex(other_layout(relation, parse_declarations(symbols), "denominator"))
    assert printed.endswith(r"= b^{\top} F(X)^{\top}")


def test_the_mutation_test_drops_a_prime() -> None:
    relation = parsed(
        HESSIAN + r"g''(\boldsymbol a^\text T \boldsymbol x)\, \boldsymbol a \boldsymbol a^\text T",
        LINEAR,
    )
    dropped = [
        side
        for operator, side in right_hand_mutations(relation.sides[-1])
        if operator == "drop a prime"
    ]
    assert [to_latex(side) for side in dropped] == [r"g'(a^{\top} x) a a^{\top}"]
    assert not any(isinstance(n, Symbol) and n.name == "g" for n in walk(dropped[0]))


def test_the_where_line_says_the_function_acts_entrywise() -> None:
    declarations = parse_declarations(VECTOR)
    line = where_line(declarations, {}, "f'(x)")
    assert line == (
        r"where \(f\colon \mathbb{R} \to \mathbb{R}\) smooth (applied entrywise) and "
        r"\(x \in \mathbb{R}^{n}\)."
    )
