"""The tumour-board PDF, drawn with Qt's PDF writer (works offscreen).

``write_pdf(report, path)`` renders a :class:`respond.report.ReportData`:
patient header, both criteria side by side per time point with the reasons,
best overall response and progression, the recommendation with the rules that
fired and the clinician's decision, clinical status, spider plot and waterfall,
key images of the targets and new lesions with the calipers, sign-off, the
signature block and data attribution. The sections flow from page to page;
every page carries the patient line and "page N of M".
"""

from respond.pdf.writer import PdfError, write_pdf

__all__ = ["PdfError", "write_pdf"]
