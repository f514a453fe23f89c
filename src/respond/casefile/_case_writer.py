"""Write a case (or a stored read) as the ``respond-case/1`` document."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from respond.casefile._writer import JsonValue
    from respond.criteria import (
        Case,
        Clinical,
        Lesion,
        NewLesion,
        NonTargetObservation,
        Settings,
        TargetMeasurement,
        TimePoint,
    )

CASE_FORMAT = "respond-case/1"


def _num(value: Decimal) -> JsonValue:
    """Return a Decimal as a JSON number with the digits recorded (4.95 stays)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(value)
    return float(value)


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


def case_document(case: Case) -> dict[str, JsonValue]:
    """Return a case as its ``respond-case/1`` document.

    Parameters
    ----------
    case
        The case.

    Returns
    -------
    dict
        JSON-ready; reading it back gives an equal case.
    """
    patient: dict[str, JsonValue] = {"id": case.patient.id}
    _put(patient, "name", case.patient.name)
    if case.patient.birth_date is not None:
        patient["birth_date"] = case.patient.birth_date.isoformat()
    _put(patient, "sex", case.patient.sex)
    doc: dict[str, JsonValue] = {"format": CASE_FORMAT, "patient": patient}
    _put(doc, "reader", case.reader)
    doc["settings"] = _settings(case.settings)
    doc["lesions"] = [_lesion(lesion) for lesion in case.lesions]
    doc["timepoints"] = [_timepoint(tp) for tp in case.timepoints]
    return doc
