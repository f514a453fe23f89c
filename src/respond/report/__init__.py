"""Readable renderings: the assessment table and the series listing."""

from respond.report.series_text import format_scan
from respond.report.text import format_assessment

__all__ = ["format_assessment", "format_scan"]
