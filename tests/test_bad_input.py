"""The bad-input corpus: every malformed page fails with a precise, author-facing message.

Why: whatever a contributor puts in a page, the gate must answer like a compiler: a non-zero exit,
``file:line``, the identity's id and what to fix; never a traceback, never a crash. Each page in
``tests/bad-input/`` starts with the message it must produce:
``<!-- expect error at line 11 [identity-id]: the text the message starts with -->``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "bad-input"
LABEL = "tests/bad-input"
EXPECTATION = re.compile(
    rb"^<!-- expect (?P<kind>error|warning) at line (?P<line>\d+) \[(?P<id>[^\]]*)\]: "
    rb"(?P<text>.*) -->$"
)
CASES = sorted(CORPUS.glob("*.md"))


@pytest.fixture(scope="module")
def output() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matrixcheck", "check", "--strict", LABEL],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "hooks")},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


def test_the_corpus_fails_without_a_traceback(output: subprocess.CompletedProcess[str]) -> None:
    assert output.returncode == 1
    assert "Traceback" not in output.stdout + output.stderr
    assert "internal error" not in output.stderr


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_each_case_gives_its_message(case: Path, output: subprocess.CompletedProcess[str]) -> None:
    first_line = case.read_bytes().split(b"\n", 1)[0]
    place = f"{LABEL}/{case.name}:"
    mine = [line for line in output.stderr.splitlines() if line.split(" ", 1)[1].startswith(place)]
    if first_line.startswith(b"<!-- expect nothing"):
        assert not mine
        return
    expected = EXPECTATION.match(first_line)
    assert expected, f"{case.name} must start with an expectation comment"
    kind, line, identity, text = (group.decode() for group in expected.groups())
    tag = f" [{identity}]" if identity else ""
    prefix = f"{kind}: {LABEL}/{case.name}:{line}:{tag} {text}"
    assert any(message.startswith(prefix) for message in mine), (prefix, mine)
    assert all("(fix: " in message for message in mine), mine
