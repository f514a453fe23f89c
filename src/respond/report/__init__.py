"""Reports of an assessment: the readable text table (PDF and DICOM SR to come)."""

from respond.report.text import format_assessment

__all__ = ["format_assessment"]
