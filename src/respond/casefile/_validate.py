"""Check a case document against ``respond-case/1``.

Two steps. First the JSON Schema (``resources/schema/respond-case-1.schema.json``),
whose errors are reworded into plain messages. Then, only if the schema passes,
the cross-reference checks a schema cannot express (ids, roles, dates in order,
the baseline, merged lesions, sums). Every problem found is reported at once,
in document order, each with its JSON path.
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
from typing import TYPE_CHECKING, Any, Final, cast

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.validators import extend

from respond.assets import read_text
from respond.casefile.errors import CaseFormatError, Problem

if TYPE_CHECKING:
    from jsonschema import TypeChecker
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

__all__ = ["MAX_PROBLEMS", "validate_case"]

MAX_PROBLEMS: Final = 50
"""At most this many problems are listed; the rest are counted."""

_SCHEMA_FILE: Final = ("schema", "respond-case-1.schema.json")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_PLAIN_KEY: Final = re.compile(r"[A-Za-z0-9_+-]+\Z")
_NOT_MEASURABLE: Final = ("ascites", "pleural_effusion", "portal_vein_thrombus")
_DEFAULT_CRITERIA: Final = ("RECIST1.1", "mRECIST")
_CHILD_PUGH: Final = (("A", 5, 6), ("B", 7, 9), ("C", 10, 15))
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

# The JSON documents are arbitrary by nature; the schema has vouched for their
# shape by the time the cross-reference checks index into them.
_Json = Any
_Path = tuple[str | int, ...]
_Found = tuple[_Path, str]


def validate_case(doc: object) -> None:
    """Check that a parsed case document follows ``respond-case/1``.

    Parameters
    ----------
    doc : object
        The parsed JSON document, as ``json.loads`` returns it; numbers may be
        ``int``, ``float`` or ``decimal.Decimal`` (``parse_float=Decimal``).

    Raises
    ------
    CaseFormatError
        If the document breaks the format. It lists every problem found, in
        document order, each with its JSON path (at most `MAX_PROBLEMS`; the
        rest are counted). Cross-reference checks run only once the document
        matches the JSON Schema.
    """
    errors = _validator().iter_errors(cast("_Json", doc))
    found = [item for error in errors for item in _reword(error)]
    if not found:
        found = list(_cross_references(doc))
    if found:
        raise _format_error(doc, found)


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


@functools.cache
def _validator() -> Validator:
    schema = json.loads(read_text(*_SCHEMA_FILE))
    types = Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"number": _is_number, "integer": _is_integer}
    )
    formats = FormatChecker(formats=())
    formats.checks("date")(_is_iso_date)
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
    if keyword == "format":
        return f"must be a real calendar date written YYYY-MM-DD, got {got}"
    if keyword in ("minItems", "maxItems"):
        return _count_text(schema, len(_instance(error)))
    if keyword == "uniqueItems":
        return f"must not list {_show(_first_repeat(_instance(error)))} twice"
    if keyword == "minLength":
        return "must not be empty"
    if keyword == "pattern":
        name = error.absolute_path[-1] if error.absolute_path else ""
        wanted = _PATTERN_TEXTS.get(str(name), f"text matching {value}")
        return f"must be {wanted}, got {got}"
    return error.message


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


def _show(value: object) -> str:
    """Render a value as it is written in JSON (``-4``, ``4.95``, ``"12"``)."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a Python {type(value).__name__}, which is not JSON"


# --- cross-reference checks --------------------------------------------------------


def _at(path: _Path, *text: str) -> _Found:
    return path, "".join(text)


def _cross_references(doc: _Json) -> Iterator[_Found]:
    lesions = doc["lesions"]
    first_index: dict[str, int] = {}
    for index, lesion in enumerate(lesions):
        yield from _check_lesion(index, lesion, first_index)
        first_index.setdefault(lesion["id"], index)
    by_id = {lesion_id: lesions[index] for lesion_id, index in first_index.items()}
    settings = doc.get("settings", {})
    criteria = settings.get("criteria", _DEFAULT_CRITERIA)
    primary = settings.get("primary_criterion")
    if primary is not None and primary not in criteria:
        yield _at(
            ("settings", "primary_criterion"),
            f"must be one of the criteria computed ({', '.join(criteria)}), ",
            f"got {_show(primary)}; add it to settings.criteria or choose one of them",
        )
    timepoints = doc["timepoints"]
    yield from _check_dates(timepoints)
    yield from _check_baseline(timepoints[0], by_id)
    for index, timepoint in enumerate(timepoints):
        yield from _check_timepoint(("timepoints", index), timepoint, by_id)


def _check_lesion(index: int, lesion: _Json, first: dict[str, int]) -> Iterator[_Found]:
    path = ("lesions", index)
    lesion_id, kind = lesion["id"], lesion.get("kind")
    if lesion_id in first:
        yield _at(
            (*path, "id"),
            f"lesion id {_show(lesion_id)} is already used by ",
            f"lesions[{first[lesion_id]}]; give each lesion its own id",
        )
    yield from _check_node_kind(path, lesion)
    if lesion["role"] == "target" and kind in _NOT_MEASURABLE:
        yield _at(
            (*path, "role"),
            f'a lesion of kind "{kind}" is not measurable and cannot be a target; ',
            "make it a non_target",
        )


def _check_node_kind(path: _Path, lesion: _Json) -> Iterator[_Found]:
    if lesion.get("kind") == "node" and lesion.get("is_node") is False:
        yield _at(
            (*path, "is_node"),
            'is false but kind is "node"; set is_node to true (or leave it out), ',
            "or change the kind",
        )


def _check_axes(path: _Path, item: _Json) -> Iterator[_Found]:
    short, long = item.get("short_axis_mm"), item.get("long_axis_mm")
    if short is not None and long is not None and short > long:
        yield _at(
            (*path, "short_axis_mm"),
            f"must not be greater than long_axis_mm ({_show(short)} > {_show(long)})",
            "; the short axis is the longest diameter perpendicular to the long axis",
        )


def _check_dates(timepoints: list[_Json]) -> Iterator[_Found]:
    for index in range(1, len(timepoints)):
        before, date = timepoints[index - 1]["date"], timepoints[index]["date"]
        if dt.date.fromisoformat(date) <= dt.date.fromisoformat(before):
            yield _at(
                ("timepoints", index, "date"),
                f"must be after timepoints[{index - 1}].date ({before}), got {date}; ",
                "list the time points in date order, one date per time point",
            )


def _is_nodal(lesion: _Json) -> bool:
    return lesion.get("is_node") is True or lesion.get("kind") == "node"


def _axis(lesion: _Json) -> str:
    return "short_axis_mm" if _is_nodal(lesion) else "long_axis_mm"


def _check_baseline(baseline: _Json, by_id: dict[str, _Json]) -> Iterator[_Found]:
    path: _Path = ("timepoints", 0)
    targets = baseline.get("targets", {})
    for lesion_id, lesion in by_id.items():
        if lesion["role"] != "target":
            continue
        if lesion_id in targets:
            entry_path = (*path, "targets", lesion_id)
            yield from _check_baseline_entry(entry_path, targets[lesion_id], lesion)
        else:
            yield _at(
                (*path, "targets") if "targets" in baseline else path,
                f"target lesion {_show(lesion_id)} has no baseline measurement; ",
                "measure it at baseline or make it a non_target",
            )
    if baseline.get("new_lesions"):
        yield _at(
            (*path, "new_lesions"),
            "must be empty at baseline: a finding seen at baseline is a baseline ",
            "lesion; add it to lesions",
        )


def _check_baseline_entry(path: _Path, entry: _Json, lesion: _Json) -> Iterator[_Found]:
    status = entry.get("status", "measured")
    if status != "measured":
        yield _at(
            (*path, "status"),
            f'must be "measured" at baseline, got {_show(status)}; a target lesion ',
            "needs a baseline measurement (otherwise make it a non_target)",
        )
    split_or_merged = [key for key in ("fragments_mm", "merged_into") if key in entry]
    for key in split_or_merged:
        yield (*path, key), "is not allowed at baseline; measure the lesion as one"
    axis = _axis(lesion)
    if status != "measured" or split_or_merged:
        return
    if axis not in entry:
        which = "a lymph node target" if _is_nodal(lesion) else "a non-nodal target"
        axis_name = axis.removesuffix("_mm").replace("_", " ")
        yield _at(
            path,
            f'required key "{axis}" is missing: {which} is measured by its ',
            f"{axis_name} at baseline",
        )
    elif entry[axis] <= 0:
        yield _at(
            (*path, axis),
            f"must be > 0 at baseline, got {_show(entry[axis])}; ",
            "a target lesion must be measurable at baseline",
        )


def _check_timepoint(
    path: _Path, timepoint: _Json, by_id: dict[str, _Json]
) -> Iterator[_Found]:
    is_baseline = path[-1] == 0
    targets = timepoint.get("targets", {})
    for lesion_id, entry in targets.items():
        where = (*path, "targets", lesion_id)
        lesion = by_id.get(lesion_id)
        if lesion is None or lesion["role"] != "target":
            yield where, _wrong_role(lesion_id, lesion, "target", "non_targets")
            continue
        yield from _check_measurement(where, entry, lesion, is_baseline)
        if "merged_into" in entry and not is_baseline:
            yield from _check_merge(where, targets, by_id)
    for lesion_id in timepoint.get("non_targets", {}):
        lesion = by_id.get(lesion_id)
        if lesion is None or lesion["role"] != "non_target":
            where = (*path, "non_targets", lesion_id)
            yield where, _wrong_role(lesion_id, lesion, "non_target", "targets")
    yield from _check_new_lesions(path, timepoint.get("new_lesions", []), by_id)
    yield from _check_clinical((*path, "clinical"), timepoint.get("clinical", {}))


def _wrong_role(lesion_id: str, lesion: _Json, role: str, other_key: str) -> str:
    if lesion is None:
        return (
            f"no lesion has id {_show(lesion_id)}; add it to lesions (role {role}) "
            "or correct the id"
        )
    return (
        f"{_show(lesion_id)} is a {lesion['role']} lesion; record it under "
        f"{other_key}, or change its role in lesions"
    )


def _check_measurement(
    path: _Path, entry: _Json, lesion: _Json, is_baseline: bool
) -> Iterator[_Found]:
    status = entry.get("status", "measured")
    if "fragments_mm" in entry and "merged_into" in entry:
        yield _at(
            (*path, "merged_into"),
            "cannot be combined with fragments_mm: a lesion either split (give ",
            "fragments_mm) or coalesced with another (give merged_into)",
        )
    for key in ("fragments_mm", "merged_into"):
        if key in entry and status != "measured":
            yield _at(
                (*path, key),
                f'only goes with status "measured", got status {_show(status)}; ',
                f"remove {key} or the status",
            )
    axis = _axis(lesion)
    has_value = any(key in entry for key in (axis, "fragments_mm", "merged_into"))
    if status == "measured" and not has_value and not is_baseline:
        yield _at(
            path,
            f'status "measured" needs {axis}, fragments_mm or merged_into; ',
            "give the measurement, or set status to too_small, absent or not_evaluated",
        )
    yield from _check_axes(path, entry)


def _check_merge(
    path: _Path, targets: _Json, by_id: dict[str, _Json]
) -> Iterator[_Found]:
    where = (*path, "merged_into")
    into = targets[path[-1]]["merged_into"]
    other, other_entry = by_id.get(into), targets.get(into)
    if into == path[-1]:
        yield where, "cannot name the lesion itself; name the target it coalesced with"
    elif other is None or other["role"] != "target":
        why = "no lesion has that id" if other is None else f"a {other['role']}"
        yield where, f"must name a target lesion, got {_show(into)} ({why})"
    elif other_entry is not None and "merged_into" in other_entry:
        yield _at(
            where,
            f"{_show(into)} is itself merged into {_show(other_entry['merged_into'])}",
            "; name the lesion that carries the merged size",
        )
    elif not _has_value(other_entry, other):
        yield _at(
            where,
            f"target {_show(into)} carries the merged size, so it must be measured ",
            f"at this time point with its {_axis(other)}",
        )


def _has_value(entry: _Json, lesion: _Json) -> bool:
    return (
        entry is not None
        and entry.get("status", "measured") == "measured"
        and _axis(lesion) in entry
    )


def _check_new_lesions(
    path: _Path, new_lesions: list[_Json], by_id: dict[str, _Json]
) -> Iterator[_Found]:
    seen: dict[str, int] = {}
    for index, new in enumerate(new_lesions):
        where = (*path, "new_lesions", index)
        new_id = new["id"]
        if new_id in by_id:
            yield _at(
                (*where, "id"),
                f"{_show(new_id)} is the id of a baseline lesion; ",
                "give the new lesion an id of its own",
            )
        elif new_id in seen:
            yield _at(
                (*where, "id"),
                f"new lesion {_show(new_id)} is already listed at this time point ",
                f"(new_lesions[{seen[new_id]}]); list each new lesion once",
            )
        seen.setdefault(new_id, index)
        yield from _check_node_kind(where, new)
        yield from _check_axes(where, new)


def _check_clinical(path: _Path, clinical: _Json) -> Iterator[_Found]:
    if "fhsi8" in clinical and "fhsi8_items" in clinical:
        total = sum(clinical["fhsi8_items"])
        if clinical["fhsi8"] != total:
            yield _at(
                (*path, "fhsi8"),
                f"is {_show(clinical['fhsi8'])} but fhsi8_items add up to ",
                f"{_show(total)}; correct one of them, or give only one",
            )
    child_pugh = clinical.get("child_pugh", "")
    if len(child_pugh) > 1:
        score = int(child_pugh[1:])
        fits = next(name for name, low, high in _CHILD_PUGH if low <= score <= high)
        if fits != child_pugh[0]:
            yield _at(
                (*path, "child_pugh"),
                f"score {score} does not fit class {child_pugh[0]} (A is 5-6, ",
                f'B 7-9, C 10-15), got "{child_pugh}"; did you mean "{fits}{score}"?',
            )


# --- the error -------------------------------------------------------------------


def _format_error(doc: object, found: list[_Found]) -> CaseFormatError:
    unique = list(dict.fromkeys(found))
    unique.sort(key=lambda item: _position(doc, item[0]))
    problems = [Problem(_format_path(path), text) for path, text in unique]
    shown = problems[:MAX_PROBLEMS]
    return CaseFormatError(shown, omitted=len(problems) - len(shown))


def _position(doc: object, path: _Path) -> tuple[int, ...]:
    """Sort key placing a path where it occurs in the document."""
    key = []
    node: object = doc
    for part in path:
        if isinstance(node, Mapping):
            keys = list(node)
            key.append(keys.index(part) if part in node else len(keys))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            key.append(part)
            node = node[part] if 0 <= part < len(node) else None
        else:
            key.append(0)
            node = None
    return tuple(key)


def _format_path(path: _Path) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text or "(root)"
