"""Start the desktop app: a QApplication, the reader's identity, the main window."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TypeVar, cast

import pyqtgraph as pg
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from respond.ui.main_window import MainWindow

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from respond.session import ReadingStore
    from respond.ui._window_navigator import NavigatorImages
    from respond.ui.export_action import CsvExport, SrExport
    from respond.ui.main_window import DemoOpener
    from respond.ui.report_action import PdfExport

__all__ = ["configure_pyqtgraph", "open_database", "run_app"]

S = TypeVar("S")


def configure_pyqtgraph() -> None:
    """Set pyqtgraph's global options once (image axis order: row-major)."""
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


def open_database(path: Path, opener: Callable[[Path, bool], S]) -> S | None:
    """Open the app's database; when it cannot be opened, ask what to do instead.

    A dialog says why and offers another database, a new one, or quitting
    (:mod:`respond.ui.open_database_dialog`); None when the reader quits.
    """
    from respond.ui.open_database_dialog import open_or_ask

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("respond")
    app.setOrganizationName("respond")
    return open_or_ask(path, opener)


def run_app(
    store: ReadingStore,
    *,
    reader: str | None = None,
    demo: bool = False,
    demo_opener: DemoOpener | None = None,
    pdf_export: PdfExport | None = None,
    sr_export: SrExport | None = None,
    csv_export: CsvExport | None = None,
    navigator_images: NavigatorImages | None = None,
) -> int:
    """Show the main window and run the event loop; return the exit code.

    The reader's name (and role) is asked once and kept in the settings; it is
    recorded with every edit, override and sign-off. ``reader`` (from
    ``RESPOND_READER``) overrides it; the operating-system login is never used.
    """
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("respond")
    app.setOrganizationName("respond")
    configure_pyqtgraph()
    from respond.ui.gc_guard import MainThreadCollector

    collector = MainThreadCollector(app)
    collector.start()
    settings = QSettings()
    from respond.ui.theme import apply_theme, theme_from

    apply_theme(cast("QApplication", app), theme_from(settings))
    if not reader:
        from respond.ui.reader_dialog import reader_identity

        identity = reader_identity(None, settings)
        if identity is None:
            sys.stderr.write(
                "respond: no reader name given; respond records who measures and "
                "signs, so it needs one (or set RESPOND_READER)\n"
            )
            return 2
        reader = identity.label
    window = MainWindow(store, reader=reader, settings=settings)
    window.demo_opener = demo_opener
    window.pdf_export = pdf_export
    window.sr_export = sr_export
    window.csv_export = csv_export
    window.navigator_images = navigator_images
    window.show()
    if demo:
        window.open_demo()
    return int(app.exec())
