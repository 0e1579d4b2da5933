"""compare_groups against R and against the primitives it assembles."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import compare_groups
from analysis.compare import DEFAULT_SEED, default_variables
from analysis.paths import PROJECT_ROOT

# tests/reference/compare_groups.R, on data/marathon_synthetic.csv:
#   tt <- t.test(x, y)        # Welch, 95 % CI
#   wt <- wilcox.test(x, y)   # exact if n < 50 and no ties, else normal approx + continuity
# with x = cramp, y = control; R 4.2.2; values written by write.csv (15 digits).
R_REFERENCE = pd.read_csv(PROJECT_ROOT / "tests" / "reference" / "compare_groups.csv")
REL = 1e-6  # closed forms: the tolerance


@pytest.fixture(scope="module")
def table(marathon):
    return compare_groups(marathon, list(R_REFERENCE["variable"]), n_resamples=2000)


@pytest.mark.parametrize(
    "column,r_column",
    [
        ("mean_diff", "mean_diff"),
        ("ci_low", "ci_low"),
        ("ci_high", "ci_high"),
        ("t", "t"),
        ("df", "df"),
        ("p_welch", "p_welch"),
        ("p_mannwhitney", "p_mannwhitney"),
    ],
)
def test_matches_r(table, column, r_column):
    ours = table.set_index("variable").loc[R_REFERENCE["variable"], column].to_numpy(float)
    np.testing.assert_allclose(ours, R_REFERENCE[r_column].to_numpy(float), rtol=REL)


def test_group_summaries_and_direction(table, marathon):
    row = table.set_index("variable").loc["sodium_post"]
    cramp = marathon.loc[marathon["group"] == "cramp", "sodium_post"]
    control = marathon.loc[marathon["group"] == "control", "sodium_post"]
    assert row["n_cramp"] == 15 and row["n_control"] == 67
    assert row["mean_cramp"] == pytest.approx(cramp.mean(), rel=1e-12)
    assert row["sd_control"] == pytest.approx(control.std(ddof=1), rel=1e-12)
    assert row["mean_diff"] == pytest.approx(cramp.mean() - control.mean(), rel=1e-12)
    assert row["unit"] == "mmol/L"
    assert table.set_index("variable").loc["pv_change", "unit"] == "%"


def test_student_p_is_scipys_pooled_test(table, marathon):
    x = marathon.loc[marathon["group"] == "cramp", "potassium_post"]
    y = marathon.loc[marathon["group"] == "control", "potassium_post"]
    expected = stats.ttest_ind(x, y, equal_var=True).pvalue
    assert table.set_index("variable").loc["potassium_post", "p_student"] == pytest.approx(
        expected, rel=1e-12
    )


def test_holm_is_within_the_named_family_over_the_whole_family(table, marathon):
    from analysis.multiplicity import holm

    rows = table.set_index("variable")
    assert rows.loc["sodium_post", "family"] == "primary"
    assert rows.loc["sodium_pre", "family"] == "baseline"
    # change = post - pre re-asks the post-race question: not counted twice
    assert rows.loc["sodium_change", "family"] == "redundant"
    assert np.isnan(rows.loc["sodium_change", "p_holm"])
    full = compare_groups(marathon, ["sodium_post", "potassium_post", "pv_change"], n_resamples=500)
    expected = holm(full["p_welch"].to_numpy())
    np.testing.assert_allclose(full["p_holm"], expected, rtol=1e-12)
    # the primary family is the whole family even when the call holds one member
    alone = compare_groups(marathon, ["sodium_post"], n_resamples=500)
    assert alone["p_holm"].iloc[0] == pytest.approx(expected[0], rel=1e-12)
    assert rows.loc["sodium_post", "p_holm"] == pytest.approx(expected[0], rel=1e-12)
    # baseline family: Holm over every pre-race analyte present, not just the call's two
    pre = [c for c in default_variables(marathon) if c.endswith("_pre")]
    every_pre = compare_groups(marathon, pre, n_resamples=500).set_index("variable")
    assert rows.loc["potassium_pre", "p_holm"] == pytest.approx(
        every_pre.loc["potassium_pre", "p_holm"], rel=1e-12
    )


# tests/reference/adjusted.R writes mtcars.csv (group = cramp when am == 1) and
# adjusted_holm.csv: R t.test(x, y)$p.value and p.adjust(p, "holm") over six variables.
R_HOLM = pd.read_csv(PROJECT_ROOT / "tests" / "reference" / "adjusted_holm.csv")
MTCARS = pd.read_csv(PROJECT_ROOT / "tests" / "reference" / "mtcars.csv")


def test_adding_variables_does_not_change_a_primary_p_holm():
    # the issue: hp had p_holm 0.221 alone and 0.419 in a six-variable call
    six = list(R_HOLM["variable"])
    hp_primary = {"hp": "primary"}
    alone = compare_groups(MTCARS, ["hp"], families=hp_primary, n_resamples=200)
    many = compare_groups(MTCARS, six, families=hp_primary, n_resamples=200).set_index("variable")
    ref = R_HOLM.set_index("variable")
    assert alone["p_holm"].iloc[0] == pytest.approx(ref.loc["hp", "p_holm_alone"], rel=REL)
    assert many.loc["hp", "p_holm"] == pytest.approx(ref.loc["hp", "p_holm_alone"], rel=REL)
    # the other five form the 'unspecified' family of the call; R's Holm over all six differs
    assert many.loc["hp", "p_holm"] < ref.loc["hp", "p_holm_six"]
    everything = {v: "mine" for v in six}
    named = compare_groups(MTCARS, six, families=everything, n_resamples=200).set_index("variable")
    np.testing.assert_allclose(named.loc[six, "p_holm"], ref.loc[six, "p_holm_six"], rtol=REL)


def test_margin_in_sd_units_and_smallest_margin(table):

    rows = table.set_index("variable")
    row = rows.loc["sodium_post"]
    sd = np.sqrt(
        (
            (row["n_cramp"] - 1) * row["sd_cramp"] ** 2
            + (row["n_control"] - 1) * row["sd_control"] ** 2
        )
        / (row["n_cramp"] + row["n_control"] - 2)
    )
    assert row["margin_sd"] == pytest.approx(row["margin"] / sd, rel=1e-12)
    assert row["smallest_margin"] == pytest.approx(
        max(abs(row["tost_ci_low"]), abs(row["tost_ci_high"])), rel=1e-12
    )
    # the verdict for any margin: equivalent just above the smallest margin, not just below
    assert np.isfinite(rows.loc["sodium_pre", "smallest_margin"])
    assert row["p_tost_holm"] >= row["p_tost"]
    assert "Holm within family 'primary' (3 tests)" == row["equivalence_adjustment"]


def test_default_margins_and_override(marathon):
    table = compare_groups(
        marathon, ["sodium_post", "age_years"], margins={"sodium": 2}, n_resamples=500
    )
    rows = table.set_index("variable")
    assert rows.loc["sodium_post", "margin"] == 2
    assert bool(rows.loc["sodium_post", "equivalent"]) == (rows.loc["sodium_post", "p_tost"] < 0.05)
    assert np.isnan(rows.loc["age_years", "margin"])
    assert pd.isna(rows.loc["age_years", "equivalent"])
    assert "no equivalence margin" in rows.loc["age_years", "note"]
    default = compare_groups(marathon, ["pv_change"], n_resamples=500)
    assert default.loc[0, "margin"] == 5.0


def test_tost_ci_is_90_percent_welch(table, marathon):
    row = table.set_index("variable").loc["sodium_pre"]
    x = marathon.loc[marathon["group"] == "cramp", "sodium_pre"]
    y = marathon.loc[marathon["group"] == "control", "sodium_pre"]
    ci = stats.ttest_ind(x, y, equal_var=False).confidence_interval(0.90)
    assert (row["tost_ci_low"], row["tost_ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
    # equivalent exactly when the 90 % CI lies inside the margin
    inside = -row["margin"] < ci.low and ci.high < row["margin"]
    assert bool(row["equivalent"]) == inside


def test_mde_in_units_is_mde_d_times_pooled_sd(table):
    row = table.set_index("variable").loc["sodium_post"]
    n1, n2, s1, s2 = row[["n_cramp", "n_control", "sd_cramp", "sd_control"]]
    pooled = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
    assert row["mde"] == pytest.approx(row["mde_d"] * pooled, rel=1e-12)
    assert 0.7 < row["mde_d"] < 0.9  # pwr.t2n.test(15, 67, power = .8)$d = 0.8100


def test_provenance_columns(table):
    assert (table["seed"] == DEFAULT_SEED).all()
    assert (table["n_resamples"] == 2000).all()
    assert table["method"].str.contains("Welch t-test, 95% Welch CI").all()
    assert table["method"].str.contains("BCa").all()
    assert (table["confidence_level"] == 0.95).all()


def test_reproducible_with_the_same_seed(marathon):
    a = compare_groups(marathon, ["sodium_post"], n_resamples=1000, seed=7)
    b = compare_groups(marathon, ["sodium_post"], n_resamples=1000, seed=7)
    pd.testing.assert_frame_equal(a, b)


def test_bootstrap_ci_close_to_welch_ci(table):
    # different methods, same target: BCa and Welch intervals agree to within 15 %
    width = table["ci_high"] - table["ci_low"]
    assert ((table["boot_ci_low"] - table["ci_low"]).abs() < 0.15 * width).all()
    assert ((table["boot_ci_high"] - table["ci_high"]).abs() < 0.15 * width).all()


def test_default_variables(marathon):
    names = default_variables(marathon)
    assert names[:3] == ["sodium_pre", "sodium_post", "sodium_change"]
    assert names[-1] == "pv_change"
    assert "age_years" not in names


def test_missing_values_are_left_out_per_variable(marathon):
    cohort = marathon.copy()
    cohort.loc[cohort.index[:3], "sodium_post"] = np.nan
    table = compare_groups(cohort, ["sodium_post", "sodium_pre"], n_resamples=500)
    lost = cohort.loc[cohort.index[:3], "group"].value_counts()
    row = table.set_index("variable").loc["sodium_post"]
    assert row["n_cramp"] + row["n_control"] == 82 - 3
    assert row["n_cramp"] == 15 - lost.get("cramp", 0)
    assert table.set_index("variable").loc["sodium_pre", "n_control"] == 67


def test_degenerate_groups_give_nan_with_reason():
    cohort = pd.DataFrame(
        {
            "group": ["cramp", "control", "control", "control"],
            "sodium_post": [140.0, 141.0, 142.0, 143.0],
            "potassium_post": [4.0, 4.0, 4.0, np.nan],
        }
    )
    cohort.loc[len(cohort)] = ["cramp", 141.0, 4.0]
    table = compare_groups(cohort, ["sodium_post", "potassium_post"], n_resamples=500)
    rows = table.set_index("variable")
    assert np.isfinite(rows.loc["sodium_post", "p_welch"])
    assert np.isnan(rows.loc["potassium_post", "p_welch"])
    assert "no variation within either group" in rows.loc["potassium_post", "note"]
    one = compare_groups(cohort.iloc[1:4], ["sodium_post"], n_resamples=500)
    assert "fewer than 2 values in group 'cramp' (n = 0)" in one.loc[0, "note"]


def test_errors_name_the_problem(marathon):
    with pytest.raises(KeyError, match="'natrium', which is not a column"):
        compare_groups(marathon, ["natrium"])
    with pytest.raises(TypeError, match="variable 'subject_id' must be numeric"):
        compare_groups(marathon, ["subject_id"])
    with pytest.raises(KeyError, match="no 'group' column"):
        compare_groups(marathon.drop(columns="group"), ["sodium_post"])
    for level in (95, 0.5, 0.3):
        with pytest.raises(
            ValueError, match=r"`confidence_level` must be strictly between 0.5 and 1"
        ):
            compare_groups(marathon, ["sodium_post"], confidence_level=level)
    with pytest.raises(ValueError, match=r"`n_resamples` must be an integer of at least 100"):
        compare_groups(marathon, ["sodium_post"], n_resamples=10.5)
    for bad in (-1, True, "2"):
        with pytest.raises(ValueError, match=r"`margins\['sodium'\]` must be a positive number"):
            compare_groups(marathon, ["sodium_post"], margins={"sodium": bad})
    # NumPy numbers are numbers
    table = compare_groups(
        marathon, ["sodium_post"], margins={"sodium": np.int64(2)}, n_resamples=200
    )
    assert table.loc[0, "margin"] == 2


# --------------------------------------------------------------------------- #
# issue 12: robust columns, honest labels, no silent drops
# --------------------------------------------------------------------------- #
def _two_groups(x, y, name="sodium_post"):
    return pd.DataFrame({"group": ["cramp"] * len(x) + ["control"] * len(y), name: [*x, *y]})


def test_new_columns_are_the_library_functions(marathon):
    from analysis.bayes import bf01_max
    from analysis.compare import group_values
    from analysis.resampling import bootstrap_t_mean_diff_ci, permutation_test_welch

    table = compare_groups(marathon, ["sodium_post"], n_resamples=2_000)
    row = table.iloc[0]
    x, y = group_values(marathon, "sodium_post")
    sperm = permutation_test_welch(x, y, n_resamples=2_000)
    boot_t = bootstrap_t_mean_diff_ci(x, y, n_resamples=2_000)
    assert row["p_permutation_studentized"] == sperm.pvalue
    assert (row["boot_t_ci_low"], row["boot_t_ci_high"]) == (boot_t.ci_low, boot_t.ci_high)
    assert row["bf01"] == pytest.approx(1 / row["bf10"], rel=1e-12)
    assert row["bf01_max"] == bf01_max(15, 67)
    assert row["bf01"] <= row["bf01_max"]
    # method names every column and says which ones assume equal spread
    method = row["method"]
    assert "p_student: Student t-test (assumes equal spread)" in method
    assert (
        "p_permutation: Monte-Carlo permutation of the mean difference (2000 resamples) "
        "(assumes equal spread" in method
    )
    assert (
        "p_permutation_studentized: Monte-Carlo studentized permutation of the Welch t "
        "(2000 resamples)" in method
    )
    assert "boot_t_ci: 95% bootstrap-t CI (2000 resamples)" in method
    assert "boot_ci: 95% BCa bootstrap CI (2000 resamples)" in method


@pytest.mark.parametrize(
    ("level", "label", "tost_label"),
    [
        (0.975, "97.5%", "95%"),
        (0.995, "99.5%", "99%"),
        (0.999, "99.9%", "99.8%"),
        (0.9, "90%", "80%"),
    ],
)
def test_confidence_level_labels_keep_their_digits(marathon, level, label, tost_label):
    table = compare_groups(marathon, ["sodium_post"], n_resamples=200, confidence_level=level)
    method = table.loc[0, "method"]
    assert f"Welch t-test, {label} Welch CI" in method
    assert f"Welch TOST ({tost_label} CI)" in method
    assert "100%" not in method and "98%" not in method


def test_unknown_group_labels_raise_naming_them(marathon):
    cohort = marathon.copy()
    cohort["group"] = cohort["group"].astype(object)
    cohort.loc[cohort.index[:5], "group"] = "Cramp"
    with pytest.raises(ValueError, match=r"`group` must hold only .*got 'Cramp' in 5 row\(s\)"):
        compare_groups(cohort, ["sodium_post"])


def test_constant_different_groups_still_get_rank_and_permutation_tests():
    table = compare_groups(_two_groups([5.0] * 6, [7.0] * 7), ["sodium_post"], n_resamples=500)
    row = table.iloc[0]
    # wilcox.test(rep(5, 6), rep(7, 7))$p.value (studentized.Rout)
    assert row["p_mannwhitney"] == pytest.approx(0.000720589631971622, rel=1e-10)
    # exact permutation: only the observed split (of 1716) is as extreme, two-sided 2/1716
    assert row["p_permutation"] == pytest.approx(2 / 1716, rel=1e-12)
    assert row["p_permutation_studentized"] == pytest.approx(0.00116550116550117, rel=1e-12)
    for column in ("p_welch", "p_student", "ci_low", "hedges_g", "bf10", "boot_ci_low",
                   "boot_t_ci_low", "p_brunnermunzel", "p_tost"):  # fmt: skip
        assert np.isnan(row[column]), column
    note = row["note"]
    assert "no variation within either group" in note
    assert "p_brunnermunzel undefined: complete separation (every cramp value below" in note
    assert "boot_ci not computed" in note and "boot_t_ci not computed" in note
    assert "exact permutation (all 1716 splits)" in row["method"]


def test_brunner_munzel_nan_has_a_reason():
    table = compare_groups(_two_groups([1.0, 2.0], [3.0, 4.5]), ["sodium_post"], n_resamples=200)
    row = table.iloc[0]
    assert np.isnan(row["p_brunnermunzel"])
    assert (
        "p_brunnermunzel undefined: complete separation (every cramp value below every "
        "control value)" in row["note"]
    )
    assert np.isfinite(row["p_welch"]) and np.isfinite(row["p_permutation"])


def test_no_column_holds_another_method(monkeypatch):
    from analysis import resampling

    rng = np.random.default_rng(4)
    cohort = _two_groups(rng.normal(140, 3, 30), rng.normal(141, 3, 40))
    # make both groups "large": every resampling method would fall back to Welch
    monkeypatch.setattr(resampling, "RESAMPLING_MAX_N", 50)
    monkeypatch.setattr(resampling, "ASYMPTOTIC_MIN_GROUP", 20)
    row = compare_groups(cohort, ["sodium_post"], n_resamples=200).iloc[0]
    for column in ("p_permutation", "p_permutation_studentized", "boot_ci_low", "boot_ci_high",
                   "boot_t_ci_low", "boot_t_ci_high"):  # fmt: skip
        assert np.isnan(row[column]), column
    assert np.isfinite(row["p_welch"])
    assert (
        "p_permutation not computed (asymptotic Student pooled t-test (equal spread assumed) "
        "(n=70 > RESAMPLING_MAX_N" in row["note"]
    )
    assert "p_permutation: not computed" in row["method"]
    assert row["n_resamples"] == 0


def test_three_against_many_controls_are_resampled():
    from scipy import stats

    controls = stats.lognorm.ppf((np.arange(1, 5001) - 0.5) / 5000, 0.5, scale=3.0)
    cohort = _two_groups([2.9, 3.4, 9.5], controls)
    row = compare_groups(cohort, ["sodium_post"], n_resamples=1_000).iloc[0]
    assert "p_permutation: Monte-Carlo permutation" in row["method"]
    assert "boot_ci: 95% BCa bootstrap CI (1000 resamples)" in row["method"]
    assert row["p_permutation"] != pytest.approx(row["p_welch"], rel=0.1)
    assert row["n_resamples"] == 1_000


def test_rows_without_a_margin_say_no_verdict(marathon):
    from analysis import compare_groups

    t = compare_groups(marathon).set_index("variable")
    assert t.loc["haemoglobin_post", "equivalence_adjustment"] == "no margin: no verdict"
    assert t.loc["haemoglobin_change", "equivalence_adjustment"] == "no margin: no verdict"


def test_equivalent_at_half_sd_sensitivity_column(marathon):
    from analysis import compare_groups

    t = compare_groups(marathon, n_resamples=200)
    rows = t[t["margin"].notna()]
    sd = rows["margin"] / rows["margin_sd"]
    expected = rows["smallest_margin"] < 0.5 * sd
    assert (rows["equivalent_at_half_sd"].astype(bool) == expected).all()
