"""The expression tree that the parser builds and every backend walks.

Nodes are small frozen dataclasses, one per mathematical construct, so that evaluators and
printers can dispatch on the node type (one method per node, as SymPy's printers do). The tree
says nothing about numbers or layouts: meaning is given by the evaluator that walks it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Node:
    """Base class of every tree node."""


@dataclass(frozen=True)
class Number(Node):
    """A rational constant such as ``2`` or ``\\frac{1}{2}``; zero standing alone adopts any
    shape (see :mod:`shapes`)."""

    value: Fraction


@dataclass(frozen=True)
class Symbol(Node):
    """A declared symbol: a scalar, vector or matrix constant, or a variable."""

    name: str


@dataclass(frozen=True)
class IdentityMatrix(Node):
    """The identity matrix ``I``, sized from its context, or ``I_n`` with an explicit size.

    ``size`` is the subscript as written (``n``, ``mn``, ``n^2``); the shape checker reads it.
    """

    size: str = ""


@dataclass(frozen=True)
class Ones(Node):
    """The vector of ones ``\\mathbf 1`` (a column), sized from its context or by ``size``."""

    size: str = ""


@dataclass(frozen=True)
class Commutation(Node):
    """The commutation matrix ``K_{mn}``: ``K_{mn} vec(X) = vec(Xᵀ)`` for an m×n matrix ``X``.

    ``subscript`` is the subscript as written (``mn`` or ``m,n``); the shape checker reads it.
    """

    subscript: str


#: Nodes whose size their context gives (see ``ShapeChecker.identity_sizes``).
SIZED = (IdentityMatrix, Ones, Commutation)


@dataclass(frozen=True)
class Add(Node):
    """A sum of terms; subtraction is an :class:`Neg` term."""

    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Neg(Node):
    """Unary minus."""

    operand: Node


@dataclass(frozen=True)
class Mul(Node):
    """A product by juxtaposition or ``\\cdot``: matrix product, or scaling by a 1×1 factor."""

    factors: tuple[Node, ...]


@dataclass(frozen=True)
class Div(Node):
    """A quotient whose denominator is a scalar."""

    numerator: Node
    denominator: Node


@dataclass(frozen=True)
class Transpose(Node):
    """``A^T`` in any of its spellings."""

    operand: Node


@dataclass(frozen=True)
class Power(Node):
    """An integer power; ``A^{-1}`` is ``Power(A, -1)``."""

    base: Node
    exponent: int


@dataclass(frozen=True)
class SymbolicPower(Node):
    """A power whose exponent is an integer expression of declared integers and summation
    indices, such as ``X^{k-1}`` or ``X^{k-1-r}``; ``exponent`` is that expression (1×1)."""

    base: Node
    exponent: Node


@dataclass(frozen=True)
class RealPower(Node):
    """A positive scalar to a real exponent, such as ``s^{\\alpha}``, ``s^{p-1}`` or
    ``s^{\\frac{1}{2}}``: ``exp(exponent · log base)``. The exponent holds a fraction or a
    declared real scalar; a power whose exponent is an integer expression is a
    :class:`SymbolicPower`."""

    base: Node
    exponent: Node


@dataclass(frozen=True)
class HadamardPower(Node):
    """Every entry to a power, ``A^{\\circ 2}`` or ``|x|^{\\circ (p-1)}``. With ``real`` the
    exponent holds a fraction or a real scalar and every entry must be positive (as for a
    :class:`RealPower`); otherwise it is an integer expression, as for a :class:`SymbolicPower`."""

    base: Node
    exponent: Node
    real: bool


@dataclass(frozen=True)
class PNorm(Node):
    """``‖x‖_p`` of a vector for a real order ``p`` (an expression in declared scalars):
    ``(Σ_i |x_i|^p)^{1/p}``. The orders 1 to 4 are the :class:`Func` norms."""

    operand: Node
    order: Node


@dataclass(frozen=True)
class Index(Node):
    """The bound index of a finite sum (``r`` in ``\\sum_{r=0}^{k-1}``), an integer; its scope
    is the summand."""

    name: str


@dataclass(frozen=True)
class Sum(Node):
    """``\\sum_{index=lower}^{upper} body``: the bounds are integer expressions, the body is
    evaluated once for each integer from ``lower`` to ``upper`` and the values added."""

    index: str
    lower: Node
    upper: Node
    body: Node


@dataclass(frozen=True)
class Integral(Node):
    """``\\int_{a}^{b} body \\, ds``: ``body`` integrated over the real ``variable`` (an
    :class:`Index` in the body) from the scalar ``lower`` to the scalar ``upper``."""

    variable: str
    lower: Node
    upper: Node
    body: Node


@dataclass(frozen=True)
class Func(Node):
    """A built-in function such as ``tr``, ``det``, ``log``, ``abs``, a norm, ``vec``, ``diag``,
    ``softmax``, ``lse`` or the sigmoid; scalar functions act entrywise on vectors."""

    name: str
    operand: Node


@dataclass(frozen=True)
class Apply(Node):
    """A declared generic function applied to an argument, such as ``f(X)``.

    For a scalar function (applied entrywise), ``order`` counts the primes: ``f'(x)`` is its
    derivative and ``f''(x)`` its second derivative, each applied entrywise too.
    """

    function: str
    argument: Node
    order: int = 0

    @property
    def key(self) -> str:
        """The name under which a point holds the function: ``f``, ``f'`` or ``f''``."""
        return self.function + "'" * self.order


@dataclass(frozen=True)
class Hadamard(Node):
    """The entrywise product ``A \\circ B`` (or ``\\odot``)."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Kronecker(Node):
    """The Kronecker product ``A \\otimes B``."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Derivative(Node):
    """``\\frac{\\partial Y}{\\partial X}``: the derivative of ``operand`` by the symbol ``variable``.

    Its shape and meaning depend on the identity's layout (numerator, denominator, entrywise).
    With ``vectorized`` the variable is ``vec X`` (``\\partial \\operatorname{vec} X``); with
    ``order`` 2 it is the Hessian ``\\frac{\\partial^2 f}{\\partial x \\partial x^T}`` of a scalar.
    """

    operand: Node
    variable: str
    vectorized: bool = False
    order: int = 1


@dataclass(frozen=True)
class Differential(Node):
    """``d(Y)``: the differential of ``operand`` along the current direction of each variable."""

    operand: Node


@dataclass(frozen=True)
class Spectral(Node):
    """An eigenvalue or singular value: ``\\lambda_{index}(A)`` or ``\\sigma_{index}(X)``.

    ``kind`` is ``eigenvalue`` or ``singular value``; ``index`` is a number (1 is the largest),
    ``max``, ``min``, a letter (one index, drawn per sample), or ``sum``/``prod`` for
    ``\\sum_i \\lambda_i(A)`` and ``\\prod_i \\lambda_i(A)`` (``letter`` keeps the written index).
    """

    kind: str
    index: str
    operand: Node
    letter: str = "i"


@dataclass(frozen=True)
class Relation(Node):
    """A chain ``e0 = e1 = … = ek`` of expressions claimed equal."""

    sides: tuple[Node, ...]


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``, in reading order."""
    if isinstance(node, (Add, Mul)):
        return node.terms if isinstance(node, Add) else node.factors
    if isinstance(node, Relation):
        return node.sides
    if isinstance(node, (Neg, Transpose, Func, Derivative, Differential, Spectral)):
        return (node.operand,)
    if isinstance(node, Power):
        return (node.base,)
    if isinstance(node, (SymbolicPower, RealPower, HadamardPower)):
        return (node.base, node.exponent)
    if isinstance(node, PNorm):
        return (node.operand, node.order)
    if isinstance(node, (Sum, Integral)):
        return (node.lower, node.upper, node.body)
    if isinstance(node, Apply):
        return (node.argument,)
    if isinstance(node, Div):
        return (node.numerator, node.denominator)
    if isinstance(node, (Hadamard, Kronecker)):
        return (node.left, node.right)
    return ()


def walk(node: Node):
    """Every node of the tree below and including ``node``, depth first (parents before their
    children, children in reading order)."""
    pending = [node]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(reversed(children(node)))


def with_children(node: Node, new: tuple[Node, ...]) -> Node:
    """A copy of ``node`` whose direct sub-expressions are ``new`` (same order as :func:`children`)."""
    if isinstance(node, Add):
        return Add(new)
    if isinstance(node, Mul):
        return Mul(new)
    if isinstance(node, Relation):
        return Relation(new)
    if isinstance(node, (Neg, Transpose, Func, Derivative, Differential, Spectral)):
        return dataclasses.replace(node, operand=new[0])
    if isinstance(node, Power):
        return Power(new[0], node.exponent)
    if isinstance(node, (SymbolicPower, RealPower, HadamardPower)):
        return dataclasses.replace(node, base=new[0], exponent=new[1])
    if isinstance(node, PNorm):
        return PNorm(new[0], new[1])
    if isinstance(node, (Sum, Integral)):
        return dataclasses.replace(node, lower=new[0], upper=new[1], body=new[2])
    if isinstance(node, Apply):
        return Apply(node.function, new[0], node.order)
    if isinstance(node, Div):
        return Div(new[0], new[1])
    if isinstance(node, (Hadamard, Kronecker)):
        return type(node)(new[0], new[1])
    return node


def positions(node: Node, path: tuple[int, ...] = ()):
    """Every ``(path, node)`` below and including ``node``; a path indexes :func:`children`."""
    yield path, node
    for index, child in enumerate(children(node)):
        yield from positions(child, (*path, index))


def replace_at(node: Node, path: tuple[int, ...], new: Node) -> Node:
    """``node`` with the sub-expression at ``path`` replaced by ``new``."""
    if not path:
        return new
    kids = list(children(node))
    kids[path[0]] = replace_at(kids[path[0]], path[1:], new)
    return with_children(node, tuple(kids))
