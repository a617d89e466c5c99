"""What a check found, as plain data: the results the build reports, caches, renders and exports.

These dataclasses need neither NumPy nor the checker, so a build whose results all come from the
cache (:mod:`cache`) renders its cards without importing either. :mod:`check` fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .declarations import SPECIAL_CASES, Declaration
from .model import Display, IdentitySpec, Location

if TYPE_CHECKING:
    from .tree import Relation

#: Complex-step derivatives are exact to rounding: a correct identity lands near 1e-16.
TOLERANCE_COMPLEX_STEP = 1e-9
#: Nested derivatives use finite differences (about 1e-10).
TOLERANCE_DIFFERENCES = 1e-6
#: Hessians difference an exact complex-step derivative once (error below 1e-11).
TOLERANCE_HESSIAN = 1e-8


def sizes_text(sizes: dict[str, int]) -> str:
    """``m=2, n=3``; empty when the declarations fix every size."""
    return ", ".join(f"{n}={v}" for n, v in sizes.items())


def sizes_phrase(sizes: dict[str, int]) -> str:
    """``sizes m=2, n=3``, or ``fixed sizes`` when the declarations fix every size."""
    text = sizes_text(sizes)
    return f"sizes {text}" if text else "fixed sizes"


@dataclass
class Trial:
    """The sizes, seed and test-function kind of one sample."""

    sizes: dict[str, int]
    seed: int
    test_functions: str
    #: The value of each symbol declared 'positive integer' (``k``).
    integers: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        functions = f", {self.test_functions} test functions" if self.test_functions else ""
        integers = "".join(f", {name}={value}" for name, value in self.integers.items())
        return f"{sizes_phrase(self.sizes)}{integers}, seed {self.seed}{functions}"


@dataclass
class Comparison:
    """The largest relative difference seen for one relation, and where it was seen."""

    max_rel_error: float = 0.0
    worst: Trial | None = None
    tolerance: float = TOLERANCE_COMPLEX_STEP
    domain_error: str = ""
    domain_hint: str = ""

    @property
    def holds(self) -> bool:
        return not self.domain_error and self.max_rel_error <= self.tolerance

    def evidence(self) -> str:
        if self.domain_error:
            return f"undefined at a sample: {self.domain_error}"
        where = f" ({self.worst.describe()})" if self.worst is not None else ""
        return f"relative error {self.max_rel_error:.3g}{where}"


@dataclass
class StepResult:
    """A proof step: ``checked``, ``unchecked`` (with a reason) or ``failed``."""

    display: Display
    status: str
    reason: str = ""
    max_rel_error: float | None = None


@dataclass
class Assumption:
    """A stated property, and whether dropping it breaks the identity (with the evidence)."""

    symbol: str
    property: str
    necessary: bool
    evidence: str

    @property
    def special_case(self) -> bool:
        """Whether the property picks out a case the identity exhibits (:data:`SPECIAL_CASES`,
        such as singular matrices) rather than one it assumes."""
        return self.property in SPECIAL_CASES


@dataclass
class IdentityResult:
    """Everything the build reports and publishes about one identity.

    ``status`` is ``verified``, ``failed`` or ``error`` for an identity, and ``refuted``,
    ``failed`` or ``error`` for a block that claims its formula is false. ``formula`` is the
    parsed formula as the check left it, derived from the spec and not part of the result: a
    result read from the cache has none, and results compare equal without it.
    """

    spec: IdentitySpec
    status: str
    message: str = ""
    max_rel_error: float | None = None
    tolerance: float = TOLERANCE_COMPLEX_STEP
    trials: list[Trial] = field(default_factory=list)
    counterexample: Trial | None = None
    steps: list[StepResult] = field(default_factory=list)
    declarations: dict[str, Declaration] = field(default_factory=dict)
    spellings: dict[str, str] = field(default_factory=dict)
    exact: ExactOutcome | None = None
    assumptions: list[Assumption] = field(default_factory=list)
    formula: Relation | None = field(default=None, compare=False)
    where: Location | None = None
    conversion: Conversion | None = None

    @property
    def ok(self) -> bool:
        expected = "refuted" if self.spec.refuted else "verified"
        converted = self.conversion is None or self.conversion.status != "failed"
        return (
            self.status == expected and converted and all(s.status != "failed" for s in self.steps)
        )

    def failures(self) -> list[tuple[Location, str]]:
        """Where and what, per problem: the identity's own, then each failed proof step."""
        own = self.where if self.where is not None else self.spec.location
        lines = [] if self.status in ("verified", "refuted") else [(own, self.message)]
        if self.conversion is not None and self.conversion.status == "failed":
            lines.append((own, self.conversion.reason))
        for step in self.steps:
            if step.status == "failed":
                lines.append((step.display.location, f"proof step: {step.reason}"))
        return lines

    def warnings(self) -> list[str]:
        """Assumptions that the identity does not need (a special case it exhibits is none)."""
        return [
            f"the assumption '{a.symbol} {a.property}' is not needed: {a.evidence} (fix: remove "
            "it, or state the weaker property the identity really needs)"
            for a in self.assumptions
            if not a.necessary and not a.special_case
        ]


@dataclass
class ExactOutcome:
    """``verified``, ``failed`` (with the entry that differs) or ``not applicable`` (why)."""

    status: str
    reason: str = ""
    sizes: list[dict[str, int]] | None = None


#: Why a formula that takes no derivative has no other-layout form.
NO_DERIVATIVE = "the formula takes no derivative, so it reads the same in every layout"


@dataclass
class Conversion:
    """The identity in the other layout, as derived and checked at build time.

    ``status`` is ``verified``, ``failed`` (the derived formula did not pass its checks: a bug in
    the converter, which fails the build) or ``not applicable`` (entrywise and differential
    identities, and refuted formulas, shown only as written), with ``reason`` saying why.
    ``exact`` is the status of the exact check of the converted formula.
    """

    layout: str
    status: str
    latex: str = ""
    reason: str = ""
    max_rel_error: float | None = None
    exact: str = ""
