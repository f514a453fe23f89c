"""Choosing an adverse-event term: the CTCAE v5 vocabulary with type-ahead.

:class:`TermCombo` is an editable combo box over every term of the vocabulary
(:mod:`respond.criteria.vocabulary`): the terms frequent under sorafenib first,
then all terms A-Z, each with its CTCAE category. Typing filters the terms by
any part of their name or key, in any case. What the combo stands for is always
a vocabulary key (:meth:`TermCombo.key`); typed text that is no term gives
``None``, and :func:`unknown_term_html` says so with the closest terms.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from respond.criteria.vocabulary import AdverseEventTerm, lookup, suggest, terms
from respond.ui._clinical_common import signals_blocked

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtGui import QPainter

KEY_ROLE: Final = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE: Final = Qt.ItemDataRole.UserRole + 2
CATEGORY_ROLE: Final = Qt.ItemDataRole.UserRole + 3
HEADER_ROLE: Final = Qt.ItemDataRole.UserRole + 4
POPULAR_TERMS: Final = (
    "hand_foot_skin_reaction",
    "diarrhea",
    "hypertension",
    "fatigue",
    "anorexia",
    "weight_loss",
    "rash_maculo_papular",
    "alopecia",
    "bleeding",
    "upper_gastrointestinal_hemorrhage",
    "esophageal_varices_hemorrhage",
    "lipase_increased",
    "serum_amylase_increased",
    "hypophosphatemia",
    "nausea",
    "abdominal_pain",
    "mucositis_oral",
    "voice_alteration",
    "platelet_count_decreased",
    "blood_bilirubin_increased",
    "aspartate_aminotransferase_increased",
    "cardiac_ischemia",
    "heart_failure",
    "gi_perforation",
    "electrocardiogram_qt_corrected_interval_prolonged",
)
"""Terms frequent or rule-bearing under sorafenib, first in the drop-down list."""
POPULAR_HEADER: Final = "Frequent with sorafenib"
ALL_HEADER: Final = "All CTCAE v5 terms, A\N{EN DASH}Z"
SHORT_NAME: Final = "respond short name"
NOT_A_TERM: Final = "not a CTCAE v5 term: choose one"
PLACEHOLDER: Final = "type part of a term, or pick one"
POPUP_MIN_WIDTH: Final = 600
_NOT_WORD = re.compile(r"[\s_]+")
_GAP = 24
_MIN_CATEGORY_WIDTH = 160


def search_text(text: str) -> str:
    """Return text as the type-ahead compares it: words in lower case."""
    return _NOT_WORD.sub(" ", text).strip().casefold()


def category_text(row: AdverseEventTerm) -> str:
    """Return the CTCAE category of a row, or what a respond short name is."""
    if not row.ctcae_term:
        return f"{SHORT_NAME} ({row.rule.value.replace('_', ' ')} rule)"
    return row.category


def term_name(term: str) -> str:
    """Return a stored term as shown: its vocabulary name, else its own text."""
    row = lookup(term)
    return term if row is None else row.display


@cache
def _by_display() -> dict[str, str]:
    found: dict[str, str] = {}
    for row in terms():
        found.setdefault(row.display.casefold(), row.term)
    return found


def resolve(text: str) -> str | None:
    """Return the key a shown or typed term stands for; ``None`` if it is none.

    A term's name (``Hypertension``) or its key, in any case and with spaces or
    hyphens for underscores (``GI perforation``), stands for the key; nothing
    else does, however close: the reader chooses among suggestions.
    """
    stripped = text.strip()
    if not stripped:
        return None
    key = _by_display().get(stripped.casefold())
    if key is not None:
        return key
    for candidate in (stripped, re.sub(r"[^a-z0-9]+", "_", stripped.lower())):
        row = lookup(candidate.strip("_"))
        if row is not None:
            return row.term
    return None


def unknown_term_html(text: str) -> str:
    """Say, as rich text, that ``text`` is not a term; link the closest terms.

    Each suggestion is a link whose address is the term's key.
    """
    shown = html.escape(text.strip())
    keys = suggest(text)
    if not keys:
        return (
            f"\N{LEFT SINGLE QUOTATION MARK}{shown}\N{RIGHT SINGLE QUOTATION MARK} "
            "is not a CTCAE v5 term: type part of a term and choose one from the list."
        )
    links = ", ".join(
        f"<a href='{html.escape(key)}'>{html.escape(term_name(key))}</a>"
        for key in keys
    )
    return (
        f"\N{LEFT SINGLE QUOTATION MARK}{shown}\N{RIGHT SINGLE QUOTATION MARK} "
        f"is not a CTCAE v5 term; did you mean: {links}"
    )


class TermModel(QStandardItemModel):
    """The vocabulary as combo rows: frequent terms, then all terms A-Z.

    Two header rows, never selectable, name the sections. One model serves
    every term combo of a panel.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        rows = {row.term: row for row in terms()}
        popular = [rows[key] for key in POPULAR_TERMS if key in rows]
        rest = sorted(
            (row for row in rows.values() if row.term not in POPULAR_TERMS),
            key=lambda row: row.display.casefold(),
        )
        self._rows: dict[str, int] = {}
        self.appendRow(_header(POPULAR_HEADER))
        for row in popular:
            self._append(row)
        self.appendRow(_header(ALL_HEADER))
        for row in rest:
            self._append(row)

    def _append(self, row: AdverseEventTerm) -> None:
        item = QStandardItem(row.display)
        category = category_text(row)
        item.setData(row.term, KEY_ROLE)
        item.setData(search_text(f"{row.display} {row.term}"), SEARCH_ROLE)
        item.setData(category, CATEGORY_ROLE)
        item.setToolTip(f"{row.display}\n{category}")
        item.setEditable(False)
        self._rows[row.term] = self.rowCount()
        self.appendRow(item)

    def row_of(self, key: str) -> int:
        """Return the row of a key, or -1 if the vocabulary does not know it."""
        return self._rows.get(key, -1)


def _header(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setData(True, HEADER_ROLE)
    item.setFlags(Qt.ItemFlag.NoItemFlags)
    return item


class TermDelegate(QStyledItemDelegate):
    """Draws a term with its category, muted and right-aligned, and the headers."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Draw the row: a header in bold, a term with its category."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        rect = opt.rect.adjusted(6, 0, -6, 0)
        if index.data(HEADER_ROLE):
            painter.save()
            font = opt.font
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(opt.palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, opt.text)
            painter.restore()
            return
        super().paint(painter, option, index)
        category = index.data(CATEGORY_ROLE)
        if not category:
            return
        metrics = opt.fontMetrics
        free = rect.width() - metrics.horizontalAdvance(opt.text) - _GAP
        if free < min(metrics.horizontalAdvance(category), _MIN_CATEGORY_WIDTH):
            return  # no room to say it: the tooltip does
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = (
            QPalette.ColorRole.HighlightedText
            if selected
            else QPalette.ColorRole.PlaceholderText
        )
        painter.save()
        painter.setPen(opt.palette.color(role))
        painter.drawText(
            rect,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(category, Qt.TextElideMode.ElideMiddle, free),
        )
        painter.restore()

    def sizeHint(
        self,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QSize:
        """Leave room for the category beside the name."""
        size = super().sizeHint(option, index)
        category = index.data(CATEGORY_ROLE)
        if category:
            width = option.fontMetrics.horizontalAdvance(category) + _GAP
            size.setWidth(size.width() + width)
        return size


class TermCompleter(QCompleter):
    """Type-ahead over the terms' names and keys: any part, any case."""

    def __init__(self, model: TermModel, parent: QObject | None = None) -> None:
        super().__init__(model, parent)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionRole(SEARCH_ROLE)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setModelSorting(QCompleter.ModelSorting.UnsortedModel)
        self.setMaxVisibleItems(12)

    def splitPath(self, path: str) -> list[str]:
        """Compare what was typed as words, underscores read as spaces."""
        return [search_text(path)]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        """Put the term's name, not its search text, into the field."""
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


class TermCombo(QComboBox):
    """An editable combo of the vocabulary's terms; :meth:`key` is what it holds.

    A stored term the vocabulary does not know (an older database) is shown
    with its own text, a warning icon and the tooltip "not a CTCAE v5 term:
    choose one"; it is never changed until the reader chooses a term.
    """

    def __init__(
        self,
        model: TermModel,
        delegate: TermDelegate,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self.shown_term: str | None = None
        """The stored term last shown (``None``: none, as in the adder row)."""
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.setMinimumContentsLength(12)
        self.setMaxVisibleItems(20)
        self.setModel(model)
        self.setItemDelegate(delegate)
        view = self.view()
        if view is not None:
            view.setMinimumWidth(POPUP_MIN_WIDTH)
        completer = TermCompleter(model, self)
        self.setCompleter(completer)
        popup = completer.popup()
        if popup is not None:
            popup.setItemDelegate(delegate)
            popup.setMinimumWidth(POPUP_MIN_WIDTH)
        line = self._line()
        line.setPlaceholderText(PLACEHOLDER)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._warning = line.addAction(icon, QLineEdit.ActionPosition.LeadingPosition)
        self._warning.setToolTip(NOT_A_TERM)
        self.set_unknown(False)
        self.setCurrentIndex(-1)
        self.currentIndexChanged.connect(self._on_current_index_changed)
        line.textEdited.connect(self._on_text_edited)

    def _line(self) -> QLineEdit:
        line = self.lineEdit()
        assert line is not None  # editable
        return line

    def key(self) -> str | None:
        """Return the key the combo stands for, or ``None`` (no known term)."""
        index = self.currentIndex()
        text = self.currentText()
        if index >= 0 and text == self.itemText(index):
            key = self.itemData(index, KEY_ROLE)
            if isinstance(key, str):
                return key
        return resolve(text)

    def text(self) -> str:
        """Return the text shown, without surrounding white space."""
        return self.currentText().strip()

    def show_term(self, term: str | None) -> None:
        """Show a stored term (``None``: empty); an unknown one as it is, marked."""
        self.shown_term = term
        row = -1 if term is None else self._model.row_of(term)
        with signals_blocked(self, self._line()):
            self.setCurrentIndex(row)
            if row < 0:
                self.setEditText(term or "")
            self._line().setCursorPosition(0)  # show the start of a long term
        self.set_unknown(term is not None and row < 0)

    def set_unknown(self, unknown: bool) -> None:
        """Mark the text shown as no CTCAE v5 term (or clear the mark)."""
        self._warning.setVisible(unknown)
        self._line().setStyleSheet("color: #e0463c;" if unknown else "")
        self._on_current_index_changed(self.currentIndex(), unknown=unknown)

    def _on_text_edited(self) -> None:
        """Clear the mark while the reader retypes; a wrong term is marked again."""
        if self._warning.isVisible():
            self.set_unknown(False)

    def _on_current_index_changed(self, index: int, *, unknown: bool = False) -> None:
        if unknown:
            tip = f"{self.currentText()}: {NOT_A_TERM}"
        elif index >= 0:
            tip = str(self.itemData(index, Qt.ItemDataRole.ToolTipRole) or "")
        else:
            tip = "Type part of a CTCAE v5 term and choose it from the list"
        self.setToolTip(tip)
