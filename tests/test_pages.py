"""Generated pages: the status table, the data page, the printable reference, and search.

Why: these pages are declared in Markdown with a marker and filled from the check report, so
they can never disagree with the cards. They must list every identity, link each one to its card,
document and link ``identities.json``, and leave the search index able to find an identity by its
title and by its id. A marker the hook does not know, or a record of an unknown id, is an author
error reported with its line, like any other.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import markdown
import pytest
from matrixcheck import pages
from matrixcheck.page_render import render_page
from matrixcheck.pages import PrintedCards, SiteContext, fill_markers
from matrixcheck.permalinks import redirect_page
from matrixcheck.project import check_docs
from matrixcheck.render import HtmlStash, ShownCard
from support import REPO

PAGE = """\
# Page

/// identity | Linear form
    id: linear-form
    layout: numerator
    symbols:
      x: vector n
      a: vector n

$$
\\frac{\\partial \\boldsymbol a^\\text T \\boldsymbol x}{\\partial \\boldsymbol x} = \\boldsymbol a^\\text T
$$
///
"""


@pytest.fixture(scope="module")
def small_report(tmp_path_factory: pytest.TempPathFactory):
    docs = tmp_path_factory.mktemp("docs")
    (docs / "page.md").write_text(PAGE, encoding="utf-8")
    return check_docs(docs)


def _site(page_url: str = "status/") -> SiteContext:
    return SiteContext(
        {"page.md": "A page"}, {"linear-form": "page/#linear-form"}, HtmlStash("x"), page_url
    )


def test_markers_are_filled_and_unknown_ones_reported_with_their_line(small_report) -> None:
    text = "# Status\n\n<!-- identities: status -->\n\n<!-- identities: nonsense -->\n"
    site = _site()
    filled, problems = fill_markers(text, "status.md", small_report, site)
    table = site.stash.restore(markdown.markdown(filled))
    link = '<a href="../page/#linear-form">'
    assert f"<tr>\n<td>{link}<code>linear-form</code></a></td>\n<td>{link}Linear form</a>" in table
    # The layout column names the layout alone; errors are written without padded exponents.
    assert re.search(
        r"<td>A page</td>\n<td>numerator</td>\n<td>verified</td>\n<td>\d\.\de-[1-9]\d*</td>", table
    )
    [problem] = problems
    assert str(problem.location) == "status.md:5"
    assert "unknown marker 'nonsense'" in problem.message and "(fix:" in problem.message


@pytest.mark.parametrize(
    ("page_url", "href"),
    [
        ("status/", "../page/#linear-form"),
        ("", "page/#linear-form"),
        ("about/status/", "../../page/#linear-form"),
    ],
)
def test_the_status_table_links_cards_from_where_it_is_published(
    small_report, page_url: str, href: str
) -> None:
    site = _site(page_url)
    filled, _ = fill_markers("<!-- identities: status -->", "status.md", small_report, site)
    assert site.stash.restore(markdown.markdown(filled)).count(f'<a href="{href}">') == 2


def test_the_status_table_names_an_unpublished_card_without_a_link(small_report) -> None:
    site = SiteContext({}, {}, HtmlStash("x"), "status/")
    filled, _ = fill_markers("<!-- identities: status -->", "status.md", small_report, site)
    table = site.stash.restore(markdown.markdown(filled))
    assert "<td><code>linear-form</code></td>\n<td>Linear form</td>\n<td>page.md</td>" in table
    assert "<a " not in table


def test_record_marker_needs_a_known_id_and_fenced_markers_stay_as_written(small_report) -> None:
    text = "<!-- identities: record linear-form -->\n```\n<!-- identities: record nope -->\n```\n"
    filled, problems = fill_markers(text, "data.md", small_report, _site())
    assert problems == []
    block = filled.split("```json\n", 1)[1].split("\n```", 1)[0]
    record = json.loads(block)
    assert record["id"] == "linear-form" and record["url"] == "page/#linear-form"
    assert record["other_layout"]["layout"] == "denominator"
    assert "<!-- identities: record nope -->" in filled
    _, problems = fill_markers("<!-- identities: record nope -->", "data.md", small_report, _site())
    assert len(problems) == 1 and "'nope'" in problems[0].message


PROVED = PAGE.replace(
    "///\n",
    "Compare [the quadratic form](other.md#quadratic-form) and [this card](#linear-form).\n\n"
    "//// proof\nBy definition:\n\n$$\n\\boldsymbol a^\\text T = \\boldsymbol a^\\text T\n$$\n"
    "////\n///\n",
)


def _converted(text: str) -> str:
    """``text`` converted as MkDocs does for the site: ids from attributes, headings with links."""
    return markdown.markdown(
        text, extensions=["attr_list", "toc"], extension_configs={"toc": {"permalink": True}}
    )


def test_whole_reference_shows_each_card_as_its_page_does_with_the_proof_open(
    tmp_path: Path,
) -> None:
    """The printable page takes each card, heading and body, from the card's own page, converted
    once: its own Markdown holds the page titles alone, which its table of contents lists."""
    (tmp_path / "page.md").write_text(PROVED, encoding="utf-8")
    report = check_docs(tmp_path)
    titles, urls = {"page.md": "A page"}, {"linear-form": "page/#linear-form"}
    source = render_page(PROVED, "page.md", report, titles, urls, "page/")
    converted = _converted(source.markdown)
    cards = {key: ("page/", card) for key, card in source.stash.shown_cards(converted).items()}
    shown = source.stash.finish(source.stash.restore(converted))
    [card] = [card for _, card in cards.values()]
    assert list(cards) == ["linear-form"] and card.heading + card.body in shown
    assert card.heading.startswith('<h2 class="identity-title" id="linear-form">Linear form')
    assert '<details class="success">' in card.body

    printed = render_page("<!-- identities: all -->", "print.md", report, titles, urls, "print/")
    assert "## A page {#page-page .print-page-title}" in printed.markdown
    assert "Linear form" not in printed.markdown
    page = PrintedCards().page(
        printed.stash.finish(printed.stash.restore(_converted(printed.markdown))), cards, "print/"
    )
    # Below the page's title, the card's heading is one level down, and its link leads to itself.
    assert '<h2 class="print-page-title" id="page-page">A page' in page
    assert (
        '<h3 class="identity-title" id="linear-form">Linear form<a class="headerlink" '
        'href="#linear-form" title="Permanent link">&para;</a></h3>\n<div class="identity"' in page
    )
    assert '<details class="success" open>' in page and '<details class="success">' not in page
    # Without MkDocs the link stays as written, relative to the card's page, and still leads there.
    assert '<a href="../page/other.md#quadratic-form">' in page
    assert '<a href="../page/#linear-form">this card</a>' in page
    assert "mc-printed" not in page


@pytest.mark.parametrize(
    ("source_url", "page_url", "address", "printed"),
    [
        ("traces/", "print/", "#x", "../traces/#x"),
        ("traces/", "print/", "../functions/#x", "../functions/#x"),
        ("traces.html", "print.html", "functions.html#x", "functions.html#x"),
        ("traces.html", "print.html", "#x", "traces.html#x"),
        ("sub/traces/", "print/", "../functions/", "../sub/functions/"),
        ("sub/traces/", "print/", "../../index.md", "../index.md"),
        ("", "print/", "#x", "../#x"),
        ("traces/", "", "#x", "traces/#x"),
        ("traces/", "print/", "https://example.org/a#b", "https://example.org/a#b"),
        ("traces/", "print/", "/root/page/", "/root/page/"),
        ("traces/", "print/", "../data.json?v=1#k", "../data.json?v=1#k"),
    ],
)
def test_a_printed_body_keeps_its_links_pointing_where_they_did(
    source_url: str, page_url: str, address: str, printed: str
) -> None:
    body = f'<p><a href="{address}">a</a><img src="{address}"></p>'
    card = ShownCard('<h3 id="x">X<a href="#x">&para;</a></h3>\n', body)
    page = PrintedCards().page("<!--mc-printed:x-->", {"x": (source_url, card)}, page_url)
    assert page == f'{card.heading}<p><a href="{printed}">a</a><img src="{printed}"></p>'


def test_a_printed_card_whose_page_is_not_built_says_so() -> None:
    page = PrintedCards().page("<!--mc-printed:gone-->", {}, "print/")
    assert page == (
        '<h3 class="identity-title" id="gone">gone</h3>\n'
        '<p class="identity-unpublished">This identity is on no page of the site.</p>'
    )


def test_a_rebuild_prints_again_only_the_cards_whose_page_changed(monkeypatch) -> None:
    """Under serve a kept page gives the same card object again; the printable page keeps such a
    card as printed, and prints again a card its page shows anew or whose page moved, each as a
    fresh printing would."""
    rebased: list[str] = []
    rebase = pages._rebased
    monkeypatch.setattr(
        pages, "_rebased", lambda body, *urls: rebased.append(body) or rebase(body, *urls)
    )
    marks = "<!--mc-printed:x-->\n<!--mc-printed:y-->"
    x = ShownCard('<h2 id="x">X</h2>\n', '<p><a href="#y">y</a></p>')
    y = ShownCard('<h2 id="y">Y</h2>\n', "<p>y</p>")
    printed = PrintedCards()

    def page(cards: dict[str, tuple[str, ShownCard]]) -> str:
        fresh = PrintedCards().page(marks, cards, "print/")
        rebased.clear()
        shown = printed.page(marks, cards, "print/")
        assert shown == fresh
        return shown

    first = page({"x": ("a/", x), "y": ("a/", y)})
    assert '<h3 id="x">X</h3>\n<p><a href="../a/#y">y</a></p>' in first and len(rebased) == 2
    # The other pages of the build, which hold no card, pass through in between.
    assert printed.page("<p>#y</p>", {"x": ("a/", x)}, "a/") == "<p>#y</p>"
    assert page({"x": ("a/", x), "y": ("a/", y)}) == first and rebased == []
    edited = ShownCard(x.heading, '<p><a href="#y">why</a></p>')
    assert "why" in page({"x": ("a/", edited), "y": ("a/", y)}) and rebased == [edited.body]
    assert '"../b/#y"' in page({"x": ("b/", edited), "y": ("a/", y)}) and rebased == [edited.body]


def test_a_kept_stash_gives_the_same_cards_for_the_same_html(tmp_path: Path) -> None:
    (tmp_path / "page.md").write_text(PROVED, encoding="utf-8")
    report = check_docs(tmp_path)
    source = render_page(PROVED, "page.md", report, {}, {}, "page/")
    converted = _converted(source.markdown)
    cards = source.stash.shown_cards(converted)
    assert source.stash.shown_cards(str(converted)) is cards
    changed = converted.replace("By definition", "Since it is linear")
    [again] = source.stash.shown_cards(changed).values()
    assert "Since it is linear" in again.body and again is not cards["linear-form"]


# -- the built site -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records(built_site: Path) -> list[dict]:
    return json.loads((built_site / "identities.json").read_text(encoding="utf-8"))["identities"]


def test_status_page_links_every_identity_to_its_card(built_site: Path, records) -> None:
    html = (built_site / "status" / "index.html").read_text(encoding="utf-8")
    for entry in records:
        assert f'href="../{entry["url"]}"' in html, entry["id"]
    assert html.count("<tr>") == len(records) + 1
    # The search finds the cards themselves; a row of the table would only repeat them.
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [doc for doc in index["docs"] if doc["location"].startswith("status/")]


#: An item of the page of stable addresses: its id, and where its link goes.
ADDRESS = re.compile(r'<li id="([^"]+)"><a href="([^"]+)">')


def test_every_identity_has_a_stable_address_that_leads_to_its_card(
    built_site: Path, records
) -> None:
    """``id/#<id>`` is the address to link from outside: the page at ``id/`` has an item with
    that id for every identity and for no other id (a link checker that checks fragments sees a
    removed id as missing), whose link goes to the card, wherever it is."""
    page = (built_site / "id" / "index.html").read_text(encoding="utf-8")
    items = ADDRESS.findall(page)
    assert [identity for identity, _ in items] == [r["id"] for r in records]
    for (_, target), record in zip(items, records, strict=True):
        assert record["permalink"] == f"id/#{record['id']}"
        assert urljoin("https://site/id/", html.unescape(target)) == f"https://site/{record['url']}"
        path, anchor = record["url"].split("#")
        card = (built_site / path / "index.html").read_text(encoding="utf-8")
        assert f'id="{anchor}"' in card, record["id"]


def test_the_stable_address_page_escapes_titles() -> None:
    page = redirect_page([("x-y", 'A <b> & "c"', "p/#x-y")])
    assert '<a href="../p/#x-y">A &lt;b&gt; &amp; &quot;c&quot;</a>' in page
    assert ADDRESS.findall(page) == [("x-y", "../p/#x-y")]


def test_status_table_says_a_refuted_formula_is_refuted_in_the_exact_column(
    built_site: Path,
) -> None:
    html = (built_site / "status" / "index.html").read_text(encoding="utf-8")
    row = re.search(
        r"<tr>\s*<td><a [^>]*><code>mistake-determinant-inverse</code>.*?</tr>", html, re.DOTALL
    )
    assert row, "no row for mistake-determinant-inverse"
    cells = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td>(.*?)</td>", row.group(0), re.DOTALL)
    ]
    assert cells[3:5] == ["denominator", "refuted"] and cells[6] == "refuted", cells
    assert "failed" not in cells


def test_data_page_links_identities_json_and_shows_a_real_record(built_site: Path) -> None:
    html = (built_site / "data" / "index.html").read_text(encoding="utf-8")
    assert 'href="../identities.json"' in html
    assert "other_layout" in html and "quadratic-form" in html


def test_data_page_documents_every_field_of_a_record(records) -> None:
    text = (REPO / "docs" / "data.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+)`", text))
    assert set(records[0]) <= documented


def test_print_page_holds_every_card_once_and_is_left_out_of_search(
    built_site: Path, records
) -> None:
    html = (built_site / "print" / "index.html").read_text(encoding="utf-8")
    for entry in records:
        assert html.count(f'id="{entry["id"]}"') == 1, entry["id"]
    assert html.count('<details class="success" open>') >= sum(
        1 for r in records if r["proof_steps_total"]
    )
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [doc for doc in index["docs"] if doc["location"].startswith("print/")]


def test_search_finds_each_identity_by_title_and_by_id(built_site: Path, records) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = {doc["location"]: doc for doc in index["docs"]}
    for entry in records:
        doc = docs.get(entry["url"])
        assert doc is not None, entry["url"]
        assert doc["title"] == entry["title"]
        assert f"#{entry['id']}" in doc["text"], entry["id"]


def test_search_indexes_cards_without_the_markup_it_excludes(built_site: Path) -> None:
    """Badges, copy buttons, evidence, converted formulas and step marks join each page after the
    search has indexed it: every page has them, the index has none of them, and no placeholder
    is left anywhere."""
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    indexed = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("forms/"))
    forms = (built_site / "forms" / "index.html").read_text(encoding="utf-8")
    for phrase in (
        "max rel. error",
        "Copy link",
        "Shown in denominator layout",
        "step checked (relative",
    ):
        assert phrase in forms and phrase not in indexed, phrase
    assert "∂x/∂x = I" in indexed
    pages = [path.read_text(encoding="utf-8") for path in built_site.rglob("*.html")]
    assert not [page for page in pages if "mcstash" in page]
    assert not [doc for doc in index["docs"] if "mcstash" in doc["text"]]


#: A TeX command outside code, in the search index or in the readable text of a formula.
TEX_COMMAND = re.compile(r"\\[A-Za-z]+")


def test_search_reads_every_formula_as_text_and_pages_keep_their_tex(built_site: Path) -> None:
    """Search results are plain text: every formula is indexed as its readable form (cards,
    proofs, where-lines and the author's prose alike), and the pages still hold the TeX."""
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    left = [
        f"{doc['location']}: {command.group(0)}"
        for doc in index["docs"]
        for command in TEX_COMMAND.finditer(
            re.sub(r"<code>.*?</code>", "", doc["text"], flags=re.DOTALL)
        )
    ]
    assert not left, left[:10]
    docs = {doc["location"]: doc["text"] for doc in index["docs"]}
    card = docs["inverses/#inverse-trace-product"]
    assert "∂tr(AX⁻¹B)/∂X = −(X⁻¹BAX⁻¹)ᵀ = −X⁻ᵀAᵀBᵀX⁻ᵀ" in card
    assert "where A ∈ ℝ^(p×n), X ∈ ℝ^(n×n) invertible, and B ∈ ℝ^(n×p)." in card
    assert "d(X⁻¹) = −X⁻¹ dX X⁻¹" in docs["inverses/"]
    page = (built_site / "inverses" / "index.html").read_text(encoding="utf-8")
    assert "\\frac{\\partial \\operatorname{tr}(\\boldsymbol A \\boldsymbol X^{-1}" in page
    assert "∂tr(AX⁻¹B)/∂X" not in page


#: A sized bracket that opens on a sign: ``\big(`` is an ordinary symbol to TeX and MathJax, so
#: the sign after it is spaced as a binary minus, "( − ½"; ``\bigl(`` opens, and reads "(−½".
SIGN_AFTER_SIZED_BRACKET = re.compile(r"\\(?:big|Big|bigg|Bigg)[(\[]\s*[-+]")


def test_a_sized_bracket_before_a_sign_is_an_opening_one() -> None:
    found = [
        f"{path.name}:{number}"
        for path in sorted((REPO / "docs").glob("*.md"))
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
        if SIGN_AFTER_SIZED_BRACKET.search(line)
    ]
    assert not found, f"write \\bigl( … \\bigr) (and \\Bigl, …) around a leading sign: {found}"
