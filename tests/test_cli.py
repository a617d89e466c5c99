"""`python -m matrixcheck check docs` runs the same checks as the build, without MkDocs.

Why: it is the fast loop while writing an identity, and the guard for any tool that builds the
site without the hook. It must exit 0 only on a clean docs tree, print one `page:line: [id]`
line per problem in the same form as the build, and never show a traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from matrixcheck.__main__ import main
from support import DOCS, REPO

SUMMARY = re.compile(r"^(\d+) identities on (\d+) pages: (\d+) verified", re.MULTILINE)

BROKEN_PAGE = """\
# Broken

Some prose.

/// identity | Linear form, wrong layout
    id: broken-linear-form
    layout: numerator
    symbols:
      x: vector n
      a: vector n

$$
\\frac{\\partial \\boldsymbol x^\\text T \\boldsymbol a}{\\partial \\boldsymbol x} = 2 \\boldsymbol a^\\text T
$$
///
"""


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "hooks")}
    return subprocess.run(
        [sys.executable, "-m", "matrixcheck", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_repository_docs_pass(tmp_path: Path) -> None:
    export = tmp_path / "identities.json"
    result = run_cli("check", "docs", "--json", str(export), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "error:" not in result.stderr
    summary = SUMMARY.search(result.stdout)
    assert summary, result.stdout
    identities, pages, verified = map(int, summary.groups())
    assert pages == len(list(DOCS.rglob("*.md")))
    assert 7 <= verified <= identities
    assert "problem" not in result.stdout
    records = json.loads(export.read_text(encoding="utf-8"))["identities"]
    assert len(records) == identities
    assert {r["id"] for r in records} >= {"inverse-bilinear", "weighted-residual"}


def test_broken_identity_exits_1_with_page_line_and_id(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "part").mkdir(parents=True)
    (docs / "part" / "page.md").write_text(BROKEN_PAGE, encoding="utf-8")
    result = run_cli("check", "docs/", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "docs/part/page.md:12: [broken-linear-form] the two sides differ" in result.stderr
    assert "Traceback" not in output
    summary = SUMMARY.search(result.stdout)
    assert summary and summary.groups() == ("1", "1", "0"), result.stdout
    assert "1 problem(s)" in result.stdout


def test_label_is_the_directory_as_given(tmp_path: Path) -> None:
    docs = tmp_path / "site-src"
    docs.mkdir()
    (docs / "p.md").write_text("Text.\n\n$$\n\\frac{\\partial y}{\\partial x} = 1\n$$\n")
    result = run_cli("check", "site-src", cwd=tmp_path)
    assert result.returncode == 1
    assert "site-src/p.md:3: this display formula looks like a derivative identity" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_missing_directory(tmp_path: Path, capsys) -> None:
    assert main(["check", str(tmp_path / "nowhere")]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_in_process_run_matches_exit_status(tmp_path: Path, capsys) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.md").write_text(BROKEN_PAGE.replace("= 2 \\", "= \\"), encoding="utf-8")
    assert main(["check", str(docs)]) == 0
    out = capsys.readouterr()
    assert SUMMARY.search(out.out).groups() == ("1", "1", "1")
    (docs / "page.md").write_text(BROKEN_PAGE, encoding="utf-8")
    assert main(["check", str(docs)]) == 1
    assert f"{docs.as_posix()}/page.md:12: [broken-linear-form]" in capsys.readouterr().err
