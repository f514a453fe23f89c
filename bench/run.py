"""respond benchmarks (``make bench``).

Every figure is reported next to a baseline measured in the same process, so the
ratios stay meaningful across machines. Run with ``--quick`` for a smoke run.
"""

from __future__ import annotations

import argparse
import sys

from bench import decoders, dicom, engine, measure, pacs, reformat, store, ui


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, for a smoke run"
    )
    parser.add_argument(
        "--only",
        choices=[
            "engine",
            "dicom",
            "decoders",
            "store",
            "ui",
            "pacs",
            "measure",
            "reformat",
        ],
        help="one benchmark",
    )
    parser.add_argument(
        "--syntax",
        action="append",
        default=[],
        help="decoders: only this copy (rle, jpeg_ll14, j2k, deflate, ...); repeatable",
    )
    args = parser.parse_args(argv)
    for name, module in (
        ("engine", engine),
        ("dicom", dicom),
        ("decoders", decoders),
        ("store", store),
        ("ui", ui),
        ("pacs", pacs),
        ("measure", measure),
        ("reformat", reformat),
    ):
        if args.only in (None, name):
            if module is decoders:
                decoders.run(quick=args.quick, keys=args.syntax)
            else:
                module.run(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
