"""Cross-references to The Matrix Cookbook and Wikipedia are read, validated, exported and shown.

Why: readers compare this reference with the Cookbook and Wikipedia, so each identity names its
counterparts there. A mistyped equation number or table name would send a reader to the wrong
place, so both are validated with a message that says how to fix them; the export carries the
same data for scripts, and the card shows it as one line with a plain link (nothing fetched).
"""

from __future__ import annotations

import json
import re

import pytest
from matrixcheck.check import check_identity
from matrixcheck.document import read_page
from matrixcheck.errors import AuthorError
from matrixcheck.records import record
from matrixcheck.references import WIKIPEDIA_TABLES, References, parse_references
from matrixcheck.render import references_html
from support import card_html

PAGE = """\
/// identity | Trace of a product with a constant
    id: trace-product-constant
    layout: denominator
{options}    symbols:
      A: matrix n x m
      X: matrix m x n

$$
\\frac{{\\partial \\operatorname{{tr}}(\\boldsymbol A \\boldsymbol X)}}{{\\partial \\boldsymbol X}}
= \\boldsymbol A^\\text T
$$
///
"""


def page(options: str):
    return read_page(PAGE.format(options=options), "page.md")


def test_equations_sections_and_tables_are_read() -> None:
    references = parse_references([103, "104", "§2.1.2", 2.6], "scalar-by-matrix  identities")
    assert references.cookbook_equations == ("103", "104")
    assert references.cookbook_sections == ("2.1.2", "2.6")
    assert references.wikipedia_tables == ("Scalar-by-matrix identities",)


def test_no_references_is_empty() -> None:
    assert not parse_references(None, None)
    assert references_html(References()) == ""


@pytest.mark.parametrize(
    ("cookbook", "wikipedia", "expected"),
    [
        ("eq. 101", None, "cannot read the Cookbook reference 'eq. 101' (fix: give an equation"),
        (0, None, "cannot read the Cookbook reference '0'"),
        ([101, {"a": 1}], None, "holds something that is not a reference (fix:"),
        (None, "Scalar by matrix", "'Scalar by matrix' is not a table of Wikipedia's Matrix"),
        (None, [""], "the 'wikipedia:' option holds something that is not a reference"),
    ],
)
def test_invalid_references_are_author_errors(cookbook, wikipedia, expected: str) -> None:
    with pytest.raises(AuthorError) as raised:
        parse_references(cookbook, wikipedia)
    assert expected in raised.value.describe()
    assert "(fix: " in raised.value.describe()


def test_a_bad_reference_is_a_page_problem_at_the_block() -> None:
    result = page("    cookbook: [100, eq101]\n")
    assert result.blocks == []
    [problem] = result.problems
    assert problem.location.line == 1 and problem.identity_id == "trace-product-constant"
    assert "cannot read the Cookbook reference 'eq101'" in problem.message


def test_unknown_table_lists_the_tables() -> None:
    [problem] = page("    wikipedia: Scalar-by-tensor identities\n").problems
    assert all(table in problem.message for table in WIKIPEDIA_TABLES)


def test_references_are_exported_and_shown() -> None:
    scanned = page("    cookbook: 100\n    wikipedia: Scalar-by-matrix identities\n")
    assert not scanned.problems
    [block] = scanned.blocks
    result = check_identity(block.spec)
    assert result.ok
    exported = json.loads(json.dumps(record(result, "traces/#trace-product-constant")))
    assert exported["references"] == {
        "cookbook": {"edition": 2012, "equations": ["100"], "sections": []},
        "wikipedia": [
            {
                "table": "Scalar-by-matrix identities",
                "url": "https://en.wikipedia.org/wiki/Matrix_calculus#Scalar-by-matrix_identities",
            }
        ],
    }
    card = card_html(block, result)
    [line] = re.findall(r'<p class="identity-references">(.*?)</p>', card)
    assert line.startswith("Also in: The Matrix Cookbook (2012), eq. 100")
    assert (
        'href="https://en.wikipedia.org/wiki/Matrix_calculus#Scalar-by-matrix_identities"' in line
    )


def test_a_block_without_references_exports_none() -> None:
    [block] = page("").blocks
    exported = record(check_identity(block.spec), "")
    assert exported["references"] == {"cookbook": None, "wikipedia": []}
    assert "Also in: " not in card_html(block, None)
