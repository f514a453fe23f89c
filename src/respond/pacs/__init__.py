"""respond talks to a PACS: find, retrieve and send studies (DICOMweb or DIMSE).

Qt-free, blocking calls: the desktop app runs them on a worker thread. Every
failure is a :class:`PacsError` (a :class:`~respond.errors.RespondError`)
whose message names the node (its name and URL, or AE title@host:port; never
its secret), what happened and what to do. docs/pacs.md is the user's guide.

Nodes (pacs.json, see :mod:`respond.pacs.config`)::

    PacsNode(name, kind, url="", host="", port=0, called_aet="",
             calling_aet="RESPOND", retrieve="get", move_port=None,
             move_host="127.0.0.1", tls=False, ca_file=None, cert_file=None,
             key_file=None, auth="none", username="", secret_env=None,
             secret_file=None, secret=None, timeout=30.0)      # frozen dataclass
    node.label -> str; node.masked() -> dict; node.resolve_secret() -> str | None
    load_nodes(path: Path | None = None) -> list[PacsNode]       # in file order
    add_node(node: PacsNode, *, replace: bool = False, path: Path | None = None) -> Path
    remove_node(name: str, *, path: Path | None = None) -> Path
    resolve_node(spec: str, *, calling_aet: str | None = None,
                 timeout: float | None = None, move_port: int | None = None,
                 path: Path | None = None) -> PacsNode
        # spec: a name in pacs.json, dicomweb:URL or dimse:AET@host:port
    parse_inline_spec(spec, *, calling_aet="RESPOND", timeout=30.0,
                      move_port=None) -> PacsNode | None
    config_path() -> Path       # $RESPOND_PACS_CONFIG, else <user config>/pacs.json
    image_cache_dir() -> Path   # $RESPOND_CACHE_DIR/pacs, else <user cache>/pacs

The image cache (:mod:`respond.pacs.cache`; ``respond pacs cache``)::

    cached_studies(cache: Path) -> list[CachedStudy]   # least recently written first
    CachedStudy(study_uid, folder, paths, size, written); study.files -> int
    remove_cached(cache: Path, study: CachedStudy) -> None   # CacheError if refused

Clients (the :class:`PacsClient` protocol)::

    connect(node: PacsNode) -> PacsClient       # opens nothing yet
    client.node: PacsNode
    client.echo() -> float                      # round trip in ms
    client.find_studies(query: StudyQuery) -> list[StudyHit]   # newest first
    client.find_series(study_uid: str) -> list[SeriesHit]      # by number
    client.retrieve_study(study_uid: str, dest: Path, *,
        progress: Callable[[RetrieveProgress], None] | None = None,
        cancel: threading.Event | None = None,
        series_uids: Sequence[str] | None = None) -> RetrieveResult
    client.send(paths: Sequence[Path], *,
        progress: Callable[[SendProgress], None] | None = None,
        cancel: threading.Event | None = None) -> SendResult
    encapsulate_pdf(pdf_path: Path, like: Dataset | Path | None, out: Path, *,
                    title: str = "Tumour response report") -> Path

Retrieval writes ``dest/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm``
(``RetrieveResult.folder`` is ``dest/<StudyInstanceUID>``, a folder ``respond
series`` reads). Each file is written under a temporary name and renamed when
complete, holding the bytes the PACS sent: over DICOMweb the part-10 file as
is (``transfer-syntax=*``); over DIMSE the received data set, never decoded,
behind a file meta header. ``progress`` is called on the caller's thread after
each file written (the first slice can be shown at once). Setting ``cancel``
stops the retrieve after the instance in flight (DIMSE: the association is
aborted) and *returns* a :class:`RetrieveResult` with ``cancelled=True``: the
complete files are kept, no temporary file is left. A connection lost
part-way, or a file that cannot be written, raises :class:`RetrieveInterrupted`
whose ``result`` lists the complete files received. Sub-operations the PACS
reports as failed are counted in ``RetrieveResult.failed``.

``send`` stores each file and returns a :class:`SendResult`: ``sent``,
``failed`` (each a :class:`SendFailure` with the reason: not DICOM, refused by
the PACS), ``not_sent`` (after a cancel) and ``ok``. A PACS that cannot be
reached raises :class:`PacsError` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.pacs.config import (
    CACHE_ENV,
    CONFIG_ENV,
    add_node,
    config_path,
    image_cache_dir,
    load_nodes,
    remove_node,
    resolve_node,
)
from respond.pacs.errors import PacsConfigError, PacsError, RetrieveInterrupted
from respond.pacs.model import (
    PacsClient,
    RetrieveProgress,
    RetrieveResult,
    SendFailure,
    SendProgress,
    SendResult,
    SeriesHit,
    StudyHit,
    StudyQuery,
)
from respond.pacs.nodes import PacsNode, parse_inline_spec

if TYPE_CHECKING:
    from pathlib import Path

    from pydicom import Dataset

__all__ = [
    "CACHE_ENV",
    "CONFIG_ENV",
    "PacsClient",
    "PacsConfigError",
    "PacsError",
    "PacsNode",
    "RetrieveInterrupted",
    "RetrieveProgress",
    "RetrieveResult",
    "SendFailure",
    "SendProgress",
    "SendResult",
    "SeriesHit",
    "StudyHit",
    "StudyQuery",
    "add_node",
    "config_path",
    "connect",
    "encapsulate_pdf",
    "image_cache_dir",
    "load_nodes",
    "parse_inline_spec",
    "remove_node",
    "resolve_node",
]


def connect(node: PacsNode) -> PacsClient:
    """Return the client of ``node``: DICOMweb or DIMSE.

    No connection is opened here; each call of the client opens its own.

    Raises
    ------
    PacsConfigError
        The node's secret cannot be read (DICOMweb with authentication).
    """
    if node.kind == "dicomweb":
        from respond.pacs.dicomweb import DicomWebClient

        return DicomWebClient(node)
    from respond.pacs.dimse import DimseClient

    return DimseClient(node)


def encapsulate_pdf(
    pdf_path: Path,
    like: Dataset | Path | None,
    out: Path,
    *,
    title: str = "Tumour response report",
) -> Path:
    """Wrap a PDF as an Encapsulated PDF Storage instance; return the file.

    The patient and study modules come from ``like`` (e.g. respond's SR of that
    patient and study: a :class:`pydicom.Dataset` or the file's path); the
    instance gets a new series (modality DOC), the DocumentTitle ``title`` and
    MIMETypeOfEncapsulatedDocument ``application/pdf``. ``out`` is the file,
    or an existing folder (then ``<SOPInstanceUID>.dcm`` in it); see
    :func:`respond.pacs.pdf.encapsulate_pdf`.
    """
    from respond.pacs.pdf import encapsulate_pdf as wrap

    return wrap(pdf_path, like, out, title=title)
