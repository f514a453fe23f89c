"""The image cache: the studies retrieved from a PACS, listed and removed.

Retrieves write ``<cache>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOP>.dcm``
(:mod:`respond.pacs._files`), so each folder directly under the cache is one
study. The cache only grows by itself; :func:`cached_studies` lists what it
holds (files, bytes, when last written) and :func:`remove_cached` deletes one
study's folder. Which studies a stored read still uses, and the image index's
rows for the files removed, are the caller's (``respond pacs cache``), since
the cache knows no database.

Removal never leaves the cache: a study folder is removed only when it is a
real folder (not a link) directly under the cache, and links inside it are
removed as links, never followed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from respond.pacs._files import safe_component
from respond.pacs.errors import CacheError

__all__ = [
    "CacheError",
    "CachedStudy",
    "cached_studies",
    "folder_name",
    "remove_cached",
]


def folder_name(study_uid: str) -> str:
    """Return the name of the cache folder a retrieve writes a study into."""
    return safe_component(study_uid)


@dataclass(frozen=True, slots=True)
class CachedStudy:
    """One retrieved study in the cache.

    Attributes
    ----------
    study_uid
        The folder's name: the Study Instance UID (or its safe form).
    folder
        The study's folder.
    paths
        Every file in it, absolute and sorted: as the image index holds them.
    size
        Bytes of those files.
    written
        When the newest of them was last written (UTC); the folder's own time
        when it holds no file.
    """

    study_uid: str
    folder: Path
    paths: tuple[str, ...]
    size: int
    written: dt.datetime

    @property
    def files(self) -> int:
        """Return the number of files."""
        return len(self.paths)


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def _study(folder: Path) -> CachedStudy:
    paths: list[str] = []
    size = 0
    newest: float | None = None
    for top, dirs, names in os.walk(folder, followlinks=False, onerror=_raise):
        dirs.sort()
        for name in names:
            path = Path(top) / name
            info = path.lstat()
            paths.append(str(path))
            size += info.st_size
            newest = info.st_mtime if newest is None else max(newest, info.st_mtime)
    if newest is None:
        newest = folder.lstat().st_mtime
    return CachedStudy(folder.name, folder, tuple(sorted(paths)), size, _utc(newest))


def _raise(error: OSError) -> None:
    raise error


def cached_studies(cache: Path) -> list[CachedStudy]:
    """Return the studies in the cache, the least recently written first.

    A cache folder that does not exist holds nothing.

    Raises
    ------
    CacheError
        The cache (or a study folder in it) cannot be read; the message names
        it and what to do.
    """
    try:
        entries = sorted(cache.absolute().iterdir())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CacheError(
            f"the image cache {cache} cannot be read ({exc.strerror or exc}): "
            "check its permissions, or set RESPOND_CACHE_DIR to another folder"
        ) from None
    studies = []
    for entry in entries:
        if entry.is_symlink() or not entry.is_dir():
            continue
        try:
            studies.append(_study(entry))
        except OSError as exc:
            raise CacheError(
                f"the cached study {entry} cannot be read ({exc.strerror or exc}): "
                "check its permissions"
            ) from None
    return sorted(studies, key=lambda s: (s.written, s.study_uid))


def remove_cached(cache: Path, study: CachedStudy) -> None:
    """Delete a study's folder from the cache, with everything in it.

    Raises
    ------
    CacheError
        The folder is not a study folder of this cache (a link, or elsewhere),
        or could not be removed (the files not yet removed stay).
    """
    folder = study.folder
    if folder.parent.resolve() != cache.resolve() or folder.is_symlink():
        raise CacheError(
            f"{folder} is not a study folder of the image cache {cache}: "
            "nothing was removed"
        )
    if not folder.exists():
        return
    try:
        shutil.rmtree(folder)
    except OSError as exc:
        raise CacheError(
            f"the cached study {folder} could not be removed "
            f"({exc.strerror or exc}): check the folder's permissions; the "
            "files not removed stay"
        ) from None
