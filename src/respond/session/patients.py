"""The patient list: one row per stored patient, as the start screen shows it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from respond.criteria import CriteriaError, Criterion, assess
from respond.errors import RespondError

if TYPE_CHECKING:
    from respond.session.ports import ReadStore

__all__ = ["UNASSESSABLE", "PatientRow", "patient_row", "patient_rows", "unassessable"]

UNASSESSABLE = (ArithmeticError, ValueError, RecursionError)
"""What the engine may raise for a stored value it cannot compute with (besides
CriteriaError, which says what a read still lacks)."""


def unassessable(exc: BaseException) -> str:
    """Return why a stored read cannot be assessed, and what to do."""
    text = " ".join(str(exc).split())[:200]
    return (
        f"the stored read cannot be assessed ({type(exc).__name__}: {text!r}); it "
        "is kept unchanged. Check its measurements and dates and correct them, or "
        "re-import the patient."
    )


@dataclass(frozen=True, slots=True)
class PatientRow:
    """A stored patient as the patient list shows it.

    Parameters
    ----------
    patient_id, name, birth_date, sex
        The patient.
    timepoints
        Number of time points.
    last_label, last_date
        The latest time point (None when there is none).
    responses
        The latest time point's overall response per criterion (``RECIST1.1``,
        ``mRECIST``): ``PR``, ``SD`` ...; empty text at baseline or when the
        read cannot be assessed yet.
    signed
        Whether the latest time point is signed.
    problem
        Why there is no response (e.g. a target not measured at baseline), or
        why the stored read cannot be shown; empty otherwise.
    """

    patient_id: str
    name: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    timepoints: int = 0
    last_label: str = ""
    last_date: dt.date | None = None
    responses: Mapping[str, str] = field(default_factory=dict)
    signed: bool = False
    problem: str = ""


def patient_row(store: ReadStore, patient_id: str) -> PatientRow:
    """Return one patient's row; a read that cannot be loaded says why."""
    try:
        read = store.load(patient_id)
    except RespondError as exc:
        return PatientRow(patient_id, problem=str(exc))
    patient = read.patient
    last = read.timepoints[-1] if read.timepoints else None
    responses: dict[str, str] = {}
    problem = ""
    if last is not None:
        try:
            assessment = assess(read.to_case())
        except CriteriaError as exc:
            problem = str(exc)
        except UNASSESSABLE as exc:
            problem = unassessable(exc)
        else:
            latest = assessment.timepoints[-1]
            for criterion in Criterion:
                result = latest.results.get(criterion)
                if result is not None:
                    responses[criterion.value] = (
                        result.overall.value if result.overall is not None else ""
                    )
    return PatientRow(
        patient_id=patient.id,
        name=patient.name,
        birth_date=patient.birth_date,
        sex=patient.sex,
        timepoints=len(read.timepoints),
        last_label=last.label if last else "",
        last_date=last.date if last else None,
        responses=responses,
        signed=bool(last and last.is_signed),
        problem=problem,
    )


def patient_rows(store: ReadStore) -> list[PatientRow]:
    """Return every stored patient's row, by patient id."""
    return [patient_row(store, p.patient_id) for p in store.list_patients()]
