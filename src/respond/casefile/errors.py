"""Errors raised while reading and checking a case file (``respond-case/1``).

::

    RespondError
    └── CaseFileError
        ├── CaseReadError     the file is missing, unreadable or not JSON
        └── CaseFormatError   the JSON breaks respond-case/1; lists every Problem
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from respond.errors import RespondError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

__all__ = ["CaseFileError", "CaseFormatError", "CaseReadError", "Problem"]


class CaseFileError(RespondError):
    """Base class of the errors about a case file."""


class CaseReadError(CaseFileError):
    """The case file is missing, cannot be read, or is not JSON.

    Parameters
    ----------
    path : str or os.PathLike
        The file that could not be read.
    message : str
        What went wrong and what the user can do about it, for example
        ``"no such file; check the path"``.

    Attributes
    ----------
    path : pathlib.Path
        The file that could not be read.
    message : str
        What went wrong and what to do, without the file name.
    """

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        super().__init__(path, message)
        self.path = Path(path)
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a case document.

    Parameters
    ----------
    path : str
        Where the problem is, as a JSON path with dotted keys and ``[i]``
        indices, for example ``timepoints[2].targets.T3.long_axis_mm``; the
        document itself is ``(root)``.
    text : str
        What is wrong and, where it is not obvious, what to do, for example
        ``must be >= 0, got -4``.
    """

    path: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}: {self.text}"


class CaseFormatError(CaseFileError):
    """The case document breaks the ``respond-case/1`` format.

    ``str()`` of the error lists the problems one per line, each as
    ``<json path>: <problem>``.

    Parameters
    ----------
    problems : Iterable[Problem]
        The problems found, in document order; at least one.
    omitted : int, optional
        How many further problems were found but left out of `problems`
        to keep the message short (default 0).

    Attributes
    ----------
    problems : tuple[Problem, ...]
        The problems found, in document order.
    omitted : int
        How many further problems were left out.

    Raises
    ------
    ValueError
        If `problems` is empty or `omitted` is negative.
    """

    def __init__(self, problems: Iterable[Problem], omitted: int = 0) -> None:
        listed = tuple(problems)
        if not listed:
            msg = "CaseFormatError needs at least one Problem, got none"
            raise ValueError(msg)
        if omitted < 0:
            msg = f"omitted must be >= 0, got {omitted}"
            raise ValueError(msg)
        super().__init__(listed, omitted)
        self.problems = listed
        self.omitted = omitted

    def __str__(self) -> str:
        lines = [str(problem) for problem in self.problems]
        if self.omitted:
            lines.append(f"... and {self.omitted} more problems not shown")
        return "\n".join(lines)
