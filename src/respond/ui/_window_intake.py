"""The main window's intake: a study becomes a patient, or a time point.

"New patient from study" scans a folder or DICOMDIR, lets the reader choose a
study and creates the patient from its headers (an existing patient with the
same ID is offered instead of a duplicate). "Add study" checks the study against
the open patient first (:meth:`~respond.session.ReadSession.check_study`): a
refusal is shown, a PatientID mismatch or a new baseline needs an explicit
confirmation naming what is at stake, and name or birth-date differences are
shown as a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.dicom import study_facts
from respond.errors import RespondError
from respond.session.intake import create_patient
from respond.ui.commands import AddStudyCommand, push

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable
    from pathlib import Path

    from PySide6.QtGui import QUndoStack

    from respond.criteria.imaging import StudyFacts
    from respond.dicom import PatientEntry, ScanResult, StudyEntry
    from respond.session import ReadingStore, ReadSession
    from respond.ui.error_reporter import ErrorReporter
    from respond.ui.loader import FolderScanWorker
    from respond.ui.prompts import Prompts

__all__ = ["IntakeMixin"]


class IntakeMixin:
    """New patients and time points from studies (mixed into MainWindow)."""

    session: ReadSession | None
    store: ReadingStore
    home_store: ReadingStore
    reader: str
    prompts: Prompts
    errors: ErrorReporter
    stack: QUndoStack
    scan_result: ScanResult | None

    # -- new patient ------------------------------------------------------------------
    if TYPE_CHECKING:

        def open_folder(
            self, path: Path, then: Callable[[ScanResult], None] | None = None
        ) -> FolderScanWorker: ...
        def open_patient(self, patient_id: str) -> ReadSession | None: ...
        def set_timepoint(self, uid: str) -> None: ...
        def close_patient(self) -> None: ...

    def new_patient_from_study(self, path: Path | None = None) -> object:
        """Ask for a folder or DICOMDIR, then for one of its studies."""
        folder = path or self.prompts.folder(
            "New patient from study: choose the study's folder (or a DICOMDIR's)"
        )
        if folder is None:
            return None
        return self.open_folder(folder, then=self._choose_new_patient)

    def _choose_new_patient(self, result: ScanResult) -> None:
        known = {p.patient_id for p in self.home_store.list_patients()}
        choice = self.prompts.study(
            result, title="New patient from study", known_patients=known
        )
        if choice is None:
            return
        patient, study, series_uid = choice
        self.create_patient_from(patient, study, series_uid)

    def create_patient_from(
        self, patient: PatientEntry, study: StudyEntry, series_uid: str | None = None
    ) -> bool:
        """Create a patient from a study (it becomes the baseline) and open it."""
        facts = study_facts(patient, study)
        if self.store is not self.home_store:  # the demo is open: never mix
            self.close_patient()
        known = {p.patient_id for p in self.home_store.list_patients()}
        if facts.patient_id.strip() in known:
            pid = facts.patient_id.strip()
            if (
                self.prompts.confirm(
                    "Patient already in respond",
                    f"Patient {pid} is already in respond. Open it and add this study "
                    f"({study.date or 'undated'} {study.description}) as a time point "
                    "instead of creating a duplicate?",
                    default_yes=True,
                )
                and self.open_patient(pid) is not None
            ):
                return self.add_study(patient, study, series_uid)
            return False
        answered, date = self._date_for(facts)
        if not answered:
            return False
        try:
            read = create_patient(
                self.home_store,
                facts,
                who=self.reader,
                series_uid=series_uid,
                date=date,
            )
        except RespondError as exc:
            self.errors.report(exc)
            return False
        self.open_patient(read.patient.id)
        return True

    def _date_for(self, facts: StudyFacts) -> tuple[bool, dt.date | None]:
        """Return whether there is a date, and the date asked for.

        (True, None) when the study's own date is good, (True, date) when the
        reader gave one, (False, None) when the reader gave none.
        """
        from respond.session.intake import parse_dicom_date

        if parse_dicom_date(facts.date) is not None:
            return True, None
        asked = self.prompts.date(
            f"Study {facts.description or facts.study_uid} has no usable StudyDate "
            f"({facts.date or 'empty'}). Imaging date (YYYY-MM-DD):"
        )
        if asked is None:
            self.errors.report(
                f"study {facts.study_uid} was not added: it needs an imaging date"
            )
            return False, None
        return True, asked

    # -- add a study to the open patient ---------------------------------------
    def add_study_from_folder(self, path: Path | None = None) -> object:
        """Ask for a folder or DICOMDIR, then for the study to add as a time point."""
        if self.session is None:
            self.errors.report("open a patient first (File > Open patient…)")
            return None
        folder = path or self.prompts.folder(
            "Add study: choose the study's folder (or a DICOMDIR's)"
        )
        if folder is None:
            return None
        return self.open_folder(folder, then=self._choose_study_to_add)

    def _choose_study_to_add(self, result: ScanResult) -> None:
        if self.session is None:
            return
        pid = self.session.read.patient.id
        choice = self.prompts.study(
            result, title=f"Add a study of {pid} as a time point", known_patients=()
        )
        if choice is not None:
            self.add_study(*choice)

    def add_study(
        self, patient: PatientEntry, study: StudyEntry, series_uid: str | None = None
    ) -> bool:
        """Add a study to the open patient after the checks and confirmations."""
        session = self.session
        if session is None:
            self.errors.report("open a patient first (File > Open patient…)")
            return False
        facts = study_facts(patient, study)
        answered, date = self._date_for(facts)
        if not answered:
            return False
        check = session.check_study(facts, date=date)
        if check.refusal:
            self.errors.report(check.refusal)
            return False
        if check.id_mismatch and not self.prompts.confirm(
            "Study of another patient ID", check.id_mismatch
        ):
            self.errors.report(
                f"study {facts.study_uid} was not added: it belongs to patient ID "
                f"'{facts.patient_id}', not '{session.read.patient.id}'"
            )
            return False
        if check.new_baseline and not self.prompts.confirm(
            "New baseline?", check.new_baseline
        ):
            self.errors.report(
                f"study {facts.study_uid} was not added: it predates the baseline"
            )
            return False
        if check.warnings and not self.prompts.confirm(
            "Check the patient",
            "The study's headers differ from the patient's:\n\n• "
            + "\n• ".join(check.warnings)
            + "\n\nAdd it anyway?",
            default_yes=True,
        ):
            return False
        command = AddStudyCommand(
            session,
            facts,
            series_uid=series_uid,
            date=date,
            confirm_id_mismatch=bool(check.id_mismatch),
            confirm_new_baseline=bool(check.new_baseline),
        )
        if not push(self.stack, command):
            return False
        self.set_timepoint(command.uid)
        return True
