"""Step one of the case check: the JSON Schema and its messages.

The schema (``resources/schema/respond-case-1.schema.json``) is loaded once.
Its errors are reworded into plain findings, each a JSON path with a message.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import math
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Final, cast

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.validators import extend

from respond.assets import read_text
from respond.casefile._limits import id_problem
from respond.casefile._paths import _Found, _Json, _Path, _show

if TYPE_CHECKING:
    from jsonschema import TypeChecker
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

__all__ = ["findings_of", "schema_findings", "validator_using_case_defs"]

_SCHEMA_FILE: Final = ("schema", "respond-case-1.schema.json")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_PATTERN_TEXTS: Final = {
    "child_pugh": "a Child-Pugh class with its score, such as A5, B7 or C12, "
    "or a bare class A, B or C",
}
_RANGE_OPERATORS: Final = {
    "minimum": ">=",
    "maximum": "<=",
    "exclusiveMinimum": ">",
    "exclusiveMaximum": "<",
}


def schema_findings(doc: object, part: str | None = None) -> list[_Found]:
    """Check a parsed document against the ``respond-case/1`` JSON Schema.

    Parameters
    ----------
    doc : object
        The parsed JSON document; numbers may be ``int``, ``float`` or
        ``decimal.Decimal``.
    part : str, optional
        Check `doc` against this definition of the schema (``"timepoint"``,
        ``"lesion"``, ... from its ``$defs``) instead of the whole case.

    Returns
    -------
    list of tuple
        One ``(path, text)`` finding per problem, in the order jsonschema
        reports them; empty if the document matches the schema.
    """
    return findings_of(_validator(part), doc)


def validator_using_case_defs(schema: Mapping[str, object]) -> Validator:
    """Return a validator of another schema that may use the case's ``$defs``.

    ``{"$ref": "#/$defs/note"}`` in `schema` refers to the definitions of
    ``respond-case/1``; numbers, dates and ids are checked as in a case file.
    """
    return _make_validator({**schema, "$defs": _case_schema()["$defs"]})


def findings_of(validator: Validator, doc: object) -> list[_Found]:
    """Check a document with `validator`, worded as the problems of a case file."""
    errors = validator.iter_errors(cast("_Json", doc))
    return [item for error in errors for item in _reword(error)]


# --- the JSON Schema -------------------------------------------------------------


def _is_number(checker: TypeChecker, instance: object) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, Decimal):
        return instance.is_finite()
    if isinstance(instance, float):
        return math.isfinite(instance)
    return isinstance(instance, int)


def _is_integer(checker: TypeChecker, instance: object) -> bool:
    if not _is_number(checker, instance):
        return False
    if isinstance(instance, Decimal):
        return instance == instance.to_integral_value()
    if isinstance(instance, float):
        return instance.is_integer()
    return True


def _is_iso_date(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if not _DATE.match(instance):
        return False
    try:
        dt.date.fromisoformat(instance)
    except ValueError:
        return False
    return True


def _is_id(instance: object) -> bool:
    if isinstance(instance, str):
        problem = id_problem(instance)
        if problem is not None:
            raise ValueError(problem)
    return True


@functools.cache
def _case_schema() -> dict[str, _Json]:
    return cast("dict[str, _Json]", json.loads(read_text(*_SCHEMA_FILE)))


@functools.cache
def _validator(part: str | None = None) -> Validator:
    schema = _case_schema()
    if part is not None:
        if part not in schema["$defs"]:
            msg = f"the case schema has no definition {part!r}"
            raise ValueError(msg)
        schema = {"$defs": schema["$defs"], "$ref": f"#/$defs/{part}"}
    return _make_validator(schema)


def _make_validator(schema: Mapping[str, _Json]) -> Validator:
    types = Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"number": _is_number, "integer": _is_integer}
    )
    formats = FormatChecker(formats=())
    formats.checks("date")(_is_iso_date)
    formats.checks("respond-id", raises=ValueError)(_is_id)
    validator_class = extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, type_checker=types
    )
    return cast("Validator", validator_class(schema, format_checker=formats))


# --- rewording jsonschema's errors -----------------------------------------------


def _instance(error: ValidationError) -> _Json:
    return cast("_Json", error.instance)


def _value(error: ValidationError) -> _Json:
    return cast("_Json", error.validator_value)


def _schema(error: ValidationError) -> Mapping[str, _Json]:
    return cast("Mapping[str, _Json]", error.schema)


def _reword(error: ValidationError) -> Iterator[_Found]:
    path: _Path = tuple(error.absolute_path)
    if "propertyNames" in error.absolute_schema_path and isinstance(
        error.instance, str
    ):
        path = (*path, error.instance)  # a key breaks the rules of an id
    keyword = error.validator
    if keyword == "additionalProperties":
        yield from _unknown_keys(error, path)
    elif keyword == "required":
        for key in _value(error):
            if isinstance(error.instance, Mapping) and key not in error.instance:
                yield path, f'required key "{key}" is missing'
    elif keyword in ("anyOf", "oneOf"):
        yield from _alternatives(error, path)
    else:
        yield path, _text(error, str(keyword))


def _unknown_keys(error: ValidationError, path: _Path) -> Iterator[_Found]:
    allowed = list(_schema(error).get("properties", {}))
    for key in _instance(error):
        if key in allowed:
            continue
        text = f"unknown key {_show(key)} (allowed: {', '.join(allowed)})"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        if close:
            text += f'; did you mean "{close[0]}"?'
        yield (*path, key), text


def _alternatives(error: ValidationError, path: _Path) -> Iterator[_Found]:
    """Reword the branch that fits the value's type, or say what would fit."""
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context or []:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [subs for subs in branches.values() if not _wrong_type(subs)]
    if len(fitting) == 1:
        for sub in fitting[0]:
            yield from _reword(sub)
        return
    wanted = [_expected_from(subs) for subs in branches.values()]
    yield path, f"must be {' or '.join(wanted)}, got {_show(error.instance)}"


def _wrong_type(errors: list[ValidationError]) -> bool:
    for error in errors:
        if error.relative_path:
            continue
        if error.validator == "type":
            return True
        if error.validator == "enum" and _json_type(error.instance) not in {
            _json_type(option) for option in _value(error)
        }:
            return True
    return False


def _expected_from(errors: list[ValidationError]) -> str:
    error = errors[0]
    if error.validator == "enum":
        return "one of " + _options(_value(error))
    schema = _schema(error)
    if error.validator == "type" and "properties" in schema:
        return "an object with keys " + ", ".join(schema["properties"])
    return _expected(schema)


def _text(error: ValidationError, keyword: str) -> str:
    schema, value = _schema(error), _value(error)
    got = _show(error.instance)
    if keyword == "type":
        return f"must be {_expected(schema)}, got {got}"
    if keyword in _RANGE_OPERATORS:
        if (
            _types(schema) == ["integer"]
            and "minimum" in schema
            and "maximum" in schema
        ):
            return f"must be {_expected(schema)}, got {got}"
        return f"must be {_RANGE_OPERATORS[keyword]} {_show(value)}, got {got}"
    if keyword == "enum":
        return f"must be one of {_options(value)}, got {got}"
    if keyword == "const":
        return f"must be {_show(value)}, got {got}"
    if keyword == "format" and value == "respond-id":
        return f"{error.cause or 'is not a valid id'}, got {got}"
    if keyword == "format":
        return f"must be a real calendar date written YYYY-MM-DD, got {got}"
    if keyword in ("minItems", "maxItems"):
        return _count_text(schema, len(_instance(error)))
    if keyword == "uniqueItems":
        return f"must not list {_show(_first_repeat(_instance(error)))} twice"
    if keyword in ("minLength", "maxLength"):
        return _length_text(keyword, value, len(_instance(error)))
    if keyword == "pattern":
        name = error.absolute_path[-1] if error.absolute_path else ""
        wanted = _PATTERN_TEXTS.get(str(name), f"text matching {value}")
        return f"must be {wanted}, got {got}"
    return error.message


def _length_text(keyword: str, limit: _Json, length: int) -> str:
    if keyword == "minLength":
        return "must not be empty"
    return f"must be at most {limit} characters long, got {length} characters"


def _count_text(schema: Mapping[str, _Json], count: int) -> str:
    low, high = schema.get("minItems"), schema.get("maxItems")
    if low is not None and low == high:
        return f"must have exactly {low} items, got {count}"
    if low is not None and count < low:
        return "must not be empty" if low == 1 else f"must have at least {low} items"
    return f"must have at most {high} items, got {count}"


def _first_repeat(items: list[_Json]) -> _Json:
    for index, item in enumerate(items):
        if item in items[:index]:
            return item
    return None


def _types(schema: Mapping[str, _Json]) -> list[str]:
    declared = schema.get("type", [])
    return [declared] if isinstance(declared, str) else list(declared)


def _expected(schema: Mapping[str, _Json]) -> str:
    names = {
        "number": "a number",
        "string": "a string",
        "boolean": "true or false",
        "object": "an object",
        "array": "an array",
        "null": "null",
    }
    wanted = []
    for name in _types(schema):
        if name == "integer":
            wanted.append(_integer_range(schema))
        else:
            wanted.append(names.get(name, name))
    return " or ".join(wanted) or "a valid value"


def _integer_range(schema: Mapping[str, _Json]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"an integer from {low} to {high}"
    if low is not None:
        return f"an integer >= {low}"
    return "an integer"


def _options(values: list[_Json]) -> str:
    return ", ".join(
        value if isinstance(value, str) else _show(value) for value in values
    )


def _json_type(value: object) -> str:
    if value is None or isinstance(value, bool):
        return "null" if value is None else "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, Mapping) else "array"
