"""Schema version 4, as released: never edit it, add a migration step instead.

Version 4 adds, to a version-3 database:

- ``target_extent``: what click-to-measure found of a target at a time point
  besides its lines, kept with the read and not used by the criteria: the
  lesion's volume (``volume_ml``, TEXT holding the Decimal, 0.01 mL) and the
  share of it that enhances in the arterial phase (``enhancing_fraction``,
  0-1, NULL without an arterial phase). A version-3 read has none. Like the
  other rows of a time point, a signed time point's rows cannot change.
"""

from __future__ import annotations

from typing import Final

from respond.store._schema_v1 import SIGNED_ABORT
from respond.store._schema_v3 import TABLES_V3

TABLES_V4: Final = TABLES_V3 | {"target_extent"}

_SIGNED_OLD = (
    "EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id "
    "AND uid = OLD.uid AND signed_at <> '')"
)
_SIGNED_NEW = _SIGNED_OLD.replace("OLD.", "NEW.")
_ABORT = f"BEGIN SELECT RAISE(ABORT, '{SIGNED_ABORT}'); END;"

# Frozen with the release: tests/integration/store/schemas/v4.sql is its dump.
SCHEMA_V4: Final = f"""
CREATE TABLE target_extent (
    patient_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    lesion_id TEXT NOT NULL,
    volume_ml TEXT NOT NULL,
    enhancing_fraction TEXT,
    PRIMARY KEY (patient_id, uid, lesion_id),
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE,
    FOREIGN KEY (patient_id, lesion_id)
        REFERENCES lesion (patient_id, lesion_id) ON DELETE CASCADE
) STRICT;

CREATE TRIGGER target_extent_signed_insert BEFORE INSERT ON target_extent
WHEN {_SIGNED_NEW}
{_ABORT}
CREATE TRIGGER target_extent_signed_update BEFORE UPDATE ON target_extent
WHEN {_SIGNED_OLD} OR {_SIGNED_NEW}
{_ABORT}
CREATE TRIGGER target_extent_signed_delete BEFORE DELETE ON target_extent
WHEN {_SIGNED_OLD}
{_ABORT}
"""
