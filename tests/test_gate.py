"""`mkdocs build --strict` is the gate: a wrong formula stops the build and names where it is.

Why: the site's promise is that every formula a reader sees was checked by machine. These tests
run the real build on a copy of the project with one seed formula broken the way people break
them (a flipped sign, a factor of 2, a dropped transpose): the build must exit non-zero, name the
identity and its page line, show no traceback, and leave the previously built site untouched.
A clean build must publish ``identities.json`` and an anchor for every seed identity.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support import (
    RECORD_FIELDS,
    REPO,
    SEED_IDS,
    build_environment,
    copy_project,
    formula_line,
    header_line,
    seed_blocks,
)

# One seed formula broken per case: (identity id, text in the formula, replacement).
BREAKAGES = {
    "flipped-sign": (
        "inverse-bilinear",
        r"= -(\boldsymbol{X}^{-1})^\text T \boldsymbol{a}",
        r"= (\boldsymbol{X}^{-1})^\text T \boldsymbol{a}",
    ),
    "factor-of-two": (
        "quadratic-form",
        r"= \boldsymbol{x}^\text{T} (\boldsymbol{A} + \boldsymbol{A}^\text{T})",
        r"= 2 \boldsymbol{x}^\text{T} (\boldsymbol{A} + \boldsymbol{A}^\text{T})",
    ),
    "dropped-transpose": (
        "linear-form",
        r"= \boldsymbol{a}^\text{T}",
        r"= \boldsymbol{a}",
    ),
}


def snapshot(tree: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and directory under ``tree`` with its content and modification time."""
    return {
        path.relative_to(tree).as_posix(): (
            (path.read_bytes(), path.stat().st_mtime_ns) if path.is_file() else (b"", 0)
        )
        for path in sorted(tree.rglob("*"))
    }


@dataclass
class BrokenBuild:
    """A copy of the project with one change, built with ``mkdocs build --strict``."""

    project: Path
    line: int
    identity_id: str
    site_before: dict[str, tuple[bytes, int]]
    returncode: int = 0
    output: str = ""


def _prepare(root: Path, breakage: str) -> BrokenBuild:
    project = copy_project(root)
    page = project / "docs" / "seed.md"
    text = page.read_text(encoding="utf-8")
    if breakage == "stray-display":
        identity_id, line = "", len(text.split("\n")) + 1
        text += "\n$$\n\\frac{\\partial f}{\\partial \\boldsymbol x} = \\boldsymbol a\n$$\n"
    else:
        identity_id, old, new = BREAKAGES[breakage]
        assert text.count(old) == 1, f"{old!r} must occur once in seed.md"
        assert old in seed_blocks()[identity_id].spec.formula.latex
        line = formula_line(text, identity_id)
        text = text.replace(old, new)
    page.write_text(text, encoding="utf-8")
    site = project / "site"
    (site / "seed").mkdir(parents=True)
    (site / "index.html").write_text("<p>previous build</p>", encoding="utf-8")
    (site / "seed" / "index.html").write_text("<p>previous seed page</p>", encoding="utf-8")
    (site / "marker.txt").write_bytes(b"left by the previous build\n")
    return BrokenBuild(project, line, identity_id, snapshot(site))


@pytest.fixture(scope="module")
def broken_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BrokenBuild]:
    """Every broken copy, built concurrently (each build checks the whole docs tree)."""
    builds = {
        name: _prepare(tmp_path_factory.mktemp(name), name)
        for name in (*BREAKAGES, "stray-display")
    }
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict"],
            cwd=case.project,
            env=build_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, case in builds.items()
    }
    for name, process in running.items():
        output, _ = process.communicate(timeout=300)
        builds[name].returncode, builds[name].output = process.returncode, output
    return builds


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_broken_seed_formula_fails_the_build(
    breakage: str, broken_builds: dict[str, BrokenBuild]
) -> None:
    case = broken_builds[breakage]
    output = case.output
    assert case.returncode != 0, output
    assert f"docs/seed.md:{case.line}: [{case.identity_id}]" in output, output
    assert "Traceback" not in output
    # Only this identity is reported; the other seeds still verify.
    others = [other for other in SEED_IDS if other != case.identity_id]
    assert all(f"[{other}]" not in output for other in others), output


@pytest.mark.parametrize("breakage", [*BREAKAGES, "stray-display"])
def test_a_failing_build_leaves_the_previous_site_untouched(
    breakage: str, broken_builds: dict[str, BrokenBuild]
) -> None:
    case = broken_builds[breakage]
    assert case.returncode != 0
    assert snapshot(case.project / "site") == case.site_before
    assert "Cleaning site directory" not in case.output


def test_a_stray_derivative_display_fails_the_build(
    broken_builds: dict[str, BrokenBuild],
) -> None:
    case = broken_builds["stray-display"]
    assert case.returncode != 0, case.output
    message = f"docs/seed.md:{case.line}: this display formula looks like a derivative identity"
    assert message in case.output, case.output
    assert "Traceback" not in case.output


# -- a passing build ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(built_site: Path) -> dict[str, dict]:
    data = json.loads((built_site / "identities.json").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in data["identities"]}


def test_identities_json_lists_every_seed_identity_as_verified(
    published: dict[str, dict],
) -> None:
    text = (REPO / "docs" / "seed.md").read_text(encoding="utf-8")
    blocks = seed_blocks()
    assert set(SEED_IDS) <= set(published)
    for identity_id in SEED_IDS:
        entry = published[identity_id]
        spec = blocks[identity_id].spec
        assert all(field in entry for field in RECORD_FIELDS), entry.keys()
        assert entry["status"] == "verified", entry
        assert isinstance(entry["max_rel_error"], float) and entry["max_rel_error"] < 1e-12
        assert entry["proof_steps_total"] > 0
        assert entry["proof_steps_checked"] == entry["proof_steps_total"]
        assert entry["url"] == f"seed/#{identity_id}"
        assert entry["source"] == f"seed.md:{header_line(text, identity_id)}"
        assert entry["title"] == spec.title
        assert entry["latex"] == spec.formula.latex
        assert entry["layout"] == spec.layout
        assert isinstance(entry["assumptions"], list)
        assert len(entry["sizes"]) == len(entry["seeds"]) >= 3
        assert all(isinstance(seed, int) for seed in entry["seeds"])


def test_identities_json_records_the_assumption_of_weighted_residual(
    published: dict[str, dict],
) -> None:
    assumptions = json.dumps(published["weighted-residual"]["assumptions"])
    assert "W" in assumptions and "symmetric" in assumptions
    assert published["bilinear-form"]["assumptions"] == []


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name == "id" and value]


def test_seed_page_has_an_anchor_per_identity(built_site: Path) -> None:
    parser = _Ids()
    html = (built_site / "seed" / "index.html").read_text(encoding="utf-8")
    parser.feed(html)
    for identity_id in SEED_IDS:
        assert parser.ids.count(identity_id) == 1, identity_id
    assert "identity-error" not in html
    assert html.count("badge-verified") >= len(SEED_IDS)
