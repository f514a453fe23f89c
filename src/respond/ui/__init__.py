"""The desktop app (PySide6, pyqtgraph) over the session, store and loader."""
