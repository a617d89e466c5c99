"""Generic, safe conversion of the engine's result dataclasses to JSON text and back.

The cache stores :class:`~matrixcheck.check.IdentityResult` objects. Rather than a hand-written
schema that would have to follow every field someone adds, the codec walks dataclasses by their
fields: a new field of a result is stored and restored without any code here. Only dataclasses
defined in this package can be rebuilt (never an arbitrary class named in a file), and anything the
codec does not know raises :class:`CodecError`, so a result it cannot store faithfully is simply
not cached.

Every value becomes a scalar, a list (a JSON array) or a one-key object naming its type:
``{"T": [...]}`` a tuple, ``{"S": [...]}`` a frozenset, ``{"D": [[k, v], ...]}`` a dict,
``{"Q": "p/q"}`` a fraction, ``{"C": "module:Class", "F": {...}}`` a dataclass (its fields by
name, in sorted order). Reading is done by the JSON parser itself, which hands each object to
:func:`_Reader.tagged` as soon as it is parsed, inner ones first; an object that is not a tagged
value is a dataclass's fields, and must be claimed as such by its enclosing ``{"C": …, "F": …}``.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
from collections.abc import Callable
from fractions import Fraction

PACKAGE = __name__.rsplit(".", 1)[0]
#: The JSON scalars, stored as they are (exact types: a subclass is not what JSON reads back).
SCALARS = frozenset({type(None), bool, int, float, str})
#: The keys of the tagged objects: no dataclass stored here may have a field of these names.
TAGS = frozenset("TSDQCF")

#: Applied to every dataclass instance on its way in or out (the cache relocates line numbers).
Transform = Callable[[object], object]


class CodecError(ValueError):
    """A value the codec cannot store, or a stored text it cannot trust to rebuild."""


def _same(value: object) -> object:
    return value


def dumps(value: object, transform: Transform = _same) -> str:
    """Canonical JSON text of ``value`` (same value, same text)."""
    return json.dumps(encode(value, transform), separators=(",", ":"))


def loads(text: str, transform: Transform = _same) -> object:
    reader = _Reader(transform)
    try:
        data = json.loads(text, object_hook=reader.tagged)
    except CodecError:
        raise
    except (ValueError, RecursionError) as error:
        raise CodecError(f"not valid JSON: {error}") from error
    if reader.unclaimed:
        raise CodecError("a stored object is neither a tagged value nor a dataclass's fields")
    return data


def encode(value: object, transform: Transform = _same) -> object:
    kind = type(value)
    if kind in SCALARS:
        return value
    if kind is list:
        return [item if type(item) in SCALARS else encode(item, transform) for item in value]
    if kind is dict:
        return {"D": [[encode(k, transform), encode(v, transform)] for k, v in value.items()]}
    if _plain_dataclass(kind):
        return _encode_dataclass(value, transform)
    return _encode_other(value, transform)


def _encode_other(value: object, transform: Transform) -> object:
    """:func:`encode` of what is not a plain scalar, list or dict (nor a subclass of those)."""
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Fraction):
        return {"Q": str(value)}
    if isinstance(value, list):
        return [encode(item, transform) for item in value]
    if isinstance(value, tuple) and not dataclasses.is_dataclass(value):
        return {"T": [encode(item, transform) for item in value]}
    if isinstance(value, frozenset):
        items = [encode(item, transform) for item in value]
        return {"S": sorted(items, key=lambda item: json.dumps(item, sort_keys=True))}
    if isinstance(value, dict):
        return {"D": [[encode(k, transform), encode(v, transform)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encode_dataclass(value, transform)
    raise CodecError(f"cannot store a value of type {type(value).__name__}")


def _encode_dataclass(value: object, transform: Transform) -> dict:
    value = transform(value)
    name, names = _stored_name(type(value))
    return {"C": name, "F": {n: encode(getattr(value, n), transform) for n in names}}


@functools.cache
def _plain_dataclass(cls: type) -> bool:
    """Whether instances of ``cls`` are stored as a dataclass, without any of the tests before
    that in :func:`_encode_other` applying (a dataclass deriving from a scalar or a container)."""
    containers = (bool, int, float, str, Fraction, list, frozenset, dict)
    return dataclasses.is_dataclass(cls) and not issubclass(cls, containers)


@functools.cache
def _stored_name(cls: type) -> tuple[str, tuple[str, ...]]:
    """``module:Class`` of a dataclass of this package, and its field names, sorted."""
    if not cls.__module__.startswith(f"{PACKAGE}."):
        raise CodecError(f"{cls.__module__}.{cls.__qualname__} is not a {PACKAGE} dataclass")
    return f"{cls.__module__}:{cls.__qualname__}", tuple(sorted(_field_names(cls)))


def _field_names(cls: type) -> frozenset[str]:
    names = frozenset(f.name for f in dataclasses.fields(cls))
    if names & TAGS:
        raise CodecError(f"{cls.__qualname__} has a field named like a tag ({sorted(TAGS)})")
    return names


class _Fields:
    """A parsed object that is not a tagged value: the fields of the dataclass enclosing it."""

    __slots__ = ("stored",)

    def __init__(self, stored: dict) -> None:
        self.stored = stored


class _Reader:
    """Turns each parsed JSON object into the value it stands for (see the module's docstring).

    ``unclaimed`` counts the field sets no dataclass has claimed: each is one object of the text,
    so a count of zero at the end means none of them is left anywhere in the value.
    """

    def __init__(self, transform: Transform) -> None:
        self.transform = transform
        self.unclaimed = 0

    def tagged(self, data: dict) -> object:
        if len(data) == 1:
            ((tag, value),) = data.items()
            if tag == "T" and type(value) is list:
                return tuple(value)
            if tag == "D" and type(value) is list:
                return _dict(value)
            if tag == "S" and type(value) is list:
                return _hashed(frozenset, value)
            if tag == "Q" and type(value) is str:
                try:
                    return Fraction(value)
                except (ValueError, ZeroDivisionError) as error:
                    raise CodecError(f"not a fraction: {error}") from error
        elif len(data) == 2 and type(data.get("C")) is str and type(data.get("F")) is _Fields:
            self.unclaimed -= 1
            return self.transform(_rebuild(data["C"], data["F"].stored))
        if data.keys() & TAGS:
            raise CodecError(f"unexpected stored value {str(data)[:60]}")
        self.unclaimed += 1
        return _Fields(data)


def _dict(pairs: list) -> dict:
    for pair in pairs:
        if type(pair) is not list or len(pair) != 2:
            raise CodecError("a stored dict entry is not a pair")
    return _hashed(dict, pairs)


def _hashed(build: Callable[[list], object], items: list) -> object:
    try:
        return build(items)
    except TypeError as error:
        raise CodecError(f"a stored key or set item is not hashable: {error}") from error


def _rebuild(name: str, stored: dict) -> object:
    """An instance of a dataclass of this package, fields set exactly as stored."""
    cls, names = _dataclass(name)
    if stored.keys() != names:
        raise CodecError(f"{name} has fields {sorted(names)}, the stored value {sorted(stored)}")
    instance = cls.__new__(cls)
    vars(instance).update(stored)
    return instance


@functools.cache
def _dataclass(name: str) -> tuple[type, frozenset[str]]:
    """The dataclass ``module:Class`` of this package, and its field names."""
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(f"{PACKAGE}.") or not qualname.isidentifier():
        raise CodecError(f"{name} is not a {PACKAGE} dataclass")
    try:
        cls = getattr(importlib.import_module(module_name), qualname)
    except (ImportError, AttributeError) as error:
        raise CodecError(f"{name} no longer exists") from error
    if not isinstance(cls, type) or not dataclasses.is_dataclass(cls):
        raise CodecError(f"{name} is not a dataclass")
    if "__slots__" in vars(cls):
        raise CodecError(f"{name} has slots and cannot be rebuilt field by field")
    return cls, _field_names(cls)
