"""Generic, safe conversion of the engine's result dataclasses to JSON text and back.

The cache stores :class:`~matrixcheck.check.IdentityResult` objects. Rather than a hand-written
schema that would have to follow every field someone adds, the codec walks dataclasses by their
fields: a new field of a result is stored and restored without any code here. Only dataclasses
defined in this package can be rebuilt (never an arbitrary class named in a file), and anything the
codec does not know raises :class:`CodecError`, so a result it cannot store faithfully is simply
not cached.

Every value becomes a scalar, a list (a JSON array) or a one-key object naming its type:
``{"T": [...]}`` a tuple, ``{"S": [...]}`` a frozenset, ``{"D": [k, v, ...]}`` a dict,
``{"Q": "p/q"}`` a fraction, ``{"C": "module:Class(a,b)", "F": [a, b]}`` a dataclass (the names
of its fields, sorted, then their values in that order: the names are checked against the class
once per text, not once per object). Reading is done by the JSON parser itself, which hands each
object to :func:`_Reader.value` as soon as it is parsed, inner ones first; any other object is an
error.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import re
from collections.abc import Callable, Iterable
from fractions import Fraction

PACKAGE = __name__.rsplit(".", 1)[0]
#: The JSON scalars, stored as they are (exact types: a subclass is not what JSON reads back).
SCALARS = frozenset({type(None), bool, int, float, str})
#: How a dataclass is named in a stored text: ``module:Class(field,field,...)``.
STORED_NAME = re.compile(r"(?P<module>[\w.]+):(?P<qualname>\w+)\((?P<fields>[\w,]*)\)")

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
    try:
        return json.loads(text, object_hook=_Reader(transform).value)
    except CodecError:
        raise
    except (ValueError, RecursionError) as error:
        raise CodecError(f"not valid JSON: {error}") from error


def encode(value: object, transform: Transform = _same) -> object:
    kind = type(value)
    if kind in SCALARS:
        return value
    if kind is list:
        return [item if type(item) in SCALARS else encode(item, transform) for item in value]
    if kind is dict:
        return _encode_dict(value, transform)
    if _plain_dataclass(kind):
        return _encode_dataclass(value, transform)
    return _encode_other(value, transform)


def _encode_other(value: object, transform: Transform) -> object:
    """:func:`encode` of what is not a plain scalar, list, dict or dataclass."""
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
        return _encode_dict(value, transform)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encode_dataclass(value, transform)
    raise CodecError(f"cannot store a value of type {type(value).__name__}")


def _encode_dict(value: dict, transform: Transform) -> dict:
    return {"D": [encode(item, transform) for pair in value.items() for item in pair]}


def _encode_dataclass(value: object, transform: Transform) -> dict:
    value = transform(value)
    name, names = _stored_name(type(value))
    return {"C": name, "F": [encode(getattr(value, n), transform) for n in names]}


@functools.cache
def _plain_dataclass(cls: type) -> bool:
    """Whether ``cls`` is a dataclass that none of the tests before that in
    :func:`_encode_other` takes for something else (a dataclass deriving from a scalar or a
    container)."""
    containers = (bool, int, float, str, Fraction, list, frozenset, dict)
    return dataclasses.is_dataclass(cls) and not issubclass(cls, containers)


@functools.cache
def _stored_name(cls: type) -> tuple[str, tuple[str, ...]]:
    """``module:Class(field,...)`` of a dataclass of this package, and its field names, sorted."""
    if not cls.__module__.startswith(f"{PACKAGE}."):
        raise CodecError(f"{cls.__module__}.{cls.__qualname__} is not a {PACKAGE} dataclass")
    names = tuple(sorted(f.name for f in dataclasses.fields(cls)))
    return f"{cls.__module__}:{cls.__qualname__}({','.join(names)})", names


class _Reader:
    """Turns each parsed JSON object into the value it stands for (see the module's docstring)."""

    def __init__(self, transform: Transform) -> None:
        self.transform = transform

    def value(self, data: dict) -> object:
        if len(data) == 2:
            name, values = data.get("C"), data.get("F")
            if type(name) is str and type(values) is list:
                cls, names = _dataclass(name)
                if len(values) != len(names):
                    raise CodecError(
                        f"{name} has {len(names)} fields, the stored value {len(values)}"
                    )
                instance = cls.__new__(cls)
                object.__setattr__(instance, "__dict__", dict(zip(names, values, strict=False)))
                return self.transform(instance)
        elif len(data) == 1:
            ((tag, value),) = data.items()
            if tag == "T" and type(value) is list:
                return tuple(value)
            if tag == "D" and type(value) is list and len(value) % 2 == 0:
                pairs = iter(value)
                return _hashed(dict, zip(pairs, pairs, strict=False))
            if tag == "S" and type(value) is list:
                return _hashed(frozenset, value)
            if tag == "Q" and type(value) is str:
                try:
                    return Fraction(value)
                except (ValueError, ZeroDivisionError) as error:
                    raise CodecError(f"not a fraction: {error}") from error
        raise CodecError(f"unexpected stored value {str(data)[:60]}")


def _hashed(build: Callable[[Iterable], object], items: Iterable) -> object:
    try:
        return build(items)
    except TypeError as error:
        raise CodecError(f"a stored key or set item is not hashable: {error}") from error


@functools.cache
def _dataclass(name: str) -> tuple[type, tuple[str, ...]]:
    """The dataclass of this package that ``module:Class(field,...)`` names (with exactly those
    fields), and its field names."""
    match = STORED_NAME.fullmatch(name)
    if match is None or not match["module"].startswith(f"{PACKAGE}."):
        raise CodecError(f"{name} is not a {PACKAGE} dataclass")
    try:
        cls = getattr(importlib.import_module(match["module"]), match["qualname"])
    except (ImportError, AttributeError) as error:
        raise CodecError(f"{name} no longer exists") from error
    if not isinstance(cls, type) or not dataclasses.is_dataclass(cls):
        raise CodecError(f"{name} is not a dataclass")
    if "__slots__" in vars(cls):
        raise CodecError(f"{name} has slots and cannot be rebuilt from its fields")
    stored, names = _stored_name(cls)
    if stored != name:
        raise CodecError(f"{name} does not have the fields of {stored}")
    return cls, names
