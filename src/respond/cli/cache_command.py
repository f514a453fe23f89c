"""``respond pacs cache``: list the image cache's studies, or remove them.

The cache holds every study retrieved from a PACS and never shrinks by itself.
Listed: each study's files, size, when last written, and the stored reads
that use it (a study is used when it is a time point of a patient in the
database). ``--clean`` removes the studies no read uses (``--include-read``:
those too; they can be retrieved again), only those last written more than
``--older-than DAYS`` ago when given; ``--dry-run`` says what it would remove.
The image index forgets the removed files, so the app says the images are
not found instead of failing on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from respond.cli.database import add_db_option, open_database
from respond.errors import RespondError
from respond.pacs.cache import (
    CachedStudy,
    CacheError,
    cached_studies,
    folder_name,
    remove_cached,
)
from respond.report import terminal_text

if TYPE_CHECKING:
    from typing import TextIO

    from respond.store import SqliteStore

__all__ = ["add_cache_command"]

EXIT_OK = 0
EXIT_FAILED = 2


def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        days = math.nan
    if not math.isfinite(days) or days < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days (>= 0)")
    return days


def add_cache_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``respond pacs cache``."""
    cache = sub.add_parser(
        "cache",
        help="list the studies retrieved into the image cache, or remove them",
        description=(
            "List the image cache's studies (files, size, last written, the "
            "stored reads that use them). --clean removes the studies no stored "
            "read uses; --include-read removes those too (they can be retrieved "
            "again). The image index forgets the files removed."
        ),
    )
    cache.add_argument("--clean", action="store_true", help="remove the studies chosen")
    cache.add_argument(
        "--older-than",
        type=_days,
        metavar="DAYS",
        help="only studies last written more than DAYS days ago",
    )
    cache.add_argument(
        "--include-read",
        action="store_true",
        help="with --clean: also the studies stored reads use",
    )
    cache.add_argument(
        "--dry-run", action="store_true", help="with --clean: say, remove nothing"
    )
    cache.add_argument("--json", action="store_true", help="list as JSON")
    cache.add_argument(
        "--cache",
        metavar="DIR",
        help="the cache folder (default: RESPOND_CACHE_DIR/pacs, else the "
        "user cache folder's respond/pacs)",
    )
    add_db_option(cache)
    cache.set_defaults(pacs_handler=_cache)


def _used_by(store: SqliteStore) -> dict[str, list[str]]:
    """Return, per cache folder name, the reads whose time points are that study."""
    used: dict[str, list[str]] = {}
    for summary in store.list_patients():
        read = store.load(summary.patient_id)
        for record in read.timepoints:
            if record.study_uid:
                used.setdefault(folder_name(record.study_uid), []).append(
                    f"{summary.patient_id} {record.label}"
                )
    return used


def _reads(args: argparse.Namespace, err: TextIO) -> dict[str, list[str]] | None:
    """Return the studies stored reads use; None (said on ``err``) if unknown."""
    try:
        with open_database(args, read_only=True) as store:
            return _used_by(store)
    except RespondError as exc:
        err.write(
            terminal_text(
                f"respond: the stored reads could not be read ({exc}): which "
                "cached studies they use is not known\n"
            )
        )
        return None


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _row(study: CachedStudy, used: dict[str, list[str]] | None) -> str:
    reads = "?" if used is None else ", ".join(used.get(study.study_uid, [])) or "-"
    return (
        f"{study.written:%Y-%m-%d %H:%M}  {study.files:6d}  {_size(study.size):>10}  "
        f"{study.study_uid}  {reads}"
    )


def _as_json(
    study: CachedStudy,
    used: dict[str, list[str]] | None,
    removed: bool | None,
    key: str = "removed",
) -> dict[str, object]:
    document: dict[str, object] = {
        "study_uid": study.study_uid,
        "folder": str(study.folder),
        "files": study.files,
        "bytes": study.size,
        "written": study.written.isoformat(timespec="seconds"),
        "used_by": None if used is None else used.get(study.study_uid, []),
    }
    if removed is not None:
        document[key] = removed
    return document


def _cache(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from respond.pacs import image_cache_dir

    folder = Path(args.cache).expanduser() if args.cache else image_cache_dir()
    studies = cached_studies(folder)
    if args.older_than is not None:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=args.older_than)
        studies = [s for s in studies if s.written < cutoff]
    used = _reads(args, err) if studies else {}
    if not args.clean:
        return _list(folder, studies, used, args, out)
    if used is None and not args.include_read:
        err.write(
            "respond: nothing removed: fix the database (or give --db), or add "
            "--include-read to remove studies whatever reads use them\n"
        )
        return EXIT_FAILED
    return _clean(folder, studies, used or {}, args, out, err)


def _list(
    folder: Path,
    studies: list[CachedStudy],
    used: dict[str, list[str]] | None,
    args: argparse.Namespace,
    out: TextIO,
) -> int:
    if args.json:
        document = [_as_json(s, used, None) for s in studies]
        out.write(json.dumps(document, indent=2) + "\n")
        return EXIT_OK
    total = sum(s.size for s in studies)
    older = (
        f" last written over {args.older_than:g} days ago" if args.older_than else ""
    )
    out.write(
        terminal_text(f"image cache {folder}: {_studies(len(studies))}{older}, ")
        + f"{_size(total)}\n"
    )
    if studies:
        out.write("last written       files        size  study  used by\n")
    for study in studies:
        out.write(terminal_text(_row(study, used)) + "\n")
    return EXIT_OK


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _studies(count: int) -> str:
    return f"{count} study" if count == 1 else f"{count} studies"


def _clean(
    folder: Path,
    studies: list[CachedStudy],
    used: dict[str, list[str]],
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
) -> int:
    removed: list[CachedStudy] = []
    kept: list[CachedStudy] = []
    failure: CacheError | None = None
    verb = "would remove" if args.dry_run else "removed"
    lines = []
    for study in studies:
        reads = used.get(study.study_uid, [])
        if reads and not args.include_read:
            kept.append(study)
            lines.append(
                f"kept {study.study_uid}: used by {', '.join(reads)} "
                "(--include-read removes it)"
            )
            continue
        if not args.dry_run:
            try:
                remove_cached(folder, study)
            except CacheError as exc:
                failure = exc
                break
        removed.append(study)
        lines.append(
            f"{verb} {study.study_uid} ({_count(study.files, 'file')}, "
            f"{_size(study.size)})"
        )
    if removed and not args.dry_run:
        _forget(args, removed, err)
    if args.json:
        key = "would_remove" if args.dry_run else "removed"
        document = [_as_json(s, used, s in removed, key) for s in removed + kept]
        out.write(json.dumps(document, indent=2) + "\n")
    else:
        for line in lines:
            out.write(terminal_text(line) + "\n")
        freed = _size(sum(s.size for s in removed))
        out.write(f"{verb} {_studies(len(removed))}, {freed}; kept {len(kept)}\n")
    if failure is not None:
        raise failure
    return EXIT_OK


def _forget(args: argparse.Namespace, removed: list[CachedStudy], err: TextIO) -> None:
    """Drop the removed files from the image index (said on ``err`` if it fails)."""
    try:
        with open_database(args) as store:
            store.forget_images([path for study in removed for path in study.paths])
    except RespondError as exc:
        err.write(
            terminal_text(
                f"respond: the image index could not forget the removed files "
                f"({exc}); the app will say their images are not found\n"
            )
        )
