"""The adverse-event vocabulary: CTCAE v5.0 terms, synonyms and rules (RULES 4.4)."""

from __future__ import annotations

import re

import pytest

from respond.criteria import vocabulary
from respond.criteria.errors import CriteriaError
from respond.criteria.vocabulary import (
    AdverseEventTerm,
    ToxicityRuleKey,
    lookup,
    suggest,
    terms,
)

SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
SHORT_NAME_CATEGORY = "(respond synonym)"
SOCS = {
    "Blood and lymphatic system disorders",
    "Cardiac disorders",
    "Congenital, familial and genetic disorders",
    "Ear and labyrinth disorders",
    "Endocrine disorders",
    "Eye disorders",
    "Gastrointestinal disorders",
    "General disorders and administration site conditions",
    "Hepatobiliary disorders",
    "Immune system disorders",
    "Infections and infestations",
    "Injury, poisoning and procedural complications",
    "Investigations",
    "Metabolism and nutrition disorders",
    "Musculoskeletal and connective tissue disorders",
    "Neoplasms benign, malignant and unspecified (incl cysts and polyps)",
    "Nervous system disorders",
    "Pregnancy, puerperium and perinatal conditions",
    "Psychiatric disorders",
    "Renal and urinary disorders",
    "Reproductive system and breast disorders",
    "Respiratory, thoracic and mediastinal disorders",
    "Skin and subcutaneous tissue disorders",
    "Social circumstances",
    "Surgical and medical procedures",
    "Vascular disorders",
}
PPE = "palmar_plantar_erythrodysesthesia_syndrome"
QT = "electrocardiogram_qt_corrected_interval_prolonged"
R = ToxicityRuleKey
HEADER = "term,ctcae_term,category,rule,grades,synonym_of\n"


def ctcae_rows() -> list[AdverseEventTerm]:
    return [row for row in terms() if row.ctcae_term and row.synonym_of is None]


def known(key: str) -> AdverseEventTerm:
    row = lookup(key)
    assert row is not None, key
    return row


def test_every_hemorrhage_term_is_bleeding() -> None:
    hemorrhages = [row for row in terms() if "hemorrhage" in row.ctcae_term.lower()]
    assert len(hemorrhages) >= 30
    assert {row.term: row.rule for row in hemorrhages} == {
        row.term: R.BLEEDING for row in hemorrhages
    }


@pytest.mark.parametrize(
    ("key", "canonical", "rule"),
    [
        ("hand_foot_skin_reaction", PPE, R.SKIN),
        ("hand_foot_syndrome", PPE, R.SKIN),
        ("palmar_plantar_erythrodysesthesia", PPE, R.SKIN),
        ("hfsr", PPE, R.SKIN),
        ("skin_toxicity", PPE, R.SKIN),
        (PPE, PPE, R.SKIN),
        ("rash_maculo_papular", "rash_maculo_papular", R.SKIN),
        (
            "stevens_johnson_syndrome",
            "stevens_johnson_syndrome",
            R.SEVERE_CUTANEOUS_REACTION,
        ),
        (
            "upper_gastrointestinal_hemorrhage",
            "upper_gastrointestinal_hemorrhage",
            R.BLEEDING,
        ),
        ("intracranial_hemorrhage", "intracranial_hemorrhage", R.BLEEDING),
        ("tumor_hemorrhage", "tumor_hemorrhage", R.BLEEDING),
        ("epistaxis", "epistaxis", R.BLEEDING),
        ("hematuria", "hematuria", R.BLEEDING),
        ("bleeding", "bleeding", R.BLEEDING),
        ("haemorrhage", "haemorrhage", R.BLEEDING),
        ("lipase_increased", "lipase_increased", R.LABORATORY),
        ("serum_amylase_increased", "serum_amylase_increased", R.LABORATORY),
        ("amylase_increased", "serum_amylase_increased", R.LABORATORY),
        ("alt_increased", "alanine_aminotransferase_increased", R.LABORATORY),
        ("ast_increased", "aspartate_aminotransferase_increased", R.LABORATORY),
        ("hypophosphatemia", "hypophosphatemia", R.LABORATORY),
        ("diarrhea", "diarrhea", R.GENERIC),
        ("fatigue", "fatigue", R.GENERIC),
        ("weight_loss", "weight_loss", R.GENERIC),
        ("anorexia", "anorexia", R.GENERIC),
        (QT, QT, R.QT_PROLONGATION),
        ("qt_prolongation", QT, R.QT_PROLONGATION),
        ("qtc_prolongation", QT, R.QT_PROLONGATION),
        ("myocardial_infarction", "myocardial_infarction", R.CARDIAC_ISCHEMIA),
        ("chest_pain_cardiac", "chest_pain_cardiac", R.CARDIAC_ISCHEMIA),
        ("cardiac_ischemia", "cardiac_ischemia", R.CARDIAC_ISCHEMIA),
        ("cardiac_ischaemia", "cardiac_ischaemia", R.CARDIAC_ISCHEMIA),
        ("gi_perforation", "gi_perforation", R.GI_PERFORATION),
        (
            "gastrointestinal_perforation",
            "gastrointestinal_perforation",
            R.GI_PERFORATION,
        ),
        ("colonic_perforation", "colonic_perforation", R.GI_PERFORATION),
        ("heart_failure", "heart_failure", R.HEART_FAILURE),
        ("congestive_heart_failure", "heart_failure", R.HEART_FAILURE),
        ("ejection_fraction_decreased", "ejection_fraction_decreased", R.HEART_FAILURE),
        ("hypertension", "hypertension", R.HYPERTENSION),
        ("pulmonary_hypertension", "pulmonary_hypertension", R.GENERIC),
        # Common clinical words lead to their CTCAE term.
        ("thrombocytopenia", "platelet_count_decreased", R.LABORATORY),
        ("neutropenia", "neutrophil_count_decreased", R.LABORATORY),
        ("leukopenia", "white_blood_cell_decreased", R.LABORATORY),
        ("lymphopenia", "lymphocyte_count_decreased", R.LABORATORY),
        ("hemoptysis", "bronchopulmonary_hemorrhage", R.BLEEDING),
        ("haemoptysis", "bronchopulmonary_hemorrhage", R.BLEEDING),
        ("hematemesis", "hematemesis", R.BLEEDING),
        ("melena", "melena", R.BLEEDING),
        ("hematochezia", "hematochezia", R.BLEEDING),
        ("variceal_bleeding", "esophageal_varices_hemorrhage", R.BLEEDING),
        ("variceal_hemorrhage", "esophageal_varices_hemorrhage", R.BLEEDING),
        ("elevated_lipase", "lipase_increased", R.LABORATORY),
        ("lipase_elevated", "lipase_increased", R.LABORATORY),
        ("elevated_amylase", "serum_amylase_increased", R.LABORATORY),
        ("alt_elevated", "alanine_aminotransferase_increased", R.LABORATORY),
        ("ast_elevated", "aspartate_aminotransferase_increased", R.LABORATORY),
        ("transaminases_increased", "transaminases_increased", R.LABORATORY),
        ("bilirubin_increased", "blood_bilirubin_increased", R.LABORATORY),
        ("hyperbilirubinemia", "blood_bilirubin_increased", R.LABORATORY),
        ("rash", "rash_maculo_papular", R.SKIN),
        ("hfs", PPE, R.SKIN),
        ("qtc_prolonged", QT, R.QT_PROLONGATION),
        ("mucositis", "mucositis_oral", R.GENERIC),
        ("stomatitis", "mucositis_oral", R.GENERIC),
        ("loss_of_appetite", "anorexia", R.GENERIC),
        ("decreased_appetite", "anorexia", R.GENERIC),
        ("weight_decreased", "weight_loss", R.GENERIC),
        ("tiredness", "fatigue", R.GENERIC),
        ("cardiac_failure", "heart_failure", R.HEART_FAILURE),
        ("chf", "heart_failure", R.HEART_FAILURE),
        ("angina", "chest_pain_cardiac", R.CARDIAC_ISCHEMIA),
    ],
)
def test_terms_resolve_to_their_canonical_term_and_rule(
    key: str, canonical: str, rule: ToxicityRuleKey
) -> None:
    row = known(key)
    assert (row.canonical, row.rule) == (canonical, rule)


def test_keys_are_unique_and_snake_case() -> None:
    keys = [row.term for row in terms()]
    assert len(keys) == len(set(keys))
    assert [key for key in keys if not SNAKE.match(key)] == []


def test_ctcae_keys_are_made_from_their_terms() -> None:
    for row in ctcae_rows():
        made = re.sub(r"[^a-z0-9]+", "_", row.ctcae_term.lower()).strip("_")
        assert row.term == made


def test_every_synonym_points_at_a_ctcae_row_and_repeats_it() -> None:
    ctcae = {row.term: row for row in ctcae_rows()}
    synonyms = [row for row in terms() if row.synonym_of is not None]
    assert len(synonyms) >= 10
    for row in synonyms:
        target = ctcae[row.canonical]
        assert (row.ctcae_term, row.category, row.rule, row.grades) == (
            target.ctcae_term,
            target.category,
            target.rule,
            target.grades,
        )
        assert row.term not in ctcae


def test_hand_foot_alone_is_not_a_term() -> None:
    assert lookup("hand_foot") is None


# Grades: the grades CTCAE v5.0 defines for each term.


@pytest.mark.parametrize(
    ("key", "grades"),
    [
        ("myocardial_infarction", (2, 3, 4, 5)),
        ("colonic_perforation", (2, 3, 4, 5)),
        (PPE, (1, 2, 3)),
        ("hand_foot_skin_reaction", (1, 2, 3)),
        ("hfs", (1, 2, 3)),
        ("rash_maculo_papular", (1, 2, 3)),
        ("rash", (1, 2, 3)),
        ("toxic_epidermal_necrolysis", (4, 5)),
        ("stevens_johnson_syndrome", (3, 4, 5)),
        ("hypertension", (1, 2, 3, 4, 5)),
        ("heart_failure", (1, 2, 3, 4, 5)),
        ("ejection_fraction_decreased", (2, 3, 4)),
        ("chest_pain_cardiac", (1, 2, 3)),
        ("angina", (1, 2, 3)),
        (QT, (1, 2, 3, 4)),
        ("upper_gastrointestinal_hemorrhage", (1, 2, 3, 4, 5)),
        ("alopecia", (1, 2)),
        ("lipase_increased", (1, 2, 3, 4)),
        ("serum_amylase_increased", (1, 2, 3, 4)),
        ("platelet_count_decreased", (1, 2, 3, 4)),
        ("thrombocytopenia", (1, 2, 3, 4)),
        ("hypophosphatemia", (1, 2, 3, 4, 5)),
        ("diarrhea", (1, 2, 3, 4, 5)),
        ("fatigue", (1, 2, 3)),
        ("vaginal_stricture", (1, 2, 3, 5)),
        ("death_nos", (5,)),
        ("bleeding", (1, 2, 3, 4, 5)),
        ("transaminases_increased", (1, 2, 3, 4, 5)),
    ],
)
def test_grades_are_those_ctcae_defines(key: str, grades: tuple[int, ...]) -> None:
    assert known(key).grades == grades


def test_grades_are_ascending_grades_1_to_5() -> None:
    for row in terms():
        assert row.grades, row.term
        assert list(row.grades) == sorted(set(row.grades)), row.term
        assert set(row.grades) <= {1, 2, 3, 4, 5}, row.term


def test_short_names_allow_every_grade() -> None:
    for row in terms():
        if not row.ctcae_term:
            assert row.grades == (1, 2, 3, 4, 5), row.term


def test_many_ctcae_terms_lack_some_grade() -> None:
    partial = [row for row in ctcae_rows() if row.grades != (1, 2, 3, 4, 5)]
    assert len(partial) > len(ctcae_rows()) // 2


def test_short_names_name_a_rule_only() -> None:
    short = [row for row in terms() if not row.ctcae_term]
    assert {row.term for row in short} >= {
        "bleeding",
        "hemorrhage",
        "haemorrhage",
        "cardiac_ischemia",
        "cardiac_ischaemia",
        "myocardial_ischemia",
        "gi_perforation",
        "gastrointestinal_perforation",
    }
    for row in short:
        assert row.synonym_of is None
        assert row.category == SHORT_NAME_CATEGORY
        assert row.canonical == row.term


def test_the_whole_ctcae_v5_list_is_there() -> None:
    rows = ctcae_rows()
    assert len(rows) >= 700
    assert {row.category for row in rows} == SOCS
    assert all(row.ctcae_term == row.ctcae_term.strip() for row in rows)


def test_ctcae_rows_come_first_in_file_order() -> None:
    kinds = [bool(row.ctcae_term) and row.synonym_of is None for row in terms()]
    first_extra = kinds.index(False)
    assert not any(kinds[first_extra:])
    assert terms() is terms()


def test_display_names() -> None:
    assert known("hand_foot_skin_reaction").display == (
        "hand foot skin reaction (Palmar-plantar erythrodysesthesia syndrome)"
    )
    assert known("chest_pain_cardiac").display == "Chest pain - cardiac"
    assert known("gi_perforation").display == "gi perforation"


def test_lookup_is_exact_after_stripping() -> None:
    assert lookup("Hypertension") is None
    assert lookup("hand foot skin reaction") is None
    assert lookup("no_such_event") is None
    row = lookup("  hypertension\n")
    assert row is not None
    assert row.ctcae_term == "Hypertension"
    assert row.category == "Vascular disorders"


def test_suggest_finds_a_misspelt_synonym() -> None:
    assert "hand_foot_syndrome" in suggest("hand foot syndrom")


def test_suggest_puts_the_exact_key_first() -> None:
    found = suggest("Hypertension")
    assert found[0] == "hypertension"
    assert len(found) <= 3


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("Hypertension", "hypertension"),
        ("Palmar-plantar erythrodysesthesia syndrome", PPE),
        ("Chest pain - cardiac", "chest_pain_cardiac"),
        ("thrombocytopenia", "thrombocytopenia"),
        ("Neutropenia", "neutropenia"),
        ("rash", "rash"),
        ("hemoptisis", "hemoptysis"),
        ("hypertention", "hypertension"),
        ("Oesophageal haemorrhage", "esophageal_hemorrhage"),
        ("heart failiure", "heart_failure"),
    ],
)
def test_suggest_puts_the_exact_name_or_a_close_spelling_first(
    typed: str, first: str
) -> None:
    assert suggest(typed)[0] == first


def test_suggest_finds_a_misspelt_clinical_word() -> None:
    assert "hemoptysis" in suggest("hemoptisis")
    assert "stomatitis" in suggest("stomatits")


def test_suggest_finds_hemorrhage_terms() -> None:
    found = suggest("upper gi hemorrhage")
    assert found
    assert all("hemorrhage" in key for key in found)
    assert found[0] == "upper_gastrointestinal_hemorrhage"


def test_suggest_respects_the_limit_and_gives_known_unique_keys() -> None:
    found = suggest("hemorrhage", limit=5)
    assert len(found) == 5
    assert len(set(found)) == 5
    assert all(lookup(key) is not None for key in found)
    assert suggest("hemorrhage", limit=0) == ()
    assert suggest("  --  ") == ()
    assert suggest("xyzzy plugh") == ()


# Loading errors: the table is checked as it is read.


def ctcae_line(
    term: str = "Diarrhea", rule: str = "generic", grades: str = "1-5"
) -> str:
    key = term.lower()
    return f"{key},{term},Gastrointestinal disorders,{rule},{grades},\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the header"),
        ("term,ctcae_term,category,rule,synonym_of\n", "line 1: the header"),
        (HEADER, "line 1: the table lists no term"),
        (
            HEADER + "diarrhea,Diarrhea,Gastrointestinal disorders,generic,1-5\n",
            "line 2: expected 6 fields, found 5",
        ),
        (
            HEADER + ctcae_line(rule="sometimes"),
            "line 2: 'diarrhea' has the unknown rule",
        ),
        (
            HEADER + ctcae_line() + ctcae_line(),
            "line 3: the key 'diarrhea' is listed twice",
        ),
        (
            HEADER + "Diarrhea,Diarrhea,Gastrointestinal disorders,generic,1-5,\n",
            "not snake_case",
        ),
        (
            HEADER + "diarrhea,Diarrhea,,generic,1-5,\n",
            "line 2: 'diarrhea' has no category",
        ),
        (HEADER + ctcae_line(grades=""), "line 2: 'diarrhea' has no grades"),
        (HEADER + ctcae_line(grades="0-5"), "line 2: 'diarrhea' has the grades"),
        (HEADER + ctcae_line(grades="1-6"), "line 2: 'diarrhea' has the grades"),
        (HEADER + ctcae_line(grades="grade 3"), "'diarrhea' has the grades"),
        (HEADER + ctcae_line(grades='"1,,3"'), "'diarrhea' has the grades"),
        (HEADER + ctcae_line(grades="5-2"), "not distinct and ascending"),
        (HEADER + ctcae_line(grades='"3,1"'), "not distinct and ascending"),
        (HEADER + ctcae_line(grades='"1-3,3-5"'), "not distinct and ascending"),
        (
            HEADER + ctcae_line() + "loose_stools,Diarrhea,Gastrointestinal disorders,"
            "generic,1-5,diarrhoea\n",
            "line 3: 'loose_stools' is a synonym of 'diarrhoea', not a CTCAE term",
        ),
        (
            HEADER + "bleeding,,(respond synonym),bleeding,1-5,\n"
            "blood_loss,,(respond synonym),bleeding,1-5,bleeding\n",
            "line 3: the synonym 'blood_loss' does not name its CTCAE term",
        ),
        (
            HEADER + ctcae_line() + "loose_stools,Diarrhea,Gastrointestinal disorders,"
            "laboratory,1-5,diarrhea\n",
            "line 3: the synonym 'loose_stools' must repeat",
        ),
        (
            HEADER + ctcae_line() + "loose_stools,Diarrhea,Gastrointestinal disorders,"
            "generic,1-3,diarrhea\n",
            (
                "line 3: the synonym 'loose_stools' must repeat the CTCAE term, "
                "category, rule and grades of 'diarrhea'"
            ),
        ),
    ],
)
def test_a_malformed_table_is_refused_with_file_and_line(
    text: str, message: str
) -> None:
    with pytest.raises(CriteriaError, match=re.escape(message)) as caught:
        vocabulary._parse(text)
    assert "ctcae/adverse-event-terms.csv" in str(caught.value)


def test_a_well_formed_table_parses() -> None:
    text = (
        HEADER
        + ctcae_line(grades='"1,3-5"')
        + (
            'loose_stools,Diarrhea,Gastrointestinal disorders,generic,"1,3,4,5",'
            "diarrhea\n"
            '"gi_bleeding","",(respond synonym),bleeding,1-5,\n'
            "death_nos,Death NOS,General disorders and administration site "
            "conditions,generic,5,\n"
        )
    )
    rows = vocabulary._parse(text)
    assert [row.term for row in rows] == [
        "diarrhea",
        "loose_stools",
        "gi_bleeding",
        "death_nos",
    ]
    assert rows[0].grades == rows[1].grades == (1, 3, 4, 5)
    assert rows[1].canonical == "diarrhea"
    assert rows[2].synonym_of is None
    assert rows[2].ctcae_term == ""
    assert rows[2].grades == (1, 2, 3, 4, 5)
    assert rows[3].grades == (5,)


def test_a_missing_table_is_a_criteria_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*parts: str) -> str:
        raise FileNotFoundError("/".join(parts))

    monkeypatch.setattr(vocabulary, "read_text", missing)
    with pytest.raises(CriteriaError, match=re.escape("ctcae/adverse-event-terms.csv")):
        vocabulary.terms.__wrapped__()


def test_rule_keys_are_the_documented_ones() -> None:
    assert {key.value for key in ToxicityRuleKey} == {
        "skin",
        "severe_cutaneous_reaction",
        "bleeding",
        "cardiac_ischemia",
        "heart_failure",
        "hypertension",
        "gi_perforation",
        "qt_prolongation",
        "laboratory",
        "generic",
    }
    assert {row.rule for row in terms()} == set(ToxicityRuleKey)
