"""Generic, safe conversion of the engine's result dataclasses to JSON text and back.

The cache stores :class:`~matrixcheck.check.IdentityResult` objects. Rather than a hand-written
schema that would have to follow every field someone adds, the codec walks dataclasses by their
fields: a new field of a result is stored and restored without any code here. Only dataclasses
defined in this package can be rebuilt (never an arbitrary class named in a file), and anything the
codec does not know raises :class:`CodecError`, so a result it cannot store faithfully is simply
not cached.

Every value becomes a scalar or a one-key object naming its type: ``{"L": [...]}`` a list,
``{"T": [...]}`` a tuple, ``{"S": [...]}`` a frozenset, ``{"D": [[k, v], ...]}`` a dict,
``{"Q": "p/q"}`` a fraction, ``{"C": "module:Class", "F": {...}}`` a dataclass.
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

#: Applied to every dataclass instance on its way in or out (the cache relocates line numbers).
Transform = Callable[[object], object]


class CodecError(ValueError):
    """A value the codec cannot store, or a stored text it cannot trust to rebuild."""


def _same(value: object) -> object:
    return value


def dumps(value: object, transform: Transform = _same) -> str:
    """Canonical JSON text of ``value`` (same value, same text)."""
    return json.dumps(encode(value, transform), sort_keys=True, separators=(",", ":"))


def loads(text: str, transform: Transform = _same) -> object:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise CodecError(f"not valid JSON: {error}") from error
    return decode(data, transform)


def encode(value: object, transform: Transform = _same) -> object:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Fraction):
        return {"Q": str(value)}
    if isinstance(value, list):
        return {"L": [encode(item, transform) for item in value]}
    if isinstance(value, tuple) and not dataclasses.is_dataclass(value):
        return {"T": [encode(item, transform) for item in value]}
    if isinstance(value, frozenset):
        items = [encode(item, transform) for item in value]
        return {"S": sorted(items, key=lambda item: json.dumps(item, sort_keys=True))}
    if isinstance(value, dict):
        return {"D": [[encode(k, transform), encode(v, transform)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = transform(value)
        cls = type(value)
        if not cls.__module__.startswith(f"{PACKAGE}."):
            raise CodecError(f"{cls.__module__}.{cls.__qualname__} is not a {PACKAGE} dataclass")
        fields = {
            f.name: encode(getattr(value, f.name), transform) for f in dataclasses.fields(value)
        }
        return {"C": f"{cls.__module__}:{cls.__qualname__}", "F": fields}
    raise CodecError(f"cannot store a value of type {type(value).__name__}")


def decode(data: object, transform: Transform = _same) -> object:
    if type(data) in SCALARS:
        return data
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise CodecError(f"unexpected stored value {str(data)[:60]}")
    if "Q" in data:
        try:
            return Fraction(_text(data["Q"]))
        except (ValueError, ZeroDivisionError) as error:
            raise CodecError(f"not a fraction: {error}") from error
    if "L" in data:
        return _decoded(data["L"], transform)
    if "T" in data:
        return tuple(_decoded(data["T"], transform))
    if "S" in data:
        return frozenset(_decoded(data["S"], transform))
    if "D" in data:
        pairs = [_decoded(pair, transform) for pair in _items(data["D"])]
        if any(len(pair) != 2 for pair in pairs):
            raise CodecError("a stored dict entry is not a pair")
        return dict(pairs)
    if "C" in data and isinstance(data.get("F"), dict):
        return transform(_rebuild(_text(data["C"]), data["F"], transform))
    raise CodecError(f"unexpected stored value {str(data)[:60]}")


def _decoded(data: object, transform: Transform) -> list:
    """The items of a stored sequence, decoded (scalars as they are, without a call)."""
    return [item if type(item) in SCALARS else decode(item, transform) for item in _items(data)]


def _rebuild(name: str, stored: dict, transform: Transform) -> object:
    """An instance of a dataclass of this package, fields set exactly as stored."""
    cls, names = _dataclass(name)
    if stored.keys() != names:
        raise CodecError(f"{name} has fields {sorted(names)}, the stored value {sorted(stored)}")
    instance = cls.__new__(cls)
    for key, value in stored.items():
        object.__setattr__(
            instance, key, value if type(value) in SCALARS else decode(value, transform)
        )
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
    return cls, frozenset(f.name for f in dataclasses.fields(cls))


def _items(data: object) -> list:
    if not isinstance(data, list):
        raise CodecError("a stored sequence is not a list")
    return data


def _text(data: object) -> str:
    if not isinstance(data, str):
        raise CodecError("a stored name or number is not a string")
    return data
