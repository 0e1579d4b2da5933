"""Tests for analysis.summaries against R t.test and metafor (tests/reference/closed_form.R).

R has no t test from summaries, so the script runs t.test() on vectors built to
have exactly the printed mean and SD: ``exact(n, m, s)``.
"""

import math

import numpy as np
import pytest
from scipy import stats

from analysis.summaries import check_reported_p, compare_summary

REL = 1e-6  # closed form


# --------------------------------------------------------------------------
# compare_summary
# --------------------------------------------------------------------------


def test_schwellnus_sodium_matches_t_test():
    res = compare_summary(21, 139.8, 3.1, 22, 142.3, 2.1)
    # t.test(exact(21, 139.8, 3.1), exact(22, 142.3, 2.1))  (Welch)
    assert res.t_welch == pytest.approx(-3.08178812022480653, rel=REL)
    assert res.df_welch == pytest.approx(34.96884941670486313, rel=REL)
    assert res.p_welch == pytest.approx(0.00399691773184594, rel=REL)
    assert res.ci_low == pytest.approx(-4.14691122288551917, rel=REL)
    assert res.ci_high == pytest.approx(-0.85308877711448072, rel=REL)
    # t.test(exact(21, 139.8, 3.1), exact(22, 142.3, 2.1), var.equal = TRUE)
    assert res.t_student == pytest.approx(-3.10914574153195877, rel=REL)
    assert res.df_student == 41
    assert res.p_student == pytest.approx(0.00340564874435436, rel=REL)
    # summary(escalc("SMD", m1i=139.8, sd1i=3.1, n1i=21, m2i=142.3, sd2i=2.1, n2i=22))
    assert res.hedges_g == pytest.approx(-0.931061415952719, rel=REL)
    assert res.hedges_g_ci_low == pytest.approx(-1.560553332303569, rel=REL)
    assert res.hedges_g_ci_high == pytest.approx(-0.301569499601869, rel=REL)
    assert res.mean_diff == pytest.approx(-2.5, rel=1e-12)


def test_schwellnus_magnesium_matches_t_test():
    res = compare_summary(21, 0.73, 0.06, 22, 0.67, 0.08)
    # t.test(exact(21, 0.73, 0.06), exact(22, 0.67, 0.08))
    assert res.p_welch == pytest.approx(0.00811485110086443, rel=REL)
    assert res.ci_low == pytest.approx(0.01650336042274379, rel=REL)
    assert res.ci_high == pytest.approx(0.10349663957725608, rel=REL)
    # t.test(exact(21, 0.73, 0.06), exact(22, 0.67, 0.08), var.equal = TRUE)
    assert res.p_student == pytest.approx(0.0083434295213564, rel=REL)
    # summary(escalc("SMD", m1i=0.73, sd1i=0.06, n1i=21, m2i=0.67, sd2i=0.08, n2i=22))
    assert res.hedges_g == pytest.approx(0.830065457817002, rel=REL)
    assert res.hedges_g_ci_low == pytest.approx(0.206916117133789, rel=REL)


def test_kona_potassium_large_samples_match_t_test():
    res = compare_summary(2859, 4.3, 0.7, 7670, 4.2, 0.6)
    # t.test(exact(2859, 4.3, 0.7), exact(7670, 4.2, 0.6))
    assert res.t_welch == pytest.approx(6.76781614146049, rel=REL)
    assert res.df_welch == pytest.approx(4.51161873581575e03, rel=REL)
    assert res.p_welch == pytest.approx(1.47479806203871e-11, rel=REL)
    assert res.ci_low == pytest.approx(7.10321631672644e-02, rel=REL)
    # t.test(exact(2859, 4.3, 0.7), exact(7670, 4.2, 0.6), var.equal = TRUE)
    assert res.p_student == pytest.approx(4.18805775638548e-13, rel=REL)


def test_agrees_with_scipy_ttest_ind_from_stats():
    for equal_var, p in ((True, "p_student"), (False, "p_welch")):
        ref = stats.ttest_ind_from_stats(0.73, 0.06, 21, 0.67, 0.08, 22, equal_var=equal_var)
        assert getattr(compare_summary(21, 0.73, 0.06, 22, 0.67, 0.08), p) == pytest.approx(
            ref.pvalue, rel=1e-10
        )


def test_confidence_level_is_used():
    wide = compare_summary(21, 139.8, 3.1, 22, 142.3, 2.1, confidence_level=0.99)
    narrow = compare_summary(21, 139.8, 3.1, 22, 142.3, 2.1, confidence_level=0.90)
    assert wide.ci_low < narrow.ci_low < narrow.ci_high < wide.ci_high
    assert wide.confidence_level == 0.99


def test_compare_summary_errors():
    with pytest.raises(ValueError, match=r"`sd_control` must be non-negative; got -2.1"):
        compare_summary(21, 139.8, 3.1, 22, 142.3, -2.1)
    with pytest.raises(ValueError, match=r"both groups have zero standard deviation"):
        compare_summary(21, 139.8, 0, 22, 142.3, 0)
    with pytest.raises(ValueError, match=r"`confidence_level` must be a number strictly"):
        compare_summary(21, 139.8, 3.1, 22, 142.3, 2.1, confidence_level=0)


# --------------------------------------------------------------------------
# check_reported_p
# --------------------------------------------------------------------------


def test_sodium_reproduces_directly():
    res = check_reported_p(21, "139.8", "3.1", 22, "142.3", "2.1", "p = 0.004")
    assert res.reported_interval == pytest.approx((0.0035, 0.0045))
    # t.test(exact(21, 139.8, 3.1), exact(22, 142.3, 2.1))$p.value
    assert res.p_welch_at_printed == pytest.approx(0.00399691773184594, rel=REL)
    assert res.p_student_at_printed == pytest.approx(0.00340564874435436, rel=REL)
    assert res.consistent_at_printed
    assert res.consistent_welch and res.consistent_student and res.consistent
    assert res.box["mean_cramp"] == pytest.approx((139.75, 139.85))
    assert res.box["sd_control"] == pytest.approx((2.05, 2.15))


def test_magnesium_inconsistent_at_face_value_but_consistent_in_the_box():
    res = check_reported_p(21, "0.73", "0.06", 22, "0.67", "0.08", "0.03")
    assert not res.consistent_at_printed  # p ~ 0.008
    assert res.consistent and res.consistent_welch and res.consistent_student
    # The largest p: means 0.725 vs 0.675 and the largest SDs, 0.065 and 0.085.
    # t.test(exact(21, 0.725, 0.065), exact(22, 0.675, 0.085))$p.value
    assert res.p_welch_max == pytest.approx(0.03591546848667605, rel=REL)
    # t.test(exact(21, 0.725, 0.065), exact(22, 0.675, 0.085), var.equal = TRUE)$p.value
    assert res.p_student_max == pytest.approx(0.03673985322523812, rel=REL)
    # across the rounding box of the printed values the p-value spans roughly 0.001 to 0.04
    assert 0.001 < res.p_welch_min < 0.0015
    assert 0.001 < res.p_student_min < 0.0015


def _welch_p_on_a_grid(n1, sd1, n2, sd2, abs_diff, size=401):
    s1, s2 = np.meshgrid(np.linspace(*sd1, size), np.linspace(*sd2, size))
    v1, v2 = s1**2 / n1, s2**2 / n2
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    return 2 * stats.t.sf(abs_diff / np.sqrt(v1 + v2), df)


@pytest.mark.parametrize(
    "case",
    [
        (21, "0.73", "0.06", 22, "0.67", "0.08"),
        (3, "5.1", "0.2", 40, "4.6", "1.9"),  # very unequal n: df moves a lot
        (2, "1.0", "0.1", 50, "0.5", "0.3"),
    ],
)
def test_welch_extremes_are_not_beaten_by_a_dense_grid(case):
    # Oracle: brute force over a 401 x 401 grid of the SD box.
    n1, m1, s1, n2, m2, s2 = case
    res = check_reported_p(n1, m1, s1, n2, m2, s2, "0.05")
    half = 0.5 * 10.0 ** -len(m1.split(".")[1])
    diffs = (abs(float(m1) - float(m2)) - 2 * half, abs(float(m1) - float(m2)) + 2 * half)
    sd1 = (float(s1) - half, float(s1) + half)
    sd2 = (float(s2) - half, float(s2) + half)
    grid_min = _welch_p_on_a_grid(n1, sd1, n2, sd2, diffs[1]).min()
    grid_max = _welch_p_on_a_grid(n1, sd1, n2, sd2, max(diffs[0], 0)).max()
    assert res.p_welch_min <= grid_min * (1 + 1e-9)
    assert res.p_welch_max >= grid_max * (1 - 1e-9)
    assert res.p_welch_min == pytest.approx(grid_min, rel=1e-3)
    assert res.p_welch_max == pytest.approx(grid_max, rel=1e-3)


def test_kona_integer_means_hide_the_difference():
    sodium = check_reported_p(2859, "140", "7", 7670, "139", "7", ".007")
    # t.test(exact(2859, 140, 7), exact(7670, 139, 7))$p.value: 7.7e-11, not .007
    assert sodium.p_welch_at_printed == pytest.approx(7.73338137577051e-11, rel=REL)
    assert not sodium.consistent_at_printed
    assert sodium.consistent
    assert sodium.p_welch_max == 1.0  # the means may be equal within rounding
    assert sodium.reported_interval == pytest.approx((0.0065, 0.0075))
    potassium = check_reported_p(2859, "4.3", "0.7", 7670, "4.2", "0.6", "<.001")
    assert potassium.reported_interval == (0.0, 0.001)
    assert potassium.consistent_at_printed and potassium.consistent


def test_clearly_inconsistent_report():
    res = check_reported_p(21, "139.8", "3.1", 22, "142.3", "2.1", "0.40")
    assert res.p_welch_max < 0.01
    assert not res.consistent_student
    assert not res.consistent_welch
    assert not res.consistent


def test_student_only_consistency_is_reported_separately():
    # Kona potassium at face value: Student 4.2e-13, Welch 1.5e-11; a report of
    # "p < 1e-12" fits Student only (with decimals pinned so the box is tiny).
    exact = {"mean_cramp": 6, "sd_cramp": 6, "mean_control": 6, "sd_control": 6}
    res = check_reported_p(2859, 4.3, 0.7, 7670, 4.2, 0.6, "<0.000000000001", decimals=exact)
    assert res.consistent_student and not res.consistent_welch and res.consistent


def test_numbers_with_decimals_equal_strings():
    from_text = check_reported_p(21, "0.73", "0.06", 22, "0.67", "0.08", "0.03")
    from_numbers = check_reported_p(
        21,
        0.73,
        0.06,
        22,
        0.67,
        0.08,
        0.03,
        decimals={
            **dict.fromkeys(("mean_cramp", "sd_cramp", "mean_control", "sd_control"), 2),
            "reported_p": 2,
        },
    )
    assert from_numbers.p_welch_min == pytest.approx(from_text.p_welch_min, rel=1e-12)
    assert from_numbers.reported_interval == pytest.approx(from_text.reported_interval)
    int_decimals = check_reported_p(21, 0.73, 0.06, 22, 0.67, 0.08, "0.03", decimals=2)
    for name, bounds in from_text.box.items():
        assert int_decimals.box[name] == pytest.approx(bounds)


@pytest.mark.parametrize(
    ("text", "interval"),
    [
        ("0.03", (0.025, 0.035)),
        (".007", (0.0065, 0.0075)),
        ("p = 0.004", (0.0035, 0.0045)),
        ("P=.05", (0.045, 0.055)),
        ("<.001", (0.0, 0.001)),
        ("p < 0.05", (0.0, 0.05)),
        ("> 0.2", (0.2, 1.0)),
        ("1.00", (0.995, 1.0)),
    ],
)
def test_reported_p_parsing(text, interval):
    res = check_reported_p(21, "139.8", "3.1", 22, "142.3", "2.1", text)
    assert res.reported_interval == pytest.approx(interval)
    assert res.reported_p == text


def test_sd_box_reaching_zero_is_floored():
    res = check_reported_p(10, "5.0", "0.0", 10, "4.0", "0.1", "<.001")
    assert 0 < res.box["sd_cramp"][0] < 1e-9
    assert math.isfinite(res.p_welch_min) and res.p_welch_min < 1e-10


def test_both_printed_sds_zero_raise():
    with pytest.raises(ValueError, match=r"both groups have zero standard deviation"):
        check_reported_p(10, "5.0", "0.0", 10, "4.0", "0.0", "<.001")


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (
            {"mean_cramp": "0.7x"},
            ValueError,
            r"`mean_cramp` must be a printed number such as '0.73'; got '0.7x'",
        ),
        (
            {"sd_control": 0.08},
            ValueError,
            r"`sd_control` is the number 0.08, so its printed precision is unknown",
        ),
        ({"sd_cramp": "-0.06"}, ValueError, r"`sd_cramp` must be non-negative; got -0.06"),
        ({"reported_p": "p ~ 0.03"}, ValueError, r"`reported_p` must look like .*; got 'p ~ 0.03'"),
        ({"reported_p": "1.5"}, ValueError, r"`reported_p` must lie in \[0, 1\]; got '1.5'"),
        (
            {"reported_p": 0.03},
            ValueError,
            r"`reported_p` is the number 0.03, so its printed precision",
        ),
        (
            {"mean_cramp": None},
            TypeError,
            r"`mean_cramp` must be a printed string or a finite number; got None",
        ),
        ({"n_cramp": 1}, ValueError, r"`n_cramp` must be at least 2; got 1"),
        ({"decimals": {"mean": 2}}, ValueError, r"`decimals` may name .*; got \['mean'\]"),
        (
            {"decimals": 2.5},
            TypeError,
            r"`decimals` must be an int or a mapping of name to int; got 2.5",
        ),
        (
            {"sd_control": 0.08, "decimals": {"sd_control": "2"}},
            TypeError,
            r"`decimals` for `sd_control` must be an integer; got '2'",
        ),
    ],
)
def test_check_reported_p_errors(kwargs, exc, match):
    args = {
        "n_cramp": 21,
        "mean_cramp": "0.73",
        "sd_cramp": "0.06",
        "n_control": 22,
        "mean_control": "0.67",
        "sd_control": "0.08",
        "reported_p": "0.03",
    }
    decimals = kwargs.pop("decimals", None)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        check_reported_p(*args.values(), decimals=decimals)


# --------------------------------------------------------------------------
# check_reported_p reads fairly (issue 12, item 6); references: reported_p.R
# --------------------------------------------------------------------------
from analysis.summaries import (  # noqa: E402
    NOT_REPRODUCED,
    T_TESTS,
    rank_test_simulation,
)

LDH = (20, "362.27", "72.10", 68, "307.87", "52.42")  # Martínez-Navarro et al. 2022
SODIUM = (21, "139.8", "3.1", 22, "142.3", "2.1")  # Schwellnus et al. 2004
MAGNESIUM = (21, "0.73", "0.06", 22, "0.67", "0.08")


def test_ldh_is_the_one_sided_welch_test():
    res = check_reported_p(*LDH, "p = 0.002")
    # reported_p.Rout: t.test(x, y, alternative = "greater")$p.value = 0.00214381368466038
    assert res.p_welch_at_printed / 2 == pytest.approx(0.00214381368466038, rel=REL)
    assert res.p_welch_one_sided_min <= 0.00214381368466038 <= res.p_welch_one_sided_max
    assert res.reproduced_at_printed == ("one-sided Welch t-test",)
    assert res.verdict == (
        "reproduced by the one-sided Welch t-test at the printed values (4 t-tests tried "
        "(two-sided and one-sided, Welch and Student); a match by one-sided tests only is "
        "also what a two-sided p halved looks like)"
    )
    # the two-sided tests alone would have missed it: 0.0043 and 0.00034
    assert not res.consistent_at_printed and not res.consistent


def test_sodium_two_sided_welch_at_printed_values():
    res = check_reported_p(*SODIUM, "0.004")
    assert res.reproduced_at_printed == ("two-sided Welch t-test",)
    assert "two-sided Welch t-test" in res.reproduced_within_rounding
    assert res.verdict == (
        "reproduced by the two-sided Welch t-test at the printed values"
        " (4 t-tests tried (two-sided and one-sided, Welch and Student))"
    )
    # reported_p.Rout: one-sided Welch (less) 0.00199845886592297
    assert res.p_welch_one_sided_min < 0.00199845886592297 < res.p_welch_one_sided_max


def test_magnesium_two_sided_tests_within_rounding():
    res = check_reported_p(*MAGNESIUM, "0.03")
    assert res.reproduced_at_printed == ()
    assert res.reproduced_within_rounding == ("two-sided Welch t-test", "two-sided Student t-test")
    assert res.verdict == (
        "reproduced by the two-sided Welch t-test and two-sided Student t-test within the "
        "rounding of the printed means and SDs"
        " (4 t-tests tried (two-sided and one-sided, Welch and Student))"
    )
    # reported_p.Rout, box corner: one-sided Welch 0.017957734243338 < 0.025, so no
    # one-sided test reaches the printed 0.03 (interval 0.025 to 0.035)
    assert res.p_welch_one_sided_max == pytest.approx(0.017957734243338, rel=REL)
    assert res.p_student_one_sided_max == pytest.approx(0.0183699266126191, rel=REL)


def test_a_p_that_nothing_reproduces_is_not_called_an_error():
    res = check_reported_p(*SODIUM, "0.41")  # invented: no t-test gives 0.41 here
    assert res.reproduced_at_printed == () and res.reproduced_within_rounding == ()
    assert res.verdict.startswith(NOT_REPRODUCED)
    assert res.verdict == (
        "not reproducible by a t-test from the printed summaries; "
        "the authors may have used another test"
        " (4 t-tests tried (two-sided and one-sided, Welch and Student))"
    )
    assert "inconsistent" not in res.verdict


def test_every_test_named_is_one_of_the_four():
    for args, p in ((LDH, "0.002"), (SODIUM, "0.004"), (MAGNESIUM, "0.03")):
        res = check_reported_p(*args, p)
        assert set(res.reproduced_at_printed) <= set(res.reproduced_within_rounding) <= set(T_TESTS)


def test_rank_simulation_is_labelled_and_reproducible():
    sim = rank_test_simulation(*LDH, "0.002", n_sim=400)
    again = rank_test_simulation(*LDH, "0.002", n_sim=400)
    assert sim == again
    assert sim.label.startswith("simulation check, not a recomputation: Mann-Whitney")
    assert sim.sentence.startswith(sim.label)
    assert sim.p_low <= sim.p_median <= sim.p_high
    assert sim.plausible  # 0.002 is well inside what a rank test gives on such data
    assert 0 < sim.share_as_small < 1


def test_rank_simulation_flags_an_implausible_p_and_uses_the_printed_moments():
    # an invented p = 0.41 lies outside the simulated range; the lognormal
    # parameters give the printed mean and SD (checked on 400,000 draws)
    sim = rank_test_simulation(*SODIUM, "0.41", n_sim=400)
    assert not sim.plausible
    assert "falls outside that range" in sim.sentence
    from analysis.summaries import _lognormal_parameters

    mu, sigma = _lognormal_parameters(139.8, 3.1, "mean_cramp")
    draws = np.random.default_rng(1).lognormal(mu, sigma, 400_000)
    assert draws.mean() == pytest.approx(139.8, rel=1e-3)
    assert draws.std() == pytest.approx(3.1, rel=1e-2)


def test_rank_simulation_errors():
    with pytest.raises(ValueError, match=r"`mean_cramp` must be positive.*got -1.0"):
        rank_test_simulation(10, "-1.0", "0.5", 10, "1.0", "0.5", "0.03")
    with pytest.raises(ValueError, match=r"`n_sim` must be an integer of at least 100; got 10"):
        rank_test_simulation(*SODIUM, "0.03", n_sim=10)
