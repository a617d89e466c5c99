"""Generic, safe conversion of the engine's result dataclasses to JSON text and back.

The cache stores :class:`~matrixcheck.check.IdentityResult` objects. Rather than a hand-written
schema that would have to follow every field someone adds, the codec walks dataclasses by their
fields: a new field of a result is stored and restored without any code here. Only dataclasses
defined in this package can be rebuilt (never an arbitrary class named in a file), and anything the
codec does not know raises :class:`CodecError`, so a result it cannot store faithfully is simply
not cached.

Every value becomes a scalar, a list (a JSON array), a dataclass as the object
``{"@": "module:Class", "field": value, ...}`` (its fields in sorted order, after the class), or a
one-key object naming its type: ``{"T": [...]}`` a tuple, ``{"S": [...]}`` a frozenset,
``{"D": [k, v, ...]}`` a dict, ``{"Q": "p/q"}`` a fraction. Reading is done by the JSON parser
itself, which hands each object to :meth:`Reader._value` as soon as it is parsed, inner ones
first; any other object is an error.
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
#: The key naming a dataclass; it sorts before every field name.
CLASS = "@"

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
    return Reader().loads(text, transform)


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
    name, layout = _stored_name(type(value))
    stored = {CLASS: name}
    for field in layout[1:]:
        stored[field] = encode(getattr(value, field), transform)
    return stored


@functools.cache
def _plain_dataclass(cls: type) -> bool:
    """Whether ``cls`` is a dataclass that none of the tests before that in
    :func:`_encode_other` takes for something else (a dataclass deriving from a scalar or a
    container)."""
    containers = (bool, int, float, str, Fraction, list, frozenset, dict)
    return dataclasses.is_dataclass(cls) and not issubclass(cls, containers)


@functools.cache
def _stored_name(cls: type) -> tuple[str, tuple[str, ...]]:
    """``module:Class`` of a dataclass of this package, and the keys of its stored object."""
    if not cls.__module__.startswith(f"{PACKAGE}."):
        raise CodecError(f"{cls.__module__}.{cls.__qualname__} is not a {PACKAGE} dataclass")
    names = sorted(f.name for f in dataclasses.fields(cls))
    return f"{cls.__module__}:{cls.__qualname__}", (CLASS, *names)


class Reader:
    """Reads stored texts back (:func:`loads`); one reader reads many texts with the same JSON
    decoder, which costs as much to make as a short text does to read."""

    def __init__(self) -> None:
        self._transform: Transform = _same
        self._decoder = json.JSONDecoder(object_hook=self._value)

    def loads(self, text: str, transform: Transform = _same) -> object:
        self._transform = transform
        try:
            return self._decoder.decode(text)
        except CodecError:
            raise
        except (ValueError, RecursionError) as error:
            raise CodecError(f"not valid JSON: {error}") from error

    def _value(self, data: dict) -> object:
        """The value a parsed JSON object stands for (its inner objects are already values)."""
        name = data.get(CLASS)
        if type(name) is str:
            build, layout = _dataclass(name)
            if tuple(data) != layout:
                raise CodecError(f"{name} has the fields {list(layout[1:])}, not {list(data)[1:]}")
            del data[CLASS]
            return self._transform(build(**data))
        if len(data) == 1:
            ((tag, items),) = data.items()
            if type(items) is list:
                try:
                    if tag == "D" and not len(items) % 2:
                        pairs = iter(items)
                        return dict(zip(pairs, pairs))  # noqa: B905 - an even number of items
                    if tag == "T":
                        return tuple(items)
                    if tag == "S":
                        return frozenset(items)
                except TypeError as error:
                    raise CodecError(
                        f"a stored key or set item is not hashable: {error}"
                    ) from error
            elif tag == "Q" and type(items) is str:
                try:
                    return Fraction(items)
                except (ValueError, ZeroDivisionError) as error:
                    raise CodecError(f"not a fraction: {error}") from error
        raise CodecError(f"unexpected stored value {str(data)[:60]}")


@functools.cache
def _dataclass(name: str) -> tuple[Callable[..., object], tuple[str, ...]]:
    """What builds an instance of the dataclass of this package that ``module:Class`` names from
    its fields (:func:`_builder`), and its stored keys."""
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
        raise CodecError(f"{name} has slots and cannot be rebuilt from its fields")
    return _builder(cls), _stored_name(cls)[1]


def _builder(cls: type) -> Callable[..., object]:
    """``cls`` itself when its ``__init__`` only sets the fields it is given (the generated one,
    taking every field, with no ``__post_init__``); else a function that sets them one by one.

    Either way the instance keeps its attributes as Python lays them out for ``__init__``, which
    the pages rendered from it read faster than attributes of a dictionary set as a whole.
    """
    fields = dataclasses.fields(cls)
    if (
        cls.__dataclass_params__.init
        and all(f.init for f in fields)
        and not hasattr(cls, "__post_init__")
    ):
        return cls

    def build(**stored: object) -> object:
        instance = cls.__new__(cls)
        for field, value in stored.items():
            object.__setattr__(instance, field, value)
        return instance

    return build
