PRAGMA application_id = 1381191748;
PRAGMA user_version = 4;
BEGIN TRANSACTION;
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
INSERT INTO "adverse_event" VALUES('P-V4','tp-fu1',0,'hand_foot_skin_reaction',3,1,5);
INSERT INTO "adverse_event" VALUES('P-V4','tp-fu1',1,'hypertension',2,1,NULL);
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
, restores INTEGER REFERENCES audit (id)) STRICT;
INSERT INTO "audit" VALUES(1,'2026-11-24T08:00:00.000+00:00','freezer','P-V4','patient','P-V4','create',NULL,'{"patient":{"id":"P-V4","name":"Testperson^Rich","birth_date":"1951-02-28","sex":"F"},"lesions":[{"id":"T1","role":"target","organ":"liver","is_node":false,"kind":"hcc","typical_hcc":true,"site":"","note":""},{"id":"T2","role":"target","organ":"liver","is_node":false,"kind":"hcc","typical_hcc":null,"site":"segment VII","note":""},{"id":"T3","role":"target","organ":"lymph node","is_node":true,"kind":"node","typical_hcc":null,"site":"porta hepatis","note":"hilar node"},{"id":"T4","role":"target","organ":"lung","is_node":false,"kind":"other","typical_hcc":false,"site":"","note":""},{"id":"T5","role":"target","organ":"liver","is_node":false,"kind":"hcc","typical_hcc":null,"site":"","note":""},{"id":"N1","role":"non_target","organ":"liver","is_node":false,"kind":"portal_vein_thrombus","typical_hcc":null,"site":"","note":""},{"id":"N2","role":"non_target","organ":"peritoneum","is_node":false,"kind":"ascites","typical_hcc":null,"site":"","note":""},{"id":"N3","role":"non_target","organ":"lymph node","is_node":true,"kind":"other","typical_hcc":null,"site":"","note":"para-aortic"}],"tracking_uids":{"T1":"2.25.100","T2":"2.25.101","T3":"2.25.102","T4":"2.25.103","T5":"2.25.104","N1":"2.25.105","N2":"2.25.106","N3":"2.25.107"},"timepoints":[{"uid":"tp-bl","timepoint":{"label":"BL","date":"2026-01-05","arterial_phase":true,"slice_thickness_mm":"2.50","targets":{"T1":{"status":"measured","long_axis_mm":"42.0","short_axis_mm":null,"viable_mm":"30.5","fragments_mm":[],"merged_into":null,"note":""},"T2":{"status":"measured","long_axis_mm":"25.3","short_axis_mm":null,"viable_mm":"25.3","fragments_mm":[],"merged_into":null,"note":""},"T3":{"status":"measured","long_axis_mm":"24.1","short_axis_mm":"18.0","viable_mm":null,"fragments_mm":[],"merged_into":null,"note":""},"T4":{"status":"measured","long_axis_mm":"12.50","short_axis_mm":null,"viable_mm":null,"fragments_mm":[],"merged_into":null,"note":""},"T5":{"status":"measured","long_axis_mm":"1E+1","short_axis_mm":null,"viable_mm":"7","fragments_mm":[],"merged_into":null,"note":""}},"non_targets":{"N1":{"status":"present","cytology":null,"note":"","short_axis_mm":null},"N2":{"status":"present","cytology":"not_done","note":"moderate","short_axis_mm":null},"N3":{"status":"present","cytology":null,"note":"","short_axis_mm":"22.0"}},"new_lesions":[],"clinical":{"fhsi8":null,"fhsi8_items":[4,3,3,4,2,4,3,4],"ecog":0,"child_pugh":"A5","dose_level":0,"is_interrupted":false,"dose_form":null,"adverse_events":[],"second_line":{"available":true,"eligible":false}}},"study_uid":"1.2.3.100","series_uid":"1.2.826.0.1.3680043.8.498.1","calipers":{"T1":[{"kind":"long_axis","start_mm":[10.125,-47.5,-123.25],"end_mm":[52.125,-47.5,-123.25],"series_uid":"1.2.826.0.1.3680043.8.498.1","sop_instance_uid":"1.2.826.0.1.3680043.8.498.1.420","frame":null,"index":0},{"kind":"viable","start_mm":[10.125,-47.5,-123.25],"end_mm":[40.625,-47.5,-123.25],"series_uid":"1.2.826.0.1.3680043.8.498.1","sop_instance_uid":"1.2.826.0.1.3680043.8.498.1.305","frame":3,"index":0}],"T3":[{"kind":"long_axis","start_mm":[10.125,-47.5,-123.25],"end_mm":[34.225,-47.5,-123.25],"series_uid":"1.2.826.0.1.3680043.8.498.1","sop_instance_uid":"1.2.826.0.1.3680043.8.498.1.241","frame":0,"index":0},{"kind":"short_axis","start_mm":[10.125,-47.5,-123.25],"end_mm":[28.125,-47.5,-123.25],"series_uid":"1.2.826.0.1.3680043.8.498.1","sop_instance_uid":"1.2.826.0.1.3680043.8.498.1.180","frame":0,"index":0}],"T4":[{"kind":"long_axis","start_mm":[10.125,-47.5,0.30000000000000004],"end_mm":[22.625,-47.5,0.30000000000000004],"series_uid":"1.2.826.0.1.3680043.8.498.1","sop_instance_uid":"1.2.826.0.1.3680043.8.498.1.125","frame":null,"index":0}]},"new_lesion_uids":{},"signed_by":"dr-a","signed_at":"2026-01-06T09:15:00+00:00","decision":null,"extents":{}},{"uid":"tp-fu1","timepoint":{"label":"FU1","date":"2026-03-02","arterial_phase":true,"slice_thickness_mm":"2.50","targets":{"T1":{"status":"measured","long_axis_mm":"38.0","short_axis_mm":null,"viable_mm":"20.0","fragments_mm":[],"merged_into":null,"note":"less enhancement"},"T2":{"status":"too_small","long_axis_mm":null,"short_axis_mm":null,"viable_mm":null,"fragments_mm":[],"merged_into":null,"note":""},"T3":{"status":"measured","long_axis_mm":"20.0","short_axis_mm":"12.0","viable_mm":null,"fragments_mm":[],"merged_into":null,"note":""},"T4":{"status":"measured","long_axis_mm":null,"short_axis_mm":null,"viable_mm":null,"fragments_mm":["6.0","4.5"],"merged_into":null,"note":""},"T5":{"status":"measured","long_axis_mm":"0.0","short_axis_mm":null,"viable_mm":null,"fragments_mm":[],"merged_into":"T1","note":""}},"non_targets":{"N1":{"status":"present","cytology":null,"note":"","short_axis_mm":null},"N2":{"status":"absent","cytology":"negative","note":"resolved","short_axis_mm":null},"N3":{"status":"not_evaluated","cytology":null,"note":"","short_axis_mm":null}},"new_lesions":[{"id":"X1","organ":"liver","site":"segment II","kind":"hcc","is_node":false,"long_axis_mm":"8.0","short_axis_mm":null,"equivocal":true,"typical_hcc":null,"cytology":null,"note":"too small to call"}],"clinical":{"fhsi8":27,"fhsi8_items":null,"ecog":1,"child_pugh":"A6","dose_level":null,"is_interrupted":true,"dose_form":null,"adverse_events":[{"term":"hand_foot_skin_reaction","grade":3,"occurrence":1,"days_without_improvement":5},{"term":"hypertension","grade":2,"occurrence":1,"days_without_improvement":null}],"second_line":{"available":true,"eligible":true}}},"study_uid":"1.2.3.101","series_uid":"","calipers":{"T1":[{"kind":"long_axis","start_mm":[10.125,-47.5,-123.25],"end_mm":[48.125,-47.5,-123.25],"series_uid":"1.2.826.0.1.3680043.8.498.1","sop_instance_uid":"1.2.826.0.1.3680043.8.498.1.380","frame":12,"index":0}],"T4":[{"kind":"fragment","start_mm":[10.125,-47.5,-123.25],"end_mm":[16.125,-47.5,-123.25],"series_uid":"1.2.826.0.1.3680043.8.498.1","sop_instance_uid":"1.2.826.0.1.3680043.8.498.1.60","frame":null,"index":0},{"kind":"fragment","start_mm":[10.125,-47.5,-123.25],"end_mm":[14.625,-47.5,-123.25],"series_uid":"1.2.826.0.1.3680043.8.498.1","sop_instance_uid":"1.2.826.0.1.3680043.8.498.1.45","frame":null,"index":1}]},"new_lesion_uids":{"X1":"2.25.1001"},"signed_by":"dr-a","signed_at":"2026-03-03T10:00:00+00:00","decision":{"recommended_action":"interrupt","recommended_dose":-1,"accepted":true,"action":"interrupt","dose_level":-1,"reason":"","decided_by":"dr-onc","decided_at":"2026-03-03T11:00:00+00:00"},"extents":{"T1":{"volume_ml":"21.37","enhancing_fraction":"0.412"},"T3":{"volume_ml":"3.10","enhancing_fraction":null}}},{"uid":"tp-fu2","timepoint":{"label":"FU2","date":"2026-04-27","arterial_phase":false,"slice_thickness_mm":null,"targets":{"T1":{"status":"measured","long_axis_mm":"45.5","short_axis_mm":null,"viable_mm":"33.0","fragments_mm":[],"merged_into":null,"note":""},"T2":{"status":"absent","long_axis_mm":null,"short_axis_mm":null,"viable_mm":null,"fragments_mm":[],"merged_into":null,"note":""},"T3":{"status":"not_evaluated","long_axis_mm":null,"short_axis_mm":null,"viable_mm":null,"fragments_mm":[],"merged_into":null,"note":"not covered"},"T4":{"status":"measured","long_axis_mm":"13.0","short_axis_mm":null,"viable_mm":null,"fragments_mm":[],"merged_into":null,"note":""},"T5":{"status":"measured","long_axis_mm":"0","short_axis_mm":null,"viable_mm":null,"fragments_mm":[],"merged_into":"T1","note":""}},"non_targets":{"N1":{"status":"unequivocal_progression","cytology":null,"note":"extends to PV trunk","short_axis_mm":null},"N2":{"status":"present","cytology":"positive","note":"","short_axis_mm":null}},"new_lesions":[{"id":"X1","organ":"liver","site":"segment II","kind":"hcc","is_node":false,"long_axis_mm":"14.0","short_axis_mm":null,"equivocal":false,"typical_hcc":true,"cytology":null,"note":""},{"id":"X2","organ":"lymph node","site":"","kind":"node","is_node":true,"long_axis_mm":"21.0","short_axis_mm":"16.5","equivocal":false,"typical_hcc":null,"cytology":null,"note":""},{"id":"X3","organ":"","site":"","kind":"pleural_effusion","is_node":false,"long_axis_mm":null,"short_axis_mm":null,"equivocal":false,"typical_hcc":null,"cytology":"positive","note":""}],"clinical":{"fhsi8":18,"fhsi8_items":null,"ecog":2,"child_pugh":"B7","dose_level":-2,"is_interrupted":false,"dose_form":"200mg_once_daily","adverse_events":[],"second_line":null}},"study_uid":"","series_uid":"","calipers":{"T1":[{"kind":"long_axis","start_mm":[10.125,-47.5,-123.25],"end_mm":[55.625,-47.5,-123.25],"series_uid":"1.2.826.0.1.3680043.8.498.1","sop_instance_uid":"1.2.826.0.1.3680043.8.498.1.455","frame":null,"index":0}]},"new_lesion_uids":{"X1":"2.25.1001","X2":"2.25.1002"},"signed_by":"","signed_at":"","decision":{"recommended_action":"discontinue","recommended_dose":null,"accepted":false,"action":"switch_second_line","dose_level":null,"reason":"trial slot available","decided_by":"dr-onc","decided_at":"2026-04-28T16:30:00+00:00"},"extents":{}}],"settings":{"criteria":["RECIST1.1","mRECIST"],"primary_criterion":"RECIST1.1","confirmation_required":true,"confirmation_min_days":30,"sd_min_days":49,"continuing_pr":false,"mrecist_pd_min_increase_mm":"5.0","confirmation_max_ne_between":2},"reader":"dr-a"}',NULL);
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
INSERT INTO "caliper" VALUES('P-V4','tp-bl','T1',0,'long_axis',0,10.125,-47.5,-123.25,52.125,-47.5,-123.25,'1.2.826.0.1.3680043.8.498.1','1.2.826.0.1.3680043.8.498.1.420',NULL);
INSERT INTO "caliper" VALUES('P-V4','tp-bl','T1',1,'viable',0,10.125,-47.5,-123.25,40.625,-47.5,-123.25,'1.2.826.0.1.3680043.8.498.1','1.2.826.0.1.3680043.8.498.1.305',3);
INSERT INTO "caliper" VALUES('P-V4','tp-bl','T3',0,'long_axis',0,10.125,-47.5,-123.25,34.225,-47.5,-123.25,'1.2.826.0.1.3680043.8.498.1','1.2.826.0.1.3680043.8.498.1.241',0);
INSERT INTO "caliper" VALUES('P-V4','tp-bl','T3',1,'short_axis',0,10.125,-47.5,-123.25,28.125,-47.5,-123.25,'1.2.826.0.1.3680043.8.498.1','1.2.826.0.1.3680043.8.498.1.180',0);
INSERT INTO "caliper" VALUES('P-V4','tp-bl','T4',0,'long_axis',0,10.125,-47.5,3.00000000000000044408e-01,22.625,-47.5,3.00000000000000044408e-01,'1.2.826.0.1.3680043.8.498.1','1.2.826.0.1.3680043.8.498.1.125',NULL);
INSERT INTO "caliper" VALUES('P-V4','tp-fu1','T1',0,'long_axis',0,10.125,-47.5,-123.25,48.125,-47.5,-123.25,'1.2.826.0.1.3680043.8.498.1','1.2.826.0.1.3680043.8.498.1.380',12);
INSERT INTO "caliper" VALUES('P-V4','tp-fu1','T4',0,'fragment',0,10.125,-47.5,-123.25,16.125,-47.5,-123.25,'1.2.826.0.1.3680043.8.498.1','1.2.826.0.1.3680043.8.498.1.60',NULL);
INSERT INTO "caliper" VALUES('P-V4','tp-fu1','T4',1,'fragment',1,10.125,-47.5,-123.25,14.625,-47.5,-123.25,'1.2.826.0.1.3680043.8.498.1','1.2.826.0.1.3680043.8.498.1.45',NULL);
INSERT INTO "caliper" VALUES('P-V4','tp-fu2','T1',0,'long_axis',0,10.125,-47.5,-123.25,55.625,-47.5,-123.25,'1.2.826.0.1.3680043.8.498.1','1.2.826.0.1.3680043.8.498.1.455',NULL);
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
    second_line_eligible INTEGER, dose_form TEXT,
    PRIMARY KEY (patient_id, uid),
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE
) STRICT;
INSERT INTO "clinical" VALUES('P-V4','tp-bl',NULL,'[4, 3, 3, 4, 2, 4, 3, 4]',0,'A5',0,0,1,0,NULL);
INSERT INTO "clinical" VALUES('P-V4','tp-fu1',27,NULL,1,'A6',NULL,1,1,1,NULL);
INSERT INTO "clinical" VALUES('P-V4','tp-fu2',18,NULL,2,'B7',-2,0,NULL,NULL,'200mg_once_daily');
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
INSERT INTO "decision" VALUES('P-V4','tp-fu1','interrupt',-1,1,'interrupt',-1,'','dr-onc','2026-03-03T11:00:00+00:00');
INSERT INTO "decision" VALUES('P-V4','tp-fu2','discontinue',NULL,0,'switch_second_line',NULL,'trial slot available','dr-onc','2026-04-28T16:30:00+00:00');
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
INSERT INTO "image_file" VALUES('/images/P-V','/images/P-V/1/1.dcm','P-V4','1.2.3.100','1.2.3.100.1','1.2.3.100.1.1',1024,1700000000000000001);
INSERT INTO "image_file" VALUES('/images/P-V','/images/P-V/1/2.dcm','P-V4','1.2.3.100','1.2.3.100.1','1.2.3.100.1.2',2048,1700000000000000002);
INSERT INTO "image_file" VALUES('/images/P-V','/images/P-V/2/1.dcm','P-V4','1.2.3.100','1.2.3.100.2','1.2.3.100.2.1',1024,1700000000000000001);
INSERT INTO "image_file" VALUES('/images/P-V','/images/P-V/2/2.dcm','P-V4','1.2.3.100','1.2.3.100.2','1.2.3.100.2.2',2048,1700000000000000002);
CREATE TABLE image_root (
    root TEXT NOT NULL PRIMARY KEY,
    scanned_at TEXT NOT NULL
) STRICT;
INSERT INTO "image_root" VALUES('/images/P-V','2026-11-24T08:00:00.000+00:00');
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
INSERT INTO "lesion" VALUES('P-V4','T1',0,'2.25.100','target','liver',0,'hcc',1,'','');
INSERT INTO "lesion" VALUES('P-V4','T2',1,'2.25.101','target','liver',0,'hcc',NULL,'segment VII','');
INSERT INTO "lesion" VALUES('P-V4','T3',2,'2.25.102','target','lymph node',1,'node',NULL,'porta hepatis','hilar node');
INSERT INTO "lesion" VALUES('P-V4','T4',3,'2.25.103','target','lung',0,'other',0,'','');
INSERT INTO "lesion" VALUES('P-V4','T5',4,'2.25.104','target','liver',0,'hcc',NULL,'','');
INSERT INTO "lesion" VALUES('P-V4','N1',5,'2.25.105','non_target','liver',0,'portal_vein_thrombus',NULL,'','');
INSERT INTO "lesion" VALUES('P-V4','N2',6,'2.25.106','non_target','peritoneum',0,'ascites',NULL,'','');
INSERT INTO "lesion" VALUES('P-V4','N3',7,'2.25.107','non_target','lymph node',1,'other',NULL,'','para-aortic');
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
INSERT INTO "new_lesion" VALUES('P-V4','tp-fu1','X1',0,'2.25.1001','liver','segment II','hcc',0,'8.0',NULL,1,NULL,NULL,'too small to call');
INSERT INTO "new_lesion" VALUES('P-V4','tp-fu2','X1',0,'2.25.1001','liver','segment II','hcc',0,'14.0',NULL,0,1,NULL,'');
INSERT INTO "new_lesion" VALUES('P-V4','tp-fu2','X2',1,'2.25.1002','lymph node','','node',1,'21.0','16.5',0,NULL,NULL,'');
INSERT INTO "new_lesion" VALUES('P-V4','tp-fu2','X3',2,NULL,'','','pleural_effusion',0,NULL,NULL,0,NULL,'positive','');
CREATE TABLE non_target (
    patient_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    lesion_id TEXT NOT NULL,
    status TEXT NOT NULL,
    cytology TEXT,
    note TEXT NOT NULL, short_axis_mm TEXT,
    PRIMARY KEY (patient_id, uid, lesion_id),
    FOREIGN KEY (patient_id, uid)
        REFERENCES timepoint (patient_id, uid) ON DELETE CASCADE,
    FOREIGN KEY (patient_id, lesion_id)
        REFERENCES lesion (patient_id, lesion_id) ON DELETE CASCADE
) STRICT;
INSERT INTO "non_target" VALUES('P-V4','tp-bl','N1','present',NULL,'',NULL);
INSERT INTO "non_target" VALUES('P-V4','tp-bl','N2','present','not_done','moderate',NULL);
INSERT INTO "non_target" VALUES('P-V4','tp-bl','N3','present',NULL,'','22.0');
INSERT INTO "non_target" VALUES('P-V4','tp-fu1','N1','present',NULL,'',NULL);
INSERT INTO "non_target" VALUES('P-V4','tp-fu1','N2','absent','negative','resolved',NULL);
INSERT INTO "non_target" VALUES('P-V4','tp-fu1','N3','not_evaluated',NULL,'',NULL);
INSERT INTO "non_target" VALUES('P-V4','tp-fu2','N1','unequivocal_progression',NULL,'extends to PV trunk',NULL);
INSERT INTO "non_target" VALUES('P-V4','tp-fu2','N2','present','positive','',NULL);
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
, sex TEXT CHECK (sex IN ('F', 'M', 'O')), confirmation_max_ne_between INTEGER NOT NULL
    DEFAULT 1 CHECK (confirmation_max_ne_between >= 0)) STRICT;
INSERT INTO "patient" VALUES('P-V4','Testperson^Rich','1951-02-28','dr-a','["RECIST1.1", "mRECIST"]','RECIST1.1',1,30,49,0,'5.0','2026-11-24T08:00:00.000+00:00','2026-11-24T08:00:00.000+00:00','F',2);
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
INSERT INTO "target" VALUES('P-V4','tp-bl','T1','measured','42.0',NULL,'30.5','[]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-bl','T2','measured','25.3',NULL,'25.3','[]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-bl','T3','measured','24.1','18.0',NULL,'[]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-bl','T4','measured','12.50',NULL,NULL,'[]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-bl','T5','measured','1E+1',NULL,'7','[]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-fu1','T1','measured','38.0',NULL,'20.0','[]',NULL,'less enhancement');
INSERT INTO "target" VALUES('P-V4','tp-fu1','T2','too_small',NULL,NULL,NULL,'[]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-fu1','T3','measured','20.0','12.0',NULL,'[]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-fu1','T4','measured',NULL,NULL,NULL,'["6.0", "4.5"]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-fu1','T5','measured','0.0',NULL,NULL,'[]','T1','');
INSERT INTO "target" VALUES('P-V4','tp-fu2','T1','measured','45.5',NULL,'33.0','[]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-fu2','T2','absent',NULL,NULL,NULL,'[]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-fu2','T3','not_evaluated',NULL,NULL,NULL,'[]',NULL,'not covered');
INSERT INTO "target" VALUES('P-V4','tp-fu2','T4','measured','13.0',NULL,NULL,'[]',NULL,'');
INSERT INTO "target" VALUES('P-V4','tp-fu2','T5','measured','0',NULL,NULL,'[]','T1','');
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
INSERT INTO "target_extent" VALUES('P-V4','tp-fu1','T1','21.37','0.412');
INSERT INTO "target_extent" VALUES('P-V4','tp-fu1','T3','3.10',NULL);
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
INSERT INTO "timepoint" VALUES('P-V4','tp-bl','BL','2026-01-05',1,'2.50','1.2.3.100','1.2.826.0.1.3680043.8.498.1','dr-a','2026-01-06T09:15:00+00:00');
INSERT INTO "timepoint" VALUES('P-V4','tp-fu1','FU1','2026-03-02',1,'2.50','1.2.3.101','','dr-a','2026-03-03T10:00:00+00:00');
INSERT INTO "timepoint" VALUES('P-V4','tp-fu2','FU2','2026-04-27',0,NULL,'','','','');
CREATE INDEX target_by_lesion ON target (patient_id, lesion_id);
CREATE INDEX non_target_by_lesion ON non_target (patient_id, lesion_id);
CREATE INDEX caliper_by_lesion ON caliper (patient_id, lesion_id);
CREATE INDEX revision_by_timepoint ON revision (patient_id, uid);
CREATE INDEX audit_by_patient ON audit (patient_id, id);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'respond: the audit trail is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'respond: the audit trail is append-only'); END;
CREATE TRIGGER revision_never_updated BEFORE UPDATE ON revision
BEGIN SELECT RAISE(ABORT, 'respond: a recorded revision is never changed'); END;
CREATE TRIGGER timepoint_signed_delete BEFORE DELETE ON timepoint
WHEN OLD.signed_at <> ''
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
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
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER target_signed_insert BEFORE INSERT ON target
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER target_signed_update BEFORE UPDATE ON target
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '') OR EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER target_signed_delete BEFORE DELETE ON target
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER non_target_signed_insert BEFORE INSERT ON non_target
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER non_target_signed_update BEFORE UPDATE ON non_target
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '') OR EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER non_target_signed_delete BEFORE DELETE ON non_target
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER caliper_signed_insert BEFORE INSERT ON caliper
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER caliper_signed_update BEFORE UPDATE ON caliper
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '') OR EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER caliper_signed_delete BEFORE DELETE ON caliper
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER new_lesion_signed_insert BEFORE INSERT ON new_lesion
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER new_lesion_signed_update BEFORE UPDATE ON new_lesion
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '') OR EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER new_lesion_signed_delete BEFORE DELETE ON new_lesion
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER clinical_signed_insert BEFORE INSERT ON clinical
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER clinical_signed_update BEFORE UPDATE ON clinical
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '') OR EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER clinical_signed_delete BEFORE DELETE ON clinical
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER adverse_event_signed_insert BEFORE INSERT ON adverse_event
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER adverse_event_signed_update BEFORE UPDATE ON adverse_event
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '') OR EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER adverse_event_signed_delete BEFORE DELETE ON adverse_event
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER decision_signed_insert BEFORE INSERT ON decision
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER decision_signed_update BEFORE UPDATE ON decision
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '') OR EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER decision_signed_delete BEFORE DELETE ON decision
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE INDEX audit_by_restored ON audit (restores) WHERE restores IS NOT NULL;
CREATE INDEX image_file_by_study ON image_file (study_uid);
CREATE INDEX image_file_by_series ON image_file (series_uid);
CREATE INDEX image_file_by_path ON image_file (path);
CREATE TRIGGER target_extent_signed_insert BEFORE INSERT ON target_extent
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER target_extent_signed_update BEFORE UPDATE ON target_extent
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '') OR EXISTS (SELECT 1 FROM timepoint WHERE patient_id = NEW.patient_id AND uid = NEW.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
CREATE TRIGGER target_extent_signed_delete BEFORE DELETE ON target_extent
WHEN EXISTS (SELECT 1 FROM timepoint WHERE patient_id = OLD.patient_id AND uid = OLD.uid AND signed_at <> '')
BEGIN SELECT RAISE(ABORT, 'respond: signed time point'); END;
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('audit',1);
COMMIT;
