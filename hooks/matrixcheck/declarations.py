"""Symbol declarations: what a page says about each symbol's shape and properties.

A declaration is one short line of YAML, ``X: matrix m x n, invertible``, read here into a
:class:`Declaration`. Shapes use named dimensions (``n``, ``m``) so that the checker can give each
name its own size; properties say which random matrices honour the declaration.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from .errors import AuthorError

Dimension = str | int

#: Every property an author may declare, with what it requires and implies.
PROPERTIES: dict[str, dict[str, object]] = {
    "symmetric": {"square": True, "implies": ()},
    "skew-symmetric": {"square": True, "implies": ()},
    "positive definite": {"square": True, "implies": ("symmetric", "invertible")},
    "invertible": {"square": True, "implies": ()},
    "positive stable": {"square": True, "implies": ("invertible",)},
    "singular": {"square": True, "implies": ()},
    "orthogonal": {"square": True, "implies": ("invertible",)},
    "diagonal": {"square": True, "implies": ()},
    "lower triangular": {"square": True, "implies": ()},
    "upper triangular": {"square": True, "implies": ()},
    "positive": {"square": False, "implies": ()},
    "nonzero": {"square": False, "implies": ()},
    "simple spectrum": {"square": True, "implies": ()},
    "simple singular values": {"square": False, "implies": ()},
}
#: Properties that make eigenvalues or singular values differentiable; the samplers keep the
#: values apart by a gap of at least 1/2 (and singular values at least 1).
SPECTRAL_PROPERTIES = {"eigenvalue": "simple spectrum", "singular value": "simple singular values"}
#: How messages say that a matrix has a spectral property.
SPECTRAL_PHRASES = {
    "simple spectrum": "a simple spectrum",
    "simple singular values": "simple singular values",
}
#: Properties that pick out a special case to exhibit (singular matrices, where ``X⁻¹`` does not
#: exist) rather than state an assumption: an identity that also holds without one is reported as
#: a special case of the general one, not warned about.
SPECIAL_CASES = frozenset({"singular"})
#: Kinds of symbols that are functions: their properties describe their values, not their entries.
FUNCTION_KINDS = ("function", "scalar function")
PROPERTY_ALIASES = {
    "spd": "positive definite",
    "symmetric positive definite": "positive definite",
    "antisymmetric": "skew-symmetric",
    "nonsingular": "invertible",
    "non-singular": "invertible",
    "non-zero": "nonzero",
    "distinct eigenvalues": "simple spectrum",
    "distinct singular values": "simple singular values",
}
#: Which properties may be declared together (the relation is read both ways). Anything else
#: is contradictory (symmetric and skew-symmetric), redundant in a misleading way (lower and upper
#: triangular is diagonal), or a combination the samplers cannot honour (orthogonal and symmetric).
COMPATIBLE = {
    "symmetric": {
        *("positive definite", "invertible", "diagonal", "positive", "nonzero"),
        *("simple spectrum", "singular"),
    },
    "positive definite": {"invertible", "diagonal", "simple spectrum"},
    "simple spectrum": {"invertible"},
    "simple singular values": {"invertible"},
    "diagonal": {"invertible"},
    "orthogonal": {"invertible"},
    "lower triangular": {"invertible"},
    "upper triangular": {"invertible"},
    "positive": {"invertible", "nonzero"},
    "nonzero": {"invertible"},
    "skew-symmetric": set(),
    "invertible": set(),
    "positive stable": {"invertible"},
    "singular": set(),
}
LARGEST_DIMENSION = 12

_DIMENSION = r"[A-Za-z][A-Za-z0-9_]*|\d+"
_MATRIX = re.compile(rf"^(?:matrix\s+)?({_DIMENSION})\s*(?:x|×|\*|by)\s*({_DIMENSION})$")
_VECTOR = re.compile(rf"^(row\s+|column\s+)?vector\s+({_DIMENSION})$")
_FUNCTION = re.compile(r"^function\s+(.+?)\s*(?:->|→)\s*(.+)$")
#: A smooth real function of one real variable, applied entry by entry (``f: scalar function``).
_SCALAR_FUNCTION = re.compile(r"^(?:scalar|entrywise|elementwise)\s+function$")
#: An integer symbol, ``k: positive integer``: a scalar that may stand in an exponent or a bound.
_INTEGER = re.compile(r"^(?:(?P<sign>positive|nonnegative|natural)\s+)?(?:integer|number)$")
_BINDING = re.compile(
    r"^(?:unit\s+)?(?P<kind>eigenvector|left eigenvector|left singular vectors?|right singular "
    r"vectors?)\s+of\s+(?P<of>\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)"
    r"(?:\s+for\s+\\?(?P<value>lambda|sigma)_\{?\\?(?P<index>[A-Za-z]+|\d+)\}?)?$"
)
#: What a bound symbol is, and which spectral value its index refers to.
BINDING_VALUES = {
    "eigenvector": "lambda",
    "left eigenvector": "lambda",
    "left singular vector": "sigma",
    "right singular vector": "sigma",
}
_NAME = re.compile(r"^\\?([A-Za-z]+)(?:_\{?([A-Za-z0-9]+)\}?)?$")


@dataclass(frozen=True)
class Binding:
    """A symbol whose value is computed from another symbol's: an eigenvector, singular vectors.

    ``kind`` is ``eigenvector``, ``left eigenvector``, ``left singular vector``, ``right singular
    vector`` (``index`` says which value, as in ``λ_index``) or ``left singular vectors``, ``right
    singular vectors`` (all of them, as the columns of a matrix; ``index`` is empty).
    """

    kind: str
    of: str
    index: str = ""


@dataclass(frozen=True)
class Declaration:
    """One declared symbol: its shape (rows, columns) and properties.

    For a generic function, ``shape`` is the shape of its values and ``argument`` the shape of its
    argument; properties then describe the values. A scalar function (kind ``scalar function``)
    acts entry by entry, so its values have its argument's shape: it has no ``argument`` and its
    ``shape`` is 1×1 (the shape of one entry).
    """

    name: str
    kind: str
    shape: tuple[Dimension, Dimension]
    properties: frozenset[str]
    argument: tuple[Dimension, Dimension] | None = None
    stated: tuple[str, ...] = ()
    binding: Binding | None = None

    @property
    def is_function(self) -> bool:
        return self.kind in FUNCTION_KINDS

    @property
    def is_integer(self) -> bool:
        """A positive integer ``k`` (kind ``integer``): a scalar that exponents and the bounds
        of finite sums may use, drawn from :data:`sampling.INTEGER_VALUES`
        and :data:`sampling.LARGE_INTEGER_VALUES`."""
        return self.kind == "integer"

    @property
    def is_scalar_function(self) -> bool:
        """A smooth function of one real variable applied entrywise, written with its
        derivatives ``f'`` and ``f''``."""
        return self.kind == "scalar function"

    def dimensions(self) -> set[str]:
        """The dimension names this declaration uses."""
        shapes = [self.shape] + ([self.argument] if self.argument else [])
        return {d for shape in shapes for d in shape if isinstance(d, str)}


def parse_declarations(raw: object) -> dict[str, Declaration]:
    """Read the ``symbols:`` mapping of an identity."""
    if not isinstance(raw, dict) or not raw:
        raise AuthorError(
            "'symbols:' must map each symbol to its shape",
            "for example 'symbols: {X: matrix m x n, a: vector m}'",
        )
    declarations: dict[str, Declaration] = {}
    for key, value in raw.items():
        name = symbol_name(str(key))
        if name in declarations:
            raise AuthorError(f"symbol '{name}' is declared twice", "keep one declaration")
        declarations[name] = parse_declaration(name, value)
    return declarations


def symbol_name(key: str) -> str:
    """The canonical name of a declared symbol: ``\\Sigma`` → ``Sigma``, ``x_{0}`` → ``x_0``."""
    match = _NAME.match(key.strip())
    if match is None:
        raise AuthorError(
            f"'{key}' is not a symbol name",
            "use a letter, a Greek letter such as Sigma, optionally with a subscript such as x_0",
        )
    base, subscript = match.groups()
    return f"{base}_{subscript}" if subscript else base


def parse_declaration(name: str, value: object) -> Declaration:
    """Read one declaration such as ``matrix n x n, symmetric``."""
    if not isinstance(value, str) or not value.strip():
        raise AuthorError(
            f"the declaration of '{name}' must be a text such as 'matrix n x n, invertible'",
            "write the shape, then any properties, separated by commas",
        )
    head, *rest = [part.strip() for part in value.split(",")]
    bindings = [_parse_binding(name, word) for word in rest if _BINDING.match(word.strip())]
    rest = [word for word in rest if not _BINDING.match(word.strip())]
    stated = _parse_properties(name, rest)
    properties = with_implied(stated)
    function = _FUNCTION.match(head)
    integer = _INTEGER.match(" ".join(head.lower().split()))
    if integer and (integer.group("sign") == "positive" and not rest and not bindings):
        declaration = Declaration(name, "integer", (1, 1), frozenset())
    elif integer:
        raise AuthorError(
            f"'{name}' is declared '{value.strip()}'; the checker reads integer symbols that "
            "are positive only, with no properties",
            f"write '{name}: positive integer' (the checker draws {name} = 1, …, 5), and state "
            "any further condition on it in the card",
        )
    elif _SCALAR_FUNCTION.match(" ".join(head.lower().split())):
        if rest or bindings:
            raise AuthorError(
                f"'{name}' is a scalar function; the checker draws smooth test functions for it "
                "and cannot give them properties",
                f"write '{name}: scalar function' alone, and state any condition on it in the card",
            )
        declaration = Declaration(name, "scalar function", (1, 1), frozenset())
    elif function:
        argument = parse_shape(name, function.group(1))[1]
        kind, shape = parse_shape(name, function.group(2))
        declaration = Declaration(name, "function", shape, properties, argument, stated)
        if "singular" in properties:
            raise AuthorError(
                f"'{name}' is a generic function declared singular; the test functions that "
                "stand for it do not take singular values",
                f"declare a singular matrix symbol instead, or drop 'singular' from '{name}'",
            )
    else:
        kind, shape = parse_shape(name, head)
        if len(bindings) > 1:
            raise AuthorError(
                f"'{name}' is bound twice",
                "keep one 'eigenvector of …' or 'singular vector' phrase",
            )
        binding = bindings[0] if bindings else None
        declaration = Declaration(name, kind, shape, properties, None, stated, binding)
    _check_properties(declaration)
    return declaration


def _parse_binding(name: str, text: str) -> Binding:
    """Read ``unit eigenvector of A for \\lambda_1`` and its kin."""
    match = _BINDING.match(" ".join(text.split()))
    assert match is not None
    kind, value, index = match.group("kind"), match.group("value"), match.group("index")
    of = symbol_name(match.group("of"))
    if kind.endswith("vectors"):
        if value:
            raise AuthorError(
                f"'{name}' holds all the {kind} of {of}, so it takes no index",
                f"write '{kind} of {of}', or bind a single vector with '… vector of {of} for "
                "\\sigma_i'",
            )
        return Binding(kind, of)
    expected = BINDING_VALUES[kind]
    if value != expected:
        raise AuthorError(
            f"'{name}' is {article(kind)} of {of} but names no {expected} it belongs to",
            f"write '{kind} of {of} for \\{expected}_1' (an integer, max, min or a letter)",
        )
    return Binding(kind, of, index)


def parse_shape(name: str, text: str) -> tuple[str, tuple[Dimension, Dimension]]:
    """Read ``scalar``, ``vector n``, ``row vector n`` or ``matrix m x n``."""
    text = " ".join(text.split())
    if text == "scalar":
        return "scalar", (1, 1)
    vector = _VECTOR.match(text)
    if vector:
        size = _dimension(vector.group(2))
        if vector.group(1) and vector.group(1).startswith("row"):
            return "row vector", (1, size)
        return "vector", (size, 1)
    matrix = _MATRIX.match(text)
    if matrix:
        return "matrix", (_dimension(matrix.group(1)), _dimension(matrix.group(2)))
    raise AuthorError(
        f"cannot read the shape '{text}' of '{name}'",
        "write 'scalar', 'vector n', 'row vector n', 'matrix m x n', 'function m x n -> p x q', "
        "'scalar function' or 'positive integer'",
    )


def _dimension(text: str) -> Dimension:
    if text.isdigit():
        size = int(text)
        if not 1 <= size <= LARGEST_DIMENSION:
            raise AuthorError(
                f"the size {size} is outside 1…{LARGEST_DIMENSION}",
                "use a dimension name such as n; the checker picks small distinct sizes",
            )
        return size
    return text


def _parse_properties(name: str, words: list[str]) -> tuple[str, ...]:
    """The properties as stated, canonically spelt and in the author's order."""
    stated: list[str] = []
    for word in words:
        canonical = PROPERTY_ALIASES.get(" ".join(word.lower().split()), word.lower())
        if canonical not in PROPERTIES:
            known = ", ".join(PROPERTIES)
            raise AuthorError(f"unknown property '{word}' for '{name}'", f"use one of: {known}")
        if canonical not in stated:
            stated.append(canonical)
    return tuple(stated)


def with_implied(stated: tuple[str, ...]) -> frozenset[str]:
    properties = set(stated)
    for prop in stated:
        properties.update(PROPERTIES[prop]["implies"])  # type: ignore[arg-type]
    return frozenset(properties)


def _check_properties(declaration: Declaration) -> None:
    rows, columns = declaration.shape
    # Stated properties first, so that a message names what the author wrote, not an implied one.
    implied = [p for p in PROPERTIES if p in declaration.properties and p not in declaration.stated]
    for prop in (*declaration.stated, *implied):
        if PROPERTIES[prop]["square"] and rows != columns:
            raise AuthorError(
                f"'{declaration.name}' is declared {prop} but its shape {rows}×{columns} is not "
                "square",
                f"declare it as 'matrix n x n, {prop}' or drop the property",
            )
        if PROPERTIES[prop]["square"] and rows == columns == 1:
            raise AuthorError(
                f"'{declaration.name}' is a scalar and cannot be {prop}",
                "declare a matrix, or use 'positive' or 'nonzero' for a scalar",
            )
    origin = {p: p for p in declaration.stated}
    for stated in declaration.stated:
        for implied_property in PROPERTIES[stated]["implies"]:  # type: ignore[union-attr]
            origin.setdefault(implied_property, stated)
    ordered = [*declaration.stated, *sorted(declaration.properties - set(declaration.stated))]
    for first, second in itertools.combinations(ordered, 2):
        if second not in COMPATIBLE[first] and first not in COMPATIBLE[second]:
            implied = [f"{origin[p]} implies {p}" for p in (first, second) if origin[p] != p]
            because = f" ({'; '.join(implied)})" if implied else ""
            raise AuthorError(
                f"'{declaration.name}' cannot be both {origin[first]} and "
                f"{origin[second]}{because}",
                "remove one of the properties; the authoring page lists the combinations "
                "the checker supports",
            )


def check_bindings(declarations: dict[str, Declaration]) -> None:
    """A bound symbol names a declared matrix whose sampling keeps its spectrum simple."""
    for declaration in declarations.values():
        binding = declaration.binding
        if binding is None:
            continue
        name, of = declaration.name, declaration.binding.of
        target = declarations.get(of)
        if target is None or target.is_function or target.binding is not None:
            raise AuthorError(
                f"'{name}' is {article(binding.kind)} of '{of}', which is not a declared matrix",
                f"declare {of} (for example '{of}: matrix n x n, symmetric, simple spectrum')",
            )
        rows, columns = target.shape
        singular = "singular" in binding.kind
        needed = SPECTRAL_PROPERTIES["singular value" if singular else "eigenvalue"]
        if needed not in target.properties:
            raise AuthorError(
                f"'{name}' is {article(binding.kind)} of '{of}', but '{of}' is not declared with "
                f"{SPECTRAL_PHRASES[needed]}, so the vector is not well defined",
                f"add '{needed}' to the declaration of {of} and state the condition in the card",
            )
        expected: tuple[Dimension, Dimension]
        if binding.kind.endswith("vectors"):
            expected = _thin_factor_shape(declaration, binding, target)
        elif binding.kind == "right singular vector":
            expected = (columns, 1)
        else:
            expected = (rows, 1)
        if declaration.shape != expected:
            shape = "×".join(map(str, expected))
            plural = binding.kind.endswith("vectors")
            role = f"holds the {binding.kind}" if plural else f"is {article(binding.kind)}"
            raise AuthorError(
                f"'{name}' {role} of the {rows}×{columns} matrix '{of}', so its shape "
                f"is {shape}, not {'×'.join(map(str, declaration.shape))}",
                f"declare '{name}' with shape {shape}",
            )
    _check_orderings(declarations)


def _thin_factor_shape(
    declaration: Declaration, binding: Binding, target: Declaration
) -> tuple[Dimension, Dimension]:
    """The shape of ``U`` (``m × k``) or ``V`` (``n × k``) of the thin SVD of the ``m × n``
    ``target``, ``k = min(m, n)``. With named dimensions the author writes ``k`` as ``n`` (a tall
    ``X``, checked at sizes ``m > n``) or as ``m`` (a wide one, checked at ``n > m``)."""
    name, kind = declaration.name, binding.kind
    rows, columns = target.shape
    own = rows if kind.startswith("left") else columns
    if rows == columns:
        return (own, rows)
    if isinstance(rows, int) and isinstance(columns, int):
        return (own, min(rows, columns))
    if isinstance(rows, int) or isinstance(columns, int):
        raise AuthorError(
            f"'{name}' holds the {kind} of the {rows}×{columns} matrix '{target.name}', whose thin "
            "SVD needs to know which dimension is the smaller, and a number and a name do not say",
            f"write both dimensions of {target.name} as names (m x n) or both as numbers",
        )
    if declaration.shape[1] in (rows, columns):
        return (own, declaration.shape[1])
    tall, wide = f"{own}×{columns}", f"{own}×{rows}"
    raise AuthorError(
        f"'{name}' holds the {kind} of the {rows}×{columns} matrix '{target.name}' (thin SVD, "
        f"min({rows}, {columns}) columns), so its shape is {tall} (checked at {rows} > {columns}) "
        f"or {wide} (checked at {columns} > {rows}), not {'×'.join(map(str, declaration.shape))}",
        f"declare '{name}' with shape {tall} for a tall {target.name}, or {wide} for a wide one",
    )


def size_orderings(declarations: dict[str, Declaration]) -> list[tuple[str, str]]:
    """The pairs ``(larger, smaller)`` of dimension names whose sizes the thin SVDs order: the
    singular vectors ``U: m × n``, ``V: n × n`` of a rectangular ``X: m × n`` need ``m > n``.
    The bindings are taken as :func:`check_bindings` accepted them."""
    orderings = set()
    for declaration in declarations.values():
        binding = declaration.binding
        if binding is None or not binding.kind.endswith("vectors"):
            continue
        rows, columns = declarations[binding.of].shape
        if rows != columns and isinstance(rows, str) and isinstance(columns, str):
            smaller = declaration.shape[1]
            orderings.add((columns if smaller == rows else rows, str(smaller)))
    return sorted(orderings)


def satisfies(sizes: dict[str, int], orderings: list[tuple[str, str]]) -> bool:
    """Whether the sizes honour every ``(larger, smaller)`` ordering."""
    return all(sizes[larger] > sizes[smaller] for larger, smaller in orderings)


def _check_orderings(declarations: dict[str, Declaration]) -> None:
    """The size orderings of the thin SVDs can all hold at once."""
    orderings = size_orderings(declarations)
    names = sorted({name for pair in orderings for name in pair})
    ranks = range(len(names))
    if not any(
        satisfies(dict(zip(names, order, strict=True)), orderings)
        for order in itertools.permutations(ranks)
    ):
        asked = ", ".join(f"{larger} > {smaller}" for larger, smaller in orderings)
        raise AuthorError(
            f"the shapes of the singular vectors ask for sizes with {asked}, which cannot all "
            "hold (the columns of U and V of a rectangular matrix are its smaller dimension)",
            "give U and V of each rectangular matrix the same smaller dimension, e.g. "
            "'U: matrix m x n', 'V: matrix n x n' for a tall 'X: matrix m x n' (m > n)",
        )


def bound_symbols(declarations: dict[str, Declaration]) -> dict[str, Binding]:
    """The bindings of the bound symbols (eigenvectors, singular vectors), by symbol."""
    return {n: d.binding for n, d in declarations.items() if d.binding is not None}


def without_binding(text: str) -> str:
    """A declaration's text with its binding phrase removed (``vector n`` for an eigenvector)."""
    return ", ".join(part.strip() for part in text.split(",") if not _BINDING.match(part.strip()))


def article(noun: str) -> str:
    """``an eigenvector``, ``a left singular vector``."""
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"
