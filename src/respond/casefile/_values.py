"""The case file's value checks, applied to the engine's objects before they are kept.

A value the engine cannot compute must never be stored. What the app writes is
checked with the very rules that check a case file: each object is written as
its part of a ``respond-case/1`` document and that part is checked against the
same JSON Schema definition, after the same safety checks (number limits, no
lone surrogate). The cross-reference checks are left out, because a read being
edited is allowed to be incomplete (no baseline yet, a target not yet measured).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Final, cast

from respond.casefile._case_writer import ExactNumber, part_document, whole_document
from respond.casefile._limits import MAX_ID_LENGTH, content_findings
from respond.casefile._schema_messages import (
    findings_of,
    schema_findings,
    validator_using_case_defs,
)
from respond.casefile._validate import format_error
from respond.criteria import (
    Case,
    Clinical,
    Lesion,
    NewLesion,
    NonTargetObservation,
    Patient,
    PatientRead,
    Settings,
    TargetMeasurement,
    TimePoint,
    TimePointRecord,
)

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

    from respond.casefile._paths import _Found
    from respond.casefile._writer import JsonValue
    from respond.criteria import Caliper, Decision

__all__ = ["EngineValue", "check_values"]

EngineValue = (
    PatientRead
    | Case
    | TimePointRecord
    | TimePoint
    | Patient
    | Settings
    | Lesion
    | TargetMeasurement
    | NonTargetObservation
    | NewLesion
    | Clinical
)
"""What :func:`check_values` checks."""

_UID: Final = {"type": "string", "maxLength": MAX_ID_LENGTH}
_STAMP: Final = {"type": "string", "maxLength": 64}
_COORDINATE: Final = {"type": "number", "minimum": -1_000_000, "maximum": 1_000_000}
_CALIPER: Final = {
    "type": "object",
    "properties": {
        "start_mm": {"type": "array", "items": _COORDINATE},
        "end_mm": {"type": "array", "items": _COORDINATE},
        "series_uid": _UID,
        "sop_instance_uid": _UID,
        "frame": {"type": ["integer", "null"], "minimum": 0, "maximum": 100_000},
        "index": {"type": "integer", "minimum": 0, "maximum": 100},
    },
}
_RECORD: Final = {
    "type": "object",
    "properties": {
        "uid": _UID,
        "study_uid": _UID,
        "series_uid": _UID,
        "signed_by": {"$ref": "#/$defs/name"},
        "signed_at": _STAMP,
        "new_lesion_uids": {
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/id"},
            "additionalProperties": _UID,
        },
        "calipers": {
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/id"},
            "additionalProperties": {"type": "array", "items": _CALIPER},
        },
        "decision": {
            "type": ["object", "null"],
            "properties": {
                "recommended_dose": {"enum": [0, -1, -2, None]},
                "dose_level": {"enum": [0, -1, -2, None]},
                "reason": {"$ref": "#/$defs/note"},
                "decided_by": {"$ref": "#/$defs/name"},
                "decided_at": _STAMP,
            },
        },
    },
}
_READ_EXTRAS: Final = {
    "type": "object",
    "properties": {
        "tracking_uids": {
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/id"},
            "additionalProperties": _UID,
        },
        "timepoints": {"type": "array", "items": _RECORD},
    },
}
_RECORD_WITH_TIMEPOINT: Final = {
    **_RECORD,
    "properties": {
        "timepoint": {"$ref": "#/$defs/timepoint"},
        **_RECORD["properties"],  # type: ignore[dict-item]
    },
}


def check_values(value: EngineValue) -> None:
    r"""Refuse a value that a case file could not hold, before it is stored.

    The same limits as for a case file: every number within its documented
    range and respond's digit limits (a finite length from 0 to 1000 mm, days
    from 0 to 36,500, ...), ids of at most 64 printable characters without
    ``/``, ``\\`` or a leading ``.``, labels, names, organs, sites and notes
    within their lengths, no lone surrogate in any text. For a
    :class:`~respond.criteria.TimePointRecord` (and each one of a
    :class:`~respond.criteria.PatientRead`) also its uids (at most 64
    characters), sign-off and decision (the reason at most 4000 characters)
    and calipers (finite coordinates within 1 km of the origin).

    Completeness is not checked: a read without time points or lesions, or a
    target not measured at baseline, passes.

    Parameters
    ----------
    value
        A whole read or case, a time point (with or without its record), or one
        part: patient, settings, lesion, measurement, observation, new lesion or
        clinical status.

    Raises
    ------
    CaseFormatError
        One problem per value out of bounds, each with its path as in a case
        file (``timepoints[1].targets.T1.long_axis_mm: must be <= 1000, got
        1E+3000``); paths of a part start inside the part.
    TypeError
        `value` is none of these.
    """
    doc, found = _findings(value)
    if found:
        raise format_error(doc, found)


def _findings(value: object) -> tuple[object, list[_Found]]:
    if isinstance(value, PatientRead | Case):
        return _whole(value)
    if isinstance(value, TimePointRecord):
        record = {"timepoint": _timepoint(value.timepoint), **_record_extras(value)}
        return record, _checked(record, _validator("record"))
    part = part_document(value)
    if part is None:
        msg = f"check_values() takes a read, a case or one of its parts, not {value!r}"
        raise TypeError(msg)
    name, written = part
    doc = _exact(written)
    return doc, content_findings(doc) or schema_findings(doc, name)


def _whole(value: PatientRead | Case) -> tuple[object, list[_Found]]:
    timepoints = [
        tp.timepoint if isinstance(tp, TimePointRecord) else tp
        for tp in value.timepoints
    ]
    doc = _exact(
        whole_document(
            value.patient, value.reader, value.settings, value.lesions, timepoints
        )
    )
    found = [
        item
        for item in content_findings(doc) or schema_findings(doc)
        # a read being edited may have no lesion or time point yet
        if not (item[0] in (("lesions",), ("timepoints",)) and "empty" in item[1])
    ]
    if isinstance(value, PatientRead):
        extras = {
            "tracking_uids": dict(value.tracking_uids),
            "timepoints": [_record_extras(record) for record in value.timepoints],
        }
        found += _checked(extras, _validator("read"))
    return doc, found


def _timepoint(timepoint: TimePoint) -> object:
    name_and_doc = part_document(timepoint)
    return None if name_and_doc is None else _exact(name_and_doc[1])


def _checked(doc: object, validator: Validator) -> list[_Found]:
    return content_findings(doc) or findings_of(validator, doc)


@functools.cache
def _validator(which: str) -> Validator:
    schema = _READ_EXTRAS if which == "read" else _RECORD_WITH_TIMEPOINT
    return validator_using_case_defs(schema)


def _record_extras(record: TimePointRecord) -> dict[str, object]:
    return {
        "uid": record.uid,
        "study_uid": record.study_uid,
        "series_uid": record.series_uid,
        "signed_by": record.signed_by,
        "signed_at": record.signed_at,
        "new_lesion_uids": dict(record.new_lesion_uids),
        "calipers": {
            str(lesion): [_caliper(c) for c in calipers]
            for lesion, calipers in record.calipers.items()
        },
        "decision": _decision(record.decision),
    }


def _caliper(caliper: Caliper) -> dict[str, object]:
    return {
        "start_mm": list(caliper.start_mm),
        "end_mm": list(caliper.end_mm),
        "series_uid": caliper.series_uid,
        "sop_instance_uid": caliper.sop_instance_uid,
        "frame": caliper.frame,
        "index": caliper.index,
    }


def _decision(decision: Decision | None) -> dict[str, object] | None:
    if decision is None:
        return None
    return {
        "recommended_dose": decision.recommended_dose,
        "dose_level": decision.dose_level,
        "reason": decision.reason,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
    }


def _exact(doc: JsonValue) -> object:
    """Return the written part with each number back as the Decimal recorded."""
    if isinstance(doc, ExactNumber):
        return doc.exact
    if isinstance(doc, dict):
        return {key: _exact(value) for key, value in doc.items()}
    if isinstance(doc, list):
        return [_exact(item) for item in doc]
    return cast("object", doc)
