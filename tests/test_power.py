"""Tests for analysis.power against R pwr (tests/reference/closed_form.R)."""

import math

import numpy as np
import pytest
from scipy import stats

import analysis
from analysis.power import minimum_detectable_effect, power_two_sample

REL = 1e-6  # closed form (d: solved to ~1e-13 here, to 1e-12 in R)


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        # pwr.t2n.test(n1 = 15, n2 = 67, d = 0.5)$power
        ((15, 67, 0.5), {}, 0.408946668142731),
        # pwr.t2n.test(n1 = 8, n2 = 11, d = 1, sig.level = 0.01)$power
        ((8, 11, 1.0), {"alpha": 0.01}, 0.264461600427843),
        # pwr.t2n.test(n1 = 5000, n2 = 5000, d = 0.1)$power
        ((5000, 5000, 0.1), {}, 0.998815363009232),
        # pwr.t2n.test(n1 = 20, n2 = 20, d = 0.1)$power  (both tails contribute)
        ((20, 20, 0.1), {}, 0.0609591246541122),
    ],
)
def test_power_matches_pwr(args, kwargs, expected):
    assert power_two_sample(*args, **kwargs) == pytest.approx(expected, rel=REL)


def test_power_type_ii_error_matches_pwr():
    # 1 - pwr.t2n.test(n1 = 100, n2 = 100, d = 0.6)$power
    beta = 1 - power_two_sample(100, 100, 0.6)
    assert beta == pytest.approx(0.0118483138275565, rel=REL)


def test_power_where_scipy_nct_cdf_returns_nan():
    # pwr.t2n.test(n1 = 100, n2 = 100, d = 2)$power; ncp = 14.1, deep in the
    # region where scipy.stats.nct.cdf returns NaN (scipy issues 25106, 25470)
    power = power_two_sample(100, 100, 2.0)
    assert math.isfinite(power)
    assert power == pytest.approx(1.0, rel=REL)


def test_nan_from_nct_cdf_is_guarded(monkeypatch):
    # Force the SciPy failure whatever the installed version does, and check the
    # guard: the negligible lower tail becomes 0 and the result is the upper tail.
    upper = stats.nct.sf(stats.t.isf(0.025, 198), 198, 2 * math.sqrt(50))
    original = stats.nct.cdf

    def failing_cdf(x, df, nc):  # NaN from ncp 8.5 on, as reported in scipy 25106
        return math.nan if nc >= 8.5 else original(x, df, nc)

    monkeypatch.setattr(stats.nct, "cdf", failing_cdf)
    assert power_two_sample(100, 100, 2.0) == pytest.approx(upper, rel=1e-15)
    # mde(5000, 5000, 0.99): the bracket search evaluates d = 1 (ncp = 50)
    assert minimum_detectable_effect(5000, 5000, power=0.99) == pytest.approx(
        0.0857344729967465, rel=REL
    )


def test_guard_refuses_to_drop_a_lower_tail_that_matters(monkeypatch):
    # At d = 0.1, n = 20 + 20 the lower tail is about 0.01 of the power: a NaN
    # there is integrated numerically instead, and must raise if that fails
    # too, not be replaced by 0.
    from analysis import power as power_module

    expected = power_two_sample(20, 20, 0.1)
    monkeypatch.setattr(stats.nct, "cdf", lambda *args, **kwargs: math.nan)
    assert power_two_sample(20, 20, 0.1) == pytest.approx(expected, rel=1e-8)
    monkeypatch.setattr(power_module, "_lower_tail_by_quadrature", lambda *args: math.nan)
    with pytest.raises(FloatingPointError, match=r"lower tail .* is not negligible"):
        power_two_sample(20, 20, 0.1)


@pytest.mark.parametrize("n", [2, 5, 30, 100, 5000, 20000])
def test_power_is_finite_and_increasing_over_a_wide_range(n):
    d = np.geomspace(1e-3, 50, 40)
    power = np.array([power_two_sample(n, n, x) for x in d])
    assert np.isfinite(power).all()
    assert ((power >= 0.05) & (power <= 1)).all()
    assert (np.diff(power) >= -1e-12).all()


def test_power_is_symmetric_in_d_and_alpha_at_zero():
    assert power_two_sample(15, 67, -0.5) == power_two_sample(15, 67, 0.5)
    assert power_two_sample(15, 67, 0.0, alpha=0.05) == pytest.approx(0.05, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        # mde(15, 67, 0.8): uniroot(pwr.t2n.test(...)$power - 0.8, c(1e-7, 10), tol = 1e-12)
        # (pwr.t2n.test(n1 = 15, n2 = 67, power = 0.8)$d = 0.810024759927827 at default tol)
        ((15, 67), {}, 0.810020550988674),
        # mde(8, 11, 0.9, sig.level = 0.01)
        ((8, 11), {"power": 0.9, "alpha": 0.01}, 1.99189727828345),
        # mde(5000, 5000, 0.99): the bracket search passes through NaN territory of nct.cdf
        ((5000, 5000), {"power": 0.99}, 0.0857344729967465),
        # mde(100, 100, 0.99)
        ((100, 100), {"power": 0.99}, 0.60914323506668),
        # mde(3, 3, 0.8)
        ((3, 3), {}, 3.07089226636009),
    ],
)
def test_minimum_detectable_effect_matches_pwr(args, kwargs, expected):
    assert minimum_detectable_effect(*args, **kwargs) == pytest.approx(expected, rel=REL)


def test_minimum_detectable_effect_inverts_power():
    d = minimum_detectable_effect(15, 67, power=0.9)
    assert power_two_sample(15, 67, d) == pytest.approx(0.9, rel=1e-10)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: power_two_sample(1, 67, 0.5), ValueError, r"`n_cramp` must be at least 2; got 1"),
        (
            lambda: power_two_sample(15, 0, 0.5),
            ValueError,
            r"`n_control` must be at least 2; got 0",
        ),
        (
            lambda: power_two_sample(15.5, 67, 0.5),
            TypeError,
            r"`n_cramp` must be an integer; got 15.5",
        ),
        (lambda: power_two_sample(15, 67, math.nan), ValueError, r"`d` must be finite; got nan"),
        (
            lambda: power_two_sample(15, 67, 0.5, alpha=1.0),
            ValueError,
            r"`alpha` must be a number strictly between 0 and 1; got 1.0",
        ),
        (
            lambda: minimum_detectable_effect(15, 67, alpha=0),
            ValueError,
            r"`alpha` must be a number strictly between 0 and 1; got 0",
        ),
        (
            lambda: minimum_detectable_effect(15, 67, power=0.04),
            ValueError,
            r"`power` must be strictly between `alpha` \(0.05\) and 1; got 0.04",
        ),
        (
            lambda: minimum_detectable_effect(15, 67, power=1.0),
            ValueError,
            r"`power` must be strictly between `alpha` \(0.05\) and 1; got 1.0",
        ),
        (
            lambda: minimum_detectable_effect(1, 67),
            ValueError,
            r"`n_cramp` must be at least 2; got 1",
        ),
    ],
)
def test_bad_arguments_raise(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --------------------------------------------------------------------------
# TOST power: the exact integral against a simulation of the test itself
# --------------------------------------------------------------------------


def _simulated_tost_power(n1, n2, margin_d, true_d, *, reps=40_000, seed=0):
    """Fraction of simulated studies whose pooled 90 % CI lies inside +/- margin_d."""
    from scipy import stats

    rng = np.random.default_rng(seed)
    x = rng.normal(true_d, 1.0, (reps, n1))
    y = rng.normal(0.0, 1.0, (reps, n2))
    diff = x.mean(axis=1) - y.mean(axis=1)
    pooled = np.sqrt(((n1 - 1) * x.var(axis=1, ddof=1) + (n2 - 1) * y.var(axis=1, ddof=1))
                     / (n1 + n2 - 2))  # fmt: skip
    half = stats.t.isf(0.05, n1 + n2 - 2) * pooled * np.sqrt(1 / n1 + 1 / n2)
    return float(np.mean((diff - half > -margin_d) & (diff + half < margin_d)))


@pytest.mark.parametrize(
    "n1,n2,margin_d,true_d",
    [(15, 67, 0.5, 0.0), (15, 67, 1.0, 0.0), (50, 50, 0.5, 0.0), (100, 100, 0.5, 0.2),
     (30, 30, 0.8, -0.3)],
)  # fmt: skip
def test_power_tost_matches_simulation(n1, n2, margin_d, true_d):
    # The Monte-Carlo SE at 40,000 simulated studies is at most 0.0025: tolerance 4 SE.
    simulated = _simulated_tost_power(n1, n2, margin_d, true_d)
    assert analysis.power_tost(n1, n2, margin_d, true_d=true_d) == pytest.approx(
        simulated, abs=0.01
    )


def test_power_tost_properties():
    # almost nil when the typical interval is far wider than the margin; rising with n
    # and with the margin
    assert analysis.power_tost(5, 5, 0.3) < 1e-4
    assert analysis.power_tost(15, 67, 0.5) < analysis.power_tost(150, 670, 0.5)
    assert analysis.power_tost(15, 67, 0.5) < analysis.power_tost(15, 67, 1.0)
    # symmetric in the sign of the true difference
    assert analysis.power_tost(40, 40, 0.6, true_d=0.2) == pytest.approx(
        analysis.power_tost(40, 40, 0.6, true_d=-0.2), rel=1e-12
    )


@pytest.mark.parametrize(
    "kwargs,match",
    [({"margin_d": 0}, r"`margin_d` must be positive"),
     ({"margin_d": 0.5, "alpha": 0.6}, r"`alpha` must be below 0.5 for a TOST"),
     ({"margin_d": 0.5, "true_d": float("nan")}, r"`true_d`")],
)  # fmt: skip
def test_power_tost_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        analysis.power_tost(15, 67, **kwargs)


@pytest.mark.parametrize("n1,n2,d", [(15, 67, 0.5), (10, 10, 1.2), (40, 41, 0.3)])
def test_power_from_se_reduces_to_the_two_sample_power(n1, n2, d):
    from analysis.power import (
        minimum_detectable_effect,
        minimum_detectable_from_se,
        power_from_se,
        power_two_sample,
    )

    se = (1 / n1 + 1 / n2) ** 0.5  # pooled SD 1, so effect = d
    assert power_from_se(d, se, n1 + n2 - 2) == pytest.approx(
        power_two_sample(n1, n2, d), rel=1e-12
    )
    assert minimum_detectable_from_se(se, n1 + n2 - 2) == pytest.approx(
        minimum_detectable_effect(n1, n2), rel=1e-9
    )


def test_power_from_se_rejects_bad_se():
    from analysis.power import minimum_detectable_from_se, power_from_se

    with pytest.raises(ValueError, match="`se` must be a positive finite number; got 0"):
        power_from_se(1.0, 0, 10)
    with pytest.raises(ValueError, match="`df` must be a positive finite number"):
        minimum_detectable_from_se(1.0, -1)


def test_lower_tail_quadrature_agrees_with_nct_where_scipy_works():
    # the fallback used where scipy.stats.nct.cdf returns NaN (issue 12, item 8:
    # compare_groups(confidence_level=0.999) failed on the example cohort)
    from scipy import stats

    from analysis.power import _lower_tail_by_quadrature, power_two_sample

    crit = float(stats.t.isf(0.0005, 80))
    for ncp in (1.0, 3.0):
        assert _lower_tail_by_quadrature(crit, 80, ncp) == pytest.approx(
            stats.nct.cdf(-crit, 80, ncp), rel=1e-6
        )
    # ncp = 7.0 at alpha = 0.001: nct.cdf is NaN there; the power is still returned
    d = 7.0017 / (15 * 67 / 82) ** 0.5
    assert 0.9 < power_two_sample(15, 67, d, alpha=0.001) < 1.0
