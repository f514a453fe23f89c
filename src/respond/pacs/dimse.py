"""The DIMSE client: C-ECHO, C-FIND, C-GET or C-MOVE, and C-STORE (pynetdicom).

Each call opens its own association with the node's AE titles, TLS and
timeouts (ACSE, DIMSE and network: ``node.timeout``) and releases it after.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pydicom import Dataset

from respond.pacs import _query as q
from respond.pacs._contexts import STUDY_ROOT_FIND, VERIFICATION
from respond.pacs._dimse_assoc import (
    associated,
    check_accepted,
    lost_error,
    make_ae,
    status_of,
    status_text,
)
from respond.pacs._dimse_retrieve import run_get, run_move
from respond.pacs._files import InstanceWriter
from respond.pacs._send import SendBatch
from respond.pacs.errors import PacsError, RetrieveInterrupted

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from pynetdicom.association import Association

    from respond.pacs.model import (
        RetrieveProgress,
        RetrieveResult,
        SendProgress,
        SendResult,
        SeriesHit,
        StudyHit,
        StudyQuery,
    )
    from respond.pacs.nodes import PacsNode

__all__ = ["DimseClient"]

_MAX_CONTEXTS = 128
_FIND = STUDY_ROOT_FIND


class DimseClient:
    """A DIMSE node (see :class:`respond.pacs.PacsClient`)."""

    def __init__(self, node: PacsNode) -> None:
        self.node = node

    def echo(self) -> float:
        """C-ECHO; return the round trip (association included) in ms."""
        start = time.perf_counter()
        ae = make_ae(self.node)
        ae.add_requested_context(VERIFICATION)
        with associated(self.node, ae) as assoc:
            code = status_of(assoc.send_c_echo())
        if code is None:
            raise lost_error(self.node, "C-ECHO")
        if code != 0:
            raise PacsError(
                f"{self.node.label}: C-ECHO failed: {status_text(code)}",
                node=self.node.name,
            )
        return (time.perf_counter() - start) * 1000.0

    def _find(
        self, query: Dataset, keywords: Sequence[str], what: str
    ) -> list[q.Values]:
        for keyword in keywords:
            if keyword not in query:
                setattr(query, keyword, "")
        ae = make_ae(self.node)
        ae.add_requested_context(_FIND)
        found: list[q.Values] = []
        with associated(self.node, ae) as assoc:
            check_accepted(self.node, assoc, _FIND, "C-FIND (Study Root)")
            for status, identifier in assoc.send_c_find(query, _FIND):
                code = status_of(status)
                if code is None:
                    raise lost_error(self.node, f"the C-FIND of {what}")
                if code in (0xFF00, 0xFF01) and identifier is not None:
                    found.append(q.values_from_dataset(identifier, keywords))
                elif code not in (0x0000, 0xFF00, 0xFF01):
                    raise PacsError(
                        f"{self.node.label}: the C-FIND of {what} failed: "
                        f"{status_text(code)}",
                        node=self.node.name,
                    )
        return found

    def find_studies(self, query: StudyQuery) -> list[StudyHit]:
        """C-FIND at STUDY level."""
        identifier = Dataset()
        identifier.QueryRetrieveLevel = "STUDY"
        for keyword, value in q.study_filters(query).items():
            setattr(identifier, keyword, value)
        found = self._find(identifier, q.STUDY_FIELDS, "studies")
        return q.sort_studies(q.study_hit(values) for values in found)

    def find_series(self, study_uid: str) -> list[SeriesHit]:
        """C-FIND at SERIES level within one study."""
        identifier = Dataset()
        identifier.QueryRetrieveLevel = "SERIES"
        identifier.StudyInstanceUID = study_uid
        found = self._find(identifier, q.SERIES_FIELDS, f"the series of {study_uid}")
        return q.sort_series(q.series_hit(values) for values in found)

    def retrieve_study(
        self,
        study_uid: str,
        dest: Path,
        *,
        progress: Callable[[RetrieveProgress], None] | None = None,
        cancel: threading.Event | None = None,
        series_uids: Sequence[str] | None = None,
    ) -> RetrieveResult:
        """C-GET (or C-MOVE, per the node), each instance written on arrival.

        A cancel aborts the association and returns the result with
        ``cancelled=True``; a lost association raises
        :class:`~respond.pacs.RetrieveInterrupted` holding what was received.
        """
        writer = InstanceWriter(dest, study_uid, progress)
        run = run_move if self.node.retrieve == "move" else run_get
        try:
            result = run(self.node, writer, series_uids, cancel)
        except RetrieveInterrupted:
            raise
        except PacsError:
            self._raise_if_unknown(study_uid)
            raise
        finally:
            writer.close()
        if not result.files and not result.cancelled and not result.failed:
            self._raise_if_unknown(study_uid)
        return result

    def _raise_if_unknown(self, study_uid: str) -> None:
        """Raise 'not found' when C-FIND finds no series in the study."""
        if self.find_series(study_uid):
            return
        raise PacsError(
            f"{self.node.label}: study {study_uid} was not found: check the "
            "study UID ('respond pacs find' lists them)",
            node=self.node.name,
        )

    def send(
        self,
        paths: Sequence[Path],
        *,
        progress: Callable[[SendProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> SendResult:
        """C-STORE each file, with contexts from its SOP class and transfer syntax."""
        batch = SendBatch(paths, progress, cancel)
        headers = list(batch.datasets(header_only=True))
        pairs = sorted({_context_of(ds) for _, ds in headers})
        for start in range(0, len(pairs), _MAX_CONTEXTS):
            chunk = set(pairs[start : start + _MAX_CONTEXTS])
            todo = [path for path, ds in headers if _context_of(ds) in chunk]
            self._store(batch, chunk, todo)
        return batch.result()

    def _store(
        self, batch: SendBatch, contexts: set[tuple[str, str]], paths: list[Path]
    ) -> None:
        ae = make_ae(self.node)
        for sop_class, syntax in sorted(contexts):
            ae.add_requested_context(sop_class, [syntax])
        with associated(self.node, ae) as assoc:
            for path in paths:
                if batch.is_cancelled:
                    return
                batch.done(path, self._store_one(assoc, batch, path))

    def _store_one(
        self, assoc: Association, batch: SendBatch, path: Path
    ) -> str | None:
        try:
            status = assoc.send_c_store(path)
        except ValueError as exc:  # no accepted context for its class/syntax
            return f"the PACS accepts no context for it ({exc})"[:300]
        code = status_of(status)
        if code is None:
            raise PacsError(
                f"{lost_error(self.node, f'sending {path.name}')} ({batch.sent_count} "
                f"of {len(batch.paths)} files were stored before)",
                node=self.node.name,
            )
        if code == 0 or 0xB000 <= code <= 0xBFFF:
            return None
        return f"the PACS refused it: {status_text(code)}"


def _context_of(dataset: Dataset) -> tuple[str, str]:
    return str(dataset.SOPClassUID), str(dataset.file_meta.TransferSyntaxUID)
