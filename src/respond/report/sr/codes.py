"""The codes respond writes into a TID 1500 measurement report, and reads back.

Standard codes (DCM, SCT, UMLS, UCUM, LN) are used wherever DICOM PS3.16 or
SNOMED CT has a concept; the rest use the private coding scheme ``99RESPOND``
(PS3.16 section 8.2: private schemes start with ``99``). docs/sr.md lists every
code and where it appears.

Each coded value the reader must interpret is a ``(designator, value)`` key, so
a code is recognised whatever meaning text another writer gave it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeVar

from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

from respond.criteria.categories import (
    Cytology,
    LesionKind,
    NonTargetStatus,
    Response,
    TargetStatus,
)
from respond.criteria.record import CaliperKind

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "PRIVATE",
    "Key",
    "key",
    "private",
    "reverse",
]

V = TypeVar("V")

PRIVATE: Final = "99RESPOND"

Key = tuple[str, str]
"""A code's ``(coding scheme designator, code value)``."""


def private(value: str, meaning: str) -> Code:
    """Return a code of respond's private scheme ``99RESPOND``."""
    return Code(value, PRIVATE, meaning)


def key(code: Code) -> Key:
    """Return the ``(designator, value)`` of a code."""
    return (code.scheme_designator, code.value)


def reverse(mapping: Mapping[V, Code]) -> dict[Key, V]:
    """Return the map from each code's key back to what it stands for."""
    return {key(code): member for member, code in mapping.items()}


# -- document and context ------------------------------------------------------
TITLE: Final[Code] = codes.DCM.ImagingMeasurementReport
FORMER_TITLE: Final[Code] = codes.DCM.OncologyMeasurementReport
"""The title respond wrote before (still read on import)."""
QUALITATIVE_EVALUATIONS: Final[Code] = Code(
    "C0034375", "UMLS", "Qualitative Evaluations"
)
PROCEDURE_CT: Final[Code] = codes.LN.CTUnspecifiedBodyRegion
PROCEDURE_MR: Final[Code] = Code("25056-3", "LN", "MRI unspecified body region")
PROCEDURE_OTHER: Final[Code] = codes.SCT.ImagingProcedure
TIME_POINT: Final[Code] = Code("C2348792", "UMLS", "Time Point")
BASELINE: Final[Code] = codes.UMLS.Baseline
POSTTREATMENT: Final[Code] = codes.DCM.Posttreatment
MM: Final[Code] = codes.UCUM.Millimeter
CM: Final[Code] = codes.UCUM.Centimeter
YES: Final[Code] = codes.SCT.Yes
NO: Final[Code] = codes.SCT.No

# -- lesion identity -----------------------------------------------------------
BASELINE_CATEGORY: Final[Code] = codes.DCM.BaselineCategory
TARGET_AT_BASELINE: Final[Code] = codes.DCM.TargetLesionAtBaseline
NON_TARGET_AT_BASELINE: Final[Code] = codes.DCM.NonTargetLesionAtBaseline
NEW: Final[Code] = Code("7147002", "SCT", "New")

NODAL: Final[Code] = private("NODAL", "Measured as a lymph node (short axis counts)")
TYPICAL_HCC: Final[Code] = private(
    "TYPICAL-HCC", "Typical HCC: arterial hyperenhancement with washout"
)
ORGAN: Final[Code] = private("ORGAN", "Organ as recorded")
SITE: Final[Code] = private("SITE", "Site as recorded")
LESION_NOTE: Final[Code] = private("LESION-NOTE", "Lesion note")
EQUIVOCAL: Final[Code] = private("EQUIVOCAL", "Equivocal new lesion")

INFILTRATIVE_HCC: Final[Code] = private(
    "INFILTRATIVE-HCC", "Infiltrative hepatocellular carcinoma"
)
FINDINGS: Final[dict[LesionKind, Code]] = {
    LesionKind.HCC: Code("25370001", "SCT", "Hepatocellular carcinoma"),
    LesionKind.INFILTRATIVE_HCC: INFILTRATIVE_HCC,
    LesionKind.NODE: codes.SCT.LymphNode,
    LesionKind.PORTAL_VEIN_THROMBUS: codes.SCT.Thrombus,
    LesionKind.ASCITES: Code("389026000", "SCT", "Ascites"),
    LesionKind.PLEURAL_EFFUSION: codes.SCT.PleuralEffusion,
    LesionKind.OTHER: codes.SCT.Neoplasm,
}
KIND_OF_FINDING: Final[dict[Key, LesionKind]] = reverse(FINDINGS)

# Organ (free text, lower case) -> finding site. pydicom spells the SCT
# meaning of the peritoneum "Peritioneum"; the code value is what counts.
SITES: Final[dict[str, Code]] = {
    "liver": codes.SCT.Liver,
    "lymph node": codes.SCT.LymphNode,
    "lung": codes.SCT.Lung,
    "peritoneum": Code("15425007", "SCT", "Peritoneum"),
    "pleura": codes.SCT.Pleura,
    "bone": codes.SCT.Bone,
    "adrenal gland": codes.SCT.AdrenalGland,
    "spleen": codes.SCT.Spleen,
    "portal vein": codes.SCT.PortalVein,
    "kidney": codes.SCT.Kidney,
    "pancreas": codes.SCT.Pancreas,
    "stomach": codes.SCT.Stomach,
    "brain": codes.SCT.Brain,
    "abdomen": codes.SCT.Abdomen,
}
ORGAN_OF_SITE: Final[dict[Key, str]] = reverse(SITES)

# -- lengths -------------------------------------------------------------------
LENGTHS: Final[dict[CaliperKind, Code]] = {
    CaliperKind.LONG_AXIS: codes.SCT.LongAxis,
    CaliperKind.SHORT_AXIS: codes.SCT.ShortAxis,
    CaliperKind.VIABLE: private(
        "VIABLE-LD", "Longest diameter of viable tumour (mRECIST)"
    ),
    CaliperKind.FRAGMENT: private("FRAGMENT-LD", "Longest diameter of a fragment"),
}
KIND_OF_LENGTH: Final[dict[Key, CaliperKind]] = reverse(LENGTHS)
CALIPER_ONLY: Final[Code] = private(
    "CALIPER-ONLY", "Caliper drawn, length not recorded"
)
COMMENT: Final[Code] = codes.DCM.Comment
"""(121106, DCM): a caliper group's label, which viewers (OHIF) show."""

# -- status at a time point ----------------------------------------------------
TARGET_STATUS: Final[Code] = private("TARGET-STATUS", "Target lesion status")
TARGET_STATUSES: Final[dict[TargetStatus, Code]] = {
    TargetStatus.MEASURED: private("MEASURED", "Measured"),
    TargetStatus.TOO_SMALL: private("TOO-SMALL", "Present, too small to measure"),
    TargetStatus.ABSENT: codes.SCT.Absent,
    TargetStatus.NOT_EVALUATED: codes.SCT.NotEvaluated,
}
NON_TARGET_STATUS: Final[Code] = private("NONTARGET-STATUS", "Non-target lesion status")
NON_TARGET_STATUSES: Final[dict[NonTargetStatus, Code]] = {
    NonTargetStatus.PRESENT: codes.SCT.Present,
    NonTargetStatus.ABSENT: codes.SCT.Absent,
    NonTargetStatus.UNEQUIVOCAL_PROGRESSION: (
        codes.DCM.NonTargetLesionProgressiveDisease
    ),
    NonTargetStatus.NOT_EVALUATED: codes.SCT.NotEvaluated,
}
CYTOLOGY: Final[Code] = private("CYTOLOGY", "Cytology of the effusion")
CYTOLOGIES: Final[dict[Cytology, Code]] = {
    Cytology.POSITIVE: codes.SCT.Positive,
    Cytology.NEGATIVE: codes.SCT.Negative,
    Cytology.NOT_DONE: private("NOT-DONE", "Cytology not done"),
}
MERGED_INTO: Final[Code] = private("MERGED-INTO", "Coalesced into lesion")
OBSERVATION_NOTE: Final[Code] = private("OBS-NOTE", "Note at this time point")

# -- time point ----------------------------------------------------------------
ARTERIAL_PHASE: Final[Code] = private("ARTERIAL-PHASE", "Usable arterial phase read")
SLICE_THICKNESS: Final[Code] = private("SLICE-THICKNESS", "Slice thickness read (mm)")
TIMEPOINT_SERIES: Final[Code] = private("TP-SERIES", "Series read at this time point")

# -- response categories -------------------------------------------------------
RESPONSE_CONCEPTS: Final[dict[tuple[str, str], Code]] = {
    ("RECIST1.1", "target"): private("RECIST-T", "RECIST 1.1 target lesion response"),
    ("RECIST1.1", "non_target"): private(
        "RECIST-NT", "RECIST 1.1 non-target lesion response"
    ),
    ("RECIST1.1", "new_lesions"): private("RECIST-NEW", "RECIST 1.1 new lesions"),
    ("RECIST1.1", "overall"): private("RECIST-OVERALL", "RECIST 1.1 overall response"),
    ("mRECIST", "target"): private("MRECIST-T", "mRECIST target lesion response"),
    ("mRECIST", "non_target"): private(
        "MRECIST-NT", "mRECIST non-target lesion response"
    ),
    ("mRECIST", "new_lesions"): private("MRECIST-NEW", "mRECIST new lesions"),
    ("mRECIST", "overall"): private("MRECIST-OVERALL", "mRECIST overall response"),
}
RESPONSE_METHOD: Final[Code] = codes.DCM.ResponseEvaluationMethod
"""(112021, DCM): the criterion each response item was judged by (CID 6147)."""
RESPONSE_METHODS: Final[dict[str, Code]] = {
    "RECIST1.1": Code("126081", "DCM", "RECIST 1.1"),
    "mRECIST": private("MRECIST", "mRECIST (modified RECIST for HCC)"),
}
"""DICOM's code for RECIST 1.1; mRECIST is not in DICOM (private)."""
BEST_OVERALL_RESPONSE: Final[Code] = codes.DCM.BestOverallResponse
"""(112049, DCM): the best overall response up to the report's time point."""
CURRENT_RESPONSE: Final[Code] = codes.DCM.CurrentResponse
"""(112048, DCM): the overall response of the time point, per criterion."""
OVERALL_RESPONSES: Final[dict[Response, Code]] = {
    Response.CR: private("CR", "Complete response"),
    Response.PR: private("PR", "Partial response"),
    Response.SD: private("SD", "Stable disease"),
    Response.PD: private("PD", "Progressive disease"),
    Response.NE: private("NE", "Not evaluable"),
    Response.NON_CR_NON_PD: private("NON-CR-NON-PD", "Non-CR/non-PD"),
}
TARGET_RESPONSES: Final[dict[Response, Code]] = {
    **OVERALL_RESPONSES,
    Response.CR: codes.DCM.TargetLesionCompleteResponse,
    Response.PR: codes.DCM.TargetLesionPartialResponse,
    Response.SD: codes.DCM.TargetLesionStableDisease,
    Response.PD: codes.DCM.TargetLesionProgressiveDisease,
}
NON_TARGET_RESPONSES: Final[dict[Response, Code]] = {
    **OVERALL_RESPONSES,
    Response.CR: codes.DCM.NonTargetLesionCompleteResponse,
    Response.NON_CR_NON_PD: codes.DCM.NonTargetLesionIncompleteResponseOrStableDisease,
    Response.PD: codes.DCM.NonTargetLesionProgressiveDisease,
}
NEW_LESIONS_PRESENT: Final[dict[bool, Code]] = {
    True: codes.SCT.Present,
    False: codes.SCT.Absent,
}
