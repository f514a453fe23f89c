"""What a PACS client takes and returns: queries, hits, progress and results.

Plain frozen dataclasses, the same for DICOMweb and DIMSE, and the
:class:`PacsClient` protocol both clients follow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Sequence

    from respond.pacs.nodes import PacsNode

__all__ = [
    "PacsClient",
    "RetrieveProgress",
    "RetrieveResult",
    "SendFailure",
    "SendProgress",
    "SendResult",
    "SeriesHit",
    "StudyHit",
    "StudyQuery",
]


@dataclass(frozen=True)
class StudyQuery:
    """What to look for: every field left empty matches everything.

    ``patient_name`` and ``patient_id`` take DICOM wildcards (``*`` any run of
    characters, ``?`` one character); ``date_from`` and ``date_to`` bound the
    study date (either may be None); ``modality`` matches ModalitiesInStudy.
    """

    patient_id: str = ""
    patient_name: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    modality: str = ""
    accession: str = ""


@dataclass(frozen=True)
class StudyHit:
    """One study the PACS holds (counts None when the PACS did not give them)."""

    study_uid: str
    patient_id: str = ""
    patient_name: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    study_date: dt.date | None = None
    study_time: str = ""
    description: str = ""
    accession: str = ""
    modalities: tuple[str, ...] = ()
    series_count: int | None = None
    instance_count: int | None = None


@dataclass(frozen=True)
class SeriesHit:
    """One series of a study (number and count None when not given)."""

    series_uid: str
    modality: str = ""
    number: int | None = None
    description: str = ""
    instance_count: int | None = None


@dataclass(frozen=True)
class RetrieveProgress:
    """Reported after each instance written to disk.

    ``total`` is the number of instances expected, None while unknown.
    """

    done: int
    total: int | None
    bytes_received: int
    last_path: Path | None


@dataclass(frozen=True)
class RetrieveResult:
    """What a retrieve wrote: ``folder`` is ``dest/<StudyInstanceUID>``.

    ``failed`` and ``warnings`` count the sub-operations the PACS reported as
    failed or completed with a warning; ``cancelled`` is True when the caller's
    cancel event stopped the retrieve (the files in ``files`` are complete).
    """

    study_uid: str
    folder: Path
    files: tuple[Path, ...] = ()
    failed: int = 0
    warnings: int = 0
    cancelled: bool = False
    bytes_received: int = 0


@dataclass(frozen=True)
class SendProgress:
    """Reported after each file sent (or refused)."""

    done: int
    total: int
    last_path: Path


@dataclass(frozen=True)
class SendFailure:
    """A file the PACS did not store, and why."""

    path: Path
    reason: str


@dataclass(frozen=True)
class SendResult:
    """The files stored, those refused, and those not tried (after a cancel)."""

    sent: tuple[Path, ...] = ()
    failed: tuple[SendFailure, ...] = ()
    cancelled: bool = False
    not_sent: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every file was stored."""
        return not self.failed and not self.not_sent and not self.cancelled


class PacsClient(Protocol):
    """One PACS node, over DICOMweb or DIMSE (see :func:`respond.pacs.connect`).

    Every method opens its own connection (association or HTTP requests) and
    raises :class:`~respond.pacs.PacsError` with a message naming the node when
    the PACS cannot be reached or refuses.
    """

    node: PacsNode

    def echo(self) -> float:
        """Check the node answers; return the round trip in milliseconds."""
        ...

    def find_studies(self, query: StudyQuery) -> list[StudyHit]:
        """Return the studies matching ``query``."""
        ...

    def find_series(self, study_uid: str) -> list[SeriesHit]:
        """Return the series of a study."""
        ...

    def retrieve_study(
        self,
        study_uid: str,
        dest: Path,
        *,
        progress: Callable[[RetrieveProgress], None] | None = None,
        cancel: threading.Event | None = None,
        series_uids: Sequence[str] | None = None,
    ) -> RetrieveResult:
        """Write a study (or some of its series) under ``dest/<study>/<series>``."""
        ...

    def send(
        self,
        paths: Sequence[Path],
        *,
        progress: Callable[[SendProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> SendResult:
        """Store DICOM files on the node."""
        ...
