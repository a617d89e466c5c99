"""Reads the YAML options of an identity block (``id:``, ``layout:``, ``symbols:`` …).

Options are YAML, read as ``yaml.safe_load`` reads them, except that a key given twice is an error
(YAML would silently keep the last one). Nearly every block is written in one simple form, though:
``key: value`` lines, and ``key:`` followed by indented ``name: value`` lines, each value a single
plain or quoted word or phrase. Those are read here directly, as YAML reads them: each plain key
and value is resolved by PyYAML's own rules (which tell ``69`` from ``yes`` from ``x``), a value is
kept only when those make it a string or a plain decimal integer, and anything else (escapes,
brackets, comments, other scalars, odd indentation, a repeated key) leaves the whole text to
PyYAML.
That is about ten times faster than even libyaml's loader, whose constructor runs in Python.
"""

from __future__ import annotations

import re

import yaml

#: One line of the simple form: an optional indent, a key, and a value unless it opens a nested
#: mapping. The value is quoted (``"…"`` without ``"`` or ``\\`` in it, or ``'…'`` without ``'``)
#: or plain: a plain value holds no ``#``, tab, ``: `` or final ``:``, and does not start with a
#: YAML indicator (checked in :func:`_scalar`); surrounding spaces are not part of it, as in YAML.
SIMPLE_LINE = re.compile(
    r"(?P<indent> *)(?P<key>[A-Za-z_][A-Za-z0-9_]*):"
    r"(?: +(?:\"(?P<double>[^\"\\]*)\"|'(?P<single>[^']*)'|(?P<plain>(?:[^:#\t]|:(?! |$))*?)))? *"
)
INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
DECIMAL = re.compile(r"[1-9][0-9]*|0")
INT_TAG = "tag:yaml.org,2002:int"
#: What a line ending in its key's colon holds: the mapping on the lines below it.
NESTED = object()


def read_options(text: str) -> object:
    """The options ``text`` holds, as ``yaml.safe_load`` reads it but refusing a repeated key."""
    simple = _simple(text)
    return simple if simple is not None else _safe_yaml(text)


def _simple(text: str) -> dict | None:
    """The mapping of a text in the simple form, or None if it is not in that form."""
    options: dict[str, object] = {}
    nested: dict[str, object] | None = None
    indent = ""
    for line in text.split("\n"):
        match = SIMPLE_LINE.fullmatch(line)
        if match is None or _scalar(match["key"]) != match["key"]:
            return None
        key, value = match["key"], _value(match)
        if value is None:
            return None
        if match["indent"]:
            if nested is None or value is NESTED or (nested and match["indent"] != indent):
                return None
            indent, target = match["indent"], nested
        else:
            if nested == {}:
                return None  # ``key:`` with nothing below it is YAML's null
            nested, target = None, options
            if value is NESTED:
                if key in options:
                    return None
                nested = options[key] = {}
                continue
        if key in target:
            return None
        target[key] = value
    return None if nested == {} else options


def _value(match: re.Match) -> object:
    """The value of a line: :data:`NESTED` if it has none, None if it is not a simple one."""
    quoted = match["double"] if match["double"] is not None else match["single"]
    if quoted is not None:
        return quoted if quoted.isprintable() else None  # a quoted scalar is always a string
    return NESTED if match["plain"] is None else _scalar(match["plain"])


def _scalar(text: str) -> str | int | None:
    """A plain scalar as YAML reads it, if that is a string or a decimal integer (else None)."""
    if (
        not text
        or text[0] in INDICATORS
        or not text.isprintable()
        or _FastLoader.yaml_path_resolvers
    ):
        return None
    resolvers = _FastLoader.yaml_implicit_resolvers
    for tag, pattern in resolvers.get(text[0], []) + resolvers.get(None, []):
        if pattern.match(text):
            return int(text) if tag == INT_TAG and DECIMAL.fullmatch(text) else None
    return text


def _safe_yaml(text: str) -> object:
    """``yaml.safe_load`` that refuses a key given twice, with libyaml's loader when PyYAML has it
    (ten times faster).

    Invalid YAML is read again by the pure-Python loader, so that authors get its messages.
    """
    try:
        return yaml.load(text, Loader=_FastLoader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=_UniqueKeyLoader)


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    """A mapping whose keys are all different: YAML would silently keep the last of two."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str):
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' is given twice; keep one", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader, refusing duplicate keys."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's safe loader (the pure-Python one without libyaml), refusing duplicate keys."""


#: YAML types beyond text, numbers, booleans, lists and mappings, which no option takes.
REFUSED_TYPES = {
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:set": "a set",
    "tag:yaml.org,2002:binary": "binary data",
    "tag:yaml.org,2002:omap": "an ordered mapping",
    "tag:yaml.org,2002:pairs": "a list of pairs",
}


class RefusedValue(yaml.constructor.ConstructorError):
    """A value YAML reads as a type no option takes (a date, a set, …), and how to fix it."""

    fix = "put the value in quotes to keep it as text, or remove the tag"


def _refused(loader: yaml.SafeLoader, node: yaml.Node) -> None:
    kind = REFUSED_TYPES[node.tag]
    if isinstance(node, yaml.ScalarNode) and not node.style and "!" not in str(node.value):
        what = f"YAML reads '{node.value}' as {kind}"
    else:
        what = f"the value tagged !!{node.tag.rsplit(':', 1)[-1]} is {kind}"
    raise RefusedValue(None, None, f"{what}, which no option takes", node.start_mark)


for _loader in (_UniqueKeyLoader, _FastLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)
    for _tag in REFUSED_TYPES:
        _loader.add_constructor(_tag, _refused)
