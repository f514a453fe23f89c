"""Write a case (or a stored read) as the ``respond-case/1`` document.

Numbers keep the digits recorded: :func:`case_json` writes a length stored as
``4.9999999999999999999999`` with exactly those digits, never through binary
floating point.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from respond.criteria import (
    Clinical,
    Lesion,
    NewLesion,
    NonTargetObservation,
    Patient,
    Settings,
    TargetMeasurement,
    TimePoint,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from respond.casefile._writer import JsonValue
    from respond.criteria import Case

CASE_FORMAT = "respond-case/1"
_INT_DIGITS: Final = 18


class ExactNumber(float):
    """A JSON number that remembers the Decimal it was written from.

    It is a ``float`` so that :func:`json.dumps` and comparisons keep working
    (with the float's precision); :func:`case_json` writes :attr:`exact`, the
    digits as recorded.
    """

    exact: Decimal

    def __new__(cls, exact: Decimal) -> ExactNumber:
        approximate = math.nan if exact.is_nan() else float(exact)
        number = super().__new__(cls, approximate)
        number.exact = exact
        return number

    def __reduce__(self) -> tuple[type[ExactNumber], tuple[Decimal]]:
        return ExactNumber, (self.exact,)


def _num(value: Decimal) -> JsonValue:
    """Return a Decimal as a JSON number with the digits recorded (4.95 stays)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0 and value.adjusted() < _INT_DIGITS:
        return int(value)
    return ExactNumber(value)


def _put(doc: dict[str, JsonValue], key: str, value: object) -> None:
    if value is None or value == "" or value == ():
        return
    doc[key] = _num(value) if isinstance(value, Decimal) else value  # type: ignore[assignment]


def _settings(settings: Settings) -> dict[str, JsonValue]:
    return {
        "criteria": [c.value for c in settings.criteria],
        "primary_criterion": settings.primary_criterion.value,
        "confirmation_required": settings.confirmation_required,
        "confirmation_min_days": settings.confirmation_min_days,
        "sd_min_days": settings.sd_min_days,
        "continuing_pr": settings.continuing_pr,
        "mrecist_pd_min_increase_mm": _num(settings.mrecist_pd_min_increase_mm),
        "confirmation_max_ne_between": settings.confirmation_max_ne_between,
    }


def _lesion(lesion: Lesion) -> dict[str, JsonValue]:
    doc: dict[str, JsonValue] = {"id": lesion.id, "role": lesion.role.value}
    _put(doc, "organ", lesion.organ)
    doc["is_node"] = lesion.is_node
    doc["kind"] = lesion.kind.value
    _put(doc, "typical_hcc", lesion.typical_hcc)
    _put(doc, "site", lesion.site)
    _put(doc, "note", lesion.note)
    return doc


def _target(measurement: TargetMeasurement) -> dict[str, JsonValue]:
    doc: dict[str, JsonValue] = {"status": measurement.status.value}
    _put(doc, "long_axis_mm", measurement.long_axis_mm)
    _put(doc, "short_axis_mm", measurement.short_axis_mm)
    _put(doc, "viable_mm", measurement.viable_mm)
    if measurement.fragments_mm:
        doc["fragments_mm"] = [_num(f) for f in measurement.fragments_mm]
    _put(doc, "merged_into", measurement.merged_into)
    _put(doc, "note", measurement.note)
    return doc


def _non_target(observation: NonTargetObservation) -> JsonValue:
    if (
        observation.cytology is None
        and not observation.note
        and observation.short_axis_mm is None
    ):
        return observation.status.value
    doc: dict[str, JsonValue] = {"status": observation.status.value}
    if observation.cytology is not None:
        doc["cytology"] = observation.cytology.value
    _put(doc, "short_axis_mm", observation.short_axis_mm)
    _put(doc, "note", observation.note)
    return doc


def _new_lesion(finding: NewLesion) -> dict[str, JsonValue]:
    doc: dict[str, JsonValue] = {"id": finding.id}
    _put(doc, "organ", finding.organ)
    _put(doc, "site", finding.site)
    doc["kind"] = finding.kind.value
    doc["is_node"] = finding.is_node
    _put(doc, "long_axis_mm", finding.long_axis_mm)
    _put(doc, "short_axis_mm", finding.short_axis_mm)
    doc["equivocal"] = finding.equivocal
    _put(doc, "typical_hcc", finding.typical_hcc)
    if finding.cytology is not None:
        doc["cytology"] = finding.cytology.value
    _put(doc, "note", finding.note)
    return doc


def _clinical(clinical: Clinical) -> dict[str, JsonValue]:
    doc: dict[str, JsonValue] = {}
    _put(doc, "fhsi8", clinical.fhsi8)
    if clinical.fhsi8_items is not None:
        doc["fhsi8_items"] = list(clinical.fhsi8_items)
    _put(doc, "ecog", clinical.ecog)
    _put(doc, "child_pugh", clinical.child_pugh)
    if clinical.dose_level is not None or clinical.is_interrupted:
        doc["dose_level"] = clinical.dose_level
    if clinical.dose_form is not None:
        doc["dose_form"] = clinical.dose_form.value
    if clinical.adverse_events:
        events: list[JsonValue] = []
        for event in clinical.adverse_events:
            item: dict[str, JsonValue] = {
                "term": event.term,
                "grade": event.grade,
                "occurrence": event.occurrence,
            }
            _put(item, "days_without_improvement", event.days_without_improvement)
            events.append(item)
        doc["adverse_events"] = events
    if clinical.second_line is not None:
        doc["second_line"] = {
            "available": clinical.second_line.available,
            "eligible": clinical.second_line.eligible,
        }
    return doc


def _timepoint(tp: TimePoint) -> dict[str, JsonValue]:
    doc: dict[str, JsonValue] = {"label": tp.label, "date": tp.date.isoformat()}
    doc["arterial_phase"] = tp.arterial_phase
    _put(doc, "slice_thickness_mm", tp.slice_thickness_mm)
    doc["targets"] = {key: _target(m) for key, m in tp.targets.items()}
    doc["non_targets"] = {key: _non_target(o) for key, o in tp.non_targets.items()}
    doc["new_lesions"] = [_new_lesion(n) for n in tp.new_lesions]
    clinical = _clinical(tp.clinical)
    if clinical:
        doc["clinical"] = clinical
    return doc


def _patient(patient: Patient) -> dict[str, JsonValue]:
    doc: dict[str, JsonValue] = {"id": patient.id}
    _put(doc, "name", patient.name)
    if patient.birth_date is not None:
        doc["birth_date"] = patient.birth_date.isoformat()
    _put(doc, "sex", patient.sex)
    return doc


_PARTS: Final[tuple[tuple[type, str, Callable[[Any], JsonValue]], ...]] = (
    (Patient, "patient", _patient),
    (Settings, "settings", _settings),
    (Lesion, "lesion", _lesion),
    (TimePoint, "timepoint", _timepoint),
    (TargetMeasurement, "target_measurement", _target),
    (NonTargetObservation, "non_target_assessment", _non_target),
    (NewLesion, "new_lesion", _new_lesion),
    (Clinical, "clinical", _clinical),
)


def case_document(case: Case) -> dict[str, JsonValue]:
    """Return a case as its ``respond-case/1`` document.

    Parameters
    ----------
    case
        The case.

    Returns
    -------
    dict
        JSON-ready. A non-integer number is an :class:`ExactNumber`, a float
        that keeps the Decimal recorded: :func:`case_json` writes it exactly, so
        reading the text back gives an equal case (``json.dumps`` writes the
        float, to 17 digits).
    """
    return whole_document(
        case.patient, case.reader, case.settings, case.lesions, case.timepoints
    )


def whole_document(
    patient: Patient,
    reader: str | None,
    settings: Settings,
    lesions: Sequence[Lesion],
    timepoints: Sequence[TimePoint],
) -> dict[str, JsonValue]:
    """Return the ``respond-case/1`` document of these parts (see case_document)."""
    doc: dict[str, JsonValue] = {"format": CASE_FORMAT, "patient": _patient(patient)}
    _put(doc, "reader", reader)
    doc["settings"] = _settings(settings)
    doc["lesions"] = [_lesion(lesion) for lesion in lesions]
    doc["timepoints"] = [_timepoint(tp) for tp in timepoints]
    return doc


def part_document(value: object) -> tuple[str, JsonValue] | None:
    """Return one part of a case as written, with its schema definition's name.

    Parameters
    ----------
    value
        A patient, settings, lesion, time point, target measurement,
        non-target observation, new lesion or clinical status.

    Returns
    -------
    tuple or None
        ``(definition, document)``, e.g. ``("lesion", {"id": "T1", ...})``;
        None for anything else.
    """
    for kind, name, write in _PARTS:
        if isinstance(value, kind):
            return name, write(value)
    return None


def case_json(case: Case) -> str:
    """Return a case as the text of its ``respond-case/1`` file.

    Like ``json.dumps(case_document(case), indent=2, ensure_ascii=False)`` plus
    a final newline, except that every number is written with the digits
    recorded: parsed with ``parse_float=Decimal`` the text gives back the same
    Decimals.

    Parameters
    ----------
    case
        The case.

    Returns
    -------
    str
        The file's text.

    Raises
    ------
    ValueError
        A number is not finite (the engine's model refuses such lengths).
    """
    return dumps_exact(case_document(case)) + "\n"


def dumps_exact(value: JsonValue, indent: int = 2) -> str:
    """Write a JSON document, numbers with their exact digits.

    Parameters
    ----------
    value
        The document: dicts, lists, strings, booleans, None, ints, floats,
        :class:`ExactNumber` and :class:`~decimal.Decimal`.
    indent
        Spaces per level, as ``json.dumps(indent=...)`` lays it out.

    Returns
    -------
    str
        The JSON text (non-ASCII characters as they are).

    Raises
    ------
    ValueError
        A number is not finite.
    """
    return _dump(value, indent, 0)


def _dump(value: object, indent: int, level: int) -> str:
    if isinstance(value, dict | list) and value:
        inner = "\n" + " " * (indent * (level + 1))
        if isinstance(value, dict):
            items = [
                f"{json.dumps(str(key), ensure_ascii=False)}: "
                f"{_dump(item, indent, level + 1)}"
                for key, item in value.items()
            ]
            opening, closing = "{", "}"
        else:
            items = [_dump(item, indent, level + 1) for item in value]
            opening, closing = "[", "]"
        end = "\n" + " " * (indent * level)
        return opening + inner + ("," + inner).join(items) + end + closing
    exact = value.exact if isinstance(value, ExactNumber) else value
    if isinstance(exact, Decimal):
        if not exact.is_finite():
            raise ValueError(f"{exact} is not a finite number; JSON cannot hold it")
        return str(exact)
    return json.dumps(exact, ensure_ascii=False, allow_nan=False)
