"""What the clinical panel's editors share: texts, styles and small widgets.

Each editor shows one part of a :class:`~respond.criteria.Clinical` and emits
``edited(text, change)``: the undo text and a function from the time point's
clinical status, as the session holds it, to the new one (a :data:`Change`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QWidget

from respond.criteria import Action, DoseForm

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from respond.criteria import Clinical

Change = Callable[["Clinical"], "Clinical"]

NOT_ENTERED: Final = -1
LOWEST_LEVEL: Final = -2
DOSE_TEXT: Final = {
    0: "400 mg twice daily",
    -1: "400 mg once daily",
    LOWEST_LEVEL: "400 mg every other day or 200 mg once daily",
}
FORM_TEXT: Final = {
    DoseForm.EVERY_OTHER_DAY_400: "400 mg every other day",
    DoseForm.ONCE_DAILY_200: "200 mg once daily",
}
ACTION_TEXT: Final = {
    Action.CONTINUE: "Continue",
    Action.CONTINUE_REDUCED_DOSE: "Continue one dose level lower",
    Action.INTERRUPT: "Interrupt",
    Action.DISCONTINUE: "Discontinue sorafenib",
    Action.SWITCH_SECOND_LINE: "Switch to second line",
    Action.REPEAT_IMAGING: "Repeat or complete the imaging",
    Action.REVIEW: "Tumour-board review",
}
WARNING_STYLE: Final = "color: #e0463c; font-weight: bold;"
HINT_STYLE: Final = "font-style: italic;"
MUTED_COLOR: Final = "#8a8a8a"
REVIEW_TAG_STYLE: Final = "color: #e65100; font-weight: bold;"


@contextmanager
def signals_blocked(*maybe: QObject | None) -> Iterator[None]:
    """Block the objects' signals while widgets are synced from the session."""
    objects = [obj for obj in maybe if obj is not None]
    before = [obj.blockSignals(True) for obj in objects]
    try:
        yield
    finally:
        for obj, was_blocked in zip(objects, before, strict=True):
            obj.blockSignals(was_blocked)


def minus(number: int) -> str:
    """Return a signed number with a typographic minus sign, or +, or ±0."""
    if number < 0:
        return f"\N{MINUS SIGN}{-number}"
    return f"+{number}" if number > 0 else "\N{PLUS-MINUS SIGN}0"


def dose_words(level: int | None, form: DoseForm | None = None) -> str | None:
    """Return a dose level's dose in words; level -2 names its form when known."""
    if level is None:
        return None
    if level == LOWEST_LEVEL and form is not None:
        return FORM_TEXT[form]
    return DOSE_TEXT.get(level)


def dose_text(level: int | None, form: DoseForm | None = None) -> str:
    """Return a dose level in words, e.g. ``400 mg once daily (level -1)``."""
    if level is None:
        return "none"
    words = dose_words(level, form) or "unknown dose"
    level_text = minus(level) if level else "0"
    return f"{words} (level {level_text})"


def action_text(
    action: Action, dose_level: int | None, form: DoseForm | None = None
) -> str:
    """Return an action in words, naming the dose where it matters."""
    dose = dose_words(dose_level, form)
    if action is Action.INTERRUPT and dose:
        return f"Interrupt, restart at {dose}"
    if action is Action.CONTINUE_REDUCED_DOSE and dose:
        return f"Continue at {dose} (one level lower)"
    return ACTION_TEXT[action]


def format_when(iso: str) -> str:
    """Return an ISO 8601 time as ``2026-03-02 14:05 UTC`` (as given if unparsable)."""
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.utcoffset() == dt.timedelta(0):
        return when.strftime("%Y-%m-%d %H:%M UTC")
    return when.strftime("%Y-%m-%d %H:%M %z").strip()


def replace_clinical(clinical: Clinical, **changes: object) -> Clinical:
    """Return the clinical status with some fields changed (a :data:`Change`)."""
    return dataclasses.replace(clinical, **changes)  # type: ignore[arg-type]


def spin_box(low: int, high: int, empty: bool = True) -> QSpinBox:
    """Return a spin box whose lowest value, when ``empty``, means not entered."""
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setKeyboardTracking(False)  # one edit per value, not per keystroke
    if empty:
        spin.setSpecialValueText("\N{EM DASH}")
    return spin


def hint_label() -> QLabel:
    """Return a word-wrapped label in the hint style."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


def widget_row(*widgets: QWidget) -> QWidget:
    """Return the widgets side by side, left-aligned, without margins."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return box
