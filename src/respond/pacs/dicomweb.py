"""The DICOMweb client: QIDO-RS to find, WADO-RS to retrieve, STOW-RS to send.

Built on dicomweb-client. Retrieval streams one series at a time
(``iter_series``, ``multipart/related; type="application/dicom";
transfer-syntax=*``, so nothing is transcoded) and writes each instance's
part-10 bytes to disk, as the server sent them, the moment its part has
arrived.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import requests
from dicomweb_client.api import DICOMwebClient
from pydicom.errors import InvalidDicomError

from respond.pacs import _query as q
from respond.pacs._files import InstanceWriter, write_failure
from respond.pacs._http import build_session, http_errors, http_failure
from respond.pacs._multipart import boundary_of, iter_parts
from respond.pacs._send import SendBatch
from respond.pacs.errors import PacsError, RetrieveInterrupted

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

    import pydicom

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

__all__ = ["DicomWebClient"]

ANY_TRANSFER_SYNTAX = (("application/dicom", "*"),)
_REFUSED_ONE = {400, 409, 413, 415, 422}  # the server refused that file only


class _RawPartsClient(DICOMwebClient):
    """A DICOMwebClient that keeps the bytes of the last multipart part read.

    ``iter_series`` parses each part with pydicom; the bytes it parsed are
    what respond writes, unchanged. Parts are split by :mod:`._multipart`,
    which never gives out a part of an answer cut short.
    """

    last_part: bytes | None = None

    def _decode_multipart_message(
        self, response: requests.Response, stream: bool
    ) -> Iterator[bytes]:
        boundary = boundary_of(response.headers.get("content-type", ""))
        if boundary is None:
            yield from super()._decode_multipart_message(response, stream)
            return
        with response:
            chunks = (
                response.iter_content(chunk_size=self._chunk_size)
                if stream
                else iter([response.content])
            )
            for part in iter_parts(chunks, boundary):
                self.last_part = part
                yield part


class DicomWebClient:
    """A DICOMweb node (see :class:`respond.pacs.PacsClient`).

    Raises
    ------
    PacsConfigError
        The node's secret cannot be read.
    """

    def __init__(self, node: PacsNode) -> None:
        self.node = node
        self._session = build_session(node)
        self._client = _RawPartsClient(url=node.url, session=self._session)
        self._client.set_http_retry_params(retry=False)

    def echo(self) -> float:
        """Run a QIDO-RS study search with limit=1; return the round trip in ms."""
        start = time.perf_counter()
        with http_errors(self.node, "echo (a QIDO-RS search)"):
            self._client.search_for_studies(limit=1)
        return (time.perf_counter() - start) * 1000.0

    def find_studies(self, query: StudyQuery) -> list[StudyHit]:
        """QIDO-RS search for studies."""
        filters = q.study_filters(query)
        with http_errors(self.node, "the study search (QIDO-RS)"):
            answers = self._client.search_for_studies(
                search_filters=filters, fields=list(q.STUDY_FIELDS)
            )
            return q.sort_studies(q.study_hit(q.values_from_json(a)) for a in answers)

    def find_series(self, study_uid: str) -> list[SeriesHit]:
        """QIDO-RS search for the series of a study."""
        with http_errors(self.node, f"the series search of study {study_uid}"):
            answers = self._client.search_for_series(
                study_instance_uid=study_uid, fields=list(q.SERIES_FIELDS)
            )
            return q.sort_series(q.series_hit(q.values_from_json(a)) for a in answers)

    def retrieve_study(
        self,
        study_uid: str,
        dest: Path,
        *,
        progress: Callable[[RetrieveProgress], None] | None = None,
        cancel: threading.Event | None = None,
        series_uids: Sequence[str] | None = None,
    ) -> RetrieveResult:
        """WADO-RS retrieve, series by series, each instance written on arrival.

        A cancel returns the result with ``cancelled=True`` (complete files
        kept, no temporary file left). A lost connection raises
        :class:`RetrieveInterrupted` holding what was received.
        """
        writer = InstanceWriter(dest, study_uid, progress)
        try:
            todo = self._series_to_fetch(study_uid, series_uids, writer)
            if not todo:
                raise PacsError(
                    f"{self.node.label}: study {study_uid} was not found: check "
                    "the study UID ('respond pacs find' lists them)",
                    node=self.node.name,
                )
            for series_uid in todo:
                if cancel is not None and cancel.is_set():
                    return writer.result(cancelled=True)
                if not self._fetch_series(writer, study_uid, series_uid, cancel):
                    return writer.result(cancelled=True)
            return writer.result()
        finally:
            writer.close()

    def _series_to_fetch(
        self, study_uid: str, series_uids: Sequence[str] | None, writer: InstanceWriter
    ) -> list[str]:
        hits = self.find_series(study_uid)
        if series_uids:
            wanted = set(series_uids)
            hits = [h for h in hits if h.series_uid in wanted]
            missing = wanted - {h.series_uid for h in hits}
            if missing:
                raise PacsError(
                    f"{self.node.label}: study {study_uid} has no series "
                    f"{', '.join(sorted(missing))}: check the series UIDs",
                    node=self.node.name,
                )
        counts = [h.instance_count for h in hits]
        writer.total = None if None in counts else sum(c or 0 for c in counts)
        return [h.series_uid for h in hits]

    def _fetch_series(
        self,
        writer: InstanceWriter,
        study_uid: str,
        series_uid: str,
        cancel: threading.Event | None,
    ) -> bool:
        """Write one series' instances; False when cancelled part-way."""
        action = f"the retrieve (WADO-RS) of series {series_uid}"
        try:
            parts = self._client.iter_series(
                study_uid, series_uid, media_types=ANY_TRANSFER_SYNTAX
            )
            for dataset in parts:
                self._write(writer, dataset)
                if cancel is not None and cancel.is_set():
                    _close(parts)
                    return False
        except PacsError:
            raise
        except (InvalidDicomError, AttributeError) as exc:
            raise self._interrupted(writer, action, ValueError(str(exc))) from None
        except Exception as exc:  # noqa: BLE001 - requests, urllib3, parsing
            raise self._interrupted(writer, action, exc) from None
        return True

    def _write(self, writer: InstanceWriter, dataset: pydicom.Dataset) -> None:
        raw = self._client.last_part
        self._client.last_part = None
        if raw is None:  # a single part sent without multipart: encode it again
            raw = _encode(dataset)
        try:
            writer.write(
                str(dataset.StudyInstanceUID),
                str(dataset.SeriesInstanceUID),
                str(dataset.SOPInstanceUID),
                raw,
            )
        except OSError as exc:
            reason = write_failure(writer.dest, exc.strerror or str(exc))
            raise RetrieveInterrupted(
                f"{self.node.label}: {reason}", writer.result(), node=self.node.name
            ) from None
        writer.report()

    def _interrupted(
        self, writer: InstanceWriter, action: str, exc: BaseException
    ) -> RetrieveInterrupted:
        failure = http_failure(self.node, action, exc)
        done = writer.count
        message = (
            f"{failure} ({done} instance{'s' * (done != 1)} received before, kept)"
        )
        return RetrieveInterrupted(message, writer.result(), node=self.node.name)

    def send(
        self,
        paths: Sequence[Path],
        *,
        progress: Callable[[SendProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> SendResult:
        """STOW-RS each file (one request per file, so each gets its answer)."""
        batch = SendBatch(paths, progress, cancel)
        for path, dataset in batch.datasets():
            action = f"sending {path.name} (STOW-RS)"
            try:
                answer = self._client.store_instances([dataset])
            except requests.HTTPError as exc:
                status = 0 if exc.response is None else exc.response.status_code
                if status not in _REFUSED_ONE:
                    raise self._send_failed(batch, action, exc) from None
                batch.failed(path, str(http_failure(self.node, action, exc)))
                continue
            except (requests.RequestException, ValueError, OSError) as exc:
                raise self._send_failed(batch, action, exc) from None
            batch.done(path, _stow_failure(answer))
        return batch.result()

    def _send_failed(
        self, batch: SendBatch, action: str, exc: BaseException
    ) -> PacsError:
        sent = batch.sent_count
        return PacsError(
            f"{http_failure(self.node, action, exc)} ({sent} of "
            f"{len(batch.paths)} files were stored before)",
            node=self.node.name,
        )


def _close(parts: Any) -> None:
    close = getattr(parts, "close", None)
    if close is not None:
        close()


def _encode(dataset: pydicom.Dataset) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    dataset.save_as(buffer, enforce_file_format=False)
    return buffer.getvalue()


def _stow_failure(answer: pydicom.Dataset | None) -> str | None:
    """Why STOW-RS did not store the instance, or None when it did."""
    if answer is None:
        return None
    failed = answer.get("FailedSOPSequence")
    if not failed:
        return None
    reason = failed[0].get("FailureReason")
    return f"the server refused it (failure reason {reason or 'not given'})"
