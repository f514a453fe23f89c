"""Run the harness as ``python -m fuzz`` (from the repository root)."""

import os
import sys

# One OpenBLAS thread: the harness forks a child per case, and a process that
# forks should have no threads besides its own.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from fuzz.run import main

sys.exit(main())
