"""Qt item models over the reading session (no state of their own)."""

from respond.ui.models.lesion_table import LesionTableModel
from respond.ui.models.response_table import ResponseTableModel

__all__ = ["LesionTableModel", "ResponseTableModel"]
