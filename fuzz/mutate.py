"""Cases: which seed, which file, which damage; deterministic from the case number.

Case ``n`` of seed ``s`` always copies the same files and damages them the same
way (``python -m fuzz --case n --seed s``). The kinds take turns (case ``n``
gets kind ``n mod 17`` four times in five, a random one otherwise); a kind that
does not apply to the file picked (no file meta, no fragments...) passes the
case on to the next kind, with the same random source.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from fuzz import damage, dicomdir, values
from fuzz.codestream import corrupt_codestream
from fuzz.seeds import (
    DEFLATED,
    DICOMDIR,
    DICOMDIR_VARIANTS,
    ENCAPSULATED,
    SEEDS,
    STACK,
    Seed,
    copy_seed,
)
from fuzz.target import InapplicableError, Target

if TYPE_CHECKING:
    from pathlib import Path

Operation = Callable[[Target], str]


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of damage and the seeds it applies to."""

    name: str
    operation: Operation
    applies: Callable[[Seed], bool] = lambda seed: True


def _not(feature: str) -> Callable[[Seed], bool]:
    return lambda seed: feature not in seed.features


def _has(feature: str) -> Callable[[Seed], bool]:
    return lambda seed: feature in seed.features


KINDS: Final = (
    Kind("truncation", damage.truncate),
    Kind("flipped bytes", damage.flip),
    Kind("deleted tags", values.delete_tags),
    Kind("duplicated tag", damage.duplicate, _not(DEFLATED)),
    Kind("absurd value", values.absurd_value),
    Kind("number of frames", values.number_of_frames),
    Kind("wrong VR", damage.wrong_vr, _not(DEFLATED)),
    Kind("transfer syntax swapped", damage.swap_syntax),
    Kind("huge length", damage.huge_length, _not(DEFLATED)),
    Kind("deep nesting", damage.deep_nesting, _not(DEFLATED)),
    Kind("corrupt codestream", corrupt_codestream, _has(ENCAPSULATED)),
    Kind("modality LUT", values.modality_lut),
    Kind("pixel data length", values.pixel_data_length, _not(ENCAPSULATED)),
    Kind("one slice unlike the stack", values.odd_slice, _has(STACK)),
    Kind("damaged DICOMDIR", dicomdir.damage_dicomdir, _has(DICOMDIR)),
    Kind("special file", dicomdir.special_file),
    Kind("image declared a DICOMDIR", dicomdir.image_as_dicomdir),
)
BY_NAME: Final = {kind.name: kind for kind in KINDS}
DEFAULT_SEED: Final = 20261213


@dataclass
class Mutation:
    """What a case did: kept with every reproducer."""

    case: int
    seed_value: int
    kind: str
    seed: str
    file: str
    what: str
    scan: str
    """What was scanned, relative to the case folder (``.`` for the folder)."""
    touched: list[str] = field(default_factory=list)
    dicomdir: str = ""
    """Which shared DICOMDIR the case's ``DICOMDIR`` is a copy of (DICOMDIR seed)."""
    planned: str = ""
    """The kind first drawn, when it did not apply and another took the case."""

    def line(self) -> str:
        """One line: kind, seed, file, what."""
        return f"{self.kind} [{self.seed}: {self.file}]: {self.what}"


def _choose_file(rng: random.Random, seed: Seed, files: list[Path], kind: Kind) -> Path:
    if DICOMDIR in seed.features:
        dicomdirs = [f for f in files if f.name == "DICOMDIR"]
        if kind.name == "damaged DICOMDIR" or rng.random() < 0.5:
            return dicomdirs[0]
        return rng.choice([f for f in files if f.name != "DICOMDIR"])
    return rng.choice(files)


def make_case(number: int, folder: Path, seed_value: int = DEFAULT_SEED) -> Mutation:
    """Copy case ``number``'s seed into ``folder`` and damage it.

    Raises
    ------
    RuntimeError
        No kind applied (a harness bug: every seed takes truncation).
    """
    rng = random.Random(f"{seed_value}:{number}")
    first = KINDS[number % len(KINDS)] if rng.random() < 0.8 else rng.choice(KINDS)
    seeds = sorted(name for name, seed in SEEDS.items() if first.applies(seed))
    name = rng.choice(seeds)
    seed = SEEDS[name]
    variant = rng.choice(DICOMDIR_VARIANTS)
    files = copy_seed(name, folder, dicomdir=variant)
    scan = folder
    if DICOMDIR in seed.features and rng.random() < 0.5:
        scan = folder / "DICOMDIR"
    start = KINDS.index(first)
    for kind in KINDS[start:] + KINDS[:start]:
        if not kind.applies(seed):
            continue
        target = Target(rng, folder, files, seed, _choose_file(rng, seed, files, kind))
        try:
            what = kind.operation(target)
        except InapplicableError:
            continue
        return Mutation(
            case=number,
            seed_value=seed_value,
            kind=kind.name,
            seed=name,
            file=target.path.relative_to(folder).as_posix(),
            what=what,
            scan=scan.relative_to(folder).as_posix(),
            touched=[p.relative_to(folder).as_posix() for p in target.touched],
            dicomdir=variant if DICOMDIR in seed.features else "",
            planned="" if kind is first else first.name,
        )
    raise RuntimeError(f"case {number}: no kind of damage applied to seed {name}")
