"""Lay the report out block by block and paint it to a PDF (A4).

The sections (:mod:`respond.pdf._sections`, :mod:`respond.pdf._response`,
:mod:`respond.pdf._figures`, :mod:`respond.pdf._signature`) become blocks that
flow from page to page (:mod:`respond.pdf._flow`); every page gets the patient
line and "page N of M" (:mod:`respond.pdf._pages`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

from respond.errors import RespondError
from respond.pdf import _figures, _response, _sections, _signature
from respond.pdf._compose import Composer
from respond.pdf._pages import frame_of, patient_line, render
from respond.pdf._qt import ensure_gui
from respond.pdf._text import Canvas
from respond.report._files import private_temporary, publish

if TYPE_CHECKING:
    from respond.pdf._flow import Block
    from respond.report.document import ReportData

__all__ = ["PdfError", "write_pdf"]

_MARGIN_MM = 14.0
_RESOLUTION = 300


class PdfError(RespondError):
    """The PDF could not be written (a folder missing, no permission, a full disk)."""


def _blocks(compose: Composer, report: ReportData) -> list[Block]:
    """Return every section's blocks, in the order they flow."""
    return [
        *_sections.details(compose, report),
        *_sections.summary(compose, report.assessment),
        *_sections.recommendation(compose, report),
        *_response.response(compose, report.assessment),
        *_response.lesions(compose, report),
        *_sections.clinical(compose, report),
        *_figures.plots(compose, report),
        *_figures.key_images(compose, report),
        *_signature.signoff(compose, report),
        *_signature.signature(compose, report),
        *_signature.notes(compose, report),
    ]


def _writer(path: Path, report: ReportData) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(
        QMarginsF(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM, _MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )
    writer.setResolution(_RESOLUTION)
    writer.setTitle(f"Tumour response report {report.read.patient.id}")
    writer.setCreator(f"respond {report.version}")
    return writer


def _paint(path: Path, report: ReportData) -> int:
    """Write the report's pages to ``path``; return the number of pages."""
    writer = _writer(path, report)
    canvas = Canvas(writer)
    frame = frame_of(writer, canvas)
    blocks = _blocks(Composer(canvas, frame.width), report)
    foot = f"respond {report.version}, generated {report.generated}".rstrip(", ")
    pages = render(writer, canvas, frame, blocks, (patient_line(report), foot))
    del writer
    return pages


def write_pdf(report: ReportData, path: str | Path) -> Path:
    """Write the report as a PDF (A4) and return its path.

    The file is written next to its destination and renamed into place, so an
    existing report is never left half-written; it is readable by the user
    only (mode 0600), whatever the umask.

    Raises
    ------
    PdfError
        The folder does not exist or cannot be written.
    """
    ensure_gui()
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise PdfError(
            f"{target}: the folder {folder} does not exist; create it or choose another"
        )
    temporary: Path | None = None
    try:
        # patient data: created exclusively, readable by the user only (0600)
        temporary = private_temporary(target, ".pdf")
        _paint(temporary, report)
        if temporary.stat().st_size == 0:
            raise PdfError(f"{target}: Qt wrote an empty PDF; check the disk has space")
        publish(temporary, target)
    except OSError as exc:
        raise PdfError(
            f"{target}: cannot write the PDF ({exc.strerror or exc}); choose a "
            "folder you can write to"
        ) from exc
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    return target
