"""Commands on the database of reads: patients, export-case, import-case, assess."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from respond.casefile import (
    assessment_document,
    case_document,
    load_case,
    read_case_file,
)
from respond.criteria import CriteriaError, assess
from respond.errors import RespondError

if TYPE_CHECKING:
    import argparse
    from typing import TextIO

    from respond.store import SqliteStore

__all__ = [
    "add_database_commands",
    "add_db_option",
    "database_path",
    "open_database",
    "reader_name",
]


class ExportWriteError(RespondError):
    """The case file could not be written where asked."""


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


def open_database(args: argparse.Namespace) -> SqliteStore:
    """Open the database ``--db`` / ``RESPOND_DB`` / the default names."""
    return _open(args)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Add the ``--db PATH`` option."""
    _add_db_option(parser)


def _open(args: argparse.Namespace) -> SqliteStore:
    from respond.store import open_store

    return open_store(database_path(args))


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the database file (default: RESPOND_DB, else the user-data folder)",
    )


def add_database_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``patients``, ``export-case`` and ``import-case``."""
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


def _overall(store: SqliteStore, patient_id: str) -> list[dict[str, object]]:
    read = store.load(patient_id)
    try:
        assessment = assess(read.to_case())
    except CriteriaError as exc:
        return [
            {"label": tp.label, "date": tp.date.isoformat(), "problem": str(exc)}
            for tp in read.timepoints
        ]
    rows: list[dict[str, object]] = []
    for tp in assessment.timepoints:
        row: dict[str, object] = {"label": tp.label, "date": tp.date.isoformat()}
        for criterion, result in tp.results.items():
            row[criterion.value] = (
                None if result.overall is None else result.overall.value
            )
        rows.append(row)
    return rows


def run_patients(args: argparse.Namespace, out: TextIO) -> int:
    """List patients, their time points and overall responses."""
    with _open(args) as store:
        listing = [
            {
                "patient_id": summary.patient_id,
                "name": summary.name,
                "timepoints": _overall(store, summary.patient_id),
            }
            for summary in store.list_patients()
        ]
    if args.json:
        out.write(
            json.dumps({"patients": listing}, indent=2, ensure_ascii=False) + "\n"
        )
        return 0
    if not listing:
        out.write("no patients yet: add one with 'respond import-case CASE.json'\n")
    for patient in listing:
        out.write(f"{patient['patient_id']}  {patient['name'] or ''}".rstrip() + "\n")
        rows: list[dict[str, object]] = patient["timepoints"]  # type: ignore[assignment]
        for row in rows:
            categories = "  ".join(
                f"{key} {value or '-'}"
                for key, value in row.items()
                if key in ("RECIST1.1", "mRECIST")
            )
            problem = f"  ({row['problem']})" if "problem" in row else ""
            out.write(
                f"  {row['label']:<8} {row['date']}  {categories}{problem}".rstrip()
                + "\n"
            )
    return 0


def run_export(args: argparse.Namespace, out: TextIO) -> int:
    """Write a stored patient as a case file."""
    with _open(args) as store:
        read = store.load(args.patient_id)
    text = (
        json.dumps(case_document(read.to_case()), indent=2, ensure_ascii=False) + "\n"
    )
    if args.output == "-":
        out.write(text)
    else:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
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
    with _open(args) as store:
        read = store.load(args.case)
    return dict(assessment_document(assess(read.to_case())))
