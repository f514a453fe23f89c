"""C-GET and C-MOVE: each instance written to disk as it arrives.

The C-STORE handler runs on pynetdicom's thread: it writes the dataset exactly
as received (``event.encoded_dataset()``: the file meta and the encoded bytes,
never decoded and encoded again). The progress callback and the cancel check
run on the caller's thread, after each pending C-GET/C-MOVE response.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, Final, cast

from pydicom import Dataset
from pydicom.filereader import read_dataset
from pydicom.uid import UID
from pynetdicom import evt

from respond.pacs._contexts import (
    STUDY_ROOT_GET,
    STUDY_ROOT_MOVE,
    add_get_contexts,
    add_storage_scp_contexts,
)
from respond.pacs._dimse_assoc import (
    associated,
    check_accepted,
    lost_error,
    make_ae,
    server_tls,
    status_of,
    status_text,
)
from respond.pacs._files import write_failure
from respond.pacs.errors import PacsError, RetrieveInterrupted

if TYPE_CHECKING:
    import threading
    from collections.abc import Iterator, Sequence

    from pydicom.tag import BaseTag
    from pynetdicom import AE
    from pynetdicom.association import Association
    from pynetdicom.dimse_primitives import C_STORE
    from pynetdicom.events import Event
    from pynetdicom.transport import ThreadedAssociationServer

    from respond.pacs._files import InstanceWriter
    from respond.pacs.model import RetrieveResult
    from respond.pacs.nodes import PacsNode

_PENDING = {0xFF00, 0xFF01}
_OUT_OF_RESOURCES = 0xA700
_SERIES_UID: Final = 0x0020000E


class Receiver:
    """The C-STORE handler: writes each instance, counts what it refused."""

    def __init__(self, writer: InstanceWriter, cancel: threading.Event | None) -> None:
        self.writer = writer
        self.cancel = cancel
        self.refused = 0
        self.error: str | None = None

    def handle(self, event: Event) -> int:
        """Write the dataset as received; return the C-STORE status."""
        if self.cancel is not None and self.cancel.is_set():
            self.refused += 1
            return _OUT_OF_RESOURCES
        try:
            study_uid, series_uid = _study_and_series(event)
            self.writer.write(
                study_uid,
                series_uid,
                str(cast("C_STORE", event.request).AffectedSOPInstanceUID),
                event.encoded_dataset(include_meta=True),
            )
        except OSError as exc:
            self.refused += 1
            self.error = exc.strerror or str(exc)[:200]
            return _OUT_OF_RESOURCES
        except (AttributeError, ValueError):  # a data set respond cannot read
            self.refused += 1
            return 0xC000
        return 0x0000


def _past_series_uid(tag: BaseTag, _vr: str | None, _length: int) -> bool:
    return bool(tag > _SERIES_UID)


def _study_and_series(event: Event) -> tuple[str, str]:
    """Read a received data set's study and series UIDs, and nothing past them.

    Decoding the whole data set (``event.dataset``) would copy the pixel data
    once more for two UIDs near its start; a deflated one is decoded whole.
    """
    syntax = UID(str(event.context.transfer_syntax))
    stream = cast("C_STORE", event.request).DataSet
    if syntax.is_deflated or not isinstance(stream, BytesIO):
        dataset = event.dataset
    else:
        stream.seek(0)
        dataset = read_dataset(
            stream,
            syntax.is_implicit_VR,
            syntax.is_little_endian,
            stop_when=_past_series_uid,
        )
        stream.seek(0)
    return str(dataset.StudyInstanceUID), str(dataset.SeriesInstanceUID)


@dataclass
class _Tally:
    """Sub-operation counts of the final response."""

    failed: int = 0
    warnings: int = 0


def _queries(study_uid: str, series_uids: Sequence[str] | None) -> list[Dataset]:
    if not series_uids:
        query = Dataset()
        query.QueryRetrieveLevel = "STUDY"
        query.StudyInstanceUID = study_uid
        return [query]
    queries = []
    for series_uid in series_uids:
        query = Dataset()
        query.QueryRetrieveLevel = "SERIES"
        query.StudyInstanceUID = study_uid
        query.SeriesInstanceUID = series_uid
        queries.append(query)
    return queries


def _suboperations(status: Dataset) -> int:
    keys = ("Remaining", "Completed", "Failed", "Warning")
    return sum(int(status.get(f"NumberOf{k}Suboperations", 0) or 0) for k in keys)


class _Run:
    """One retrieve: the responses' loop shared by C-GET and C-MOVE."""

    def __init__(
        self,
        node: PacsNode,
        receiver: Receiver,
        action: str,
        cancel: threading.Event | None,
    ) -> None:
        self.node = node
        self.receiver = receiver
        self.writer = receiver.writer
        self.action = action
        self.cancel = cancel
        self.tally = _Tally()
        self._reported = 0

    def report(self) -> None:
        count = self.writer.count
        if count != self._reported:
            self._reported = count
            self.writer.report()

    def interrupted(self, message: str) -> RetrieveInterrupted:
        done = self.writer.count
        text = f"{message} ({done} instance{'s' * (done != 1)} received before, kept)"
        return RetrieveInterrupted(text, self.writer.result(), node=self.node.name)

    def follow(
        self, assoc: Association, responses: Iterator[tuple[Dataset, Dataset | None]]
    ) -> bool:
        """Go through the responses of one request; False when cancelled."""
        base = self.writer.count
        for status, _ in responses:
            self.report()
            self.check_written(assoc)
            code = status_of(status)
            if code is None:
                raise self.interrupted(str(lost_error(self.node, self.action)))
            if code in _PENDING:
                self.writer.total = base + _suboperations(status)
                if self.cancel is not None and self.cancel.is_set():
                    assoc.abort()
                    return False
                continue
            self.final(code, status)
        self.report()
        return True

    def final(self, code: int, status: Dataset) -> None:
        self.tally.failed += int(status.get("NumberOfFailedSuboperations", 0) or 0)
        self.tally.warnings += int(status.get("NumberOfWarningSuboperations", 0) or 0)
        if code in (0x0000, 0xB000, 0xFE00):
            return
        message = f"{self.node.label}: {self.action} failed: {status_text(code)}"
        if comment := str(status.get("ErrorComment", "")).strip():
            message += f" ({comment[:200]})"
        if self.node.retrieve == "move" and (code == 0xA801 or not self.writer.count):
            known = "does not know" if code == 0xA801 else "may not know"
            message += (
                f"; the PACS {known} '{self.node.calling_aet}' as a C-MOVE "
                f"destination: add it with host {self.node.move_host} (or this "
                f"computer's address) and port {self.node.move_port} to the "
                "PACS's modalities (docs/pacs.md)"
            )
        if self.writer.count:
            raise self.interrupted(message)
        raise PacsError(message, node=self.node.name)

    def check_written(self, assoc: Association | None = None) -> None:
        """Stop (aborting the association) when a received file could not be written."""
        if self.receiver.error is None:
            return
        if assoc is not None and assoc.is_established:
            assoc.abort()
        reason = write_failure(self.writer.dest, self.receiver.error)
        raise self.interrupted(f"{self.node.label}: {reason}")

    def result(self, cancelled: bool) -> RetrieveResult:
        self.check_written()
        failed = self.tally.failed
        if not cancelled:
            failed = max(failed, self.receiver.refused)
        return self.writer.result(
            failed=failed, warnings=self.tally.warnings, cancelled=cancelled
        )


def run_get(
    node: PacsNode,
    writer: InstanceWriter,
    series_uids: Sequence[str] | None,
    cancel: threading.Event | None,
) -> RetrieveResult:
    """C-GET the study (or its series) over one association."""
    receiver = Receiver(writer, cancel)
    model = STUDY_ROOT_GET
    ae = make_ae(node)
    roles = add_get_contexts(ae, model)
    run = _Run(node, receiver, f"the C-GET of study {writer.study_uid}", cancel)
    handlers = [(evt.EVT_C_STORE, receiver.handle)]
    with associated(node, ae, ext_neg=roles, handlers=handlers) as assoc:
        check_accepted(node, assoc, model, "C-GET (Study Root)")
        for query in _queries(writer.study_uid, series_uids):
            if not run.follow(assoc, assoc.send_c_get(query, model)):
                return run.result(cancelled=True)
    return run.result(cancelled=False)


def run_move(
    node: PacsNode,
    writer: InstanceWriter,
    series_uids: Sequence[str] | None,
    cancel: threading.Event | None,
) -> RetrieveResult:
    """C-MOVE the study to respond's own storage SCP, started for it."""
    receiver = Receiver(writer, cancel)
    scp = make_ae(node)
    add_storage_scp_contexts(scp)
    run = _Run(node, receiver, f"the C-MOVE of study {writer.study_uid}", cancel)
    server = _start_scp(node, scp, receiver)
    try:
        completed = _move_all(node, run, writer.study_uid, series_uids)
    finally:
        server.shutdown()  # after it, no file can be written any more
    return run.result(cancelled=not completed)


def _move_all(
    node: PacsNode, run: _Run, study_uid: str, series_uids: Sequence[str] | None
) -> bool:
    """Send the C-MOVE requests; False when cancelled."""
    ae = make_ae(node)
    ae.add_requested_context(STUDY_ROOT_MOVE)
    with associated(node, ae) as assoc:
        check_accepted(node, assoc, STUDY_ROOT_MOVE, "C-MOVE (Study Root)")
        for query in _queries(study_uid, series_uids):
            responses = assoc.send_c_move(query, node.calling_aet, STUDY_ROOT_MOVE)
            if not run.follow(assoc, responses):
                return False
    return True


def _start_scp(node: PacsNode, ae: AE, receiver: Receiver) -> ThreadedAssociationServer:
    assert node.move_port is not None
    try:
        server = ae.start_server(
            (node.move_host, node.move_port),
            block=False,
            evt_handlers=[(evt.EVT_C_STORE, receiver.handle)],
            ssl_context=server_tls(node),
        )
    except OSError as exc:
        raise PacsError(
            f"{node.label}: cannot receive on {node.move_host}:{node.move_port} "
            f"for C-MOVE ({exc.strerror or exc}): the port is in use or not "
            "allowed; choose another move_port (and tell the PACS)",
            node=node.name,
        ) from None
    assert server is not None  # block=False returns the server
    return server
