"""What a page declares: identities, their proofs, and display formulas outside identities.

These records are produced by :mod:`matrixcheck.document` from Markdown and consumed by
:mod:`matrixcheck.check`; they hold source text and positions only, never results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .references import References


@dataclass(frozen=True)
class Location:
    """A line in a page; ``path`` is relative to the docs directory."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Display:
    """A display formula (``$$ … $$``) and where its first line is."""

    latex: str
    location: Location
    exemption: str | None = None


@dataclass
class IdentitySpec:
    """One ``/// identity`` (or ``/// refuted``) block as the author wrote it.

    A refuted block claims that its formula is false: ``corrected`` names the id of the verified
    identity that replaces it, and ``source`` says where the wrong formula was published.
    """

    id: str
    title: str
    layout: str
    symbols: object
    formula: Display
    location: Location
    proof: list[Display] = field(default_factory=list)
    refuted: bool = False
    corrected: str = ""
    source: str = ""
    references: References = field(default_factory=References)


#: The fields of an :class:`IdentitySpec` that its check reads. The others (the title, the
#: citations, a refutation's source and correction) are only rendered: the result cache keys a
#: result by these alone, so editing a title or a citation re-checks nothing.
CHECKED_FIELDS = ("id", "layout", "symbols", "formula", "location", "proof", "refuted")


@dataclass
class PageProblem:
    """A problem found while reading a page, before any identity is checked."""

    location: Location
    message: str
    identity_id: str = ""
