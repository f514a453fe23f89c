"""The seeds: groups of real files from the shared data, copied together per case.

Each case copies one group into its own folder and damages one file of it, so a
stack keeps its neighbours (a slice moved 10 km away is only visible next to
the others) and a DICOMDIR keeps the files it lists.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parent.parent
SHARED_DICOM: Final = REPO.parent / "shared" / "data" / "dicom"
"""The shared real DICOM data (see its MANIFEST.md), beside the repository."""

LIVER: Final = "ct_liver_hcc048_pv"
HEAD_TILT: Final = "ct_head_ge_tilt_varspacing"
PHILIPS_SAG: Final = "mr_brain_philips_sag_t1"
SYNTAXES: Final = "mr_transfer_syntaxes"
ENHANCED_XA10: Final = "mr_enhanced_siemens_xa10"
EDGE: Final = "edge_cases_pydicom"
FILESET: Final = f"{EDGE}/dicomdir_fileset"

STACK: Final = "stack"
"""Several slices of one series."""
ENCAPSULATED: Final = "encapsulated"
"""Compressed pixel data in fragments (JPEG, JPEG-LS, JPEG 2000, RLE)."""
MULTIFRAME: Final = "multiframe"
"""Enhanced multi-frame images (functional groups)."""
DICOMDIR: Final = "dicomdir"
"""A DICOMDIR with the files it lists."""
DEFLATED: Final = "deflated"
"""The dataset is zlib-compressed: byte-level element edits do not apply."""


@dataclass(frozen=True, slots=True)
class Seed:
    """A group of shared files (paths relative to the shared folder)."""

    files: tuple[str, ...]
    features: frozenset[str] = frozenset()
    base: str = ""
    """Copies keep their path relative to this folder (else only the name)."""


def _seed(*files: str, features: tuple[str, ...] = (), base: str = "") -> Seed:
    return Seed(tuple(files), frozenset(features), base)


_CT5 = tuple(
    f"{FILESET}/98892001/CT5N/{n}" for n in ("2062", "2392", "2693", "3023", "3353")
)
_LISTED = (
    *(f"{FILESET}/77654033/CR{n}/{f}" for n, f in ((1, 6154), (2, 6247), (3, 6278))),
    *(f"{FILESET}/77654033/CT2/{n}" for n in (17106, 17136, 17166, 17196)),
    *(f"{FILESET}/98892001/CT2N/{n}" for n in (6293, 6924)),
    *_CT5,
    *(f"{FILESET}/98892003/MR1/{n}" for n in (15820, 4919, 5641)),
    *(
        f"{FILESET}/98892003/MR2/{n}"
        for n in (15970, 4950, 4981, 5011, 6273, 6605, 6935)
    ),
    *(
        f"{FILESET}/98892003/MR700/{n}"
        for n in (4467, 4528, 4558, 4588, 4618, 4648, 4678)
    ),
)
DICOMDIR_VARIANTS: Final = (
    "DICOMDIR",
    "DICOMDIR-bigEnd",
    "DICOMDIR-implicit",
    "DICOMDIR-nooffset",
    "DICOMDIR-reordered",
    "DICOMDIR-nopatient",
)
"""The shared file set's DICOMDIRs; a case copies one of them as ``DICOMDIR``."""

SEEDS: Final[dict[str, Seed]] = {
    "ct-5-slices": _seed(*_CT5, features=(STACK,)),
    "liver-3-slices": _seed(
        *(f"{LIVER}/0000000{n}.dcm" for n in (1, 2, 3)), features=(STACK,)
    ),
    "head-tilt-3-slices": _seed(
        *(f"{HEAD_TILT}/0{n}.dcm" for n in (1, 2, 3)), features=(STACK,)
    ),
    "philips-sag-3-slices": _seed(
        *(f"{PHILIPS_SAG}/1301_000{n}.dcm" for n in (1, 2, 3)), features=(STACK,)
    ),
    "cr-slope": _seed(f"{FILESET}/77654033/CR1/6154"),
    "ct-small": _seed(f"{EDGE}/CT_small.dcm"),
    "mr-big-endian": _seed(f"{EDGE}/MR_small_bigendian.dcm"),
    "big-endian-384": _seed(f"{SYNTAXES}/3.dcm"),
    "implicit-384": _seed(f"{SYNTAXES}/2.dcm"),
    "rle": _seed(f"{EDGE}/MR_small_RLE.dcm", features=(ENCAPSULATED,)),
    "rle-384": _seed(f"{SYNTAXES}/4.dcm", features=(ENCAPSULATED,)),
    "jpeg-lossless": _seed(f"{SYNTAXES}/5.dcm", features=(ENCAPSULATED,)),
    "jpeg-lossless-2": _seed(f"{SYNTAXES}/6.dcm", features=(ENCAPSULATED,)),
    "jpeg-ls": _seed(f"{SYNTAXES}/7.dcm", features=(ENCAPSULATED,)),
    "jpeg-ls-2": _seed(f"{SYNTAXES}/8.dcm", features=(ENCAPSULATED,)),
    "jpeg-2000": _seed(f"{SYNTAXES}/9.dcm", features=(ENCAPSULATED,)),
    "jpeg-lossy-12-bit": _seed(f"{EDGE}/JPGExtended.dcm", features=(ENCAPSULATED,)),
    "deflate": _seed(f"{EDGE}/image_dfl.dcm", features=(DEFLATED,)),
    "enhanced-mr": _seed(f"{ENHANCED_XA10}/6_1.dcm", features=(MULTIFRAME,)),
    "enhanced-mr-2-files": _seed(
        f"{ENHANCED_XA10}/6_1.dcm", f"{ENHANCED_XA10}/6_2.dcm", features=(MULTIFRAME,)
    ),
    "enhanced-mr-no-geometry": _seed(f"{EDGE}/emri_small.dcm", features=(MULTIFRAME,)),
    "enhanced-ct": _seed(f"{EDGE}/eCT_Supplemental.dcm", features=(MULTIFRAME,)),
    "seg": _seed(f"{EDGE}/liver_1frame.dcm"),
    "sr": _seed(f"{EDGE}/test-SR.dcm"),
    "rtstruct-no-preamble": _seed(f"{EDGE}/rtstruct.dcm"),
    "rtplan-no-meta": _seed(f"{EDGE}/ExplVR_LitEndNoMeta.dcm"),
    "dicomdir": _seed(
        f"{FILESET}/DICOMDIR", *_LISTED, features=(DICOMDIR,), base=FILESET
    ),
}


def missing() -> str:
    """Return why the shared data cannot be used, or ``""`` when it can."""
    if not SHARED_DICOM.is_dir():
        return "shared DICOM data not found at ../shared/data/dicom"
    absent = [
        f for s in SEEDS.values() for f in s.files if not (SHARED_DICOM / f).is_file()
    ]
    if absent:
        return (
            f"{len(absent)} seed files missing from the shared data, e.g. {absent[0]}"
        )
    return ""


def copy_seed(name: str, folder: Path, *, dicomdir: str = "DICOMDIR") -> list[Path]:
    """Copy seed ``name`` into ``folder``; return the copies, in seed order.

    Files of a seed without a ``base`` are numbered (``00/``, ``01/``, ...) so
    that equal names stay apart; a DICOMDIR seed keeps its layout, with the
    ``dicomdir`` variant copied as ``DICOMDIR``. Copies are writable.
    """
    copies = []
    for target, source in seed_sources(name, folder, dicomdir=dicomdir).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copies.append(target)
    return copies


def seed_sources(
    name: str, folder: Path, *, dicomdir: str = "DICOMDIR"
) -> dict[Path, Path]:
    """Return where each copy of seed ``name`` in ``folder`` comes from, in order."""
    seed = SEEDS[name]
    places = {}
    for index, relative in enumerate(seed.files):
        source = SHARED_DICOM / relative
        if seed.base:
            inside = Path(relative).relative_to(seed.base)
            if inside.name == "DICOMDIR":
                source = source.with_name(dicomdir)
            target = folder / inside
        else:
            target = folder / f"{index:02d}" / source.name
        places[target] = source
    return places
