"""Cards show each identity's result, and failures show as red boxes; the JSON export agrees.

Why: under ``mkdocs serve`` a failing identity does not stop the preview, so its card must make
the failure impossible to miss (a red ``identity-error`` box with the evidence). A verified card
must carry the permalink anchor and say how it was checked, and ``identities.json`` must never
call an identity verified when its card says the check failed.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import markdown
from matrixcheck.check import check_identity
from matrixcheck.declarations import Binding, Declaration
from matrixcheck.document import read_page
from matrixcheck.plaintext import ReadableTexts
from matrixcheck.project import check_docs
from matrixcheck.records import identities_json, record
from matrixcheck.render import Correction, HtmlStash, error_box, scientific, where_line
from support import (
    DOCS,
    RECORD_FIELDS,
    card_html,
    card_views,
    header_line,
    seed_blocks,
    seed_result,
)

PAGE = """\
# Page

## Section

/// identity | Bilinear form
    id: bilinear-form
    layout: denominator
    symbols:
      a: vector m
      X: matrix m x n
      b: vector n

$$
\\frac{\\partial \\boldsymbol{a}^\\text T \\boldsymbol{X} \\boldsymbol{b}}{\\partial \\boldsymbol{X}}
= \\boldsymbol{a} \\boldsymbol{b}^\\text T
$$

A note under the formula.

//// proof
$$
d(\\boldsymbol a^\\text T \\boldsymbol X \\boldsymbol b)
= \\boldsymbol a^\\text T \\, d\\boldsymbol X \\, \\boldsymbol b
$$

$$
\\sum_{ij} a_i b_j \\, dX_{ij}
$$
////
///
"""


def _block_and_result(text: str = PAGE):
    page = read_page(text, "page.md")
    assert not page.problems
    [block] = page.blocks
    return block, check_identity(block.spec)


def test_verified_card() -> None:
    block, result = _block_and_result()
    assert result.status == "verified" and result.ok
    card = card_html(block, result)
    assert card.startswith('<h3 class="identity-title" id="bilinear-form">Bilinear form')
    assert (
        '<div class="identity" data-identity="bilinear-form" data-written-layout="denominator">'
    ) in card
    assert "badge-verified" in card and "denominator layout" in card
    assert "identity-error" not in card and "mcstash" not in card
    # The formula is shown exactly as written (as arithmatex marks it up), then the generated
    # "where" line and the note, in that order.
    shown = _displays(card)[0]
    assert shown == html.escape(result.spec.formula.latex, quote=False)
    where = re.search(r'<p class="identity-where">(.*?)</p>', card)
    assert where and where.group(1).startswith('where <span class="arithmatex">\\(')
    assert r"\boldsymbol{a}" in where.group(1) and r"\boldsymbol{X}" in where.group(1)
    assert card.index("identity-where") < card.index("<p>A note under the formula.</p>")
    assert card.rstrip().endswith("</details>\n</div>")


def _displays(card: str) -> list[str]:
    """The LaTeX of every display formula in ``card``, as it stands in the HTML."""
    return re.findall(r'<div class="arithmatex">\\\[\n(.*?)\n\\\]</div>', card, re.DOTALL)


def test_card_holds_both_layouts_the_evidence_the_id_and_copy_buttons() -> None:
    block, result = _block_and_result()
    card = card_html(block, result)
    assert result.conversion is not None and result.conversion.status == "verified"
    written = re.search(r'<div class="identity-formula mc-as-written" data-latex="([^"]*)">', card)
    converted = re.search(
        r'<div class="identity-formula mc-converted" data-latex="([^"]*)" data-search-exclude>',
        card,
    )
    assert written and converted
    assert html.unescape(written.group(1)) == result.spec.formula.latex
    assert html.unescape(converted.group(1)) == result.conversion.latex
    assert html.unescape(_displays(card)[1]) == result.conversion.latex
    assert "numerator layout · converted ✓" in card
    badge = re.search(r'<button type="button" class="badge badge-verified"[^>]*>', card)
    assert badge and 'aria-expanded="false"' in badge.group(0)
    assert 'aria-controls="evidence-bilinear-form"' in badge.group(0)
    # The panel is empty and hidden; its content waits beside it in a noscript (inert text
    # while scripts run, shown to readers without scripts).
    panel = re.search(
        r'<div class="identity-evidence" id="evidence-bilinear-form"[^>]*hidden></div>'
        r'<noscript data-mc-evidence><div class="identity-evidence">(.*?)</div></noscript>',
        card,
        re.DOTALL,
    )
    assert panel
    for seed in (t.seed for t in result.trials):
        assert f"<td>{seed}</td>" in panel.group(1)
    assert "verified in exact rational arithmetic" in panel.group(1)
    assert "1 of 2 displayed steps checked by machine" in panel.group(1)
    assert '<code class="identity-id"' in card and "#bilinear-form</code>" in card
    assert 'data-mc-copy="link"' in card and 'data-mc-copy="latex"' in card


def test_entrywise_card_says_it_reads_the_same_in_every_layout() -> None:
    block = seed_blocks()["inverse-of-function"]
    card = card_html(block, seed_result("inverse-of-function"))
    assert "entrywise · same in every layout" in card
    assert "mc-converted" not in card and "data-written-layout" not in card


def test_proof_steps_are_marked() -> None:
    block, result = _block_and_result()
    card = card_html(block, result)
    proof = re.search(
        r'<details class="note">\n<summary>(.*?)</summary>(.*?)</details>', card, re.DOTALL
    )
    assert proof and proof.group(1) == "Proof (1 of 2 steps checked by machine)"
    assert (
        '<p class="proof-step proof-step-checked" data-search-exclude>step checked (relative error'
        in proof.group(2)
    )
    assert (
        '<p class="proof-step proof-step-unchecked" data-search-exclude>step not checked: '
        in proof.group(2)
    )
    # Proof content sits inside the collapsible block, typeset as display math.
    assert any("d(\\boldsymbol a^\\text T" in d for d in _displays(proof.group(2)))
    assert '<details class="note" open>' in card_html(block, result, proof_open=True)


def test_card_html_survives_markdown_in_the_prose() -> None:
    """Generated HTML never goes through Markdown, and the author's Markdown still does."""
    text = PAGE.replace(
        "A note under the formula.", "A *note*, with `code` and a list:\n\n- one\n- two"
    )
    block, result = _block_and_result(text)
    card = card_html(block, result)
    assert "<p>A <em>note</em>, with <code>code</code> and a list:</p>" in card
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in card
    assert "mcstash" not in card and "<p><div" not in card


def test_failing_identity_shows_a_red_box_with_the_failure() -> None:
    wrong = PAGE.replace("= \\boldsymbol{a} \\boldsymbol{b}", "= 2 \\boldsymbol{a} \\boldsymbol{b}")
    assert wrong != PAGE
    block, result = _block_and_result(wrong)
    assert result.status == "failed"
    card = card_html(block, result)
    box = re.search(r'<p class="identity-error">(.*?)</p>', card)
    assert box and box.group(1).startswith("✗ ")
    assert "the two sides differ" in box.group(1)
    assert "badge-failed" in card and "check failed" in card
    assert "badge-verified" not in card
    # The anchor survives, so links to the identity still work while it is broken.
    assert card.startswith('<h3 class="identity-title" id="bilinear-form">')


def test_failing_proof_step_shows_in_the_red_box() -> None:
    broken = PAGE.replace(
        "= \\boldsymbol a^\\text T \\, d\\boldsymbol X \\, \\boldsymbol b",
        "= \\boldsymbol b^\\text T \\, d\\boldsymbol X^\\text T \\, \\boldsymbol b",
    )
    block, result = _block_and_result(broken)
    assert result.status == "verified" and not result.ok
    card = card_html(block, result)
    boxes = re.findall(r'<p class="identity-error">(.*?)</p>', card)
    assert len(boxes) == 1 and "page.md:21: proof step: shape error" in boxes[0]
    assert (
        '<p class="proof-step proof-step-failed" data-search-exclude>step failed its check</p>'
        in card
    )


def test_error_box_escapes_markdown_and_html() -> None:
    lines = error_box(["a <b> *c* x_1 \\frac"])
    assert lines == ["✗ a &lt;b> \\*c\\* x\\_1 \\\\frac", "{: .identity-error }", ""]


def test_unchecked_card_without_result() -> None:
    block, _ = _block_and_result()
    card = card_html(block, None)
    assert "not checked" in card and "badge-verified" not in card


def test_stash_placeholders_are_restored_and_joined() -> None:
    stash = HtmlStash("page.md")
    lines: list[str] = ["text"]
    stash.add(lines, "<div>")
    stash.add(lines, "<span>x</span>")
    assert len(stash.pieces) == 1 and lines[-2].startswith("mcstash")
    lines += ["", ""]  # only empty lines (a card's text between two pieces) still join
    stash.add(lines, "<b>y</b>")
    assert len(stash.pieces) == 1
    lines += ["more text"]
    stash.add(lines, "</div>")
    assert len(stash.pieces) == 2
    converted = markdown.markdown("\n".join(lines))
    assert stash.restore(converted) == (
        "<p>text</p>\n<div>\n<span>x</span>\n<b>y</b>\n<p>more text</p>\n</div>"
    )
    assert HtmlStash("other.md").prefix != stash.prefix


def test_unindexed_html_waits_for_the_finished_page() -> None:
    stash = HtmlStash("page.md")
    lines: list[str] = []
    stash.add(lines, f"<div>{stash.unindexed('<button>Copy</button>')}<code>#id</code></div>")
    content = stash.restore(markdown.markdown("\n".join(lines)))
    assert "Copy" not in content and "<code>#id</code>" in content
    assert stash.finish(content) == "<div><button>Copy</button><code>#id</code></div>"


def test_the_search_reads_formulas_as_text_and_the_page_keeps_them() -> None:
    stash = HtmlStash("page.md")
    page = (
        '<p>Here <span class="arithmatex">\\(\\boldsymbol X^{-1}\\)</span> exists.</p>\n'
        '<div class="arithmatex">\\[\na &lt; \\frac{1}{2}\n\\]</div>'
    )
    assert stash.restore(page) == page
    content = stash.restore(page, ReadableTexts())
    assert "\\(" not in content and "\\[" not in content
    assert ">X⁻¹<" in content and ">a &lt; 1/2<" in content
    assert stash.finish(content) == page


def _formula_page(formulas: list[str]) -> tuple[HtmlStash, str]:
    """A stash holding one unindexed piece of a card, and converted HTML with ``formulas``."""
    stash = HtmlStash("page.md")
    lines: list[str] = ["Prose."]
    stash.add(lines, f"<div>{stash.unindexed('<button>Copy</button>')}</div>")
    spans = "".join(f'<span class="arithmatex">\\({latex}\\)</span>' for latex in formulas)
    return stash, markdown.markdown("\n".join(lines)) + f"\n<p>{spans}</p>"


def test_a_kept_stash_restores_the_same_html_as_before_without_adding_to_it() -> None:
    """Under serve an unchanged page keeps its stash and MkDocs converts it to the same HTML."""
    stash, converted = _formula_page(["x^2", "\\frac{1}{y}"])
    first_texts = ReadableTexts()
    content = stash.restore(converted, first_texts)
    page = stash.finish(f"<html>{content}</html>")
    pieces = list(stash.unindexed_pieces)
    for _ in range(3):
        texts = ReadableTexts()
        assert stash.restore(converted, texts) == content
        assert texts.used == first_texts.used == {"x^2": "x²", "\\frac{1}{y}": "1/y"}
        assert stash.finish(f"<html>{content}</html>") == page
        assert stash.unindexed_pieces == pieces
    fresh, _ = _formula_page(["x^2", "\\frac{1}{y}"])
    assert fresh.finish(f"<html>{fresh.restore(converted, ReadableTexts())}</html>") == page


def test_a_kept_stash_restores_other_html_as_a_fresh_one_would() -> None:
    """HTML that differs (a link resolved anew, the search switched off) is restored in full,
    with the formulas of the earlier restore dropped, not piled up."""
    stash, converted = _formula_page(["x^2", "y^3"])
    stash.finish(stash.restore(converted, ReadableTexts()))
    _, other = _formula_page(["z"])
    fresh, _ = _formula_page(["z"])
    expected = fresh.restore(other, ReadableTexts())
    assert stash.restore(other, ReadableTexts()) == expected
    assert stash.unindexed_pieces == fresh.unindexed_pieces
    assert stash.finish(expected) == fresh.finish(expected)
    assert "<span" in stash.finish(expected) and "z" in stash.finish(expected)
    unsearched = stash.restore(other)
    assert unsearched == fresh.restore(other) and '<span class="arithmatex">' in unsearched
    assert stash.finish(unsearched) == unsearched.replace(
        f"<!--{stash.prefix}u0-->", "<button>Copy</button>"
    )


def test_a_necessary_assumption_names_its_symbol_as_the_author_wrote_it() -> None:
    card = card_html(seed_blocks()["weighted-residual"], seed_result("weighted-residual"))
    math = r'<span class="arithmatex">\(\boldsymbol{W}\)</span>'
    assert f"Assumptions shown necessary: <strong>{math} symmetric</strong>" in card
    assert f"{math} symmetric shown necessary" in html.unescape(card)  # the evidence panel


def test_the_evidence_of_an_assumption_names_its_symbol_as_math() -> None:
    """The checker names the symbol in words ("an expression in X"); the card shows it as the
    author wrote it, in the line under the formula and in the evidence panel alike."""
    card = html.unescape(
        card_html(seed_blocks()["inverse-bilinear"], seed_result("inverse-bilinear"))
    )
    math = r'<span class="arithmatex">\(\boldsymbol{X}\)</span>'
    assert card.count(f"the formula inverts an expression in {math}") == 2
    assert "expression in X" not in card


def test_the_search_parses_only_the_markup_it_indexes_of_a_card() -> None:
    block, result = _block_and_result()
    indexed, finished = card_views(block, result)
    tags = set(re.findall(r"<([a-z][a-z0-9]*)[\s>]", indexed))
    assert tags <= {"h3", "a", "code", "p", "summary"}, tags
    assert "<summary>Proof (1 of 2 steps checked by machine)</summary>" in indexed
    assert '<code class="identity-id"' in indexed and "∂(aᵀXb)/∂X" in indexed
    assert "\\partial" not in indexed and "\\partial" in finished
    for markup in ('class="identity"', "identity-badges", "identity-formula", "<details", "Copy"):
        assert markup not in indexed and markup in finished, markup


# -- identities.json ------------------------------------------------------------------------------


def test_record_of_a_seed_identity() -> None:
    result = seed_result("inverse-bilinear")
    data = record(result, "seed/#inverse-bilinear")
    assert set(data) >= set(RECORD_FIELDS)
    text = (Path(__file__).parent.parent / "docs" / "seed.md").read_text(encoding="utf-8")
    assert data["source"] == f"seed.md:{header_line(text, 'inverse-bilinear')}"
    assert data["url"] == "seed/#inverse-bilinear"
    assert data["latex"] == seed_blocks()["inverse-bilinear"].spec.formula.latex
    assert data["status"] == "verified"
    assert data["layout"] == "denominator"
    assert data["seeds"] == [t.seed for t in result.trials]
    assert data["sizes"] == [t.sizes for t in result.trials]
    assert data["proof_steps_checked"] == data["proof_steps_total"] == len(result.steps)
    assert 0 <= data["max_rel_error"] < 1e-12
    other = data["other_layout"]
    assert (other["layout"], other["status"], other["exact"]) == (
        "numerator",
        "verified",
        "verified",
    )
    assert other["latex"] == result.conversion.latex and other["max_rel_error"] < 1e-12
    json.dumps(data)


def test_record_is_not_verified_when_a_proof_step_fails() -> None:
    broken = PAGE.replace("= \\boldsymbol a^\\text T \\, d", "= 3 \\boldsymbol a^\\text T \\, d")
    _, result = _block_and_result(broken)
    assert not result.ok
    data = record(result, "")
    assert data["status"] != "verified"
    assert data["proof_steps_checked"] == 0
    assert [s["status"] for s in data["proof_steps"]] == ["failed", "unchecked"]


def test_record_of_a_failed_identity() -> None:
    spec = seed_blocks()["bilinear-form"].spec
    latex = spec.formula.latex.replace(r"= \boldsymbol{a}", r"= -\boldsymbol{a}")
    result = check_identity(
        dataclasses.replace(spec, formula=dataclasses.replace(spec.formula, latex=latex))
    )
    data = record(result, "")
    assert data["status"] == "failed"
    assert data["message"] and "differ" in data["message"]


def test_identities_json_is_deterministic(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.md").write_text(PAGE, encoding="utf-8")
    urls = {"bilinear-form": "page/#bilinear-form"}
    first = identities_json(check_docs(docs), urls)
    second = identities_json(check_docs(docs), urls)
    assert first == second
    data = json.loads(first)
    [entry] = data["identities"]
    assert entry["url"] == "page/#bilinear-form"
    assert entry["source"] == "page.md:5"
    assert entry["proof_steps_checked"] == 1 and entry["proof_steps_total"] == 2
    assert isinstance(data["schema_version"], int)


def test_where_line_joins_the_bare_memberships_into_few_formulas() -> None:
    def declared(name: str, shape: tuple, stated: tuple[str, ...] = ()) -> Declaration:
        kind = "vector" if shape[1] == 1 else "matrix"
        return Declaration(name, kind, shape, frozenset(stated), stated=stated)

    shapes = {"a": ("m", 1), "b": ("n", 1), "C": ("m", "n"), "d": ("p", 1), "e": ("q", 1)}
    symbols = {name: declared(name, shape) for name, shape in shapes.items()}
    # Reads as "where a ∈ ℝᵐ, b ∈ ℝⁿ, C ∈ ℝᵐˣⁿ, d ∈ ℝᵖ, e ∈ ℝ^q, and W ∈ ℝⁿˣⁿ symmetric."
    symbols["W"] = declared("W", ("n", "n"), ("symmetric",))
    assert where_line(symbols, {}, "a b C d e W") == (
        r"where \(a \in \mathbb{R}^{m},\, b \in \mathbb{R}^{n},\, C \in \mathbb{R}^{m\times n}\), "
        r"\(d \in \mathbb{R}^{p},\, e \in \mathbb{R}^{q}\), "
        r"and \(W \in \mathbb{R}^{n\times n}\) symmetric."
    )
    # Two phrases are joined by "and" alone, as before.
    two = {name: symbols[name] for name in ("a", "b")}
    assert where_line(two, {}, "a b") == (
        r"where \(a \in \mathbb{R}^{m}\) and \(b \in \mathbb{R}^{n}\)."
    )


def test_where_line_joins_properties_and_sets_off_bound_symbols_with_commas() -> None:
    def declared(name: str, stated: tuple[str, ...], binding: Binding | None = None) -> Declaration:
        kind = "vector" if binding else "matrix"
        shape = ("n", 1) if binding else ("n", "n")
        return Declaration(name, kind, shape, frozenset(stated), stated=stated, binding=binding)

    # Two adjectives are joined by "and", a "with" phrase comes after them.
    both = {"X": declared("X", ("symmetric", "invertible"))}
    assert where_line(both, {}, "X") == (
        r"where \(X \in \mathbb{R}^{n\times n}\) symmetric and invertible."
    )
    spectral = {"X": declared("X", ("simple spectrum", "invertible"))}
    assert where_line(spectral, {}, "X") == (
        r"where \(X \in \mathbb{R}^{n\times n}\) invertible with a simple spectrum."
    )
    # A bound symbol's appositive is closed by a comma before the "and" that follows it.
    eigenvector = Binding("eigenvector", "A", "i")
    bound = {
        "v": declared("v", (), eigenvector),
        "A": declared("A", ("symmetric", "simple spectrum")),
    }
    assert where_line(bound, {}, "v A") == (
        r"where \(v \in \mathbb{R}^{n}\), the unit eigenvector of \(A\) for \(\lambda_{i}\), "
        r"and \(A \in \mathbb{R}^{n\times n}\) symmetric with a simple spectrum."
    )
    # An appositive at the end needs no comma before "and".
    assert where_line({"A": bound["A"], "v": bound["v"]}, {}, "A v") == (
        r"where \(A \in \mathbb{R}^{n\times n}\) symmetric with a simple spectrum "
        r"and \(v \in \mathbb{R}^{n}\), the unit eigenvector of \(A\) for \(\lambda_{i}\)."
    )


SPECTRAL_PAGE = """\
/// identity | Sum of the eigenvalues
    id: eigenvalue-sum
    layout: denominator
    symbols:
      X: matrix n x n, simple spectrum

$$
\\frac{\\partial}{\\partial \\boldsymbol X} \\sum_i \\lambda_i(\\boldsymbol X) = \\boldsymbol I
$$

//// proof
$$
d\\Big(\\sum_i \\lambda_i(\\boldsymbol X)\\Big) = \\operatorname{tr}(d\\boldsymbol X)
$$
////
///
"""


def test_a_spectral_assumption_reads_as_words_and_one_step_is_one_step() -> None:
    block, result = _block_and_result(SPECTRAL_PAGE)
    card = html.unescape(card_html(block, result))
    math = r'<span class="arithmatex">\(\boldsymbol X\)</span>'
    assert f"Assumptions shown necessary: <strong>{math} with a simple spectrum</strong>" in card
    assert f"{math} with a simple spectrum shown necessary" in card  # the evidence panel
    assert "<summary>Proof (1 of 1 step checked by machine)</summary>" in card
    assert "1 of 1 displayed step checked by machine" in card


def test_numbers_are_written_as_people_write_them() -> None:
    assert scientific(1.44e-16) == "1.4e-16"
    assert scientific(1e-9, 0) == "1e-9"
    assert scientific(2.5) == "2.5e0"
    assert scientific(0.0) == "0"
    card = card_html(*_block_and_result())
    assert "(tolerance 1e-9)" in card and "e-0" not in card


def test_a_refuted_formula_links_the_addresses_of_its_source() -> None:
    page = read_page((DOCS / "known-errors.md").read_text(), "known-errors.md")
    block = next(b for b in page.blocks if b.spec.id == "cookbook-det-expansion")
    correction = Correction(
        r"\det(\boldsymbol A)", "#det-expansion", "Expansion of det(I + εA), 2 × 2"
    )
    card = card_html(block, check_identity(block.spec), correction)
    # The title, which may hold commas, is the whole link text, not a list item before "verified".
    assert (
        '<p class="identity-correction">Correct form, verified by the build: '
        '<a href="#det-expansion">Expansion of det(I + εA), 2 × 2</a></p>'
    ) in card
    url = "https://github.com/eric-wieser/lean-matrix-cookbook"
    source = re.search(r'<p class="identity-source">(.*?)</p>', card, re.DOTALL)
    assert source and source.group(1).startswith("Source: The Matrix Cookbook (2012), eq. 28")
    assert f'<a href="{url}">{url}</a> (MatrixCookbook/1Basic.lean)' in source.group(1)
    # A counterexample at sizes the declarations fix (A is 2 × 2) names no sizes, nor "scalars".
    assert "Counterexample found by the build: fixed sizes, seed " in card
    assert "scalars" not in card


def test_the_evidence_of_fixed_sizes_says_they_are_fixed() -> None:
    page = read_page((DOCS / "determinants.md").read_text(), "determinants.md")
    block = next(b for b in page.blocks if b.spec.id == "det-expansion-second-order")
    panel = html.unescape(card_html(block, check_identity(block.spec)))
    assert "irrational roots appear) at the fixed sizes declared</p>" in panel
    assert panel.count("<tr><td>fixed</td>") == 6 and "scalars" not in panel


def test_entrywise_properties_of_a_vector_say_so_and_a_scalar_s_do_not() -> None:
    """ "x ∈ ℝⁿ nonzero" would say x ≠ 0; the property asks every entry to be nonzero."""
    x = Declaration("x", "vector", ("n", 1), frozenset({"nonzero"}), stated=("nonzero",))
    c = Declaration("c", "scalar", (1, 1), frozenset({"positive"}), stated=("positive",))
    assert where_line({"x": x, "c": c}, {}, "x c") == (
        r"where \(x \in \mathbb{R}^{n}\) with nonzero entries and \(c \in \mathbb{R}\) positive."
    )
    page = read_page((DOCS / "elementwise.md").read_text(), "elementwise.md")
    block = next(b for b in page.blocks if b.spec.id == "elementwise-relu-jacobian")
    card = html.unescape(card_html(block, check_identity(block.spec)))
    math = r'<span class="arithmatex">\(\boldsymbol x\)</span>'
    assert f"<strong>{math} with nonzero entries</strong>" in card
    assert f"{math} with nonzero entries shown necessary" in card


def test_the_samples_table_has_a_test_functions_column_only_when_there_are_some() -> None:
    def header(identity_id: str) -> str:
        card = html.unescape(card_html(seed_blocks()[identity_id], seed_result(identity_id)))
        found = re.search(r'<table class="identity-samples"><thead>(.*?)</thead>', card)
        assert found, identity_id
        return found.group(1)

    assert "test functions" in header("inverse-of-function")  # f is drawn from test functions
    assert "test functions" not in header("inverse-bilinear")  # matrices only: nothing to say


def test_a_function_s_assumption_is_about_its_values_as_in_the_where_line() -> None:
    page = read_page((DOCS / "rules.md").read_text(), "rules.md")
    block = next(b for b in page.blocks if b.spec.id == "rule-determinant-of-function")
    card = html.unescape(card_html(block, check_identity(block.spec)))
    math = r'<span class="arithmatex">\(F\)</span>'
    assert "differentiable with invertible values" in card  # the where line
    assert f"Assumptions shown necessary: <strong>{math} with invertible values</strong>" in card
    assert f"{math} with invertible values shown necessary" in card  # the evidence panel
