"""Qt item models over the reading session (no state of their own)."""

from respond.ui.models.lesion_table import LesionTableModel
from respond.ui.models.patient_table import PatientTableModel
from respond.ui.models.response_table import ResponseTableModel

__all__ = ["LesionTableModel", "PatientTableModel", "ResponseTableModel"]
