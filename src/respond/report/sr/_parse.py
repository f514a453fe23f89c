"""Parse one TID 1500 measurement report into plain records (no respond read yet).

Standard content is read whatever wrote it: tracking identifier and UID, time
point context (TID 1502), finding and finding site, lengths in mm or cm with a
SCOORD on their image (TID 300/320). respond's private items (``99RESPOND``)
restore what DICOM has no code for; a private code respond does not know, or a
coded value it cannot map, is an error rather than a guess. The groups of a
lesion's calipers are merged into its lesion group
(:mod:`respond.report.sr._assemble`); reports of earlier versions, one group
per lesion, are read as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final, TypeVar

from pydicom.multival import MultiValue
from pydicom.sr.codedict import codes as dicom_codes
from pydicom.uid import UID

from respond.criteria.categories import (
    Cytology,
    LesionKind,
    NonTargetStatus,
    Role,
    TargetStatus,
)
from respond.criteria.model import Patient
from respond.criteria.record import CaliperKind
from respond.report.sr import _tree as t
from respond.report.sr import codes as c
from respond.report.sr._assemble import assemble

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pydicom.dataset import Dataset


V = TypeVar("V")

SR_CLASSES = frozenset(
    {
        "1.2.840.10008.5.1.4.1.1.88.11",  # Basic Text SR
        "1.2.840.10008.5.1.4.1.1.88.22",  # Enhanced SR
        "1.2.840.10008.5.1.4.1.1.88.33",  # Comprehensive SR
        "1.2.840.10008.5.1.4.1.1.88.34",  # Comprehensive 3D SR
        "1.2.840.10008.5.1.4.1.1.88.35",  # Extensible SR
    }
)
_TRACKING_ID = c.key(dicom_codes.DCM.TrackingIdentifier)
_TRACKING_UID = c.key(dicom_codes.DCM.TrackingUniqueIdentifier)
_TIME_POINT = c.key(c.TIME_POINT)
_TIME_POINT_ORDER = c.key(dicom_codes.DCM.TimePointOrder)
_SUBJECT_TIME_POINT = c.key(dicom_codes.DCM.SubjectTimePointIdentifier)
_FINDING = c.key(dicom_codes.DCM.Finding)
_FINDING_SITE = c.key(dicom_codes.SCT.FindingSite)
_LOGIN_NAME = c.key(dicom_codes.DCM.PersonObserverLoginName)
_OBSERVER_NAME = c.key(dicom_codes.DCM.PersonObserverName)
_GROUP = c.key(dicom_codes.DCM.MeasurementGroup)
_IMAGING_MEASUREMENTS = c.key(dicom_codes.DCM.ImagingMeasurements)

_ROLES: Final = c.reverse(
    {
        Role.TARGET: c.TARGET_AT_BASELINE,
        Role.NON_TARGET: c.NON_TARGET_AT_BASELINE,
        Role.NEW: c.NEW,
    }
)
_YES_NO: Final = c.reverse({True: c.YES, False: c.NO})


class ParseError(Exception):
    """A report's content respond cannot interpret (the caller adds the file)."""


@dataclass(frozen=True, slots=True)
class Geometry:
    """A two-point SCOORD and the image (0-based frame) it lies on."""

    points: tuple[tuple[float, float], tuple[float, float]]
    sop_instance_uid: str
    frame: int | None


@dataclass(frozen=True, slots=True)
class Length:
    """One length; ``value`` is None for a caliper whose length was not recorded."""

    kind: CaliperKind
    value: Decimal | None
    geometry: Geometry | None


@dataclass
class Group:
    """A lesion or new finding at this time point (its group and its calipers')."""

    lesion_id: str
    tracking_uid: str
    role: Role | None = None
    kind: LesionKind = LesionKind.OTHER
    is_node: bool = False
    typical_hcc: bool | None = None
    equivocal: bool = False
    organ: str = ""
    site: str = ""
    note: str = ""
    observation_note: str = ""
    merged_into: str | None = None
    target_status: TargetStatus | None = None
    non_target_status: NonTargetStatus | None = None
    cytology: Cytology | None = None
    lengths: list[Length] = field(default_factory=list)


@dataclass
class Document:
    """One report: its patient, time point and groups."""

    patient: Patient
    reader: str | None
    study_uid: str
    date: dt.date
    label: str = ""
    order: int | None = None
    timepoint_uid: str = ""
    arterial_phase: bool = False
    slice_thickness_mm: Decimal | None = None
    series_uid: str = ""
    groups: list[Group] = field(default_factory=list)


def _lookup(mapping: Mapping[c.Key, V], item: Dataset) -> V:
    value = t.code_value(item)
    if value is None or value not in mapping:
        raise ParseError(
            f"'{t.meaning(item)}' has a value respond does not know ({value})"
        )
    return mapping[value]


_TARGET_STATUSES: Final = c.reverse(c.TARGET_STATUSES)
_NON_TARGET_STATUSES: Final = c.reverse(c.NON_TARGET_STATUSES)
_CYTOLOGIES: Final = c.reverse(c.CYTOLOGIES)
# Coded items of a group that set one field through a map of known values.
_CODED_FIELDS: Final[dict[c.Key, tuple[str, Mapping[c.Key, object]]]] = {
    c.key(c.BASELINE_CATEGORY): ("role", _ROLES),
    c.key(c.NODAL): ("is_node", _YES_NO),
    c.key(c.TYPICAL_HCC): ("typical_hcc", _YES_NO),
    c.key(c.EQUIVOCAL): ("equivocal", _YES_NO),
    c.key(c.TARGET_STATUS): ("target_status", _TARGET_STATUSES),
    c.key(c.NON_TARGET_STATUS): ("non_target_status", _NON_TARGET_STATUSES),
    c.key(c.CYTOLOGY): ("cytology", _CYTOLOGIES),
}
_TEXT_FIELDS: Final[dict[c.Key, str]] = {
    c.key(c.ORGAN): "organ",
    c.key(c.SITE): "site",
    c.key(c.LESION_NOTE): "note",
    c.key(c.OBSERVATION_NOTE): "observation_note",
    c.key(c.MERGED_INTO): "merged_into",
}
_KNOWN_PRIVATE: Final = frozenset(
    code.value
    for code in (
        c.NODAL, c.TYPICAL_HCC, c.ORGAN, c.SITE, c.LESION_NOTE, c.EQUIVOCAL,
        c.CALIPER_ONLY, c.TARGET_STATUS, c.NON_TARGET_STATUS, c.CYTOLOGY,
        c.MERGED_INTO, c.OBSERVATION_NOTE, c.ARTERIAL_PHASE, c.SLICE_THICKNESS,
        c.TIMEPOINT_SERIES, *c.RESPONSE_CONCEPTS.values(), *c.LENGTHS.values(),
    )
)  # fmt: skip


def _check_private(item: Dataset) -> None:
    name = t.concept(item)
    if name is not None and name[0] == c.PRIVATE and name[1] not in _KNOWN_PRIVATE:
        raise ParseError(
            f"private code {name[1]} ('{t.meaning(item)}') is not one respond "
            "writes; the file may come from a newer respond"
        )


def _geometry(num: Dataset) -> Geometry | None:
    for scoord in t.children(num):
        data = [float(v) for v in scoord.get("GraphicData", [])]
        if t.value_type(scoord) != "SCOORD" or len(data) != 4:
            continue
        for image in t.children(scoord):
            refs = image.get("ReferencedSOPSequence")
            if t.value_type(image) != "IMAGE" or not refs:
                continue
            frames = refs[0].get("ReferencedFrameNumber")
            if frames is not None and not isinstance(frames, int):
                frames = next(iter(frames), None)
            frame = None if frames is None else int(frames) - 1
            points = ((data[0], data[1]), (data[2], data[3]))
            return Geometry(points, str(refs[0].ReferencedSOPInstanceUID), frame)
    return None


def _number(item: Dataset) -> tuple[Decimal, c.Key | None] | None:
    measured = t.number(item)
    if measured is not None and not measured[0].is_finite():
        raise ParseError(f"'{t.meaning(item)}' is {measured[0]}, not a number")
    return measured


def _length(num: Dataset) -> Length | None:
    kind = c.KIND_OF_LENGTH.get(t.concept(num) or ("", ""))
    measured = _number(num)
    if kind is None or measured is None:
        return None
    value, unit = measured
    if unit == c.key(c.CM):
        value *= 10
    elif unit != c.key(c.MM):
        raise ParseError(f"'{t.meaning(num)}' is in {unit}, not mm or cm")
    caliper_only = t.first(t.children(num), c.key(c.CALIPER_ONLY), "CODE")
    return Length(kind, None if caliper_only else value, _geometry(num))


def _apply_code(group: Group, item: Dataset) -> None:
    name, value = t.concept(item), t.code_value(item)
    if value is None:
        raise ParseError(f"'{t.meaning(item)}' has no coded value")
    if name in _CODED_FIELDS:
        field_name, mapping = _CODED_FIELDS[name]
        setattr(group, field_name, _lookup(mapping, item))
    elif name == _FINDING and value[0] == c.PRIVATE:
        group.kind = _lookup(c.KIND_OF_FINDING, item)
    elif name == _FINDING:
        group.kind = c.KIND_OF_FINDING.get(value, LesionKind.OTHER)
    elif name == _FINDING_SITE and not group.organ:
        # respond's ORGAN text, wherever it stands in the group, wins over the site
        group.organ = c.ORGAN_OF_SITE.get(value) or t.value_meaning(item).lower()


def _apply_text(group: Group, item: Dataset) -> None:
    field_name = _TEXT_FIELDS.get(t.concept(item) or ("", ""))
    if field_name is not None:
        setattr(group, field_name, t.text(item))


def _group(item: Dataset, number: int) -> Group:
    items = t.children(item)
    ident = t.first(items, _TRACKING_ID, "TEXT")
    uid = t.first(items, _TRACKING_UID, "UIDREF")
    if ident is None or uid is None:
        raise ParseError(
            f"measurement group {number} has no tracking identifier and UID "
            "(TID 4108), so it cannot be matched to a lesion"
        )
    group = Group(t.text(ident), str(uid.UID))
    for child in items:
        _check_private(child)
        kind = t.value_type(child)
        if kind == "CODE":
            _apply_code(group, child)
        elif kind == "TEXT":
            _apply_text(group, child)
        elif kind == "NUM" and (length := _length(child)) is not None:
            group.lengths.append(length)
    if group.role is None:
        has_length = any(length.value is not None for length in group.lengths)
        group.role = Role.TARGET if has_length else Role.NON_TARGET
    return group


def _check_tracking(groups: list[Group]) -> None:
    seen: set[str] = set()
    for group in groups:
        if group.lesion_id in seen:
            raise ParseError(
                f"tracking identifier {group.lesion_id} names two lesion groups; "
                "each lesion has one lesion group per report"
            )
        seen.add(group.lesion_id)


def _date(ds: Dataset, keyword: str) -> dt.date | None:
    text = str(ds.get(keyword, "") or "").strip()
    if not text:
        return None
    try:
        return dt.datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError as exc:
        raise ParseError(f"{keyword} '{text}' is not a DICOM date") from exc


def _exact_text(ds: Dataset, keyword: str) -> str:
    """Return a text element as written, backslashes included.

    pydicom splits a value at each backslash (the value separator, PS3.5 6.2)
    into a MultiValue, whose ``str`` would be a Python list; joining the parts
    with backslashes gives back the text the element holds (less the trailing
    spaces DICOM does not count).
    """
    value = ds.get(keyword)
    if value is None:
        return ""
    if isinstance(value, MultiValue):
        return "\\".join(str(part) for part in value)
    return str(value)


def _patient(ds: Dataset) -> Patient:
    patient_id = _exact_text(ds, "PatientID").strip()
    if not patient_id:
        raise ParseError("the report names no patient (Patient ID is empty)")
    name = _exact_text(ds, "PatientName").rstrip("^") or None
    return Patient(patient_id, name, _date(ds, "PatientBirthDate"))


def _reader(root: list[Dataset]) -> str | None:
    login = t.first(root, _LOGIN_NAME, "TEXT")
    if login is not None and t.text(login):
        return t.text(login)
    person = t.first(root, _OBSERVER_NAME, "PNAME")
    name = "" if person is None else str(person.get("PersonName", "")).rstrip("^")
    return name or None


def _time_point(document: Document, group: Dataset) -> None:
    items = t.children(group)
    if (label := t.first(items, _TIME_POINT, "TEXT")) is not None:
        document.label = t.text(label)
    if (ident := t.first(items, _SUBJECT_TIME_POINT, "TEXT")) is not None:
        document.timepoint_uid = t.text(ident)
    if (order := t.first(items, _TIME_POINT_ORDER, "NUM")) is not None:
        measured = _number(order)
        document.order = None if measured is None else int(measured[0])


def _evaluations(document: Document, container: Dataset) -> None:
    for item in t.children(container):
        _check_private(item)
        name = t.concept(item)
        if name == c.key(c.ARTERIAL_PHASE):
            document.arterial_phase = _lookup(_YES_NO, item)
        elif name == c.key(c.SLICE_THICKNESS):
            try:
                document.slice_thickness_mm = Decimal(t.text(item))
            except InvalidOperation as exc:
                raise ParseError(
                    f"slice thickness '{t.text(item)}' is not a number"
                ) from exc
        elif name == c.key(c.TIMEPOINT_SERIES):
            document.series_uid = t.text(item)


def sop_class_name(ds: Dataset) -> str:
    """Return a readable name of the dataset's SOP class."""
    uid = str(ds.get("SOPClassUID", "") or "")
    return UID(uid).name if uid else "no SOP class"


def parse(ds: Dataset) -> Document:
    """Return the report's patient, time point and measurement groups.

    Raises
    ------
    ParseError
        Not a TID 1500 report, or content respond cannot interpret.
    """
    root = t.children(ds)
    measurements = t.first(root, _IMAGING_MEASUREMENTS, "CONTAINER")
    evaluations = list(t.find(root, c.key(c.QUALITATIVE_EVALUATIONS), "CONTAINER"))
    template = ds.get("ContentTemplateSequence")
    is_1500 = bool(template) and str(template[0].get("TemplateIdentifier")) == "1500"
    titled = t.concept(ds) in (c.key(c.TITLE), c.key(c.FORMER_TITLE))
    if (measurements is None and not evaluations) or not (is_1500 or titled):
        raise ParseError("is an SR but not a TID 1500 measurement report")
    date = _date(ds, "StudyDate")
    if date is None:
        raise ParseError("has no Study Date, so its time point cannot be dated")
    document = Document(
        patient=_patient(ds),
        reader=_reader(root),
        study_uid=str(ds.get("StudyInstanceUID", "")),
        date=date,
    )
    # Groups with a caliper are in "Imaging Measurements"; those without one
    # (the lesion groups) are set apart in "Qualitative Evaluations" (see the
    # writer).
    containers = ([] if measurements is None else [measurements]) + evaluations
    groups = [
        group
        for container in containers
        for group in t.find(t.children(container), _GROUP, "CONTAINER")
    ]
    if not groups:
        raise ParseError("is a measurement report without a measurement group")
    _time_point(document, groups[0])
    document.label = document.label or date.isoformat()
    parsed = [_group(item, n) for n, item in enumerate(groups, start=1)]
    document.groups = assemble(parsed)
    _check_tracking(document.groups)
    for container in evaluations:
        _evaluations(document, container)
    return document
