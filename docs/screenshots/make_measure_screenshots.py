"""Draw the click-to-measure figure of docs/measure.md on the shared liver CT.

The aortocaval oval of ``ct_liver_hcc048_pv`` on the slice the proposal
chose, soft-tissue window (W400 L40), enlarged 4 times without smoothing: the
manual long axis (green) read as docs/measure.md describes, and the proposed
one (orange) from a click at the oval's centre. Run from the repository::

    QT_QPA_PLATFORM=offscreen .venv/bin/python \\
        docs/screenshots/make_measure_screenshots.py

Writes ``measure-liver-1.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LIVER = REPO.parent / "shared" / "data" / "dicom" / "ct_liver_hcc048_pv"
CENTRE = (36, 229, 248)  # (k, i, j): the click
MANUAL = {  # (i, j) ends, as in tests/integration/measure/test_measure_liver.py
    36: ((227.97, 236.73), (230.04, 260.40)),
    35: ((226.06, 236.87), (228.94, 260.22)),
}
ROWS, COLUMNS = (205, 255), (215, 284)  # the crop
SCALE = 4
LEGEND = 34


def main() -> None:
    """Measure the oval and draw both long axes on its slice."""
    sys.path.insert(0, str(REPO / "src"))
    from respond.dicom import load_series, scan
    from respond.measure import propose

    if not LIVER.is_dir():
        sys.exit(f"the shared liver CT is not here: {LIVER.name}")
    volume = load_series(scan(LIVER).series[0])
    geometry = volume.geometry
    point = tuple(float(v) for v in geometry.index_to_patient(*CENTRE))
    proposal = propose(volume, point)
    k = proposal.slice_index
    line = proposal.long_axis
    ends = geometry.patient_to_index(np.array([line.start_mm, line.end_mm]))[:, 1:]
    manual = np.asarray(MANUAL[k])
    pixel = np.asarray(geometry.pixel_spacing_mm, dtype=np.float64)
    manual_mm = float(np.linalg.norm((manual[1] - manual[0]) * pixel))

    plane = np.asarray(volume.slice_values(k), dtype=np.float64)
    crop = plane[ROWS[0] : ROWS[1], COLUMNS[0] : COLUMNS[1]]
    grey = np.clip((crop - (40 - 200)) / 400 * 255, 0, 255).astype(np.uint8)
    grey = np.ascontiguousarray(np.kron(grey, np.ones((SCALE, SCALE), np.uint8)))
    height, width = grey.shape
    image = QImage(width, height + LEGEND, QImage.Format.Format_RGB32)
    image.fill(QColor("black"))
    painter = QPainter(image)
    picture = QImage(grey.data, width, height, width, QImage.Format.Format_Grayscale8)
    painter.drawImage(0, 0, picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)

    def at(i: float, j: float) -> QPointF:  # pixel centres, as the viewer draws them
        return QPointF((j - COLUMNS[0] + 0.5) * SCALE, (i - ROWS[0] + 0.5) * SCALE)

    for colour, pair in (("#33dd55", manual), ("#ff9933", ends)):
        painter.setPen(QPen(QColor(colour), 2))
        painter.drawLine(at(*pair[0]), at(*pair[1]))
    painter.setFont(QFont("DejaVu Sans", 9))
    painter.setPen(QColor("#33dd55"))
    painter.drawText(4, height + 14, f"green: manual, slice {k}, {manual_mm:.1f} mm")
    painter.setPen(QColor("#ff9933"))
    painter.drawText(
        4, height + 29, f"orange: proposed, slice {k}, {line.length_mm} mm"
    )
    painter.end()
    target = HERE / "measure-liver-1.png"
    image.save(str(target))
    print(  # noqa: T201 - the script's report
        f"{target.name}: slice {k}, manual {manual_mm:.1f} mm, "
        f"proposed {line.length_mm} mm"
    )


if __name__ == "__main__":
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    main()
    del app
