"""The response engine: RECIST 1.1, mRECIST and the sorafenib recommendation.

Pure rules: the standard library only, no clock; the only file read is packaged
data (the CTCAE v5 vocabulary in ``resources/ctcae``). The same case always gives
the same assessment.
"""

from respond.criteria.assess import assess
from respond.criteria.bor import best_overall_response
from respond.criteria.categories import (
    Action,
    Criterion,
    Cytology,
    DoseForm,
    LesionKind,
    NonTargetStatus,
    Response,
    Role,
    TargetStatus,
)
from respond.criteria.errors import (
    CriteriaError,
    InvalidMeasurementError,
    InvalidSettingsError,
    MissingBaselineError,
)
from respond.criteria.model import (
    AdverseEvent,
    Case,
    Clinical,
    Lesion,
    LesionId,
    NewLesion,
    NonTargetObservation,
    Patient,
    SecondLine,
    Settings,
    TargetMeasurement,
    TimePoint,
)
from respond.criteria.overall import overall_response
from respond.criteria.record import (
    PROPOSAL_METHOD,
    Caliper,
    CaliperKind,
    Decision,
    LesionExtent,
    PatientRead,
    ProposalReview,
    TimePointRecord,
    length_mm,
)
from respond.criteria.result import (
    CaseAssessment,
    CaseWarning,
    CriterionResult,
    Reason,
    Recommendation,
    TimePointRef,
    TimePointResult,
)

__all__ = [
    "PROPOSAL_METHOD",
    "Action",
    "AdverseEvent",
    "Caliper",
    "CaliperKind",
    "Case",
    "CaseAssessment",
    "CaseWarning",
    "Clinical",
    "CriteriaError",
    "Criterion",
    "CriterionResult",
    "Cytology",
    "Decision",
    "DoseForm",
    "InvalidMeasurementError",
    "InvalidSettingsError",
    "Lesion",
    "LesionExtent",
    "LesionId",
    "LesionKind",
    "MissingBaselineError",
    "NewLesion",
    "NonTargetObservation",
    "NonTargetStatus",
    "Patient",
    "PatientRead",
    "ProposalReview",
    "Reason",
    "Recommendation",
    "Response",
    "Role",
    "SecondLine",
    "Settings",
    "TargetMeasurement",
    "TargetStatus",
    "TimePoint",
    "TimePointRecord",
    "TimePointRef",
    "TimePointResult",
    "assess",
    "best_overall_response",
    "length_mm",
    "overall_response",
]
