"""Shared pytest fixtures, and the Hypothesis profiles.

Why: building the site takes seconds, so tests that inspect the built HTML share one strict
build per session (`built_site`) instead of each running MkDocs again.

The property tests run derandomized (profile ``gate``, the default): the same sources give the
same examples, so `make test` passes or fails the same way on every machine and every run, as a
verification gate must. `make fuzz` runs them with fresh random examples instead (profile
``fuzz``), to look for new counterexamples; one it finds is pinned with ``@example``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent
settings.register_profile("gate", derandomize=True, database=None)
settings.register_profile("fuzz", derandomize=False, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gate"))
# The engine lives in hooks/ (MkDocs loads hooks by file path); `make test` runs pytest without
# PYTHONPATH, so the engine tests put it on the path here.
if str(REPO / "hooks") not in sys.path:
    sys.path.insert(0, str(REPO / "hooks"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run `mkdocs build --strict` from the repository root into a temporary directory."""
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
        cwd=REPO,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed ({result.returncode}):\n{result.stderr}")
    return site
