"""Lay the report out as a Qt rich-text document and print it to PDF."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from respond.errors import RespondError
from respond.pdf._keyimage import key_image_picture
from respond.pdf._plots import spider_image, waterfall_image
from respond.pdf._qt import ensure_gui
from respond.report._files import private_temporary, publish
from respond.report.keyimages import target_values_text
from respond.report.plotdata import change_curves, waterfall

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtGui import QImage

    from respond.report.document import ReportData
    from respond.report.keyimages import KeyImage

__all__ = ["PdfError", "write_pdf"]

_Doc = Mapping[str, object]
_CRITERIA = (("RECIST1.1", "RECIST 1.1"), ("mRECIST", "mRECIST"))
_ACTIONS = {
    "continue": "Continue sorafenib at the current dose",
    "continue_reduced_dose": "Continue sorafenib one dose level lower",
    "interrupt": "Interrupt sorafenib",
    "discontinue": "Stop sorafenib",
    "switch_second_line": "Stop sorafenib and switch to second-line therapy",
    "repeat_imaging": "Repeat or complete the imaging",
    "review": "Tumour board review",
}
_MARGIN_MM = 14.0
_PAGE_WIDTH_PT = (210.0 - 2 * _MARGIN_MM) * 72.0 / 25.4
_PAGE_HEIGHT_PT = (297.0 - 2 * _MARGIN_MM) * 72.0 / 25.4
_CSS = """
body { font-family: 'DejaVu Sans'; font-size: 9pt; }
h1 { font-size: 14pt; margin-bottom: 2px; }
h2 { font-size: 12pt; margin-top: 14px; margin-bottom: 4px; color: #1a237e; }
h3 { font-size: 10pt; margin-top: 8px; margin-bottom: 2px; }
td, th { padding: 2px 4px; }
th { background-color: #e8eaf6; }
.small { font-size: 7.5pt; color: #444444; }
table.grid td { white-space: nowrap; }
.pd { color: #b71c1c; font-weight: bold; }
.good { color: #1b5e20; font-weight: bold; }
"""


class PdfError(RespondError):
    """The PDF could not be written (a folder missing, no permission, a full disk)."""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


_TABLE = '<table border="1" cellspacing="0" cellpadding="{pad}" width="{width}">'


def _tr(*cells: str, header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in cells) + "</tr>"


def _table(rows: Sequence[str], *, pad: int = 2, width: str = "100%") -> str:
    return _TABLE.format(pad=pad, width=width) + "".join(rows) + "</table>"


def _category(value: object) -> str:
    if value is None:
        return "-"
    text = _e(value)
    if text == "PD":
        return f'<span class="pd">{text}</span>'
    if text in ("CR", "PR"):
        return f'<span class="good">{text}</span>'
    return text


def _pct(value: object) -> str:
    if value is None:
        return "-"
    number = float(cast("float", value))
    return f"{number:+.1f} %" if number else "0.0 %"


def _mm(value: object) -> str:
    return "-" if value is None else f"{_e(value)}"


def _header(report: ReportData) -> str:
    read = report.read
    patient = read.patient
    rows = []
    if report.deid is None:
        rows.append(("Patient", f"{_e(patient.name or '(no name)')}"))
        rows.append(("Patient ID", _e(patient.id)))
        rows.append(
            (
                "Birth date",
                _e(patient.birth_date.isoformat() if patient.birth_date else "-"),
            )
        )
    else:
        rows.append(("Patient", f"{_e(patient.id)} (de-identified)"))
        rows.append(
            (
                "Dates",
                "every date is shifted by the same number of days; intervals are kept",
            )
        )
        controlled = (
            "labels, lesion ids, organs and sites from controlled lists; free "
            "text removed; readers and UIDs replaced"
        )
        rows.append(("Text", controlled))
    dates = ", ".join(f"{_e(tp.label)} {tp.date.isoformat()}" for tp in read.timepoints)
    rows.append(("Imaging", dates or "-"))
    rows.append(("Reader", _e(read.reader or "-")))
    rows.append(("Primary criterion", _e(read.settings.primary_criterion.value)))
    rows.append(("Report", f"{_e(report.generated)}, respond {_e(report.version)}"))
    cells = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows)
    return (
        "<h1>Tumour response report: hepatocellular carcinoma on systemic therapy</h1>"
        f'<table cellspacing="0">{cells}</table>'
    )


def _summary(doc: _Doc) -> str:
    best = cast("Mapping[str, object]", doc.get("best_overall") or {})
    progression = cast("Mapping[str, object]", doc.get("progression") or {})
    timepoints = cast("Sequence[_Doc]", doc["timepoints"])
    rows = []
    for key, name in _CRITERIA:
        if not any(tp.get(key) for tp in timepoints):
            continue
        latest = next(
            (
                (tp["label"], cast("_Doc", tp[key])["overall"])
                for tp in reversed(timepoints)
                if tp.get(key) and cast("_Doc", tp[key]).get("overall")
            ),
            ("-", None),
        )
        prog = cast("Mapping[str, object] | None", progression.get(key))
        prog_text = f"{_e(prog['label'])} ({_e(prog['date'])})" if prog else "none"
        rows.append(
            f"<tr><td><b>{name}</b></td><td>{_category(best.get(key))}</td>"
            f"<td>{_e(latest[0])}: {_category(latest[1])}</td><td>{prog_text}</td></tr>"
        )
    return (
        "<h2>Summary</h2>"
        '<table border="1" cellspacing="0" cellpadding="3">'
        "<tr><th>Criterion</th><th>Best overall response</th><th>Latest</th>"
        "<th>Progression (first)</th></tr>" + "".join(rows) + "</table>"
    )


def _source(rule: Mapping[str, str]) -> str:
    """Where a rule of the recommendation comes from, in brackets (or nothing)."""
    source = rule.get("source")
    return f" [{_e(source)}]" if source else ""


def _recommendation(report: ReportData) -> str:
    doc = report.assessment
    rec = cast("Mapping[str, object] | None", doc.get("recommendation"))
    parts = ["<h2>Recommendation (decision support; the clinician decides)</h2>"]
    if not rec:
        parts.append("<p>No recommendation: the read has no follow-up yet.</p>")
    else:
        action = str(rec.get("action"))
        dose = rec.get("dose_level")
        dose_text = f", dose level {dose}" if dose is not None else ""
        parts.append(
            f"<p><b>{_e(_ACTIONS.get(action, action))}</b> "
            f"({_e(action)}{_e(dose_text)})</p>"
        )
        rules = cast("Sequence[Mapping[str, str]]", rec.get("rules") or ())
        if rules:
            parts.append("<p>Rules that fired:</p><ul>")
            parts.extend(
                f"<li><b>{_e(r['rule'])}</b>{_source(r)}: {_e(r['text'])}</li>"
                for r in rules
            )
            parts.append("</ul>")
        notes = cast("Sequence[str]", rec.get("notes") or ())
        if notes:
            parts.append(
                "<p>Notes:</p><ul>"
                + "".join(f"<li>{_e(n)}</li>" for n in notes)
                + "</ul>"
            )
    decided = [tp for tp in report.read.timepoints if tp.decision is not None]
    if decided:
        parts.append(
            "<h3>Clinician's decisions</h3>"
            '<table border="1" cellspacing="0" cellpadding="3">'
            "<tr><th>Time point</th><th>Recommended</th><th>Decided</th><th>Reason</th>"
            "<th>By, at</th></tr>"
        )
        for tp in decided:
            d = tp.decision
            assert d is not None
            verdict = "accepted" if d.accepted else "overridden"
            dose = "" if d.dose_level is None else f", dose level {d.dose_level}"
            parts.append(
                f"<tr><td>{_e(tp.label)}</td><td>{_e(d.recommended_action.value)}</td>"
                f"<td>{_e(d.action.value)}{_e(dose)} ({verdict})</td>"
                f"<td>{_e(d.reason or '-')}</td>"
                f"<td>{_e(d.decided_by)}, {_e(d.decided_at)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No clinician's decision recorded yet.</p>")
    return "".join(parts)


def _response_table(doc: _Doc) -> str:
    timepoints = cast("Sequence[_Doc]", doc["timepoints"])
    head = (
        "<tr><th>Time point</th><th>Criterion</th><th>Sum mm</th><th>vs baseline</th>"
        "<th>vs nadir</th><th>Target</th><th>Non-target</th><th>New</th>"
        "<th>Overall</th></tr>"
    )
    rows = []
    for tp in timepoints:
        blocks = [(name, cast("_Doc | None", tp.get(key))) for key, name in _CRITERIA]
        shown = [(name, block) for name, block in blocks if block is not None]
        for number, (name, block) in enumerate(shown):
            first = (
                f"<td rowspan='{len(shown)}'><b>{_e(tp['label'])}</b>"
                f"<br/>{_e(tp['date'])}</td>"
                if number == 0
                else ""
            )
            new = block.get("new_lesions")
            overall = (
                _category(block.get("overall")) if block.get("overall") else "baseline"
            )
            if block.get("revised_from"):
                overall += f" (was {_e(block['revised_from'])})"
            rows.append(
                f"<tr>{first}<td>{name}</td><td>{_mm(block.get('sum_mm'))}</td>"
                f"<td>{_pct(block.get('change_from_baseline_pct'))}</td>"
                f"<td>{_pct(block.get('change_from_nadir_pct'))}</td>"
                f"<td>{_category(block.get('target'))}</td>"
                f"<td>{_category(block.get('non_target'))}</td>"
                f"<td>{'-' if new is None else ('yes' if new else 'no')}</td>"
                f"<td>{overall}</td></tr>"
            )
    reasons = ["<h3>Reasons</h3>"]
    for tp in timepoints:
        for key, name in _CRITERIA:
            reasoned = cast("_Doc | None", tp.get(key))
            if not reasoned:
                continue
            items = cast("Sequence[Mapping[str, str]]", reasoned.get("reasons") or ())
            reasons.append(f"<p><b>{_e(tp['label'])}, {name}</b></p><ul>")
            reasons.extend(f"<li>{_e(r['rule'])}: {_e(r['text'])}</li>" for r in items)
            reasons.append("</ul>")
    warnings = cast("Sequence[object]", doc.get("warnings") or ())
    if warnings:
        reasons.append(
            "<h3>Warnings</h3><ul>"
            + "".join(f"<li>{_warning(w)}</li>" for w in warnings)
            + "</ul>"
        )
    return (
        "<h2>Response at every time point</h2>"
        '<table class="grid" border="1" cellspacing="0" cellpadding="2" width="100%">'
        + head
        + "".join(rows)
        + "</table>"
        + "".join(reasons)
    )


def _warning(warning: object) -> str:
    if isinstance(warning, Mapping):
        return f"[{_e(warning.get('code'))}] {_e(warning.get('text'))}"
    return _e(warning)


def _lesions(report: ReportData) -> str:
    read = report.read
    head = (
        "<tr><th>Lesion</th><th>Role</th><th>Site</th>"
        + "".join(f"<th>{_e(tp.label)}</th>" for tp in read.timepoints)
        + "</tr>"
    )
    rows = []
    for lesion in read.lesions:
        cells = []
        for tp in read.timepoints:
            target = tp.target(lesion.id)
            observation = tp.non_target(lesion.id)
            if target is not None:
                cells.append(_e(target_values_text(target)))
            elif observation is not None:
                cells.append(_e(observation.status.value.replace("_", " ")))
            else:
                cells.append("-")
        site = ", ".join(s for s in (lesion.organ, lesion.site) if s)
        rows.append(
            f"<tr><td><b>{_e(lesion.id)}</b></td><td>{_e(lesion.role.value)}</td>"
            f"<td>{_e(site)}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
        )
    new_rows = []
    for owner in read.timepoints:
        for n in owner.timepoint.new_lesions:
            size = f"{n.long_axis_mm} mm" if n.long_axis_mm is not None else "present"
            if n.equivocal:
                size += " (equivocal)"
            where = ", ".join(s for s in (n.organ, n.site) if s)
            cells = [_e(size) if tp.uid == owner.uid else "" for tp in read.timepoints]
            new_rows.append(_tr(f"<b>{_e(n.id)}</b>", "new", _e(where), *cells))
    return (
        "<h2>Lesions (mm)</h2>"
        '<table border="1" cellspacing="0" cellpadding="2" width="100%">'
        + head
        + "".join(rows)
        + "".join(new_rows)
        + "</table>"
    )


def _clinical(report: ReportData) -> str:
    rows = [
        _tr(
            "Time point", "ECOG", "Child-Pugh", "FHSI-8", "Dose level",
            "Adverse events (CTCAE)", header=True,
        )
    ]  # fmt: skip
    for tp in report.read.timepoints:
        c = tp.clinical
        events = ", ".join(
            f"{e.term.replace('_', ' ')} G{e.grade}" for e in c.adverse_events
        )
        dose = "-" if c.dose_level is None else str(c.dose_level)
        if c.is_interrupted:
            dose += " (interrupted)"
        rows.append(
            _tr(
                _e(tp.label),
                _e("-" if c.ecog is None else c.ecog),
                _e(c.child_pugh or "-"),
                _e("-" if c.fhsi8 is None else c.fhsi8),
                _e(dose),
                _e(events or "-"),
            )
        )
    return "<h2>Clinical status</h2>" + _table(rows)


def _signoff(report: ReportData) -> str:
    rows = "".join(
        f"<tr><td>{_e(tp.label)}</td><td>"
        + (
            f"signed by {_e(tp.signed_by)} at {_e(tp.signed_at)}"
            if tp.is_signed
            else "<b>not signed</b>"
        )
        + "</td></tr>"
        for tp in report.read.timepoints
    )
    return (
        '<h2>Sign-off</h2><table border="1" cellspacing="0" cellpadding="2">'
        + rows
        + "</table>"
    )


class _Resources:
    def __init__(self, doc: QTextDocument) -> None:
        self._doc = doc
        self._count = 0

    def add(self, image: QImage, width: int) -> str:
        self._count += 1
        name = f"respond://image/{self._count}"
        self._doc.addResource(
            QTextDocument.ResourceType.ImageResource, QUrl(name), image
        )
        return f'<img src="{name}" width="{width}"/>'


def _plots(report: ReportData, images: _Resources) -> str:
    parts = ['<h2 style="page-break-before: always">Change from baseline</h2><table>']
    doc = report.assessment
    baseline = cast("Sequence[_Doc]", doc["timepoints"])[0]
    for key, name in _CRITERIA:
        block = cast("_Doc | None", baseline.get(key))
        if block is None or block.get("sum_mm") is None:
            continue  # not computed, or no baseline sum (e.g. mRECIST without arterial)
        curves = change_curves(report.read, key, doc)
        spider = images.add(
            spider_image(curves, f"{name}: change of target lesions"), 250
        )
        bars = images.add(
            waterfall_image(waterfall(report.read, key, doc), f"{name}: best change"),
            250,
        )
        parts.append(f"<tr><td>{spider}</td><td>{bars}</td></tr>")
    parts.append("</table>")
    parts.append(
        '<p class="small">Spider: per cent change from baseline of each target '
        "lesion (thin) and of the sum (thick); dashed lines at -30 % (PR) and +20 % "
        "(PD). Waterfall: the best change after baseline, largest first. mRECIST uses "
        "the viable (arterially "
        "enhancing) diameter of liver targets.</p>"
    )
    return "".join(parts)


def _key_images(report: ReportData, images: _Resources) -> str:
    if not report.key_images:
        return ""
    parts = ['<h2 style="page-break-before: always">Key images</h2>']
    by_lesion: dict[str, list[KeyImage]] = {}
    for key in report.key_images:
        by_lesion.setdefault(key.lesion_id, []).append(key)
    per_row = 3
    for lesion_id, keys in by_lesion.items():
        parts.append(f"<h3>{_e(lesion_id)}</h3><table cellspacing='4'>")
        for start in range(0, len(keys), per_row):
            parts.append("<tr>")
            for key in keys[start : start + per_row]:
                picture = images.add(key_image_picture(key), 165)
                parts.append(
                    f"<td align='center'>{picture}<br/>"
                    f"<b>{_e(key.timepoint_label)}</b>: "
                    f"{_e(key.values_text)}</td>"
                )
            parts.append("</tr>")
        parts.append("</table>")
    return "".join(parts)


def _attribution(report: ReportData) -> str:
    parts = ["<h2>Notes</h2>"]
    parts.append(
        "<p class='small'>Decision support only: the clinician decides. Categories per "
        "RECIST 1.1 (Eisenhauer 2009) and mRECIST (Lencioni &amp; Llovet 2010), "
        "computed "
        "exactly from the recorded diameters.</p>"
    )
    if report.attributions:
        parts.append("<p><b>Data attribution</b></p>")
        parts.extend(f"<p class='small'>{_e(text)}</p>" for text in report.attributions)
    return "".join(parts)


def _document(report: ReportData) -> QTextDocument:
    doc = QTextDocument()
    # Lay out on the printable A4 area in points (182 x 269 mm); print_() scales
    # it to the writer's resolution, so widths below are in points.
    doc.setPageSize(QSizeF(_PAGE_WIDTH_PT, _PAGE_HEIGHT_PT))
    doc.setDefaultStyleSheet(_CSS)
    resources = _Resources(doc)
    body = "".join(
        (
            _header(report),
            _summary(report.assessment),
            _recommendation(report),
            _response_table(report.assessment),
            _lesions(report),
            _clinical(report),
            _plots(report, resources),
            _key_images(report, resources),
            _signoff(report),
            _attribution(report),
        )
    )
    doc.setHtml(f"<html><body>{body}</body></html>")
    return doc


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
        writer = QPdfWriter(str(temporary))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(
            QMarginsF(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM, _MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
        writer.setResolution(300)
        writer.setTitle(f"Tumour response report {report.read.patient.id}")
        writer.setCreator(f"respond {report.version}")
        document = _document(report)
        document.print_(writer)
        del writer
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
