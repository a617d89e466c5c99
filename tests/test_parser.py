"""The parser reads the LaTeX of matrix-calculus references into the intended expression tree.

Why: the checker verifies the tree, so a formula is only checked if the tree means what the
typeset formula shows. Every spelling the authoring guide accepts must give the same tree as its
plain form, and printing a random tree in random accepted spellings must parse back to that tree.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matrixcheck.errors import AuthorError
from matrixcheck.parser import Vocabulary, parse_chains, parse_expression, parse_relation
from matrixcheck.printer import to_latex
from matrixcheck.tree import (
    Add,
    Apply,
    Derivative,
    Differential,
    Div,
    Func,
    Hadamard,
    IdentityMatrix,
    Kronecker,
    Mul,
    Neg,
    Node,
    Number,
    Power,
    Relation,
    Spectral,
    Symbol,
    Transpose,
    walk,
)

SYMBOLS = ("X", "Y", "A", "a", "b", "x", "s", "W", "Sigma", "x_0")
FUNCTIONS = ("f",)


def vocabulary() -> Vocabulary:
    return Vocabulary(frozenset(SYMBOLS) | frozenset(FUNCTIONS), frozenset(FUNCTIONS))


def parse(source: str) -> Node:
    return parse_expression(source, vocabulary())


X, Y, A = Symbol("X"), Symbol("Y"), Symbol("A")
a, b, x = Symbol("a"), Symbol("b"), Symbol("x")


def T(node: Node) -> Transpose:
    return Transpose(node)


def inv(node: Node) -> Power:
    return Power(node, -1)


TRANSPOSE_SPELLINGS = (
    "^T",
    "^{T}",
    r"^\top",
    r"^{\top}",
    r"^{\mathsf T}",
    r"^{\mathsf{T}}",
    r"^\mathsf{T}",
    r"^\text{T}",
    r"^\text T",
    r"^{\text{T}}",
    r"^\intercal",
)
WRAPPERS = (
    "X",
    "{X}",
    r"\boldsymbol{X}",
    r"\boldsymbol X",
    r"\mathbf{X}",
    r"\mathbf X",
    r"\bm{X}",
    r"\bold{X}",
    r"\mathrm{X}",
    r"\boldsymbol{\mathrm{X}}",
)


@pytest.mark.parametrize("spelling", TRANSPOSE_SPELLINGS)
def test_every_transpose_spelling_is_a_transpose(spelling: str) -> None:
    assert parse("X" + spelling) == T(X)
    assert parse(r"\boldsymbol{a}" + spelling + r" \boldsymbol{X} \boldsymbol{b}") == Mul(
        (T(a), X, b)
    )


@pytest.mark.parametrize(
    ("wrapper", "spelling"), list(itertools.product(WRAPPERS, TRANSPOSE_SPELLINGS[::3]))
)
def test_wrappers_and_transposes_combine(wrapper: str, spelling: str) -> None:
    assert parse(wrapper + spelling) == T(X)
    assert parse(wrapper) == X


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("X^{-1}", inv(X)),
        ("X^{-T}", T(inv(X))),
        (r"X^{-\top}", T(inv(X))),
        (r"X^{-\mathsf{T}}", T(inv(X))),
        (r"(X^{-1})^\text T", T(inv(X))),
        ("X^2", Power(X, 2)),
        ("X^{3}", Power(X, 3)),
        ("X^{-2}", Power(X, -2)),
        ("X^1", X),
        ("(X^T)^T", T(T(X))),
        ("(A X)^{-1}", inv(Mul((A, X)))),
    ],
)
def test_inverses_and_powers(source: str, tree: Node) -> None:
    assert parse(source) == tree


PRODUCT = Mul((T(a), X, b))


@pytest.mark.parametrize(
    "source",
    [
        "a^T X b",
        r"a^T \, X \; b",
        r"a^T\!X\quad b \qquad",
        r"a^T \: X \enspace b",
        r"a^T \cdot X \cdot b",
        r"\boldsymbol a^\top \boldsymbol X \boldsymbol b",
        r"\mathbf{a}^{\mathsf T}\mathbf{X}\mathbf{b}",
        "a^T X b % a comment\n",
    ],
)
def test_products_by_juxtaposition_cdot_and_spacing(source: str) -> None:
    assert parse(source) == PRODUCT


@pytest.mark.parametrize(
    "source",
    [
        "(A + X)^T",
        r"\left( A + X \right)^T",
        r"\left[ A + X \right]^T",
        "[A + X]^T",
        r"\big( A + X \big)^T",
        r"\Big( A + X \Big)^T",
        r"\bigl( A + X \bigr)^T",
        r"\Bigg[ A + X \Bigg]^T",
        r"\left( A + X \right.)^T",
        r"\lparen A + X \rparen^T",
    ],
)
def test_brackets_and_sizing(source: str) -> None:
    assert parse(source) == T(Add((A, X)))


@pytest.mark.parametrize(
    "source",
    [
        r"\operatorname{tr}(A X)",
        r"\mathrm{tr}(A X)",
        r"\text{tr}(A X)",
        r"\operatorname{tr}\left(A X\right)",
        r"\operatorname{tr}\big(A X\big)",
        r"\operatorname{Tr}[A X]",
        r"\operatorname{tr}(\boldsymbol A \, \boldsymbol X)",
    ],
)
def test_trace_spellings(source: str) -> None:
    assert parse(source) == Func("tr", Mul((A, X)))


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        (r"\det X", Func("det", X)),
        (r"\det(X)", Func("det", X)),
        (r"\det \boldsymbol{X}^{-1}", Func("det", inv(X))),
        (r"\log \det X", Func("log", Func("det", X))),
        (r"\ln \det X", Func("log", Func("det", X))),
        (r"\log(x^T a)", Func("log", Mul((T(x), a)))),
        (r"\exp(a^T x)", Func("exp", Mul((T(a), x)))),
        (r"\operatorname{tr}(X)^2", Power(Func("tr", X), 2)),
        ("|a^T x|", Func("abs", Mul((T(a), x)))),
        (r"\lvert a^T x \rvert", Func("abs", Mul((T(a), x)))),
        (r"\left| a^T x \right|", Func("abs", Mul((T(a), x)))),
        (r"\|x\|_2", Func("norm2", x)),
        (r"\|x\|", Func("norm2", x)),
        (r"\lVert x \rVert_2", Func("norm2", x)),
        (r"\left\| x \right\|_{2}", Func("norm2", x)),
        (r"\|x\|_1", Func("norm1", x)),
        (r"\|X\|_F", Func("fro", X)),
        (r"\|\boldsymbol X\|_{\mathrm F}", Func("fro", X)),
        (r"\|X\|_F^2", Power(Func("fro", X), 2)),
    ],
)
def test_functions_norms_and_absolute_value(source: str, tree: Node) -> None:
    assert parse(source) == tree


def test_tex_grouping_braces_are_brackets() -> None:
    assert parse(r"{\boldsymbol X}^\top") == T(X)
    assert parse(r"{A X}^{-1} b") == Mul((inv(Mul((A, X))), b))
    assert parse(r"a^T {X} b") == PRODUCT


def test_nested_bars_inside_brackets() -> None:
    # A bar inside a bracket opens a new |…|; only the innermost opening waits for its closer.
    assert parse(r"\|(\|x\|_2 X)\|_F") == Func("fro", Mul((Func("norm2", x), X)))
    assert parse(r"\left| \operatorname{tr}(|a^T x| X) \right|") == Func(
        "abs", Func("tr", Mul((Func("abs", Mul((T(a), x))), X)))
    )
    assert parse("|a| |b|") == Mul((Func("abs", a), Func("abs", b)))


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        (r"X \circ Y", Hadamard(X, Y)),
        (r"X \odot Y", Hadamard(X, Y)),
        (r"X \otimes Y", Kronecker(X, Y)),
        (r"A X \circ Y", Hadamard(Mul((A, X)), Y)),
        (r"X \circ Y \circ A", Hadamard(Hadamard(X, Y), A)),
        (r"X \otimes Y + A", Add((Kronecker(X, Y), A))),
    ],
)
def test_entrywise_and_kronecker_products(source: str, tree: Node) -> None:
    assert parse(source) == tree


DERIVATIVE = Derivative(Mul((T(a), X, b)), "X")


@pytest.mark.parametrize(
    "source",
    [
        r"\frac{\partial a^T X b}{\partial X}",
        r"\frac{\partial \boldsymbol{a}^\text T \boldsymbol{X} \boldsymbol{b}}{\partial \boldsymbol{X}}",
        r"\dfrac{\partial a^\top X b}{\partial \mathbf X}",
        r"\frac{\partial}{\partial X} a^T X b",
        r"\frac{\partial}{\partial X}(a^T X b)",
        r"\frac{\partial}{\partial \boldsymbol X}\left(\boldsymbol a^\top \boldsymbol X \boldsymbol b\right)",
        r"\frac{\partial}{\partial X} \big[ a^T X b \big]",
        r"\frac{d}{d X} a^T X b",
    ],
)
def test_derivative_spellings(source: str) -> None:
    assert parse(source) == DERIVATIVE


def test_derivative_operator_takes_the_rest_of_the_product_only() -> None:
    assert parse(r"A \frac{\partial}{\partial x} x^T a") == Mul(
        (A, Derivative(Mul((T(x), a)), "x"))
    )
    assert parse(r"\frac{\partial}{\partial x} x^T a + b^T x") == Add(
        (Derivative(Mul((T(x), a)), "x"), Mul((T(b), x)))
    )
    assert parse(r"\frac{\partial}{\partial X} f(X)^T") == Derivative(T(Apply("f", X)), "X")


def test_derivatives_on_either_side_of_a_relation() -> None:
    relation = parse_relation(
        r"\frac{\partial x^T a}{\partial x} = a^T = \frac{\partial}{\partial x} a^T x",
        vocabulary(),
    )
    assert relation == Relation(
        (Derivative(Mul((T(x), a)), "x"), T(a), Derivative(Mul((T(a), x)), "x"))
    )
    right = parse_relation(r"a = \frac{\partial a^T x}{\partial x}", vocabulary())
    assert right == Relation((a, Derivative(Mul((T(a), x)), "x")))


def test_nested_derivative_of_a_function_of_the_variable() -> None:
    assert parse(
        r"-f(\boldsymbol{X})^{-1} \frac{\partial f(\boldsymbol{X})}{\partial \boldsymbol{X}}"
        r" f(\boldsymbol{X})^{-1}"
    ) == Neg(Mul((inv(Apply("f", X)), Derivative(Apply("f", X), "X"), inv(Apply("f", X)))))


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("f(X)", Apply("f", X)),
        (r"f(\boldsymbol X)^T", T(Apply("f", X))),
        (r"f\left(\boldsymbol{X}\right)^{-1}", inv(Apply("f", X))),
        ("f(A X)", Apply("f", Mul((A, X)))),
        ("f(X) f(X)", Mul((Apply("f", X), Apply("f", X)))),
    ],
)
def test_generic_functions(source: str, tree: Node) -> None:
    assert parse(source) == tree


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("2 X", Mul((Number(Fraction(2)), X))),
        (r"2 \cdot X", Mul((Number(Fraction(2)), X))),
        (r"\frac{1}{2} X", Mul((Number(Fraction(1, 2)), X))),
        (r"\tfrac{1}{2} X", Mul((Number(Fraction(1, 2)), X))),
        (r"\frac12 X", Mul((Number(Fraction(1, 2)), X))),
        (r"\tfrac12 X", Mul((Number(Fraction(1, 2)), X))),
        ("0.5 X", Mul((Number(Fraction(1, 2)), X))),
        (r"\frac{X}{2}", Div(X, Number(Fraction(2)))),
        (r"\frac{a}{\|a\|_2}", Div(a, Func("norm2", a))),
        ("-2 X", Neg(Mul((Number(Fraction(2)), X)))),
    ],
)
def test_numbers_and_fractions(source: str, tree: Node) -> None:
    assert parse(source) == tree


def test_a_bare_digit_argument_is_one_digit_as_in_tex() -> None:
    # TeX typesets X^12 as X¹2 and \frac123 as ½·3: the tree must mean what the reader sees.
    assert parse("X^12") == Mul((X, Number(Fraction(2))))
    assert parse(r"\frac123") == Mul((Number(Fraction(1, 2)), Number(Fraction(3))))
    assert parse("X^{12}") == Power(X, 12)


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        (r"d\boldsymbol X", Differential(X)),
        (r"\mathrm d\boldsymbol X", Differential(X)),
        (r"\mathrm{d}\boldsymbol{X}", Differential(X)),
        ("dX", Differential(X)),
        (r"d(\boldsymbol X^{-1})", Differential(inv(X))),
        (r"\mathrm d\left(X^{-1}\right)", Differential(inv(X))),
        (r"d\big(a^T X b\big)", Differential(Mul((T(a), X, b)))),
        (r"(d\boldsymbol x)^\text T", T(Differential(x))),
        (r"d\boldsymbol x^\text T", T(Differential(x))),
        (r"-X^{-1} \, d\boldsymbol X \, X^{-1}", Neg(Mul((inv(X), Differential(X), inv(X))))),
    ],
)
def test_differentials(source: str, tree: Node) -> None:
    assert parse(source) == tree


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        (r"\Sigma", Symbol("Sigma")),
        (r"\boldsymbol\Sigma", Symbol("Sigma")),
        (r"\boldsymbol{\Sigma}^{-1}", inv(Symbol("Sigma"))),
        ("x_0", Symbol("x_0")),
        ("x_{0}", Symbol("x_0")),
        (r"\boldsymbol{x}_0^T", T(Symbol("x_0"))),
        ("I", IdentityMatrix()),
        (r"\boldsymbol I - X", Add((IdentityMatrix(), Neg(X)))),
    ],
)
def test_names_greek_subscripts_and_identity(source: str, tree: Node) -> None:
    assert parse(source) == tree


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("-a", Neg(a)),
        ("a - b", Add((a, Neg(b)))),
        ("-a + b", Add((Neg(a), b))),
        ("--a", a),
        ("a - -b", Add((a, b))),
        ("+a", a),
    ],
)
def test_signs(source: str, tree: Node) -> None:
    assert parse(source) == tree


def test_aligned_chain_is_one_relation() -> None:
    source = r"""
    \begin{aligned}
    d(a^T X b)
      &= a^T \, d\boldsymbol X \, b \\
      &= \operatorname{tr}(b a^T \, d\boldsymbol X)
    \end{aligned}
    """
    chains = parse_chains(source, vocabulary())
    assert chains == [
        Relation(
            (
                Differential(Mul((T(a), X, b))),
                Mul((T(a), Differential(X), b)),
                Func("tr", Mul((b, T(a), Differential(X)))),
            )
        )
    ]


def test_aligned_rows_without_leading_equals_are_separate_chains() -> None:
    chains = parse_chains(r"\begin{aligned} a &= b \\ X &= A \end{aligned}", vocabulary())
    assert chains == [Relation((a, b)), Relation((X, A))]
    with pytest.raises(AuthorError, match="one chain"):
        parse_relation(r"\begin{aligned} a &= b \\ X &= A \end{aligned}", vocabulary())


def test_aligned_sum_continues_across_rows() -> None:
    chains = parse_chains(r"\begin{aligned} a &= b \\ &\quad + x \end{aligned}", vocabulary())
    assert chains == [Relation((a, Add((b, x))))]


def test_trailing_punctuation_is_ignored() -> None:
    assert parse_relation("a = b.", vocabulary()) == Relation((a, b))
    assert parse_relation("a = b,", vocabulary()) == Relation((a, b))


def test_first_spelling_of_each_symbol_is_recorded() -> None:
    words = vocabulary()
    parse_expression(r"\boldsymbol{a}^T \mathbf X a", words)
    assert words.spellings["a"] == r"\boldsymbol{a}"
    assert words.spellings["X"] == r"\mathbf X"


# -- round trip: random trees printed in random accepted spellings ------------------------------

LEAVES = ("X", "Y", "A", "a", "b", "x")


def _leaf(name: str, draw) -> str:
    wrapper = draw(st.sampled_from(("{}", r"\boldsymbol{{{}}}", r"\mathbf {}", r"\bm{{{}}}")))
    return wrapper.format(name)


def _bracket(text: str, draw) -> str:
    opening, closing = draw(
        st.sampled_from(
            (("(", ")"), ("[", "]"), (r"\left(", r"\right)"), (r"\big(", r"\big)"), ("{", "}"))
        )
    )
    return f"{opening} {text} {closing}"


@st.composite
def trees(draw, depth: int = 3) -> Node:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.integers(0, 5)) == 0:
            return Number(Fraction(draw(st.integers(2, 9))))
        return Symbol(draw(st.sampled_from(LEAVES)))
    kinds = ("mul", "add", "neg", "t", "pow", "tr", "had", "kron", "der", "mf", "spec", "nuc")
    kind = draw(st.sampled_from(kinds))
    sub = trees(depth - 1)
    if kind == "mf":
        return Func(draw(st.sampled_from(("exp", "log", "sin", "cos"))), draw(sub))
    if kind == "nuc":
        return Func("nuclear", draw(sub))
    if kind == "spec":
        spectral = draw(st.sampled_from(("eigenvalue", "singular value")))
        indices = ("1", "2", "max", "min", "i", "k")
        if spectral == "eigenvalue":
            indices += ("sum", "prod")
        return Spectral(spectral, draw(st.sampled_from(indices)), draw(sub))
    if kind == "mul":
        return Mul(tuple(draw(st.lists(sub, min_size=2, max_size=3))))
    if kind == "add":
        return Add(tuple(draw(st.lists(sub, min_size=2, max_size=3))))
    if kind == "neg":
        return Neg(draw(sub))
    if kind == "t":
        return Transpose(draw(sub))
    if kind == "pow":
        return Power(draw(sub), draw(st.sampled_from((-1, 2, 3, -2))))
    if kind == "tr":
        return Func(draw(st.sampled_from(("tr", "det", "fro", "adj"))), draw(sub))
    if kind == "had":
        return Hadamard(draw(sub), draw(sub))
    if kind == "kron":
        return Kronecker(draw(sub), draw(sub))
    return Derivative(draw(sub), draw(st.sampled_from(("X", "x"))))


def _atom(node: Node, draw) -> str:
    """``node`` printed so that it can stand as a factor or carry a superscript."""
    text = _latex(node, draw)
    if isinstance(node, (Symbol, Func)) and not text.startswith("e^"):
        return text
    if isinstance(node, Spectral) and node.index not in ("sum", "prod"):
        return text
    return _bracket(text, draw)


def _latex(node: Node, draw) -> str:
    if isinstance(node, Number):
        return str(node.value)
    if isinstance(node, Symbol):
        return _leaf(node.name, draw)
    if isinstance(node, Mul):
        glue = draw(st.sampled_from((" ", r" \cdot ", r" \, ")))
        return glue.join(_atom(f, draw) for f in node.factors)
    if isinstance(node, Add):
        parts = [_atom(node.terms[0], draw)]
        for term in node.terms[1:]:
            if isinstance(term, Neg):
                parts.append("- " + _atom(term.operand, draw))
            else:
                parts.append("+ " + _atom(term, draw))
        return " ".join(parts)
    if isinstance(node, Neg):
        return "-" + _atom(node.operand, draw)
    if isinstance(node, Transpose):
        return _atom(node.operand, draw) + draw(st.sampled_from(TRANSPOSE_SPELLINGS))
    if isinstance(node, Power):
        return f"{_atom(node.base, draw)}^{{{node.exponent}}}"
    if isinstance(node, Spectral):
        return _spectral_latex(node, draw)
    if isinstance(node, Func):
        inner = _latex(node.operand, draw)
        if node.name == "fro":
            return rf"\|{_bracket(inner, draw)}\|_F"
        if node.name == "nuclear":
            return rf"\|{_bracket(inner, draw)}\|_*"
        if node.name == "exp" and draw(st.booleans()):
            return f"e^{{{inner}}}"
        name = draw(st.sampled_from((r"\operatorname{{{}}}", r"\mathrm{{{}}}", r"\{}")))
        if node.name in ("tr", "adj") and name == r"\{}":
            name = r"\text{{{}}}"
        bracket = draw(st.sampled_from((("(", ")"), (r"\left(", r"\right)"), (r"\big(", r"\big)"))))
        return f"{name.format(node.name)}{bracket[0]}{inner}{bracket[1]}"
    if isinstance(node, Hadamard):
        op = draw(st.sampled_from((r"\circ", r"\odot")))
        return f"{_atom(node.left, draw)} {op} {_atom(node.right, draw)}"
    if isinstance(node, Kronecker):
        return rf"{_atom(node.left, draw)} \otimes {_atom(node.right, draw)}"
    assert isinstance(node, Derivative)
    variable = _leaf(node.variable, draw)
    if draw(st.booleans()):
        return rf"\frac{{\partial {_latex(node.operand, draw)}}}{{\partial {variable}}}"
    return rf"\frac{{\partial}}{{\partial {variable}}} {_bracket(_latex(node.operand, draw), draw)}"


def _spectral_latex(node: Spectral, draw) -> str:
    macro = {"eigenvalue": r"\lambda", "singular value": r"\sigma"}[node.kind]
    opening, closing = draw(
        st.sampled_from((("(", ")"), (r"\left(", r"\right)"), (r"\big(", r"\big)")))
    )
    inner = f"{opening} {_latex(node.operand, draw)} {closing}"
    if node.index in ("sum", "prod"):
        letter = node.letter
        return rf"\{node.index}_{letter} {macro}_{{{letter}}}{inner}"
    index = rf"\{node.index}" if node.index in ("max", "min") else node.index
    subscript = draw(st.sampled_from(("_{{{}}}", "_{}"))).format(index)
    return f"{macro}{subscript}{inner}"


@st.composite
def printed_trees(draw) -> tuple[Node, str]:
    tree = draw(trees())
    return tree, _latex(tree, draw)


@settings(max_examples=300, deadline=None)
@given(printed_trees())
def test_printed_trees_parse_back(case: tuple[Node, str]) -> None:
    tree, source = case
    parsed = parse(source)
    assert parsed == tree, source
    assert {n.name for n in walk(parsed) if isinstance(n, Symbol)} <= set(LEAVES)


@settings(max_examples=300, deadline=None)
@given(trees())
def test_the_printer_round_trips(tree: Node) -> None:
    """print → parse gives the tree back, matrix functions and spectral values included."""
    assert parse(to_latex(tree)) == tree


# -- matrix functions and spectral values ---------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [r"e^{X}", r"e^X", r"\exp(X)", r"\exp X", r"\exp\left(\boldsymbol X\right)", r"e^{\mathbf X}"],
)
def test_exponential_spellings(source: str) -> None:
    assert parse(source) == Func("exp", X)


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        (r"e^{t A}", Func("exp", Mul((Symbol("t"), A)))),
        (r"\log X", Func("log", X)),
        (r"\sin X", Func("sin", X)),
        (r"\cos(X)^T", T(Func("cos", X))),
        (r"\lambda_1(A)", Spectral("eigenvalue", "1", A)),
        (r"\lambda_{\max}(\boldsymbol A)", Spectral("eigenvalue", "max", A)),
        (r"\lambda_{\min}(A)", Spectral("eigenvalue", "min", A)),
        (r"\sigma_i(X)", Spectral("singular value", "i", X)),
        (r"\sum_i \lambda_i(A)", Spectral("eigenvalue", "sum", A)),
        (r"\prod_{j} \lambda_{j}(A)", Spectral("eigenvalue", "prod", A, "j")),
        (r"\|X\|_*", Func("nuclear", X)),
        (r"\|X\|_2^2", Power(Func("norm2", X), 2)),
        (r"d\lambda_i(A)", Differential(Spectral("eigenvalue", "i", A))),
    ],
)
def test_matrix_functions_and_spectral_values(source: str, tree: Node) -> None:
    words = Vocabulary(frozenset({"X", "A", "t"}))
    assert parse_expression(source, words) == tree


def test_declared_lambda_is_a_symbol_not_an_eigenvalue() -> None:
    words = Vocabulary(frozenset({"lambda_1", "A"}))
    assert parse_expression(r"\lambda_1 A", words) == Mul((Symbol("lambda_1"), A))


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (r"\lambda_{ab}(A)", "unsupported index"),
        (r"\lambda_0(A)", "numbered from 1"),
        (r"\sum_i \sigma_i(A)", "the lower bound of a sum must name its index"),
        (r"\sum_i \lambda_j(A)", "only in front of the eigenvalues"),
        (r"\|A\|_5", "unsupported norm subscript"),
    ],
)
def test_spectral_mistakes_are_author_errors(source: str, message: str) -> None:
    with pytest.raises(AuthorError, match=message) as error:
        parse_expression(source, Vocabulary(frozenset({"A"})))
    assert "(fix: " in error.value.describe()
