"""Access to respond's packaged resources (schemas, examples, icons).

The repository's top-level ``resources/`` folder is packaged into the wheel as
``respond/resources``. This module is the one place that finds it: inside an
installed wheel through :mod:`importlib.resources`, and in an editable install
(source checkout) in the repository's own ``resources/`` folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["read_text", "resource_file"]


def _resources_root() -> Traversable:
    packaged = files("respond") / "resources"
    if packaged.is_dir():
        return packaged
    # Editable install: src/respond/assets.py -> repository root.
    return Path(__file__).resolve().parents[2] / "resources"


def resource_file(*parts: str) -> Traversable:
    """Return a file or folder inside respond's resources.

    Parameters
    ----------
    *parts : str
        Path components below ``resources/``, for example
        ``"schema", "respond-case-1.schema.json"``.

    Returns
    -------
    importlib.resources.abc.Traversable
        The resource. It may not exist; check with ``is_file()``.

    Raises
    ------
    ValueError
        If no part is given, or a part is empty, absolute, contains a path
        separator or is ``..``.

    Examples
    --------
    >>> resource_file("schema", "respond-case-1.schema.json").is_file()
    True
    """
    if not parts:
        msg = "resource_file needs at least one path component, got none"
        raise ValueError(msg)
    for part in parts:
        if part in {"", ".", ".."} or "/" in part or "\\" in part:
            msg = (
                f"resource_file takes one plain name per component, got {part!r}; "
                'pass nested paths as separate arguments ("schema", "x.json")'
            )
            raise ValueError(msg)
    resource = _resources_root()
    for part in parts:
        resource = resource / part
    return resource


def read_text(*parts: str) -> str:
    """Read a text resource as UTF-8.

    Parameters
    ----------
    *parts : str
        Path components below ``resources/``, as for :func:`resource_file`.

    Returns
    -------
    str
        The file's text.

    Raises
    ------
    ValueError
        If the path components are malformed (see :func:`resource_file`).
    FileNotFoundError
        If the resource does not exist; the installation is incomplete.
    """
    return resource_file(*parts).read_text(encoding="utf-8")
