"""The seven seed identities verify as written, and plausible wrong versions of them fail.

Why: the seed page is the project's acceptance test. Each identity must pass on its own, with
every proof step checked; and the checker must reject the mistakes people actually make with
these formulas (a missing transpose, the other layout, assuming symmetry, commuting matrices),
reporting them as *failed* (the mathematics is wrong), not as an authoring *error*.
"""

from __future__ import annotations

import dataclasses

import pytest
from matrixcheck.check import check_identity
from support import SEED_IDS, seed_blocks, seed_result, seed_spec


def _with_rhs(identity_id: str, rhs: str, **changes: object):
    """The seed identity with its last side replaced by ``rhs`` and no proof."""
    latex = seed_blocks()[identity_id].spec.formula.latex
    head, _, _ = latex.rpartition("=")
    assert head, f"{identity_id} has no '='"
    return seed_spec(identity_id, latex=f"{head}= {rhs}", proof=[], **changes)


def _last_side(identity_id: str) -> str:
    return seed_blocks()[identity_id].spec.formula.latex.rpartition("=")[2].strip()


def test_seed_page_holds_the_seven_identities_in_order() -> None:
    assert tuple(seed_blocks()) == SEED_IDS


@pytest.mark.parametrize("identity_id", SEED_IDS)
def test_seed_identity_verifies_with_every_proof_step(identity_id: str) -> None:
    spec = seed_blocks()[identity_id].spec
    result = seed_result(identity_id)
    assert result.status == "verified", result.message
    assert result.ok
    assert result.max_rel_error is not None and result.max_rel_error < 1e-12
    assert spec.proof, "every seed identity has a proof with display steps"
    assert len(result.steps) == len(spec.proof)
    assert [s.status for s in result.steps] == ["checked"] * len(spec.proof), [
        s.reason for s in result.steps
    ]
    assert all(s.max_rel_error is not None and s.max_rel_error < 1e-9 for s in result.steps)


@pytest.mark.parametrize("identity_id", SEED_IDS)
def test_seed_samples_give_distinct_dimensions_distinct_sizes(identity_id: str) -> None:
    result = seed_result(identity_id)
    assert len(result.trials) >= 3
    names = {d for decl in result.declarations.values() for d in decl.dimensions()}
    for trial in result.trials:
        assert set(trial.sizes) == names
        assert all(size >= 2 for size in trial.sizes.values())
        assert len(set(trial.sizes.values())) == len(trial.sizes)
    assert len({tuple(sorted(t.sizes.items())) for t in result.trials}) > 1 or len(names) == 0


def test_checking_is_reproducible() -> None:
    spec = seed_blocks()["inverse-bilinear"].spec
    first, second = seed_result("inverse-bilinear"), check_identity(spec)
    assert first is not second
    assert first.max_rel_error == second.max_rel_error
    assert [t.seed for t in first.trials] == [t.seed for t in second.trials]
    assert [t.sizes for t in first.trials] == [t.sizes for t in second.trials]


# The wrong variants of the issue, each in the seed's own notation.
SEED_MISTAKES = {
    "inverse-bilinear without the transposes": (
        "inverse-bilinear",
        r"-\boldsymbol{X}^{-1} \boldsymbol{a} \boldsymbol{b}^\text T \boldsymbol{X}^{-1}",
        {},
        "the two sides differ",
    ),
    "linear-form as a column under numerator layout": (
        "linear-form",
        r"\boldsymbol{a}",
        {},
        "different shapes",
    ),
    "bilinear-form as b a^T with X not square": (
        "bilinear-form",
        r"\boldsymbol{b} \boldsymbol{a}^\text T",
        {},
        "different shapes",
    ),
    "quadratic-form as 2 x^T A with A general": (
        "quadratic-form",
        r"2 \boldsymbol{x}^\text{T} \boldsymbol{A}",
        {},
        "the two sides differ",
    ),
    "inverse-of-function with the factors commuted": (
        "inverse-of-function",
        r"-f(\boldsymbol{X})^{-2} \frac{\partial f(\boldsymbol{X})}{\partial \boldsymbol{X}}",
        {},
        "the two sides differ",
    ),
}


@pytest.mark.parametrize("case", SEED_MISTAKES, ids=list(SEED_MISTAKES))
def test_seed_mistake_fails(case: str) -> None:
    identity_id, rhs, changes, evidence = SEED_MISTAKES[case]
    result = check_identity(_with_rhs(identity_id, rhs, **changes))
    assert result.status == "failed", result.message
    assert evidence in result.message
    assert not result.ok


def test_weighted_residual_fails_when_w_is_not_declared_symmetric() -> None:
    spec = seed_blocks()["weighted-residual"].spec
    assert "symmetric" in spec.symbols["W"]
    symbols = {**spec.symbols, "W": "matrix n x n"}
    result = check_identity(dataclasses.replace(spec, symbols=symbols, proof=[]))
    assert result.status == "failed", result.message
    assert "the two sides differ" in result.message


def test_weighted_residual_general_w_form_verifies() -> None:
    # The page's own remark: for a general W the derivative has W + W^T instead of 2W.
    spec = _with_rhs(
        "weighted-residual",
        r"-(\boldsymbol{x} - \boldsymbol{A}\boldsymbol{s})^\text T"
        r" (\boldsymbol{W} + \boldsymbol{W}^\text T) \boldsymbol{A}",
    )
    symbols = {**spec.symbols, "W": "matrix n x n"}
    result = check_identity(dataclasses.replace(spec, symbols=symbols))
    assert result.status == "verified", result.message


def test_quadratic_form_simplifies_when_a_is_declared_symmetric() -> None:
    spec = _with_rhs("quadratic-form", r"2 \boldsymbol{x}^\text{T} \boldsymbol{A}")
    symbols = {**spec.symbols, "A": "matrix n x n, symmetric"}
    result = check_identity(dataclasses.replace(spec, symbols=symbols))
    assert result.status == "verified", result.message


@pytest.mark.parametrize("identity_id", SEED_IDS)
@pytest.mark.parametrize("wrong", [r"-\left( {rhs} \right)", r"2 \left( {rhs} \right)"])
def test_seed_with_flipped_sign_or_doubled_fails(identity_id: str, wrong: str) -> None:
    rhs = wrong.format(rhs=_last_side(identity_id))
    result = check_identity(_with_rhs(identity_id, rhs))
    assert result.status == "failed", result.message
    assert "the two sides differ" in result.message
    assert result.max_rel_error is not None and result.max_rel_error > 1e-3


# A transpose removed from the right-hand side; each still type-checks (or differs in shape only
# between the sides), so the mistake is a false identity, not a malformed one.
DROPPED_TRANSPOSES = {
    "transpose-of-derivative": (
        r"\left(\frac{\partial f(\boldsymbol{X})}{\partial \boldsymbol{X}}\right)^\text T",
        r"\left(\frac{\partial f(\boldsymbol{X})}{\partial \boldsymbol{X}}\right)",
    ),
    "inverse-bilinear": (
        r"-(\boldsymbol{X}^{-1})^\text T \boldsymbol{a}",
        r"-(\boldsymbol{X}^{-1}) \boldsymbol{a}",
    ),
    "linear-form": (r"= \boldsymbol{a}^\text{T}", r"= \boldsymbol{a}"),
    "quadratic-form": (
        r"(\boldsymbol{A} + \boldsymbol{A}^\text{T})",
        r"(\boldsymbol{A} + \boldsymbol{A})",
    ),
}


@pytest.mark.parametrize("identity_id", DROPPED_TRANSPOSES)
def test_seed_with_dropped_transpose_fails(identity_id: str) -> None:
    old, new = DROPPED_TRANSPOSES[identity_id]
    latex = seed_blocks()[identity_id].spec.formula.latex
    assert latex.count(old) == 1
    result = check_identity(seed_spec(identity_id, latex=latex.replace(old, new), proof=[]))
    assert result.status == "failed", result.message
    assert "the two sides differ" in result.message or "different shapes" in result.message
