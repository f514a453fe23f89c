"""Recently opened folders and DICOMDIRs, kept in the user's settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

__all__ = ["RecentPaths"]

MAX_RECENT = 8
_KEY = "recent/paths"


class RecentPaths:
    """The last opened paths, newest first, existing ones only."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings("respond", "respond")

    def paths(self) -> list[Path]:
        """Return the recent paths that still exist, newest first."""
        stored = self._settings.value(_KEY, [])
        values = stored if isinstance(stored, list) else [stored] if stored else []
        return [Path(str(v)) for v in values if Path(str(v)).exists()]

    def add(self, path: Path) -> None:
        """Put a path first (once)."""
        text = str(path.resolve())
        current = [str(p) for p in self.paths() if str(p) != text]
        self._settings.setValue(_KEY, [text, *current][:MAX_RECENT])
