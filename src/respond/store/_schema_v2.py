"""Schema version 2, as released: never edit it, add a migration step instead.

Version 2 adds, to a version-1 database:

- ``patient.sex``: ``F``, ``M``, ``O`` or NULL (unknown; every version-1 patient).
- The image index: ``image_root`` (a scanned folder or DICOMDIR, and when it was
  scanned) and ``image_file`` (which file under a root holds which SOP instance of
  which series, study and patient), looked up by study, series or path. It is
  not part of any read: no audit entries, no sign-off triggers.
- ``audit.restores``: on a ``restore`` entry, the id of the ``delete`` entry
  whose item it put back (NULL on every other entry), so a removal is listed
  as restorable until it is restored. The audit trail stays append-only.
"""

from __future__ import annotations

from typing import Final

from respond.store._schema_v1 import TABLES_V1

TABLES_V2: Final = TABLES_V1 | {"image_root", "image_file"}

# Frozen with the release: tests/integration/store/schemas/v2.sql is its dump.
SCHEMA_V2: Final = """
ALTER TABLE patient ADD COLUMN sex TEXT CHECK (sex IN ('F', 'M', 'O'));

ALTER TABLE audit ADD COLUMN restores INTEGER REFERENCES audit (id);
CREATE INDEX audit_by_restored ON audit (restores) WHERE restores IS NOT NULL;

CREATE TABLE image_root (
    root TEXT NOT NULL PRIMARY KEY,
    scanned_at TEXT NOT NULL
) STRICT;

CREATE TABLE image_file (
    root TEXT NOT NULL REFERENCES image_root (root) ON DELETE CASCADE,
    path TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    study_uid TEXT NOT NULL,
    series_uid TEXT NOT NULL,
    sop_instance_uid TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    PRIMARY KEY (root, path)
) STRICT;
CREATE INDEX image_file_by_study ON image_file (study_uid);
CREATE INDEX image_file_by_series ON image_file (series_uid);
CREATE INDEX image_file_by_path ON image_file (path);
"""
