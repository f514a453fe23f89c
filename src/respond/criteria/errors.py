"""Errors raised by the response engine (see the tree in :mod:`respond.errors`)."""

from __future__ import annotations

from respond.errors import RespondError

__all__ = [
    "CriteriaError",
    "InvalidMeasurementError",
    "InvalidSettingsError",
    "MissingBaselineError",
]


class CriteriaError(RespondError):
    """Base class of the engine's errors."""


class InvalidMeasurementError(CriteriaError, ValueError):
    """A measurement that cannot be true: negative, not finite, short > long axis.

    Parameters
    ----------
    message
        What is wrong and what to do.
    lesion_id
        The lesion the measurement belongs to, when known.
    """

    def __init__(self, message: str, *, lesion_id: str | None = None) -> None:
        super().__init__(message)
        self.lesion_id = lesion_id


class MissingBaselineError(CriteriaError, ValueError):
    """A case without a baseline, or a baseline that lacks a target's measurement.

    Parameters
    ----------
    message
        What is missing and what to do.
    lesion_id
        The target lesion without a baseline measurement, when that is the problem.
    """

    def __init__(self, message: str, *, lesion_id: str | None = None) -> None:
        super().__init__(message)
        self.lesion_id = lesion_id


class InvalidSettingsError(CriteriaError, ValueError):
    """Assessment settings that contradict each other (e.g. the primary criterion)."""
