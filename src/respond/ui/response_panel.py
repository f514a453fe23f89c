"""The response panel: both criteria per time point, best response, plots."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from respond.criteria import Criterion, Role
from respond.criteria.recist11 import recist_value
from respond.ui.models import ResponseTableModel

if TYPE_CHECKING:
    from respond.session import ReadSession

__all__ = ["ResponsePanel"]

_COLOURS = ("#f9a825", "#26a69a", "#7e57c2", "#ef5350", "#42a5f5", "#8d6e63")


class ResponsePanel(QWidget):
    """Shows the ResponseTableModel, best overall response and two plots."""

    def __init__(self, session: ReadSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.model = ResponseTableModel(session)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.spider = pg.PlotWidget(title="Change per target from baseline (%)")
        self.spider.setLabel("bottom", "days since baseline")
        self.sums = pg.PlotWidget(title="Sum of diameters (mm)")
        self.sums.setLabel("bottom", "days since baseline")
        self.sums.addLegend()
        plots = QTabWidget()
        plots.addTab(self.spider, "Spider plot")
        plots.addTab(self.sums, "Sums")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.summary)
        layout.addWidget(plots, 2)
        session.events.assessment_changed.connect(self._on_session_assessment_changed)
        self._on_session_assessment_changed()

    def _on_session_assessment_changed(self) -> None:
        assessment = self._session.assessment
        if assessment is None:
            self.summary.setText(
                f"No assessment yet: {self._session.assessment_problem or ''}"
            )
        else:
            parts = []
            for criterion in (Criterion.RECIST11, Criterion.MRECIST):
                best = assessment.best_overall.get(criterion)
                if criterion not in assessment.best_overall:
                    continue
                progression = assessment.progression.get(criterion)
                when = f", PD at {progression.label}" if progression else ""
                parts.append(
                    f"{criterion.value}: best {best.value if best else '-'}{when}"
                )
            flags = [
                f"{row.label}: criteria disagree"
                for index, row in enumerate(assessment.timepoints)
                if self.model.disagrees(index)
            ]
            self.summary.setText("   ".join(parts + flags))
        self._plot()

    def _plot(self) -> None:
        self.spider.clear()
        dashed = pg.QtCore.Qt.PenStyle.DashLine
        self.spider.addLine(y=-30, pen=pg.mkPen("#66bb6a", style=dashed))  # PR
        self.spider.addLine(y=20, pen=pg.mkPen("#ef5350", style=dashed))  # PD
        self.sums.clear()
        read = self._session.read
        if not read.timepoints:
            return
        start = read.timepoints[0].date
        days = [(tp.date - start).days for tp in read.timepoints]
        targets = [les for les in read.lesions if les.role is Role.TARGET]
        for number, lesion in enumerate(targets):
            # The engine's own valuation: too small = 5 mm, absent = 0, split
            # lesions summed, nodes by short axis.
            base_value = recist_value(
                lesion, read.timepoints[0].target(lesion.id)
            ).value
            if not base_value:
                continue
            xs, ys = [], []
            for day, record in zip(days, read.timepoints, strict=True):
                value = recist_value(lesion, record.target(lesion.id)).value
                if value is not None:
                    xs.append(day)
                    ys.append(float((value - base_value) * 100 / base_value))
            colour = _COLOURS[number % len(_COLOURS)]
            self.spider.plot(
                xs,
                ys,
                pen=pg.mkPen(colour, width=2),
                symbol="o",
                symbolBrush=colour,
                name=lesion.id,
            )
        assessment = self._session.assessment
        if assessment is None:
            return
        for criterion, colour in (
            (Criterion.RECIST11, "#f9a825"),
            (Criterion.MRECIST, "#ab47bc"),
        ):
            xs, ys = [], []
            for day, tp in zip(days, assessment.timepoints, strict=True):
                result = tp.results.get(criterion)
                if result is not None and result.sum_mm is not None:
                    xs.append(day)
                    ys.append(float(result.sum_mm))
            if xs:
                self.sums.plot(
                    xs,
                    ys,
                    pen=pg.mkPen(colour, width=2),
                    symbol="o",
                    symbolBrush=colour,
                    name=criterion.value,
                )
