"""Files and folders that hold patient data: readable by the user only.

Reports and exports are written to a temporary file beside their destination,
created with mode 0600 and set to 0600 again (the umask can only take bits
away, and an inherited ACL or a strange umask could leave less), then renamed
into place: a failed write never leaves half a file over an earlier one, and a
file that was there before gets the private mode too. Folders respond creates
for them are 0700; folders that already exist are left as they are (they are
the user's).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import IO, TYPE_CHECKING, Final, TextIO

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

FILE_MODE: Final = 0o600
FOLDER_MODE: Final = 0o700


def _chmod(path: Path, mode: int, fd: int | None = None) -> None:
    # Windows keeps only the read-only flag: nothing more to do there
    if fd is not None and hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:
        os.chmod(path, mode)


def private_folder(path: Path) -> Path:
    """Create ``path`` and its missing parents with mode 0700; return it.

    Folders that exist already keep their mode.

    Raises
    ------
    OSError
        A folder cannot be created (or ``path`` is a file).
    """
    missing = []
    folder = path
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made meanwhile by someone else: theirs, left as it is
        _chmod(folder, FOLDER_MODE)
    return path


def private_temporary(target: Path, suffix: str = "") -> Path:
    """Create an empty file (mode 0600) beside ``target``; return its path.

    The name starts with a dot so that a file browser does not show it while
    it is written.

    Raises
    ------
    OSError
        The folder cannot be written.
    """
    for _ in range(16):
        temporary = target.with_name(f".respond-{secrets.token_hex(8)}{suffix}")
        try:
            fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        except FileExistsError:
            continue
        try:
            _chmod(temporary, FILE_MODE, fd)
        finally:
            os.close(fd)
        return temporary
    raise FileExistsError(f"cannot make a temporary file beside {target}")


def publish(temporary: Path, target: Path) -> Path:
    """Rename a finished temporary file onto its destination (0600); return it."""
    _chmod(temporary, FILE_MODE)
    temporary.replace(target)
    return target


@contextlib.contextmanager
def private_text(target: Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """Write UTF-8 text to a private temporary file that becomes ``target``.

    On an error inside the ``with`` block the temporary file is removed and the
    destination is untouched.

    Raises
    ------
    OSError
        The folder cannot be written.
    """
    temporary = private_temporary(target, target.suffix)
    try:
        with temporary.open("w", encoding="utf-8", newline=newline) as handle:
            yield handle
        publish(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def private_binary(target: Path) -> Iterator[IO[bytes]]:
    """Write bytes to a private temporary file that becomes ``target``.

    Raises
    ------
    OSError
        The folder cannot be written.
    """
    temporary = private_temporary(target, target.suffix)
    try:
        with temporary.open("wb") as handle:
            yield handle
        publish(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
