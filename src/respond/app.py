"""The composition root: ``respond`` and ``python -m respond`` start here."""

from __future__ import annotations

import os
import sys
import traceback
from typing import TYPE_CHECKING

from respond.cli import run

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

EXIT_INTERNAL_ERROR = 70


def main(argv: Sequence[str] | None = None) -> int:
    """Run respond and return its exit code.

    Parameters
    ----------
    argv
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code: 0 success, 2 bad input, 70 an internal error.
    """
    try:
        return run(argv)
    except KeyboardInterrupt:
        sys.stderr.write("respond: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("RESPOND_DEBUG"):
            traceback.print_exc()
        sys.stderr.write(
            f"respond: internal error ({type(exc).__name__}: {exc}). This is a bug in "
            "respond, not in your data; please report it with the command and the "
            "input file (set RESPOND_DEBUG=1 for details).\n"
        )
        return EXIT_INTERNAL_ERROR
