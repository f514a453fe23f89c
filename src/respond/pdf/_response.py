"""The response at every time point (both criteria, with reasons) and the lesions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

from respond.criteria.wording import target_values_text
from respond.pdf._compose import CRITERIA, Composer, Doc, category, esc, pct
from respond.pdf._tables import Cell, Table, cell
from respond.pdf._text import Run

if TYPE_CHECKING:
    from respond.pdf._flow import Block
    from respond.report.document import ReportData

__all__ = ["lesions", "response"]

_HEADER = (
    "Time point", "Criterion", "Sum (mm)", "vs baseline", "vs nadir", "Target",
    "Non-target", "New", "Overall",
)  # fmt: skip


def _criterion_row(name: str, block: Doc) -> list[Cell | None]:
    new = block.get("new_lesions")
    overall: Cell = (
        cell(category(block.get("overall")))
        if block.get("overall")
        else cell("baseline")
    )
    if block.get("revised_from"):
        overall += (Run(f" (was {block['revised_from']})"),)
    total = block.get("sum_mm")
    return [
        cell(name),
        cell("-" if total is None else str(total)),
        cell(pct(block.get("change_from_baseline_pct"))),
        cell(pct(block.get("change_from_nadir_pct"))),
        cell(category(block.get("target"))),
        cell(category(block.get("non_target"))),
        cell("-" if new is None else ("yes" if new else "no")),
        overall,
    ]


def _rows(timepoints: Sequence[Doc]) -> tuple[list[list[Cell | None]], list[int]]:
    """Return the rows (a time point's label spans its criteria) and group sizes."""
    rows: list[list[Cell | None]] = []
    groups: list[int] = []
    for tp in timepoints:
        blocks = [(name, cast("Doc | None", tp.get(key))) for key, name in CRITERIA]
        shown = [(name, block) for name, block in blocks if block is not None]
        label = cell(Run(str(tp["label"]), bold=True), f"\n{tp['date']}")
        if not shown:
            rows.append([label, *([cell("-")] * (len(_HEADER) - 1))])
            groups.append(1)
            continue
        for number, (name, block) in enumerate(shown):
            rows.append([label if number == 0 else None, *_criterion_row(name, block)])
        groups.append(len(shown))
    return rows, groups


def _warning(warning: object) -> str:
    if isinstance(warning, Mapping):
        return f"[{esc(warning.get('code'))}] {esc(warning.get('text'))}"
    return esc(warning)


def _reasons(compose: Composer, doc: Doc) -> list[Block]:
    blocks = [compose.heading("Reasons", level=3)]
    for tp in cast("Sequence[Doc]", doc["timepoints"]):
        for key, name in CRITERIA:
            reasoned = cast("Doc | None", tp.get(key))
            if not reasoned:
                continue
            items = cast("Sequence[Mapping[str, str]]", reasoned.get("reasons") or ())
            title = compose.paragraph(f"<b>{esc(tp['label'])}, {name}</b>")
            title.keep_with_next = True
            blocks.append(title)
            blocks += compose.bullets(
                [f"{esc(r['rule'])}: {esc(r['text'])}" for r in items]
            )
    warnings = cast("Sequence[object]", doc.get("warnings") or ())
    if warnings:
        blocks.append(compose.heading("Warnings", level=3))
        blocks += compose.bullets([_warning(w) for w in warnings])
    return blocks


def response(compose: Composer, doc: Doc) -> list[Block]:
    """Return the response table (both criteria per time point) and the reasons."""
    rows, groups = _rows(cast("Sequence[Doc]", doc["timepoints"]))
    table = Table(_HEADER, rows, groups=groups)
    return [
        compose.heading("Response at every time point"),
        *compose.table(table),
        *_reasons(compose, doc),
    ]


def _lesion_rows(report: ReportData) -> list[list[Cell | None]]:
    read = report.read
    rows: list[list[Cell | None]] = []
    for lesion in read.lesions:
        cells = []
        for tp in read.timepoints:
            target = tp.target(lesion.id)
            observation = tp.non_target(lesion.id)
            if target is not None:
                # the heading says mm: the cells give the numbers only
                cells.append(cell(target_values_text(target).replace(" mm", "")))
            elif observation is not None:
                cells.append(cell(observation.status.value.replace("_", " ")))
            else:
                cells.append(cell("-"))
        site = ", ".join(s for s in (lesion.organ, lesion.site) if s)
        rows.append(
            [
                cell(Run(lesion.id, bold=True)),
                cell(lesion.role.value),
                cell(site),
                *cells,
            ]
        )
    return rows


def _new_rows(report: ReportData) -> list[list[Cell | None]]:
    read = report.read
    rows: list[list[Cell | None]] = []
    seen: dict[str, list[Cell | None]] = {}
    for number, owner in enumerate(read.timepoints):
        for n in owner.timepoint.new_lesions:
            size = f"{n.long_axis_mm}" if n.long_axis_mm is not None else "present"
            if n.equivocal:
                size += " (equivocal)"
            if n.id not in seen:
                where = ", ".join(s for s in (n.organ, n.site) if s) or "-"
                empty = [cell("") for _ in read.timepoints]
                seen[n.id] = [
                    cell(Run(n.id, bold=True)),
                    cell("new"),
                    cell(where),
                    *empty,
                ]
                rows.append(seen[n.id])
            seen[n.id][3 + number] = cell(size)
    return rows


def lesions(compose: Composer, report: ReportData) -> list[Block]:
    """Return each lesion's values at each time point, new findings last."""
    header = ("Lesion", "Role", "Site", *(tp.label for tp in report.read.timepoints))
    rows = _lesion_rows(report) + _new_rows(report)
    return [compose.heading("Lesions (mm)"), *compose.table(Table(header, rows))]
