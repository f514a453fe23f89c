"""Commands on the database of reads: patients, export-case, import-case, assess.

Commands that only read (``patients``, ``export-case``, ``assess --db``,
``report``) open the database read-only: they create and change nothing, so they
work on a read-only file or folder and on a full disk. One patient whose stored
read cannot be read or assessed does not hide the others: ``patients`` lists
the others and names it on stderr (exit 0). ``init-db`` makes a new, empty
database, also out of an existing empty (0-byte) file, which other commands
refuse (it may be a database that lost its contents).
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from respond.casefile import (
    assessment_document,
    case_json,
    load_case,
    name_problem,
    read_case_file,
)
from respond.criteria import CriteriaError, assess
from respond.errors import RespondError
from respond.report import terminal_text
from respond.report._files import private_text

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import TextIO

    from respond.criteria.record import PatientRead
    from respond.store import SqliteStore

__all__ = [
    "UNASSESSABLE",
    "PatientsLeftOutError",
    "UnreadablePatientError",
    "add_database_commands",
    "add_db_option",
    "database_path",
    "open_database",
    "reader_name",
]


UNASSESSABLE = (ArithmeticError, ValueError, RecursionError)
"""What the engine raises for a stored value it cannot compute with (besides
CriteriaError, which says what a read still lacks)."""


class ExportWriteError(RespondError):
    """The case file could not be written where asked."""


class ReaderNameError(RespondError):
    """The name of who imports cannot be recorded."""


class UnreadablePatientError(RespondError):
    """A stored patient's read that the engine cannot compute with.

    Parameters
    ----------
    patient_id
        The patient.
    exc
        What the engine raised.
    """

    def __init__(self, patient_id: str, exc: BaseException) -> None:
        from respond.store.errors import escaped

        super().__init__(
            f"patient {escaped(patient_id)}: the stored read cannot be assessed "
            f"({type(exc).__name__}: {escaped(exc, 200)}); it is kept unchanged. "
            "Check its measurements and dates (respond export-case shows them), "
            "correct them in the app or re-import the patient."
        )
        self.patient_id = patient_id


class PatientsLeftOutError(RespondError):
    """Patients left out of an output of every patient, each with the reason.

    Raised once the others were written, so the command exits 2 and names them.

    Parameters
    ----------
    problems
        Why each patient was left out (their errors).
    written
        How many patients were written.
    what
        What was written (``"the CSV"``).
    """

    def __init__(
        self, problems: Sequence[RespondError], written: int, what: str
    ) -> None:
        lines = "".join(f"\n  {problem}" for problem in problems)
        count = (
            "1 patient could not be read and is"
            if len(problems) == 1
            else f"{len(problems)} patients could not be read and are"
        )
        others = f"the other {written} {'is' if written == 1 else 'are'}"
        super().__init__(f"{count} not in {what} ({others}):{lines}")
        self.problems = tuple(problems)
        self.written = written


def load_readable(
    store: SqliteStore, patient_ids: Sequence[str]
) -> tuple[list[PatientRead], list[RespondError]]:
    """Load each patient; return the reads, and the errors of those unreadable."""
    from respond.store import UnreadableReadError

    reads: list[PatientRead] = []
    problems: list[RespondError] = []
    for patient_id in patient_ids:
        try:
            reads.append(store.load(patient_id))
        except UnreadableReadError as exc:
            problems.append(exc)
    return reads, problems


def reader_name(args: argparse.Namespace) -> str:
    """Return who is working: ``--reader``, else ``RESPOND_READER``.

    Without either the operating-system login is recorded, marked as such
    (``login:NAME``), so the audit trail never passes a login off as a reader.
    """
    name = str(getattr(args, "reader", None) or "").strip()
    name = name or os.environ.get("RESPOND_READER", "").strip()
    if name:
        return name
    try:
        return f"login:{getpass.getuser()}"
    except (OSError, KeyError):
        return "login:unknown"


def database_path(args: argparse.Namespace) -> Path:
    """Return the database: ``--db``, else ``RESPOND_DB``, else the default."""
    from respond.store import resolve_database_path

    return resolve_database_path(getattr(args, "db", None), os.environ)


def open_database(args: argparse.Namespace, *, read_only: bool = False) -> SqliteStore:
    """Open the database ``--db`` / ``RESPOND_DB`` / the default names.

    ``read_only``: for commands that only read (nothing is created or changed).
    """
    return _open(args, read_only=read_only)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Add the ``--db PATH`` option."""
    _add_db_option(parser)


def _open(args: argparse.Namespace, *, read_only: bool = False) -> SqliteStore:
    from respond.store import open_store

    return open_store(database_path(args), read_only=read_only)


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the database file (default: RESPOND_DB, else the user-data folder)",
    )


def add_database_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``patients``, ``export-case``, ``import-case`` and ``init-db``."""
    patients = commands.add_parser(
        "patients",
        help="list the stored patients with their time points and responses",
    )
    _add_db_option(patients)
    patients.add_argument("--json", action="store_true", help="print JSON")
    export = commands.add_parser(
        "export-case", help="write a stored patient as a respond-case/1 file"
    )
    export.add_argument("patient_id", metavar="PATIENT_ID")
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="-",
        help="file to write ('-': stdout)",
    )
    _add_db_option(export)
    imported = commands.add_parser(
        "import-case", help="store a respond-case/1 file as a patient's read"
    )
    imported.add_argument("case", metavar="CASE.json")
    imported.add_argument(
        "--replace",
        action="store_true",
        help="replace a patient with the same id (the old read stays in the audit)",
    )
    imported.add_argument("--reader", help="who imports (default: the login name)")
    _add_db_option(imported)
    init = commands.add_parser(
        "init-db",
        help="create a new, empty database (also out of an empty 0-byte file)",
        description=(
            "Create a new, empty respond database at PATH (default: RESPOND_DB, "
            "else the user-data folder). An existing empty (0-byte) file becomes "
            "the new database; other commands refuse such a file, since it may be "
            "a database that lost its contents. An existing database is left as "
            "it is."
        ),
    )
    init.add_argument("path", metavar="PATH", nargs="?", help="the database file")
    init.set_defaults(handler=run_init_db)


def run_init_db(args: argparse.Namespace, out: TextIO) -> int:
    """Create a new, empty database (an existing empty file is taken over)."""
    from respond.store import open_store, resolve_database_path

    path = resolve_database_path(args.path, os.environ)
    existed = path.is_file() and path.stat().st_size > 0
    with open_store(path, init=True) as store:
        version = store.schema_version
        patients = len(store.list_patients()) if existed else 0
    if existed:
        out.write(
            f"{path} is already a respond database (schema version {version}, "
            f"{patients} patient{'' if patients == 1 else 's'}); its patients were "
            "left as they were\n"
        )
    else:
        out.write(f"created a new, empty respond database: {path}\n")
    return 0


def _overall(store: SqliteStore, patient_id: str) -> list[dict[str, object]]:
    read = store.load(patient_id)
    try:
        assessment = assess(read.to_case())
    except CriteriaError as exc:
        return [
            {"label": tp.label, "date": tp.date.isoformat(), "problem": str(exc)}
            for tp in read.timepoints
        ]
    except UNASSESSABLE as exc:
        raise UnreadablePatientError(patient_id, exc) from exc
    rows: list[dict[str, object]] = []
    for tp in assessment.timepoints:
        row: dict[str, object] = {"label": tp.label, "date": tp.date.isoformat()}
        for criterion, result in tp.results.items():
            row[criterion.value] = (
                None if result.overall is None else result.overall.value
            )
        rows.append(row)
    return rows


def _listing(
    store: SqliteStore,
) -> tuple[list[dict[str, object]], list[tuple[str, str]]]:
    """Return every patient's entry, and ``(id, why)`` of those not readable."""
    from respond.store import UnreadableReadError

    listing: list[dict[str, object]] = []
    unreadable: list[tuple[str, str]] = []
    for summary in store.list_patients():
        entry: dict[str, object] = {
            "patient_id": summary.patient_id,
            "name": summary.name,
        }
        try:
            entry["timepoints"] = _overall(store, summary.patient_id)
        except (UnreadableReadError, UnreadablePatientError) as exc:
            entry["timepoints"] = []
            entry["problem"] = str(exc)
            unreadable.append((summary.patient_id, str(exc)))
        listing.append(entry)
    return listing, unreadable


def _warn_unreadable(
    unreadable: list[tuple[str, str]], listed: int, err: TextIO
) -> None:
    for _, problem in unreadable:
        err.write(f"respond: warning: {terminal_text(problem)}\n")
    readable = listed - len(unreadable)
    err.write(
        f"respond: warning: {len(unreadable)} of {listed} patients cannot be read "
        f"(shown as 'cannot be read'); the other {readable} "
        f"{'is' if readable == 1 else 'are'} listed in full\n"
    )


def run_patients(
    args: argparse.Namespace, out: TextIO, err: TextIO | None = None
) -> int:
    """List patients, their time points and overall responses.

    A patient whose stored read cannot be read or assessed is listed with the
    reason (``problem`` in the JSON) and named on ``err``; the exit code stays
    0, since the listing itself worked.
    """
    with _open(args, read_only=True) as store:
        listing, unreadable = _listing(store)
    if unreadable:
        _warn_unreadable(unreadable, len(listing), err or sys.stderr)
    if args.json:
        out.write(
            json.dumps({"patients": listing}, indent=2, ensure_ascii=False) + "\n"
        )
        return 0
    if not listing:
        out.write("no patients yet: add one with 'respond import-case CASE.json'\n")
    for patient in listing:
        # ids, names, labels and problems are the patients' text: escaped
        head = f"{patient['patient_id']}  {patient['name'] or ''}".rstrip()
        if "problem" in patient:
            head += "  (cannot be read: see the warning on stderr)"
        out.write(terminal_text(head) + "\n")
        rows: list[dict[str, object]] = patient["timepoints"]  # type: ignore[assignment]
        for row in rows:
            categories = "  ".join(
                f"{key} {value or '-'}"
                for key, value in row.items()
                if key in ("RECIST1.1", "mRECIST")
            )
            problem = f"  ({row['problem']})" if "problem" in row else ""
            line = f"  {row['label']:<8} {row['date']}  {categories}{problem}"
            out.write(terminal_text(line.rstrip()) + "\n")
    return 0


def run_export(args: argparse.Namespace, out: TextIO) -> int:
    """Write a stored patient as a case file."""
    with _open(args, read_only=True) as store:
        read = store.load(args.patient_id)
    text = case_json(read.to_case())
    if args.output == "-":
        out.write(text)
    else:
        try:
            with private_text(Path(args.output)) as stream:
                stream.write(text)
        except OSError as exc:
            raise ExportWriteError(
                f"cannot write {args.output} ({exc.strerror or exc}); check that "
                "the folder exists and is writable"
            ) from exc
        out.write(f"wrote {args.output}: patient {args.patient_id}\n")
    return 0


def run_import(args: argparse.Namespace, out: TextIO) -> int:
    """Store a case file as a patient's read."""
    from respond.session import read_from_case

    case = load_case(read_case_file(args.case))
    read = read_from_case(case)
    who = reader_name(args)
    if (problem := name_problem(who)) is not None:
        raise ReaderNameError(f"the reader name (--reader or RESPOND_READER) {problem}")
    path = database_path(args)
    with _open(args) as store:
        store.create_patient(read, who=who, replace=args.replace)
    out.write(
        f"imported patient {case.patient.id}: {len(case.lesions)} lesions, "
        f"{len(case.timepoints)} time points into {path}\n"
    )
    return 0


def stored_assessment(args: argparse.Namespace) -> dict[str, object]:
    """Assess a stored patient: the same engine call as for a case file."""
    with _open(args, read_only=True) as store:
        read = store.load(args.case)
    try:
        return dict(assessment_document(assess(read.to_case())))
    except CriteriaError:
        raise
    except UNASSESSABLE as exc:
        raise UnreadablePatientError(args.case, exc) from exc
