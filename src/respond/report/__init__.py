"""Readable renderings: the assessment table, the series listing, terminal text."""

from respond.report.series_text import format_scan
from respond.report.text import format_assessment, terminal_text

__all__ = ["format_assessment", "format_scan", "terminal_text"]
