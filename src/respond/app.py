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

__all__ = ["main"]


def _desktop(args: list[str]) -> int:
    """Start the desktop app (with the demo when asked, or when nothing is stored)."""
    import getpass

    from respond.store import open_store, resolve_database_path

    reader = os.environ.get("RESPOND_READER") or getpass.getuser()
    from respond.ui.application import run_app

    store = open_store(resolve_database_path(None, os.environ))
    demo = "--demo" in args or not store.list_patients()
    if demo:
        from respond.demo import prepare_demo

        store.close()
        setup = prepare_demo()
        store = open_store(setup.database)
        return run_app(
            store,
            reader=reader,
            patient_id=setup.patient_id,
            folder=setup.dicom_root,
            banner="SYNTHETIC DEMO: generated phantom, not patient data",
            pdf_export=pdf_report,
        )
    return run_app(store, reader=reader, pdf_export=pdf_report)


def pdf_report(
    read: PatientRead, scans: Sequence[ScanResult], folders: Sequence[Path], path: Path
) -> Path:
    """Write a read's tumour-board PDF, with key images from the scans or folders."""
    from respond.pdf import write_pdf
    from respond.report.document import build_report
    from respond.report.images import ImageIndex

    index = ImageIndex.for_read(read, scans, folders)
    return write_pdf(build_report(read, images=index), path)


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
