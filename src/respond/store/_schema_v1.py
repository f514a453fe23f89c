"""Schema version 1, as released: never edit it, add a migration step instead.

Lengths are TEXT holding the Decimal exactly as it prints; caliper end points are
REAL. Every table is STRICT, so a float can never slip into a length column.
Triggers make a signed time point read-only (any insert, update or delete of its
rows is refused) and the audit trail append-only.
"""

from __future__ import annotations

from typing import Final

SIGNED_ABORT: Final = "respond: signed time point"
AUDIT_ABORT: Final = "respond: the audit trail is append-only"
REVISION_ABORT: Final = "respond: a recorded revision is never changed"

TABLES_V1: Final = frozenset(
    {
        "patient",
        "lesion",
        "timepoint",
        "target",
        "non_target",
        "caliper",
        "new_lesion",
        "clinical",
        "adverse_event",
        "decision",
        "revision",
        "audit",
    }
)

_TABLES = """
CREATE TABLE patient (
    patient_id TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    birth_date TEXT,
    reader TEXT,
    criteria TEXT NOT NULL,
    primary_criterion TEXT NOT NULL,
    confirmation_required INTEGER NOT NULL,
    confirmation_min_days INTEGER NOT NULL,
    sd_min_days INTEGER NOT NULL,
    continuing_pr INTEGER NOT NULL,
    mrecist_pd_min_increase_mm TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE lesion (
    patient_id TEXT NOT NULL REFERENCES patient (patient_id) ON DELETE CASCADE,
    lesion_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    tracking_uid TEXT,
    role TEXT NOT NULL,
    organ TEXT NOT NULL,
    is_node INTEGER NOT NULL,
    kind TEXT NOT NULL,
    typical_hcc INTEGER,
    site TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (patient_id, lesion_id)
) STRICT;

CREATE TABLE timepoint (
    patient_id TEXT NOT NULL REFERENCES patient (patient_id) ON DELETE CASCADE,
    uid TEXT NOT NULL,
    label TEXT NOT NULL,
    date TEXT NOT NULL,
    arterial_phase INTEGER NOT NULL,
    slice_thickness_mm TEXT,
    study_uid TEXT NOT NULL,
    series_uid TEXT NOT NULL,
    signed_by TEXT NOT NULL DEFAULT '',
    signed_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (patient_id, uid)
) STRICT;

CREATE TABLE target (
    patient_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    lesion_id TEXT NOT NULL,
    status TEXT NOT NULL,
    long_axis_mm TEXT,
    short_axis_mm TEXT,
    viable_mm TEXT,
    fragments_mm TEXT NOT NULL,
    merged_into TEXT,
    note TEXT NOT NULL,
    PRIMARY KEY (patient_id, uid, lesion_id),
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE,
    FOREIGN KEY (patient_id, lesion_id)
        REFERENCES lesion (patient_id, lesion_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX target_by_lesion ON target (patient_id, lesion_id);

CREATE TABLE non_target (
    patient_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    lesion_id TEXT NOT NULL,
    status TEXT NOT NULL,
    cytology TEXT,
    note TEXT NOT NULL,
    PRIMARY KEY (patient_id, uid, lesion_id),
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE,
    FOREIGN KEY (patient_id, lesion_id)
        REFERENCES lesion (patient_id, lesion_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX non_target_by_lesion ON non_target (patient_id, lesion_id);

CREATE TABLE caliper (
    patient_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    lesion_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    fragment_index INTEGER NOT NULL,
    start_x REAL NOT NULL,
    start_y REAL NOT NULL,
    start_z REAL NOT NULL,
    end_x REAL NOT NULL,
    end_y REAL NOT NULL,
    end_z REAL NOT NULL,
    series_uid TEXT NOT NULL,
    sop_instance_uid TEXT NOT NULL,
    frame INTEGER,
    PRIMARY KEY (patient_id, uid, lesion_id, seq),
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE
) STRICT;
CREATE INDEX caliper_by_lesion ON caliper (patient_id, lesion_id);

CREATE TABLE new_lesion (
    patient_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    finding_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    tracking_uid TEXT,
    organ TEXT NOT NULL,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    is_node INTEGER NOT NULL,
    long_axis_mm TEXT,
    short_axis_mm TEXT,
    equivocal INTEGER NOT NULL,
    typical_hcc INTEGER,
    cytology TEXT,
    note TEXT NOT NULL,
    PRIMARY KEY (patient_id, uid, finding_id),
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE
) STRICT;

CREATE TABLE clinical (
    patient_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    fhsi8 INTEGER,
    fhsi8_items TEXT,
    ecog INTEGER,
    child_pugh TEXT,
    dose_level INTEGER,
    is_interrupted INTEGER NOT NULL,
    second_line_available INTEGER,
    second_line_eligible INTEGER,
    PRIMARY KEY (patient_id, uid),
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE
) STRICT;

CREATE TABLE adverse_event (
    patient_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    position INTEGER NOT NULL,
    term TEXT NOT NULL,
    grade INTEGER NOT NULL,
    occurrence INTEGER NOT NULL,
    days_without_improvement INTEGER,
    PRIMARY KEY (patient_id, uid, position),
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE
) STRICT;

CREATE TABLE decision (
    patient_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    recommended_action TEXT NOT NULL,
    recommended_dose INTEGER,
    accepted INTEGER NOT NULL,
    action TEXT NOT NULL,
    dose_level INTEGER,
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (patient_id, uid),
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE
) STRICT;

CREATE TABLE revision (
    id INTEGER PRIMARY KEY,
    patient_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    criterion TEXT NOT NULL,
    before TEXT,
    after TEXT NOT NULL,
    reason TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE
) STRICT;
CREATE INDEX revision_by_timepoint ON revision (patient_id, uid);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT
) STRICT;
CREATE INDEX audit_by_patient ON audit (patient_id, id);
"""

_GUARDS = f"""
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, '{AUDIT_ABORT}'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, '{AUDIT_ABORT}'); END;
CREATE TRIGGER revision_never_updated BEFORE UPDATE ON revision
BEGIN SELECT RAISE(ABORT, '{REVISION_ABORT}'); END;

CREATE TRIGGER timepoint_signed_delete BEFORE DELETE ON timepoint
WHEN OLD.signed_at <> ''
BEGIN SELECT RAISE(ABORT, '{SIGNED_ABORT}'); END;

-- A signed time point only changes by an unlock: the signature cleared, nothing
-- else touched, right after the unlock was written to the audit trail.
CREATE TRIGGER timepoint_signed_update BEFORE UPDATE ON timepoint
WHEN OLD.signed_at <> '' AND NOT (
    NEW.signed_at = '' AND NEW.signed_by = ''
    AND NEW.patient_id = OLD.patient_id AND NEW.uid = OLD.uid
    AND NEW.label = OLD.label AND NEW.date = OLD.date
    AND NEW.arterial_phase = OLD.arterial_phase
    AND NEW.slice_thickness_mm IS OLD.slice_thickness_mm
    AND NEW.study_uid = OLD.study_uid AND NEW.series_uid = OLD.series_uid
    AND EXISTS (
        SELECT 1 FROM audit
        WHERE id = (SELECT max(id) FROM audit)
        AND entity = 'signoff' AND action = 'unlock'
        AND patient_id = OLD.patient_id AND key = OLD.uid
    )
)
BEGIN SELECT RAISE(ABORT, '{SIGNED_ABORT}'); END;
"""

_LOCKED_TABLES: Final = (
    "target",
    "non_target",
    "caliper",
    "new_lesion",
    "clinical",
    "adverse_event",
    "decision",
)

_SIGNED = (
    "EXISTS (SELECT 1 FROM timepoint WHERE patient_id = {row}.patient_id "
    "AND uid = {row}.uid AND signed_at <> '')"
)


def _lock(table: str) -> str:
    old, new = _SIGNED.format(row="OLD"), _SIGNED.format(row="NEW")
    abort = f"BEGIN SELECT RAISE(ABORT, '{SIGNED_ABORT}'); END;"
    return (
        f"CREATE TRIGGER {table}_signed_insert BEFORE INSERT ON {table}\n"
        f"WHEN {new}\n{abort}\n"
        f"CREATE TRIGGER {table}_signed_update BEFORE UPDATE ON {table}\n"
        f"WHEN {old} OR {new}\n{abort}\n"
        f"CREATE TRIGGER {table}_signed_delete BEFORE DELETE ON {table}\n"
        f"WHEN {old}\n{abort}\n"
    )


# Frozen with the release: tests/integration/store/schemas/v1.sql is its dump.
SCHEMA_V1: Final = _TABLES + _GUARDS + "".join(_lock(t) for t in _LOCKED_TABLES)
