"""Tests of analysis.causes and of notebook 09 (what causes cramp)."""

from __future__ import annotations

import csv
import math
import re

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import causes, paths, plots
from analysis.evidence import load_evidence

NOTEBOOK = paths.NOTEBOOKS_DIR / "09-explore-cramp-causes.ipynb"


@pytest.fixture(scope="module")
def evidence():
    return load_evidence()


@pytest.fixture(scope="module")
def table(evidence):
    return causes.muscle_damage_table(evidence)


def _raw_rows(variable_set):
    """The bundled CSV read with the csv module, independently of the loader."""
    with open(paths.DATA_DIR / "evidence_table.csv", encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["variable"] in variable_set]


def _welch_oracle(n1, m1, s1, n2, m2, s2, level=0.95):
    """Welch difference, interval and two-sided p written out from the textbook formulas."""
    v1, v2 = s1**2 / n1, s2**2 / n2
    se = math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    q = stats.t.ppf(0.5 + level / 2, df)
    d = m1 - m2
    return d, d - q * se, d + q * se, 2 * stats.t.sf(abs(d) / se, df)


def _hedges_oracle(n1, m1, s1, n2, m2, s2):
    sp = math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
    df = n1 + n2 - 2
    j = math.exp(math.lgamma(df / 2) - math.log(math.sqrt(df / 2)) - math.lgamma((df - 1) / 2))
    return j * (m1 - m2) / sp


# --------------------------------------------------------------------------
# formatting helpers
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# the muscle-damage table
# --------------------------------------------------------------------------


def test_table_keeps_every_ck_and_ldh_row_as_printed(table):
    raw = _raw_rows({"ck", "ldh"})
    assert len(table) == len(raw) == 6
    for row, printed in zip(table.itertuples(), raw, strict=True):
        for col in ("cramp_center", "cramp_spread", "control_center", "control_spread",
                    "reported_p", "time_point", "variable"):  # fmt: skip
            assert getattr(row, col) == printed[col], col
    # the row with only a p-value is kept, with the reason, not dropped
    hoffman = table.loc[table["study"] == "Hoffman & Stuempfle"].iloc[0]
    assert math.isnan(hoffman["hedges_g"]) and pd.isna(hoffman["likely_skewed"])
    assert "no group summaries" in hoffman["note"]


def test_recomputed_values_match_the_textbook_formulas(table):
    rows = table.loc[table["hedges_g"].notna()]
    assert len(rows) == 5
    for _, r in rows.iterrows():
        args = (int(r["n_cramp"]), float(r["cramp_center"]), float(r["cramp_spread"]),
                int(r["n_control"]), float(r["control_center"]), float(r["control_spread"]))  # fmt: skip
        d, lo, hi, p = _welch_oracle(*args)
        assert r["mean_diff"] == pytest.approx(d, rel=1e-12)
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi), rel=1e-10)
        assert r["p_welch"] == pytest.approx(p, rel=1e-9)
        assert r["hedges_g"] == pytest.approx(_hedges_oracle(*args), rel=1e-9)
        assert r["hedges_g_ci_low"] < r["hedges_g"] < r["hedges_g_ci_high"]
        assert r["ratio_of_means"] == pytest.approx(args[1] / args[4], rel=1e-12)


def test_known_values_of_the_2022_marathon_rows(table):
    ck24 = table.loc[(table["variable"] == "ck") & (table["time_point"] == "24h_post")].iloc[0]
    assert ck24["mean_diff"] == pytest.approx(2438.59 - 1166.66)
    assert ck24["ratio_of_means"] == pytest.approx(2.0902, abs=1e-4)
    assert ck24["likely_skewed"]
    ldh = table.loc[(table["variable"] == "ldh") & (table["time_point"] == "post")].iloc[0]
    assert not ldh["likely_skewed"]


def test_reported_p_fit_says_which_two_sided_test_reaches_the_printed_p(table):
    pre = table.loc[table["time_point"] == "pre"].iloc[0]  # Schwellnus 2011, p = 0.066
    assert pre["reported_p_fits"] and pre["p_fit_tests"] == "Student"
    assert pre["p_student_low"] <= 0.0665 and pre["p_student_high"] >= 0.0655
    assert pre["p_welch_low"] > 0.0665  # Welch cannot reach it
    marathon = table.loc[table["study"].str.startswith("Martínez")]
    assert not marathon["reported_p_fits"].any()  # none reproduced two-sided
    for _, r in marathon.iterrows():  # the range brackets the face-value p
        assert r["p_welch_low"] <= r["p_welch"] <= r["p_welch_high"]
        assert r["p_student_low"] <= r["p_student"] <= r["p_student_high"]


def test_confidence_level_reaches_the_intervals(evidence, table):
    wide = causes.muscle_damage_table(evidence, confidence_level=0.99)
    ok = table["hedges_g"].notna()
    assert (wide.loc[ok, "ci_low"] < table.loc[ok, "ci_low"]).all()
    assert (wide.loc[ok, "hedges_g_ci_high"] > table.loc[ok, "hedges_g_ci_high"]).all()
    assert (wide["confidence_level"] == 0.99).all()


def test_table_errors_name_the_argument(evidence):
    with pytest.raises(ValueError, match=r"`variables` must name at least one"):
        causes.muscle_damage_table(evidence, variables=())
    with pytest.raises(ValueError, match=r"`variables` \['myoglobin'\] match no row"):
        causes.muscle_damage_table(evidence, variables=("myoglobin",))


def test_a_users_own_evidence_table_is_used(tmp_path, evidence):
    rows = _raw_rows({"ldh"})[:1]
    path = tmp_path / "mine.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    mine = causes.muscle_damage_table(load_evidence(path))
    assert list(mine["variable"]) == ["ldh"]


def test_display_table_has_six_columns_and_the_printed_text(table):
    shown = causes.display_table(table)
    assert shown.shape == (6, 6)
    assert shown.loc[0, "crampers"] == "89 (80), n = 20"
    assert shown.loc[3, "comparison"] == "Martínez-Navarro et al. 2022: CK 24 h post"
    assert shown["comparison"].str.len().max() <= 50  # pandas cuts cells at 50 characters
    assert shown.loc[5, "Hedges' g (CI)"] == ""  # nothing to recompute
    assert shown.loc[5, "printed p"] == "0.001"


# --------------------------------------------------------------------------
# sentences and the figure
# --------------------------------------------------------------------------


def test_finding_sentence_carries_the_numbers_of_its_row(table):
    for _, r in table.loc[table["hedges_g"].notna()].iterrows():
        text = causes.finding_markdown(r)
        for printed in (r["cramp_center"], r["control_center"], r["reported_p"]):
            assert printed in text
        assert f"{r['ratio_of_means']:.2f} times" in text
        assert "0.0000" not in text
        assert ("likely skewed" in text) == bool(r["likely_skewed"])
        assert ("does not name its test" in text) == (not r["reported_p_fits"])
    with pytest.raises(ValueError, match="has no estimate"):
        causes.finding_markdown(table.iloc[5])


def test_sentences_follow_the_confidence_level(evidence):
    text = causes.findings_markdown(causes.muscle_damage_table(evidence, confidence_level=0.9))
    assert text.count("90% Welch CI") == 5 and "95%" not in text


def test_definitions_name_each_study_once_with_its_groups(evidence):
    defs = causes.cramp_definitions(evidence)
    assert len(defs) == evidence["study_id"].nunique() == 7
    assert list(defs.columns) == ["study", "event", "crampers", "compared with"]
    kona = defs.loc[defs["study"].str.startswith("Johnson")].iloc[0]
    assert "other medical-tent patients" in kona["compared with"]


def test_sodium_against_eah_uses_printed_means(evidence):
    sodium = causes.sodium_against_eah(evidence)
    assert causes.EAH_SODIUM_BELOW == 135.0
    assert sorted(sodium["mean_sodium"]) == [139.0, 139.8, 140.0, 142.3]
    assert sodium["above_eah"].to_numpy() == pytest.approx(sodium["mean_sodium"] - 135.0)
    text = causes.eah_markdown(sodium)
    assert "139 mEq/L" in text and "142.3 mmol/L" in text and "< 135 mmol/L" in text
    with pytest.raises(ValueError, match="no row"):
        causes.eah_markdown(sodium.iloc[:0])


def test_plot_draws_one_interval_per_estimate_and_marks_skew(table, tmp_path):
    matplotlib.use("Agg")
    plots.use_style(tmp_path, prefix="09")
    try:
        ax = causes.muscle_damage_plot(table)
    finally:
        plots.use_style(None)
    rows = table.loc[table["hedges_g"].notna()]
    assert len(ax.containers) == len(rows) == 5
    for container, (_, r) in zip(ax.containers, rows.iterrows(), strict=True):
        line = container.lines[0]
        assert line.get_xdata()[0] == pytest.approx(r["hedges_g"])
        assert (line.get_marker() == "s") == bool(r["likely_skewed"])
        assert (line.get_markerfacecolor() == "white") == bool(r["likely_skewed"])
        segment = container.lines[2][0].get_segments()[0]
        assert np.sort(segment[:, 0]) == pytest.approx(
            [r["hedges_g_ci_low"], r["hedges_g_ci_high"]]
        )
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sum("likely skewed" in t for t in labels) == int(rows["likely_skewed"].sum())
    assert "95% CI" in ax.get_xlabel()
    assert (tmp_path / "09-muscle-damage-markers.png").is_file()
    plots.plt.close(ax.figure)


# --------------------------------------------------------------------------
# notebook 09: not a cohort notebook; prose and exercises render
# --------------------------------------------------------------------------


def test_notebook_09_is_not_run_by_the_cohort_report():
    from analysis.report_notebooks import data_notebooks, parameters_of, requirements

    assert NOTEBOOK.is_file()
    assert "data_path" not in parameters_of(NOTEBOOK)
    assert NOTEBOOK not in data_notebooks()
    assert requirements(NOTEBOOK) == []  # declares no cohort columns


def test_notebook_09_is_stored_executed_without_zero_p_values():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    shown = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/markdown", ""))
        for c in code for o in c.outputs
    )  # fmt: skip
    assert "0.0000" not in shown and "Traceback" not in shown
    assert "Martínez-Navarro et al. (2022)" in shown


def test_notebook_09_answers_render_inside_closed_details():
    from nbconvert import HTMLExporter

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown"]
    html, _ = HTMLExporter().from_notebook_node(nb)
    body = html[html.index("Try it") :]
    blocks = re.findall(r"<details>(.*?)</details>", body, flags=re.S)
    assert len(blocks) == 4
    for block in blocks:
        assert "<summary>Answer</summary>" in block
        assert len(re.sub(r"<[^>]+>|\s", "", block)) > 40  # the answer is inside, not empty
        assert "**" not in block and "`" not in block  # markdown rendered, not literal
    questions = body[: body.index("## Sources") if "## Sources" in body else len(body)]
    assert "**" not in re.sub(r"<details>.*?</details>", "", questions, flags=re.S)


def _r_reference():
    """The CSV block of tests/reference/causes.Rout (written by causes.R, R 4.2.2, metafor)."""
    import io

    text = (paths.PROJECT_ROOT / "tests" / "reference" / "causes.Rout").read_text(encoding="utf-8")
    block = text.split("==== csv ====\n", 1)[1].split("==== end ====", 1)[0]
    return pd.read_csv(io.StringIO(block))


def test_recomputed_rows_match_r(table):
    # t.test() on vectors with exactly the printed means and SDs (Welch and Student), and
    # metafor::escalc(measure = "SMD") with summary() for Hedges' g and its 95 % CI
    ref = _r_reference()
    rows = table.loc[table["hedges_g"].notna()].reset_index(drop=True)
    assert len(ref) == len(rows) == 5
    for (_, r), (_, mine) in zip(ref.iterrows(), rows.iterrows(), strict=True):
        assert r["label"].split()[1] == mine["variable"]
        for col in ("mean_diff", "ci_low", "ci_high", "p_welch", "p_student", "hedges_g",
                    "hedges_g_ci_low", "hedges_g_ci_high"):  # fmt: skip
            assert mine[col] == pytest.approx(r[col], rel=1e-9, abs=1e-12), (r["label"], col)
