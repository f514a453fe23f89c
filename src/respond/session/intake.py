"""Studies become patients and time points, safely.

A study's headers (:class:`~respond.criteria.imaging.StudyFacts`) are checked
against the patient before anything is stored: a study of another patient is
refused with both ids named unless the reader confirms that the mismatch is
genuine (an id changed between hospitals; the confirmation is audited); name or
birth-date differences under the same id are warnings; the same study cannot be
two time points; a study dated before the baseline becomes the new baseline only
when the reader says so (audited, and everything is re-assessed).

No Qt and no file access: the command line and the desktop app ask the reader
(a flag, a dialog) and call the same functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from respond.criteria import Criterion, Patient, PatientRead, TimePoint, TimePointRecord
from respond.session.errors import SessionError
from respond.session.ids import new_uid

if TYPE_CHECKING:
    from respond.criteria.imaging import SeriesFacts, StudyFacts
    from respond.session.ports import ReadStore

__all__ = [
    "ConfirmationNeededError",
    "IntakeCheck",
    "IntakeError",
    "StudyRefusedError",
    "check_study",
    "choose_series",
    "display_name",
    "parse_dicom_date",
    "patient_from_study",
    "relabelled",
]

_DEFAULT_LABEL = re.compile(r"^(BL|FU\d+)$")
_SEXES = {"F", "M", "O"}


class IntakeError(SessionError):
    """A study cannot become a patient or time point as asked."""


class StudyRefusedError(IntakeError):
    """The study is refused; the message says why and what to do.

    Parameters
    ----------
    study_uid
        The study refused.
    reason
        Why, naming the items involved.
    """

    def __init__(self, study_uid: str, reason: str) -> None:
        super().__init__(reason)
        self.study_uid = study_uid
        self.reason = reason


class ConfirmationNeededError(IntakeError):
    """The study may be added only after the reader confirms what is named.

    Parameters
    ----------
    check
        The check's outcome: ``check.confirmations`` are the questions.
    """

    def __init__(self, check: IntakeCheck) -> None:
        super().__init__(" ".join(check.confirmations))
        self.check = check


def parse_dicom_date(text: str) -> dt.date | None:
    """Return a DICOM DA value (``YYYYMMDD``) as a date; None when empty or bad."""
    text = (text or "").strip()
    if not re.fullmatch(r"\d{8}", text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def display_name(dicom_name: str) -> str | None:
    """Return a DICOM person name (``FAMILY^Given^Middle``) as ``FAMILY, Given Middle``.

    Ideographic and phonetic groups (after ``=``) are dropped; None when empty.
    """
    alphabetic = (dicom_name or "").split("=", 1)[0].strip()
    if not alphabetic.strip("^ "):
        return None
    parts = [p.strip() for p in alphabetic.split("^")]
    family, given = parts[0], " ".join(p for p in parts[1:3] if p)
    prefix = parts[3] if len(parts) > 3 else ""
    suffix = parts[4] if len(parts) > 4 else ""
    name = f"{family}, {given}" if family and given else family or given
    return " ".join(p for p in (prefix, name, suffix) if p)


def _same_name(stored: str | None, dicom_name: str) -> bool:
    def words(text: str) -> list[str]:
        return sorted(w for w in re.split(r"[\s,^=]+", text.upper()) if w)

    return words(stored or "") == words(dicom_name or "")


@dataclass(frozen=True, slots=True)
class IntakeCheck:
    """What adding a study to a patient would do, before anything is stored.

    Attributes
    ----------
    date
        The time point's date (the study date, or the date the reader gave).
    refusal
        Why the study cannot be added at all (empty when it can).
    id_mismatch
        The study's PatientID differs from the patient's: adding needs an
        explicit confirmation that names both.
    new_baseline
        The study predates the baseline: adding makes it the new baseline,
        only when the reader says so.
    warnings
        Differences that do not stop the work (name, birth date, sex).
    """

    date: dt.date | None
    refusal: str = ""
    id_mismatch: str = ""
    new_baseline: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def confirmations(self) -> tuple[str, ...]:
        """The questions the reader must confirm, in the order asked."""
        return tuple(q for q in (self.id_mismatch, self.new_baseline) if q)


def check_study(
    read: PatientRead, facts: StudyFacts, *, date: dt.date | None = None
) -> IntakeCheck:
    """Check whether a study may become a time point of this patient.

    Parameters
    ----------
    read
        The patient's read as stored.
    facts
        The study's headers.
    date
        The imaging date when the study has none (or to override a bad one).

    Returns
    -------
    IntakeCheck
        The refusal, the confirmations needed and the warnings.
    """
    patient = read.patient
    when = date or parse_dicom_date(facts.date)
    warnings: list[str] = []
    if when is None:
        return IntakeCheck(
            None,
            refusal=(
                f"study {facts.study_uid} has no usable StudyDate "
                f"({facts.date or 'empty'}); give the imaging date (YYYY-MM-DD)"
            ),
        )
    for record in read.timepoints:
        if facts.study_uid and record.study_uid == facts.study_uid:
            return IntakeCheck(
                when,
                refusal=(
                    f"study {facts.study_uid} is already time point {record.label} "
                    f"({record.date.isoformat()}) of patient {patient.id}; the same "
                    "study cannot be two time points"
                ),
            )
        if record.date == when:
            return IntakeCheck(
                when,
                refusal=(
                    f"patient {patient.id} already has time point {record.label} on "
                    f"{when.isoformat()} (study {record.study_uid or 'not linked'}); "
                    "one time point per date: remove that one first, or choose "
                    "another series of its study"
                ),
            )
    mismatch = ""
    if facts.patient_id.strip() != patient.id:
        mismatch = (
            f"The study belongs to patient ID '{facts.patient_id}', but this patient "
            f"is '{patient.id}'. Add it only if both IDs are the same person (an ID "
            "changed between hospitals); the confirmation is kept in the audit trail."
        )
    else:
        if (
            patient.name
            and facts.patient_name
            and not _same_name(patient.name, facts.patient_name)
        ):
            warnings.append(
                f"the study's patient name '{display_name(facts.patient_name)}' "
                f"differs from '{patient.name}' (same ID {patient.id})"
            )
        born = parse_dicom_date(facts.birth_date)
        if patient.birth_date and born and born != patient.birth_date:
            warnings.append(
                f"the study's birth date {born.isoformat()} differs from "
                f"{patient.birth_date.isoformat()} (same ID {patient.id})"
            )
        sex = facts.sex.strip().upper()
        stored_sex = patient.sex
        if stored_sex and sex in _SEXES and sex != stored_sex:
            warnings.append(
                f"the study's patient sex {sex} differs from {stored_sex} "
                f"(same ID {patient.id})"
            )
    new_baseline = ""
    if read.timepoints and when < read.timepoints[0].date:
        base = read.timepoints[0]
        new_baseline = (
            f"The study is dated {when.isoformat()}, before the baseline "
            f"{base.label} ({base.date.isoformat()}). Adding it makes it the new "
            "baseline: every time point is re-assessed against it and its target "
            "lesions must be measured on it."
        )
    return IntakeCheck(
        when,
        id_mismatch=mismatch,
        new_baseline=new_baseline,
        warnings=tuple(warnings),
    )


def choose_series(
    facts: StudyFacts,
    primary: Criterion = Criterion.MRECIST,
    series_uid: str | None = None,
) -> SeriesFacts | None:
    """Return the series a time point is read on.

    The one asked for; else, when mRECIST is the primary criterion, the
    arterial series with the most images; else the series with the most images.
    None when the study has no image series (or the one asked for is not in it).
    """
    if series_uid:
        return next((s for s in facts.series if s.series_uid == series_uid), None)
    if not facts.series:
        return None
    pool = list(facts.series)
    if primary is Criterion.MRECIST and any(s.arterial for s in pool):
        pool = [s for s in pool if s.arterial]
    return max(pool, key=lambda s: (s.images, -(s.number or 0)))


def patient_from_study(
    facts: StudyFacts,
    *,
    series_uid: str | None = None,
    date: dt.date | None = None,
    reader: str | None = None,
) -> PatientRead:
    """Return a new patient's read with the study as its baseline.

    Raises
    ------
    StudyRefusedError
        No PatientID, no usable date, or no image series (the one asked for).
    """
    pid = facts.patient_id.strip()
    if not pid:
        raise StudyRefusedError(
            facts.study_uid,
            f"study {facts.study_uid} has no PatientID; respond keeps patients by "
            "ID: give the images a PatientID (or import a case file)",
        )
    when = date or parse_dicom_date(facts.date)
    if when is None:
        raise StudyRefusedError(
            facts.study_uid,
            f"study {facts.study_uid} has no usable StudyDate "
            f"({facts.date or 'empty'}); give the imaging date (YYYY-MM-DD)",
        )
    sex = facts.sex.strip().upper()
    patient = Patient(
        id=pid,
        name=display_name(facts.patient_name),
        birth_date=parse_dicom_date(facts.birth_date),
        sex=sex if sex in _SEXES else None,
    )
    read = PatientRead(patient=patient, reader=reader)
    record = timepoint_for_study(read, facts, when, series_uid=series_uid, label="BL")
    return dataclasses.replace(read, timepoints=(record,))


def timepoint_for_study(
    read: PatientRead,
    facts: StudyFacts,
    date: dt.date,
    *,
    series_uid: str | None = None,
    label: str = "",
) -> TimePointRecord:
    """Return a new (unstored) time point for a study of this patient.

    Raises
    ------
    StudyRefusedError
        The study has no image series (or not the one asked for).
    """
    series = choose_series(facts, read.settings.primary_criterion, series_uid)
    if series is None:
        what = f"series {series_uid}" if series_uid else "image series"
        raise StudyRefusedError(
            facts.study_uid,
            f"study {facts.study_uid} has no {what}; choose a study with CT or MR "
            "images",
        )
    thickness = None
    if series.slice_thickness_mm and series.slice_thickness_mm > 0:
        thickness = Decimal(repr(round(series.slice_thickness_mm, 3)))
    return TimePointRecord(
        uid=new_uid(),
        timepoint=TimePoint(
            label=label,
            date=date,
            arterial_phase=series.arterial,
            slice_thickness_mm=thickness,
        ),
        study_uid=facts.study_uid,
        series_uid=series.series_uid,
    )


def relabelled(records: tuple[TimePointRecord, ...]) -> list[TimePointRecord]:
    """Return the time points whose default label changes with date order.

    Labels respond gave (``BL``, ``FU1``, ``FU2`` ...) follow the date order;
    labels the reader chose are kept. Only records whose label changes are
    returned.
    """
    changed = []
    for index, record in enumerate(sorted(records, key=lambda r: r.date)):
        if not _DEFAULT_LABEL.match(record.label):
            continue
        label = "BL" if index == 0 else f"FU{index}"
        if label != record.label:
            changed.append(
                dataclasses.replace(
                    record,
                    timepoint=dataclasses.replace(record.timepoint, label=label),
                )
            )
    return changed


def create_patient(
    store: ReadStore,
    facts: StudyFacts,
    *,
    who: str,
    series_uid: str | None = None,
    date: dt.date | None = None,
) -> PatientRead:
    """Create a patient from a study (the study becomes the baseline).

    Raises
    ------
    StudyRefusedError
        The study cannot start a patient (no ID, date or series), or a patient
        with its ID exists already (the message says to open it instead).
    """
    read = patient_from_study(facts, series_uid=series_uid, date=date, reader=who)
    if any(p.patient_id == read.patient.id for p in store.list_patients()):
        raise StudyRefusedError(
            facts.study_uid,
            f"patient {read.patient.id} already exists; open it and add the study "
            "as a time point instead of creating a duplicate",
        )
    store.create_patient(read, who=who)
    return read
