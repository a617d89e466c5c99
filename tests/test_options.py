"""An identity's options read by the fast path are exactly what YAML reads.

Why: the options (id, layout, symbols) decide what is checked. The scanner reads the usual simple
form of them itself, without PyYAML's loader, for speed; that is only right if it never reads
anything differently from YAML. So every options text of the site and of the tests, and a list of
traps (scalars YAML reads as numbers, booleans, nulls or dates, quotes, comments, flow
collections, odd indentation, repeated keys), must read the same either way, and the fast path
must really take the common form.
"""

from __future__ import annotations

import itertools
import re

import pytest
import yaml
from matrixcheck import document
from matrixcheck.options import _safe_yaml, _simple, read_options
from support import DOCS, REPO

COMMON = (
    "id: linear-form\nlayout: denominator\ncookbook: 69\nsymbols:\n  a: vector n\n  x: vector n"
)

TRAPS = [
    "id: x\nid: y",
    "symbols:\n  a: vector n\n  a: matrix n x n",
    "symbols:\n  a: vector n\nsymbols:\n  b: vector n",
    "symbols:",
    "symbols:\nid: x",
    "id: x\n  more: y",
    "symbols:\n  a: vector n\n    b: vector n",
    "symbols:\n    a: vector n\n  b: vector n",
    "symbols:\n  a:\n    b: vector n",
    "id: x # comment",
    "id: x#y",
    "id: a: b",
    "id: a:b",
    "id: a:b:c",
    "id: a::b",
    "id: a :b",
    "id: a:\tb",
    "id: a: ",
    "id: https://example.org/a?b=c",
    "source: arXiv:1911.06491 (https://ar5iv.labs.arxiv.org/html/1911.06491)",
    "id: x:",
    'cookbook: "2.1.4"',
    'cookbook: "69"',
    'cookbook: ""',
    "cookbook: ''",
    "cookbook: '2.1.4'",
    'id: "a: b # c"',
    "id: 'a: b # c'",
    'id: "  spaced  "  ',
    "id: 'it''s'",
    'id: "a\\"b"',
    'id: "a\\nb"',
    'id: "x" # comment',
    'id: "x"y',
    "id: 'x'y",
    'id: "x',
    'id: "a\tb"\n  x: y',
    "id: 'a\tb'\n  x: y",
    'id: "yes"',
    "id: 'null'",
    '"id": x',
    "symbols:\n  a: \"vector n\"\n  b: 'matrix n x n'",
    'symbols: "x"\n  a: vector n',
    "id:x",
    "id : x",
    " id: x",
    "id: x\n",
    "\nid: x",
    "id:   spaced   words   ",
    "id: x\t",
    "id:\tx",
    "id: 'quoted'",
    'id: "quoted"',
    "id: it's",
    "id: [a, b]",
    "id: {a: b}",
    "id: a, [b], {c}",
    "id: - x",
    "id: -x",
    "id: ?x",
    "id: &anchor x",
    "id: *alias",
    "id: !tag x",
    "id: |",
    "id: >",
    "id: %x",
    "id: @x",
    "id: `x`",
    "cookbook: 69",
    "cookbook: 0",
    "cookbook: 007",
    "cookbook: 0x1F",
    "cookbook: 0o17",
    "cookbook: 1_000",
    "cookbook: 1,000",
    "cookbook: 2.6",
    "cookbook: 10.2.1",
    "cookbook: 1e3",
    "cookbook: .inf",
    "cookbook: .nan",
    "cookbook: 190:20:30",
    "cookbook: 2018-11-12",
    "cookbook: 2001-12-14t21:59:43.10-05:00",
    "cookbook: +12",
    "cookbook: 12 and 13",
    "refuted: yes",
    "refuted: No",
    "refuted: on",
    "refuted: OFF",
    "refuted: true",
    "refuted: y",
    "refuted: n",
    "refuted: ~",
    "refuted: null",
    "refuted: Null",
    "refuted: nULL",
    "on: x",
    "yes: x",
    "null: x",
    "true: x",
    "y: x",
    "n: x",
    "_x: y",
    "<<: x",
    "=: x",
    "id: =",
    "id: <<",
    "id: function m x n -> p x q, invertible",
    "id: vector n, unit eigenvector of A for \\lambda_{\\max}",
    "id: the scalar rule d(x²) = 2x dx",
    "id: eqs. 125–127",
    "id: a\u00a0b",
    "id: a\u2028b",
    "id: a\u0085b",
    "id: a\ufeffb",
    "id: a\rb",
    "---\nid: x",
    "...",
    "- x",
    "x",
    "",
]


def _options_texts() -> list[str]:
    """The options text of every identity block in the docs and in the test pages."""
    texts: list[str] = []
    pattern = re.compile(r"^///\s*(?:identity|refuted)\b.*\n((?:    .*\n?)+)", re.MULTILINE)
    for page in itertools.chain(DOCS.rglob("*.md"), (REPO / "tests").rglob("*.md")):
        for match in pattern.finditer(page.read_bytes().decode("utf-8", "replace")):
            lines = match.group(1).rstrip("\n").split("\n")
            texts.append("\n".join(line[4:] for line in lines))
    return texts


def _yaml(text: str) -> object:
    """What PyYAML reads (the error's class if it refuses the text)."""
    try:
        return _safe_yaml(text)
    except yaml.YAMLError as error:
        return type(error)


def _same(fast: object, slow: object) -> bool:
    """Equal, with the same types all the way down, and dicts in the same order."""
    if isinstance(fast, dict):
        return (
            type(slow) is dict
            and list(fast) == list(slow)
            and all(_same(fast[k], slow[k]) for k in fast)
        )
    return type(fast) is type(slow) and repr(fast) == repr(slow)


def test_the_common_form_is_read_without_yaml_and_as_yaml_reads_it() -> None:
    simple = _simple(COMMON)
    assert simple == {
        "id": "linear-form",
        "layout": "denominator",
        "cookbook": 69,
        "symbols": {"a": "vector n", "x": "vector n"},
    }
    assert _same(simple, _yaml(COMMON))


def test_every_options_text_of_the_site_reads_as_yaml_reads_it() -> None:
    texts = _options_texts()
    assert len(texts) > 200
    fast = 0
    for text in texts:
        simple = _simple(text)
        if simple is not None:
            fast += 1
            assert _same(simple, _yaml(text)), text
    assert fast > 0.9 * len(texts)


@pytest.mark.parametrize("text", TRAPS)
def test_what_the_fast_path_takes_it_reads_as_yaml_does(text: str) -> None:
    """A trap is either read exactly as YAML reads it, or left to YAML."""
    simple = _simple(text)
    if simple is not None:
        assert _same(simple, _yaml(text))
    try:
        expected = _safe_yaml(text)
    except yaml.YAMLError as error:
        with pytest.raises(type(error)):
            read_options(text)
    else:
        assert _same(read_options(text), expected)


def test_traps_are_left_to_yaml() -> None:
    """The fast path takes only what it must: none of these is a string or a decimal integer."""
    traps = ("cookbook: 007", "cookbook: 2.6", "refuted: yes", "on: x", "id: 'it''s'", "id: x:")
    for text in (*traps, 'id: "a\\"b"', 'id: "a\tb"\n  x: y', "id: a: b", "id: x # c"):
        assert _simple(text) is None, text


def test_combinations_of_lines_read_as_yaml_reads_them() -> None:
    """Every sequence of up to three lines from a small set, nested or not."""
    lines = [
        "id: a",
        "id: 12",
        "layout: on",
        "symbols:",
        "  x: vector n",
        "    x: vector",
        "  y: 0",
    ]
    for count in (1, 2, 3):
        for chosen in itertools.product(lines, repeat=count):
            text = "\n".join(chosen)
            simple = _simple(text)
            if simple is not None:
                assert _same(simple, _yaml(text)), text


def test_the_scanner_reads_options_through_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A block in the common form never reaches PyYAML's loader."""

    def refuse(text: str) -> object:
        raise AssertionError(f"read by PyYAML: {text!r}")

    monkeypatch.setattr("matrixcheck.options._safe_yaml", refuse)
    page = document.read_page(
        "/// identity | Linear form\n"
        + "".join(f"    {line}\n" for line in COMMON.split("\n"))
        + "\n$$\n\\frac{\\partial \\boldsymbol a^\\text T \\boldsymbol x}{\\partial \\boldsymbol x}"
        " = \\boldsymbol a\n$$\n///\n",
        "page.md",
    )
    (block,) = page.blocks
    assert block.spec.symbols == {"a": "vector n", "x": "vector n"} and not page.problems
