"""The presentation contexts respond proposes and accepts for storage.

For C-GET respond proposes one context per (SOP class, transfer syntax), so
the PACS can send each instance in the transfer syntax it holds it in, without
transcoding; 97 contexts in all, under the limit of 128.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from pydicom import uid
from pydicom import uid as sc
from pynetdicom import ALL_TRANSFER_SYNTAXES, AllStoragePresentationContexts, build_role

if TYPE_CHECKING:
    from pynetdicom import AE
    from pynetdicom.pdu_primitives import SCP_SCU_RoleSelectionNegotiation

VERIFICATION: Final = "1.2.840.10008.1.1"
STUDY_ROOT_FIND: Final = "1.2.840.10008.5.1.4.1.2.2.1"
STUDY_ROOT_MOVE: Final = "1.2.840.10008.5.1.4.1.2.2.2"
STUDY_ROOT_GET: Final = "1.2.840.10008.5.1.4.1.2.2.3"
IMAGE_CLASSES: Final = (
    sc.CTImageStorage,
    sc.EnhancedCTImageStorage,
    sc.MRImageStorage,
    sc.EnhancedMRImageStorage,
    sc.SecondaryCaptureImageStorage,
    sc.MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
    sc.MultiFrameGrayscaleWordSecondaryCaptureImageStorage,
    sc.MultiFrameTrueColorSecondaryCaptureImageStorage,
    sc.PositronEmissionTomographyImageStorage,
    sc.UltrasoundImageStorage,
)
DOCUMENT_CLASSES: Final = (
    sc.BasicTextSRStorage,
    sc.EnhancedSRStorage,
    sc.ComprehensiveSRStorage,
    sc.Comprehensive3DSRStorage,
    sc.KeyObjectSelectionDocumentStorage,
    sc.EncapsulatedPDFStorage,
    sc.GrayscaleSoftcopyPresentationStateStorage,
    sc.SegmentationStorage,
)
IMAGE_SYNTAXES: Final = (
    uid.ExplicitVRLittleEndian,
    uid.ImplicitVRLittleEndian,
    uid.JPEGBaseline8Bit,
    uid.JPEGLosslessSV1,
    uid.JPEGLSLossless,
    uid.JPEG2000Lossless,
    uid.JPEG2000,
    uid.RLELossless,
)
DOCUMENT_SYNTAXES: Final = (uid.ExplicitVRLittleEndian, uid.ImplicitVRLittleEndian)


def add_get_contexts(
    ae: AE, query_model: str
) -> list[SCP_SCU_RoleSelectionNegotiation]:
    """Propose ``query_model`` and the storage contexts; return the SCP roles."""
    ae.add_requested_context(query_model)
    roles = []
    for classes, syntaxes in (
        (IMAGE_CLASSES, IMAGE_SYNTAXES),
        (DOCUMENT_CLASSES, DOCUMENT_SYNTAXES),
    ):
        for sop_class in classes:
            for syntax in syntaxes:
                ae.add_requested_context(sop_class, [syntax])
            roles.append(build_role(sop_class, scp_role=True))
    return roles


def add_storage_scp_contexts(ae: AE) -> None:
    """Accept every storage SOP class in every transfer syntax (C-MOVE SCP)."""
    for context in AllStoragePresentationContexts:
        assert context.abstract_syntax is not None
        ae.add_supported_context(context.abstract_syntax, ALL_TRANSFER_SYNTAXES)
