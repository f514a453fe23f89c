"""Patients and time points from DICOM folders, removals and restores.

``respond patient new FOLDER`` scans a folder (or DICOMDIR), indexes its images
and creates the patient with the study as baseline; ``respond timepoint add
PATIENT FOLDER`` adds a study as a time point, with the same checks as the app
(another patient's study, an earlier study, the same study twice).
``respond timepoint remove PATIENT LABEL`` and ``respond patient remove
PATIENT`` remove; ``respond removed`` lists what was removed and not restored,
``respond restore AUDIT_ID`` puts it back. ``respond images`` lists the indexed
folders. Every command takes ``--db PATH`` and ``--reader NAME``; a refusal
exits 2 with one message naming the item and what to do.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from respond.cli.database import add_db_option, open_database, reader_name
from respond.errors import RespondError
from respond.report import terminal_text

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import TextIO

    from respond.criteria import PatientRead, TimePointRecord
    from respond.criteria.imaging import SeriesFacts, StudyFacts
    from respond.dicom import ScanResult
    from respond.dicom.model import PatientEntry, StudyEntry
    from respond.session.intake import IntakeCheck
    from respond.store import AuditEntry, SqliteStore

__all__ = [
    "NotConfirmedError",
    "PatientCommandError",
    "StudyChoiceError",
    "TimePointChoiceError",
    "add_patient_commands",
]


class PatientCommandError(RespondError):
    """A patient, time point or restore command cannot do what was asked."""


class StudyChoiceError(PatientCommandError):
    """The folder does not say which study (or series) to use.

    Parameters
    ----------
    path
        The folder or DICOMDIR scanned.
    message
        What is ambiguous or missing, the choices, and what to do.
    """

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(message)
        self.path = Path(path)


class TimePointChoiceError(PatientCommandError):
    """No time point of the patient has the label asked for.

    Parameters
    ----------
    patient_id, label
        The patient and the label given.
    labels
        The patient's labels.
    """

    def __init__(self, patient_id: str, label: str, labels: Sequence[str]) -> None:
        listed = ", ".join(labels) if labels else "none"
        super().__init__(
            f"patient {patient_id} has no time point {label!r} (its time points: "
            f"{listed}); give one of these labels"
        )
        self.patient_id = patient_id
        self.label = label
        self.labels = tuple(labels)


class NotConfirmedError(PatientCommandError):
    """The command needs a confirmation (a flag or an answer) it did not get.

    Parameters
    ----------
    patient_id
        The patient concerned.
    message
        What needs confirming and how to confirm it.
    """

    def __init__(self, patient_id: str, message: str) -> None:
        super().__init__(message)
        self.patient_id = patient_id


# -- registration -------------------------------------------------------------------
def _common(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("--reader", help="who works (default: the login name)")


def _study_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--study",
        metavar="UID",
        help="the StudyInstanceUID to use (needed when the folder holds several)",
    )
    parser.add_argument(
        "--series",
        metavar="UID",
        help="the SeriesInstanceUID to read on (default: the arterial series with "
        "the most images when mRECIST is primary, else the largest series)",
    )
    parser.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="the imaging date, when the study has none or a wrong one",
    )


def add_patient_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``patient``, ``timepoint``, ``removed``, ``restore`` and ``images``."""
    patient = commands.add_parser(
        "patient", help="create a patient from a DICOM study, or remove one"
    )
    patient_commands = patient.add_subparsers(
        dest="patient_command", metavar="ACTION", required=True
    )
    new = patient_commands.add_parser(
        "new",
        help="create a patient from a study in a folder (it becomes the baseline)",
        description=(
            "Scan a folder or DICOMDIR, index its images and create the patient "
            "of the study, with the study as baseline time point."
        ),
    )
    new.add_argument("folder", metavar="FOLDER", help="folder, DICOMDIR or file")
    _study_options(new)
    new.add_argument("--json", action="store_true", help="print JSON")
    _common(new)
    new.set_defaults(handler=run_patient_new)
    remove = patient_commands.add_parser(
        "remove",
        help="remove a patient (kept in the audit trail; 'respond restore' undoes)",
    )
    remove.add_argument("patient_id", metavar="PATIENT")
    remove.add_argument(
        "--yes", action="store_true", help="remove without asking for confirmation"
    )
    _common(remove)
    remove.set_defaults(handler=run_patient_remove)

    timepoint = commands.add_parser(
        "timepoint", help="add a study to a patient as a time point, or remove one"
    )
    timepoint_commands = timepoint.add_subparsers(
        dest="timepoint_command", metavar="ACTION", required=True
    )
    add = timepoint_commands.add_parser(
        "add",
        help="add a study in a folder as a time point of a patient",
        description=(
            "Scan a folder or DICOMDIR, index its images and add the study as a "
            "time point of PATIENT. A study of another patient ID, or one dated "
            "before the baseline, needs an explicit flag (kept in the audit trail)."
        ),
    )
    add.add_argument("patient_id", metavar="PATIENT")
    add.add_argument("folder", metavar="FOLDER", help="folder, DICOMDIR or file")
    _study_options(add)
    add.add_argument(
        "--label", metavar="L", help="the time point's label (default: BL, FU1 ...)"
    )
    add.add_argument(
        "--accept-id-mismatch",
        action="store_true",
        help="add a study whose PatientID differs: both IDs are the same person",
    )
    add.add_argument(
        "--new-baseline",
        action="store_true",
        help="add a study dated before the baseline: it becomes the new baseline",
    )
    _common(add)
    add.set_defaults(handler=run_timepoint_add)
    drop = timepoint_commands.add_parser(
        "remove",
        help="remove a time point (kept in the audit trail; 'respond restore' undoes)",
    )
    drop.add_argument("patient_id", metavar="PATIENT")
    drop.add_argument("label", metavar="LABEL", help="the time point's label (FU1)")
    _common(drop)
    drop.set_defaults(handler=run_timepoint_remove)

    removed = commands.add_parser(
        "removed", help="list the patients, time points and lesions removed"
    )
    removed.add_argument(
        "patient_id", metavar="PATIENT", nargs="?", help="only this patient's"
    )
    removed.add_argument("--json", action="store_true", help="print JSON")
    _common(removed)
    removed.set_defaults(handler=run_removed)

    restore = commands.add_parser(
        "restore", help="put back what a removal took away (see 'respond removed')"
    )
    restore.add_argument(
        "audit_id", metavar="AUDIT_ID", type=int, help="the id 'respond removed' shows"
    )
    _common(restore)
    restore.set_defaults(handler=run_restore)

    images = commands.add_parser("images", help="list the indexed image folders")
    images.add_argument("--json", action="store_true", help="print JSON")
    _common(images)
    images.set_defaults(handler=run_images)


# -- helpers ------------------------------------------------------------------------
def _date_option(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise PatientCommandError(
            f"--date {text}: not a date; give the imaging date as YYYY-MM-DD"
        ) from exc


def _iso(dicom_date: str) -> str:
    from respond.session.intake import parse_dicom_date

    when = parse_dicom_date(dicom_date)
    return when.isoformat() if when else (dicom_date or "no date")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _db_option(args: argparse.Namespace) -> str:
    db = getattr(args, "db", None)
    return f" --db {shlex.quote(str(db))}" if db else ""


def _restore_hint(args: argparse.Namespace, audit_id: int | None) -> str:
    db = _db_option(args)
    if audit_id is None:
        return f"see 'respond removed{db}' and restore it with 'respond restore ID{db}'"
    return f"to get it back: respond restore {audit_id}{db}"


def _scan_and_index(
    store: SqliteStore, folder: str
) -> tuple[ScanResult, list[tuple[PatientEntry, StudyEntry]], int]:
    """Scan ``folder``, index its images; return the scan, its studies, the count.

    Raises
    ------
    respond.dicom.NotDicomError
        The path does not exist or holds no DICOM.
    """
    from respond.dicom import scan
    from respond.dicom.facts import indexed_images

    result = scan(folder)
    images = indexed_images(result)
    store.index_images(str(Path(folder).absolute()), images)
    studies = [(p, s) for p in result.patients for s in p.studies]
    return result, studies, len(images)


def _study_line(patient: PatientEntry, study: StudyEntry) -> str:
    description = study.description or "no description"
    return f"  {study.uid}  {_iso(study.date)}  {description}  patient ID {patient.id}"


def _choose_study(
    folder: str,
    result: ScanResult,
    studies: list[tuple[PatientEntry, StudyEntry]],
    study_uid: str | None,
) -> tuple[PatientEntry, StudyEntry]:
    """Return the study asked for, or the only one.

    Raises
    ------
    StudyChoiceError
        No image study, several without ``--study``, or not the one asked for.
    """
    if not studies:
        others = []
        if result.non_image:
            others.append(_plural(len(result.non_image), "non-image object"))
        if result.unreadable:
            others.append(_plural(len(result.unreadable), "unreadable file"))
        found = f" (only {', '.join(others)})" if others else ""
        raise StudyChoiceError(
            folder,
            f"{folder} holds no CT or MR image study{found}; choose a folder with "
            "the images ('respond series FOLDER' shows what is there)",
        )
    listing = "\n".join(_study_line(p, s) for p, s in studies)
    if study_uid:
        for patient, study in studies:
            if study.uid == study_uid:
                return patient, study
        raise StudyChoiceError(
            folder,
            f"{folder} holds no study {study_uid}; the studies found "
            f"(UID, date, description, patient ID):\n{listing}",
        )
    if len(studies) > 1:
        raise StudyChoiceError(
            folder,
            f"{folder} holds {len(studies)} studies; choose one with --study UID "
            f"(UID, date, description, patient ID):\n{listing}",
        )
    return studies[0]


def _check_series(folder: str, facts: StudyFacts, series_uid: str | None) -> None:
    if not series_uid or any(s.series_uid == series_uid for s in facts.series):
        return
    listing = "\n".join(f"  {s.series_uid}  {_series_text(s)}" for s in facts.series)
    raise StudyChoiceError(
        folder,
        f"study {facts.study_uid} in {folder} has no image series {series_uid}; "
        f"its series (UID, number, description, phase):\n{listing or '  none'}",
    )


def _series_text(series: SeriesFacts | None) -> str:
    if series is None:
        return "series not in this folder"
    number = f"#{series.number} " if series.number is not None else ""
    description = series.description or "no description"
    return f"series {number}{description} ({series.phase}, {series.images} images)"


def _series_of(facts: StudyFacts, series_uid: str) -> SeriesFacts | None:
    return next((s for s in facts.series if s.series_uid == series_uid), None)


def _timepoint_json(record: TimePointRecord, facts: StudyFacts) -> dict[str, object]:
    series = _series_of(facts, record.series_uid)
    return {
        "uid": record.uid,
        "label": record.label,
        "date": record.date.isoformat(),
        "study_uid": record.study_uid,
        "series_uid": record.series_uid,
        "series_number": None if series is None else series.number,
        "series_description": None if series is None else series.description,
        "phase": None if series is None else series.phase,
        "arterial": record.timepoint.arterial_phase,
    }


def _deleted_entry(
    store: SqliteStore, patient_id: str, entity: str, key: str
) -> int | None:
    """Return the audit id of the newest unrestored removal of this item."""
    for entry in store.deleted(patient_id):
        if entry.entity == entity and entry.key == key:
            return entry.id
    return None


# -- patient new / remove -------------------------------------------------------------
def run_patient_new(args: argparse.Namespace, out: TextIO) -> int:
    """Create a patient from a study in a folder; the study becomes the baseline.

    Raises
    ------
    respond.dicom.NotDicomError
        The folder does not exist or holds no DICOM.
    StudyChoiceError
        No image study, several without ``--study``, or the study or series
        asked for is not there.
    PatientCommandError
        A patient with the study's PatientID exists already, or a bad ``--date``.
    respond.session.intake.StudyRefusedError
        The study has no PatientID, no usable date or no image series.
    """
    from respond.dicom.facts import study_facts
    from respond.session.intake import create_patient

    date = _date_option(args.date)
    who = reader_name(args)
    with open_database(args) as store:
        result, studies, count = _scan_and_index(store, args.folder)
        patient, study = _choose_study(args.folder, result, studies, args.study)
        facts = study_facts(patient, study)
        _check_series(args.folder, facts, args.series)
        pid = facts.patient_id.strip()
        if pid and any(p.patient_id == pid for p in store.list_patients()):
            raise PatientCommandError(
                f"patient {pid} already exists; add study {facts.study_uid} to it "
                f"with 'respond timepoint add {shlex.quote(pid)} "
                f"{shlex.quote(args.folder)}' instead of creating it again"
            )
        read = create_patient(store, facts, who=who, series_uid=args.series, date=date)
    _print_created(args, out, read, facts, count)
    return 0


def _print_created(
    args: argparse.Namespace,
    out: TextIO,
    read: PatientRead,
    facts: StudyFacts,
    count: int,
) -> None:
    patient = read.patient
    sex = patient.sex
    baseline = read.timepoints[0]
    root = str(Path(args.folder).absolute())
    if args.json:
        doc = {
            "patient": {
                "id": patient.id,
                "name": patient.name,
                "birth_date": (
                    patient.birth_date.isoformat() if patient.birth_date else None
                ),
                "sex": sex,
            },
            "baseline": _timepoint_json(baseline, facts),
            "indexed": {"root": root, "images": count},
        }
        out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    born = patient.birth_date.isoformat() if patient.birth_date else "unknown"
    lines = (
        (
            f"created patient {patient.id}: {patient.name or 'no name'}, "
            f"born {born}, sex {sex or 'unknown'}"
        ),
        (
            f"  baseline {baseline.label}  {baseline.date.isoformat()}  "
            f"study {baseline.study_uid}"
        ),
        f"  {_series_text(_series_of(facts, baseline.series_uid))}",
        f"indexed {_plural(count, 'image')} under {root}",
    )
    out.write("".join(terminal_text(line) + "\n" for line in lines))


def _stdin_is_tty() -> bool:
    stdin = sys.stdin
    try:
        return bool(stdin is not None and stdin.isatty())
    except (OSError, ValueError):
        return False


def run_patient_remove(args: argparse.Namespace, out: TextIO) -> int:
    """Remove a patient after confirmation (``--yes`` or an answer on a terminal).

    Raises
    ------
    respond.store.PatientNotFoundError
        No such patient.
    NotConfirmedError
        No ``--yes`` and no terminal to ask on, or the answer was not yes.
    PatientCommandError
        A time point is signed: unlock it first.
    """
    pid = args.patient_id
    who = reader_name(args)
    with open_database(args) as store:
        read = store.load(pid)
        count = _plural(len(read.timepoints), "time point")
        signed = [tp for tp in read.timepoints if tp.is_signed]
        if signed:
            names = ", ".join(f"{tp.label} ({tp.date.isoformat()})" for tp in signed)
            raise PatientCommandError(
                f"patient {pid} has signed time point(s) {names}; unlock them in "
                "the app (with a reason) before removing the patient"
            )
        if not args.yes:
            if not _stdin_is_tty():
                raise NotConfirmedError(
                    pid,
                    f"add --yes to remove patient {pid} and its {count}; it can be "
                    "restored with respond restore",
                )
            out.write(
                terminal_text(
                    f"remove patient {pid} ({read.patient.name or 'no name'}) and "
                    f"its {count}? It can be restored with 'respond restore'. [y/N] "
                )
            )
            out.flush()
            if sys.stdin.readline().strip().lower() not in ("y", "yes"):
                raise NotConfirmedError(
                    pid, f"patient {pid} was not removed (not confirmed)"
                )
        store.delete_patient(pid, who=who)
        audit_id = _deleted_entry(store, pid, "patient", pid)
    out.write(
        terminal_text(
            f"removed patient {pid} and its {count}; {_restore_hint(args, audit_id)}"
        )
        + "\n"
    )
    return 0


# -- timepoint add / remove -----------------------------------------------------------
def _confirmations_missing(
    args: argparse.Namespace, check: IntakeCheck, facts: StudyFacts, read: PatientRead
) -> None:
    """Raise when the study needs a flag the reader did not give."""
    pid = read.patient.id
    problems = []
    if check.id_mismatch and not args.accept_id_mismatch:
        problems.append(
            f"study {facts.study_uid} belongs to patient ID '{facts.patient_id}', "
            f"not '{pid}'; add --accept-id-mismatch to accept it when both IDs are "
            "the same person (an ID changed between hospitals; kept in the audit "
            "trail)"
        )
    if check.new_baseline and not args.new_baseline:
        base = read.timepoints[0]
        when = check.date.isoformat() if check.date else facts.date
        problems.append(
            f"study {facts.study_uid} is dated {when}, before the baseline "
            f"{base.label} ({base.date.isoformat()}) of patient {pid}; add "
            "--new-baseline to make it the new baseline (every time point is then "
            "re-assessed against it; kept in the audit trail)"
        )
    if problems:
        raise NotConfirmedError(pid, "\n".join(problems))


def run_timepoint_add(args: argparse.Namespace, out: TextIO) -> int:
    """Add a study in a folder as a time point of a stored patient.

    Name, birth-date and sex differences are printed as warnings on stderr.

    Raises
    ------
    respond.store.PatientNotFoundError
        No such patient.
    respond.dicom.NotDicomError
        The folder does not exist or holds no DICOM.
    StudyChoiceError
        No image study, several without ``--study``, or the study or series
        asked for is not there.
    NotConfirmedError
        Another patient's study without ``--accept-id-mismatch``, or one dated
        before the baseline without ``--new-baseline``.
    respond.session.intake.StudyRefusedError
        The same study twice, a date already taken, no usable date, a label
        taken, a new baseline while a time point is signed.
    """
    from respond.dicom.facts import study_facts
    from respond.session import ReadSession

    date = _date_option(args.date)
    pid = args.patient_id
    with open_database(args) as store:
        session = ReadSession(store, pid, reader=reader_name(args))
        result, studies, _count = _scan_and_index(store, args.folder)
        patient, study = _choose_study(args.folder, result, studies, args.study)
        facts = study_facts(patient, study)
        _check_series(args.folder, facts, args.series)
        check = session.check_study(facts, date=date)
        if not check.refusal:
            _confirmations_missing(args, check, facts, session.read)
        labels_before = {tp.uid: tp.label for tp in session.read.timepoints}
        uid = session.add_study(
            facts,
            series_uid=args.series,
            label=args.label or "",
            date=date,
            confirm_id_mismatch=args.accept_id_mismatch,
            confirm_new_baseline=args.new_baseline,
        )
        read = session.read
    record = next(tp for tp in read.timepoints if tp.uid == uid)
    out.write(
        terminal_text(
            f"added time point {record.label} ({record.date.isoformat()}) to "
            f"patient {pid}: study {record.study_uid}, "
            f"{_series_text(_series_of(facts, record.series_uid))}"
        )
        + "\n"
    )
    moved = [
        f"{labels_before[tp.uid]} -> {tp.label} ({tp.date.isoformat()})"
        for tp in read.timepoints
        if tp.uid in labels_before and labels_before[tp.uid] != tp.label
    ]
    if moved:
        out.write(terminal_text(f"relabelled: {', '.join(moved)}") + "\n")
    for warning in check.warnings:
        sys.stderr.write(terminal_text(f"warning: {warning}", multiline=True) + "\n")
    return 0


def _find_label(read: PatientRead, label: str) -> TimePointRecord:
    exact = [tp for tp in read.timepoints if tp.label == label]
    if not exact:
        exact = [tp for tp in read.timepoints if tp.label.lower() == label.lower()]
    if len(exact) != 1:
        raise TimePointChoiceError(
            read.patient.id, label, [tp.label for tp in read.timepoints]
        )
    return exact[0]


def run_timepoint_remove(args: argparse.Namespace, out: TextIO) -> int:
    """Remove a patient's time point by label.

    Raises
    ------
    respond.store.PatientNotFoundError
        No such patient.
    TimePointChoiceError
        No time point with that label.
    PatientCommandError
        The time point is signed: unlock it first.
    """
    from respond.session import ReadSession

    pid = args.patient_id
    with open_database(args) as store:
        session = ReadSession(store, pid, reader=reader_name(args))
        record = _find_label(session.read, args.label)
        if record.is_signed:
            raise PatientCommandError(
                f"time point {record.label} ({record.date.isoformat()}) of patient "
                f"{pid} is signed by {record.signed_by or 'someone'}; unlock it first "
                "(in the app, with a reason kept in the audit trail), then remove it"
            )
        session.remove_timepoint(record.uid)
        audit_id = _deleted_entry(store, pid, "timepoint", record.uid)
    out.write(
        terminal_text(
            f"removed time point {record.label} ({record.date.isoformat()}) of "
            f"patient {pid}; {_restore_hint(args, audit_id)}"
        )
        + "\n"
    )
    return 0


# -- removed / restore / images -------------------------------------------------------
def _json_object(text: str | None) -> dict[str, object]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _describe_removal(entry: AuditEntry) -> dict[str, object]:
    """Return what a removal took away: kind, key, label, date, name, description."""
    before = _json_object(entry.before)
    pid = entry.patient_id
    if entry.entity == "patient":
        patient = before.get("patient")
        name = patient.get("name") if isinstance(patient, dict) else None
        timepoints = before.get("timepoints")
        count = len(timepoints) if isinstance(timepoints, list) else 0
        who = f" ({name})" if name else ""
        return {
            "what": "patient",
            "name": name,
            "description": f"patient {pid}{who} and its {_plural(count, 'time point')}",
        }
    if entry.entity == "timepoint":
        header = before.get("timepoint")
        header = header if isinstance(header, dict) else {}
        label, date = header.get("label"), header.get("date")
        return {
            "what": "time point",
            "label": label,
            "date": date,
            "description": f"time point {label or entry.key} ({date or 'no date'}) "
            f"of patient {pid}",
        }
    if entry.entity == "lesion":
        return {
            "what": "lesion",
            "lesion_id": entry.key,
            "description": f"lesion {entry.key} of patient {pid}",
        }
    return {
        "what": entry.entity,
        "description": f"{entry.entity} {entry.key} of patient {pid}",
    }


def run_removed(args: argparse.Namespace, out: TextIO) -> int:
    """List the removals not restored since, newest first."""
    with open_database(args, read_only=True) as store:
        entries = store.deleted(args.patient_id or None)
    rows = [
        {
            "audit_id": e.id,
            "at": e.at,
            "who": e.who,
            "patient_id": e.patient_id,
            "key": e.key,
            **_describe_removal(e),
        }
        for e in entries
    ]
    if args.json:
        out.write(json.dumps({"removed": rows}, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not rows:
        whose = f" of patient {args.patient_id}" if args.patient_id else ""
        out.write(terminal_text(f"nothing removed{whose} is waiting to be restored"))
        out.write("\n")
        return 0
    for row in rows:
        out.write(f"{row['audit_id']:>6}  {terminal_text(row['at'])}  ")
        out.write(f"{terminal_text(row['who'])}  {terminal_text(row['description'])}\n")
    out.write(f"restore one with 'respond restore AUDIT_ID{_db_option(args)}'\n")
    return 0


def run_restore(args: argparse.Namespace, out: TextIO) -> int:
    """Put back what a removal took away."""
    with open_database(args) as store:
        description = store.restore_deleted(args.audit_id, who=reader_name(args))
    out.write(f"restored {terminal_text(description)}\n")
    return 0


def run_images(args: argparse.Namespace, out: TextIO) -> int:
    """List the indexed folders: where, when scanned, how many files."""
    with open_database(args, read_only=True) as store:
        roots = store.indexed_roots()
    if args.json:
        doc = {
            "images": [
                {"root": root, "scanned_at": at, "files": files}
                for root, at, files in roots
            ]
        }
        out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not roots:
        out.write(
            "no image folders indexed yet: 'respond patient new FOLDER' and "
            "'respond timepoint add PATIENT FOLDER' index them\n"
        )
        return 0
    for root, at, files in roots:
        out.write(f"{terminal_text(root)}  scanned {at}  {_plural(files, 'file')}\n")
    return 0
