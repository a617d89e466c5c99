"""Random samples honour every declared property, and sizes keep dimension names apart.

Why: an identity is checked on random values that must satisfy its declarations. A sample that
silently drops a property (a "diagonal" matrix with off-diagonal entries) makes true identities
fail and, worse, can make the evidence for a verdict meaningless. Distinct dimension names must
get distinct sizes so that a missing transpose cannot hide behind a square shape.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matrixcheck.declarations import PROPERTIES, parse_declaration
from matrixcheck.errors import AuthorError
from matrixcheck.exact import exact_value
from matrixcheck.sampling import sample_value, seed_for, size_sets, tangent_basis
from support import check


def _holds(prop: str, value: np.ndarray) -> bool:
    n = value.shape[0]
    symmetric = np.allclose(value, value.T)
    return {
        "symmetric": lambda: symmetric,
        "skew-symmetric": lambda: np.allclose(value, -value.T),
        "positive definite": lambda: symmetric and np.linalg.eigvalsh(value).min() > 1e-9,
        "invertible": lambda: np.linalg.cond(value) < 1e8,
        "positive stable": lambda: np.linalg.eigvals(value).real.min() > 0 and not symmetric,
        "singular": lambda: np.linalg.matrix_rank(value) == n - 1,
        "orthogonal": lambda: np.allclose(value.T @ value, np.eye(n)),
        "diagonal": lambda: np.allclose(value, np.diag(np.diag(value))),
        "lower triangular": lambda: np.allclose(value, np.tril(value)),
        "upper triangular": lambda: np.allclose(value, np.triu(value)),
        "positive": lambda: bool((value > 0).all()),
        "nonzero": lambda: bool((value != 0).all()),
        "simple spectrum": lambda: _gapped(np.linalg.eigvals(value), 0.5, 0.25),
        "simple singular values": lambda: _gapped(np.linalg.svd(value)[1], 0.5, 1.0),
    }[prop]()


def _gapped(values: np.ndarray, gap: float, floor: float) -> bool:
    """Real values, pairwise at least ``gap`` apart and at least ``floor`` away from zero."""
    ordered = np.sort(values.real)
    return bool(
        np.allclose(values.imag, 0)
        and np.all(np.diff(ordered) >= gap - 1e-9)
        and np.min(np.abs(ordered)) >= floor - 1e-9
    )


def _numeric(properties: frozenset[str], n: int, seed: int) -> np.ndarray:
    return sample_value(properties, (n, n), np.random.default_rng(seed))


def _exact(properties: frozenset[str], n: int, seed: int) -> np.ndarray:
    value = exact_value(properties, (n, n), np.random.default_rng(seed))
    return np.array(value.tolist(), dtype=float)


SAMPLERS = {"numeric": _numeric, "exact": _exact}
COMBINATIONS = [(p,) for p in PROPERTIES] + list(itertools.combinations(PROPERTIES, 2))


def _cases():
    for sampler in SAMPLERS:
        for combination in COMBINATIONS:
            yield pytest.param(sampler, combination, id=f"{sampler}-{'+'.join(combination)}")


@pytest.mark.parametrize(("sampler", "combination"), list(_cases()))
def test_accepted_properties_are_honoured(sampler: str, combination: tuple[str, ...]) -> None:
    try:
        declaration = parse_declaration("X", "matrix n x n, " + ", ".join(combination))
    except AuthorError as error:
        assert "cannot be both" in error.message
        return
    for n, seed in itertools.product((2, 3, 4, 5), range(4)):
        value = SAMPLERS[sampler](declaration.properties, n, seed)
        assert value.shape == (n, n)
        broken = [p for p in sorted(declaration.properties) if not _holds(p, value)]
        assert not broken, (n, seed, broken, value)


@pytest.mark.parametrize("prop", ["positive", "nonzero"])
def test_entry_properties_on_rectangular_values(prop: str) -> None:
    for seed in range(5):
        value = sample_value(frozenset({prop}), (4, 1), np.random.default_rng(seed))
        assert value.shape == (4, 1) and _holds(prop, value)


def test_samples_are_reproducible() -> None:
    properties = frozenset({"symmetric", "invertible"})
    first = sample_value(properties, (4, 4), np.random.default_rng(seed_for("some-id", 2)))
    again = sample_value(properties, (4, 4), np.random.default_rng(seed_for("some-id", 2)))
    assert np.array_equal(first, again)
    assert seed_for("some-id", 2) != seed_for("some-id", 3)
    assert seed_for("some-id", 2) != seed_for("other-id", 2)


@pytest.mark.parametrize(
    ("properties", "count", "belongs"),
    [
        ((), 12, lambda b, v: True),
        (("symmetric",), 6, lambda b, v: np.allclose(b, b.T)),
        (("positive definite",), 6, lambda b, v: np.allclose(b, b.T)),
        (("skew-symmetric",), 3, lambda b, v: np.allclose(b, -b.T)),
        (("diagonal",), 3, lambda b, v: np.allclose(b, np.diag(np.diag(b)))),
        (("lower triangular",), 6, lambda b, v: np.allclose(b, np.tril(b))),
        (("upper triangular",), 6, lambda b, v: np.allclose(b, np.triu(b))),
        (("orthogonal",), 3, lambda b, v: np.allclose(v.T @ b, -(v.T @ b).T)),
    ],
)
def test_tangent_basis_spans_the_allowed_directions(properties, count, belongs) -> None:
    props = frozenset(parse_declaration("X", ", ".join(("matrix n x n", *properties))).properties)
    shape = (3, 4) if not properties else (3, 3)
    value = sample_value(props, shape, np.random.default_rng(0))
    basis = tangent_basis(props, value)
    assert len(basis) == count
    assert all(b.shape == shape and belongs(b, value) for b in basis)
    gram = np.array([[np.sum(p * q) for q in basis] for p in basis])
    assert np.allclose(gram, np.diag(np.diag(gram))) and (np.diag(gram) > 0).all()


@pytest.mark.parametrize("names", [["n"], ["m", "n"], ["k", "m", "n", "p"], list("abcdefg")])
def test_size_sets_give_distinct_sizes_to_distinct_names(names: list[str]) -> None:
    sets = size_sets(names, "some-identity")
    assert sets == size_sets(list(reversed(names)), "some-identity")
    assert len(sets) == 3
    for sizes in sets:
        assert sorted(sizes) == sorted(names)
        assert all(size >= 2 for size in sizes.values())
        assert len(set(sizes.values())) == len(names)
    assert len({tuple(sorted(s.items())) for s in sets}) == len(sets)


def test_size_sets_without_names() -> None:
    assert size_sets([], "scalar-identity") == [{}]


def test_identity_about_a_diagonal_positive_definite_matrix_verifies() -> None:
    result = check(
        r"\boldsymbol D \circ \boldsymbol I = \boldsymbol D",
        "numerator",
        {"D": "matrix n x n, diagonal, positive definite"},
    )
    assert result.status == "verified", result.message


def test_identity_about_a_diagonal_matrix_verifies() -> None:
    result = check(
        r"\boldsymbol D \circ \boldsymbol I = \boldsymbol D",
        "numerator",
        {"D": "matrix n x n, diagonal"},
    )
    assert result.status == "verified", result.message
