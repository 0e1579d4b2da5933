"""Tests for analysis.paired, against R (tests/reference/paired.R, paired.Rout)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.paired import COLUMNS, compare_paired

# R values are printed with 15 significant digits; the formulas are closed-form.
RTOL = 1e-10

CRAMP_PRE = [138.2, 140.5, 136.9, 142.3, 139.0, 141.7, 137.5, 140.0]
CRAMP_POST = [136.1, 139.4, 134.6, 141.8, 136.2, 141.0, 137.9, 137.3]
CONTROL_PRE = [141, 139, 143, 140, 142, 138, 141, 144, 139, 140]
CONTROL_POST = [141, 141, 142, 142, 140, 140, 143, 143, 141, 139]


def make_cohort(cramp_pre, cramp_post, control_pre=CONTROL_PRE, control_post=CONTROL_POST):
    return pd.DataFrame(
        {
            "group": ["cramp"] * len(cramp_pre) + ["control"] * len(control_pre),
            "sodium_pre": np.asarray(list(cramp_pre) + list(control_pre), dtype=float),
            "sodium_post": np.asarray(list(cramp_post) + list(control_post), dtype=float),
        }
    )


@pytest.fixture
def cohort() -> pd.DataFrame:
    # The R vectors, plus one cramp runner without sodium_post and one control
    # runner without sodium_pre: both must be left out.
    df = make_cohort(
        CRAMP_PRE + [139.9], CRAMP_POST + [np.nan], CONTROL_PRE + [np.nan], CONTROL_POST + [140]
    )
    # rows in mixed order: the output order must not depend on input order
    return df.sample(frac=1.0, random_state=3).reset_index(drop=True)


def test_against_r_both_regimes(cohort):
    res = compare_paired(cohort, "sodium")
    assert list(res.columns) == COLUMNS
    assert list(res["group"]) == ["cramp", "control"]
    assert list(res["variable"]) == ["sodium", "sodium"]
    assert list(res["n"]) == [8, 10]
    cramp, control = res.iloc[0], res.iloc[1]
    # t.test(cramp_post, cramp_pre, paired = TRUE)
    np.testing.assert_allclose(cramp["mean_change"], -1.475, rtol=RTOL)
    np.testing.assert_allclose(
        [cramp["ci_low"], cramp["ci_high"]], [-2.45072734098896, -0.499272659011034], rtol=RTOL
    )
    np.testing.assert_allclose(cramp["t"], -3.57458546520201, rtol=RTOL)
    assert cramp["df"] == 7
    np.testing.assert_allclose(cramp["p"], 0.00904133116786248, rtol=RTOL)
    # wilcox.test(cramp_post, cramp_pre, paired = TRUE): exact, V = 1
    np.testing.assert_allclose(cramp["p_wilcoxon"], 0.015625, rtol=RTOL)
    assert cramp["method"] == "paired t-test; Wilcoxon signed rank exact test"
    # t.test(control_post, control_pre, paired = TRUE)
    np.testing.assert_allclose(control["mean_change"], 0.5, rtol=RTOL)
    np.testing.assert_allclose(
        [control["ci_low"], control["ci_high"]], [-0.680278678087797, 1.6802786780878], rtol=RTOL
    )
    np.testing.assert_allclose(control["t"], 0.95831484749991, rtol=RTOL)
    assert control["df"] == 9
    np.testing.assert_allclose(control["p"], 0.362938238679129, rtol=RTOL)
    # wilcox.test(control_post, control_pre, paired = TRUE): a zero and ties,
    # normal with continuity correction, V = 32.5
    np.testing.assert_allclose(control["p_wilcoxon"], 0.243589709493967, rtol=RTOL)
    assert control["method"] == (
        "paired t-test; Wilcoxon signed rank test with continuity correction"
    )


def test_confidence_level(cohort):
    # t.test(cramp_post, cramp_pre, paired = TRUE, conf.level = 0.90)
    res = compare_paired(cohort, "sodium", confidence_level=0.90)
    np.testing.assert_allclose(
        res.loc[0, ["ci_low", "ci_high"]].to_numpy(dtype=float),
        [-2.25676993380401, -0.693230066195986],
        rtol=RTOL,
    )


@pytest.mark.parametrize(
    ("pre", "post", "p_wilcoxon"),
    [
        # zeros only: wilcox.test(z_post, z_pre, paired = TRUE) -> normal
        ([10.0, 11.5, 9.8, 12.1, 10.4, 11.0], [10.0, 12.6, 9.1, 14.0, 11.3, 13.5],
         0.105645429201877),
        # ties only: wilcox.test(t_post, t_pre, paired = TRUE) -> normal
        ([5, 7, 6, 9, 8, 4, 6], [6, 9, 7, 8, 11, 6, 9], 0.0494116203902099),
    ],
)  # fmt: skip
def test_wilcoxon_zeros_or_ties_use_normal(pre, post, p_wilcoxon):
    res = compare_paired(make_cohort(pre, post), "sodium")
    np.testing.assert_allclose(res.loc[0, "p_wilcoxon"], p_wilcoxon, rtol=RTOL)
    assert res.loc[0, "method"].endswith("continuity correction")


def _n50():
    i = np.arange(1, 51)
    pre = 140 + i / 10
    post = pre + ((i * 37) % 101) / 4 - 12.6
    return pre, post


def test_wilcoxon_n50_normal_and_n49_exact():
    pre, post = _n50()
    # i <- 1:50; n50_pre <- 140 + i / 10; n50_post <- n50_pre + ((i * 37) %% 101) / 4 - 12.6
    # wilcox.test(n50_post, n50_pre, paired = TRUE): n = 50 is not < 50 -> normal
    res = compare_paired(make_cohort(pre, post), "sodium")
    np.testing.assert_allclose(res.loc[0, "p_wilcoxon"], 0.976896623358224, rtol=RTOL)
    assert res.loc[0, "method"].endswith("continuity correction")
    # t.test(n50_post, n50_pre, paired = TRUE)
    np.testing.assert_allclose(res.loc[0, "p"], 0.949982579504846, rtol=RTOL)
    # wilcox.test(n50_post[1:49], n50_pre[1:49], paired = TRUE) -> exact
    res = compare_paired(make_cohort(pre[:49], post[:49]), "sodium")
    np.testing.assert_allclose(res.loc[0, "p_wilcoxon"], 0.905843557195151, rtol=RTOL)
    assert res.loc[0, "method"].endswith("exact test")
    np.testing.assert_allclose(res.loc[0, "mean_change"], 0.160204081632659, rtol=RTOL)


def test_constant_and_zero_differences():
    # t.test(c(2, 3, 4), c(1, 2, 3), paired = TRUE): "data are essentially constant"
    # wilcox.test(c(2, 3, 4), c(1, 2, 3), paired = TRUE)$p.value == 0.148914673178766
    # wilcox.test(c(1, 2, 3), c(1, 2, 3), paired = TRUE)$p.value is NaN
    res = compare_paired(make_cohort([1, 2, 3], [2, 3, 4], [1, 2, 3], [1, 2, 3]), "sodium")
    cramp, control = res.iloc[0], res.iloc[1]
    assert cramp["mean_change"] == 1.0
    assert np.isnan([cramp["t"], cramp["p"], cramp["ci_low"], cramp["ci_high"]]).all()
    np.testing.assert_allclose(cramp["p_wilcoxon"], 0.148914673178766, rtol=RTOL)
    assert control["mean_change"] == 0.0
    assert np.isnan(control["p_wilcoxon"])


def test_not_rounded(cohort):
    res = compare_paired(cohort, "sodium")
    # mean of the float differences, not a rounded -1.475
    expected = float(np.mean(np.array(CRAMP_POST) - np.array(CRAMP_PRE)))
    assert res.loc[0, "mean_change"] == expected


def test_missing_columns_named_together():
    df = pd.DataFrame({"grp": ["cramp"], "sodium_pre": [140.0]})
    with pytest.raises(KeyError, match=r"'group', 'sodium_post'.*`base`='sodium'"):
        compare_paired(df, "sodium")


def test_non_numeric_column(cohort):
    df = cohort.assign(sodium_post=cohort["sodium_post"].astype(str))
    with pytest.raises(TypeError, match=r"Column `sodium_post` must be numeric; got dtype"):
        compare_paired(df, "sodium")


def test_unknown_group_label(cohort):
    df = cohort.copy()
    df.loc[0, "group"] = "Cramp"
    with pytest.raises(ValueError, match=r"`group` must hold only.*got 'Cramp' in 1 row"):
        compare_paired(df, "sodium")


def test_fewer_than_two_pairs_gives_a_nan_row_that_says_why():
    df = make_cohort([140.0, 141.0], [139.0, np.nan])
    table = compare_paired(df, "sodium").set_index("group")
    cramp = table.loc["cramp"]
    assert cramp["n"] == 1
    assert np.isnan(cramp["p"]) and np.isnan(cramp["ci_low"]) and np.isnan(cramp["p_wilcoxon"])
    assert "fewer than 2 runners with both `sodium_pre` and `sodium_post`" in cramp["note"]
    assert "group 'cramp' (n = 1)" in cramp["note"]
    assert table.loc["control", "note"] == ""
    assert np.isfinite(table.loc["control", "p"])


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1])
def test_bad_confidence_level(cohort, level):
    with pytest.raises(ValueError, match=rf"`confidence_level` must be strictly.*got {level}"):
        compare_paired(cohort, "sodium", confidence_level=level)
