"""Take the PACS screenshots (File > PACS > Find on PACS) at a screen size.

A real Orthanc (Debian ``orthanc`` + ``orthanc-dicomweb``, see
``interop/orthanc.py``) on 127.0.0.1 holds the shared liver CT and a copy of it
dated eight weeks later. With no patient open, the window finds the patient's
studies and retrieves the baseline, which becomes the patient; then it finds the
patient's studies again (the baseline marked BL) and retrieves the follow-up,
which becomes FU1. Run from the repository under a virtual X server::

    xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python \\
        docs/screenshots/make_pacs_screenshots.py 1920x1080

Writes ``pacs-find-SIZE.png`` (the open patient's studies on the PACS, the
follow-up's first image in the preview) and ``pacs-retrieved-SIZE.png`` (the
follow-up read as FU1).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))


def settle(app: QApplication, seconds: float) -> None:
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.02)


def wait(app: QApplication, ready, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline and not ready():
        settle(app, 0.05)


def shoot(app: QApplication, name: str) -> None:
    settle(app, 0.6)
    app.primaryScreen().grabWindow(0).save(str(HERE / name))
    print("saved", name)


def main() -> int:
    size = sys.argv[1] if len(sys.argv) > 1 else "1920x1080"
    app = QApplication(sys.argv)
    from interop.orthanc import running_orthanc
    from tests.ui.readflow import LIVER, ScriptedPrompts, follow_up_copy

    from respond.pacs import PacsNode, add_node
    from respond.store import open_store
    from respond.ui.application import configure_pyqtgraph
    from respond.ui.main_window import MainWindow
    from respond.ui.pacs_action import open_pacs_dialog

    configure_pyqtgraph()
    from respond.ui.theme import Theme, apply_theme

    apply_theme(app, Theme.DARK)  # the default look, as respond starts
    work = Path(tempfile.mkdtemp())
    os.environ["RESPOND_PACS_CONFIG"] = str(work / "pacs.json")
    os.environ["RESPOND_CACHE_DIR"] = str(work / "cache")
    follow_up = follow_up_copy(LIVER, work / "fu", days=56)
    with running_orthanc(work / "orthanc") as server:
        for path in [*LIVER.glob("*.dcm"), *follow_up.rglob("*.dcm")]:
            server.rest("/instances", data=path.read_bytes(), method="POST")
        add_node(PacsNode("Hospital PACS", "dicomweb", url=server.dicomweb))
        store = open_store(work / "reads.sqlite3")
        window = MainWindow(store, reader="Dr A. Reader (radiologist)")
        prompts = ScriptedPrompts(window)
        window.prompts = prompts
        window.setGeometry(app.primaryScreen().availableGeometry())
        window.show()
        settle(app, 1.0)
        dialog = open_pacs_dialog(window)
        screen = app.primaryScreen().availableGeometry()
        dialog.resize(min(1100, screen.width() - 80), min(560, screen.height() - 120))
        dialog.move(screen.center() - dialog.rect().center())
        dialog.find_patient("Patient_01")
        wait(app, lambda: not dialog._busy and dialog.table.rowCount() == 2)
        dates = [dialog.table.item(r, 3).text() for r in range(2)]
        dialog.table.selectRow(dates.index("2001-08-12"))
        prompts.studies.append(None)
        dialog.retrieve()
        wait(app, lambda: window.session is not None and not window.loader.loading)
        settle(app, 1.0)
        dialog.find_patient("Patient_01")
        wait(app, lambda: not dialog._busy and dialog.table.rowCount() == 2)
        dates = [dialog.table.item(r, 3).text() for r in range(2)]
        dialog.table.selectRow(dates.index("2001-10-07"))
        prompts.studies.append(None)
        dialog.retrieve()
        wait(app, lambda: not dialog.preview.pixmap().isNull())
        wait(app, lambda: len(window.session.read.timepoints) == 2)
        shoot(app, f"pacs-find-{size}.png")
        wait(app, lambda: not window.loader.loading and window.view.volume is not None)
        dialog.hide()
        shoot(app, f"pacs-retrieved-{size}.png")
        dialog.close()
        window.close()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
