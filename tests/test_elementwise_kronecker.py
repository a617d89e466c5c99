"""Entrywise maps, softmax and log-sum-exp, vec and Kronecker Jacobians, and Hessians.

Why: these operators extend the LaTeX the checker reads (issue 4). Each must parse to the intended
tree, print back to LaTeX that parses to the same tree, reject misuse with an author-facing message
that says how to fix it, agree between the numeric and the exact backend, and tell a right
formula from a wrong one. Hessians are differenced once on top of an exact complex-step derivative,
so their numeric error must stay far below their tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matrixcheck.parser import Vocabulary, parse_expression
from matrixcheck.printer import to_latex
from matrixcheck.results import TOLERANCE_HESSIAN
from matrixcheck.tree import (
    Commutation,
    Derivative,
    Func,
    Hadamard,
    IdentityMatrix,
    Kronecker,
    Mul,
    Neg,
    Node,
    Ones,
    Symbol,
    Transpose,
)
from support import check

X, x, A, B = Symbol("X"), Symbol("x"), Symbol("A"), Symbol("B")


def parse(source: str) -> Node:
    return parse_expression(source, Vocabulary(frozenset("XxABab")))


# -- parsing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        (r"\sigma(x)", Func("sigma", x)),
        (r"\sigma\left(\boldsymbol x\right)", Func("sigma", x)),
        (r"\operatorname{softmax}(x)", Func("softmax", x)),
        (r"\operatorname{lse}(x)", Func("lse", x)),
        (r"\operatorname{logsumexp}(x)", Func("lse", x)),
        (r"\operatorname{sign}(x)", Func("sign", x)),
        (r"\operatorname{sgn}(x)", Func("sign", x)),
        (r"\operatorname{ReLU}(x)", Func("relu", x)),
        (r"\operatorname{step}(x)", Func("step", x)),
        (r"\operatorname{diag}(x)", Func("diag", x)),
        (r"\operatorname{vec} \boldsymbol X", Func("vec", X)),
        (r"\operatorname{vec}(X)^\top", Transpose(Func("vec", X))),
        (r"\mathbf 1", Ones()),
        (r"\mathbf{1}", Ones()),
        (r"\boldsymbol 1^\top", Transpose(Ones())),
        (r"\mathbb{1}_n", Ones("n")),
        (r"I_n", IdentityMatrix("n")),
        (r"I_{mn}", IdentityMatrix("mn")),
        (r"I_{n^2}", IdentityMatrix("n^2")),
        (r"K_{mn}", Commutation("mn")),
        (r"\boldsymbol K_{m,n}", Commutation("m,n")),
        (r"\|x\|_3", Func("norm3", x)),
        (r"\|x\|_4", Func("norm4", x)),
        (r"\exp(x) \circ x", Hadamard(Func("exp", x), x)),
        (r"I_n \otimes A", Kronecker(IdentityMatrix("n"), A)),
    ],
)
def test_new_notation_parses(source: str, tree: Node) -> None:
    assert parse(source) == tree


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        (
            r"\frac{\partial \operatorname{vec}(A X)}{\partial \operatorname{vec} X}",
            Derivative(Func("vec", Mul((A, X))), "X", vectorized=True),
        ),
        (
            r"\frac{\partial^2 x^\top A x}{\partial x \, \partial x^\top}",
            Derivative(Mul((Transpose(x), A, x)), "x", order=2),
        ),
        (
            r"\frac{\partial^{2} \operatorname{lse}(x)}{\partial \boldsymbol x \partial \boldsymbol x^T}",
            Derivative(Func("lse", x), "x", order=2),
        ),
        (
            (
                r"\frac{\partial^2}{\partial \operatorname{vec} X \partial (\operatorname{vec} X)^\top}"
                r" \det X"
            ),
            Derivative(Func("det", X), "X", vectorized=True, order=2),
        ),
    ],
)
def test_vec_jacobians_and_hessians_parse(source: str, tree: Node) -> None:
    assert parse(source) == tree


def test_differentials_of_the_new_functions() -> None:
    from matrixcheck.tree import Differential

    assert parse(r"d\sigma(x)") == Differential(Func("sigma", x))
    assert parse(r"d\|x\|_1") == Differential(Func("norm1", x))
    assert parse(r"d\operatorname{vec} X") == Differential(Func("vec", X))
    assert parse(r"d\operatorname{softmax}(x)") == Differential(Func("softmax", x))


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (r"\frac{\partial^2 f}{\partial x}", ("second derivative's denominator",)),
        (r"\frac{\partial^2 x^T x}{\partial x \partial A^T}", ("same variable",)),
        (r"\frac{\partial^2 x^T x}{\partial x \partial x}", ("same variable",)),
        (r"\frac{\partial x^T x}{\partial x \partial x^T}", ("no '^2'",)),
        (r"\frac{\partial^3 x^T x}{\partial x}", ("first and second derivatives",)),
        (r"\frac{\partial x}{\partial \operatorname{vec}(A X)}", ("not a declared symbol",)),
    ],
)
def test_malformed_derivatives_are_author_errors(source: str, words: tuple[str, ...]) -> None:
    from matrixcheck.errors import AuthorError

    with pytest.raises(AuthorError) as raised:
        parse(source)
    for word in words:
        assert word in str(raised.value.describe())
    assert "fix:" in raised.value.describe() or raised.value.hint


# -- printing: every new node prints back to LaTeX that parses to the same tree -------------------

NAMES = ("sigma", "softmax", "lse", "sign", "relu", "step", "diag", "vec", "exp", "norm3", "norm4")


@st.composite
def new_trees(draw, depth: int = 3) -> Node:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        leaf = draw(st.sampled_from(("sym", "ones", "eye", "k")))
        if leaf == "ones":
            return Ones(draw(st.sampled_from(("", "n", "mn"))))
        if leaf == "eye":
            return IdentityMatrix(draw(st.sampled_from(("", "n", "n^2"))))
        if leaf == "k":
            return Commutation(draw(st.sampled_from(("mn", "nn", "m,n"))))
        return draw(st.sampled_from((X, x, A, B)))
    kind = draw(st.sampled_from(("func", "kron", "had", "mul", "neg", "t", "der", "hess")))
    sub = new_trees(depth - 1)
    if kind == "func":
        return Func(draw(st.sampled_from(NAMES)), draw(sub))
    if kind == "kron":
        return Kronecker(draw(sub), draw(sub))
    if kind == "had":
        return Hadamard(draw(sub), draw(sub))
    if kind == "mul":
        return Mul((draw(sub), draw(sub)))
    if kind == "neg":
        return Neg(draw(sub))
    if kind == "t":
        return Transpose(draw(sub))
    vectorized = draw(st.booleans())
    variable = "X" if vectorized else draw(st.sampled_from(("X", "x")))
    return Derivative(draw(sub), variable, vectorized, 2 if kind == "hess" else 1)


@settings(max_examples=300, deadline=None)
@given(new_trees())
def test_printer_round_trips_the_new_nodes(tree: Node) -> None:
    source = to_latex(tree)
    assert parse(source) == tree, source


# -- shapes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "symbols", "words"),
    [
        (r"\exp(X) = X", {"X": "matrix m x n"}, ("exp is applied to a m×n matrix", "entrywise")),
        (r"\operatorname{lse}(a) = a", {"a": "scalar"}, ("lse", "scalar", "fix:")),
        (r"\operatorname{diag}(X) = X", {"X": "matrix m x n"}, ("diag", "square", "m×n")),
        (r"\operatorname{softmax}(a) = a", {"a": "scalar"}, ("softmax", "scalar")),
        (r"\|X\|_3 = \|X\|_3", {"X": "matrix m x n"}, ("vector norm",)),
        (r"K_{pq} X = X", {"X": "matrix m x n"}, ("cannot be read", "K_{m,n}")),
        (r"K_{mnn} \operatorname{vec} X = X", {"X": "matrix m x n"}, ("several ways",)),
        (r"I_{q} x = x", {"x": "vector n"}, ("cannot read the size 'q'", "(n)")),
        (
            r"x^T x \mathbf 1^T \mathbf 1 = x^T x",
            {"x": "vector n"},
            ("vector of ones", "\\mathbf 1_n"),
        ),
        (r"\operatorname{vec}(X) = X", {"X": "matrix m x n"}, ("mn×1", "m×n")),
    ],
)
def test_shape_errors_of_new_operators(latex: str, symbols: dict, words: tuple[str, ...]) -> None:
    result = check(latex, "numerator", symbols)
    assert result.status in ("error", "failed"), result.message
    for word in words:
        assert word in result.message, (word, result.message)


@pytest.mark.parametrize(
    ("latex", "layout", "words"),
    [
        (r"\frac{\partial^2 x}{\partial x \partial x^T} = x", "numerator", ("of a scalar",)),
        (r"\frac{\partial^2 x^T x}{\partial x \partial x^T} = I", "entrywise", ("layout",)),
    ],
)
def test_hessian_shape_errors(latex: str, layout: str, words: tuple[str, ...]) -> None:
    result = check(latex, layout, {"x": "vector n"})
    assert result.status == "error"
    for word in words:
        assert word in result.message, (word, result.message)


def test_hessian_by_a_matrix_needs_vec() -> None:
    result = check(
        r"\frac{\partial^2 \det X}{\partial X \partial X^T} = X", "numerator", {"X": "matrix n x n"}
    )
    assert result.status == "error"
    assert "\\operatorname{vec}" in result.message


# -- numeric and exact backends agree, and tell right from wrong ----------------------------------

RIGHT_AND_WRONG = [
    (
        r"\frac{\partial \operatorname{vec}(A X B)}{\partial \operatorname{vec} X} = B^\top \otimes A",
        r"\frac{\partial \operatorname{vec}(A X B)}{\partial \operatorname{vec} X} = B \otimes A^\top",
        "numerator",
        {"A": "matrix p x m", "X": "matrix m x n", "B": "matrix n x q"},
    ),
    (
        r"\frac{\partial \operatorname{vec}(X^\top)}{\partial \operatorname{vec} X} = K_{mn}",
        r"\frac{\partial \operatorname{vec}(X^\top)}{\partial \operatorname{vec} X} = K_{nm}",
        "numerator",
        {"X": "matrix m x n"},
    ),
    (
        r"\frac{\partial \operatorname{lse}(x)}{\partial x} = \operatorname{softmax}(x)",
        r"\frac{\partial \operatorname{lse}(x)}{\partial x} = \sigma(x)",
        "denominator",
        {"x": "vector n"},
    ),
    (
        r"\frac{\partial \|x\|_3}{\partial x} = \frac{x \circ |x|}{\|x\|_3^2}",
        r"\frac{\partial \|x\|_3}{\partial x} = \frac{x \circ |x|}{\|x\|_3}",
        "denominator",
        {"x": "vector n, nonzero"},
    ),
    (
        r"\frac{\partial \|x\|_4}{\partial x} = \frac{x \circ x \circ x}{\|x\|_4^3}",
        r"\frac{\partial \|x\|_4}{\partial x} = \frac{x \circ x \circ x}{\|x\|_4^2}",
        "denominator",
        {"x": "vector n"},
    ),
    (
        r"\frac{\partial \operatorname{relu}(x)}{\partial x} = \operatorname{diag}(\operatorname{step}(x))",
        r"\frac{\partial \operatorname{relu}(x)}{\partial x} = I",
        "numerator",
        {"x": "vector n, nonzero"},
    ),
    (
        r"\frac{\partial \mathbf 1^\top \sigma(X) \mathbf 1}{\partial X} = \sigma(X) \circ \sigma(-X)",
        r"\frac{\partial \mathbf 1^\top \sigma(X) \mathbf 1}{\partial X} = \sigma(X)",
        "denominator",
        {"X": "matrix m x n"},
    ),
    (
        (
            r"\frac{\partial^2 \log|\det X|}{\partial \operatorname{vec} X \partial (\operatorname{vec} X)^\top}"
            r" = -K_{nn} (X^{-\top} \otimes X^{-1})"
        ),
        (
            r"\frac{\partial^2 \log|\det X|}{\partial \operatorname{vec} X \partial (\operatorname{vec} X)^\top}"
            r" = -X^{-\top} \otimes X^{-1}"
        ),
        "denominator",
        {"X": "matrix n x n, invertible"},
    ),
]


@pytest.mark.parametrize(("right", "wrong", "layout", "symbols"), RIGHT_AND_WRONG)
def test_numeric_and_exact_agree_on_right_and_wrong(
    right: str, wrong: str, layout: str, symbols: dict
) -> None:
    good = check(right, layout, symbols)
    assert good.status == "verified", good.message
    assert good.exact is not None and good.exact.status == "verified", good.exact
    bad = check(wrong, layout, symbols)
    assert bad.status == "failed", bad.message
    assert "different shapes" in bad.message or bad.max_rel_error > 1e-3


@pytest.mark.parametrize(
    ("formula", "symbols"),
    [
        (
            (
                r"\frac{\partial^2 \operatorname{lse}(x)}{\partial x \partial x^\top} = "
                r"\operatorname{diag}(\operatorname{softmax}(x)) - "
                r"\operatorname{softmax}(x) \operatorname{softmax}(x)^\top"
            ),
            {"x": "vector n"},
        ),
        (
            (
                r"\frac{\partial^2 \|x\|_2}{\partial x \partial x^\top} = "
                r"\frac{I - \frac{x x^\top}{x^\top x}}{\|x\|_2}"
            ),
            {"x": "vector n"},
        ),
        (
            (
                r"\frac{\partial^2 \log|\det X|}{\partial \operatorname{vec} X \partial (\operatorname{vec} X)^\top}"
                r" = -K_{nn} (X^{-\top} \otimes X^{-1})"
            ),
            {"X": "matrix n x n, invertible"},
        ),
    ],
)
def test_hessians_are_accurate_far_below_their_tolerance(formula: str, symbols: dict) -> None:
    result = check(formula, "denominator", symbols)
    assert result.status == "verified", result.message
    assert result.tolerance == TOLERANCE_HESSIAN
    assert result.max_rel_error is not None and result.max_rel_error < TOLERANCE_HESSIAN / 1000


def test_commutation_matrix_transposes_vec() -> None:
    from matrixcheck.evaluate import Point
    from matrixcheck.numeric import NumericEvaluator

    node = Commutation("mn")
    point = Point({}, {}, "numerator", {}, {}, {id(node): (2, 3)})
    matrix = np.arange(6.0).reshape(2, 3)
    k = NumericEvaluator(point).evaluate(node)
    assert np.array_equal(k @ matrix.reshape(-1, 1, order="F"), matrix.T.reshape(-1, 1, order="F"))


def test_relu_at_a_kink_is_undefined_not_wrong() -> None:
    result = check(
        r"\frac{\partial \mathbf 1^\top \operatorname{relu}(x - x)}{\partial x} = 0",
        "denominator",
        {"x": "vector n"},
    )
    assert result.status == "error"
    assert "relu" in result.message and "not differentiable" in result.message


def test_six_dimension_names_get_distinct_exact_sizes() -> None:
    symbols = {
        "A": "matrix m x n",
        "B": "matrix p x q",
        "C": "matrix n x r",
        "D": "matrix q x s",
    }
    result = check(r"(A \otimes B)(C \otimes D) = A C \otimes B D", "numerator", symbols)
    assert result.status == "verified", result.message
    assert result.exact.status == "verified", result.exact.reason
    assert sorted(result.exact.sizes[0].values()) == [2, 3, 4, 5, 6, 7]
