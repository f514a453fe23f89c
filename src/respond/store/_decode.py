"""The audit trail's JSON back to domain values: the inverse of ``_audit.jsonable``.

Driven by each dataclass's fields and type hints, so a field added to a domain
class is decoded without a change here. JSON holds Decimals as strings (exact),
enums as their values, dates as ISO 8601, tuples as arrays and mappings as
objects; fields that ``jsonable`` leaves out (``compare=False``) and fields
absent from older entries take their defaults. Anything else is refused with
the place it was found (``timepoints[1].timepoint.date``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TypeVar, cast

from respond.criteria import CriteriaError

T = TypeVar("T")

_NONE = type(None)


class DecodeError(ValueError):
    """JSON that is not the value its type hint asks for; ``where`` is the place."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where or '(root)'}: {problem}")
        self.where = where


def from_jsonable(cls: type[T], data: object) -> T:
    """Return the ``cls`` that ``jsonable`` turned into ``data``.

    Parameters
    ----------
    cls
        A dataclass (or another type the decoder knows: str, int, float, bool,
        Decimal, an Enum, a date).
    data
        Plain JSON values, as ``json.loads`` returns them.

    Returns
    -------
    T
        The value; ``from_jsonable(type(v), json.loads(to_json(v))) == v``.

    Raises
    ------
    DecodeError
        ``data`` does not fit ``cls`` (the message names the place).
    """
    return cast("T", _decode(cls, data, ""))


@functools.cache
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


def _decode(hint: object, data: object, where: str) -> object:
    supertype = getattr(hint, "__supertype__", None)
    if supertype is not None:  # a NewType
        return _decode(supertype, data, where)
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _union(typing.get_args(hint), data, where)
    if origin is tuple:
        return _tuple(typing.get_args(hint), data, where)
    if origin in (Mapping, dict):
        key_hint, value_hint = typing.get_args(hint)
        items = _expect(dict, data, where, "an object")
        return {
            _decode(key_hint, key, where): _decode(value_hint, value, f"{where}.{key}")
            for key, value in items.items()
        }
    if origin is not None:
        raise DecodeError(where, f"cannot decode a {hint}")
    if not isinstance(hint, type):
        raise DecodeError(where, f"cannot decode a {hint!r}")
    if dataclasses.is_dataclass(hint):
        return _dataclass(hint, data, where)
    return _scalar(hint, data, where)


def _scalar(hint: type, data: object, where: str) -> object:  # noqa: C901
    if issubclass(hint, Enum):
        try:
            return hint(data)
        except ValueError as exc:
            raise DecodeError(where, f"{data!r} is not a {hint.__name__}") from exc
    if hint is bool:
        return _expect(bool, data, where, "true or false")
    if hint is int:
        if isinstance(data, bool):
            raise DecodeError(where, f"expected an integer, got {data!r}")
        return _expect(int, data, where, "an integer")
    if hint is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise DecodeError(where, f"expected a number, got {data!r}")
        return float(data)
    if hint is str:
        return _expect(str, data, where, "a string")
    if hint is Decimal:
        text = _expect(str, data, where, "a decimal number as a string")
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise DecodeError(where, f"{text!r} is not a decimal number") from exc
    if hint is dt.date:
        text = _expect(str, data, where, "an ISO date")
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise DecodeError(where, f"{text!r} is not an ISO date") from exc
    raise DecodeError(where, f"cannot decode a {hint.__name__}")


def _expect(kind: type[T], data: object, where: str, what: str) -> T:
    if not isinstance(data, kind):
        raise DecodeError(where, f"expected {what}, got {data!r}")
    return data


def _union(options: tuple[object, ...], data: object, where: str) -> object:
    if data is None:
        if _NONE in options:
            return None
        raise DecodeError(where, "a value is required, got null")
    failures = []
    for option in options:
        if option is _NONE:
            continue
        try:
            return _decode(option, data, where)
        except DecodeError as exc:
            failures.append(str(exc))
    raise DecodeError(where, "; ".join(failures) or f"cannot decode {data!r}")


def _tuple(args: tuple[object, ...], data: object, where: str) -> tuple[object, ...]:
    items = _expect(list, data, where, "an array")
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_decode(args[0], v, f"{where}[{i}]") for i, v in enumerate(items))
    if len(items) != len(args):
        raise DecodeError(where, f"expected {len(args)} items, got {len(items)}")
    return tuple(
        _decode(arg, v, f"{where}[{i}]")
        for i, (arg, v) in enumerate(zip(args, items, strict=True))
    )


def _dataclass(cls: type, data: object, where: str) -> object:
    items = _expect(dict, data, where, f"an object ({cls.__name__})")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(items) - set(fields))
    if unknown:
        raise DecodeError(where, f"{cls.__name__} has no field {unknown[0]!r}")
    hints = _hints(cls)
    values: dict[str, object] = {}
    for name, field in fields.items():
        place = f"{where}.{name}" if where else name
        if name in items:
            values[name] = _decode(hints[name], items[name], place)
        elif (
            field.default is dataclasses.MISSING
            and field.default_factory is dataclasses.MISSING
        ):
            raise DecodeError(place, f"{cls.__name__}.{name} is missing")
    try:
        return cls(**values)
    except (ValueError, TypeError, CriteriaError) as exc:
        raise DecodeError(where, f"not a valid {cls.__name__}: {exc}") from exc
