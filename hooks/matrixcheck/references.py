"""Cross-references of an identity to other references: The Matrix Cookbook and Wikipedia.

An identity block may say where the same fact is printed elsewhere::

    cookbook: 101            # an equation number of the 2012 edition, or a list: [103, 104]
    cookbook: "2.1.2"        # or a section of the 2012 edition
    wikipedia: Scalar-by-matrix identities      # a table of the article "Matrix calculus"

Equation numbers differ between editions of the Cookbook, so every number is read as one of the
2012 edition. Wikipedia table names are checked against the tables the article has, so a typo is
an author error rather than a dead anchor. Links are plain hyperlinks: nothing is fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import AuthorError

COOKBOOK_EDITION = 2012
WIKIPEDIA_ARTICLE = "https://en.wikipedia.org/wiki/Matrix_calculus"
#: The identity tables of Wikipedia's "Matrix calculus" article (their section titles).
WIKIPEDIA_TABLES = (
    "Vector-by-vector identities",
    "Scalar-by-vector identities",
    "Vector-by-scalar identities",
    "Scalar-by-matrix identities",
    "Matrix-by-scalar identities",
    "Scalar-by-scalar identities",
    "Identities in differential form",
)
_EQUATION = re.compile(r"^[1-9][0-9]{0,2}$")
_SECTION = re.compile(r"^§?\s*([1-9][0-9]?(?:\.[1-9][0-9]?)+)$")


@dataclass(frozen=True)
class References:
    """Where an identity appears elsewhere: Cookbook equations and sections, Wikipedia tables."""

    cookbook_equations: tuple[str, ...] = ()
    cookbook_sections: tuple[str, ...] = ()
    wikipedia_tables: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cookbook_equations or self.cookbook_sections or self.wikipedia_tables)

    def as_record(self) -> dict:
        """The ``references`` field of ``identities.json``."""
        return {
            "cookbook": {
                "edition": COOKBOOK_EDITION,
                "equations": list(self.cookbook_equations),
                "sections": list(self.cookbook_sections),
            }
            if self.cookbook_equations or self.cookbook_sections
            else None,
            "wikipedia": [
                {"table": table, "url": wikipedia_url(table)} for table in self.wikipedia_tables
            ],
        }


def wikipedia_url(table: str) -> str:
    """The address of a table of the article: its section anchor."""
    return f"{WIKIPEDIA_ARTICLE}#{table.replace(' ', '_')}"


def parse_references(cookbook: object, wikipedia: object) -> References:
    """Read the ``cookbook:`` and ``wikipedia:`` options (each absent, one value or a list)."""
    equations: list[str] = []
    sections: list[str] = []
    for item in _items(cookbook, "cookbook"):
        text = str(item).strip()
        section = _SECTION.match(text)
        if _EQUATION.match(text):
            equations.append(text)
        elif section:
            sections.append(section.group(1))
        else:
            raise AuthorError(
                f"cannot read the Cookbook reference '{text}'",
                f"give an equation number of the {COOKBOOK_EDITION} edition such as 101, a "
                'section such as "2.1.2", or a list of them such as [103, 104]',
            )
    tables: list[str] = []
    for item in _items(wikipedia, "wikipedia"):
        text = " ".join(str(item).split())
        known = {t.lower(): t for t in WIKIPEDIA_TABLES}
        if text.lower() not in known:
            raise AuthorError(
                f"'{text}' is not a table of Wikipedia's Matrix calculus article",
                f"use one of: {', '.join(WIKIPEDIA_TABLES)}",
            )
        tables.append(known[text.lower()])
    return References(
        tuple(dict.fromkeys(equations)),
        tuple(dict.fromkeys(sections)),
        tuple(dict.fromkeys(tables)),
    )


def _items(value: object, option: str) -> list[object]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, (dict, list)) or item is None or item == "":
            raise AuthorError(
                f"the '{option}:' option holds something that is not a reference",
                f"write '{option}:' with one value or a list of values, such as [103, 104]",
            )
    return items
