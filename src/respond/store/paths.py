"""Where the database lives: the platform's user-data folder, unless told otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

import platformdirs

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DATABASE_ENV",
    "DATABASE_FILENAME",
    "default_database_path",
    "resolve_database_path",
]

DATABASE_FILENAME: Final = "respond.sqlite3"
"""The database's file name in the user-data folder."""

DATABASE_ENV: Final = "RESPOND_DB"
"""The environment variable that names another database file."""


def default_database_path() -> Path:
    """Return the default database file, in the platform's user-data folder.

    Returns
    -------
    pathlib.Path
        ``<user data dir>/respond.sqlite3``, e.g.
        ``~/.local/share/respond/respond.sqlite3`` on Linux,
        ``~/Library/Application Support/respond/respond.sqlite3`` on macOS and
        ``%LOCALAPPDATA%/respond/respond.sqlite3`` on Windows. The folder may
        not exist yet; :func:`~respond.store.open_store` creates it.
    """
    return Path(platformdirs.user_data_dir("respond", appauthor=False)) / (
        DATABASE_FILENAME
    )


def resolve_database_path(cli_value: str | None, environ: Mapping[str, str]) -> Path:
    """Return the database to use: ``--db``, else ``RESPOND_DB``, else the default.

    Parameters
    ----------
    cli_value
        The ``--db PATH`` option, or None when not given. An empty string counts
        as not given.
    environ
        The environment (``os.environ``); ``RESPOND_DB`` is read from it.

    Returns
    -------
    pathlib.Path
        The path with ``~`` expanded; relative paths stay relative to the
        current folder.
    """
    for value in (cli_value, environ.get(DATABASE_ENV)):
        if value:
            return Path(value).expanduser()
    return default_database_path()
