"""The report's end: sign-off per time point, the signature block, the notes.

The signature block names the reader of the read, leaves lines to fill for the
role, the date and the signature, and gives the board's decision: the
clinician's decision recorded at the last time point, or blank lines to write
it on. Its lines stay together on one page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.pdf._compose import Composer, esc
from respond.pdf._flow import RuleBlock
from respond.pdf._sections import ACTIONS
from respond.pdf._tables import Table, cell
from respond.pdf._text import Run

if TYPE_CHECKING:
    from respond.criteria.record import Decision
    from respond.pdf._flow import Block
    from respond.report.document import ReportData

__all__ = ["board_decision", "notes", "signature", "signoff"]


def signoff(compose: Composer, report: ReportData) -> list[Block]:
    """Return who signed each time point, and when."""
    rows = [
        [
            cell(Run(tp.label, bold=True)),
            cell(f"signed by {tp.signed_by} at {tp.signed_at}")
            if tp.is_signed
            else cell(Run("not signed", bold=True)),
        ]
        for tp in report.read.timepoints
    ]
    table = Table(("Time point", "Sign-off"), rows, stretch=False)
    return [compose.heading("Sign-off"), *compose.table(table)]


def board_decision(decision: Decision | None) -> str:
    """Return the board's decision as the signature block gives it ('' if none)."""
    if decision is None:
        return ""
    action = decision.action.value
    dose = "" if decision.dose_level is None else f", dose level {decision.dose_level}"
    verdict = "accepted" if decision.accepted else "overridden"
    return (
        f"{ACTIONS.get(action, action)} ({action}{dose}; recommendation {verdict}), "
        f"{decision.decided_by} {decision.decided_at}"
    )


def signature(compose: Composer, report: ReportData) -> list[Block]:
    """Return the signature block: reader, role, date, signature, board's decision."""
    canvas, width = compose.canvas, compose.width
    last = report.read.timepoints[-1] if report.read.timepoints else None
    decision = board_decision(last.decision if last is not None else None)
    blocks: list[Block] = [compose.heading("Signature")]
    blocks += [
        RuleBlock(canvas, "Reader", report.read.reader or "", width=width),
        RuleBlock(canvas, "Role", "", width=width),
        RuleBlock(canvas, "Date", "", width=width),
        RuleBlock(canvas, "Signature", "", width=width),
    ]
    label = (
        f"Board's decision ({last.label})" if last is not None else "Board's decision"
    )
    if decision:
        blocks.append(compose.paragraph(f"<b>{esc(label)}:</b> {esc(decision)}"))
    else:
        blocks.append(RuleBlock(canvas, "Board's decision", "", width=width))
        blocks.append(RuleBlock(canvas, "", "", width=width))
    for block in blocks[:-1]:
        block.keep_with_next = True
    return blocks


def notes(compose: Composer, report: ReportData) -> list[Block]:
    """Return the decision-support notice and the data attributions."""
    blocks = [
        compose.heading("Notes"),
        compose.paragraph(
            "Decision support only: the clinician decides. Categories per RECIST 1.1 "
            "(Eisenhauer 2009) and mRECIST (Lencioni &amp; Llovet 2010), computed "
            "exactly from the recorded diameters.",
            small=True,
        ),
    ]
    if report.attributions:
        blocks.append(compose.paragraph("<b>Data attribution</b>"))
        blocks += [compose.paragraph(esc(t), small=True) for t in report.attributions]
    return blocks
