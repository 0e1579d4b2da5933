"""The curated evidence table and its loader: every row as printed, every problem at once."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.evidence import (
    EVIDENCE_COLUMNS,
    EVIDENCE_FILE,
    RULES,
    SOURCE_KINDS,
    SUMMARY_KINDS,
    evidence_problems,
    load_evidence,
)
from analysis.validation import DataValidationError

BAD = Path(__file__).parent / "data" / "bad_evidence"
README = (BAD / "README.md").read_text(encoding="utf-8")
LINE = re.compile(r"^- `([^`]+)`: .* \[([a-z, -]+)\]$", re.M)
CASES = [(name, rules.split(", ")) for name, rules in LINE.findall(README)]
PRINTED = ("cramp_center", "cramp_spread", "control_center", "control_spread", "reported_p")
TABLE = Path(paths.PROJECT_ROOT / "data" / EVIDENCE_FILE)


@pytest.fixture(scope="module")
def table():
    return load_evidence()


def _row(table, study_id, variable, time_point, source_kind=None):
    hit = table[
        (table["study_id"] == study_id)
        & (table["variable"] == variable)
        & (table["time_point"] == time_point)
    ]
    if source_kind is not None:
        hit = hit[hit["source_kind"] == source_kind]
    assert len(hit) == 1, (study_id, variable, time_point, len(hit))
    return hit.iloc[0]


def _printed(row):
    return [row[c] for c in PRINTED]


# ---------------------------------------------------------------- bundled table


def test_columns_in_the_agreed_order_then_the_optional_url(table):
    header = TABLE.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [*EVIDENCE_COLUMNS, "source_url"]
    assert list(table.columns[: len(header)]) == header


def test_printed_strings_are_kept_as_text(table):
    for col in PRINTED:
        assert table[col].map(type).eq(str).all(), col
    mg = _row(table, "schwellnus2004", "magnesium", "post")
    assert _printed(mg) == ["0.73", "0.06", "0.67", "0.08", "0.03"]
    assert mg["cramp_spread_decimals"] == 2 and mg["cramp_center_value"] == 0.73
    ldh = _row(table, "martinez-navarro2022", "ldh", "post")
    assert ldh["cramp_spread"] == "72.10" and ldh["cramp_spread_decimals"] == 2


def test_schwellnus_2004_sodium_and_magnesium_as_printed_in_the_abstract(table):
    na = _row(table, "schwellnus2004", "sodium", "post")
    assert _printed(na) == ["139.8", "3.1", "142.3", "2.1", "0.004"]
    assert (na["n_cramp"], na["n_control"], na["unit"]) == (21, 22, "mmol/L")
    assert na["source_kind"] == "abstract" and na["summary"] == "mean_sd"


def test_martinez_navarro_muscle_damage_markers_as_printed(table):
    expected = {
        ("ck", "post"): ["464.17", "220.47", "383.04", "253.41", "0.034"],
        ("ldh", "post"): ["362.27", "72.10", "307.87", "52.42", "0.002"],
        ("ck", "24h_post"): ["2438.59", "2625.24", "1166.66", "910.71", "0.014"],
        ("ldh", "24h_post"): ["277.05", "89.74", "227.07", "37.15", "0.021"],
    }
    for (variable, time_point), printed in expected.items():
        row = _row(table, "martinez-navarro2022", variable, time_point)
        assert _printed(row) == printed
        assert (row["n_cramp"], row["n_control"]) == (20, 68)
        assert "68 derived as 88 - 20" in row["notes"]
        assert row["pmid"] == "32796418" and row["doi"] == "10.1519/JSC.0000000000003713"


def test_kona_rows_are_medical_tent_records_compared_with_other_patients(table):
    kona = table[table["study_id"] == "johnson-kona"]
    assert len(kona) == 2
    for _, row in kona.iterrows():
        assert "other medical-tent patients" in row["comparison_group"]
        assert "not non-cramping finishers" in row["comparison_group"]
        assert "records, not athletes" in row["notes"]
        assert "OR 1.63" in row["notes"]
        assert (row["n_cramp"], row["n_control"]) == (2859, 7670)
    na = _row(table, "johnson-kona", "sodium", "at_presentation")
    assert _printed(na) == ["140", "7", "139", "7", ".007"]
    k = _row(table, "johnson-kona", "potassium", "at_presentation")
    assert _printed(k) == ["4.3", "0.7", "4.2", "0.6", "<.001"]
    assert (k["p_low"], k["p_high"], k["p_operator"]) == (0.0, 0.001, "<")


def test_maughan_rows_carry_no_estimate_and_say_why(table):
    maughan = table[table["study_id"] == "maughan1986"]
    assert set(zip(maughan["variable"], maughan["time_point"], strict=True)) == {
        ("sodium", "pre"), ("sodium", "post"), ("potassium", "pre"), ("potassium", "post"),
        ("pv_change", "change"),
    }  # fmt: skip
    assert (maughan[list(PRINTED)] == "").all().all()
    assert maughan["summary"].eq("").all()
    assert maughan["missing_reason"].str.contains("abstract gives no group means or SDs").all()
    assert maughan["pmid"].eq("3735481").all()
    assert maughan["n_cramp"].eq(15).all() and maughan["n_control"].eq(67).all()


def test_secondary_rows_name_their_secondary_source(table):
    secondary = table[table["source_kind"] == "secondary"]
    assert len(secondary) >= 4
    assert secondary["secondary_source"].str.len().gt(30).all()
    s11 = _row(table, "schwellnus2011", "sodium", "change", "secondary")
    assert _printed(s11) == ["-0.1", "1.9", "+0.4", "2.6", ""]
    assert "Hutchinson" in s11["secondary_source"]
    assert (table.loc[table["source_kind"] != "secondary", "secondary_source"] == "").all()


def test_every_row_is_traceable_and_described(table):
    assert set(table["source_kind"]) <= set(SOURCE_KINDS)
    assert set(table["summary"]) <= {*SUMMARY_KINDS, ""}
    traced = table["doi"].ne("") | table["pmid"].ne("") | table["source_url"].ne("")
    assert traced.all()
    assert table["comparison_group"].str.len().gt(15).all()
    assert table["cramp_group"].str.len().gt(15).all()
    empty = table[list(PRINTED[:4])].eq("").any(axis=1)
    assert table.loc[empty, "missing_reason"].str.len().gt(10).all()


def test_parsed_numbers_match_the_printed_strings(table):
    for col in PRINTED[:4]:
        filled = table[col] != ""
        assert (table.loc[filled, f"{col}_value"] == table.loc[filled, col].astype(float)).all()
        assert table.loc[~filled, f"{col}_value"].isna().all()
    mg = _row(table, "schwellnus2004", "magnesium", "post")
    assert (mg["p_low"], mg["p_high"]) == pytest.approx((0.025, 0.035))


def test_no_problem_in_the_bundled_table():
    frame = pd.read_csv(TABLE, dtype=str, keep_default_na=False)
    assert evidence_problems(frame) == []


# ---------------------------------------------------------------- bad tables


def test_every_bad_table_is_listed_in_the_readme():
    assert {name for name, _ in CASES} == {p.name for p in BAD.iterdir() if p.name != "README.md"}
    assert {rule for _, rules in CASES for rule in rules} <= set(RULES)
    assert len(CASES) >= 15


@pytest.mark.parametrize(("name", "rules"), CASES, ids=[c[0] for c in CASES])
def test_bad_table_raises_with_every_problem(name, rules):
    path = BAD / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DataValidationError) as info:
        load_evidence(path)
    problems = info.value.problems
    assert problems and {p.rule for p in problems} >= set(rules)
    assert {p.rule for p in problems} <= set(RULES)
    assert all(p.severity == "error" and p.message for p in problems)
    message = str(info.value)
    assert message.startswith(f"{name}: {len(problems)} problem")
    assert all(f"[{p.rule}]" in message for p in problems)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_several_problems_are_reported_at_once_with_row_column_value():
    with pytest.raises(DataValidationError) as info:
        load_evidence(BAD / "several_problems.csv")
    found = [(p.row, p.column, p.value, p.rule) for p in info.value.problems]
    assert found == [
        (2, "n_cramp", "0", "not-an-integer"),
        (2, "cramp_center", "139,8", "not-a-number"),
        (3, "reported_p", "significant", "bad-p"),
        (3, "secondary_source", "", "secondary-source"),
        (4, "missing_reason", "", "missing-reason"),
        (4, "doi", "10.1000/other", "study-mismatch"),
    ]


def test_missing_file_is_one_problem(tmp_path):
    with pytest.raises(DataValidationError) as info:
        load_evidence(tmp_path / "nowhere.csv")
    assert [p.rule for p in info.value.problems] == ["file-missing"]


# ---------------------------------------------------------------- a user's own table


def _one_row_table(tmp_path, **changes):
    row = {c: "" for c in EVIDENCE_COLUMNS}
    row.update(
        study_id="mine2026", study="Me et al.", year="2026", doi="10.1000/mine.1",
        event="half-marathon", time_point="post", variable="sodium", unit="mmol/L",
        cramp_group="runners with cramp", comparison_group="finishers without cramp",
        n_cramp="12", n_control="30", summary="median_iqr", cramp_center="140",
        cramp_spread="138-142.5", control_center="141", control_spread="-1-3",
        reported_p="NS", source_kind="full_text",
    )  # fmt: skip
    row.update(changes)
    path = tmp_path / "mine.csv"
    pd.DataFrame([row]).to_csv(path, index=False)
    return path


def test_a_users_table_without_source_url_and_with_medians_loads(tmp_path):
    path = _one_row_table(tmp_path)
    table = load_evidence(path)
    row = table.iloc[0]
    assert row["source_url"] == "" and row["n_cramp"] == 12 and row["year"] == 2026
    assert (row["cramp_q1"], row["cramp_q3"], row["cramp_spread_decimals"]) == (138.0, 142.5, 1)
    assert (row["control_q1"], row["control_q3"]) == (-1.0, 3.0)
    assert pd.isna(row["cramp_spread_value"])
    assert row["p_operator"] == "NS" and pd.isna(row["p_low"])


def test_a_users_table_problem_names_the_row(tmp_path):
    path = _one_row_table(tmp_path, n_control="3O")
    with pytest.raises(DataValidationError) as info:
        load_evidence(path)
    assert [(p.row, p.column, p.value, p.rule) for p in info.value.problems] == [
        (2, "n_control", "3O", "not-an-integer")
    ]


def test_data_card_and_reading_log_name_every_study(table):
    card = (paths.DATA_DIR / "README.md").read_text(encoding="utf-8")
    log = (paths.DATA_DIR / "evidence_sources.md").read_text(encoding="utf-8")
    for study_id in table["study_id"].unique():
        assert f"`{study_id}`" in card, study_id
        assert f"`{study_id}`" in log, study_id
    for doi in table.loc[table["doi"] != "", "doi"].unique():
        assert doi in card, doi
    assert f"Rows:** {len(table)}," in card
    assert "## Excluded" in log and "Sulzer" in log and "Sulzer" in card
