"""The composition root: ``respond`` and ``python -m respond`` start here."""

from __future__ import annotations

import os
import sys
import traceback
from typing import TYPE_CHECKING

from respond.cli import run

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from respond.criteria.record import PatientRead
    from respond.dicom import ScanResult
    from respond.store import SqliteStore

__all__ = ["main"]


def _desktop(args: list[str]) -> int:
    """Start the desktop app: the patient list (the demo when asked for)."""
    from respond.store import open_store, resolve_database_path
    from respond.ui.application import run_app

    store = open_store(resolve_database_path(None, os.environ))
    return run_app(
        store,
        reader=os.environ.get("RESPOND_READER", "").strip() or None,
        demo="--demo" in args,
        demo_opener=open_demo,
        pdf_export=pdf_report,
        sr_export=sr_report,
        csv_export=csv_report,
    )


def open_demo() -> tuple[SqliteStore, str, Path]:
    """Write the synthetic demo (once) and open its own database."""
    from respond.demo import prepare_demo
    from respond.store import open_store

    setup = prepare_demo()
    return open_store(setup.database), setup.patient_id, setup.dicom_root


def pdf_report(
    read: PatientRead, scans: Sequence[ScanResult], folders: Sequence[Path], path: Path
) -> Path:
    """Write a read's tumour-board PDF, with key images from the scans or folders."""
    from respond.pdf import write_pdf
    from respond.report.document import build_report
    from respond.report.images import ImageIndex

    index = ImageIndex.for_read(read, scans, folders)
    return write_pdf(build_report(read, images=index), path)


def sr_report(read: PatientRead, folders: Sequence[Path], outdir: Path) -> list[Path]:
    """Write a read's DICOM SR (TID 1500), one file per time point."""
    from respond.report.images import ImageIndex
    from respond.report.sr import write_sr

    return write_sr(read, ImageIndex.for_read(read, [], folders), outdir)


def csv_report(reads: Sequence[PatientRead], path: Path) -> list[Path]:
    """Write the lesions CSV (CDISC TR/TU) and, beside it, the responses CSV (RS).

    A read that cannot be assessed yet is left out of an export of several
    patients (and refused when it is the only one).
    """
    from respond.criteria import CriteriaError
    from respond.report.csv_export import write_csv_files
    from respond.report.document import build_report

    reports = []
    for read in reads:
        try:
            reports.append(build_report(read))
        except CriteriaError:
            if len(reads) == 1:
                raise
    (lesions, _), (responses, _) = write_csv_files(reports, path)
    return [lesions, responses]


EXIT_INTERNAL_ERROR = 70


def main(argv: Sequence[str] | None = None) -> int:
    """Run respond and return its exit code.

    Parameters
    ----------
    argv
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code: 0 success, 2 bad input, 70 an internal error.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if not args or args[0] in ("--demo", "gui"):
            return _desktop(args)
        return run(args)
    except KeyboardInterrupt:
        sys.stderr.write("respond: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("RESPOND_DEBUG"):
            traceback.print_exc()
        sys.stderr.write(
            f"respond: internal error ({type(exc).__name__}: {exc}). This is a bug in "
            "respond, not in your data; please report it with the command and the "
            "input file (set RESPOND_DEBUG=1 for details).\n"
        )
        return EXIT_INTERNAL_ERROR
