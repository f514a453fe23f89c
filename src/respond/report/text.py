"""Text for the terminal: the assessment table, and escaping what patients bring.

:func:`format_assessment` renders the ``respond-assessment/1`` document itself,
so the table ``respond assess`` prints without ``--json`` and the JSON can never
disagree.

:func:`terminal_text` makes text from a case file, the database or a DICOM
header safe to print: a name holding ``ESC[31m`` would otherwise recolour the
terminal, a carriage return would overwrite what came before it on the line,
and a lone surrogate would stop the print with an encoding error. Every command
prints ids, names, labels, notes and messages through it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final, cast

__all__ = ["format_assessment", "terminal_text"]

# C0 controls, DEL, C1 controls; line and paragraph separators; the bidirectional
# embeddings, overrides and isolates (text shown in another order than stored);
# lone surrogates (not encodable)
_UNSAFE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNSAFE_KEEPING_LINES: Final = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


_NAMED: Final = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(value: object, *, multiline: bool = False) -> str:
    r"""Return text with its control characters shown as escapes (``\x1b``).

    Parameters
    ----------
    value
        What to print (``str()`` of it).
    multiline
        Keep line feeds (a message of several lines); otherwise a line feed is
        shown as ``\n`` too, so one value cannot start a line of its own.

    Returns
    -------
    str
        The text with C0 and C1 control characters (carriage return, backspace,
        escape ...), DEL, Unicode line separators, bidirectional controls and
        lone surrogates replaced by ``\t``, ``\n``, ``\r``, ``\xHH`` or
        ``\uHHHH``.
    """
    pattern = _UNSAFE_KEEPING_LINES if multiline else _UNSAFE
    return pattern.sub(_escape, str(value))


_Doc = Mapping[str, object]
_COLUMNS = (
    ("time point", 10),
    ("date", 10),
    ("sum mm", 7),
    ("vs BL", 8),
    ("vs nadir", 8),
    ("target", 6),
    ("non-target", 13),
    ("new", 3),
    ("overall", 13),
)


def _text(value: object, suffix: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        sign = "+" if suffix == " %" and value > 0 else ""
        return f"{sign}{value:.1f}{suffix}"
    return f"{value}{suffix}"


def _row(cells: Sequence[str]) -> str:
    return "  ".join(
        cell.ljust(width) for cell, (_, width) in zip(cells, _COLUMNS, strict=True)
    ).rstrip()


def _criterion_section(doc: _Doc, criterion: str) -> list[str]:
    lines = [criterion, _row([name for name, _ in _COLUMNS])]
    details: list[str] = []
    for tp in cast("Sequence[_Doc]", doc["timepoints"]):
        block = cast("_Doc | None", tp.get(criterion))
        if block is None:
            continue
        overall = _text(block["overall"]) if block["overall"] else "(baseline)"
        if block.get("revised_from"):
            overall += f" (was {block['revised_from']})"
        lines.append(
            _row(
                [
                    str(tp["label"]),
                    str(tp["date"]),
                    _text(block["sum_mm"]),
                    _text(block["change_from_baseline_pct"], " %"),
                    _text(block["change_from_nadir_pct"], " %"),
                    _text(block["target"]),
                    _text(block["non_target"]),
                    _text(block["new_lesions"]),
                    overall,
                ]
            )
        )
        details.append(f"  {tp['label']}:")
        for reason in cast("Sequence[_Doc]", block["reasons"]):
            details.append(f"    [{reason['rule']}] {reason['text']}")
    best = cast("_Doc", doc["best_overall"]).get(criterion)
    progression = cast("_Doc | None", cast("_Doc", doc["progression"]).get(criterion))
    when = "none"
    if progression is not None:
        when = f"{progression['label']} ({progression['date']})"
    lines.append(f"best overall response: {_text(best)}; progression: {when}")
    lines.append("why:")
    lines.extend(details)
    return lines


def format_assessment(doc: Mapping[str, object]) -> str:
    """Return a ``respond-assessment/1`` document as a readable table.

    Parameters
    ----------
    doc
        The assessment document.

    Returns
    -------
    str
        Per criterion a table of time points with the reasons, then the
        recommendation and the warnings.
    """
    patient = cast("_Doc", doc["patient"])
    lines = [f"respond assessment: patient {patient['id']}", ""]
    criteria = [
        key
        for key in cast("_Doc", doc["best_overall"])
        if key in ("RECIST1.1", "mRECIST")
    ]
    for criterion in criteria:
        lines.extend(_criterion_section(doc, criterion))
        lines.append("")
    rec = cast("_Doc", doc["recommendation"])
    dose = rec["dose_level"]
    dose_text = "-" if dose is None else str(dose)
    lines.append(f"recommendation: {rec['action']} (dose level {dose_text})")
    for number, rule in enumerate(cast("Sequence[_Doc]", rec["rules"]), start=1):
        source = f" [{rule['source']}]" if rule.get("source") else ""
        lines.append(f"  {number}. {rule['rule']}{source}: {rule['text']}")
    for note in cast("Sequence[str]", rec["notes"]):
        lines.append(f"  note: {note}")
    lines.append("  (decision support: the clinician decides)")
    warnings = cast("Sequence[_Doc]", doc["warnings"])
    if warnings:
        lines.append("")
        lines.append("warnings:")
        lines.extend(f"  [{w['code']}] {w['text']}" for w in warnings)
    # each line escaped whole: a label or reason cannot start a line of its own
    return "\n".join(terminal_text(line) for line in lines) + "\n"
