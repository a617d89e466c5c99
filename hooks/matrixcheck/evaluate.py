"""The tree walker shared by every backend: one method per node type, primitives left abstract.

A backend (NumPy in :mod:`numeric`, exact rationals in :mod:`exact`) supplies the arithmetic — matrix
product, inverse, trace, determinant, scalar functions — and the directional derivative. Everything
that gives the tree its meaning (scaling by 1×1 factors, powers, how ∂Y/∂X is laid out in each
layout, what ``dX`` means) is written once, here, so the two backends cannot drift apart.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from .shapes import ENTRYWISE_FUNCTIONS, MATRIX_FUNCTION_NAMES, SCALAR_FUNCTIONS
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
    Kronecker,
    Mul,
    Neg,
    Node,
    Number,
    Ones,
    PNorm,
    Power,
    RealPower,
    Spectral,
    Sum,
    Symbol,
    SymbolicPower,
    Transpose,
)

Value = Any
Values = dict[str, Value]


class DomainError(Exception):
    """The expression is undefined at the sample (log of a negative number, singular matrix …).

    ``hint`` tells the author what usually fixes it.
    """

    def __init__(
        self,
        message: str,
        hint: str = "declare the properties that make it defined (invertible, positive "
        "definite, positive, nonzero)",
    ) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass
class Point:
    """One sample: values of the symbols, test functions, the layout and the current directions.

    ``bindings`` maps each bound symbol (an eigenvector, singular vectors) to its
    :class:`~matrixcheck.declarations.Binding`; ``index_seed`` draws the letter indices (``λ_i``).
    ``bases`` holds, for each variable of differentiation, an orthonormal basis of the directions
    it may move in; ``directions`` the direction that ``dX`` and, in entrywise layout, ``∂/∂X``
    mean. ``identity_sizes`` sizes each identity matrix and ones vector node, and gives the two
    sizes of each commutation matrix node (keyed by node identity). ``dual_bases`` holds, once
    computed, each basis scaled to its dual ``B_k / ⟨B_k, B_k⟩`` (see :meth:`Evaluator.dual_basis`).
    ``shared`` holds what a backend has already computed at the sample, for the other relations
    checked on it (derivatives and decompositions in :class:`~matrixcheck.numeric.NumericEvaluator`,
    sides in :class:`~matrixcheck.exact.ExactEvaluator`), and ``operands`` the keys under which
    the relation being evaluated finds its derivatives there (keyed by node identity).
    """

    values: Values
    functions: dict[str, Callable[[Value], Value]]
    layout: str
    bases: dict[str, list[Value]]
    directions: dict[str, Value]
    identity_sizes: dict[int, Any] = field(default_factory=dict)
    bindings: dict[str, Any] = field(default_factory=dict)
    index_seed: int = 0
    dual_bases: dict[str, list[Value]] = field(default_factory=dict)
    shared: dict[tuple, Any] = field(default_factory=dict)
    operands: dict[int, tuple] = field(default_factory=dict)


class Evaluator(ABC):
    """Evaluates a tree at a :class:`Point` with a backend's primitives.

    Each node type is dispatched to its ``_eval_`` method through a table per evaluator class,
    filled on first use (the lookup by name costs more than many a primitive).
    """

    _methods: ClassVar[dict[type[Node], Callable[..., Value]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._methods = {}

    def __init__(self, point: Point) -> None:
        self.point = point

    def evaluate(self, node: Node, values: Values | None = None) -> Value:
        values = self.point.values if values is None else values
        kind = type(node)
        method = self._methods.get(kind)
        if method is None:
            method = self._methods[kind] = getattr(type(self), f"_eval_{kind.__name__}")
        return method(self, node, values)

    # -- primitives a backend provides ---------------------------------------------------------
    @abstractmethod
    def number(self, value: Fraction) -> Value: ...

    @abstractmethod
    def eye(self, size: int) -> Value: ...

    @abstractmethod
    def shape(self, value: Value) -> tuple[int, int]: ...

    @abstractmethod
    def entry(self, value: Value, row: int, column: int) -> Value:
        """A scalar entry (not a 1×1 matrix)."""

    @abstractmethod
    def scale(self, value: Value, factor: Value) -> Value:
        """``value`` times the scalar ``factor`` (as returned by :meth:`entry`)."""

    @abstractmethod
    def matmul(self, left: Value, right: Value) -> Value: ...

    @abstractmethod
    def transpose(self, value: Value) -> Value: ...

    @abstractmethod
    def inverse(self, value: Value) -> Value: ...

    @abstractmethod
    def hadamard(self, left: Value, right: Value) -> Value: ...

    @abstractmethod
    def kron(self, left: Value, right: Value) -> Value: ...

    @abstractmethod
    def vec(self, value: Value) -> Value:
        """The entries as a column, row by row (for vectors: the vector as a column)."""

    @abstractmethod
    def function(self, name: str, value: Value) -> Value:
        """A built-in scalar-valued function (tr, det, log, …) as a 1×1 value."""

    @abstractmethod
    def entrywise(self, name: str, value: Value) -> Value:
        """A scalar function (exp, log, sigma, sign, …) applied to every entry of ``value``."""

    @abstractmethod
    def matrix(self, entries: list[list[int]]) -> Value:
        """A constant matrix with the given integer entries."""

    @abstractmethod
    def second_directional(
        self, node: Node, values: Values, first: Values, second: Values
    ) -> Value:
        """The second derivative of ``node`` at ``values`` along ``first`` and ``second``."""

    @abstractmethod
    def matrix_function(self, name: str, value: Value) -> Value:
        """``exp``, ``log``, ``sin`` or ``cos`` of a square matrix, as a matrix."""

    @abstractmethod
    def spectral(self, node: Spectral, value: Value) -> Value:
        """The eigenvalue or singular value ``node`` of ``value`` (or their sum or product)."""

    @abstractmethod
    def bound(self, binding: Any, values: Values) -> Value:
        """The value of a bound symbol (eigenvector, singular vectors) at ``values``."""

    @abstractmethod
    def reciprocal(self, scalar: Value) -> Value:
        """``1/scalar`` for an entry; raises :class:`DomainError` at zero."""

    @abstractmethod
    def directional(self, node: Node, values: Values, directions: Values) -> Value:
        """The derivative of ``node`` at ``values`` along ``directions`` (symbol → direction)."""

    def directionals(
        self, node: Node, values: Values, variable: str, directions: list[Value]
    ) -> list[Value]:
        """The derivatives of ``node`` along each of ``directions`` of ``variable``.

        One :meth:`directional` per direction; a backend may evaluate them all in one walk.
        """
        return [self.directional(node, values, {variable: d}) for d in directions]

    def second_directionals(
        self, node: Node, values: Values, variable: str, pairs: list[tuple[Value, Value]]
    ) -> list[Value]:
        """The second derivatives of ``node`` along each pair of directions of ``variable``.

        One :meth:`second_directional` per pair; a backend may evaluate them all in one walk.
        """
        return [
            self.second_directional(node, values, {variable: first}, {variable: second})
            for first, second in pairs
        ]

    # -- leaves --------------------------------------------------------------------------------
    def _eval_Number(self, node: Number, values: Values) -> Value:
        return self.number(node.value)

    def _eval_Symbol(self, node: Symbol, values: Values) -> Value:
        binding = self.point.bindings.get(node.name)
        return values[node.name] if binding is None else self.bound(binding, values)

    def _eval_IdentityMatrix(self, node: IdentityMatrix, values: Values) -> Value:
        return self.eye(self.point.identity_sizes[id(node)])

    def _eval_Ones(self, node: Ones, values: Values) -> Value:
        return self.ones(self.point.identity_sizes[id(node)], 1)

    def _eval_Commutation(self, node: Commutation, values: Values) -> Value:
        """``K_{mn}``: row ``j + n i`` has its 1 in column ``i + m j`` (0-based)."""
        m, n = self.point.identity_sizes[id(node)]
        entries = [[0] * (m * n) for _ in range(m * n)]
        for i in range(m):
            for j in range(n):
                entries[j + n * i][i + m * j] = 1
        return self.matrix(entries)

    def ones(self, rows: int, columns: int) -> Value:
        return self.matrix([[1] * columns for _ in range(rows)])

    def column_vec(self, value: Value) -> Value:
        """``vec``: the columns of ``value`` stacked into one column."""
        return self.vec(self.transpose(value))

    # -- algebra -------------------------------------------------------------------------------
    def _eval_Add(self, node: Add, values: Values) -> Value:
        result = self.evaluate(node.terms[0], values)
        for term in node.terms[1:]:
            result = self.add(result, self.evaluate(term, values))
        return result

    def add(self, left: Value, right: Value) -> Value:
        """A sum; a 1×1 zero (a literal ``0`` term) adopts the other term's shape."""
        if self.shape(left) != self.shape(right):
            if self.shape(left) == (1, 1):
                return right
            return left
        return left + right

    def _eval_Neg(self, node: Neg, values: Values) -> Value:
        return -self.evaluate(node.operand, values)

    def _eval_Mul(self, node: Mul, values: Values) -> Value:
        result = self.evaluate(node.factors[0], values)
        for factor in node.factors[1:]:
            result = self.multiply(result, self.evaluate(factor, values))
        return result

    def multiply(self, left: Value, right: Value) -> Value:
        """Matrix product, or scaling when one factor is 1×1 and the shapes do not conform."""
        if self.shape(left)[1] == self.shape(right)[0]:
            return self.matmul(left, right)
        if self.shape(left) == (1, 1):
            return self.scale(right, self.entry(left, 0, 0))
        return self.scale(left, self.entry(right, 0, 0))

    def _eval_Div(self, node: Div, values: Values) -> Value:
        denominator = self._entry_of(node.denominator, values)
        return self.scale(self.evaluate(node.numerator, values), self.reciprocal(denominator))

    def _eval_Transpose(self, node: Transpose, values: Values) -> Value:
        return self.transpose(self.evaluate(node.operand, values))

    def _eval_Power(self, node: Power, values: Values) -> Value:
        return self.power(self.evaluate(node.base, values), node.exponent)

    def _eval_SymbolicPower(self, node: SymbolicPower, values: Values) -> Value:
        return self.power(self.evaluate(node.base, values), self.integer(node.exponent, values))

    def _eval_RealPower(self, node: RealPower, values: Values) -> Value:
        return self.positive_power(
            self.evaluate(node.base, values), self._entry_of(node.exponent, values)
        )

    def _eval_HadamardPower(self, node: HadamardPower, values: Values) -> Value:
        """Every entry to the power: ``exp(exponent · log entry)`` for a real exponent, repeated
        entrywise products for an integer one (the zeroth power is all ones)."""
        base = self.evaluate(node.base, values)
        if node.real:
            return self.positive_power(base, self._entry_of(node.exponent, values))
        exponent = self.integer(node.exponent, values)
        if exponent < 0:
            raise DomainError(
                f"an entrywise power with the negative exponent {exponent}",
                "write the entrywise reciprocal as a power of a positive base with a real "
                "exponent, or keep the exponent at zero or more",
            )
        result = self.ones(*self.shape(base))
        for _ in range(exponent):
            result = self.hadamard(result, base)
        return result

    def _eval_PNorm(self, node: PNorm, values: Values) -> Value:
        """``(Σ_i |x_i|^p)^{1/p}``."""
        column = self.column_vec(self.evaluate(node.operand, values))
        order = self._entry_of(node.order, values)
        powers = self.positive_power(self.entrywise("abs", column), order)
        total = self.matmul(self.ones(1, self.shape(column)[0]), powers)
        return self.positive_power(total, self.reciprocal(order))

    def _entry_of(self, node: Node, values: Values) -> Value:
        """The value of the scalar ``node`` as an entry (see :meth:`entry`)."""
        return self.entry(self.evaluate(node, values), 0, 0)

    def positive_power(self, base: Value, exponent: Value) -> Value:
        """Every entry of ``base`` to the real ``exponent`` (an entry, see :meth:`entry`),
        ``exp(exponent · log entry)``; defined where every entry is positive."""
        try:
            logarithm = self.entrywise("log", base)
        except DomainError:
            raise DomainError(
                "a real power of a number that is not positive",
                "declare what makes the base positive (a positive scalar, a positive definite "
                "matrix), or raise its absolute value, |s|^{\\alpha}",
            ) from None
        return self.entrywise("exp", self.scale(logarithm, exponent))

    def power(self, base: Value, exponent: int) -> Value:
        """``base`` to an integer power by repeated products (of the inverse, if negative); the
        zeroth power of a matrix is the identity."""
        if self.shape(base) == (1, 1):
            entry = self.entry(base, 0, 0)
            if exponent < 0:
                entry = self.reciprocal(entry)
            return self.scale(self.number(Fraction(1)), entry ** abs(exponent))
        if exponent == 0:
            return self.eye(self.shape(base)[0])
        if exponent < 0:
            base = self.inverse(base)
        result = base
        for _ in range(abs(exponent) - 1):
            result = self.matmul(result, base)
        return result

    def integer(self, node: Node, values: Values) -> int:
        """The value of an integer expression (an exponent, a bound of a sum): integers,
        positive integer symbols and summation indices, which no derivative moves."""
        entry = self._entry_of(node, values)
        value = getattr(entry, "real", entry)
        rounded = int(value)
        assert rounded == value, f"the integer expression evaluates to {value}"
        return rounded

    def _eval_Index(self, node: Index, values: Values) -> Value:
        return values[node.name]

    def _eval_Sum(self, node: Sum, values: Values) -> Value:
        """The summand at each integer from the lower bound to the upper, added (an empty sum
        is the summand at the lower bound times 0, for its shape)."""
        lower, upper = self.integer(node.lower, values), self.integer(node.upper, values)
        total = None
        for index in range(lower, max(upper, lower) + 1):
            term = self.evaluate(node.body, {**values, node.index: self.number(Fraction(index))})
            if upper < lower:
                term = self.multiply(self.number(Fraction(0)), term)
            total = term if total is None else self.add(total, term)
        return total

    def _eval_Hadamard(self, node: Hadamard, values: Values) -> Value:
        return self.hadamard(self.evaluate(node.left, values), self.evaluate(node.right, values))

    def _eval_Kronecker(self, node: Kronecker, values: Values) -> Value:
        return self.kron(self.evaluate(node.left, values), self.evaluate(node.right, values))

    def _eval_Func(self, node: Func, values: Values) -> Value:
        value = self.evaluate(node.operand, values)
        structured = getattr(self, f"structured_{node.name}", None)
        if structured is not None:
            return structured(value)
        rows, columns = self.shape(value)
        if node.name in MATRIX_FUNCTION_NAMES and rows > 1 and columns > 1:
            return self.matrix_function(node.name, value)
        if node.name in ENTRYWISE_FUNCTIONS or (
            node.name in SCALAR_FUNCTIONS and self.shape(value) != (1, 1)
        ):
            return self.entrywise(node.name, value)
        return self.function(node.name, value)

    # -- functions built from the primitives -------------------------------------------------
    def structured_vec(self, value: Value) -> Value:
        return self.column_vec(value)

    def structured_diag(self, value: Value) -> Value:
        """A vector → the diagonal matrix; a square matrix → the column of its diagonal."""
        rows, columns = self.shape(value)
        if rows == 1 or columns == 1:
            column = self.column_vec(value)
            size = rows * columns
            return self.hadamard(self.matmul(column, self.ones(1, size)), self.eye(size))
        return self.matmul(self.hadamard(value, self.eye(rows)), self.ones(rows, 1))

    def structured_lse(self, value: Value) -> Value:
        """log Σ exp over a vector; over each row of a matrix (a column of results)."""
        rows, columns = self.shape(value)
        if rows == 1 or columns == 1:
            column = self.column_vec(value)
            total = self.matmul(self.ones(1, rows * columns), self.entrywise("exp", column))
            return self.function("log", total)
        sums = self.matmul(self.entrywise("exp", value), self.ones(columns, 1))
        return self.entrywise("log", sums)

    def structured_softmax(self, value: Value) -> Value:
        """``exp(z − lse(z))`` for a vector; for a matrix, of each row."""
        rows, columns = self.shape(value)
        if rows == 1 or columns == 1:
            total = self.matmul(
                self.ones(1, rows * columns), self.entrywise("exp", self.column_vec(value))
            )
            return self.scale(
                self.entrywise("exp", value), self.reciprocal(self.entry(total, 0, 0))
            )
        shift = self.matmul(self.structured_lse(value), self.ones(1, columns))
        return self.entrywise("exp", value - shift)

    def _eval_Spectral(self, node: Spectral, values: Values) -> Value:
        return self.spectral(node, self.evaluate(node.operand, values))

    def _eval_Apply(self, node: Apply, values: Values) -> Value:
        return self.point.functions[node.key](self.evaluate(node.argument, values))

    # -- calculus ------------------------------------------------------------------------------
    def _eval_Differential(self, node: Differential, values: Values) -> Value:
        return self.directional(node.operand, values, self.point.directions)

    def _eval_Derivative(self, node: Derivative, values: Values) -> Value:
        variable = node.variable
        if node.order == 2:
            return self.hessian(node, values)
        if self.point.layout == "entrywise":
            direction = self.point.directions[variable]
            return self.directional(node.operand, values, {variable: direction})
        partials = self.directionals(node.operand, values, variable, self.point.bases[variable])
        dual = self.dual_basis(variable)
        if node.vectorized:
            dual = [self.column_vec(b) for b in dual]
        return self.lay_out(partials, dual)

    def dual_basis(self, variable: str) -> list[Value]:
        """``B_k / ⟨B_k, B_k⟩`` for the orthogonal basis ``B_k`` of ``variable``: what reads the
        gradient off its partials. Computed once per point (and shared by the points that share
        its basis)."""
        dual = self.point.dual_bases.get(variable)
        if dual is None:
            dual = self.point.dual_bases[variable] = self.duals(self.point.bases[variable])
        return dual

    def duals(self, basis: list[Value]) -> list[Value]:
        """``B_k / ⟨B_k, B_k⟩`` for each ``B_k`` of ``basis``; a backend may compute them at once."""
        return [self.scale(b, self.reciprocal(self.squared_norm(b))) for b in basis]

    def hessian(self, node: Derivative, values: Values) -> Value:
        """``Σ_kl D²f[B_k, B_l] b_k b_lᵀ`` with ``b_k = vec(B_k)/⟨B_k, B_k⟩``; symmetric, so the
        same in both layouts, and computed for ``k ≤ l`` only."""
        variable = node.variable
        basis = self.point.bases[variable]
        columns = [self.column_vec(b) for b in self.dual_basis(variable)]
        pairs = list(itertools.combinations_with_replacement(range(len(basis)), 2))
        seconds = self.second_directionals(
            node.operand, values, variable, [(basis[k], basis[l]) for k, l in pairs]
        )
        total = None
        for (k, l), second in zip(pairs, seconds, strict=True):
            outer = self.matmul(columns[k], self.transpose(columns[l]))
            if k != l:
                outer = outer + self.transpose(outer)
            term = self.scale(outer, self.entry(second, 0, 0))
            total = term if total is None else total + term
        return total

    def lay_out(self, partials: list[Value], dual: list[Value]) -> Value:
        """Assemble ∂Y/∂X from the partials ``D Y[B_k]`` along an orthogonal basis ``B_k`` and its
        dual basis ``B_k / ⟨B_k, B_k⟩`` (:meth:`dual_basis`).

        The gradient is ``Σ_k D Y[B_k] ⊗ B_k / ⟨B_k, B_k⟩``. Denominator layout gives X's shape
        for a scalar Y and ``len(x) × len(y)`` for vectors; numerator layout is its transpose.
        Shape checking has ruled out every other case before evaluation.
        """
        numerator = self.point.layout == "numerator"
        rows, columns = self.shape(partials[0])
        pairs = list(zip(partials, dual, strict=True))
        if rows * columns == 1:
            terms = [self.scale(b, self.entry(p, 0, 0)) for p, b in pairs]
            flip = numerator
        elif self.shape(dual[0]) == (1, 1):
            terms = [self.scale(p, self.entry(b, 0, 0)) for p, b in pairs]
            flip = not numerator
        else:
            terms = [self.matmul(self.vec(p), self.transpose(self.vec(b))) for p, b in pairs]
            flip = not numerator
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return self.transpose(total) if flip else total

    def squared_norm(self, value: Value) -> Value:
        """``⟨B, B⟩`` in the Frobenius inner product, as an entry."""
        column = self.vec(value)
        return self.entry(self.matmul(self.transpose(column), column), 0, 0)


class ArrayEvaluator(Evaluator):
    """The primitives of backends whose values are NumPy arrays (complex or exact objects).

    A value is a matrix in its last two axes; any axes before them are a batch (one matrix per
    direction of a derivative, say), and every primitive here acts on each matrix of the batch.
    Eigenvalues, singular values and their vectors come from the backend's decompositions
    :attr:`eigenpair` (``λ``, unit right and left eigenvectors) and :attr:`singular_triple`
    (``σ``, unit ``u`` and ``v`` with ``X v = σ u``), both ``(value, index, seed)``, the vectors
    along the last axis.
    """

    eigenpair: ClassVar[Callable[..., tuple]]
    singular_triple: ClassVar[Callable[..., tuple]]
    #: The determinant of each matrix of a stack, ``(…, k, k)`` to ``(…)`` (``k = 0`` gives 1).
    determinants: ClassVar[Callable[[np.ndarray], np.ndarray]]

    def shape(self, value: np.ndarray) -> tuple[int, int]:
        return value.shape[-2:]

    def structured_adj(self, value: np.ndarray) -> np.ndarray:
        """The adjugate: entry ``(i, j)`` is the cofactor ``C_ji``, ``(−1)^{i+j}`` times the
        determinant of ``value`` without row ``j`` and column ``i``; of a 1×1 matrix, ``[[1]]``.
        All ``n²`` minors are one stack, so the determinants are taken in one call, batch and all."""
        n = value.shape[-1]
        kept = np.array([[k for k in range(n) if k != r] for r in range(n)], dtype=int)
        kept = kept.reshape(n, n - 1)
        # minors[..., r, c] is value without row r and column c.
        minors = value[..., kept[:, None, :, None], kept[None, :, None, :]]
        odd = np.add.outer(np.arange(n), np.arange(n)) % 2 == 1
        determinants = self.determinants(minors)
        return self.transpose(np.where(odd, -determinants, determinants))

    def entry(self, value: np.ndarray, row: int, column: int) -> Any:
        """The entry of each matrix of the batch; of a lone matrix, the scalar itself."""
        return value[..., row, column][()]

    def matmul(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return left @ right

    def transpose(self, value: np.ndarray) -> np.ndarray:
        return value.swapaxes(-1, -2)

    def hadamard(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return left * right

    def kron(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        (m, n), (p, q) = self.shape(left), self.shape(right)
        product = left[..., :, None, :, None] * right[..., None, :, None, :]
        return product.reshape((*product.shape[:-4], m * p, n * q))

    def vec(self, value: np.ndarray) -> np.ndarray:
        return value.reshape((*value.shape[:-2], -1, 1))

    def spectral(self, node: Spectral, value: np.ndarray) -> np.ndarray:
        if node.kind == "singular value":
            result = self._decomposed(self.singular_triple, value, node.index)[0]
        elif node.index in ("sum", "prod"):
            count = value.shape[-1]
            eigenvalues = np.stack(
                [self._decomposed(self.eigenpair, value, str(k + 1))[0] for k in range(count)]
            )
            result = np.sum(eigenvalues, 0) if node.index == "sum" else np.prod(eigenvalues, 0)
        else:
            result = self._decomposed(self.eigenpair, value, node.index)[0]
        return np.asarray(result)[..., None, None]

    def bound(self, binding: Any, values: Values) -> np.ndarray:
        value = values[binding.of]
        if binding.kind.endswith("vectors"):
            which = 1 if binding.kind.startswith("left") else 2
            count = min(value.shape[-2:])
            columns = [
                self._decomposed(self.singular_triple, value, str(k))[which]
                for k in range(1, count + 1)
            ]
            return np.stack(columns, axis=-1)
        if binding.kind in ("eigenvector", "left eigenvector"):
            vector = self._decomposed(self.eigenpair, value, binding.index)[
                1 if binding.kind == "eigenvector" else 2
            ]
        else:
            triple = self._decomposed(self.singular_triple, value, binding.index)
            vector = triple[1 if binding.kind == "left singular vector" else 2]
        return vector[..., None]

    def _decomposed(self, decompose: Callable[..., tuple], value: np.ndarray, index: str) -> tuple:
        """``decompose(value, index, seed)`` (an eigenpair or a singular triple), computed once
        per value at the sample, with its ``index_seed``: ``u`` and ``v`` of the same ``X``,
        ``λ(A)`` on both sides, or in the formula and its proof steps, share one decomposition.
        The entry keeps ``value`` alive, so its id is not reused."""
        key = ("decomposition", decompose, id(value), index)
        if key not in self.point.shared:
            self.point.shared[key] = (value, decompose(value, index, self.point.index_seed))
        return self.point.shared[key][1]
