"""Closed vocabularies of the engine: criteria, response categories, lesion enums."""

from __future__ import annotations

from enum import Enum

__all__ = [
    "Action",
    "Criterion",
    "Cytology",
    "DoseForm",
    "LesionKind",
    "NonTargetStatus",
    "Response",
    "Role",
    "TargetStatus",
]


class Criterion(Enum):
    """A response criteria set."""

    RECIST11 = "RECIST1.1"
    """RECIST 1.1 (Eisenhauer et al. 2009)."""
    MRECIST = "mRECIST"
    """Modified RECIST for HCC (Lencioni & Llovet 2010)."""


class Response(Enum):
    """A response category, at target, non-target or overall level."""

    CR = "CR"
    """Complete response."""
    PR = "PR"
    """Partial response."""
    SD = "SD"
    """Stable disease."""
    PD = "PD"
    """Progressive disease."""
    NE = "NE"
    """Not evaluable."""
    NON_CR_NON_PD = "NON-CR/NON-PD"
    """Neither complete response nor progression (non-target disease)."""


class Role(Enum):
    """The role a lesion plays in the assessment."""

    TARGET = "target"
    """Measured target lesion chosen at baseline."""
    NON_TARGET = "non_target"
    """Non-target lesion chosen at baseline, followed qualitatively."""
    NEW = "new"
    """Lesion first seen after baseline."""


class LesionKind(Enum):
    """What a lesion is, as far as the rules care."""

    HCC = "hcc"
    """Hepatocellular carcinoma (a liver tumour)."""
    NODE = "node"
    """Lymph node."""
    PORTAL_VEIN_THROMBUS = "portal_vein_thrombus"
    """Malignant portal vein thrombus (non-measurable)."""
    ASCITES = "ascites"
    """Ascites (non-measurable)."""
    PLEURAL_EFFUSION = "pleural_effusion"
    """Pleural effusion (non-measurable)."""
    INFILTRATIVE_HCC = "infiltrative_hcc"
    """Infiltrative, ill-defined HCC (not an mRECIST target)."""
    OTHER = "other"
    """Any other lesion."""


class TargetStatus(Enum):
    """How a target lesion was recorded at a time point."""

    MEASURED = "measured"
    """Measured: its lengths are recorded."""
    TOO_SMALL = "too_small"
    """Present but too small to measure: counts 5 mm (RECIST 1.1 4.3.2)."""
    ABSENT = "absent"
    """Gone: counts 0 mm."""
    NOT_EVALUATED = "not_evaluated"
    """Not assessed at this time point."""


class NonTargetStatus(Enum):
    """How a non-target lesion was recorded at a time point."""

    PRESENT = "present"
    """Still present (for mRECIST: still enhancing)."""
    ABSENT = "absent"
    """Gone (a node: short axis < 10 mm; mRECIST: no enhancement left)."""
    UNEQUIVOCAL_PROGRESSION = "unequivocal_progression"
    """Unequivocal progression, the reader's judgement with a justification."""
    NOT_EVALUATED = "not_evaluated"
    """Not assessed at this time point."""


class Cytology(Enum):
    """Cytology of an effusion or ascites."""

    POSITIVE = "positive"
    """Malignant cells found."""
    NEGATIVE = "negative"
    """No malignant cells found."""
    NOT_DONE = "not_done"
    """No cytology."""


class Action(Enum):
    """The sorafenib recommendation's action."""

    CONTINUE = "continue"
    """Continue at the current dose."""
    CONTINUE_REDUCED_DOSE = "continue_reduced_dose"
    """Continue (or resume) one dose level lower."""
    INTERRUPT = "interrupt"
    """Interrupt treatment; restart at the given dose level when allowed."""
    DISCONTINUE = "discontinue"
    """Stop sorafenib."""
    SWITCH_SECOND_LINE = "switch_second_line"
    """Stop sorafenib and switch to a second-line therapy or trial."""
    REPEAT_IMAGING = "repeat_imaging"
    """No response can be judged: repeat or complete the imaging."""
    REVIEW = "review"
    """Tumour board review: the rules conflict or data are missing."""


class DoseForm(Enum):
    """Which of the label's two forms of the lowest dose level (-2) is given."""

    EVERY_OTHER_DAY_400 = "400mg_every_other_day"
    """400 mg every other day."""
    ONCE_DAILY_200 = "200mg_once_daily"
    """200 mg once daily."""
