"""The time points of the open read (part of MainWindow).

The time point box and the prior box follow the read; choosing a time point
makes it current (its images load, its calipers show, the hanging protocol
applies); the arterial-phase mark is an undoable edit; a time point is added
from the shown series' study or removed (asked first, undoable, refused when
signed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.ui.commands import RemoveTimepointCommand, UpdateTimepointCommand, push

if TYPE_CHECKING:
    from PySide6.QtGui import QAction, QUndoStack
    from PySide6.QtWidgets import QComboBox

    from respond.criteria import TimePointRecord
    from respond.dicom import PatientEntry, ScanResult, StudyEntry
    from respond.session import ReadSession
    from respond.ui.clinical_panel import ClinicalPanel
    from respond.ui.error_reporter import ErrorReporter
    from respond.ui.lesion_panel import LesionPanel
    from respond.ui.loader import FilesScanWorker
    from respond.ui.navigator import LesionNavigator
    from respond.ui.pacs_dialog import PacsDialog
    from respond.ui.pane import ViewerPane
    from respond.ui.prompts import Prompts
    from respond.ui.series_loader import PaneLoader

__all__ = ["TimepointsMixin"]


class TimepointsMixin:
    """The time point and prior boxes, the arterial mark, adding and removing."""

    if TYPE_CHECKING:
        session: ReadSession | None
        current_uid: str
        scan_result: ScanResult | None
        stack: QUndoStack
        errors: ErrorReporter
        prompts: Prompts
        timepoint_box: QComboBox
        prior_box: QComboBox
        arterial_action: QAction
        compare: QAction
        loader: PaneLoader
        current_pane: ViewerPane
        lesions: LesionPanel
        clinical: ClinicalPanel
        navigator: LesionNavigator
        pacs_dialog: PacsDialog | None
        _image_studies: frozenset[str]

        def navigator_changed(self) -> None: ...
        def find_images(self) -> FilesScanWorker | None: ...
        def _show_timepoint_images(self) -> None: ...
        def _load_prior(self) -> None: ...
        def _missing(self, record: TimePointRecord) -> bool: ...
        def _check_phase(self, measuring_viable: bool = False) -> None: ...
        def _caption_current(self) -> None: ...
        def apply_hanging_protocol(self) -> None: ...
        def add_study(
            self,
            patient: PatientEntry,
            study: StudyEntry,
            series_uid: str | None = None,
        ) -> bool: ...

    def _on_timepoints_changed(self) -> None:
        if self.session is None:
            return
        self.navigator_changed()
        if self.session.read.timepoint(self.current_uid) is None:
            remaining = self.session.read.timepoints
            self.current_uid = remaining[-1].uid if remaining else ""
            if self.current_uid:
                self.set_timepoint(self.current_uid)
            else:
                self.loader.forget()
                self.current_pane.show_message(
                    "No time point yet: add a study (File > Add study…)."
                )
        self._fill_timepoints()
        studies = {tp.study_uid for tp in self.session.read.timepoints if tp.study_uid}
        if studies != self._image_studies:  # a study came or went: look again
            self.find_images()
        if self.current_uid:
            self._show_timepoint_images()
        if self.compare.isChecked():
            self._load_prior()

    def _fill_timepoints(self) -> None:
        if self.pacs_dialog is not None:
            self.pacs_dialog.refresh_time_points()
        if self.session is None:
            return
        self.timepoint_box.blockSignals(True)
        self.timepoint_box.clear()
        for record in self.session.read.timepoints:
            signed = "  ✓ signed" if record.is_signed else ""
            missing = "  (images not found)" if self._missing(record) else ""
            self.timepoint_box.addItem(
                f"{record.label}  {record.date.isoformat()}{signed}{missing}",
                record.uid,
            )
        index = self.timepoint_box.findData(self.current_uid)
        self.timepoint_box.setCurrentIndex(max(index, 0))
        self.timepoint_box.blockSignals(False)
        self._sync_arterial()
        chosen = self.prior_box.currentData()
        self.prior_box.blockSignals(True)
        self.prior_box.clear()
        for record in self.session.read.timepoints:
            if record.uid == self.current_uid:
                break
            self.prior_box.addItem(
                f"{record.label}  {record.date.isoformat()}", record.uid
            )
        self.prior_box.setCurrentIndex(max(self.prior_box.findData(chosen), 0))
        self.prior_box.blockSignals(False)

    def _on_arterial_toggled(self, on: bool) -> None:
        if self.session is None or not self.current_uid:
            return
        record = self.session.timepoint(self.current_uid)
        text = "arterial" if on else "not arterial"
        push(
            self.stack,
            UpdateTimepointCommand(
                self.session,
                self.current_uid,
                f"Mark {record.label} {text}",
                arterial_phase=on,
            ),
        )
        self._sync_arterial()
        self._check_phase()
        self._caption_current()

    def _sync_arterial(self) -> None:
        record = (
            None
            if self.session is None
            else self.session.read.timepoint(self.current_uid)
        )
        self.arterial_action.blockSignals(True)
        self.arterial_action.setChecked(
            bool(record and record.timepoint.arterial_phase)
        )
        self.arterial_action.setEnabled(record is not None and not record.is_signed)
        self.arterial_action.blockSignals(False)

    def _on_timepoint_box_activated(self, index: int) -> None:
        self.set_timepoint(str(self.timepoint_box.itemData(index)))

    def set_timepoint(self, uid: str) -> None:
        """Make a time point current: its series loads and its calipers show."""
        if self.session is None:
            return
        record = self.session.read.timepoint(uid)
        if record is None:  # removed meanwhile (undo of its addition, say)
            self.errors.report(f"no time point {uid!r} in this read")
            return
        self.current_uid = uid
        self.navigator.set_current_timepoint(uid)
        self.lesions.set_timepoint(uid)
        self.clinical.set_timepoint(uid)
        self._fill_timepoints()
        self._show_timepoint_images()
        self.apply_hanging_protocol()

    def add_timepoint_from_series(self) -> None:
        """Add the shown series' study as a time point."""
        series = self.loader.series
        if self.session is None or series is None or self.scan_result is None:
            self.errors.report("open a patient and show a series first")
            return
        from respond.dicom import find_study

        found = find_study(self.scan_result, series.study_uid)
        if found is None:
            self.errors.report("open the series' folder again")
            return
        self.add_study(found[0], found[1], series.series_uid)

    def remove_timepoint(self, uid: str | None = None) -> bool:
        """Remove a time point (asks first; undoable; a signed one is refused)."""
        if self.session is None:
            return False
        record = self.session.read.timepoint(uid or self.current_uid)
        if record is None:
            return False
        if record.is_signed:
            self.errors.report(
                f"time point {record.label} is signed: unlock it (Clinical tab, with "
                "a reason) before removing it"
            )
            return False
        measured = len(record.timepoint.targets) + len(record.timepoint.non_targets)
        if not self.prompts.confirm(
            "Remove time point",
            f"Remove time point {record.label} ({record.date.isoformat()}) and the "
            f"{measured} measurements and observations recorded on it?\n\n"
            "Edit > Undo puts it back; the removal is kept in the audit trail.",
        ):
            return False
        return push(self.stack, RemoveTimepointCommand(self.session, record.uid))
