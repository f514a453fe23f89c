"""What a mutation works on: the copied seed, the file chosen, the case's dice."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from fuzz.seeds import Seed


class InapplicableError(Exception):
    """The mutation does not apply to the file picked (the case takes another)."""


@dataclass
class Target:
    """A case's folder, its files, the file to damage and the random source.

    Mutations read and write ``path`` (or add files to ``folder``), list every
    file they wrote in ``touched`` and return one line saying what they did.
    """

    rng: random.Random
    folder: Path
    files: list[Path]
    seed: Seed
    path: Path
    touched: list[Path] = field(default_factory=list)

    def read(self) -> bytes:
        """Return the chosen file's bytes."""
        return self.path.read_bytes()

    def write(self, data: bytes, path: Path | None = None) -> None:
        """Write ``data`` to the chosen file (or ``path``) and note it."""
        where = path or self.path
        where.write_bytes(data)
        if where not in self.touched:
            self.touched.append(where)

    def others(self) -> list[Path]:
        """Return the seed's other files (the neighbours of a slice)."""
        return [f for f in self.files if f != self.path]
