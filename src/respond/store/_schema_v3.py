"""Schema version 3, as released: never edit it, add a migration step instead.

Version 3 adds, to a version-2 database:

- ``non_target.short_axis_mm``: the short axis of a nodal non-target, when
  measured (TEXT holding the Decimal, like every length; NULL for every
  version-2 observation).
- ``clinical.dose_form``: at dose level -2, which of the label's two forms is
  given (``400mg_every_other_day`` or ``200mg_once_daily``; NULL = not said, as
  for every version-2 time point). Like the other enum columns it has no CHECK,
  so a form added later needs no table rebuild; a value this respond does not
  know is reported when the read is loaded.
- ``patient.confirmation_max_ne_between``: how many NE assessments may lie
  between a CR or PR and its confirmation (every version-2 patient gets the
  default, 1).
"""

from __future__ import annotations

from typing import Final

from respond.store._schema_v2 import TABLES_V2

TABLES_V3: Final = TABLES_V2

# Frozen with the release: tests/integration/store/schemas/v3.sql is its dump.
SCHEMA_V3: Final = """
ALTER TABLE non_target ADD COLUMN short_axis_mm TEXT;

ALTER TABLE clinical ADD COLUMN dose_form TEXT;

ALTER TABLE patient ADD COLUMN confirmation_max_ne_between INTEGER NOT NULL
    DEFAULT 1 CHECK (confirmation_max_ne_between >= 0);
"""
