"""Errors of the PACS layer (see the tree in :mod:`respond.errors`).

::

    RespondError
    └── PacsError                  a PACS could not be reached or refused a request
        ├── PacsConfigError        pacs.json or a --pacs spec is wrong
        ├── RetrieveInterrupted    a retrieve stopped part-way (files kept)
        └── CacheError             the image cache cannot be read, or a study removed

A message names the node (its name, URL or AE title, host and port, never its
secret), what happened and what to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.errors import RespondError

if TYPE_CHECKING:
    from respond.pacs.model import RetrieveResult

__all__ = ["CacheError", "PacsConfigError", "PacsError", "RetrieveInterrupted"]


class PacsError(RespondError):
    """A PACS could not be reached, refused a request, or failed during it.

    Parameters
    ----------
    message
        What happened, for which node, and what to do.
    node
        The name of the node involved, when one is.
    """

    def __init__(self, message: str, *, node: str | None = None) -> None:
        super().__init__(message)
        self.node = node


class PacsConfigError(PacsError):
    """The nodes file or a node given on the command line is not usable."""


class RetrieveInterrupted(PacsError):
    """A retrieve that stopped part-way: the connection was lost or refused.

    The instances received before the failure stay on disk, complete, under
    their final names; :attr:`result` lists them.

    Parameters
    ----------
    message
        What happened and what to do.
    result
        What was received before the failure.
    node
        The node's name.
    """

    def __init__(
        self, message: str, result: RetrieveResult, *, node: str | None = None
    ) -> None:
        super().__init__(message, node=node)
        self.result = result


class CacheError(PacsError):
    """The image cache could not be read, or a study in it removed."""
