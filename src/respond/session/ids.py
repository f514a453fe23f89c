"""Identifiers: DICOM UIDs for tracking, stable keys, readable lesion ids."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["new_tracking_uid", "new_uid", "next_lesion_id"]


def new_tracking_uid() -> str:
    """Return a new DICOM UID (``2.25.<uuid as integer>``, PS3.5 B.2)."""
    return f"2.25.{uuid.uuid4().int}"


def new_uid() -> str:
    """Return a new opaque key for a time point."""
    return uuid.uuid4().hex


def next_lesion_id(prefix: str, taken: Iterable[str]) -> str:
    """Return the next free readable id: ``T1``, ``T2`` ... or ``N1`` ...

    Parameters
    ----------
    prefix
        ``T`` for targets, ``N`` for non-targets, ``X`` for new lesions.
    taken
        Ids already used (in this read, across every role).
    """
    used = set(taken)
    number = 1
    while f"{prefix}{number}" in used:
        number += 1
    return f"{prefix}{number}"
