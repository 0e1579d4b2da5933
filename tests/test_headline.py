"""headline: the primary family by the leading analysis, and its rendering."""

import numpy as np
import pandas as pd
import pytest

from analysis import (
    compare_adjusted,
    format_p,
    headline,
    headline_display,
    headline_sentence,
    load_cohort,
)


@pytest.fixture(scope="module")
def table(marathon):
    return headline(marathon)


def test_rows_are_the_primary_family_by_the_leading_analysis(table, marathon):
    assert list(table["variable"]) == ["sodium", "potassium", "pv_change"]
    full = compare_adjusted(marathon)
    lead = full[full["lead"]].set_index("variable")
    for column in (
        "estimate",
        "ci_low",
        "ci_high",
        "p",
        "p_holm",
        "smallest_margin",
        "smallest_margin_family",
        "p_tost_holm",
    ):
        np.testing.assert_array_equal(
            table[column].to_numpy(float), lead.loc[table["variable"], column].to_numpy(float)
        )
    assert table["analysis"].iloc[0].startswith("post-race, adjusted for pre-race (ANCOVA")
    assert table["analysis"].iloc[2].startswith("Welch t")
    post = full[full["analysis"] == "post"].set_index("variable")
    assert table["post_estimate"].iloc[0] == post.loc["sodium", "estimate"]
    assert np.isnan(table["change_estimate"].iloc[2])
    assert bool(table["analyses_agree"].iloc[0]) and table["analyses_agree"].isna().iloc[2]


def test_disagreement_between_change_score_and_ancova_is_flagged():
    # MASS anorexia, CBT vs control, as "potassium": ANCOVA p < 0.05, change score p > 0.05
    import pandas as pd

    from analysis.paths import PROJECT_ROOT

    data = pd.read_csv(PROJECT_ROOT / "tests" / "reference" / "anorexia.csv")
    data = data[data["contrast"] == "CBT"].rename(
        columns={"weight_pre": "potassium_pre", "weight_post": "potassium_post"}
    )
    table = headline(data)
    assert list(table["variable"]) == ["potassium"]
    assert not table["analyses_agree"].iloc[0]
    assert "change score disagrees" in headline_sentence(table)


def test_display_is_compact_and_rendered_from_the_numbers(table):
    shown = headline_display(table)
    assert shown.shape == (3, 9)
    row = table.iloc[1]
    assert f"{row['smallest_margin']:.3f}" in shown.iloc[1]["smallest margin (unadjusted 90% CI)"]
    assert f"{row['smallest_margin_family']:.3f}" in shown.iloc[1]["smallest margin (family)"]
    assert shown.iloc[0]["equivalent (Holm)"] in {"yes", "no"}
    text = headline_sentence(table)
    assert f"{table['ci_high'].iloc[0]:.2f}" in text
    assert "0.0000" not in text and "Dill &amp; Costill" in text


def test_format_p_never_prints_zero():
    # the one p formatter of the package (analysis.prose), as the headline uses it
    assert format_p(0.0) == "< 0.0001"
    assert format_p(0.00012) == "0.00012"
    assert format_p(0.0123) == "0.012"
    assert format_p(float("nan")) == "\u2013"


def test_no_primary_member_is_an_error(marathon):
    with pytest.raises(ValueError, match="primary family"):
        headline(marathon[["subject_id", "group", "chloride_pre", "chloride_post"]])


def test_smallest_margin_for_the_family_matches_r_and_decides_the_holm_verdict():
    # tests/reference/adjusted_hc2.R: max |estimate -/+ qt(1 - 0.05 / 3, df) * se| with the
    # HC2 SE and Satterthwaite df (a family of three TOST tests, Bonferroni bound)
    from analysis.paths import PROJECT_ROOT

    ref_dir = PROJECT_ROOT / "tests" / "reference"
    r = pd.read_csv(ref_dir / "adjusted_hc2.csv").set_index(["dataset", "variable", "analysis"])
    frozen = load_cohort(ref_dir / "adjusted_marathon.csv")
    table = headline(frozen).set_index("variable")
    assert "(3 tests)" in table.loc["sodium", "equivalence_adjustment"]
    for v in ("sodium", "potassium"):
        ref = r.loc[("marathon", v, "ancova")]
        assert table.loc[v, "smallest_margin"] == pytest.approx(ref["smallest_margin"], rel=1e-6)
        assert table.loc[v, "smallest_margin_family"] == pytest.approx(
            ref["smallest_margin_family3"], rel=1e-6
        )
    # any margin above the family's smallest margin gives a Holm "equivalent" for every member
    above = {v: table.loc[v, "smallest_margin_family"] * 1.0001 for v in table.index}
    assert headline(frozen, margins=above)["equivalent_holm"].all()
    # the unadjusted smallest margin is not enough for the family-adjusted verdict
    below = {v: table.loc[v, "smallest_margin"] * 1.0001 for v in table.index}
    assert not headline(frozen, margins=below)["equivalent_holm"].any()


def test_headline_names_the_estimand_and_shows_the_unadjusted_difference(marathon):
    table = headline(marathon)
    sodium = table.set_index("variable").loc["sodium"]
    assert sodium["analysis"].startswith("post-race, adjusted for pre-race (ANCOVA")
    text = headline_sentence(table)
    assert "unadjusted post-race difference (the 1986 paper's question)" in text
    assert (
        f"p = {format_p(sodium['p'])} unadjusted, {format_p(sodium['p_holm'])} after Holm" in text
    )
    assert "not evidence of no difference" in text
    assert "after adjustment for the family, equivalence holds for any margin above" in text
    shown = headline_display(table)
    assert "smallest margin (unadjusted 90% CI)" in shown.columns
    assert "smallest margin (family)" in shown.columns
