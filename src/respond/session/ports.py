"""What the session needs from storage, as a Protocol the store satisfies.

The store (``respond.store``) implements this structurally without importing
``respond.session`` (as magicgui's backends and httpx's transports do). Every
method that changes the read commits in its own transaction and appends to the
audit trail; ``who`` is the reader's identity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

from respond.criteria.history import AuditEntry, PatientSummary, Revision
from respond.criteria.record import UNSEEN

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from respond.criteria import (
        Caliper,
        Clinical,
        Decision,
        Lesion,
        LesionExtent,
        LesionId,
        NewLesion,
        NonTargetObservation,
        PatientRead,
        ProposalReview,
        Settings,
        TargetMeasurement,
        TimePointRecord,
    )
    from respond.criteria.imaging import IndexedImage

__all__ = [
    "AuditEntry",
    "ImageCatalog",
    "PatientSummary",
    "ReadStore",
    "ReadingStore",
    "Revision",
]


class ReadStore(Protocol):
    """Persistent storage of reads; each change is one committed transaction."""

    def list_patients(self) -> list[PatientSummary]:
        """Return every patient, by patient id."""
        ...

    def load(self, patient_id: str) -> PatientRead:
        """Return a patient's whole read (raises if unknown)."""
        ...

    def create_patient(
        self, read: PatientRead, *, who: str, replace: bool = False
    ) -> None:
        """Store a patient's whole read (import); raises if the id exists.

        With ``replace`` an unsigned stored patient is replaced in the same
        transaction (the old read stays in the audit trail).
        """
        ...

    def delete_patient(self, patient_id: str, *, who: str) -> None:
        """Remove a patient (kept in the audit trail)."""
        ...

    def put_settings(
        self,
        patient_id: str,
        settings: Settings,
        reader: str | None,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Replace the assessment settings and reader of a patient."""
        ...

    def put_lesion(
        self,
        patient_id: str,
        lesion: Lesion,
        tracking_uid: str,
        position: int,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Insert or update a baseline lesion (identity kept by its id)."""
        ...

    def delete_lesion(
        self,
        patient_id: str,
        lesion_id: LesionId,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Remove a lesion and its measurements at every time point."""
        ...

    def put_timepoint(
        self,
        patient_id: str,
        record: TimePointRecord,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Insert or replace a whole time point (header, measurements, calipers)."""
        ...

    def delete_timepoint(
        self, patient_id: str, uid: str, *, who: str, seen: object = UNSEEN
    ) -> None:
        """Remove a time point (refused while it is signed)."""
        ...

    def put_target(
        self,
        patient_id: str,
        uid: str,
        lesion_id: LesionId,
        measurement: TargetMeasurement | None,
        calipers: Sequence[Caliper],
        *,
        who: str,
        seen: object = UNSEEN,
        extent: LesionExtent | Literal["keep"] | None = "keep",
        review: ProposalReview | None = None,
    ) -> None:
        """Set (or clear, with None) a target's measurement and calipers.

        ``seen`` (measurement, calipers as shown): only what the edit changes is
        written; a conflicting change by another writer raises StaleEditError.
        ``extent``: click-to-measure's volume and enhancing fraction (None
        clears them, ``"keep"`` leaves them; a target not measured keeps
        none). ``review``: the calipers are an accepted click-to-measure
        proposal, audited with whether the reader adjusted them.
        """
        ...

    def put_non_target(
        self,
        patient_id: str,
        uid: str,
        lesion_id: LesionId,
        observation: NonTargetObservation | None,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Set (or clear) a non-target's status at a time point."""
        ...

    def put_new_lesion(
        self,
        patient_id: str,
        uid: str,
        finding: NewLesion,
        tracking_uid: str,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Insert or update a new finding at a time point."""
        ...

    def delete_new_lesion(
        self,
        patient_id: str,
        uid: str,
        finding_id: str,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Remove a new finding from a time point."""
        ...

    def put_clinical(
        self,
        patient_id: str,
        uid: str,
        clinical: Clinical,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Replace the clinical status of a time point."""
        ...

    def put_decision(
        self,
        patient_id: str,
        uid: str,
        decision: Decision,
        *,
        who: str,
        seen_revision: int | None = None,
    ) -> None:
        """Record the clinician's decision on the recommendation."""
        ...

    def sign(
        self,
        patient_id: str,
        uid: str,
        *,
        who: str,
        at: str,
        seen_revision: int | None = None,
    ) -> None:
        """Sign a time point: it becomes read-only (refused if the read changed)."""
        ...

    def revision(self, patient_id: str) -> int:
        """Return the patient's revision: it changes with every edit of the read."""
        ...

    def data_version(self) -> int:
        """Return a number that moves when another connection commits."""
        ...

    @property
    def last_revisions(self) -> tuple[int, int]:
        """The patient's revision before and after the latest edit made here."""
        ...

    def unlock(self, patient_id: str, uid: str, *, who: str, reason: str) -> None:
        """Unlock a signed time point (audited, with the reason)."""
        ...

    def record_revision(
        self,
        patient_id: str,
        uid: str,
        criterion: str,
        before: str | None,
        after: str,
        reason: str,
        *,
        who: str,
    ) -> None:
        """Record a revised category (e.g. a back-dated PD); the earlier read stays."""
        ...

    def restore_lesion(
        self,
        patient_id: str,
        lesion: Lesion,
        tracking_uid: str,
        position: int,
        timepoints: Sequence[TimePointRecord],
        *,
        who: str,
    ) -> None:
        """Put a removed lesion back with its measurements, in one transaction."""
        ...

    def put_timepoints(
        self,
        patient_id: str,
        records: Sequence[TimePointRecord],
        *,
        who: str,
        confirmations: Sequence[tuple[str, str, Mapping[str, str]]] = (),
    ) -> None:
        """Insert or replace several time points in one transaction.

        ``confirmations`` (key, what, details) are audited in the same one.
        """
        ...

    def record_confirmation(
        self,
        patient_id: str,
        key: str,
        what: str,
        details: Mapping[str, str],
        *,
        who: str,
    ) -> None:
        """Record in the audit trail what the reader explicitly confirmed."""
        ...

    def deleted(self, patient_id: str | None = None) -> list[AuditEntry]:
        """Return the removals not restored since (patients, time points, lesions)."""
        ...

    def restore_deleted(self, audit_id: int, *, who: str) -> str:
        """Put back what a removal took away; return what was restored."""
        ...

    def audit(self, patient_id: str | None = None) -> list[AuditEntry]:
        """Return the audit trail, oldest first."""
        ...

    def revisions(self, patient_id: str) -> list[Revision]:
        """Return a patient's revised categories, oldest first."""
        ...


class ImageCatalog(Protocol):
    """The image index: which files hold which study, series and instance.

    Every scanned folder or DICOMDIR is indexed, so a patient's time points are
    found again across folders (baseline and follow-up exported apart).
    """

    def index_images(
        self, root: str, images: Sequence[IndexedImage], *, complete: bool = True
    ) -> None:
        """Record what a scan of ``root`` found (complete: the root's whole truth)."""
        ...

    def study_images(self, study_uid: str) -> list[IndexedImage]:
        """Return every indexed file of a study, across all roots."""
        ...

    def forget_images(self, paths: Sequence[str]) -> None:
        """Drop files found missing on disk from the index."""
        ...

    def indexed_roots(self) -> list[tuple[str, str, int]]:
        """Return (root, scanned at, number of files) of every indexed root."""
        ...


class ReadingStore(ReadStore, ImageCatalog, Protocol):
    """The store the desktop app reads with: reads plus the image index."""
