"""Prints an expression tree back to the LaTeX the parser reads.

One method per node type, as in SymPy's printers; brackets are added only where the parser would
otherwise read the text differently (a sum inside a product, a product under a transpose, …).
Used to show mutants and counterexamples, to check that print → parse gives the tree back, and to
print a formula converted to the other layout in the author's own spelling of symbols and
transposes.
"""

from __future__ import annotations

from fractions import Fraction

from .parser import GREEK
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
)

FUNCTION_MACROS = {
    "tr": r"\operatorname{tr}",
    "det": r"\det",
    "log": r"\log",
    "exp": r"\exp",
    "sin": r"\sin",
    "cos": r"\cos",
    "sigma": r"\sigma",
    **{
        name: rf"\operatorname{{{name}}}"
        for name in ("adj", "vec", "diag", "softmax", "lse", "sign", "relu", "step")
    },
}
NORM_SUBSCRIPTS = {
    "norm2": "2",
    "fro": "F",
    "norm1": "1",
    "norm3": "3",
    "norm4": "4",
    "nuclear": "*",
}
SPECTRAL_MACROS = {"eigenvalue": r"\lambda", "singular value": r"\sigma"}
AGGREGATE_MACROS = {"sum": r"\sum", "prod": r"\prod"}
#: Nodes printed as a single name, which a superscript may follow directly.
NAMES = (Symbol, IdentityMatrix, Ones, Commutation, Apply, Index)
#: What makes printed LaTeX taller than a line of text, so that delimiters around it are sized.
TALL = (r"\frac", r"\sum", r"\prod", r"\left")


def to_latex(
    node: Node,
    spellings: dict[str, str] | None = None,
    transpose_mark: str = r"\top",
    broken: bool = False,
) -> str:
    """The LaTeX of ``node``; ``spellings`` maps a symbol's name to how the author wrote it
    (``\\boldsymbol{X}``), ``transpose_mark`` is the superscript of a transpose (``\\text T``).
    A relation printed ``broken`` is set on several lines (see :meth:`LatexPrinter.lines`)."""
    printer = LatexPrinter(spellings or {}, transpose_mark)
    return printer.lines(node) if broken and isinstance(node, Relation) else printer.print(node)


class LatexPrinter:
    """Dispatches on the node type to ``_print_<NodeType>``."""

    def __init__(self, spellings: dict[str, str], transpose_mark: str) -> None:
        self.spellings = spellings
        self.mark = transpose_mark

    def print(self, node: Node) -> str:
        return getattr(self, f"_print_{type(node).__name__}")(node)

    def bracket(self, node: Node) -> str:
        return enclose(self.print(node), "(", ")")

    def _print_Relation(self, node: Relation) -> str:
        return " = ".join(self.print(side) for side in node.sides)

    def lines(self, node: Relation) -> str:
        """The relation as an ``aligned`` block, set as an author sets a formula too wide for one
        line: the first side on a line of its own, each further side on the next after
        ``\\quad =``, and each further term of a sum on a line of its own after
        ``\\qquad {} +`` (or ``-``; the empty group keeps the sign binary), all aligned on the
        left."""
        lines = [f"& {self.print(node.sides[0])}"]
        for side in node.sides[1:]:
            terms = self._signed_terms(side) if isinstance(side, Add) else [self.print(side)]
            lines.append(rf"&\quad = {terms[0]}")
            lines += [rf"&\qquad {{}} {term}" for term in terms[1:]]
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def _print_Number(self, node: Number) -> str:
        value = Fraction(node.value)
        if value.denominator == 1:
            return str(value.numerator)
        return rf"\frac{{{value.numerator}}}{{{value.denominator}}}"

    def _print_Symbol(self, node: Symbol) -> str:
        if node.name in self.spellings:
            return self.spellings[node.name]
        base, _, subscript = node.name.partition("_")
        text = f"\\{base}" if base in GREEK else base
        return f"{text}_{{{subscript}}}" if subscript else text

    def _print_IdentityMatrix(self, node: IdentityMatrix) -> str:
        base = self.spellings.get("I", "I")
        return f"{base}_{{{node.size}}}" if node.size else base

    def _print_Ones(self, node: Ones) -> str:
        return rf"\mathbf{{1}}_{{{node.size}}}" if node.size else r"\mathbf{1}"

    def _print_Commutation(self, node: Commutation) -> str:
        return f"{self.spellings.get('K', 'K')}_{{{node.subscript}}}"

    def _print_Add(self, node: Add) -> str:
        return " ".join(self._signed_terms(node))

    def _signed_terms(self, node: Add) -> list[str]:
        """The terms of a sum, each but the first after its sign (``+ B``, ``- C``)."""
        first = node.terms[0]
        terms = [self.print(first) if not isinstance(first, Add) else self.bracket(first)]
        for term in node.terms[1:]:
            if isinstance(term, Neg):
                terms.append("- " + self._term(term.operand))
            else:
                terms.append("+ " + self._term(term))
        return terms

    def _term(self, node: Node) -> str:
        """``node``, bracketed if it is a sum of terms or a negation (a term after a sign, the
        summand of a sum or an integral, an operand of a derivative, an entrywise exponent)."""
        return self.bracket(node) if isinstance(node, (Add, Neg)) else self.print(node)

    def _print_Neg(self, node: Neg) -> str:
        return "-" + self._term(node.operand)

    def _print_Mul(self, node: Mul) -> str:
        parts = []
        for factor in node.factors:
            # A sum runs to the end of the product: one that is not its last factor is bracketed.
            last_sum = isinstance(factor, Sum) and factor is node.factors[-1]
            if isinstance(factor, (Add, Neg, Mul, Hadamard, Kronecker, Sum)) and not last_sum:
                parts.append(self.bracket(factor))
            else:
                parts.append(self.print(factor))
        return " ".join(parts)

    def _print_Div(self, node: Div) -> str:
        return rf"\frac{{{self.print(node.numerator)}}}{{{self.print(node.denominator)}}}"

    def _base(self, node: Node) -> str:
        if (
            isinstance(node, NAMES)
            or _is_bars(node)
            or _in_parentheses(node)
            or (isinstance(node, Spectral) and node.index not in AGGREGATE_MACROS)
        ):
            return self.print(node)
        return self.bracket(node)

    def _print_Transpose(self, node: Transpose) -> str:
        operand = node.operand
        if isinstance(operand, Power) and operand.exponent == -1:
            return f"{self._base(operand.base)}^{{-{self.mark}}}"
        return f"{self._base(operand)}^{{{self.mark}}}"

    def _print_Power(self, node: Power) -> str:
        return f"{self._base(node.base)}^{{{node.exponent}}}"

    def _print_SymbolicPower(self, node: SymbolicPower | RealPower) -> str:
        return f"{self._base(node.base)}^{{{self.print(node.exponent)}}}"

    _print_RealPower = _print_SymbolicPower

    def _print_HadamardPower(self, node: HadamardPower) -> str:
        return rf"{self._base(node.base)}^{{\circ {self._term(node.exponent)}}}"

    def _print_PNorm(self, node: PNorm) -> str:
        operand = _barred(self.print(node.operand))
        return enclose(operand, r"\|", r"\|") + f"_{{{self.print(node.order)}}}"

    def _print_Index(self, node: Index) -> str:
        return node.name

    def _print_Sum(self, node: Sum) -> str:
        """``\\sum_{r=0}^{k-1}`` and the summand, bracketed if it is itself a sum of terms."""
        lower, upper = self.print(node.lower), self.print(node.upper)
        return rf"\sum_{{{node.index}={lower}}}^{{{upper}}} {self._term(node.body)}"

    def _binary(self, left: Node, right: Node, operator: str) -> str:
        def side(node: Node) -> str:
            return (
                self.bracket(node)
                if isinstance(node, (Add, Neg, Hadamard, Kronecker, Sum))
                else self.print(node)
            )

        return f"{side(left)} {operator} {side(right)}"

    def _print_Integral(self, node: Integral) -> str:
        """``\\int_{0}^{1} body \\, ds``, the integrand bracketed if it is a sum of terms."""
        lower, upper = self.print(node.lower), self.print(node.upper)
        return rf"\int_{{{lower}}}^{{{upper}}} {self._term(node.body)} \, d{node.variable}"

    def _print_Hadamard(self, node: Hadamard) -> str:
        return self._binary(node.left, node.right, r"\circ")

    def _print_Kronecker(self, node: Kronecker) -> str:
        return self._binary(node.left, node.right, r"\otimes")

    def _print_Func(self, node: Func) -> str:
        operand = self.print(node.operand)
        if node.name == "abs":
            return enclose(_barred(operand), "|", "|")
        if node.name in NORM_SUBSCRIPTS:
            return enclose(_barred(operand), r"\|", r"\|") + f"_{NORM_SUBSCRIPTS[node.name]}"
        if node.name == "log" and _is_bars(node.operand):
            return rf"\log{operand}"  # ``\log|\det X|``: the parser reads bars as the argument
        return FUNCTION_MACROS[node.name] + enclose(operand, "(", ")")

    def _print_Apply(self, node: Apply) -> str:
        name = self.spellings.get(node.function, node.function)
        primes = "'" * node.order
        return f"{name}{primes}({self.print(node.argument)})"

    def _print_Derivative(self, node: Derivative) -> str:
        text = self._term(node.operand)
        variable = self._print_Symbol(Symbol(node.variable))
        if node.vectorized:
            variable = rf"\operatorname{{vec}} {variable}"
        if node.order == 1:
            return rf"\frac{{\partial {text}}}{{\partial {variable}}}"
        transposed = enclose(variable, "(", ")") if node.vectorized else variable
        return (
            rf"\frac{{\partial^{{2}} {text}}}"
            rf"{{\partial {variable} \, \partial {transposed}^{{{self.mark}}}}}"
        )

    def _print_Differential(self, node: Differential) -> str:
        if isinstance(node.operand, Symbol):
            return f"d {self.print(node.operand)}"
        return f"d{self.bracket(node.operand)}"

    def _print_Spectral(self, node: Spectral) -> str:
        macro = SPECTRAL_MACROS[node.kind]
        operand = self.bracket(node.operand)
        if node.index in AGGREGATE_MACROS:
            letter = node.letter
            return rf"{AGGREGATE_MACROS[node.index]}_{{{letter}}} {macro}_{{{letter}}}{operand}"
        index = rf"\{node.index}" if node.index in ("max", "min") else node.index
        return rf"{macro}_{{{index}}}{operand}"


def _is_bars(node: Node) -> bool:
    """Printed between bars (``|…|`` or ``‖…‖``), which delimit it like brackets."""
    return isinstance(node, Func) and (node.name == "abs" or node.name in NORM_SUBSCRIPTS)


def _in_parentheses(node: Node) -> bool:
    """A function printed with its argument in parentheses, ``\\operatorname{tr}(A)``, which a
    superscript may follow (``\\log|x|`` may not: the parser would read ``\\log(|x|^2)``)."""
    return (
        isinstance(node, Func)
        and not _is_bars(node)
        and not (node.name == "log" and _is_bars(node.operand))
    )


def _barred(operand: str) -> str:
    """``operand`` as it may stand between bars: in brackets if it holds a bar itself, which
    would otherwise end them early (the parser, like a reader, pairs bars by position)."""
    return enclose(operand, "(", ")") if "|" in operand else operand


def enclose(text: str, opening: str, closing: str) -> str:
    """``text`` between delimiters, sized to it (``\\left``, ``\\right``) only when it is
    taller than a line of text (:data:`TALL`): ``(A + B)``, but ``\\left(\\frac{1}{2} A\\right)``."""
    if any(mark in text for mark in TALL):
        return rf"\left{opening}{text}\right{closing}"
    return f"{opening}{text}{closing}"
