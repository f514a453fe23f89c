"""Build the engine's :class:`~respond.criteria.Case` from a validated document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from respond.criteria import (
    AdverseEvent,
    Case,
    Clinical,
    Criterion,
    Cytology,
    DoseForm,
    Lesion,
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
    TimePoint,
)

_Doc = Mapping[str, object]


def to_decimal(value: object) -> Decimal:
    """Return a JSON number as the Decimal it was written as (``4.95`` stays 4.95)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a JSON number, got {type(value).__name__}")
    return Decimal(str(value))


def _opt_decimal(doc: _Doc, key: str) -> Decimal | None:
    value = doc.get(key)
    return None if value is None else to_decimal(value)


def _obj(doc: _Doc, key: str) -> _Doc:
    return cast("_Doc", doc.get(key) or {})


def _list(doc: _Doc, key: str) -> list[_Doc]:
    return cast("list[_Doc]", doc.get(key) or [])


def _str(doc: _Doc, key: str, default: str = "") -> str:
    value = doc.get(key)
    return default if value is None else str(value)


def _opt_bool(doc: _Doc, key: str) -> bool | None:
    value = doc.get(key)
    return None if value is None else bool(value)


def _opt_int(doc: _Doc, key: str) -> int | None:
    value = doc.get(key)
    return None if value is None else int(cast("int", value))


def _cytology(doc: _Doc) -> Cytology | None:
    value = doc.get("cytology")
    return None if value is None else Cytology(value)


def build_case(doc: _Doc) -> Case:
    """Return the case a validated ``respond-case/1`` document describes.

    Parameters
    ----------
    doc
        A document that :func:`~respond.casefile.validate_case` accepted.

    Returns
    -------
    Case
        The engine's case.
    """
    patient = _obj(doc, "patient")
    birth = patient.get("birth_date")
    return Case(
        patient=Patient(
            id=_str(patient, "id"),
            name=cast("str | None", patient.get("name")),
            birth_date=None if birth is None else dt.date.fromisoformat(str(birth)),
            sex=cast("str | None", patient.get("sex")),
        ),
        lesions=tuple(_lesion(item) for item in _list(doc, "lesions")),
        timepoints=tuple(_timepoint(item) for item in _list(doc, "timepoints")),
        settings=_settings(_obj(doc, "settings")),
        reader=cast("str | None", doc.get("reader")),
    )


def _settings(doc: _Doc) -> Settings:
    default = Settings()
    criteria = doc.get("criteria")
    primary = doc.get("primary_criterion")
    pd_min = doc.get("mrecist_pd_min_increase_mm")
    chosen = (
        default.criteria
        if criteria is None
        else tuple(Criterion(c) for c in cast("list[str]", criteria))
    )
    if primary is not None:
        primary_criterion = Criterion(primary)
    elif default.primary_criterion in chosen:
        primary_criterion = default.primary_criterion
    else:
        primary_criterion = chosen[0]
    return Settings(
        criteria=chosen,
        primary_criterion=primary_criterion,
        confirmation_required=bool(
            doc.get("confirmation_required", default.confirmation_required)
        ),
        confirmation_min_days=int(
            cast("int", doc.get("confirmation_min_days", default.confirmation_min_days))
        ),
        sd_min_days=int(cast("int", doc.get("sd_min_days", default.sd_min_days))),
        continuing_pr=bool(doc.get("continuing_pr", default.continuing_pr)),
        mrecist_pd_min_increase_mm=default.mrecist_pd_min_increase_mm
        if pd_min is None
        else to_decimal(pd_min),
        confirmation_max_ne_between=int(
            cast(
                "int",
                doc.get(
                    "confirmation_max_ne_between", default.confirmation_max_ne_between
                ),
            )
        ),
    )


def _lesion(doc: _Doc) -> Lesion:
    return Lesion(
        id=LesionId(_str(doc, "id")),
        role=Role(doc["role"]),
        organ=_str(doc, "organ"),
        is_node=bool(doc.get("is_node", False)),
        kind=LesionKind(doc.get("kind", "other")),
        typical_hcc=_opt_bool(doc, "typical_hcc"),
        site=_str(doc, "site"),
        note=_str(doc, "note"),
    )


def _timepoint(doc: _Doc) -> TimePoint:
    targets = {
        LesionId(key): _target(key, cast("_Doc", value))
        for key, value in _obj(doc, "targets").items()
    }
    non_targets = {
        LesionId(key): _non_target(value)
        for key, value in _obj(doc, "non_targets").items()
    }
    return TimePoint(
        label=_str(doc, "label"),
        date=dt.date.fromisoformat(str(doc["date"])),
        arterial_phase=bool(doc.get("arterial_phase", False)),
        slice_thickness_mm=_opt_decimal(doc, "slice_thickness_mm"),
        targets=targets,
        non_targets=non_targets,
        new_lesions=tuple(_new_lesion(item) for item in _list(doc, "new_lesions")),
        clinical=_clinical(_obj(doc, "clinical")),
    )


def _target(lesion_id: str, doc: _Doc) -> TargetMeasurement:
    merged = doc.get("merged_into")
    return TargetMeasurement(
        status=TargetStatus(doc.get("status", "measured")),
        long_axis_mm=_opt_decimal(doc, "long_axis_mm"),
        short_axis_mm=_opt_decimal(doc, "short_axis_mm"),
        viable_mm=_opt_decimal(doc, "viable_mm"),
        fragments_mm=tuple(
            to_decimal(f) for f in cast("list[object]", doc.get("fragments_mm") or [])
        ),
        merged_into=None if merged is None else LesionId(str(merged)),
        note=_str(doc, "note"),
        lesion_id=lesion_id,
    )


def _non_target(value: object) -> NonTargetObservation:
    if isinstance(value, str):
        return NonTargetObservation(NonTargetStatus(value))
    doc = cast("_Doc", value)
    return NonTargetObservation(
        status=NonTargetStatus(doc["status"]),
        cytology=_cytology(doc),
        note=_str(doc, "note"),
        short_axis_mm=_opt_decimal(doc, "short_axis_mm"),
    )


def _new_lesion(doc: _Doc) -> NewLesion:
    return NewLesion(
        id=_str(doc, "id"),
        organ=_str(doc, "organ"),
        site=_str(doc, "site"),
        kind=LesionKind(doc.get("kind", "other")),
        is_node=bool(doc.get("is_node", False)),
        long_axis_mm=_opt_decimal(doc, "long_axis_mm"),
        short_axis_mm=_opt_decimal(doc, "short_axis_mm"),
        equivocal=bool(doc.get("equivocal", False)),
        typical_hcc=_opt_bool(doc, "typical_hcc"),
        cytology=_cytology(doc),
        note=_str(doc, "note"),
    )


def _clinical(doc: _Doc) -> Clinical:
    items = doc.get("fhsi8_items")
    second = doc.get("second_line")
    return Clinical(
        fhsi8=_opt_int(doc, "fhsi8"),
        fhsi8_items=None
        if items is None
        else tuple(int(i) for i in cast("list[int]", items)),
        ecog=_opt_int(doc, "ecog"),
        child_pugh=cast("str | None", doc.get("child_pugh")),
        dose_level=_opt_int(doc, "dose_level"),
        is_interrupted="dose_level" in doc and doc["dose_level"] is None,
        dose_form=None if doc.get("dose_form") is None else DoseForm(doc["dose_form"]),
        adverse_events=tuple(_adverse_event(e) for e in _list(doc, "adverse_events")),
        second_line=None if second is None else _second_line(cast("_Doc", second)),
    )


def _adverse_event(doc: _Doc) -> AdverseEvent:
    return AdverseEvent(
        term=_str(doc, "term"),
        grade=int(cast("int", doc["grade"])),
        occurrence=int(cast("int", doc.get("occurrence", 1))),
        days_without_improvement=_opt_int(doc, "days_without_improvement"),
    )


def _second_line(doc: _Doc) -> SecondLine:
    return SecondLine(
        available=bool(doc.get("available", False)),
        eligible=bool(doc.get("eligible", False)),
    )
