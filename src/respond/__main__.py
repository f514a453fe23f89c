"""Run respond as ``python -m respond``."""

import sys

from respond.app import main

sys.exit(main())
