"""Reading, checking and assessing case files (``respond-case/1``)."""

from respond.casefile._case_writer import (
    CASE_FORMAT,
    ExactNumber,
    case_document,
    case_json,
)
from respond.casefile._io import (
    assess_case_document,
    load_case,
    parse_case_text,
    read_case_file,
    read_case_stream,
)
from respond.casefile._limits import (
    MAX_CASE_BYTES,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    name_problem,
)
from respond.casefile._reader import build_case
from respond.casefile._validate import validate_case
from respond.casefile._values import check_values
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
    "MAX_CASE_BYTES",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_ID_LENGTH",
    "MAX_NAME_LENGTH",
    "CaseFileError",
    "CaseFormatError",
    "CaseReadError",
    "ExactNumber",
    "Problem",
    "assess_case_document",
    "assessment_document",
    "build_case",
    "case_document",
    "case_json",
    "check_values",
    "load_case",
    "name_problem",
    "parse_case_text",
    "read_case_file",
    "read_case_stream",
    "validate_case",
]
