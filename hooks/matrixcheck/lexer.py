"""Turns LaTeX math source into tokens, dropping what only affects typesetting.

Spacing macros, delimiter sizing (``\\left``, ``\\big`` …), alignment marks, environment
markers and the empty group ``{}`` (which only makes a sign that starts a continued line binary)
carry no mathematical meaning and are removed here, so that the parser sees only the
mathematics. Every token keeps its offset in the source for precise error messages.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .errors import AuthorError

#: Macros that only change spacing or size: dropped.
LAYOUT_COMMANDS = frozenset(
    {
        *(r"\,", r"\;", r"\:", r"\!", "\\ ", r"\quad", r"\qquad", r"\enspace", r"\thinspace"),
        *(r"\medspace", r"\thickspace", r"\negthinspace", r"\displaystyle", r"\textstyle"),
        *(r"\limits", r"\nolimits"),
    }
)

#: Delimiter sizing macros: dropped, the delimiter after them is kept.
SIZING_COMMANDS = frozenset(
    {
        *(r"\left", r"\right", r"\middle", r"\big", r"\Big", r"\bigg", r"\Bigg"),
        *(r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\biggl", r"\biggr", r"\Biggl", r"\Biggr"),
    }
)

#: Alternative spellings of delimiters, mapped to one canonical token text.
DELIMITER_ALIASES = {
    r"\lvert": "|",
    r"\rvert": "|",
    r"\vert": "|",
    r"\|": "‖",
    r"\lVert": "‖",
    r"\rVert": "‖",
    r"\Vert": "‖",
    r"\lbrack": "[",
    r"\rbrack": "]",
    r"\lparen": "(",
    r"\rparen": ")",
}

LONGEST_FORMULA = 4000
DEEPEST_NESTING = 40
OPENERS = frozenset({"{", "(", "["})
CLOSERS = frozenset({"}", ")", "]"})

ENVIRONMENTS = frozenset({"aligned", "align", "align*", "split", "gathered", "gather", "gather*"})

_TOKEN = re.compile(
    r"(?P<space>\s+|~)"
    r"|(?P<comment>%[^\n]*)"
    r"|(?P<rowbreak>\\\\)"
    r"|(?P<cmd>\\[A-Za-z]+\*?|\\.)"
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<letter>[A-Za-z])"
    r"|(?P<char>[{}^_&()\[\]|+\-=,.'/<>*!:;])"
    r"|(?P<unexpected>.)"
)


class Token(NamedTuple):
    """One lexical unit: ``kind`` is cmd, num, letter, char, rowbreak or end (a named tuple:
    a formula has hundreds of them, made faster so)."""

    kind: str
    text: str
    start: int
    end: int


def tokenize(source: str) -> list[Token]:
    """Split LaTeX math into tokens, ending with an ``end`` token."""
    if len(source) > LONGEST_FORMULA:
        raise AuthorError(
            f"the formula is {len(source)} characters long; the checker reads formulas of up to "
            f"{LONGEST_FORMULA} characters",
            "split it into several identities, or name a sub-expression in a separate identity",
        )
    raw: list[Token] = []
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup
        if kind == "unexpected":
            position = match.start()
            raise AuthorError(
                f"unexpected character {source[position]!r} at column {position + 1}",
                "remove it or write it as a LaTeX macro the engine reads",
                position,
            )
        if kind != "space" and kind != "comment":
            raw.append(Token(kind, match.group(), *match.span()))
    tokens = _drop_layout(raw)
    _check_nesting(tokens)
    tokens.append(Token("end", "", len(source), len(source)))
    return tokens


def _check_nesting(tokens: list[Token]) -> None:
    """Refuse brackets and braces nested deeper than anyone writes by hand."""
    depth = 0
    for token in tokens:
        if token.text in OPENERS:
            depth += 1
            if depth > DEEPEST_NESTING:
                raise AuthorError(
                    f"brackets are nested more than {DEEPEST_NESTING} deep at column "
                    f"{token.start + 1}",
                    "simplify the formula; deeply nested brackets are almost always a typo",
                    token.start,
                )
        elif token.text in CLOSERS:
            depth -= 1


def _drop_layout(tokens: list[Token]) -> list[Token]:
    """Remove spacing, sizing, alignment and environment markers; canonicalise delimiters."""
    kept: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        text = token.text
        if text in (r"\begin", r"\end"):
            index = _skip_environment_name(tokens, index)
            continue
        if token.kind == "cmd" and text in SIZING_COMMANDS:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is not None and following.text == ".":
                index += 2
            else:
                index += 1
            continue
        if (token.kind == "cmd" and text in LAYOUT_COMMANDS) or text == "&":
            index += 1
            continue
        if text == "{" and index + 1 < len(tokens) and tokens[index + 1].text == "}":
            index += 2
            continue
        if text in DELIMITER_ALIASES:
            token = Token("char", DELIMITER_ALIASES[text], token.start, token.end)
        kept.append(token)
        index += 1
    return kept


def _skip_environment_name(tokens: list[Token], index: int) -> int:
    """Skip ``\\begin{aligned}`` or ``\\end{aligned}``; other environments are errors."""
    start = tokens[index]
    name = ""
    cursor = index + 1
    if cursor < len(tokens) and tokens[cursor].text == "{":
        cursor += 1
        while cursor < len(tokens) and tokens[cursor].text != "}":
            name += tokens[cursor].text
            cursor += 1
        cursor += 1
    if name not in ENVIRONMENTS:
        raise AuthorError(
            f"environment {{{name}}} is not supported in a checked formula",
            "use \\begin{aligned} … \\end{aligned} for a chain of equalities",
            start.start,
        )
    return cursor
