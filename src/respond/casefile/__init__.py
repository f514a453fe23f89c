"""Reading, checking and assessing case files (``respond-case/1``)."""

from respond.casefile._case_writer import CASE_FORMAT, case_document
from respond.casefile._io import (
    assess_case_document,
    load_case,
    parse_case_text,
    read_case_file,
)
from respond.casefile._reader import build_case
from respond.casefile._validate import validate_case
from respond.casefile._writer import ASSESSMENT_FORMAT, assessment_document
from respond.casefile.errors import (
    CaseFileError,
    CaseFormatError,
    CaseReadError,
    Problem,
)

__all__ = [
    "ASSESSMENT_FORMAT",
    "CASE_FORMAT",
    "CaseFileError",
    "CaseFormatError",
    "CaseReadError",
    "Problem",
    "assess_case_document",
    "assessment_document",
    "build_case",
    "case_document",
    "load_case",
    "parse_case_text",
    "read_case_file",
    "validate_case",
]
