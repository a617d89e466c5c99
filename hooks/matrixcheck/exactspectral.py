"""Exact eigenvalues, singular values and their vectors, for matrices with an integer spectrum.

The exact sampler draws a matrix declared with a simple spectrum as ``Q D Qᵀ`` or ``S D S⁻¹``
(and one with simple singular values as ``U Σ Vᵀ``) with integer eigenvalues (singular values),
so at ``t = 0`` they are known integers. They are found without trusting floats: the eigenvalues
are computed in floating point, rounded to integers, and each integer ``k`` is then verified
exactly, ``det(A − kI) = 0``; ``n`` distinct roots of an ``n × n`` matrix are all its eigenvalues,
and all are simple. A matrix whose spectrum is not made of distinct integers (one drawn
without the condition, or repeated or complex eigenvalues) raises :class:`NotExact`.

The eigenvector at ``t = 0`` is a column of ``Π_{j≠i} (A − λ_j I)``, which is ``c vᵢ wᵢᵀ`` for a
diagonalisable ``A`` with simple eigenvalues (``wᵢ`` the left eigenvector).
The eigenpair along the open infinitesimals is the root of the defining equations
``(A(t) − λ I) v = 0``, ``aᵀ v = 1`` (``a`` a fixed anchor), found by the chord method on jets
from ``(λᵢ, vᵢ)`` with the Jacobian inverted exactly at ``t = 0``: each step gains one order in
the infinitesimals, which are nilpotent, so a finite number of steps gives the exact root. No
identity of matrix calculus is used, only the definition of an eigenpair. The vector is then
normalised to unit length, as the numeric backend does. A singular value is the square root of an
eigenvalue of ``XᵀX`` (or of ``XXᵀ`` for a wide ``X``), with its vectors paired as numerically:
``u = X v / σ`` (or ``v = Xᵀ u / σ``). An index picks the value as the numeric backend does
(:func:`matfuncs.position`), with the sample's ``index_seed``, so both backends mean the same
``λᵢ``.
"""

from __future__ import annotations

import numpy as np
from gmpy2 import mpq

from . import jets
from .jets import ONE, ZERO, Scalar, is_rational, value_at_zero
from .matfuncs import position


class NotExact(Exception):
    """The exact backend cannot evaluate this formula; the message says why."""


def eigenpair(value: np.ndarray, index: str, seed: int) -> tuple[Scalar, np.ndarray, np.ndarray]:
    """``λ_index`` of a square jet matrix with its unit right and left eigenvectors ``x``, ``y``
    (the left one is the right one of the transpose, whose spectrum is the same)."""
    base = jets.entrywise(value_at_zero, value)
    if not all(is_rational(entry) for entry in base.flat):
        raise NotExact("a spectral value of a matrix that is not rational at the exact sample")
    spectrum = integer_spectrum(base)
    chosen = position(index, len(spectrum), seed)
    eigenvalue, right = _pair(value, base, spectrum, chosen)
    return eigenvalue, right, _pair(value.T, base.T, spectrum, chosen)[1]


def singular_triple(
    value: np.ndarray, index: str, seed: int
) -> tuple[Scalar, np.ndarray, np.ndarray]:
    """``σ_index`` with its unit left and right singular vectors ``u``, ``v`` (``X v = σ u``),
    from the eigenpair of the smaller Gram matrix ``XᵀX`` or ``XXᵀ``, as numerically."""
    wide = value.shape[0] < value.shape[1]
    gram = value @ value.T if wide else value.T @ value
    squared, vector, _ = eigenpair(gram, index, seed)
    sigma = jets.apply(jets.SERIES["sqrt"], squared)
    other = (value.T if wide else value) @ vector * jets.reciprocal(sigma)
    return (sigma, vector, other) if wide else (sigma, other, vector)


def integer_spectrum(base: np.ndarray) -> list[int]:
    """The eigenvalues of a rational matrix, decreasing, if they are distinct integers.

    Floats only propose the integers; ``det(A − kI) = 0`` proves each exactly, and ``n`` distinct
    roots of an ``n × n`` matrix are its whole spectrum.
    """
    n = base.shape[0]
    approximate = np.linalg.eigvals(np.array(base, dtype=float))
    candidates = sorted({round(float(e.real)) for e in approximate}, reverse=True)
    if len(candidates) == n and all(
        jets.determinant(base - k * jets.eye(n)) == 0 for k in candidates
    ):
        return candidates
    raise NotExact(
        "the eigenvalues (or squared singular values) at the exact sample are not distinct "
        "integers, so they are not known exactly; the exact sampler draws integer spectra only "
        "for a symbol declared with a simple spectrum or simple singular values, taken as it is"
    )


def _pair(
    value: np.ndarray, base: np.ndarray, spectrum: list[int], chosen: int
) -> tuple[Scalar, np.ndarray]:
    """The eigenvalue ``spectrum[chosen]`` and its unit vector along the infinitesimals of ``value``.

    It starts from a column of ``Π_{j ≠ chosen} (A − λ_j I)`` at ``t = 0`` (rank one, its
    columns along the eigenvector) and takes chord steps on ``(A − λI) v = 0``, ``aᵀ v = 1``
    with the bordered Jacobian ``[[A − λI, −v], [aᵀ, 0]]`` inverted exactly at ``t = 0``
    (invertible for a simple eigenvalue, as ``aᵀ v = 1``). Each step gains one order in the
    infinitesimals, so :func:`jets.nilpotency` steps give the exact root.
    """
    n = base.shape[0]
    eigenvalue = spectrum[chosen]
    projector = jets.eye(n)
    for k, other in enumerate(spectrum):
        if k != chosen:
            projector = projector @ (base - other * jets.eye(n))
    column = max(range(n), key=lambda j: sum(abs(e) for e in projector[:, j]))
    start = projector[:, column : column + 1]
    anchor = start / sum(e * e for e in start.flat)
    jacobian = np.vstack(
        [np.hstack([base - eigenvalue * jets.eye(n), -start]), np.hstack([anchor.T, [[ZERO]]])]
    )
    inverse = jets.inverse(jacobian)
    assert inverse is not None  # a simple eigenvalue with aᵀv = 1 makes it invertible
    vector, root = start, mpq(eigenvalue)
    order = jets.nilpotency(
        mask for entry in value.flat if isinstance(entry, jets.Jet) for mask in entry.terms
    )
    for _ in range(order):
        residual = np.vstack(
            [(value - root * jets.eye(n)) @ vector, [[sum((anchor * vector).flat, -ONE)]]]
        )
        step = inverse @ residual
        vector, root = vector - step[:n], root - step[n, 0]
    norm = jets.apply(jets.SERIES["sqrt"], sum((e * e for e in vector.flat), ZERO))
    return root, vector[:, 0] * jets.reciprocal(norm)
