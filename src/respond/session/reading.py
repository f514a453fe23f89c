"""The reading rules of the open read, without Qt (the window asks, this decides).

Which lesion may be measured, on which series, what the calipers of a lesion
become after a line is drawn or moved, which earlier time point is the prior,
which is the nadir, where a lesion was measured: the window converts pixels to
patient millimetres (through ``dicom`` geometry) and calls these; the session
stores the result. Slicer's Logic/Widget split: this is the logic.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from respond.criteria import CaliperKind, Criterion, LesionId, Role
from respond.session.errors import WorkflowError
from respond.session.intake import parse_dicom_date

if TYPE_CHECKING:
    from collections.abc import Mapping

    from respond.criteria import Caliper, Lesion, TimePointRecord
    from respond.session.read_session import ReadSession

__all__ = [
    "MeasureRefusedError",
    "ReadingController",
    "ShownSeries",
    "WrongStudyError",
]


class MeasureRefusedError(WorkflowError):
    """A caliper that may not be drawn or moved here; the message says why."""


class WrongStudyError(MeasureRefusedError):
    """The series shown is not one of the selected time point's study.

    Parameters
    ----------
    timepoint
        The selected time point's label and date.
    shown
        What the pane shows (time point, study, series).
    """

    def __init__(self, timepoint: str, shown: str) -> None:
        super().__init__(
            f"the viewer shows {shown}, not the images of the selected time point "
            f"{timepoint}: a caliper drawn here would be saved on the wrong study. "
            f"Show a series of {timepoint} (choose it in the time point box or the "
            "series list), or select the time point these images belong to"
        )
        self.timepoint = timepoint
        self.shown = shown


@dataclass(frozen=True, slots=True)
class ShownSeries:
    """What a viewer pane shows.

    Parameters
    ----------
    series_uid
        The series' SeriesInstanceUID.
    study_uid
        Its StudyInstanceUID ("" when unknown).
    number, description
        SeriesNumber and SeriesDescription, for messages.
    study_date
        The study's date, which links it to a time point made without a study
        (an imported case).
    """

    series_uid: str
    study_uid: str = ""
    number: int | None = None
    description: str = ""
    study_date: str = ""
    """The study's StudyDate as written (``YYYYMMDD``; "" when unknown)."""

    @property
    def name(self) -> str:
        """``series #3 ARTERIAL LIVER`` (or the UID when it has no number)."""
        number = f"#{self.number}" if self.number is not None else self.series_uid
        return f"series {number} {self.description}".rstrip()


class ReadingController:
    """The reading rules over one open :class:`~respond.session.ReadSession`."""

    def __init__(self, session: ReadSession) -> None:
        self.session = session

    # -- which time point a series belongs to ------------------------------------
    def owner(self, shown: ShownSeries) -> TimePointRecord | None:
        """Return the time point whose study (or measured series) this is."""
        for record in self.session.read.timepoints:
            if shown.study_uid and record.study_uid == shown.study_uid:
                return record
        for record in self.session.read.timepoints:
            if (
                record.series_uid
                and record.series_uid == shown.series_uid
                and (not shown.study_uid or not record.study_uid)
            ):
                return record
        return None

    def belongs(self, uid: str, shown: ShownSeries) -> bool:
        """Whether the series shown is one of time point ``uid``'s study.

        A time point linked to a study takes that study's series (or, when the
        shown study is unknown, its own series). One not linked to a study (an
        imported case) takes its own series, else only a study of its date
        that no other time point claims.
        """
        record = self.session.timepoint(uid)
        if record.study_uid and shown.study_uid:
            return record.study_uid == shown.study_uid
        if record.series_uid and record.series_uid == shown.series_uid:
            return True
        if record.study_uid:
            return False
        return (
            self.owner(shown) is None
            and parse_dicom_date(shown.study_date) == record.date
        )

    def check_series(self, uid: str, shown: ShownSeries | None) -> TimePointRecord:
        """Return time point ``uid`` if a caliper may be drawn on ``shown``.

        Raises
        ------
        MeasureRefusedError
            Nothing shown.
        WrongStudyError
            The series shown belongs to another study (or time point).
        """
        record = self.session.timepoint(uid)
        if shown is None:
            raise MeasureRefusedError(
                f"no images of time point {_name(record)} are shown; show its "
                "series first"
            )
        if not self.belongs(uid, shown):
            owner = self.owner(shown)
            where = (
                f"{shown.name} of time point {_name(owner)}"
                if owner is not None
                else f"{shown.name} of study {shown.study_uid or 'unknown'}, which "
                "is not a time point of this patient"
            )
            raise WrongStudyError(_name(record), where)
        return record

    # -- which lesion may be measured ---------------------------------------------
    def measurable(self, lesion_id: str | None) -> Lesion:
        """Return the lesion a caliper may be drawn for.

        Raises
        ------
        MeasureRefusedError
            No lesion selected, or one that is not a target.
        """
        lesion = self.session.read.lesion(LesionId(lesion_id)) if lesion_id else None
        if lesion is None:
            raise MeasureRefusedError(
                "select the target lesion to measure in the lesion panel (or add "
                "one), then draw"
            )
        if lesion.role is not Role.TARGET:
            raise MeasureRefusedError(
                f"{lesion.id} is a non-target lesion: record its status (present, "
                "absent, unequivocal progression) instead of measuring it"
            )
        return lesion

    # -- calipers -----------------------------------------------------------------
    def after_draw(self, uid: str, lesion_id: str, caliper: Caliper) -> list[Caliper]:
        """Return the lesion's calipers at ``uid`` once ``caliper`` is added.

        A new long axis, short axis or viable line replaces the old one of its
        kind; fragments add up (their index is set here).
        """
        record = self.session.timepoint(uid)
        existing = list(record.calipers.get(LesionId(lesion_id), ()))
        if caliper.kind is CaliperKind.FRAGMENT:
            index = 1 + max(
                (c.index for c in existing if c.kind is CaliperKind.FRAGMENT),
                default=-1,
            )
            return [*existing, dataclasses.replace(caliper, index=index)]
        return [*(c for c in existing if c.kind is not caliper.kind), caliper]

    def after_move(
        self,
        uid: str,
        lesion_id: str,
        moved: Mapping[tuple[CaliperKind, int], Caliper],
    ) -> list[Caliper]:
        """Return the lesion's calipers at ``uid`` with the moved ones replaced."""
        record = self.session.timepoint(uid)
        return [
            moved.get((c.kind, c.index), c)
            for c in record.calipers.get(LesionId(lesion_id), ())
        ]

    def anchor(self, uid: str, lesion_id: str) -> Caliper | None:
        """Return where the lesion was measured at ``uid`` (its long axis first)."""
        record = self.session.read.timepoint(uid)
        if record is None:
            return None
        calipers = record.calipers.get(LesionId(lesion_id), ())
        order = (CaliperKind.LONG_AXIS, CaliperKind.SHORT_AXIS, CaliperKind.VIABLE)
        for kind in (*order, CaliperKind.FRAGMENT):
            for caliper in calipers:
                if caliper.kind is kind:
                    return caliper
        return None

    def nearest_anchor(self, uid: str, lesion_id: str) -> Caliper | None:
        """Return the lesion's caliper at ``uid``, else at the closest earlier one.

        Opens the current pane at the prior's position when the lesion has not
        been measured here yet.
        """
        own = self.anchor(uid, lesion_id)
        if own is not None:
            return own
        for record in reversed(self.earlier(uid)):
            found = self.anchor(record.uid, lesion_id)
            if found is not None:
                return found
        return None

    # -- time points ----------------------------------------------------------------
    def earlier(self, uid: str) -> list[TimePointRecord]:
        """Return the time points before ``uid``, in date order."""
        records = list(self.session.read.timepoints)
        uids = [r.uid for r in records]
        return records[: uids.index(uid)] if uid in uids else []

    def prior_uid(self, uid: str, chosen: str | None = None) -> str:
        """Return the prior of ``uid``: the chosen earlier one, else the baseline."""
        earlier = [r.uid for r in self.earlier(uid)]
        if not earlier:
            return ""
        return chosen if chosen in earlier else earlier[0]

    def nadir(self, uid: str, criterion: Criterion = Criterion.RECIST11) -> str:
        """Return the earlier time point with the smallest target sum ("" if none)."""
        assessment = self.session.assessment
        if assessment is None:
            return ""
        uids = [tp.uid for tp in self.session.read.timepoints]
        if uid not in uids:
            return ""
        best: tuple[object, str] | None = None
        for index in range(uids.index(uid)):
            result = assessment.timepoints[index].results.get(criterion)
            if result is None or result.sum_mm is None:
                continue
            if best is None or result.sum_mm < best[0]:  # type: ignore[operator]
                best = (result.sum_mm, uids[index])
        return "" if best is None else best[1]


def _name(record: TimePointRecord | None) -> str:
    if record is None:
        return "?"
    return f"{record.label} ({record.date.isoformat()})"
