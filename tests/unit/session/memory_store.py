"""An in-memory stand-in for the SQLite store: records every call it gets."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from respond.criteria import PatientRead
from respond.session import AuditEntry, PatientSummary


@dataclass
class MemoryStore:
    """Keeps reads in a dict; ``calls`` lists (method, patient_id, args...)."""

    reads: dict[str, PatientRead] = field(default_factory=dict)
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    revisions: dict[str, int] = field(default_factory=dict)
    last_revisions: tuple[int, int] = (0, 0)

    def revision(self, patient_id: str) -> int:
        return self.revisions.get(patient_id, 0)

    def data_version(self) -> int:
        return 1

    def list_patients(self) -> list[PatientSummary]:
        return [
            PatientSummary(pid, r.patient.name, (), "")
            for pid, r in sorted(self.reads.items())
        ]

    def load(self, patient_id: str) -> PatientRead:
        return copy.deepcopy(self.reads[patient_id])

    def create_patient(
        self, read: PatientRead, *, who: str, replace: bool = False
    ) -> None:
        self.reads[read.patient.id] = read
        self.calls.append(("create_patient", read.patient.id, who))

    def __getattr__(self, name: str) -> Any:
        if name.startswith(
            ("put_", "delete_", "sign", "unlock", "record_", "restore_")
        ):

            def record(patient_id: str, *args: Any, **kwargs: Any) -> None:
                kwargs.pop("seen", None)
                kwargs.pop("seen_revision", None)
                self.calls.append((name, patient_id, *args, kwargs))
                before = self.revisions.get(patient_id, 0)
                self.revisions[patient_id] = before + 1
                self.last_revisions = (before, before + 1)

            return record
        raise AttributeError(name)

    def audit(self, patient_id: str | None = None) -> list[AuditEntry]:
        return []

    def names(self) -> list[str]:
        return [call[0] for call in self.calls]
