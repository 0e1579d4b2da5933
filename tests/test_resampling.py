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
    RESAMPLING_MAX_N,
    bootstrap_mean_diff_ci,
    permutation_test_mean_diff,
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


def test_exact_only_when_all_splits_fit_in_n_resamples():
    assert permutation_test_mean_diff(A, B, n_resamples=462).method.startswith("exact")
    mc = permutation_test_mean_diff(A, B, n_resamples=461)
    assert mc.method == "Monte-Carlo permutation"
    assert (mc.n_resamples, mc.seed) == (461, resampling.DEFAULT_SEED)


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
        # exact_perm(s_cramp, s_control), C(19, 8) = 75582 splits
        (S_CRAMP, S_CONTROL, "two-sided", 0.0637717975179276),
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
# asymptotic fallback above RESAMPLING_MAX_N
# --------------------------------------------------------------------------- #
def test_fallback_matches_r_welch(monkeypatch):
    monkeypatch.setattr(resampling, "RESAMPLING_MAX_N", 23)  # n = 24 is above it
    # t.test(x_cramp, x_control): conf.int
    ci = bootstrap_mean_diff_ci(X_CRAMP, X_CONTROL)
    np.testing.assert_allclose(
        [ci.ci_low, ci.ci_high], [-4.08767856894836, 0.447678568948374], rtol=1e-10
    )
    assert ci.method == "asymptotic Welch t (n=24 > RESAMPLING_MAX_N=23)"
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
        res = permutation_test_mean_diff(X_CRAMP, X_CONTROL, alternative=alternative)
        np.testing.assert_allclose(res.pvalue, p, rtol=1e-10)
        assert res.method == "asymptotic Welch t-test (n=24 > RESAMPLING_MAX_N=23)"
        assert (res.n_resamples, res.seed) == (0, None)


def test_threshold_is_inclusive(monkeypatch):
    monkeypatch.setattr(resampling, "RESAMPLING_MAX_N", 24)  # n = 24 is resampled
    assert bootstrap_mean_diff_ci(X_CRAMP, X_CONTROL).n_resamples == 10_000
    assert permutation_test_mean_diff(X_CRAMP, X_CONTROL).n_resamples == 10_000


def test_large_n_uses_fallback_without_monkeypatching():
    rng = np.random.default_rng(0)
    x = rng.normal(0.5, 1.0, size=RESAMPLING_MAX_N // 5)
    y = rng.normal(0.0, 1.0, size=RESAMPLING_MAX_N - x.size + 1)
    ci = bootstrap_mean_diff_ci(x, y)
    welch = stats.ttest_ind(x, y, equal_var=False)
    expected = welch.confidence_interval()
    assert (ci.ci_low, ci.ci_high) == (expected.low, expected.high)
    assert ci.n_resamples == 0
    res = permutation_test_mean_diff(x, y)
    assert res.pvalue == welch.pvalue
    assert f"n={RESAMPLING_MAX_N + 1} > RESAMPLING_MAX_N={RESAMPLING_MAX_N}" in res.method


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
