"""Under ``mkdocs serve`` a broken identity shows on its page and the preview carries on.

Why: authors write under ``mkdocs serve``. A formula they break must show as a red box on its
own page at once (not a dead server, not a silent pass), the rebuild must check only the
identity they touched, and undoing the mistake must bring the verified card back, with the
untouched identities taken from memory rather than checked or read again. The printable page,
which shows every card as its own page does, follows each rebuild.
"""

from __future__ import annotations

from pathlib import Path

from support import copy_project, formula_line, mkdocs_serve

OLD = r"= -(\boldsymbol{X}^{-1})^\text T \boldsymbol{a}"
NEW = r"= (\boldsymbol{X}^{-1})^\text T \boldsymbol{a}"


def test_a_broken_identity_shows_on_its_page_and_only_it_is_checked_again(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path)
    seed = project / "docs" / "seed.md"
    text = seed.read_text(encoding="utf-8")
    assert text.count(OLD) == 1
    # A cache of its own, so that what is checked does not depend on earlier runs.
    with mkdocs_serve(project, cache=tmp_path / "cache") as server:
        _, log = server.next_build()
        assert any("0 results reused from the cache" in entry for entry in log), log
        assert "identity-error" not in server.page("seed/")

        seed.write_text(text.replace(OLD, NEW), encoding="utf-8")
        _, log = server.next_build()
        line = formula_line(text, "inverse-bilinear")
        assert any(f"docs/seed.md:{line}: [inverse-bilinear]" in entry for entry in log), log
        assert any("1 identities checked" in entry for entry in log), log
        page = server.page("seed/")
        assert page.count('class="identity-error"') == 1
        assert "the two sides differ" in page
        # The printable page shows each card as its page does, this rebuild's card too.
        printed = server.page("print/")
        assert printed.count('class="identity-error"') == 1 and "the two sides differ" in printed

        seed.write_text(text, encoding="utf-8")
        _, log = server.next_build()
        assert any("0 identities checked" in entry for entry in log), log
        assert "identity-error" not in server.page("seed/")
        assert "identity-error" not in server.page("print/")
        assert server.process.poll() is None
