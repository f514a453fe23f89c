"""Take the README's screenshots from a real run of the app on the demo.

Run under a virtual X server, e.g. ``xvfb-run -s "-screen 0 1600x1000x24"
.venv/bin/python docs/screenshots/make_screenshots.py``. The screen is grabbed
from the X server (what a person would see), not rendered offscreen.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent


def settle(app: QApplication, seconds: float) -> None:
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.02)


def shoot(app: QApplication, name: str) -> None:
    settle(app, 0.5)
    app.primaryScreen().grabWindow(0).save(str(HERE / name))
    print("saved", name)


def main() -> int:
    app = QApplication(sys.argv)
    from respond.demo import prepare_demo
    from respond.store import open_store
    from respond.ui.application import configure_pyqtgraph
    from respond.ui.main_window import MainWindow

    configure_pyqtgraph()
    from respond.ui.theme import Theme, apply_theme

    apply_theme(app, Theme.DARK)  # the default look, as respond starts
    setup = prepare_demo(Path(tempfile.mkdtemp()) / "demo")
    store = open_store(setup.database)
    window = MainWindow(store, reader="demo reader")
    window.resize(1600, 1000)
    window.move(0, 0)
    window.show()
    window.open_patient(setup.patient_id)
    window.open_folder(setup.dicom_root)
    deadline = time.time() + 30
    while time.time() < deadline and (
        window.view.volume is None or window.progress.isVisible()
    ):
        settle(app, 0.1)
    window.lesions.select("T1")
    window.view.apply_preset("arterial_liver")
    shoot(app, "main-window.png")
    window.compare.setChecked(True)
    window._on_compare_toggled(True)
    settle(app, 2.0)
    window.prior_view.apply_preset("arterial_liver")
    window.lesions.select("T2")
    window.lesions.select("T1")
    shoot(app, "compare-prior.png")
    window.tabs.setCurrentIndex(1)
    shoot(app, "response-panel.png")
    window.tabs.setCurrentIndex(2)
    shoot(app, "clinical-tab.png")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
