"""Records the store returns besides reads (defined in :mod:`respond.criteria`)."""

from respond.criteria.history import AuditEntry, PatientSummary, Revision

__all__ = ["AuditEntry", "PatientSummary", "Revision"]
