"""Part 5: identifiers in de-identified outputs.

A patient is stored with synthetic identifiers planted in every free-text field
the case format accepts (name, labels, organs, sites, notes, the adverse event
term), with its DICOM Study, Series and SOP Instance UIDs and a decision whose
reason names the patient (store API). Then

``respond report PATIENT --deidentify --salt S --csv OUT/deid.csv --pdf OUT/deid.pdf --sr OUT/sr``

runs, and every output is searched for every identifier: the CSV files, the
PDF's text (``pdftotext``; without it the PDF's inflated streams), every element
of every SR file (sequences included), the names of the files written, and the
command's own output. The same report without ``--deidentify`` is the control:
an identifier that does not reach even the identified outputs is listed as not
exercised. A planted field the case validator refuses is listed as refused
(refusing is a fine answer).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shutil
import subprocess
import zlib
from pathlib import Path
from typing import Any

from reliability.common import EXAMPLE, RESPOND, Table, child_env, run

PATIENT_ID = "PID-55443322"
IDENTIFIERS = {
    "patient id": [PATIENT_ID],
    "family name": ["Testperson"],
    "given name": ["Quirinus"],
    "record number": ["MRN-99887766", "99887766"],
    "hospital": ["Saint Example Hospital"],
    "phone": ["+41 79 555 01 23"],
    "e-mail": ["quirinus@example.org"],
    "birth date": ["1961-07-23", "19610723"],
    "date in a label": ["2001-08-12", "20010812"],
    "baseline exam date": ["2026-01-05", "20260105"],
    "follow-up exam date": ["2026-03-02", "20260302"],
    "study UID": ["1.2.826.0.1.3680043.8.498.4242421"],
    "series UID": ["1.2.826.0.1.3680043.8.498.4242422"],
}
STAFF = {"reader name": ["Doctor Readerling"]}
HOSPITAL = "Saint Example Hospital"
PLANTS: list[tuple[str, Any]] = [
    ("patient.name", "Testperson^Quirinus"),
    ("patient.birth_date", "1961-07-23"),
    ("reader", "Doctor Readerling"),
    ("lesions.0.organ", "liver Testperson MRN-99887766"),
    ("lesions.0.site", f"segment VIII, {HOSPITAL}"),
    ("lesions.0.note", "Quirinus, call +41 79 555 01 23, quirinus@example.org"),
    ("lesions.1.site", "para-aortic MRN-99887766"),
    ("lesions.2.note", "seen at Saint Example Hospital"),
    ("timepoints.0.label", "BL Testperson 2001-08-12"),
    ("timepoints.1.label", "FU1 MRN-99887766"),
    ("timepoints.0.targets.T1.note", "Testperson measured by Quirinus"),
    (
        "timepoints.1.non_targets.N1",
        {"status": "present", "note": "Testperson MRN-99887766"},
    ),
    ("timepoints.1.new_lesions.0.organ", "liver Quirinus"),
    ("timepoints.1.new_lesions.0.site", HOSPITAL),
    ("timepoints.1.new_lesions.0.note", "phone +41 79 555 01 23"),
    (
        "timepoints.1.clinical.adverse_events.0.term",
        "hand_foot_skin_reaction Testperson",
    ),
]


def _set(doc: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _planted_case() -> tuple[dict[str, Any], list[str], list[str]]:
    """The example with every plant the validator accepts; (doc, kept, refused)."""
    from respond.casefile import load_case
    from respond.errors import RespondError

    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["patient"]["id"] = PATIENT_ID
    kept, refused = [], []
    for path, value in PLANTS:
        trial = copy.deepcopy(doc)
        _set(trial, path, value)
        try:
            load_case(trial)
        except RespondError as exc:
            reason = str(exc).splitlines()[-1].strip()
            if len(reason) > 200:
                reason = reason[:197] + "..."
            refused.append(f"{path}: {reason}")
            continue
        doc = trial
        kept.append(path)
    return doc, kept, refused


def _store(db: Path, doc: dict[str, Any]) -> None:
    """Store the read with DICOM UIDs, a caliper and a decision (store API)."""
    from respond.casefile import load_case
    from respond.criteria import Action, Decision
    from respond.session import read_from_case
    from respond.store import open_store

    read = read_from_case(load_case(doc))
    (study,) = IDENTIFIERS["study UID"]
    (series,) = IDENTIFIERS["series UID"]
    timepoints = []
    for n, record in enumerate(read.timepoints):
        changes: dict[str, Any] = {
            "study_uid": study + f".{n}",
            "series_uid": series + f".{n}",
        }
        if n == len(read.timepoints) - 1:
            changes["decision"] = Decision(
                recommended_action=Action.CONTINUE,
                recommended_dose=0,
                accepted=False,
                action=Action.CONTINUE,
                dose_level=0,
                reason="Testperson asked to continue, MRN-99887766",
                decided_by="Doctor Readerling",
                decided_at="2026-03-02T10:00:00+00:00",
            )
        timepoints.append(dataclasses.replace(record, **changes))
    read = dataclasses.replace(read, timepoints=tuple(timepoints))
    with open_store(db) as store:
        store.create_patient(read, who="Doctor Readerling")


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=False
        )
        if done.returncode == 0:
            return done.stdout.decode("utf-8", "replace")
    data = path.read_bytes()
    parts = [data.decode("latin-1")]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)


def _sr_text(path: Path) -> list[tuple[str, str]]:
    """Every element of an SR file as (keyword or tag, value text)."""
    import pydicom

    found: list[tuple[str, str]] = []

    def walk(dataset: Any) -> None:
        for element in dataset:
            if element.VR == "SQ":
                for item in element.value:
                    walk(item)
            else:
                found.append((element.keyword or str(element.tag), str(element.value)))

    dataset = pydicom.dcmread(path, force=True)
    walk(dataset.file_meta)
    walk(dataset)
    return found


def _search(
    texts: dict[str, list[tuple[str, str]]], wanted: dict[str, list[str]]
) -> dict[str, list[str]]:
    """For each output, the identifiers found in it (with where)."""
    hits: dict[str, list[str]] = {}
    for output, items in texts.items():
        for name, variants in wanted.items():
            for variant in variants:
                needle = variant.lower()
                places = [where for where, text in items if needle in text.lower()]
                if places:
                    hits.setdefault(output, []).append(
                        f"{name} ({variant}) in {', '.join(sorted(set(places))[:4])}"
                    )
                    break
    return hits


def _outputs(out: Path, result_text: str) -> dict[str, list[tuple[str, str]]]:
    texts: dict[str, list[tuple[str, str]]] = {
        "file names": [
            (str(p.relative_to(out)), str(p.relative_to(out))) for p in out.rglob("*")
        ],
        "command output": [("stdout and stderr", result_text)],
    }
    for csv in sorted(out.glob("*.csv")):
        texts[f"CSV {csv.name}"] = [
            (csv.name, csv.read_text(encoding="utf-8", errors="replace"))
        ]
    for pdf in sorted(out.glob("*.pdf")):
        texts["PDF text"] = [(pdf.name, _pdf_text(pdf))]
    items: list[tuple[str, str]] = []
    for sr in sorted(out.rglob("*.dcm")):
        items.extend((f"{sr.name}: {k}", v) for k, v in _sr_text(sr))
    if items:
        texts["SR elements"] = items
    return texts


def run_privacy(work: Path, timeout: float) -> list[Table]:
    """Plant, report with and without --deidentify, search; return one table."""
    table = Table(
        "Identifiers in de-identified outputs",
        columns=(
            "identifiers found",
            "of planted",
            "control: found without --deidentify",
        ),
        always=("identifiers found",),
    )
    work.mkdir(parents=True, exist_ok=True)
    help_text = run(
        [*RESPOND, "report", "--help"], timeout=timeout, env=child_env(work / "home")
    )
    if "--deidentify" not in help_text.stdout:
        table.notes.append(
            "`respond report --help` lists no --deidentify option: nothing to measure "
            f"({help_text.detail})."
        )
        return [table]
    doc, kept, refused = _planted_case()
    table.notes.append(f"Planted in {len(kept)} case fields: {', '.join(kept)}.")
    if refused:
        table.notes.append(
            "Refused by the case validator (not planted): " + "; ".join(refused) + "."
        )
    table.notes.append(
        "Also planted through the store API: the time points' Study and Series "
        "Instance UIDs and a decision whose reason names the patient. No caliper (its "
        "SOP Instance UID) is planted: the SR then needs the images (--images)."
    )
    db = work / "privacy.sqlite3"
    _store(db, doc)
    found: dict[str, dict[str, list[str]]] = {}
    for mode in ("control", "deidentified"):
        out = work / mode
        out.mkdir()
        args = [
            "report",
            PATIENT_ID,
            "--db",
            str(db),
            "--csv",
            str(out / "report.csv"),
            "--pdf",
            str(out / "report.pdf"),
            "--sr",
            str(out / "sr"),
        ]
        if mode == "deidentified":
            args += ["--deidentify", "--salt", "reliability-site-secret"]
        result = run([*RESPOND, *args], timeout=timeout, env=child_env(work / "home"))
        table.notes.append(
            f"`respond report` ({mode}): {result.detail}"
            + (f": {result.message()}" if result.outcome != "exit 0" else "")
            + "."
        )
        if result.outcome in ("exit 70", "crash signal", "hang") or result.traceback:
            table.example(
                result.outcome, f"respond report ({mode}): {result.message()}"
            )
        texts = _outputs(out, result.stdout + result.stderr)
        found[mode] = _search(texts, {**IDENTIFIERS, **STAFF})
        if mode == "deidentified":
            for output in texts:
                hits = [
                    h
                    for h in found[mode].get(output, [])
                    if not h.startswith(tuple(STAFF))
                ]
                if output == "command output":
                    for hit in hits:
                        table.example(
                            "in the command's own messages (not counted)", hit
                        )
                    continue
                control = [
                    h
                    for h in found["control"].get(output, [])
                    if not h.startswith(tuple(STAFF))
                ]
                table.count(output, "identifiers found", len(hits))
                table.count(output, "of planted", len(IDENTIFIERS))
                table.count(output, "control: found without --deidentify", len(control))
                for hit in hits:
                    table.example("identifier leaked", f"{output}: {hit}")
                staff = [
                    h for h in found[mode].get(output, []) if h.startswith(tuple(STAFF))
                ]
                for hit in staff:
                    table.example("staff name (not counted)", f"{output}: {hit}")
    reached = {h.split(" (")[0] for hits in found["control"].values() for h in hits}
    unexercised = sorted(set(IDENTIFIERS) - reached)
    if unexercised:
        table.notes.append(
            "Not in any output even without --deidentify (so not exercised): "
            + ", ".join(unexercised)
            + "."
        )
    return [table]
