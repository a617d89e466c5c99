"""Identity blocks are found in Markdown with exact line numbers; page-level mistakes are reported.

Why: an author fixes a failing identity by going to the line the build names, so every location
(block, formula, proof step, problem) must be the line in the file, front matter included. The
scanner must also ignore examples inside code fences, refuse derivative formulas that escape
checking, and turn malformed blocks and files into problems rather than crashes.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from matrixcheck.document import read_page, strip_front_matter
from matrixcheck.project import check_docs, read_file
from support import SEED_IDS, SEED_PAGE, header_line, seed_blocks

BLOCK = """\
/// identity | Linear form
    id: {id}
    layout: denominator
    symbols:
      a: vector n
      x: vector n

$$
\\frac{{\\partial \\boldsymbol a^\\text T \\boldsymbol x}}{{\\partial \\boldsymbol x}}
= \\boldsymbol a
$$

The derivative of a linear form.

//// proof
The form is linear:

$$
d(\\boldsymbol a^\\text T \\boldsymbol x) = \\boldsymbol a^\\text T d\\boldsymbol x
$$

and so on.

$$ d(\\boldsymbol x^\\text T \\boldsymbol a) = \\boldsymbol a^\\text T d\\boldsymbol x $$
////
///
"""


def block(identity_id: str = "linear-form") -> str:
    return BLOCK.format(id=identity_id)


def lines_starting(text: str, prefix: str) -> list[int]:
    return [i + 1 for i, line in enumerate(text.split("\n")) if line.startswith(prefix)]


def write_docs(root: Path, pages: dict[str, str | bytes]) -> Path:
    docs = root / "docs"
    for name, content in pages.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return docs


def problems(text: str) -> list[tuple[int, str]]:
    page = read_page(text, "page.md")
    return [(p.location.line, p.message) for p in page.problems]


# -- locations ------------------------------------------------------------------------------------


def _expected_displays(text: str, first: int, last: int) -> tuple[list[int], list[int]]:
    """Opening lines of displays outside and inside the proof, between two 1-based lines."""
    lines = text.split("\n")
    outside: list[int] = []
    inside: list[int] = []
    in_proof = in_display = False
    for number in range(first, last + 1):
        line = lines[number - 1].strip()
        if line == "//// proof":
            in_proof = True
        elif line == "////":
            in_proof = False
        elif line.startswith("$$") and not in_display:
            (inside if in_proof else outside).append(number)
            in_display = not (len(line) > 2 and line.endswith("$$"))
        elif line.endswith("$$") and in_display:
            in_display = False
    return outside, inside


@pytest.mark.parametrize("identity_id", SEED_IDS)
def test_seed_block_lines_are_file_lines(identity_id: str) -> None:
    text = SEED_PAGE.read_text(encoding="utf-8")
    spec = seed_blocks()[identity_id].spec
    start = header_line(text, identity_id)
    assert spec.location.path == "seed.md"
    assert spec.location.line == start
    end = start + text.split("\n")[start - 1 :].index("///")
    formulas, steps = _expected_displays(text, start, end)
    assert [spec.formula.location.line] == formulas
    assert [step.location.line for step in spec.proof] == steps
    assert steps, "every seed identity has proof steps"


def test_block_spans_and_segments() -> None:
    text = "# Page\n\nIntro.\n\n" + block()
    page = read_page(text, "page.md")
    assert not page.problems
    [found] = page.blocks
    lines = text.split("\n")
    assert lines[found.first_line].startswith("/// identity")
    assert lines[found.last_line] == "///"
    assert found.spec.title == "Linear form"
    assert found.spec.layout == "denominator"
    assert found.spec.symbols == {"a": "vector n", "x": "vector n"}
    assert found.spec.formula.latex.startswith(r"\frac{\partial")
    formulas, steps = _expected_displays(text, 1, len(lines))
    assert [found.spec.formula.location.line] == formulas
    assert [s.location.line for s in found.spec.proof] == steps
    assert len(steps) == 2
    assert found.spec.proof[1].latex == (
        r"d(\boldsymbol x^\text T \boldsymbol a) = \boldsymbol a^\text T d\boldsymbol x"
    )
    kinds = [(s.kind, s.in_proof) for s in found.segments]
    assert ("formula", False) in kinds
    assert kinds.count(("step", True)) == 2


def test_line_offset_is_added() -> None:
    page = read_page(block(), "page.md", line_offset=7)
    assert page.blocks[0].spec.location.line == 8
    assert page.blocks[0].spec.formula.location.line == 8 + 7


def test_front_matter_is_stripped_and_counted() -> None:
    front = "---\ntitle: Linear\ntags:\n  - calculus\n---\n"
    body, removed = strip_front_matter(front + "# Page\n")
    assert (body, removed) == ("# Page\n", 5)
    assert strip_front_matter("# No front matter\n---\n") == ("# No front matter\n---\n", 0)


def test_front_matter_keeps_reported_lines_true(tmp_path: Path) -> None:
    front = "---\ntitle: Linear\ntags: [calculus]\n---\n"
    text = front + "# Page\n\n" + block()
    docs = write_docs(tmp_path, {"page.md": text})
    page = read_file(docs / "page.md", "page.md")
    spec = page.blocks[0].spec
    assert spec.location.line == header_line(text, "linear-form")
    formulas, steps = _expected_displays(text, 1, text.count("\n") + 1)
    assert [spec.formula.location.line] == formulas
    assert [s.location.line for s in spec.proof] == steps
    assert formulas[0] > 4 + 6


def test_problem_lines_with_front_matter(tmp_path: Path) -> None:
    text = "---\ntitle: T\n---\n\n$$\n\\frac{\\partial y}{\\partial x} = 1\n$$\n"
    report = check_docs(write_docs(tmp_path, {"p.md": text}), "docs")
    assert report.messages()[0].startswith("docs/p.md:5: ")


def test_crlf_pages_read_like_lf_pages(tmp_path: Path) -> None:
    text = "# Page\n\n" + block()
    docs = write_docs(tmp_path, {"lf.md": text, "crlf.md": text.replace("\n", "\r\n").encode()})
    lf, crlf = read_file(docs / "lf.md", "lf.md"), read_file(docs / "crlf.md", "crlf.md")
    assert not crlf.problems
    assert [b.spec.location.line for b in crlf.blocks] == [b.spec.location.line for b in lf.blocks]
    assert [b.spec.symbols for b in crlf.blocks] == [b.spec.symbols for b in lf.blocks]


# -- what is and is not an identity ---------------------------------------------------------------


@pytest.mark.parametrize("fence", ["```", "~~~", "````markdown", "```latex"])
def test_fenced_code_is_ignored(fence: str) -> None:
    marker = fence.rstrip("abcdefghijklmnopqrstuvwxyz")
    inner = "```\n" if len(marker) > 3 else ""
    text = (
        f"# Page\n\n{fence}\n{inner}{block('in-fence')}"
        "$$\n\\frac{\\partial y}{\\partial x} = 1\n$$\n"
        f"{inner}{marker}\n\n{block('after-fence')}"
    )
    page = read_page(text, "page.md")
    assert not page.problems
    assert [b.spec.id for b in page.blocks] == ["after-fence"]


def test_unclosed_fence_hides_the_rest_of_the_page() -> None:
    page = read_page("```\n" + block(), "page.md")
    assert page.blocks == [] and page.problems == []


def test_heading_level_is_one_below_the_nearest_heading() -> None:
    text = block("top") + "\n## Section\n\n" + block("second") + "\n###### Deep\n\n" + block("deep")
    levels = {b.spec.id: b.heading_level for b in read_page(text, "p.md").blocks}
    assert levels == {"top": 2, "second": 3, "deep": 6}


def test_several_blocks_on_a_page() -> None:
    text = block("first") + "\nProse.\n\n" + block("second")
    page = read_page(text, "page.md")
    assert [b.spec.id for b in page.blocks] == ["first", "second"]
    assert [b.spec.location.line for b in page.blocks] == lines_starting(text, "/// identity")


# -- the stray-display rule -----------------------------------------------------------------------

STRAY = "$$\n\\frac{\\partial f}{\\partial \\boldsymbol x} = \\boldsymbol a\n$$\n"


def test_stray_derivative_display_is_an_error_at_its_line() -> None:
    text = "# Rules\n\nSome prose.\n\n" + STRAY
    [(line, message)] = problems(text)
    assert line == 5
    assert "not checked" in message and "/// identity" in message
    assert "<!-- unchecked: <reason> -->" in message


@pytest.mark.parametrize(
    "display",
    [
        "$$ \\frac{\\partial f}{\\partial x} = a $$",
        "\\[\n\\frac{\\partial f}{\\partial x} = a\n\\]",
        (
            "$$\nd f = \\operatorname{tr}(G^T dX)\n\\quad\\Longleftrightarrow\\quad\n"
            "\\frac{\\partial f}{\\partial X} = G\n$$"
        ),
    ],
)
def test_other_stray_display_spellings_are_errors(display: str) -> None:
    assert [line for line, _ in problems("Text.\n\n" + display + "\n")] == [3]


def test_exemption_directly_above_allows_a_stray_display() -> None:
    text = "Text.\n\n<!-- unchecked: a general rule with placeholder G -->\n" + STRAY
    assert problems(text) == []
    page = read_page(text, "page.md")
    assert page.blocks == []


def test_exemption_needs_a_reason() -> None:
    text = "Text.\n\n<!-- unchecked: -->\n" + STRAY
    assert problems(text) == [
        (4, "the 'unchecked:' comment gives no reason (fix: say why the formula is not checked)")
    ]


def test_exemption_applies_to_one_display_only() -> None:
    text = "<!-- unchecked: rule -->\n" + STRAY + "\nMore prose.\n\n" + STRAY
    assert [line for line, _ in problems(text)] == [8]


@pytest.mark.parametrize(
    "display",
    [
        "$$\n\\frac{\\partial f}{\\partial x}\n$$",  # no '='
        "$$\nA = B C\n$$",  # no \partial
        "$x$ and $\\partial f = 0$ inline",  # inline math is never checked
    ],
)
def test_displays_that_are_not_derivative_identities_are_allowed(display: str) -> None:
    assert problems("Text.\n\n" + display + "\n") == []


def test_unclosed_display_is_reported() -> None:
    assert problems("Text.\n\n$$\nx = y\n") == [
        (3, "display math opened with $$ is never closed (fix: end it with $$)")
    ]


# -- malformed blocks -----------------------------------------------------------------------------


def test_block_without_closing_is_reported_at_its_header() -> None:
    text = "# Page\n\n" + block().removesuffix("///\n")
    found = [(line, msg) for line, msg in problems(text) if "never closed" in msg]
    assert found == [(3, "the identity block is never closed (fix: end it with a line '///')")]


def test_proof_without_closing_is_reported() -> None:
    text = block().replace("////\n///\n", "///\n")
    page = read_page(text, "page.md")
    assert [p.message for p in page.problems] == [
        "the proof is not closed (fix: end it with '////' before the block's '///')"
    ]
    assert page.problems[0].identity_id == "linear-form"
    assert page.problems[0].location.line == lines_starting(text, "///")[-1]


def test_bad_yaml_options() -> None:
    text = block().replace("    id: linear-form", "    id: [linear-form")
    [(line, message)] = problems(text)
    assert message.startswith("cannot read the identity's options:")
    assert 1 < line <= 4
    assert read_page(text, "p.md").blocks == []


@pytest.mark.parametrize(
    "options",
    ["", "    just a sentence\n", "    - id\n    - layout\n"],
)
def test_options_that_are_not_a_mapping(options: str) -> None:
    text = f"/// identity | T\n{options}\n$$\nx = x\n$$\n///\n"
    [(line, message)] = problems(text)
    assert line == 1
    assert "the identity has no options (fix: indent 'id:'" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("    id: linear-form", "    id: Linear_Form"),
            "the id 'Linear_Form' is not a valid id (fix: use lowercase",
        ),
        (
            ("    id: linear-form", "    id: linear-form\n    colour: red"),
            "unknown option(s) colour",
        ),
        (("    layout: denominator\n", ""), "the identity has no 'layout:' option"),
        (("/// identity | Linear form", "/// identity"), "the identity has no title"),
        (("$$\n\nThe derivative", "$$\n\n$$\nx = x\n$$\nThe derivative"), "found 2"),
    ],
)
def test_invalid_block_options(change: tuple[str, str], expected: str) -> None:
    text = block().replace(*change)
    assert text != block()
    page = read_page(text, "page.md")
    assert page.blocks == []
    messages = [p.message for p in page.problems]
    assert any(expected in m for m in messages), messages
    assert all(p.location.line == 1 for p in page.problems)


def test_block_without_formula() -> None:
    text = "/// identity | T\n    id: t\n    layout: numerator\n    symbols: {x: vector n}\n\n///\n"
    assert problems(text) == [
        (
            1,
            (
                "an identity holds exactly one display formula outside its proof, found 0 "
                "(fix: move derivations into the '//// proof')"
            ),
        )
    ]


# -- a whole docs directory -----------------------------------------------------------------------


def test_duplicate_ids_across_pages(tmp_path: Path) -> None:
    docs = write_docs(
        tmp_path,
        {"a.md": "# A\n\n" + block("shared"), "sub/b.md": "# B\n\nText.\n\n" + block("shared")},
    )
    report = check_docs(docs, "docs")
    assert not report.ok
    assert [r.spec.id for r in report.results] == ["shared"]
    [problem] = report.problems
    assert problem.location.path == "sub/b.md"
    assert problem.location.line == 5
    assert problem.identity_id == "shared"
    assert "the id 'shared' is already used at docs/a.md:3" in problem.message
    assert "unique across the site" in problem.message
    assert report.messages() == [f"docs/sub/b.md:5: [shared] {problem.message}"]


def test_non_utf8_page_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    docs = write_docs(tmp_path, {"ok.md": block("fine"), "bad.md": b"# T\n\ncaf\xe9 \xff\n"})
    report = check_docs(docs, "docs")
    assert [r.spec.id for r in report.results] == ["fine"]
    assert report.messages() == [
        "docs/bad.md:3: the file is not valid UTF-8 (fix: save it as UTF-8)"
    ]
    assert not report.ok


def test_pages_are_read_in_sorted_order(tmp_path: Path) -> None:
    docs = write_docs(
        tmp_path, {"b.md": block("from-b"), "a.md": block("from-a"), "c/z.md": block("from-cz")}
    )
    report = check_docs(docs)
    assert [p.path for p in report.pages] == ["a.md", "b.md", "c/z.md"]
    assert [r.spec.id for r in report.results] == ["from-a", "from-b", "from-cz"]
    assert report.ok
    assert report.label == "docs"


def test_report_collects_every_problem_at_once(tmp_path: Path) -> None:
    wrong = block("wrong").replace("= \\boldsymbol a\n", "= 2 \\boldsymbol a\n")
    page = "# P\n\n" + wrong + "\n" + STRAY + "\n" + block("right")
    docs = write_docs(tmp_path, {"p.md": textwrap.dedent(page)})
    report = check_docs(docs, "docs")
    messages = report.messages()
    assert len(messages) == 2
    stray_line = page.split("\n").index("$$", page.split("\n").index("///")) + 1
    assert messages[0].startswith(f"docs/p.md:{stray_line}: this display formula")
    assert messages[1].startswith("docs/p.md:10: [wrong] the two sides differ")
    assert report.result("right") is not None and report.result("right").ok
