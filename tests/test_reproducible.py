"""Reproducible and safe builds: same sources, same bytes; nothing in a page runs or reads files.

Why: course maintainers use the build as a verification gate and publish what it produces; two
builds of one commit must give identical trees (dates come from the commit, not the clock), and an
untrusted contribution must not be able to execute code or read files outside docs/.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

from matrixcheck.project import check_docs

REPO = Path(__file__).resolve().parent.parent


def _differences(comparison: filecmp.dircmp) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files]
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found


def test_two_builds_are_byte_identical(built_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(again)],
        cwd=REPO,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    comparison = filecmp.dircmp(built_site, again, ignore=[])
    filecmp.clear_cache()
    assert _differences(comparison) == []
    assert (again / "sitemap.xml.gz").read_bytes() == (built_site / "sitemap.xml.gz").read_bytes()


def test_yaml_in_a_page_cannot_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "evil.md").write_text(
        "/// identity | Evil\n"
        "    id: evil\n"
        f"    layout: !!python/object/apply:os.system ['touch {marker}']\n"
        "    symbols:\n"
        "      a: vector n\n"
        "\n$$\na = a\n$$\n///\n",
        encoding="utf-8",
    )
    report = check_docs(docs)
    assert not report.ok
    assert not marker.exists()
    assert any("cannot read the identity's options" in m for m in report.messages())


def test_latex_in_a_page_cannot_read_files(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "read.md").write_text(
        "/// identity | Read\n    id: read\n    layout: numerator\n    symbols:\n"
        "      a: vector n\n\n$$\n\\input{/etc/passwd} a = a\n$$\n///\n",
        encoding="utf-8",
    )
    (report_line,) = check_docs(docs).messages()
    assert "unknown macro \\input" in report_line
    assert "root:" not in report_line


def test_a_linked_page_outside_docs_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(
        "# secret\n\n$$\n\\frac{\\partial a}{\\partial a} = 1\n$$\n", encoding="utf-8"
    )
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "link.md").symlink_to(secret)
    (message,) = check_docs(docs).messages()
    assert "outside the docs directory and was not read" in message
