"""Tests for analysis.resampling, against R (tests/reference/resampling.R, .Rout).

Monte-Carlo tolerances
----------------------
BCa limits: measured over 12 seeds at 10^5 resamples, the Monte-Carlo standard
deviation of a limit is 0.1-0.5 % of the interval width (largest: the upper
limit of the skewed pair); R at 2 x 10^5 adds about 0.4 %. A tolerance of 3 %
of the width is about 4.5 combined standard deviations, and still catches a
wrong interval type (on the skewed pair the percentile interval is 16 % of the
width away). It does not separate scipy's acceleration from the unweighted one
of boot.ci's default (0.7 % of the width apart here; see resampling.R).

Permutation p: the binomial standard error at B resamples is sqrt(p(1-p)/B),
doubled for a two-sided p; tolerances below are 4 of them.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from analysis import resampling
from analysis.resampling import (
    ASYMPTOTIC_MIN_GROUP,
    RESAMPLING_HARD_MAX_N,
    RESAMPLING_MAX_N,
    bootstrap_mean_diff_ci,
    bootstrap_t_mean_diff_ci,
    permutation_test_mean_diff,
    permutation_test_welch,
)

X_CRAMP = [139.2, 141.5, 136.8, 144.1, 138.7, 140.3, 135.9, 142.6, 137.4, 143.8]
X_CONTROL = [140.1, 142.3, 139.5, 143.7, 141.2, 144.9, 138.8, 142.0, 140.6,
             145.3, 139.9, 141.8, 143.1, 142.7]  # fmt: skip
S_CRAMP = [0.8, 1.1, 1.3, 1.9, 2.4, 3.6, 5.2, 9.7]
S_CONTROL = [0.6, 0.7, 0.9, 1.0, 1.2, 1.4, 1.5, 1.7, 2.0, 2.2, 2.9]
A = [1.1, 2.3, 0.4, 3.8, 2.9]
B = [0.2, 1.5, -0.7, 0.9, 1.8, -0.3]

BCA_REL_TOL = 0.03  # of the interval width, see the module docstring


def _mc_tol(p: float, n_resamples: int, *, two_sided: bool) -> float:
    se = math.sqrt(p * (1 - p) / n_resamples) * (2 if two_sided else 1)
    return 4 * se


# --------------------------------------------------------------------------- #
# bootstrap
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    ("x", "y", "level", "r_ci"),
    [
        # boot.ci(boot(d, mean_diff, R = 2e5, strata = d$group), type = "bca",
        #         L = empinf(bt, type = "jack") / n_group)   (resampling.R, seed 1)
        (X_CRAMP, X_CONTROL, 0.95, (-3.77857142857144, 0.175714285714292)),
        # same, conf = 0.90
        (X_CRAMP, X_CONTROL, 0.90, (-3.47428571428571, -0.138571428571453)),
        # same, skewed pair s_cramp vs s_control
        (S_CRAMP, S_CONTROL, 0.95, (0.329545454545455, 4.63670031287991)),
    ],
)
def test_bca_matches_r_boot(x, y, level, r_ci):
    res = bootstrap_mean_diff_ci(x, y, confidence_level=level, n_resamples=100_000)
    width = r_ci[1] - r_ci[0]
    np.testing.assert_allclose([res.ci_low, res.ci_high], r_ci, atol=BCA_REL_TOL * width)
    assert res.method == "BCa bootstrap"
    assert res.n_resamples == 100_000
    assert res.seed == resampling.DEFAULT_SEED
    assert res.confidence_level == level


def test_bca_is_not_the_percentile_interval():
    # guards the tolerance above: on the skewed pair the percentile interval
    # lies outside it, so a wrong `method` would be caught
    r_ci = (0.329545454545455, 4.63670031287991)
    width = r_ci[1] - r_ci[0]
    pct = bootstrap_mean_diff_ci(S_CRAMP, S_CONTROL, n_resamples=100_000, method="percentile")
    assert pct.method == "percentile bootstrap"
    deviation = np.abs(np.array([pct.ci_low, pct.ci_high]) - r_ci).max()
    assert deviation > BCA_REL_TOL * width


def test_bootstrap_same_seed_identical_different_seed_close():
    first = bootstrap_mean_diff_ci(S_CRAMP, S_CONTROL, seed=7)
    again = bootstrap_mean_diff_ci(S_CRAMP, S_CONTROL, seed=7)
    other = bootstrap_mean_diff_ci(S_CRAMP, S_CONTROL, seed=8)
    assert first == again
    assert first != other
    width = first.ci_high - first.ci_low
    # 10^4 resamples: Monte-Carlo sd of a limit is about 1.7 % of the width
    np.testing.assert_allclose(
        [other.ci_low, other.ci_high], [first.ci_low, first.ci_high], atol=0.1 * width
    )
    assert dataclasses.is_dataclass(first)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.ci_low = 0.0  # type: ignore[misc]


# --------------------------------------------------------------------------- #
# permutation test
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    ("alternative", "r_p"),
    [
        # exact_perm(a, b): all combn(11, 5) = 462 splits; 2 * min of one-sided
        ("two-sided", 0.0692640692640693),
        # coin::pvalue(oneway_test(value ~ group, distribution = "exact",
        #                          alternative = "greater")) == exact_perm p_greater
        ("greater", 0.0346320346320346),
        # same, alternative = "less"
        ("less", 0.974025974025974),
    ],
)
def test_exact_permutation_matches_r_enumeration(alternative, r_p):
    res = permutation_test_mean_diff(A, B, alternative=alternative)
    np.testing.assert_allclose(res.pvalue, r_p, rtol=1e-12)
    np.testing.assert_allclose(res.statistic, 1.53333333333333, rtol=1e-12)
    assert res.n_resamples == 462
    assert res.seed is None
    assert res.method == "exact permutation (all 462 splits)"


def test_exact_permutation_with_ties():
    # exact_perm(c(1, 2, 2, 3), c(2, 3, 3, 4, 1)): see resampling.Rout
    # (tied splits must count as "at least as extreme": p_less = 38 / 126)
    res = permutation_test_mean_diff([1, 2, 2, 3], [2, 3, 3, 4, 1], alternative="less")
    np.testing.assert_allclose(res.pvalue, 0.301587301587302, rtol=1e-12)
    res = permutation_test_mean_diff([1, 2, 2, 3], [2, 3, 3, 4, 1])
    np.testing.assert_allclose(res.pvalue, 0.603174603174603, rtol=1e-12)


def test_exact_whenever_enumeration_is_cheap():
    # 462 splits: exact whatever n_resamples (it used to need n_resamples >= 462)
    res = permutation_test_mean_diff(A, B, n_resamples=100)
    assert res.method == "exact permutation (all 462 splits)"
    assert (res.n_resamples, res.seed) == (462, None)
    # exact_perm(s_cramp, s_control) in resampling.Rout: C(19, 8) = 75582 splits
    res = permutation_test_mean_diff(S_CRAMP, S_CONTROL)
    np.testing.assert_allclose(res.pvalue, 0.0637717975179276, rtol=1e-12)
    assert res.method == "exact permutation (all 75582 splits)"
    # 10 vs 10: 184,756 splits, below EXACT_MAX_SPLITS = 10^6
    res = permutation_test_mean_diff(U, V)
    assert res.method == "exact permutation (all 184756 splits)"
    # 10 vs 14: 1,961,256 splits: drawn
    mc = permutation_test_mean_diff(X_CRAMP, X_CONTROL, n_resamples=461)
    assert mc.method == "Monte-Carlo permutation"
    assert (mc.n_resamples, mc.seed) == (461, resampling.DEFAULT_SEED)
    # ... unless n_resamples asks for at least as many resamples as there are splits
    ex = permutation_test_mean_diff(X_CRAMP, X_CONTROL, n_resamples=2_000_000)
    assert ex.method == "exact permutation (all 1961256 splits)"
    # 0.0844214115852291: exact_perm(x_cramp, x_control) in resampling.Rout
    np.testing.assert_allclose(ex.pvalue, 0.0844214115852291, rtol=1e-12)


def test_all_subset_sums_enumerates_every_subset_once():
    from itertools import combinations

    z = np.array([[0.5, 1.0], [2.0, -1.0], [4.0, 3.0], [8.0, 0.25], [16.0, 7.0], [32.0, 1.5]])
    for k in range(1, 6):
        got = resampling._all_subset_sums(z, k)
        want = np.array([z[list(c)].sum(axis=0) for c in combinations(range(6), k)])
        assert got.shape == want.shape
        # powers of two in column 0: every subset has a distinct sum
        order_got, order_want = np.argsort(got[:, 0]), np.argsort(want[:, 0])
        np.testing.assert_array_equal(got[order_got], want[order_want])


@pytest.mark.parametrize(
    ("x", "y", "alternative", "r_p"),
    [
        # exact_perm(x_cramp, x_control), C(24, 10) = 1961256 splits; the one-sided
        # values equal coin::oneway_test(..., distribution = "exact")
        (X_CRAMP, X_CONTROL, "two-sided", 0.0844214115852291),
        (X_CRAMP, X_CONTROL, "less", 0.0422107057926145),
        (X_CRAMP, X_CONTROL, "greater", 0.959311787956289),
        # swapped groups (larger group first): p_less and p_greater swap
        (X_CONTROL, X_CRAMP, "greater", 0.0422107057926145),
    ],
)
def test_monte_carlo_permutation_matches_exact_r(x, y, alternative, r_p):
    n_resamples = 50_000
    res = permutation_test_mean_diff(x, y, n_resamples=n_resamples, alternative=alternative)
    assert res.method == "Monte-Carlo permutation"
    tol = _mc_tol(r_p, n_resamples, two_sided=alternative == "two-sided")
    assert abs(res.pvalue - r_p) < tol


def test_monte_carlo_permutation_agrees_with_scipy_permutation_test():
    # oracle: scipy's own independent-sample permutation test, same convention
    def mean_diff(x, y, axis=-1):
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    ref = stats.permutation_test(
        (np.array(S_CRAMP), np.array(S_CONTROL)),
        mean_diff,
        vectorized=True,
        n_resamples=20_000,
        rng=np.random.default_rng(1),
    )
    res = permutation_test_mean_diff(S_CRAMP, S_CONTROL, n_resamples=20_000)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=1e-12)
    se = math.sqrt(2) * 2 * math.sqrt(ref.pvalue * (1 - ref.pvalue) / 20_000)
    assert abs(res.pvalue - ref.pvalue) < 4 * se


def test_permutation_same_seed_identical_different_seed_close():
    first = permutation_test_mean_diff(X_CRAMP, X_CONTROL, seed=11)
    again = permutation_test_mean_diff(X_CRAMP, X_CONTROL, seed=11)
    other = permutation_test_mean_diff(X_CRAMP, X_CONTROL, seed=12)
    assert first == again
    assert first.pvalue != other.pvalue
    assert abs(first.pvalue - other.pvalue) < math.sqrt(2) * _mc_tol(0.084, 10_000, two_sided=True)
    assert first.seed == 11


# --------------------------------------------------------------------------- #
# the asymptotic forms: decided on the smaller group
# --------------------------------------------------------------------------- #
def _asymptotic_everywhere(monkeypatch):
    monkeypatch.setattr(resampling, "RESAMPLING_MAX_N", 23)  # n = 24 is above it
    monkeypatch.setattr(resampling, "ASYMPTOTIC_MIN_GROUP", 9)  # both groups above it


ASYMPTOTIC_NOTE = "n=24 > RESAMPLING_MAX_N=23 and smaller group n=10 > ASYMPTOTIC_MIN_GROUP=9"


def test_fallback_matches_r_welch(monkeypatch):
    _asymptotic_everywhere(monkeypatch)
    # t.test(x_cramp, x_control): conf.int
    for function in (bootstrap_mean_diff_ci, bootstrap_t_mean_diff_ci):
        ci = function(X_CRAMP, X_CONTROL)
        np.testing.assert_allclose(
            [ci.ci_low, ci.ci_high], [-4.08767856894836, 0.447678568948374], rtol=1e-10
        )
        assert ci.method == f"asymptotic Welch t ({ASYMPTOTIC_NOTE})"
        assert (ci.n_resamples, ci.seed) == (0, None)
    # t.test(x_cramp, x_control, conf.level = 0.90)$conf.int
    ci = bootstrap_mean_diff_ci(X_CRAMP, X_CONTROL, confidence_level=0.90)
    np.testing.assert_allclose(
        [ci.ci_low, ci.ci_high], [-3.68450160239693, 0.044501602396943], rtol=1e-10
    )
    # t.test(x_cramp, x_control)$p.value, and alternative = "less" / "greater"
    for alternative, p in [
        ("two-sided", 0.107625633786116),
        ("less", 0.0538128168930578),
        ("greater", 0.946187183106942),
    ]:
        res = permutation_test_welch(X_CRAMP, X_CONTROL, alternative=alternative)
        np.testing.assert_allclose(res.pvalue, p, rtol=1e-10)
        assert res.method == f"asymptotic Welch t-test ({ASYMPTOTIC_NOTE})"
        assert (res.n_resamples, res.seed) == (0, None)
    # the raw permutation test falls back on Student's pooled t (its permutation
    # distribution has the pooled variance), resampling_student.Rout:
    # t.test(x_cramp, x_control, var.equal = TRUE, alternative = ...)$p.value
    for alternative, p in [
        ("two-sided", 0.0812367562134),
        ("less", 0.0406183781067),
        ("greater", 0.9593816218933),
    ]:
        res = permutation_test_mean_diff(X_CRAMP, X_CONTROL, alternative=alternative)
        np.testing.assert_allclose(res.pvalue, p, rtol=1e-10)
        assert res.method == (
            f"asymptotic Student pooled t-test (equal spread assumed) ({ASYMPTOTIC_NOTE})"
        )
        assert (res.n_resamples, res.seed) == (0, None)


def test_thresholds_are_inclusive(monkeypatch):
    monkeypatch.setattr(resampling, "RESAMPLING_MAX_N", 24)  # n = 24 is resampled
    monkeypatch.setattr(resampling, "ASYMPTOTIC_MIN_GROUP", 9)
    assert bootstrap_mean_diff_ci(X_CRAMP, X_CONTROL).n_resamples == 10_000
    assert permutation_test_mean_diff(X_CRAMP, X_CONTROL).n_resamples == 10_000
    monkeypatch.setattr(resampling, "RESAMPLING_MAX_N", 23)
    monkeypatch.setattr(resampling, "ASYMPTOTIC_MIN_GROUP", 10)  # smaller group is 10
    assert bootstrap_mean_diff_ci(X_CRAMP, X_CONTROL).method == "BCa bootstrap"
    assert permutation_test_welch(X_CRAMP, X_CONTROL).method.startswith("Monte-Carlo")


def test_large_n_uses_fallback_only_when_both_groups_are_large():
    rng = np.random.default_rng(0)
    x = rng.normal(0.5, 1.0, size=ASYMPTOTIC_MIN_GROUP + 1)
    y = rng.normal(0.0, 1.0, size=RESAMPLING_MAX_N - x.size + 1)
    ci = bootstrap_mean_diff_ci(x, y)
    welch = stats.ttest_ind(x, y, equal_var=False)
    expected = welch.confidence_interval()
    assert (ci.ci_low, ci.ci_high) == (expected.low, expected.high)
    assert ci.n_resamples == 0
    res = permutation_test_mean_diff(x, y)
    assert res.pvalue == stats.ttest_ind(x, y, equal_var=True).pvalue
    assert permutation_test_welch(x, y).pvalue == welch.pvalue
    assert (
        f"n={RESAMPLING_MAX_N + 1} > RESAMPLING_MAX_N={RESAMPLING_MAX_N} and smaller group "
        f"n={ASYMPTOTIC_MIN_GROUP + 1} > ASYMPTOTIC_MIN_GROUP={ASYMPTOTIC_MIN_GROUP}"
    ) in res.method


# 5,000 lognormal quantiles, as qlnorm(ppoints(5000), log(3), 0.5) in studentized.R
_CONTROLS_5000 = stats.lognorm.ppf((np.arange(1, 5001) - 0.5) / 5000, 0.5, scale=3.0)
_SMALL = [2.9, 3.4, 9.5]


@pytest.mark.parametrize(
    ("alternative", "r_p"),
    [
        # studentized.R section 2: exact count over all choose(5003, 3) splits
        ("two-sided", 0.108524670830939),
        ("greater", 0.0542623354154693),
    ],
)
def test_three_against_five_thousand_is_really_permuted(alternative, r_p):
    # the old rule (total n > 5,000) gave the Welch p, 0.4716, under this column
    n_resamples = 50_000
    res = permutation_test_mean_diff(
        _SMALL, _CONTROLS_5000, n_resamples=n_resamples, alternative=alternative
    )
    assert res.method == "Monte-Carlo permutation"
    assert res.n_resamples == n_resamples
    assert abs(res.pvalue - r_p) < _mc_tol(r_p, n_resamples, two_sided=alternative == "two-sided")
    boot = bootstrap_mean_diff_ci(_SMALL, _CONTROLS_5000, n_resamples=2_000)
    assert (boot.method, boot.n_resamples) == ("BCa bootstrap", 2_000)
    welch_ci = stats.ttest_ind(_SMALL, _CONTROLS_5000, equal_var=False).confidence_interval()
    assert (boot.ci_low, boot.ci_high) != (welch_ci.low, welch_ci.high)
    boot_t = bootstrap_t_mean_diff_ci(_SMALL, _CONTROLS_5000, n_resamples=2_000)
    assert (boot_t.method, boot_t.n_resamples) == ("bootstrap-t", 2_000)


def test_small_group_beyond_hard_max_gives_nan_not_another_method(monkeypatch):
    monkeypatch.setattr(resampling, "RESAMPLING_HARD_MAX_N", 5_002)  # n = 5,003
    for function in (permutation_test_mean_diff, permutation_test_welch):
        res = function(_SMALL, _CONTROLS_5000)
        assert math.isnan(res.pvalue)
        assert "not computed: smaller group n=3 <= ASYMPTOTIC_MIN_GROUP" in res.method
        assert (res.n_resamples, res.seed) == (0, None)
    for function in (bootstrap_mean_diff_ci, bootstrap_t_mean_diff_ci):
        ci = function(_SMALL, _CONTROLS_5000)
        assert math.isnan(ci.ci_low) and math.isnan(ci.ci_high)
        assert "RESAMPLING_HARD_MAX_N=5002 is too large to resample" in ci.method
    assert RESAMPLING_HARD_MAX_N == 10_000


# --------------------------------------------------------------------------- #
# studentized permutation test
# --------------------------------------------------------------------------- #
U = [4.2, 5.1, 3.3, 6.8, 5.5, 4.9, 7.7, 3.9, 6.1, 12.4]
V = [4.0, 4.4, 3.8, 5.2, 4.6, 4.1, 4.9, 3.6, 4.3, 4.7]


@pytest.mark.parametrize(
    ("x", "y", "alternative", "r_p", "r_t", "splits"),
    [
        # exact_studentized(a, b) in studentized.R: combn(11, 5) = 462 splits
        (A, B, "two-sided", 0.0649350649350649, 2.08767655752917, 462),
        (A, B, "greater", 0.0324675324675325, 2.08767655752917, 462),
        (A, B, "less", 0.96969696969697, 2.08767655752917, 462),
        # exact_studentized(s_cramp, s_control): 75,582 splits
        (S_CRAMP, S_CONTROL, "two-sided", 0.0623164245455267, 1.65825062277579, 75582),
        # exact_studentized(u, v): 184,756 splits, enumerated whatever n_resamples
        (U, V, "two-sided", 0.0385048388144363, 1.9333500788311, 184756),
        # two constant, different groups: t = -Inf, only the observed split as extreme
        ([5.0] * 6, [7.0] * 7, "two-sided", 0.00116550116550117, -math.inf, 1716),
    ],
)
def test_exact_studentized_permutation_matches_r(x, y, alternative, r_p, r_t, splits):
    res = permutation_test_welch(x, y, alternative=alternative, n_resamples=100)
    np.testing.assert_allclose(res.pvalue, r_p, rtol=1e-12)
    np.testing.assert_allclose(res.statistic, r_t, rtol=1e-12)
    assert res.method == f"exact studentized permutation (all {splits} splits)"
    assert (res.n_resamples, res.seed) == (splits, None)


def test_monte_carlo_studentized_permutation_matches_exact_r():
    # exact_studentized(x_cramp, x_control): all 1,961,256 splits, p_less
    n_resamples = 50_000
    for alternative, r_p in [("two-sided", 0.0980596107800308), ("less", 0.0490298053900154)]:
        res = permutation_test_welch(
            X_CRAMP, X_CONTROL, n_resamples=n_resamples, alternative=alternative
        )
        assert res.method == "Monte-Carlo studentized permutation"
        tol = _mc_tol(r_p, n_resamples, two_sided=alternative == "two-sided")
        assert abs(res.pvalue - r_p) < tol


def test_studentized_permutation_agrees_with_scipy_oracle():
    def welch_t(x, y, axis=-1):
        return stats.ttest_ind(x, y, axis=axis, equal_var=False).statistic

    ref = stats.permutation_test(
        (np.array(X_CRAMP), np.array(X_CONTROL)),
        welch_t,
        vectorized=True,
        n_resamples=20_000,
        rng=np.random.default_rng(1),
    )
    res = permutation_test_welch(X_CRAMP, X_CONTROL, n_resamples=20_000)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=1e-12)
    se = math.sqrt(2) * 2 * math.sqrt(ref.pvalue * (1 - ref.pvalue) / 20_000)
    assert abs(res.pvalue - ref.pvalue) < 4 * se


def test_studentized_permutation_needs_two_values_per_group():
    with pytest.raises(ValueError, match=r"`x_cramp` must contain at least 2 observations; got 1"):
        permutation_test_welch([1.0], [1.0, 2.0, 3.0])


# --------------------------------------------------------------------------- #
# bootstrap-t
# --------------------------------------------------------------------------- #
# exact_boot_t(...) in studentized.R: the exact bootstrap distribution, every
# ordered resample of each group (4^4 * 5^5 = 800,000; 5^5 * 6^6 = 145,800,000)
BOOT_T_GRID = [-6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6]
BOOT_T_CASES = [
    (
        [1.1, 2.3, 0.4, 3.8],
        [0.2, 1.5, -0.7, 0.9, 1.8],
        [0.00497875, 0.01481625, 0.029555, 0.07545875, 0.19197125, 0.5134625, 0.84604375,
         0.9606425, 0.98839625, 0.995505, 0.99898375],
        (-0.885587916758171, 3.97146860888966),
    ),
    (
        [0.8, 1.3, 2.4, 5.2, 9.7],
        [0.6, 0.9, 1.2, 1.5, 2.0, 2.9],
        [0.0270697325103, 0.0727585116598, 0.0785248834019, 0.132391213992, 0.241030205761,
         0.527688847737, 0.869906646091, 0.976008737997, 0.993528696845, 0.997705514403,
         0.999543765432],
        (-0.945033004771121, 12.6252884142692),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("x", "y", "cdf", "interval"), BOOT_T_CASES)
def test_bootstrap_t_distribution_matches_exact_enumeration(x, y, cdf, interval):
    # Distributional agreement: at each grid point the Monte-Carlo CDF of T*
    # is within 4 binomial standard errors of the exact CDF from R.
    n_resamples = 200_000
    tstar = resampling._bootstrap_t_stats(
        np.array(x), np.array(y), n_resamples, np.random.default_rng(3)
    )
    for g, f in zip(BOOT_T_GRID, cdf, strict=True):
        se = math.sqrt(f * (1 - f) / n_resamples)
        assert abs(np.mean(tstar <= g) - f) < 4 * se, g


def test_bootstrap_t_interval_close_to_exact_interval():
    # The limits are d - q * se with q a Monte-Carlo 2.5 % / 97.5 % quantile;
    # measured over 10 seeds at 2 x 10^5 resamples, the limits of the first
    # case lie within 0.3 % (lower) and 0.7 % (upper) of the exact width of the
    # exact limits; tolerance 2 %, about 3 times the largest.
    x, y, _, interval = BOOT_T_CASES[0]
    ci = bootstrap_t_mean_diff_ci(x, y, n_resamples=200_000)
    width = interval[1] - interval[0]
    np.testing.assert_allclose([ci.ci_low, ci.ci_high], interval, atol=0.02 * width)
    assert (ci.method, ci.n_resamples, ci.seed) == ("bootstrap-t", 200_000, resampling.DEFAULT_SEED)


def test_bootstrap_t_is_not_bca_or_welch_on_skewed_data():
    bt = bootstrap_t_mean_diff_ci(S_CRAMP, S_CONTROL, n_resamples=50_000)
    bca = bootstrap_mean_diff_ci(S_CRAMP, S_CONTROL, n_resamples=50_000)
    welch = stats.ttest_ind(S_CRAMP, S_CONTROL, equal_var=False).confidence_interval()
    width = welch.high - welch.low
    # bootstrap-t is wider than BCa here and shifted to the long (right) tail
    assert bt.ci_high - bca.ci_high > 0.1 * width
    assert bt.ci_high > welch.high


def test_bootstrap_t_constant_groups_is_nan_with_reason():
    ci = bootstrap_t_mean_diff_ci([5.0] * 6, [7.0] * 7)
    assert math.isnan(ci.ci_low) and math.isnan(ci.ci_high)
    assert ci.method == (
        "bootstrap-t not computed: neither group varies (the bootstrap distribution is one point)"
    )
    ci = bootstrap_mean_diff_ci([5.0] * 6, [7.0] * 7)
    assert math.isnan(ci.ci_low) and math.isnan(ci.ci_high)
    assert ci.method.startswith("BCa bootstrap not computed: neither group varies")


@pytest.mark.parametrize("n", [82, 5_000, 10**6])
@pytest.mark.parametrize(
    "max_values", [resampling._BOOT_BATCH_VALUES, resampling._PERM_BATCH_VALUES]
)
def test_batches_bound_memory(n, max_values):
    # a batch never holds more than max_values values (or one row, if n is larger)
    batch = resampling._batch_size(n, 10_000, max_values)
    assert 1 <= batch <= 10_000
    assert batch * n <= max(max_values, n)


# --------------------------------------------------------------------------- #
# errors
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x_cramp": [1.0, np.nan, 2.0]}, ValueError,
         r"`x_cramp` must contain only finite values.*got 1 non-finite value\(s\) among 3"),
        ({"x_control": [[1.0, 2.0]]}, ValueError,
         r"`x_control` must be one-dimensional; got shape \(1, 2\)"),
        ({"x_cramp": [1.0]}, ValueError, r"`x_cramp` must contain at least 2 observations; got 1"),
        ({"confidence_level": 95}, ValueError,
         r"`confidence_level` must be strictly between 0 and 1; got 95"),
        ({"n_resamples": 0}, ValueError, r"`n_resamples` must be a positive integer; got 0"),
        ({"n_resamples": 1e4}, TypeError, r"`n_resamples` must be an integer; got 10000.0"),
        ({"seed": -1}, ValueError, r"`seed` must be a non-negative integer; got -1"),
        ({"method": "bca"}, ValueError,
         r"`method` must be one of \('BCa', 'percentile', 'basic'\); got 'bca'"),
    ],
)  # fmt: skip
def test_bootstrap_errors(kwargs, error, match):
    args = {"x_cramp": X_CRAMP, "x_control": X_CONTROL} | kwargs
    with pytest.raises(error, match=match):
        bootstrap_mean_diff_ci(args.pop("x_cramp"), args.pop("x_control"), **args)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x_control": []}, ValueError, r"`x_control` must contain at least 1 observations; got 0"),
        ({"x_cramp": [np.inf, 1.0]}, ValueError, r"`x_cramp` must contain only finite values"),
        ({"alternative": "two.sided"}, ValueError,
         r"`alternative` must be one of \('two-sided', 'less', 'greater'\); got 'two.sided'"),
        ({"n_resamples": True}, TypeError, r"`n_resamples` must be an integer; got True"),
        ({"seed": 1.5}, ValueError, r"`seed` must be a non-negative integer; got 1.5"),
    ],
)  # fmt: skip
def test_permutation_errors(kwargs, error, match):
    args = {"x_cramp": X_CRAMP, "x_control": X_CONTROL} | kwargs
    with pytest.raises(error, match=match):
        permutation_test_mean_diff(args.pop("x_cramp"), args.pop("x_control"), **args)
