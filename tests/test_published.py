"""Tests of the published-evidence table and its row-by-row check."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis import paths
from analysis.published import PRINTED_COLUMNS, check_published, load_published


@pytest.fixture(scope="module")
def table():
    return load_published()


@pytest.fixture(scope="module")
def evidence(table):
    return check_published(table)


def _row(frame, study_id, variable):
    hit = frame.loc[(frame["study_id"] == study_id) & (frame["variable"] == variable)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_file_name_and_printed_strings_are_kept(table):
    assert "published" in (paths.DATA_DIR / "published_summaries.csv").name
    for col in PRINTED_COLUMNS:
        assert table[col].map(type).eq(str).all(), col
    kona_na = _row(table, "kona2019", "sodium")
    assert kona_na["reported_p"] == ".007"
    assert (kona_na["mean_cramp"], kona_na["sd_cramp"]) == ("140", "7")
    assert _row(table, "kona2019", "potassium")["reported_p"] == "<.001"
    assert _row(table, "schwellnus2004", "plasma-volume change")["mean_cramp"] == "+0.2"


def test_values_match_the_printed_sources(table):
    # as printed in each row's source (Schwellnus 2004 abstract, Hutchinson's blog for
    # Schwellnus 2011, the Kona conference abstract)
    na = _row(table, "schwellnus2004", "sodium")
    assert [na[c] for c in PRINTED_COLUMNS] == ["139.8", "3.1", "142.3", "2.1", "0.004"]
    mg = _row(table, "schwellnus2004", "magnesium")
    assert [mg[c] for c in PRINTED_COLUMNS] == ["0.73", "0.06", "0.67", "0.08", "0.03"]
    assert (na["n_cramp"], na["n_control"]) == (21, 22)
    s11 = _row(table, "schwellnus2011", "sodium change")
    assert [s11[c] for c in PRINTED_COLUMNS] == ["-0.1", "1.9", "+0.4", "2.6", ""]
    assert (s11["n_cramp"], s11["n_control"]) == (43, 166)
    kona = _row(table, "kona2019", "potassium")
    assert [kona[c] for c in PRINTED_COLUMNS] == ["4.3", "0.7", "4.2", "0.6", "<.001"]
    assert (kona["n_cramp"], kona["n_control"]) == (2859, 7670)
    maughan = _row(table, "maughan1986", "serum electrolytes and plasma-volume change")
    assert (maughan["n_cramp"], maughan["n_control"]) == (15, 67)
    assert maughan["mean_cramp"] == "" and maughan["doi_or_url"] == "doi:10.1080/02640418608732095"
    assert set(table["source_kind"]) <= {"full table", "abstract", "secondary"}
    assert table["citation"].str.len().gt(20).all()


def test_check_matches_the_summaries_functions(table, evidence):
    assert len(evidence) == len(table)
    mg = _row(evidence, "schwellnus2004", "magnesium")
    direct = analysis.check_reported_p(21, "0.73", "0.06", 22, "0.67", "0.08", "0.03")
    assert mg["p_student_min"] == direct.p_student_min
    assert mg["p_welch_max"] == direct.p_welch_max
    assert mg["verdict"] == direct.verdict
    assert mg["verdict"].endswith(
        "within the rounding of the printed means and SDs (4 t-tests tried (two-sided and "
        "one-sided, Welch and Student))"
    )
    assert mg["reproduced_by"] == "two-sided Welch t-test; two-sided Student t-test"
    assert not mg["consistent_at_printed"] and mg["consistent"]
    summary = analysis.compare_summary(21, 139.8, 3.1, 22, 142.3, 2.1)
    na = _row(evidence, "schwellnus2004", "sodium")
    assert (na["mean_diff"], na["ci_low"], na["ci_high"]) == pytest.approx(
        (summary.mean_diff, summary.ci_low, summary.ci_high)
    )
    assert na["verdict"] == (
        "reproduced by the two-sided Welch t-test at the printed values"
        " (4 t-tests tried (two-sided and one-sided, Welch and Student))"
    )
    assert na["label"] == "Schwellnus 2004: sodium, immediately post-race (mmol/L)"


def test_rounding_range_of_the_difference(evidence):
    # Kona sodium: 140 and 139 printed as whole numbers -> true difference in [0, 2]
    kona = _row(evidence, "kona2019", "sodium")
    assert (kona["mean_diff_min"], kona["mean_diff_max"]) == pytest.approx((0.0, 2.0))
    assert kona["verdict"].endswith(
        "within the rounding of the printed means and SDs (4 t-tests tried (two-sided and "
        "one-sided, Welch and Student))"
    )
    mg = _row(evidence, "schwellnus2004", "magnesium")
    assert (mg["mean_diff_min"], mg["mean_diff_max"]) == pytest.approx((0.05, 0.07))


def test_rows_that_cannot_be_checked_say_why(evidence):
    no_sd = _row(evidence, "schwellnus2004", "plasma-volume change")
    assert no_sd["mean_diff"] == pytest.approx(0.9)
    assert pd.isna(no_sd["ci_low"]) and pd.isna(no_sd["consistent"])
    assert no_sd["verdict"].startswith("no SDs printed")
    no_p = _row(evidence, "schwellnus2011", "sodium change")
    assert no_p["ci_low"] == pytest.approx(-1.2018, abs=1e-4)
    assert no_p["verdict"].startswith("no p printed")
    maughan = _row(evidence, "maughan1986", "serum electrolytes and plasma-volume change")
    assert maughan["verdict"].startswith("no group means printed")
    assert str(evidence["consistent"].dtype) == "boolean"
    assert no_p["reproduced_by"] == "" and maughan["reproduced_by"] == ""


def test_no_verdict_calls_a_paper_inconsistent(evidence):
    # issue 12: a p that no t-test reproduces is not an error; say so neutrally
    assert not evidence["verdict"].str.contains("inconsistent").any()
    assert evidence["label"].is_unique  # the time point keeps two rows of one study apart


def test_load_published_rejects_bad_files(tmp_path, table):
    broken = table.drop(columns=["unit"])
    path = tmp_path / "published_bad.csv"
    broken.to_csv(path, index=False)
    with pytest.raises(KeyError, match="'unit'"):
        load_published(path)
    bad_kind = table.assign(source_kind="rumour")
    bad_kind.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"row 2, `source_kind`: must be one of .*got .rumour."):
        load_published(path)
    bad_n = table.astype({"n_cramp": str})
    bad_n.loc[1, "n_cramp"] = "about 20"
    bad_n.to_csv(path, index=False)
    with pytest.raises(
        ValueError, match="row 3, `n_cramp`: must be a whole number; got 'about 20'"
    ):
        load_published(path)


def test_load_published_lists_every_bad_printed_cell(tmp_path, table):
    bad = table.astype({"n_cramp": str, "n_control": str}).copy()
    first = bad.index[bad["mean_cramp"] != ""][0]
    bad.loc[first, "mean_cramp"] = "about 140"
    bad.loc[first, "reported_p"] = "NS"
    bad.loc[bad.index[-1], "sd_control"] = "0,5"
    path = tmp_path / "published_bad.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError) as info:
        load_published(path)
    message = str(info.value)
    assert "3 problem(s)" in message
    assert f"row {first + 2}, `mean_cramp`" in message
    assert f"row {first + 2}, `reported_p`" in message
    assert f"row {bad.index[-1] + 2}, `sd_control`" in message


def test_every_row_names_its_comparison_group(table):
    assert table["comparison_group"].str.len().gt(15).all()
    kona = table.loc[table["study_id"] == "kona2019"]
    for _, row in kona.iterrows():
        assert "other medical-tent patients" in row["comparison_group"]
        assert (
            "10,553" in row["comparison_group"]
            and "not non-cramping finishers" in row["comparison_group"]
        )
        assert "records" in row["note"] and "not athletes" in row["note"]
        assert "OR 1.63" in row["note"]
        assert row["timepoint"] == "at medical-tent presentation"


def test_secondary_rows_name_the_secondary_source(table):
    secondary = table.loc[table["source_kind"] == "secondary"]
    assert len(secondary) == 4
    assert secondary["secondary_source"].str.contains("http").all()
    assert "Hutchinson" in _row(table, "schwellnus2011", "sodium change")["secondary_source"]
    assert "LetsRun" in _row(table, "schwellnus2004", "body-weight loss")["secondary_source"]
    assert table.loc[table["source_kind"] != "secondary", "secondary_source"].eq("").all()
    maughan = _row(table, "maughan1986", "serum electrolytes and plasma-volume change")
    assert "only the abstract was read" in maughan["note"]


def test_labels_carry_the_time_point_and_are_unique(evidence):
    assert evidence["label"].is_unique
    assert (
        _row(evidence, "schwellnus2004", "sodium")["label"]
        == "Schwellnus 2004: sodium, immediately post-race (mmol/L)"
    )
    assert evidence["comparison_group"].str.len().gt(15).all()


def test_a_table_without_the_new_columns_still_loads(tmp_path, table):
    old = tmp_path / "old.csv"
    table.drop(columns=["comparison_group", "secondary_source"]).to_csv(old, index=False)
    again = load_published(old)
    assert again["comparison_group"].eq("").all() and again["secondary_source"].eq("").all()
    assert len(check_published(again)) == len(table)


def test_a_secondary_row_without_its_source_is_rejected(tmp_path, table):
    bad = tmp_path / "bad.csv"
    table.assign(secondary_source="").to_csv(bad, index=False)
    with pytest.raises(ValueError, match="row 5, `secondary_source`"):
        load_published(bad)
