"""Errors of the reading session (see the tree in :mod:`respond.errors`)."""

from __future__ import annotations

from respond.errors import RespondError

__all__ = ["SessionError", "SignedError", "UnknownItemError", "WorkflowError"]


class SessionError(RespondError):
    """Base class of the session's errors."""


class WorkflowError(SessionError):
    """An edit the read's current state does not allow."""


class SignedError(WorkflowError):
    """An edit of a signed time point; unlock it first (audited).

    Parameters
    ----------
    label
        The time point's label.
    """

    def __init__(self, label: str) -> None:
        super().__init__(
            f"time point {label} is signed and read-only; unlock it (with a reason, "
            "kept in the audit trail) to change it"
        )
        self.label = label


class UnknownItemError(SessionError, KeyError):
    """A lesion, time point or finding id that is not in the read.

    Parameters
    ----------
    kind
        What was looked for (``lesion``, ``time point``, ``new lesion``).
    key
        The id given.
    """

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"no {kind} {key!r} in this read")
        self.kind = kind
        self.key = key

    def __str__(self) -> str:
        return str(self.args[0])
