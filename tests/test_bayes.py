"""Tests for analysis.bayes against R BayesFactor (tests/reference/closed_form.R)."""

import math

import pytest

from analysis.bayes import bayes_factor_ttest

REL = 1e-3  # numerical integration on both sides (BayesFactor reports error ~1e-5)


@pytest.mark.parametrize(
    ("t", "n1", "n2", "expected"),
    [
        # bf(na_cramp, na_control): extractBF(ttestBF(x = x, y = y, rscale = "medium"))$bf,
        # t from t.test(x, y, var.equal = TRUE)
        (4.55544812907696e-01, 8, 11, 4.38313368164495e-01),
        # bf(k_cramp, k_control)
        (2.31865150778593, 8, 11, 2.24947504606866),
        # bf(na_cramp, na_control - mean(na_control) + mean(na_cramp)): t = 0
        (0.0, 8, 11, 4.07663695655394e-01),
        # bf(k_cramp + 1, k_control): large |t|
        (1.11900137984451e01, 8, 11, 2.08053448506976e06),
        # bf(na_cramp - 4, na_control): large negative t
        (-4.78470924406978, 8, 11, 1.23184387360839e02),
        # exp(ttest.tstat(t = 2.5, n1 = 15, n2 = 67, rscale = sqrt(2)/2)$bf)
        (2.5, 15, 67, 3.55387609767733),
    ],
)
def test_matches_bayesfactor(t, n1, n2, expected):
    assert bayes_factor_ttest(t, n1, n2) == pytest.approx(expected, rel=REL)


def test_prior_scale_matches_bayesfactor():
    # exp(ttest.tstat(t = 1.2, n1 = 15, n2 = 67, rscale = 1)$bf)
    assert bayes_factor_ttest(1.2, 15, 67, r=1.0) == pytest.approx(0.402313800742386, rel=REL)


def test_symmetric_in_sign_of_t():
    assert bayes_factor_ttest(-2.5, 15, 67) == pytest.approx(
        bayes_factor_ttest(2.5, 15, 67), rel=1e-9
    )


def test_huge_t_is_finite_or_inf_never_nan():
    assert math.isfinite(bayes_factor_ttest(40.0, 100, 100))
    assert bayes_factor_ttest(300.0, 5000, 5000) == math.inf


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((math.nan, 8, 11), {}, ValueError, r"`t` must be finite; got nan"),
        ((1.0, 1, 11), {}, ValueError, r"`n_cramp` must be at least 2; got 1"),
        ((1.0, 8, 11), {"r": 0.0}, ValueError, r"`r` must be positive; got 0.0"),
        (("1.0", 8, 11), {}, TypeError, r"`t` must be a real number; got '1.0'"),
    ],
)
def test_bad_arguments_raise(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        bayes_factor_ttest(*args, **kwargs)
