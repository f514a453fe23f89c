"""Rows to domain values and back, one pair of functions per table.

Lengths go in as ``str(Decimal)`` and come back as ``Decimal(text)``, so a round
trip gives identical Decimals (same digits, same exponent). Booleans are 0/1,
unknown booleans NULL. Small lists (fragments, FHSI-8 items, criteria) are JSON
arrays; fragment lengths inside them stay strings.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import TYPE_CHECKING

from respond.criteria import (
    Action,
    AdverseEvent,
    Caliper,
    CaliperKind,
    Clinical,
    Criterion,
    Cytology,
    Decision,
    DoseForm,
    Lesion,
    LesionExtent,
    LesionId,
    LesionKind,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    Patient,
    Role,
    SecondLine,
    Settings,
    TargetMeasurement,
    TargetStatus,
    TimePointRecord,
)

if TYPE_CHECKING:
    import sqlite3

Params = dict[str, object]


def dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def to_dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def opt_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def to_opt_bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def to_opt_int(value: object) -> int | None:
    return None if value is None else int(str(value))


def to_opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _cytology(value: object) -> Cytology | None:
    return None if value is None else Cytology(value)


# -- patient and settings ------------------------------------------------------
def patient_params(patient: Patient, reader: str | None) -> Params:
    birth = patient.birth_date
    return {
        "patient_id": patient.id,
        "name": patient.name,
        "birth_date": None if birth is None else birth.isoformat(),
        "sex": patient.sex,
        "reader": reader,
    }


def patient_from(row: sqlite3.Row) -> Patient:
    birth = row["birth_date"]
    return Patient(
        id=str(row["patient_id"]),
        name=to_opt_str(row["name"]),
        birth_date=None if birth is None else dt.date.fromisoformat(birth),
        sex=to_opt_str(row["sex"]),
    )


def settings_params(settings: Settings) -> Params:
    return {
        "criteria": json.dumps([c.value for c in settings.criteria]),
        "primary_criterion": settings.primary_criterion.value,
        "confirmation_required": int(settings.confirmation_required),
        "confirmation_min_days": settings.confirmation_min_days,
        "sd_min_days": settings.sd_min_days,
        "continuing_pr": int(settings.continuing_pr),
        "mrecist_pd_min_increase_mm": str(settings.mrecist_pd_min_increase_mm),
        "confirmation_max_ne_between": settings.confirmation_max_ne_between,
    }


def settings_from(row: sqlite3.Row) -> Settings:
    return Settings(
        criteria=tuple(Criterion(c) for c in json.loads(row["criteria"])),
        primary_criterion=Criterion(row["primary_criterion"]),
        confirmation_required=bool(row["confirmation_required"]),
        confirmation_min_days=int(row["confirmation_min_days"]),
        sd_min_days=int(row["sd_min_days"]),
        continuing_pr=bool(row["continuing_pr"]),
        mrecist_pd_min_increase_mm=Decimal(row["mrecist_pd_min_increase_mm"]),
        confirmation_max_ne_between=int(row["confirmation_max_ne_between"]),
    )


# -- lesions -------------------------------------------------------------------
def lesion_params(lesion: Lesion, tracking_uid: str | None) -> Params:
    return {
        "lesion_id": lesion.id,
        "tracking_uid": tracking_uid or None,
        "role": lesion.role.value,
        "organ": lesion.organ,
        "is_node": int(lesion.is_node),
        "kind": lesion.kind.value,
        "typical_hcc": opt_bool(lesion.typical_hcc),
        "site": lesion.site,
        "note": lesion.note,
    }


def lesion_from(row: sqlite3.Row) -> Lesion:
    return Lesion(
        id=LesionId(row["lesion_id"]),
        role=Role(row["role"]),
        organ=str(row["organ"]),
        is_node=bool(row["is_node"]),
        kind=LesionKind(row["kind"]),
        typical_hcc=to_opt_bool(row["typical_hcc"]),
        site=str(row["site"]),
        note=str(row["note"]),
    )


# -- time point header -----------------------------------------------------------
def timepoint_params(record: TimePointRecord) -> Params:
    tp = record.timepoint
    return {
        "uid": record.uid,
        "label": tp.label,
        "date": tp.date.isoformat(),
        "arterial_phase": int(tp.arterial_phase),
        "slice_thickness_mm": dec(tp.slice_thickness_mm),
        "study_uid": record.study_uid,
        "series_uid": record.series_uid,
    }


# -- measurements --------------------------------------------------------------
def target_params(lesion_id: str, measurement: TargetMeasurement) -> Params:
    return {
        "lesion_id": lesion_id,
        "status": measurement.status.value,
        "long_axis_mm": dec(measurement.long_axis_mm),
        "short_axis_mm": dec(measurement.short_axis_mm),
        "viable_mm": dec(measurement.viable_mm),
        "fragments_mm": json.dumps([str(f) for f in measurement.fragments_mm]),
        "merged_into": measurement.merged_into,
        "note": measurement.note,
    }


def target_from(row: sqlite3.Row) -> TargetMeasurement:
    merged = row["merged_into"]
    return TargetMeasurement(
        status=TargetStatus(row["status"]),
        long_axis_mm=to_dec(row["long_axis_mm"]),
        short_axis_mm=to_dec(row["short_axis_mm"]),
        viable_mm=to_dec(row["viable_mm"]),
        fragments_mm=tuple(Decimal(f) for f in json.loads(row["fragments_mm"])),
        merged_into=None if merged is None else LesionId(merged),
        note=str(row["note"]),
        lesion_id=str(row["lesion_id"]),
    )


def extent_params(lesion_id: str, extent: LesionExtent) -> Params:
    return {
        "lesion_id": lesion_id,
        "volume_ml": str(extent.volume_ml),
        "enhancing_fraction": dec(extent.enhancing_fraction),
    }


def extent_from(row: sqlite3.Row) -> LesionExtent:
    return LesionExtent(
        volume_ml=Decimal(row["volume_ml"]),
        enhancing_fraction=to_dec(row["enhancing_fraction"]),
    )


def caliper_params(lesion_id: str, seq: int, caliper: Caliper) -> Params:
    points = (*caliper.start_mm, *caliper.end_mm)
    if len(points) != 6 or not all(math.isfinite(float(p)) for p in points):
        msg = (
            f"caliper {seq} of {lesion_id}: start_mm and end_mm must be three "
            f"finite floats each, got {caliper.start_mm!r} and {caliper.end_mm!r}"
        )
        raise ValueError(msg)
    return {
        "lesion_id": lesion_id,
        "seq": seq,
        "kind": caliper.kind.value,
        "fragment_index": caliper.index,
        "start_x": float(points[0]),
        "start_y": float(points[1]),
        "start_z": float(points[2]),
        "end_x": float(points[3]),
        "end_y": float(points[4]),
        "end_z": float(points[5]),
        "series_uid": caliper.series_uid,
        "sop_instance_uid": caliper.sop_instance_uid,
        "frame": caliper.frame,
    }


def caliper_from(row: sqlite3.Row) -> Caliper:
    return Caliper(
        kind=CaliperKind(row["kind"]),
        start_mm=(float(row["start_x"]), float(row["start_y"]), float(row["start_z"])),
        end_mm=(float(row["end_x"]), float(row["end_y"]), float(row["end_z"])),
        series_uid=str(row["series_uid"]),
        sop_instance_uid=str(row["sop_instance_uid"]),
        frame=to_opt_int(row["frame"]),
        index=int(row["fragment_index"]),
    )


def non_target_params(lesion_id: str, observation: NonTargetObservation) -> Params:
    cytology = observation.cytology
    return {
        "lesion_id": lesion_id,
        "status": observation.status.value,
        "cytology": None if cytology is None else cytology.value,
        "note": observation.note,
        "short_axis_mm": dec(observation.short_axis_mm),
    }


def non_target_from(row: sqlite3.Row) -> NonTargetObservation:
    return NonTargetObservation(
        status=NonTargetStatus(row["status"]),
        cytology=_cytology(row["cytology"]),
        note=str(row["note"]),
        short_axis_mm=to_dec(row["short_axis_mm"]),
    )


def new_lesion_params(finding: NewLesion, tracking_uid: str | None) -> Params:
    cytology = finding.cytology
    return {
        "finding_id": finding.id,
        "tracking_uid": tracking_uid or None,
        "organ": finding.organ,
        "site": finding.site,
        "kind": finding.kind.value,
        "is_node": int(finding.is_node),
        "long_axis_mm": dec(finding.long_axis_mm),
        "short_axis_mm": dec(finding.short_axis_mm),
        "equivocal": int(finding.equivocal),
        "typical_hcc": opt_bool(finding.typical_hcc),
        "cytology": None if cytology is None else cytology.value,
        "note": finding.note,
    }


def new_lesion_from(row: sqlite3.Row) -> NewLesion:
    return NewLesion(
        id=str(row["finding_id"]),
        organ=str(row["organ"]),
        site=str(row["site"]),
        kind=LesionKind(row["kind"]),
        is_node=bool(row["is_node"]),
        long_axis_mm=to_dec(row["long_axis_mm"]),
        short_axis_mm=to_dec(row["short_axis_mm"]),
        equivocal=bool(row["equivocal"]),
        typical_hcc=to_opt_bool(row["typical_hcc"]),
        cytology=_cytology(row["cytology"]),
        note=str(row["note"]),
    )


# -- clinical status and decision -------------------------------------------------
def clinical_params(clinical: Clinical) -> Params:
    items = clinical.fhsi8_items
    second = clinical.second_line
    dose_form = clinical.dose_form
    return {
        "fhsi8": clinical.fhsi8,
        "fhsi8_items": None if items is None else json.dumps(list(items)),
        "ecog": clinical.ecog,
        "child_pugh": clinical.child_pugh,
        "dose_level": clinical.dose_level,
        "is_interrupted": int(clinical.is_interrupted),
        "dose_form": None if dose_form is None else dose_form.value,
        "second_line_available": None if second is None else int(second.available),
        "second_line_eligible": None if second is None else int(second.eligible),
    }


def clinical_from(
    row: sqlite3.Row | None, events: tuple[AdverseEvent, ...]
) -> Clinical:
    if row is None:
        return Clinical(adverse_events=events)
    items = row["fhsi8_items"]
    available = row["second_line_available"]
    dose_form = row["dose_form"]
    return Clinical(
        fhsi8=to_opt_int(row["fhsi8"]),
        fhsi8_items=None if items is None else tuple(int(i) for i in json.loads(items)),
        ecog=to_opt_int(row["ecog"]),
        child_pugh=to_opt_str(row["child_pugh"]),
        dose_level=to_opt_int(row["dose_level"]),
        is_interrupted=bool(row["is_interrupted"]),
        dose_form=None if dose_form is None else DoseForm(dose_form),
        adverse_events=events,
        second_line=None
        if available is None
        else SecondLine(bool(available), bool(row["second_line_eligible"])),
    )


def adverse_event_params(position: int, event: AdverseEvent) -> Params:
    return {
        "position": position,
        "term": event.term,
        "grade": event.grade,
        "occurrence": event.occurrence,
        "days_without_improvement": event.days_without_improvement,
    }


def adverse_event_from(row: sqlite3.Row) -> AdverseEvent:
    return AdverseEvent(
        term=str(row["term"]),
        grade=int(row["grade"]),
        occurrence=int(row["occurrence"]),
        days_without_improvement=to_opt_int(row["days_without_improvement"]),
    )


def decision_params(decision: Decision) -> Params:
    return {
        "recommended_action": decision.recommended_action.value,
        "recommended_dose": decision.recommended_dose,
        "accepted": int(decision.accepted),
        "action": decision.action.value,
        "dose_level": decision.dose_level,
        "reason": decision.reason,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
    }


def decision_from(row: sqlite3.Row) -> Decision:
    return Decision(
        recommended_action=Action(row["recommended_action"]),
        recommended_dose=to_opt_int(row["recommended_dose"]),
        accepted=bool(row["accepted"]),
        action=Action(row["action"]),
        dose_level=to_opt_int(row["dose_level"]),
        reason=str(row["reason"]),
        decided_by=str(row["decided_by"]),
        decided_at=str(row["decided_at"]),
    )
