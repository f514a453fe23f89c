"""The image index (part of SqliteStore): which file holds which image, by root.

A root is what one scan covered: a folder or a DICOMDIR, as text. Each scan's
result is written in one transaction with ``executemany``, so a root of 100,000
files is indexed in about a second. The index is not part of any read: its
changes are not audited and no patient's ``updated_at`` moves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from respond.criteria.imaging import IndexedImage
from respond.store._base import StoreBase
from respond.store._read import snapshot
from respond.store._transaction import indexing

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Iterator, Sequence

_COLUMNS: Final = (
    "path, patient_id, study_uid, series_uid, sop_instance_uid, size, mtime_ns"
)
_UPSERT: Final = (
    f"INSERT INTO image_file (root, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (root, path) DO UPDATE SET patient_id = excluded.patient_id, "
    "study_uid = excluded.study_uid, series_uid = excluded.series_uid, "
    "sop_instance_uid = excluded.sop_instance_uid, size = excluded.size, "
    "mtime_ns = excluded.mtime_ns"
)
_CHUNK: Final = 500
"""Paths per ``IN (...)`` query (SQLite allows at least 32,766 parameters)."""


def _rows(root: str, images: Iterable[IndexedImage]) -> Iterator[tuple[object, ...]]:
    for image in images:
        if not isinstance(image, IndexedImage):
            msg = f"images must hold IndexedImage, got {type(image).__name__}"
            raise TypeError(msg)
        yield (
            root,
            image.path,
            image.patient_id,
            image.study_uid,
            image.series_uid,
            image.sop_instance_uid,
            image.size,
            image.mtime_ns,
        )


def _files(conn: sqlite3.Connection, column: str, uid: str) -> list[IndexedImage]:
    """Return the files whose ``column`` is ``uid``, by root then path.

    A file indexed under two roots (a folder and the DICOMDIR in it) is one
    file: it is listed once, under the first root. Rows are plain tuples (the
    STRICT table guarantees their types), which halves the time for a big study.
    """
    cursor = conn.cursor()
    cursor.row_factory = None
    rows = cursor.execute(
        f"SELECT {_COLUMNS} FROM image_file WHERE {column} = ? ORDER BY root, path",
        (uid,),
    )
    seen: set[str] = set()
    found = []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            found.append(IndexedImage(*row))
    return found


class ImageIndex(StoreBase):
    """The image index: record scans, find a study's or series' files, forget."""

    def _before_write(self) -> None:
        """Check the database before its first write (the store overrides it)."""

    def index_images(
        self, root: str, images: Sequence[IndexedImage], *, complete: bool = True
    ) -> None:
        """Record what a scan of ``root`` found, in one transaction.

        Parameters
        ----------
        root
            The folder or DICOMDIR scanned, as text.
        images
            The image files found (a path given twice: the last one counts).
        complete
            True: the scan covered the whole root, so every file indexed
            under ``root`` before and not in ``images`` is dropped. False: the
            given files are added or updated, the others kept (a partial scan).

        Raises
        ------
        ValueError
            ``root`` is empty.
        TypeError
            An item of ``images`` is not an :class:`IndexedImage`.
        DatabaseBusyError, DatabaseWriteError
            The database could not be written; the index is unchanged.
        IntegrityCheckError
            The file is damaged (checked before the store's first write).
        """
        if not isinstance(root, str) or not root:
            msg = f"root must name the folder or DICOMDIR scanned, got {root!r}"
            raise ValueError(msg)
        self._before_write()
        with indexing(self._conn, self._path, self._schema_version) as conn:
            conn.execute(
                "INSERT INTO image_root (root, scanned_at) VALUES (?, ?) "
                "ON CONFLICT (root) DO UPDATE SET scanned_at = excluded.scanned_at",
                (root, self._now()),
            )
            if complete:
                conn.execute("DELETE FROM image_file WHERE root = ?", (root,))
            conn.executemany(_UPSERT, _rows(root, images))

    def study_images(self, study_uid: str) -> list[IndexedImage]:
        """Return every indexed file of a study, across all roots.

        Returns
        -------
        list[IndexedImage]
            Ordered by root, then path; a file indexed under two roots is
            listed once (under the first).
        """
        with snapshot(self._conn, self._path) as conn:
            return _files(conn, "study_uid", study_uid)

    def series_images(self, series_uid: str) -> list[IndexedImage]:
        """Return every indexed file of a series, across all roots.

        Returns
        -------
        list[IndexedImage]
            Ordered by root, then path; a file indexed under two roots is
            listed once (under the first).
        """
        with snapshot(self._conn, self._path) as conn:
            return _files(conn, "series_uid", series_uid)

    def forget_images(self, paths: Sequence[str]) -> None:
        """Drop files found missing on disk from every root, in one transaction.

        A root that this leaves with no file is dropped too (a root scanned
        empty and not touched here stays).

        Parameters
        ----------
        paths
            The files, as indexed (paths not indexed are ignored).

        Raises
        ------
        TypeError
            ``paths`` is one str (give a list of one path).
        DatabaseBusyError, DatabaseWriteError
            The database could not be written; the index is unchanged.
        IntegrityCheckError
            The file is damaged (checked before the store's first write).
        """
        if isinstance(paths, str):
            msg = f"paths must be a sequence of paths, got the str {paths!r}"
            raise TypeError(msg)
        unique = list(dict.fromkeys(paths))
        self._before_write()
        with indexing(self._conn, self._path, self._schema_version) as conn:
            roots: set[str] = set()
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start : start + _CHUNK]
                marks = ", ".join("?" * len(chunk))
                found = conn.execute(
                    f"SELECT DISTINCT root FROM image_file WHERE path IN ({marks})",
                    chunk,
                )
                roots.update(str(row[0]) for row in found)
                conn.execute(f"DELETE FROM image_file WHERE path IN ({marks})", chunk)
            conn.executemany(
                "DELETE FROM image_root WHERE root = ? AND NOT EXISTS "
                "(SELECT 1 FROM image_file WHERE image_file.root = image_root.root)",
                [(root,) for root in sorted(roots)],
            )

    def indexed_roots(self) -> list[tuple[str, str, int]]:
        """Return every indexed root, by root.

        Returns
        -------
        list[tuple[str, str, int]]
            ``(root, scanned at (UTC, ISO 8601), number of files)``.
        """
        with snapshot(self._conn, self._path) as conn:
            rows = conn.execute(
                "SELECT r.root, r.scanned_at, count(f.path) FROM image_root AS r "
                "LEFT JOIN image_file AS f ON f.root = r.root "
                "GROUP BY r.root ORDER BY r.root"
            )
            return [(str(row[0]), str(row[1]), int(row[2])) for row in rows]
