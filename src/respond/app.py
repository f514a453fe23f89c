"""The composition root: ``respond`` and ``python -m respond`` start here.

``respond`` alone starts the desktop app on the database ``RESPOND_DB`` (else
the user-data folder) names; ``respond --db PATH`` on that database, ``respond
--demo`` with the synthetic demo. Anything else is a command
(:mod:`respond.cli`). A database the app cannot open shows a dialog (open
another, create a new one, quit) instead of ending the app; the app
checkpoints the database when idle and when it closes.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING

from respond.cli import run

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from respond.criteria.record import PatientRead
    from respond.dicom import ScanResult
    from respond.report.keyimages import KeyImage
    from respond.store import SqliteStore

__all__ = ["main"]


class DesktopUsageError(Exception):
    """Arguments that start neither the desktop app nor a command."""


@dataclass(frozen=True, slots=True)
class DesktopArgs:
    """How to start the desktop app: ``--db PATH`` and ``--demo``."""

    db: str | None = None
    demo: bool = False


def db_after_command(args: Sequence[str]) -> list[str]:
    """Return ``args`` with a leading ``--db PATH`` moved after the command.

    ``respond --db PATH patients`` reads as ``respond patients --db PATH``;
    ``--db PATH`` alone (or with ``--demo`` / ``gui``) is left for the app.
    """
    rest = list(args)
    if rest[:1] == ["--db"]:
        option, command = rest[:2], rest[2:]
    elif rest and rest[0].startswith("--db="):
        option, command = rest[:1], rest[1:]
    else:
        return rest
    path = option[-1].removeprefix("--db=") if len(option) == 1 else option[-1]
    if not path or path.startswith("-") or not command:
        return rest
    if command[0].startswith("-") or command[0] == "gui":
        return rest
    return [*command, *option]


def desktop_arguments(args: Sequence[str]) -> DesktopArgs | None:
    """Return the desktop app's options, or None when ``args`` name a command.

    The app starts on no arguments, ``gui``, ``--demo`` and ``--db PATH`` (or
    ``--db=PATH``), in any combination.

    Raises
    ------
    DesktopUsageError
        ``--db`` without a path, or ``--db`` before a command (it goes after
        the command: ``respond patients --db PATH``).
    """
    db: str | None = None
    demo = False
    rest = list(args)
    if rest and rest[0] == "gui":
        rest.pop(0)
    while rest:
        arg = rest.pop(0)
        if arg == "--demo":
            demo = True
        elif arg == "--db" or arg.startswith("--db="):
            value = rest.pop(0) if arg == "--db" and rest else arg[len("--db=") :]
            if not value or value.startswith("-"):
                msg = "--db needs the database file: respond --db PATH"
                raise DesktopUsageError(msg)
            db = value
        elif db is not None and not arg.startswith("-"):
            msg = (
                f"--db goes after the command ('respond {arg} --db {db}'); "
                "alone, 'respond --db PATH' starts the app on that database"
            )
            raise DesktopUsageError(msg)
        else:
            return None
    return DesktopArgs(db=db, demo=demo)


def open_for_app(path: Path, init: bool) -> SqliteStore:
    """Open the app's database and check its integrity now (the app edits it).

    ``init`` takes an existing empty file as a new database (the reader chose
    to create one there).
    """
    from respond.store import open_store

    store = open_store(path, init=init)
    try:
        store.check_integrity()
    except BaseException:
        store.close()
        raise
    return store


def _desktop(options: DesktopArgs) -> int:
    """Start the desktop app: the patient list (the demo when asked for)."""
    from PySide6.QtCore import QTimer

    from respond.store import IDLE_CHECKPOINT_S, resolve_database_path
    from respond.ui.application import open_database, run_app

    path = resolve_database_path(options.db, os.environ)
    store = open_database(path, open_for_app)
    if store is None:
        sys.stderr.write(
            f"respond: no database was opened ({path} could not be opened and "
            "the app was quit); start respond with --db naming a database\n"
        )
        return 2
    # checkpoint the log once edits have stopped (and at close, below), so the
    # database file alone holds every committed edit
    idle = QTimer()
    idle.setInterval(int(IDLE_CHECKPOINT_S * 1000))
    idle.timeout.connect(lambda: store.checkpoint_if_idle(IDLE_CHECKPOINT_S))
    idle.start()
    try:
        return run_app(
            store,
            reader=os.environ.get("RESPOND_READER", "").strip() or None,
            demo=options.demo,
            demo_opener=open_demo,
            pdf_export=pdf_report,
            sr_export=sr_report,
            csv_export=csv_report,
            navigator_images=navigator_images,
        )
    finally:
        idle.stop()
        store.close()


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


def navigator_images(
    read: PatientRead, scans: Sequence[ScanResult], folders: Sequence[Path]
) -> tuple[KeyImage, ...]:
    """Cut the key images of the lesion navigator (run off the GUI thread)."""
    from respond.report.images import ImageIndex
    from respond.report.keyimages import key_images

    return key_images(read, ImageIndex.for_read(read, scans, folders))


def sr_report(read: PatientRead, folders: Sequence[Path], outdir: Path) -> list[Path]:
    """Write a read's DICOM SR (TID 1500), one file per time point."""
    from respond.report.images import ImageIndex
    from respond.report.sr import write_sr

    return write_sr(read, ImageIndex.for_read(read, [], folders), outdir)


def csv_report(reads: Sequence[PatientRead], path: Path) -> list[Path]:
    """Write the SDTM TU, TR and RS tables beside ``path`` (``OUT-tu.csv``, ...).

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
    return [table.path for table in write_csv_files(reports, path)]


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
        try:
            args = db_after_command(args)
            desktop = desktop_arguments(args)
        except DesktopUsageError as exc:
            sys.stderr.write(f"respond: {exc}\n")
            return 2
        if desktop is not None:
            return _desktop(desktop)
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
