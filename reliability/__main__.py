"""Run the harness as ``python -m reliability`` (from the repository root)."""

import sys

from reliability.run import main

sys.exit(main())
