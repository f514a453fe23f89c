"""The report's first sections: patient details, summary, recommendation, clinical."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from respond.pdf._compose import CRITERIA, Composer, Doc, category, esc
from respond.pdf._tables import Cell, Table, cell
from respond.pdf._text import Run

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from respond.pdf._flow import Block
    from respond.report.document import ReportData

__all__ = ["ACTIONS", "clinical", "details", "recommendation", "summary"]

ACTIONS = {
    "continue": "Continue sorafenib at the current dose",
    "continue_reduced_dose": "Continue sorafenib one dose level lower",
    "interrupt": "Interrupt sorafenib",
    "discontinue": "Stop sorafenib",
    "switch_second_line": "Stop sorafenib and switch to second-line therapy",
    "repeat_imaging": "Repeat or complete the imaging",
    "review": "Tumour board review",
}
_CONTROLLED = (
    "labels, lesion ids, organs and sites from controlled lists; free text "
    "removed; readers and UIDs replaced"
)
_TITLE = "Tumour response report: hepatocellular carcinoma on systemic therapy"


def _identity(report: ReportData) -> list[tuple[str, str]]:
    patient = report.read.patient
    if report.deid is None:
        born = patient.birth_date.isoformat() if patient.birth_date else "-"
        return [
            ("Patient", patient.name or "(no name)"),
            ("Patient ID", patient.id),
            ("Birth date", born),
        ]
    return [
        ("Patient", f"{patient.id} (de-identified)"),
        ("Dates", "every date is shifted by the same number of days; intervals kept"),
        ("Text", _CONTROLLED),
    ]


def details(compose: Composer, report: ReportData) -> list[Block]:
    """Return the title and the patient, imaging and report details."""
    read = report.read
    rows = _identity(report)
    dates = ", ".join(f"{tp.label} {tp.date.isoformat()}" for tp in read.timepoints)
    rows += [
        ("Imaging", dates or "-"),
        ("Reader", read.reader or "-"),
        ("Primary criterion", read.settings.primary_criterion.value),
        ("Report", f"{report.generated}, respond {report.version}"),
    ]
    table = Table(
        None,
        [[cell(Run(k, bold=True)), cell(v)] for k, v in rows],
        grid=False,
        size=9,
        stretch=False,
    )
    return [compose.title(_TITLE), *compose.table(table)]


def _latest(timepoints: Sequence[Doc], key: str) -> Cell:
    for tp in reversed(timepoints):
        block = cast("Doc | None", tp.get(key))
        if block and block.get("overall"):
            return cell(f"{tp['label']}: ", category(block["overall"]))
    return cell("-")


def summary(compose: Composer, doc: Doc) -> list[Block]:
    """Return each criterion's best, latest and first progression."""
    best = cast("Mapping[str, object]", doc.get("best_overall") or {})
    progression = cast("Mapping[str, object]", doc.get("progression") or {})
    timepoints = cast("Sequence[Doc]", doc["timepoints"])
    rows = []
    for key, name in CRITERIA:
        if not any(tp.get(key) for tp in timepoints):
            continue
        prog = cast("Mapping[str, object] | None", progression.get(key))
        prog_text = f"{prog['label']} ({prog['date']})" if prog else "none"
        rows.append(
            [
                cell(Run(name, bold=True)),
                cell(category(best.get(key))),
                _latest(timepoints, key),
                cell(prog_text),
            ]
        )
    header = ("Criterion", "Best overall response", "Latest", "Progression (first)")
    table = Table(header, rows, size=8.5, stretch=False)
    return [compose.heading("Summary"), *compose.table(table)]


def _action(rec: Mapping[str, object]) -> str:
    action = str(rec.get("action"))
    dose = rec.get("dose_level")
    dose_text = f", dose level {dose}" if dose is not None else ""
    return f"<b>{esc(ACTIONS.get(action, action))}</b> ({esc(action)}{esc(dose_text)})"


def _rules(compose: Composer, rec: Mapping[str, object]) -> list[Block]:
    blocks: list[Block] = []
    rules = cast("Sequence[Mapping[str, str]]", rec.get("rules") or ())
    if rules:
        blocks.append(compose.paragraph("Rules that fired:"))
        blocks += compose.bullets(
            [
                f"<b>{esc(r['rule'])}</b>"
                + (f" [{esc(r['source'])}]" if r.get("source") else "")
                + f": {esc(r['text'])}"
                for r in rules
            ]
        )
    notes = cast("Sequence[str]", rec.get("notes") or ())
    if notes:
        blocks.append(compose.paragraph("Notes:"))
        blocks += compose.bullets([esc(n) for n in notes])
    return blocks


def _decisions(compose: Composer, report: ReportData) -> list[Block]:
    decided = [tp for tp in report.read.timepoints if tp.decision is not None]
    if not decided:
        return [compose.paragraph("No clinician's decision recorded yet.")]
    rows = []
    for tp in decided:
        d = tp.decision
        assert d is not None
        verdict = "accepted" if d.accepted else "overridden"
        dose = "" if d.dose_level is None else f", dose level {d.dose_level}"
        rows.append(
            [
                cell(tp.label),
                cell(d.recommended_action.value),
                cell(f"{d.action.value}{dose} ({verdict})"),
                cell(d.reason or "-"),
                cell(f"{d.decided_by}, {d.decided_at}"),
            ]
        )
    header = ("Time point", "Recommended", "Decided", "Reason", "By, at")
    return [
        compose.heading("Clinician's decisions", level=3),
        *compose.table(Table(header, rows)),
    ]


def recommendation(compose: Composer, report: ReportData) -> list[Block]:
    """Return the recommendation, its rules and notes, and the decisions taken."""
    rec = cast("Mapping[str, object] | None", report.assessment.get("recommendation"))
    blocks = [
        compose.heading("Recommendation (decision support; the clinician decides)")
    ]
    if not rec:
        blocks.append(
            compose.paragraph("No recommendation: the read has no follow-up yet.")
        )
    else:
        blocks.append(compose.paragraph(_action(rec)))
        blocks += _rules(compose, rec)
    return blocks + _decisions(compose, report)


def clinical(compose: Composer, report: ReportData) -> list[Block]:
    """Return the clinical status at every time point."""
    rows = []
    for tp in report.read.timepoints:
        c = tp.clinical
        events = ", ".join(
            f"{e.term.replace('_', ' ')} G{e.grade}" for e in c.adverse_events
        )
        dose = "-" if c.dose_level is None else str(c.dose_level)
        if c.is_interrupted:
            dose += " (interrupted)"
        rows.append(
            [
                cell(Run(tp.label, bold=True)),
                cell("-" if c.ecog is None else str(c.ecog)),
                cell(c.child_pugh or "-"),
                cell("-" if c.fhsi8 is None else str(c.fhsi8)),
                cell(dose),
                cell(events or "-"),
            ]
        )
    header = (
        "Time point",
        "ECOG",
        "Child-Pugh",
        "FHSI-8",
        "Dose level",
        "Adverse events (CTCAE)",
    )
    return [compose.heading("Clinical status"), *compose.table(Table(header, rows))]
