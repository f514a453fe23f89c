"""DICOM SR: a read as TID 1500 measurement reports, and back.

:func:`write_sr` writes one Comprehensive 3D SR per time point; :func:`import_sr`
rebuilds reads from such files (:func:`load_sr` also counts the calipers whose
image was not given). docs/sr.md describes the content and the codes.
"""

from respond.report.sr.errors import SRError, SRExportError, SRImportError
from respond.report.sr.reader import SRImport, import_sr, load_sr
from respond.report.sr.writer import write_sr

__all__ = [
    "SRError",
    "SRExportError",
    "SRImport",
    "SRImportError",
    "import_sr",
    "load_sr",
    "write_sr",
]
