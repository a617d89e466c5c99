"""Matrix functions and spectral quantities in arithmetic that complex steps pass through.

The complex step reads a derivative from an imaginary part of size ``1e-30``; an algorithm keeps
it only if it uses nothing but additions, products and solves (no conjugation, no unitary
factorisation of the complex matrix, whose rounding would swamp the step). So:

- ``exp``: scaling and squaring with a Taylor polynomial of degree 18 at norm ≤ 1/2 (truncation
  below 1e-22);
- ``sin`` and ``cos``: Taylor polynomials at norm ≤ 1/4, then the double-angle formulas;
- ``sqrt``: the Denman–Beavers iteration; ``log``: inverse scaling and squaring, square roots
  until ``‖A − I‖ ≤ 0.05``, then ``2 artanh((A − I)(A + I)⁻¹)`` as a series;
- eigenpairs: the decomposition of the real part, refined by Newton's method on
  ``(A − λI)x = 0, cᵀx = 1`` in the arithmetic of the input. For a simple eigenvalue this is the
  analytic continuation, so ``Im λ(A + ihV)/h`` is the derivative to rounding.

Eigenvalues are numbered in decreasing order (of the real part), ``λ_1 ≥ λ_2 ≥ …``; singular
values likewise, with ``σ_i = sqrt(λ_i(XᵀX))`` and ``u_i = X v_i / σ_i``.

Every function takes a batch of matrices (leading axes before the last two) and acts on each; the
iteration counts (halvings, square roots, Denman–Beavers steps) are those of the batch's hardest
matrix, which only adds harmless work for the others.
"""

from __future__ import annotations

import math

import numpy as np

from .evaluate import DomainError

TAYLOR_DEGREE = 18
NEWTON_STEPS = 6
ROOT_ITERATIONS = 60
LOG_RADIUS = 0.05
SERIES_TERMS = 40


def _norms(value: np.ndarray) -> np.ndarray:
    """The 1-norm (largest column sum) of the real part of each matrix of the batch."""
    return np.max(np.sum(np.abs(value.real), axis=-2), axis=-1)


def _norm(value: np.ndarray) -> float:
    """The largest 1-norm in the batch."""
    return float(np.max(_norms(value)))


def _transpose(value: np.ndarray) -> np.ndarray:
    return np.swapaxes(value, -1, -2)


def _scaled(value: np.ndarray, radius: float) -> tuple[np.ndarray, int]:
    """``value / 2^s`` with norm at most ``radius``, and ``s``."""
    norm = _norm(value)
    halvings = max(0, math.ceil(math.log2(norm / radius))) if norm > radius else 0
    return value / 2.0**halvings, halvings


def expm(value: np.ndarray) -> np.ndarray:
    """The matrix exponential, by scaling and squaring."""
    scaled, halvings = _scaled(value, 0.5)
    identity = np.eye(value.shape[-1])
    term, total = identity, np.broadcast_to(identity, value.shape).astype(value.dtype)
    for k in range(1, TAYLOR_DEGREE + 1):
        term = term @ scaled / k
        total = total + term
    for _ in range(halvings):
        total = total @ total
    return total


def _sin_cos(value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scaled, halvings = _scaled(value, 0.25)
    identity = np.eye(value.shape[-1])
    square = scaled @ scaled
    sine, cosine = scaled.copy(), np.broadcast_to(identity, value.shape).astype(value.dtype)
    odd, even = scaled, identity
    for k in range(1, TAYLOR_DEGREE // 2 + 1):
        even = -even @ square / ((2 * k - 1) * (2 * k))
        odd = -odd @ square / ((2 * k) * (2 * k + 1))
        cosine, sine = cosine + even, sine + odd
    for _ in range(halvings):
        sine, cosine = 2 * sine @ cosine, 2 * cosine @ cosine - identity
    return sine, cosine


def sinm(value: np.ndarray) -> np.ndarray:
    """The matrix sine ``Σ (-1)^k X^{2k+1}/(2k+1)!``."""
    return _sin_cos(value)[0]


def cosm(value: np.ndarray) -> np.ndarray:
    """The matrix cosine ``Σ (-1)^k X^{2k}/(2k)!``."""
    return _sin_cos(value)[1]


def _require_principal(value: np.ndarray, what: str) -> None:
    eigenvalues = np.linalg.eigvals(value.real)
    scale = np.maximum(1.0, np.max(np.abs(eigenvalues), axis=-1, keepdims=True))
    on_cut = (np.abs(eigenvalues.imag) <= 1e-9 * scale) & (eigenvalues.real <= 1e-9 * scale)
    if np.any(on_cut):
        raise DomainError(
            f"the matrix {what} has an eigenvalue on (−∞, 0], where it is not defined",
            "declare the matrix positive definite (or otherwise keep its eigenvalues off the "
            "closed negative real axis)",
        )


def sqrtm(value: np.ndarray) -> np.ndarray:
    """The principal square root, by the Denman–Beavers iteration."""
    _require_principal(value, "square root")
    root, inverse_root = (
        value,
        np.broadcast_to(np.eye(value.shape[-1]), value.shape).astype(value.dtype),
    )
    for _ in range(ROOT_ITERATIONS):
        root, inverse_root = (
            (root + np.linalg.inv(inverse_root)) / 2,
            (inverse_root + np.linalg.inv(root)) / 2,
        )
        if np.all(_norms(root @ root - value) <= 1e-15 * np.maximum(1.0, _norms(value))):
            break
    return root


def logm(value: np.ndarray) -> np.ndarray:
    """The principal logarithm, by inverse scaling and squaring."""
    _require_principal(value, "logarithm")
    identity = np.eye(value.shape[-1])
    roots = 0
    while _norm(value - identity) > LOG_RADIUS:
        value, roots = sqrtm(value), roots + 1
    ratio = (value - identity) @ np.linalg.inv(value + identity)
    square = ratio @ ratio
    total, power = ratio.copy(), ratio
    for k in range(1, SERIES_TERMS):
        power = power @ square
        total = total + power / (2 * k + 1)
    return 2.0**roots * 2 * total


MATRIX_FUNCTIONS = {"exp": expm, "log": logm, "sin": sinm, "cos": cosm}


def position(index: str, count: int, seed: int) -> int:
    """The 0-based position of ``λ_index`` in decreasing order; a letter is drawn per sample."""
    if index == "max":
        return 0
    if index == "min":
        return count - 1
    if index.isdigit():
        number = int(index)
        if not 1 <= number <= count:
            raise DomainError(
                f"index {number} is out of range for a matrix with {count} eigenvalues",
                "use \\max, \\min, or a letter such as i for an index the checker draws",
            )
        return number - 1
    return (seed + sum(map(ord, index))) % count


def eigenpair(value: np.ndarray, index: str, seed: int) -> tuple[complex, np.ndarray, np.ndarray]:
    """``λ_index``, its right eigenvector ``x`` and left eigenvector ``y``, both of unit length.

    The continuation is unique only for a simple eigenvalue; samplers guarantee a gap.
    """
    base = value.real
    eigenvalues, vectors = np.linalg.eig(base)
    order = np.argsort(-eigenvalues.real, axis=-1, kind="stable")
    chosen_at = order[..., position(index, base.shape[-1], seed), None]
    chosen = np.take_along_axis(eigenvalues, chosen_at, -1)
    left_values, left_vectors = np.linalg.eig(_transpose(base))
    left = np.argmin(np.abs(left_values - chosen), axis=-1)[..., None]
    start = np.take_along_axis(vectors, chosen_at[..., None], -1)[..., 0]
    left_start = np.take_along_axis(left_vectors, left[..., None], -1)[..., 0]
    # The right pair of X and the left pair (the right pair of Xᵀ) refined together.
    both = np.stack([value, _transpose(value)])
    starts = np.stack(np.broadcast_arrays(start.real, left_start.real))
    eigenvalues, refined = _newton(both, chosen[..., 0].real, starts)
    return eigenvalues[0], refined[0], refined[1]


def _newton(
    value: np.ndarray, eigenvalue: complex | np.ndarray, start: np.ndarray
) -> tuple[complex | np.ndarray, np.ndarray]:
    """Refine an eigenpair of ``value`` from ``(eigenvalue, start)``; unit length, no conjugate."""
    n = value.shape[-1]
    batch = np.broadcast_shapes(value.shape[:-2], np.shape(eigenvalue), start.shape[:-1])
    anchor = start / np.linalg.norm(start, axis=-1, keepdims=True)
    vector = anchor.astype(value.dtype)
    eigenvalue, identity = np.asarray(eigenvalue), np.eye(n)
    jacobian = np.zeros((*batch, n + 1, n + 1), dtype=np.result_type(value, complex))
    jacobian[..., n, :n] = anchor
    residual = np.zeros((*batch, n + 1, 1), dtype=jacobian.dtype)
    for _ in range(NEWTON_STEPS):
        shifted = value - eigenvalue[..., None, None] * identity
        jacobian[..., :n, :n] = shifted
        jacobian[..., :n, n] = -vector
        residual[..., :n, :] = shifted @ vector[..., None]
        residual[..., n, 0] = _dot(anchor, vector) - 1
        step = np.linalg.solve(jacobian, -residual)[..., 0]
        vector, eigenvalue = vector + step[..., :n], eigenvalue + step[..., n]
    if not np.iscomplexobj(value):
        vector, eigenvalue = vector.real, eigenvalue.real
    return eigenvalue[()], vector / np.sqrt(_dot(vector, vector))[..., None]


def _dot(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``leftᵀ right`` for each pair of vectors of the batch (no conjugation)."""
    return np.sum(left * right, axis=-1)


def singular_triple(
    value: np.ndarray, index: str, seed: int
) -> tuple[complex, np.ndarray, np.ndarray]:
    """``σ_index`` with its left and right singular vectors ``u``, ``v`` (``X v = σ u``)."""
    rows, columns = value.shape[-2:]
    if rows < columns:
        chosen = position(index, rows, seed)
        squared, u, _ = eigenpair(value @ _transpose(value), str(chosen + 1), seed)
        sigma = np.sqrt(squared)
        return sigma, u, _apply(_transpose(value), u) / np.asarray(sigma)[..., None]
    squared, v, _ = eigenpair(_transpose(value) @ value, index, seed)
    sigma = np.sqrt(squared)
    return sigma, _apply(value, v) / np.asarray(sigma)[..., None], v


def _apply(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` for each pair of the batch."""
    return (matrix @ vector[..., None])[..., 0]


def nuclear_norm(value: np.ndarray) -> complex | np.ndarray:
    """``Σ σ_i = tr sqrt(XᵀX)`` (or ``tr sqrt(XXᵀ)`` for a wide ``X``)."""
    rows, columns = value.shape[-2:]
    gram = _transpose(value) @ value if rows >= columns else value @ _transpose(value)
    return np.trace(sqrtm(gram), axis1=-2, axis2=-1)
