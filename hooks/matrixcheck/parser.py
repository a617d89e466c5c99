"""Recursive-descent parser from the LaTeX of matrix-calculus references to the expression tree.

Grammar of the accepted subset (whitespace, spacing and sizing macros removed by the lexer)::

    chains     := relation (ROWBREAK relation)*
    relation   := expr (ROWBREAK? "=" expr)*
    expr       := ["+" | "-"] kron (ROWBREAK? ("+" | "-") kron)*
    kron       := product (("\\otimes" | "\\circ" | "\\odot") product)*
    product    := factor (["\\cdot" | "\\times"] factor)*      # juxtaposition is a product;
                                                            # ∂/∂X acts on the rest of the product
    factor     := prefix | postfix
    prefix     := derivop | "d" atom | "d(" expr ")" | "d" FUNC argument | FUNC argument
                | "d" SPECTRAL_index "(" expr ")"
                | "e^{" expr "}"                                  # the exponential, as \\exp
                | ("\\sum" | "\\prod") "_" i SPECTRAL_i "(" expr ")"   # all eigenvalues
                | "\\sum_{" INDEX "=" intexpr "}^" intexpr kron        # a finite sum
                | "\\int_" bound "^" bound expr "d" LETTER    # LETTER not declared: real in expr
    postfix    := atom ("^" superscript)*
    atom       := NUMBER | SYMBOL | "I" ["_" SIZE] | ONES ["_" SIZE] | "K_" SIZES
                | "(" expr ")" | "[" expr "]" | "|" expr "|"
                | "‖" expr "‖" ["_" (1 | 2 | 3 | 4 | F | * | realexpr)]
                | "\\frac{" expr "}{" expr "}"
                | "\\frac{\\partial" ["^2"] expr "}{" wrt "}" | f [PRIMES] "(" expr ")"
                | "\\sigma(" expr ")"                             # the logistic sigmoid
                | SPECTRAL_index "(" expr ")"
    derivop    := "\\frac{\\partial" ["^2"] "}{" wrt "}"
    wrt        := "\\partial" var                           # first derivative
                | "\\partial" var "\\partial" var^T             # Hessian (with "^2" above)
    var        := SYMBOL | "\\operatorname{vec}" SYMBOL | "(\\operatorname{vec}" SYMBOL ")"
    FUNC       := \\det | \\log | \\ln | \\exp | \\sin | \\cos | \\operatorname{tr | adj | vec | diag
                | softmax | lse | logsumexp | sign | sgn | relu | ReLU | step}
    ONES       := \\mathbf 1 | \\boldsymbol 1 | \\mathbb 1 | \\bm 1
    SPECTRAL   := "\\lambda" | "\\sigma"      # eigenvalue, singular value (with an index)
    index      := INTEGER | "\\max" | "\\min" | LETTER   # 1 is the largest; a letter is drawn
    PRIMES     := "'" | "''" | "^{\\prime}" | "^{\\prime\\prime}"   # f a declared scalar function
    superscript:= T | \\top | \\intercal | \\mathsf T | \\text T | -1 | -T | INTEGER
                | "{" intexpr "}"             # k - 1, k - 1 - r, -k
                | "{" realexpr "}"            # \\alpha - 1, \\frac{1}{2}: of a scalar only
                | "{\\circ" (intexpr | realexpr) "}"   # every entry to the power
    intexpr    := expr of integers, declared positive integers and the indices in scope
    realexpr   := expr with a fraction or a symbol declared 'scalar' (a real exponent or order)

A finite sum ``\\sum_{r=0}^{k-1}`` binds the letter ``r`` (an :class:`Index`, not a declared
symbol) in its summand, which runs to the next ``+`` or ``-`` outside brackets (Kronecker and
entrywise products included: ``\\sum_r A \\otimes B`` sums the Kronecker products). The shape
checker makes sure exponents and bounds are integer expressions. An integral ``\\int_0^1 … ds``
binds ``s`` the same way, as a real number; its integrand runs to the first ``d`` followed by a
letter that is not a declared symbol. An exponent with a fraction or a real scalar makes a real
power of a positive scalar (:class:`RealPower`), ``^{\\circ …}`` an entrywise power
(:class:`HadamardPower`), and ``‖x‖_p`` with such a subscript the p-norm (:class:`PNorm`).

FUNC is tr, det, adj (the adjugate: the transpose of the matrix of cofactors), log, exp, sin or
cos. On a scalar, exp, log, sin and cos are the ordinary functions; on a square matrix they are
the matrix (power-series) functions, so ``\\sin X`` is ``Σ (-1)^k X^{2k+1}/(2k+1)!`` and not the
sine of each entry. ``‖X‖_2`` of a matrix is its spectral norm (largest singular value) and
``‖X‖_*`` its nuclear norm.

Symbols are single letters or Greek macros, optionally wrapped in ``\\boldsymbol``, ``\\mathbf``,
``\\bm``, ``\\bold`` or ``\\mathrm``, optionally subscripted (``x_0``). Which names are symbols and
which are generic functions comes from the identity's declarations. ``I``, ``K`` and ``\\sigma``
are the identity matrix, the commutation matrix and the logistic sigmoid unless declared as
symbols. ``\\operatorname{vec}`` stacks columns. The scalar functions exp, log, sin, cos, |·|,
sign, relu, step and σ act entrywise on a vector (a vector has no matrix function);
``\\operatorname{softmax}`` and ``\\operatorname{lse}`` act on a vector, or on each row of a
matrix. The shape checker decides what each application means.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

from .errors import AuthorError
from .lexer import Token, tokenize
from .tree import (
    Add,
    Apply,
    Commutation,
    Derivative,
    Differential,
    Div,
    Func,
    Hadamard,
    HadamardPower,
    IdentityMatrix,
    Index,
    Integral,
    Kronecker,
    Mul,
    Neg,
    Node,
    Number,
    Ones,
    PNorm,
    Power,
    RealPower,
    Relation,
    Spectral,
    Sum,
    Symbol,
    SymbolicPower,
    Transpose,
    walk,
)

WRAPPERS = frozenset(
    [
        r"\boldsymbol",
        r"\mathbf",
        r"\bm",
        r"\bold",
        r"\mathrm",
        r"\mathit",
        r"\mathsf",
        r"\text",
        r"\textrm",
        r"\textbf",
        r"\operatorname",
        r"\pmb",
        r"\vec",
    ]
)
TRANSPOSE_MARKS = frozenset({"T", r"\top", r"\intercal", r"\mathsf{T}", r"\text{T}", "⊤"})
FUNCTION_NAMES = {
    "tr": "tr",
    "Tr": "tr",
    "trace": "tr",
    "det": "det",
    "adj": "adj",
    "log": "log",
    "ln": "log",
    "exp": "exp",
    "sin": "sin",
    "cos": "cos",
    "vec": "vec",
    "diag": "diag",
    "softmax": "softmax",
    "lse": "lse",
    "logsumexp": "lse",
    "sign": "sign",
    "sgn": "sign",
    "relu": "relu",
    "ReLU": "relu",
    "step": "step",
}
#: Function names that may also be written as a macro of their own (``\\det``, ``\\log``, …).
MACRO_FUNCTIONS = frozenset({"tr", "Tr", "trace", "det", "log", "ln", "exp", "sin", "cos"})
NORM_SUBSCRIPTS = {
    "2": "norm2",
    "F": "fro",
    "1": "norm1",
    "3": "norm3",
    "4": "norm4",
    "*": "nuclear",
}
#: Wrappers that make ``1`` the vector of ones.
ONES_WRAPPERS = frozenset({r"\mathbf", r"\boldsymbol", r"\mathbb", r"\bm"})
SPECTRAL_NAMES = {"lambda": "eigenvalue", "sigma": "singular value"}
SPECTRAL_AGGREGATES = {r"\sum": "sum", r"\prod": "prod"}
BINARY_PRODUCTS = {r"\otimes": Kronecker, r"\circ": Hadamard, r"\odot": Hadamard}
FACTOR_STARTS = frozenset({"(", "[", "{", "|", "‖"})
SUPERSCRIPT_HINT = (
    "use ^T (or ^\\top, ^\\text{T}, ^\\mathsf{T}), ^{-1}, ^{-T}, an integer power, an "
    "integer expression of a symbol declared 'positive integer', such as ^{k-1}, or, for a "
    "positive scalar, a real exponent such as ^{\\alpha} or ^{\\frac{1}{2}}"
)
INTEGRAL_HINT = (
    "write \\int_{0}^{1}, the integrand, and the differential of a letter that is not declared "
    "under 'symbols:', as in \\int_0^1 e^{s X} \\, dX \\, e^{(1-s) X} \\, ds"
)
SUM_HINT = (
    "write \\sum_{r=0}^{k-1} followed by the summand, with a single letter r as the index "
    "(\\sum_i \\lambda_i(A) alone sums all the eigenvalues)"
)
GREEK = frozenset(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "varepsilon",
        "zeta",
        "eta",
        "theta",
        "vartheta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "pi",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "varphi",
        "chi",
        "psi",
        "omega",
        "Gamma",
        "Delta",
        "Theta",
        "Lambda",
        "Xi",
        "Pi",
        "Sigma",
        "Upsilon",
        "Phi",
        "Psi",
        "Omega",
    ]
)


@dataclass
class Vocabulary:
    """What the declarations make of names: symbols, generic functions (``scalar_functions``, the
    ones applied entrywise, may carry primes), the real scalars (in an exponent, they make a
    :class:`RealPower`), and their first spelling."""

    symbols: frozenset[str]
    functions: frozenset[str] = frozenset()
    scalar_functions: frozenset[str] = frozenset()
    spellings: dict[str, str] = field(default_factory=dict)
    reals: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _DerivativeOperator:
    """``\\frac{\\partial}{\\partial X}`` before it has taken its operand."""

    variable: str
    vectorized: bool = False
    order: int = 1

    def of(self, operand: Node) -> Derivative:
        return Derivative(operand, self.variable, self.vectorized, self.order)


@dataclass(frozen=True)
class _FunctionOperator:
    """A built-in function name before its argument, such as ``\\det``."""

    name: str


@dataclass(frozen=True)
class _Word:
    """A name read from letters, a Greek macro or a wrapper such as ``\\mathrm{tr}``."""

    text: str
    start: int
    end: int


def parse_relation(source: str, vocabulary: Vocabulary) -> Relation:
    """Parse a formula that must be one chain ``a = b (= c …)``."""
    chains = parse_chains(source, vocabulary)
    if len(chains) != 1:
        raise AuthorError(
            "a checked formula must be one chain of equalities, found several rows",
            "continue a chain on a new row with '&= …', or split it into several displays",
        )
    return chains[0]


def parse_chains(source: str, vocabulary: Vocabulary) -> list[Relation]:
    """Parse a display that may hold several chains of equalities, one per aligned row group."""
    parser = _Parser(source, tokenize(source), vocabulary)
    return parser.chains()


def parse_expression(source: str, vocabulary: Vocabulary) -> Node:
    """Parse a single expression (no ``=``)."""
    parser = _Parser(source, tokenize(source), vocabulary)
    node = parser.expr()
    parser.expect_end()
    return node


class _Parser:
    """One parse of one LaTeX source; methods follow the grammar in the module docstring."""

    def __init__(
        self,
        source: str,
        tokens: list[Token],
        vocabulary: Vocabulary,
        indices: tuple[str, ...] = (),
    ) -> None:
        self.source = source
        self.tokens = tokens
        self.position = 0
        self.vocabulary = vocabulary
        self.closers: list[str] = []
        #: The indices of the finite sums whose summand is being read.
        self.indices = indices

    # -- token helpers -------------------------------------------------------------------------
    @property
    def current(self) -> Token:
        return self.tokens[self.position]

    def peek(self, offset: int = 1) -> Token:
        index = min(self.position + offset, len(self.tokens) - 1)
        return self.tokens[index]

    def advance(self) -> Token:
        token = self.current
        if token.kind != "end":
            self.position += 1
        return token

    def error(self, message: str, hint: str = "", token: Token | None = None) -> AuthorError:
        token = token or self.current
        where = f"at column {token.start + 1}" if token.kind != "end" else "at the end"
        near = self.source[max(0, token.start - 12) : token.end + 12].strip()
        text = f"{message} {where}"
        if near:
            text += f" (near '{near}')"
        return AuthorError(text, hint, token.start)

    def expect(self, text: str, hint: str = "") -> Token:
        if self.current.text != text:
            found = self.current.text or "the end of the formula"
            raise self.error(f"expected '{text}' but found '{found}'", hint)
        return self.advance()

    def expect_end(self) -> None:
        if self.current.text == "'":
            raise self.prime_error()
        if self.current.kind != "end":
            raise self.error(
                f"unexpected '{self.current.text}'",
                "check for an unbalanced bracket or an unsupported macro",
            )

    # -- grammar ---------------------------------------------------------------------------------
    def chains(self) -> list[Relation]:
        result = [self.relation()]
        while self.current.kind == "rowbreak":
            self.advance()
            if self.current.kind == "end":
                break
            result.append(self.relation())
        self.expect_end()
        return result

    def relation(self) -> Relation:
        if self.current.kind == "end":
            raise self.error("the formula is empty", "write the identity between the $$ lines")
        sides = [self.expr()]
        while True:
            if self.current.text == "=":
                self.advance()
            elif self.current.kind == "rowbreak" and self.peek().text == "=":
                self.advance()
                self.advance()
            else:
                break
            sides.append(self.expr())
        while self.current.text in (".", ","):
            self.advance()
        return Relation(tuple(sides))

    def expr(self) -> Node:
        terms: list[Node] = []
        sign = self._sign()
        terms.append(self._signed(self.kron(), sign))
        while True:
            if self.current.kind == "rowbreak" and self.peek().text in ("+", "-"):
                self.advance()
            if self.current.text not in ("+", "-"):
                break
            sign = self._sign()
            terms.append(self._signed(self.kron(), sign))
        return terms[0] if len(terms) == 1 else Add(tuple(terms))

    def _sign(self) -> int:
        sign = 1
        while self.current.text in ("+", "-"):
            if self.advance().text == "-":
                sign = -sign
        return sign

    @staticmethod
    def _signed(node: Node, sign: int) -> Node:
        return Neg(node) if sign < 0 else node

    def kron(self) -> Node:
        node = self.product()
        while self.current.text in BINARY_PRODUCTS:
            kind = BINARY_PRODUCTS[self.advance().text]
            node = kind(node, self.product())
        return node

    def product(self) -> Node:
        factors: list[Node | _DerivativeOperator] = []
        while True:
            if self.current.text in (r"\cdot", r"\times") and factors:
                self.advance()
            elif not self._starts_factor():
                break
            factors.append(self.factor())
        if not factors:
            found = self.current.text or "the end of the formula"
            raise self.error(
                f"expected an expression but found '{found}'",
                "check for a missing operand or an unsupported macro",
            )
        return self._fold_product(factors)

    def _fold_product(self, factors: list[Node | _DerivativeOperator]) -> Node:
        """Apply each ∂/∂X operator to everything after it in the product."""
        for index, factor in enumerate(factors):
            if isinstance(factor, _DerivativeOperator):
                rest = factors[index + 1 :]
                if not rest:
                    raise AuthorError(
                        f"the derivative operator ∂/∂{factor.variable} has nothing to act on",
                        "write the expression to differentiate after the operator",
                    )
                operand = self._fold_product(rest)
                head = [f for f in factors[:index] if isinstance(f, Node)]
                node = factor.of(operand)
                return node if not head else Mul((*head, node))
        nodes = [f for f in factors if isinstance(f, Node)]
        return nodes[0] if len(nodes) == 1 else Mul(tuple(nodes))

    def _starts_factor(self) -> bool:
        token = self.current
        if token.kind == "end" or (self.closers and token.text == self.closers[-1]):
            return False
        if token.kind in ("letter", "num"):
            return True
        if token.kind == "char":
            return token.text in FACTOR_STARTS
        if token.kind == "cmd":
            return token.text not in BINARY_PRODUCTS and token.text not in (r"\cdot", r"\times")
        return False

    def factor(self) -> Node | _DerivativeOperator:
        token = self.current
        if token.text in (r"\frac", r"\tfrac", r"\dfrac"):
            fraction = self.fraction()
            if isinstance(fraction, _DerivativeOperator):
                return fraction
            return self.postfix(fraction)
        if token.text in ONES_WRAPPERS and self._ones_follows():
            return self.postfix(self.ones())
        if token.text in SPECTRAL_AGGREGATES and self._before_eigenvalues():
            return self.aggregate()
        if token.text == r"\sum":
            return self.finite_sum()
        if token.text == r"\int":
            return self.integral()
        word = self._try_word()
        if word is not None:
            return self._word_factor(word)
        return self.postfix(self.atom())

    def _ones_follows(self) -> bool:
        following = self.peek()
        if following.text == "{":
            return self.peek(2).text == "1" and self.peek(3).text == "}"
        return following.kind == "num" and following.text.startswith("1")

    def ones(self) -> Ones:
        """``\\mathbf 1`` or ``\\mathbf{1}_n``: the vector of ones."""
        self.advance()
        self._collect_group()
        size = ""
        if self.current.text == "_":
            self.advance()
            size = self._braced_text()
        return Ones(size)

    def _word_factor(self, word: _Word) -> Node:
        name = word.text
        if name in self.indices:
            return self.postfix(Index(name))
        if name in self.vocabulary.functions:
            return self.postfix(self._apply(name, word))
        if name in self.vocabulary.symbols:
            return self.postfix(self._symbol(word))
        if name == "d":
            return self.differential()
        if name == "e" and self.current.text == "^":
            return self.exponential()
        base, _, index = name.partition("_")
        if base in SPECTRAL_NAMES and index and self.current.text == "(":
            return self.postfix(self.spectral(SPECTRAL_NAMES[base], index, word))
        if name in FUNCTION_NAMES:
            return self.function_application(FUNCTION_NAMES[name])
        if name == "I":
            return self.postfix(IdentityMatrix())
        if name.startswith("I_"):
            return self.postfix(IdentityMatrix(name[2:]))
        if name.startswith("K_"):
            return self.postfix(Commutation(name[2:]))
        if name == "sigma" and self.current.text == "(":
            return self.postfix(Func("sigma", self.group("(", ")")))
        if len(name) > 1 and all(part in self.vocabulary.symbols for part in name):
            nodes = [Symbol(part) for part in name]
            return Mul((*tuple(nodes[:-1]), self.postfix(nodes[-1])))
        raise AuthorError(
            f"undeclared symbol '{name}' at column {word.start + 1}",
            f"declare it under 'symbols:' (for example '{name}: matrix n x n'), or correct the "
            "spelling",
            word.start,
        )

    def _symbol(self, word: _Word) -> Symbol:
        self.vocabulary.spellings.setdefault(word.text, self.source[word.start : word.end])
        return Symbol(word.text)

    def _apply(self, name: str, word: _Word) -> Node:
        self.vocabulary.spellings.setdefault(name, self.source[word.start : word.end])
        order = self._primes(name)
        if self.current.text != "(":
            raise self.error(
                f"the function '{name}' must be applied to an argument in parentheses",
                f"write {name}(X)",
            )
        return Apply(name, self.group("(", ")"), order)

    def differential(self) -> Node:
        if self.current.text in ("(", "["):
            closing = ")" if self.current.text == "(" else "]"
            return self._transposed_only(Differential(self.group(self.current.text, closing)))
        if self.current.text in ("|", "‖"):
            return self._transposed_only(Differential(self.atom()))
        word = self._try_word()
        if word is not None and word.text in FUNCTION_NAMES:
            return Differential(self.function_application(FUNCTION_NAMES[word.text]))
        if word is not None and word.text == "sigma" and word.text not in self.vocabulary.symbols:
            return Differential(self._word_factor(word))
        if word is not None and word.text not in self.vocabulary.symbols:
            base, _, index = word.text.partition("_")
            if base in SPECTRAL_NAMES and index and self.current.text == "(":
                return Differential(self.spectral(SPECTRAL_NAMES[base], index, word))
        if word is None or word.text not in self.vocabulary.symbols:
            raise self.error(
                "a differential 'd' must be followed by a declared symbol, a function such as "
                "\\det, or a bracket",
                "write d\\boldsymbol{X}, d\\det\\boldsymbol{X} or d(\\dots)",
            )
        return self._transposed_only(Differential(self._symbol(word)))

    def _transposed_only(self, node: Node) -> Node:
        """A differential may be transposed; any other power of it is ambiguous."""
        while self.current.text == "^":
            exponent = self._superscript()
            if exponent != "T":
                raise self.error(
                    "a power of a differential is ambiguous",
                    "write d(X^{k}) for the differential of a power, or (dX)^{k} for a power of "
                    "the differential",
                )
            node = Transpose(node)
        return node

    def function_application(self, name: str) -> Node:
        if self.current.text in ("(", "["):
            closing = ")" if self.current.text == "(" else "]"
            return self.postfix(Func(name, self.group(self.current.text, closing)))
        start = self.current
        operand = self.factor()
        if isinstance(operand, _DerivativeOperator):
            raise self.error("a function cannot be applied to a derivative operator", token=start)
        if self._starts_factor() and name != "log":
            raise self.error(
                f"the argument of {name} is ambiguous",
                f"write \\operatorname{{{name}}}(…) with parentheses around the whole argument",
                start,
            )
        return Func(name, operand)

    def exponential(self) -> Node:
        """``e^{…}``: the exponential of the superscript (a matrix exponential on a matrix)."""
        self.advance()
        return Func("exp", self._sub_expression(self._collect_group()))

    def spectral(self, kind: str, index: str, word: _Word) -> Spectral:
        index = index.lstrip("\\")
        if not (
            index.isdigit() or index in ("max", "min") or (len(index) == 1 and index.isalpha())
        ):
            raise self.error(
                f"unsupported index '{index}' of {'λ' if kind == 'eigenvalue' else 'σ'}",
                "write an integer (1 is the largest), \\max, \\min or a single letter such as i",
                Token("cmd", "", word.start, word.end),
            )
        if index.isdigit() and int(index) < 1:
            raise self.error("eigenvalues and singular values are numbered from 1", "write λ_1")
        return Spectral(kind, index, self.group("(", ")"))

    def _before_eigenvalues(self) -> bool:
        """Whether ``\\sum``/``\\prod`` is followed by ``_i \\lambda`` (or ``_{i} \\lambda``)."""
        if self.peek().text != "_":
            return False
        after = 3 if self.peek(2).kind == "letter" else 5
        return self.peek(after).text == r"\lambda"

    def aggregate(self) -> Spectral:
        """``\\sum_i \\lambda_i(A)`` or ``\\prod_i \\lambda_i(A)``: all eigenvalues at once."""
        operator = self.advance()
        self.expect("_", "write \\sum_i \\lambda_i(A) or \\prod_i \\lambda_i(A)")
        letter = self._braced_text()
        word = self._try_word()
        expected = f"lambda_{letter}"
        if word is None or word.text != expected or self.current.text != "(":
            raise self.error(
                f"{operator.text} is read only in front of the eigenvalues of a matrix",
                f"write {operator.text}_{letter} \\lambda_{letter}(A), with the same index",
                operator,
            )
        operand = self.group("(", ")")
        return Spectral("eigenvalue", SPECTRAL_AGGREGATES[operator.text], operand, letter)

    def finite_sum(self) -> Sum:
        """``\\sum_{r=0}^{k-1}`` and its summand, read up to the next ``+`` or ``-``."""
        operator = self.advance()
        if self.current.text != "_":
            raise self.error("a sum needs its index and bounds", SUM_HINT, operator)
        self.advance()
        lower = self._collect_group()
        if len(lower) < 3 or lower[0].kind != "letter" or lower[1].text != "=":
            raise self.error(
                "the lower bound of a sum must name its index, as in \\sum_{r=0}",
                SUM_HINT,
                operator,
            )
        index = lower[0].text
        if index in self.vocabulary.symbols or index in self.indices:
            raise self.error(
                f"the index '{index}' of the sum is already "
                f"{'declared as a symbol' if index in self.vocabulary.symbols else 'an index'}",
                "give the index of the sum a letter of its own, such as r or s, and do not "
                "declare it under 'symbols:'",
                operator,
            )
        if self.current.text != "^":
            raise self.error("the sum has no upper bound", SUM_HINT, operator)
        self.advance()
        upper = self._collect_group()
        bounds = self._sub_expression(lower[2:]), self._sub_expression(upper)
        if not self._starts_factor():
            raise self.error("the sum has no summand", SUM_HINT, operator)
        enclosing = self.indices
        self.indices = (*enclosing, index)
        try:
            body = self.kron()
        finally:
            self.indices = enclosing
        return Sum(index, *bounds, body)

    def integral(self) -> Integral:
        """``\\int_{a}^{b} body \\, ds``: the body runs to the ``ds`` that names the variable."""
        operator = self.advance()
        if self.current.text != "_":
            raise self.error("an integral needs its bounds", INTEGRAL_HINT, operator)
        self.advance()
        lower = self._collect_group()
        if self.current.text != "^":
            raise self.error("the integral has no upper bound", INTEGRAL_HINT, operator)
        self.advance()
        upper = self._collect_group()
        bounds = self._sub_expression(lower), self._sub_expression(upper)
        end = self._integration_variable_at()
        if end is None:
            raise self.error(
                "the integral does not end with the differential of its variable",
                INTEGRAL_HINT,
                operator,
            )
        variable = self.tokens[end + 1].text
        if variable in self.indices:
            raise self.error(
                f"the variable '{variable}' of the integral is already the index of a sum",
                "give the variable of the integral a letter of its own, such as s or t",
                operator,
            )
        body = self.tokens[self.position : end]
        if not body:
            raise self.error("the integral has no integrand", INTEGRAL_HINT, operator)
        stop = Token("end", "", body[-1].end, body[-1].end)
        reals = replace(self.vocabulary, reals=self.vocabulary.reals | {variable})
        inner = _Parser(self.source, [*body, stop], reals, (*self.indices, variable))
        integrand = inner.expr()
        inner.expect_end()
        self.position = end + 2
        return Integral(variable, *bounds, integrand)

    def _integration_variable_at(self) -> int | None:
        """Where the ``d`` of the integral's ``ds`` stands: the first ``d`` outside brackets
        followed by a letter that is not a declared symbol (None if there is none)."""
        depth = 0
        for position in range(self.position, len(self.tokens) - 2):
            token = self.tokens[position]
            if token.text in ("{", "(", "["):
                depth += 1
            elif token.text in ("}", ")", "]"):
                depth -= 1
                if depth < 0:
                    return None
            elif depth == 0 and token.kind == "letter" and token.text == "d":
                letter = self.tokens[position + 1]
                if letter.kind == "letter" and letter.text not in self.vocabulary.symbols:
                    return position
        return None

    def group(self, opening: str, closing: str) -> Node:
        self.expect(opening)
        self.closers.append(closing)
        node = self.expr()
        self.closers.pop()
        self.expect(closing, f"close the bracket opened with '{opening}'")
        return node

    def atom(self) -> Node:
        token = self.current
        if token.kind == "num":
            self.advance()
            return Number(Fraction(token.text))
        if token.text == "(":
            return self.group("(", ")")
        if token.text == "[":
            return self.group("[", "]")
        if token.text == "{":
            return self.group("{", "}")
        if token.text == "|":
            return Func("abs", self.group("|", "|"))
        if token.text == "‖":
            return self.norm()
        if token.text == "'":
            raise self.prime_error()
        if token.kind == "cmd":
            raise self.error(
                f"unknown macro {token.text}",
                "use a macro from the authoring guide's list, or declare the symbol",
            )
        raise self.error(f"unexpected '{token.text or 'end of formula'}'")

    def norm(self) -> Node:
        """``‖x‖``, ``‖x‖_1`` … ``‖x‖_4``, ``‖X‖_F``, ``‖X‖_*``, or ``‖x‖_p`` for a real ``p``."""
        operand = self.group("‖", "‖")
        kind = "norm2"
        if self.current.text == "_":
            underscore = self.advance()
            tokens = self._braced_tokens()
            subscript = "".join(t.text for t in tokens)
            if subscript in NORM_SUBSCRIPTS:
                return Func(NORM_SUBSCRIPTS[subscript], operand)
            order = self._norm_order(tokens)
            if order is None or not self._real(order):
                raise self.error(
                    f"unsupported norm subscript '{subscript}'",
                    "use \\|x\\|_1, \\|x\\|_2, \\|x\\|_3, \\|x\\|_4, \\|X\\|_F, \\|X\\|_2, "
                    "\\|X\\|_*, or \\|x\\|_p with p declared 'scalar'",
                    underscore,
                )
            return PNorm(operand, order)
        return Func(kind, operand)

    def _norm_order(self, tokens: list[Token]) -> Node | None:
        """The order ``p`` of ``‖x‖_p`` read as an expression, None if it is not one."""
        try:
            return self._sub_expression(tokens)
        except AuthorError:
            return None

    def fraction(self) -> Node | _DerivativeOperator:
        self.advance()
        numerator = self._collect_group()
        denominator = self._collect_group()
        if self._is_leibniz(numerator, denominator):
            return self._derivative(numerator, denominator)
        top = self._sub_expression(numerator)
        bottom = self._sub_expression(denominator)
        if isinstance(top, Number) and isinstance(bottom, Number):
            if bottom.value == 0:
                raise self.error("division by zero in a fraction")
            return Number(top.value / bottom.value)
        return Div(top, bottom)

    def _is_leibniz(self, numerator: list[Token], denominator: list[Token]) -> bool:
        """``\\frac{\\partial Y}{…}`` always; ``\\frac{dY}{dX}`` only when both start with d."""
        if not numerator or not self._is_derivative_mark(numerator[0]):
            return False
        if numerator[0].text == r"\partial":
            return True
        return bool(denominator) and self._is_derivative_mark(denominator[0])

    def _is_derivative_mark(self, token: Token) -> bool:
        if token.text == r"\partial":
            return True
        return token.text == "d" and "d" not in self.vocabulary.symbols

    def _derivative(
        self, numerator: list[Token], denominator: list[Token]
    ) -> Node | _DerivativeOperator:
        if not denominator or not self._is_derivative_mark(denominator[0]):
            raise self.error(
                "a derivative's denominator must be '\\partial X' for a declared symbol X",
                "write \\frac{\\partial Y}{\\partial X}",
            )
        order, numerator = self._order(numerator)
        marks = [i for i, t in enumerate(denominator) if t.text == denominator[0].text]
        if order == 1 and len(marks) > 1:
            raise self.error(
                "a derivative's denominator names two variables but its numerator has no '^2'",
                "write \\frac{\\partial^2 f}{\\partial x \\partial x^\\top} for a Hessian",
            )
        if order == 2:
            operator = self._hessian_variable(denominator, marks)
        else:
            operator = self._variable(denominator[1:])
        if len(numerator) == 1:
            return operator
        return operator.of(self._sub_expression(numerator[1:]))

    def _order(self, numerator: list[Token]) -> tuple[int, list[Token]]:
        """``\\partial^2`` (or ``\\partial^{2}``) makes a second derivative."""
        texts = [t.text for t in numerator[1:5]]
        for pattern in (["^", "2"], ["^", "{", "2", "}"]):
            if texts[: len(pattern)] == pattern:
                return 2, [numerator[0], *numerator[1 + len(pattern) :]]
        if texts[:1] == ["^"]:
            raise self.error(
                "only first and second derivatives are read",
                "write \\partial or \\partial^2 in the numerator",
            )
        return 1, numerator

    def _hessian_variable(self, denominator: list[Token], marks: list[int]) -> _DerivativeOperator:
        """``\\partial x \\partial x^T``: the same variable, the second time transposed."""
        if len(marks) != 2 or marks[0] != 0:
            raise self.error(
                "a second derivative's denominator must be '\\partial x \\partial x^\\top'",
                "write \\frac{\\partial^2 f}{\\partial x \\partial x^\\top}, or "
                "\\partial \\operatorname{vec} X \\partial (\\operatorname{vec} X)^\\top",
            )
        first = self._variable(denominator[1 : marks[1]])
        second = self._sub_expression(denominator[marks[1] + 1 :])
        target = first.variable if not first.vectorized else f"vec {first.variable}"
        if not isinstance(second, Transpose) or self._variable_text(second.operand) != target:
            raise self.error(
                "a Hessian differentiates twice by the same variable, the second time transposed",
                "write \\partial x \\partial x^\\top (or \\partial \\operatorname{vec} X "
                "\\partial (\\operatorname{vec} X)^\\top)",
            )
        return _DerivativeOperator(first.variable, first.vectorized, 2)

    @staticmethod
    def _variable_text(node: Node) -> str:
        if isinstance(node, Symbol):
            return node.name
        if isinstance(node, Func) and node.name == "vec" and isinstance(node.operand, Symbol):
            return f"vec {node.operand.name}"
        return ""

    def _variable(self, tokens: list[Token]) -> _DerivativeOperator:
        """The variable after ``\\partial``: a declared symbol ``X`` or ``\\operatorname{vec} X``."""
        variable = self._sub_expression(tokens)
        text = self._variable_text(variable)
        if not text:
            written = "".join(t.text for t in tokens)
            raise self.error(
                f"the derivative is taken with respect to '{written}', which is not a declared "
                "symbol",
                "differentiate with respect to a single declared symbol, such as \\partial "
                "\\boldsymbol{X}, or its vec, \\partial \\operatorname{vec} \\boldsymbol{X}",
            )
        name = text.removeprefix("vec ")
        if name in self.vocabulary.functions:
            raise self.error(f"cannot differentiate with respect to the function {name}")
        return _DerivativeOperator(name, text.startswith("vec "))

    def _collect_group(self) -> list[Token]:
        """The tokens of one ``{...}`` argument (or a single token), with their end marker."""
        if self.current.text != "{":
            self._split_leading_digit()
            return [self.advance()]
        self.advance()
        depth = 1
        collected: list[Token] = []
        while True:
            token = self.advance()
            if token.kind == "end":
                raise self.error("unbalanced braces: a '{' is never closed", "add the missing '}'")
            if token.text == "{":
                depth += 1
            elif token.text == "}":
                depth -= 1
                if depth == 0:
                    return collected
            collected.append(token)

    def _split_leading_digit(self) -> None:
        """TeX takes one digit as an undelimited argument: ``\\frac12`` is ½, ``x^23`` is x²·3."""
        token = self.current
        if token.kind == "num" and len(token.text) > 1:
            head = Token("num", token.text[0], token.start, token.start + 1)
            shift = token.start + 1
            tail = [
                Token(t.kind, t.text, t.start + shift, t.end + shift)
                for t in tokenize(token.text[1:])[:-1]
            ]
            self.tokens[self.position : self.position + 1] = [head, *tail]

    def _sub_expression(self, tokens: list[Token]) -> Node:
        if not tokens:
            raise self.error("empty argument in \\frac", "write something in both braces")
        end = Token("end", "", tokens[-1].end, tokens[-1].end)
        sub = _Parser(self.source, [*tokens, end], self.vocabulary, self.indices)
        node = sub.expr()
        sub.expect_end()
        return node

    def prime_error(self, token: Token | None = None) -> AuthorError:
        """A prime where no scalar function takes it."""
        return self.error(
            "a prime (') marks a derivative only right after a function declared 'scalar "
            "function', as in f'(x)",
            "declare 'f: scalar function' and write f'(x) or f''(x); write other derivatives as "
            "\\frac{\\partial …}{\\partial …}",
            token,
        )

    def _primes(self, name: str) -> int:
        """The primes after a function's name: ``'``, ``''``, ``^{\\prime}``, ``^{\\prime\\prime}``."""
        start = self.current
        order = 0
        while self.current.text == "'":
            self.advance()
            order += 1
        if not order and self.current.text == "^" and self.peek().text in ("{", r"\prime"):
            saved = self.position
            self.advance()
            marks = [t.text for t in self._collect_group() if t.text not in ("{", "}")]
            if marks and set(marks) == {r"\prime"}:
                order = len(marks)
            else:
                self.position = saved
        if order and name not in self.vocabulary.scalar_functions:
            raise self.error(
                f"'{name}' is not a scalar function, so it has no derivative written with a prime",
                f"declare '{name}: scalar function' if it acts on each entry, or write its "
                "derivative as \\frac{\\partial …}{\\partial …}",
                start,
            )
        if order > 2:
            raise self.error(
                f"{name} carries {order} primes; the checker reads {name}' and {name}'' only",
                f"write at most two primes, {name}''(x)",
                start,
            )
        return order

    def postfix(self, node: Node) -> Node:
        if self.current.text == "'":
            raise self.prime_error()
        while self.current.text == "^":
            caret, tokens, exponent = self._script()
            if tokens and tokens[0].text == r"\circ":
                power = self._symbolic_exponent(caret, tokens[1:])
                node = HadamardPower(node, power, self._real(power))
            elif exponent is None:
                power = self._symbolic_exponent(caret, tokens)
                node = (RealPower if self._real(power) else SymbolicPower)(node, power)
            else:
                node = _apply_exponent(node, exponent)
        return node

    def _superscript(self) -> str:
        """Read ``^...`` and return ``T``, ``-T`` or an integer as text."""
        caret, tokens, exponent = self._script()
        if exponent is None:
            text = "".join(t.text for t in tokens)
            raise self.error(f"unsupported superscript '^{{{text}}}'", SUPERSCRIPT_HINT, caret)
        return exponent

    def _script(self) -> tuple[Token, list[Token], str | None]:
        """Read ``^...``: the caret, the tokens of the superscript without wrappers, and ``T``,
        ``-T`` or an integer as text (None for anything else, such as ``k - 1``)."""
        caret = self.advance()
        tokens = self._braced_tokens()
        text = "".join(t.text for t in tokens)
        if text.replace(r"\prime", "") == "" and text:
            raise self.prime_error(caret)
        for mark in TRANSPOSE_MARKS:
            text = text.replace(mark, "T")
        if text in ("T", "-T"):
            return caret, tokens, text
        try:
            int(text)
        except ValueError:
            return caret, tokens, None
        return caret, tokens, text

    def _symbolic_exponent(self, caret: Token, tokens: list[Token]) -> Node:
        """The exponent of ``X^{k-1}`` (an expression in integers, declared positive integers
        and summation indices) or of ``s^{\\alpha}`` (one with a fraction or a real scalar); the
        shape checker holds each to those."""
        text = "".join(t.text for t in tokens)
        try:
            return self._sub_expression(tokens)
        except AuthorError as error:
            raise self.error(
                f"unsupported superscript '^{{{text}}}': {error.message}", SUPERSCRIPT_HINT, caret
            ) from None

    def _real(self, exponent: Node) -> bool:
        """Whether ``exponent`` makes a power real: it holds a fraction, a real scalar or the
        variable of an enclosing integral."""
        return any(
            (isinstance(node, Number) and node.value.denominator != 1)
            or (isinstance(node, (Symbol, Index)) and node.name in self.vocabulary.reals)
            for node in walk(exponent)
        )

    def _braced_tokens(self) -> list[Token]:
        """The tokens of a superscript or subscript argument, with wrappers removed."""
        tokens = self._collect_group()
        if len(tokens) == 1 and tokens[0].text in WRAPPERS:
            tokens += self._collect_group()
        return [t for t in tokens if t.text not in WRAPPERS and t.text not in ("{", "}")]

    def _braced_text(self) -> str:
        """The text of a superscript or subscript argument, with wrappers removed."""
        return "".join(t.text for t in self._braced_tokens())

    def _try_word(self) -> _Word | None:
        """Read a name: a letter, a Greek macro, or a wrapper around either; with subscripts."""
        token = self.current
        if token.kind == "letter":
            self.advance()
            word = _Word(token.text, token.start, token.end)
        elif token.kind == "cmd" and (token.text[1:] in GREEK or token.text[1:] in MACRO_FUNCTIONS):
            self.advance()
            word = _Word(token.text[1:], token.start, token.end)
        elif token.kind == "cmd" and token.text in WRAPPERS:
            word = self._wrapped_word()
        else:
            return None
        if self.current.text == "_" and word.text not in FUNCTION_NAMES:
            self.advance()
            subscript = self._braced_text()
            end = self.tokens[self.position - 1].end
            word = _Word(f"{word.text}_{subscript}", word.start, end)
        return word

    def _wrapped_word(self) -> _Word:
        wrapper = self.advance()
        inner = self._collect_group()
        text = "".join(t.text[1:] if t.text[1:] in GREEK else t.text for t in inner)
        text = "".join(ch for ch in text if ch not in "{}")
        if not text or any(t.kind not in ("letter", "cmd", "char") for t in inner):
            raise self.error(
                f"{wrapper.text}{{…}} must wrap a name", "write \\boldsymbol{X}", wrapper
            )
        if any(t.text in WRAPPERS for t in inner):
            text = "".join(t.text for t in inner if t.kind == "letter" or t.text[1:] in GREEK)
        end = self.tokens[self.position - 1].end
        return _Word(text.lstrip("\\"), wrapper.start, end)


def _apply_exponent(node: Node, exponent: str) -> Node:
    if exponent == "T":
        return Transpose(node)
    if exponent == "-T":
        return Transpose(Power(node, -1))
    power = int(exponent)
    if power == 1:
        return node
    return Power(node, power)
