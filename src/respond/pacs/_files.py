"""Writing retrieved instances: one file each, never half-written.

``dest/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm``, each
written to a hidden temporary name in its folder and renamed when complete, so
an interrupted retrieve leaves only whole files under final names; temporary
files left by a cancel or a failure (an exception while writing) are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from typing import TYPE_CHECKING

from respond.pacs.model import RetrieveProgress, RetrieveResult

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

_UID = re.compile(r"^[0-9]+(\.[0-9]+)*$")
TEMP_SUFFIX = ".partial"


def safe_component(uid: str) -> str:
    """Return the folder or file name of a UID: itself when well-formed.

    A UID the PACS sent malformed (letters, slashes, ``..``) becomes ``x`` and
    a hash of it, so no name can leave ``dest``.
    """
    uid = uid.strip().rstrip("\x00")
    if _UID.match(uid) and len(uid) <= 64:
        return uid
    return "x" + hashlib.sha256(uid.encode("utf-8", "replace")).hexdigest()[:32]


def write_failure(dest: Path, reason: str) -> str:
    """Return the words for a retrieved file that could not be written."""
    return (
        f"cannot write the retrieved files under {dest} ({reason}): free disk "
        "space, or choose another folder"
    )


class InstanceWriter:
    """Writes instances under ``dest`` and counts them (thread safe)."""

    def __init__(
        self,
        dest: Path,
        study_uid: str,
        progress: Callable[[RetrieveProgress], None] | None = None,
    ) -> None:
        self.dest = dest
        self.study_uid = study_uid
        self.folder = dest / safe_component(study_uid)
        self.total: int | None = None
        self._progress = progress
        self._lock = threading.Lock()
        self._files: list[Path] = []
        self._bytes = 0
        self._temps: set[Path] = set()

    def path_for(self, study_uid: str, series_uid: str, sop_uid: str) -> Path:
        """Where an instance goes."""
        return (
            self.dest
            / safe_component(study_uid)
            / safe_component(series_uid)
            / f"{safe_component(sop_uid)}.dcm"
        )

    def write(self, study_uid: str, series_uid: str, sop_uid: str, data: bytes) -> Path:
        """Write one instance's bytes as they are; return its final path."""
        final = self.path_for(study_uid, series_uid, sop_uid)
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".{final.name}.{os.getpid()}.{threading.get_ident()}")
        temp = temp.with_suffix(temp.suffix + TEMP_SUFFIX)
        with self._lock:
            self._temps.add(temp)
        try:
            with temp.open("wb") as stream:
                stream.write(data)
            os.replace(temp, final)
        finally:
            with self._lock:
                self._temps.discard(temp)
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        with self._lock:
            self._files.append(final)
            self._bytes += len(data)
        return final

    def snapshot(self) -> RetrieveProgress:
        """Return the progress so far."""
        with self._lock:
            last = self._files[-1] if self._files else None
            return RetrieveProgress(len(self._files), self.total, self._bytes, last)

    def report(self) -> None:
        """Call the progress callback with the progress so far."""
        if self._progress is not None:
            self._progress(self.snapshot())

    @property
    def count(self) -> int:
        """Instances written so far."""
        with self._lock:
            return len(self._files)

    def result(
        self, *, failed: int = 0, warnings: int = 0, cancelled: bool = False
    ) -> RetrieveResult:
        """Return what was written."""
        with self._lock:
            files, size = tuple(self._files), self._bytes
        return RetrieveResult(
            self.study_uid, self.folder, files, failed, warnings, cancelled, size
        )

    def close(self) -> None:
        """Remove the temporary files a cancel or a failure left behind."""
        with self._lock:
            temps = list(self._temps)
            self._temps.clear()
        for temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink()
