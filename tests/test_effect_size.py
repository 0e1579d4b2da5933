"""Tests for analysis.effect_size against R metafor (tests/reference/closed_form.R)."""

import math

import numpy as np
import pytest

from analysis.effect_size import HedgesG, hedges_g, hedges_g_from_stats

# Typed identically in tests/reference/closed_form.R
NA_CRAMP = [141.2, 139.5, 143.8, 140.1, 142.6, 138.9, 144.0, 141.7]
NA_CONTROL = [140.8, 142.1, 139.6, 141.3, 143.2, 140.5, 138.7, 142.9, 141.0, 139.9, 142.4]
K_CRAMP = [4.6, 4.9, 4.3, 5.1, 4.7, 4.4, 4.8, 5.0]
K_CONTROL = [4.5, 4.2, 4.7, 4.4, 4.6, 4.3, 4.8, 4.1, 4.5, 4.6, 4.4]

REL = 1e-6  # closed form: only floating-point noise separates R and Python


def _check(res: HedgesG, yi: float, vi: float, lb: float, ub: float) -> None:
    assert res.g == pytest.approx(yi, rel=REL)
    assert res.variance == pytest.approx(vi, rel=REL)
    assert res.ci_low == pytest.approx(lb, rel=REL)
    assert res.ci_high == pytest.approx(ub, rel=REL)


def test_sodium_vectors_match_metafor():
    # smd(na_cramp, na_control): escalc(measure = "SMD", m1i = mean(x), sd1i = sd(x), ...)
    # and summary(...) -> yi, vi, ci.lb, ci.ub
    res = hedges_g(NA_CRAMP, NA_CONTROL)
    _check(res, 0.202171832246978, 0.216984708007883, -0.710811092310005, 1.115154756803961)
    assert (res.n_cramp, res.n_control, res.confidence_level) == (8, 11, 0.95)


def test_potassium_vectors_match_metafor():
    # smd(k_cramp, k_control)
    res = hedges_g(K_CRAMP, K_CONTROL)
    _check(res, 1.0290228543690654, 0.2437745655094556, 0.0613194106750916, 1.9967262980630391)


def test_confidence_level_matches_metafor_level_90():
    # smd(k_cramp, k_control, level = 90)
    res = hedges_g(K_CRAMP, K_CONTROL, confidence_level=0.90)
    _check(res, 1.029022854369065, 0.243774565509456, 0.216900523689099, 1.841145185049032)


def test_from_stats_schwellnus_sodium_matches_metafor():
    # summary(escalc("SMD", m1i=139.8, sd1i=3.1, n1i=21, m2i=142.3, sd2i=2.1, n2i=22))
    res = hedges_g_from_stats(21, 139.8, 3.1, 22, 142.3, 2.1)
    _check(res, -0.931061415952719, 0.103153539123313, -1.560553332303569, -0.301569499601869)


def test_sign_is_cramp_minus_control():
    forward = hedges_g(K_CRAMP, K_CONTROL)
    reverse = hedges_g(K_CONTROL, K_CRAMP)
    assert forward.g > 0
    assert reverse.g == pytest.approx(-forward.g, rel=1e-12)
    assert reverse.ci_low == pytest.approx(-forward.ci_high, rel=1e-12)


def test_exact_correction_differs_from_the_approximation():
    # J(m) exact vs 1 - 3/(4m - 1): for m = 17 they differ in the 4th decimal
    res = hedges_g(NA_CRAMP, NA_CONTROL)
    x1, x2 = np.array(NA_CRAMP), np.array(NA_CONTROL)
    sp = math.sqrt((7 * x1.var(ddof=1) + 10 * x2.var(ddof=1)) / 17)
    d = (x1.mean() - x2.mean()) / sp
    approx = d * (1 - 3 / (4 * 17 - 1))
    assert res.g != pytest.approx(approx, rel=1e-6)
    assert res.g == pytest.approx(approx, rel=1e-3)


def test_nan_values_are_dropped():
    res = hedges_g([*K_CRAMP, np.nan], [np.nan, *K_CONTROL])
    assert (res.n_cramp, res.n_control) == (8, 11)
    assert res.g == pytest.approx(1.0290228543690654, rel=REL)


def test_result_is_frozen():
    res = hedges_g(K_CRAMP, K_CONTROL)
    with pytest.raises(AttributeError):
        res.g = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("x_cramp", "x_control", "exc", "match"),
    [
        (
            [1.0, np.nan, np.nan],
            K_CONTROL,
            ValueError,
            r"`x_cramp` needs at least 2 non-missing values; got 1",
        ),
        (K_CRAMP, [np.nan, np.nan], ValueError, r"`x_control` needs at least 2 .* got 0"),
        (
            [[1.0, 2.0], [3.0, 4.0]],
            K_CONTROL,
            ValueError,
            r"`x_cramp` must be one-dimensional; got shape \(2, 2\)",
        ),
        ([1.0, np.inf, 2.0], K_CONTROL, ValueError, r"`x_cramp` must not contain infinite values"),
        (
            ["a", "b"],
            K_CONTROL,
            TypeError,
            r"`x_cramp` must be an array of numbers; got \['a', 'b'\]",
        ),
        ([4.0, 4.0, 4.0], [5.0, 5.0], ValueError, r"`sd_cramp` and `sd_control` are both 0"),
    ],
)
def test_bad_samples_raise(x_cramp, x_control, exc, match):
    with pytest.raises(exc, match=match):
        hedges_g(x_cramp, x_control)


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((1, 0.7, 0.1, 22, 0.6, 0.1), {}, ValueError, r"`n_cramp` must be at least 2; got 1"),
        ((21, 0.7, 0.1, 2.5, 0.6, 0.1), {}, TypeError, r"`n_control` must be an integer; got 2.5"),
        (
            (21, float("nan"), 0.1, 22, 0.6, 0.1),
            {},
            ValueError,
            r"`mean_cramp` must be finite; got nan",
        ),
        (
            (21, 0.7, -0.1, 22, 0.6, 0.1),
            {},
            ValueError,
            r"`sd_cramp` must be non-negative; got -0.1",
        ),
        (
            (21, 0.7, 0.1, 22, "0.6", 0.1),
            {},
            TypeError,
            r"`mean_control` must be a real number; got '0.6'",
        ),
        (
            (21, 0.7, 0.1, 22, 0.6, 0.1),
            {"confidence_level": 95},
            ValueError,
            r"`confidence_level` must be a number strictly between 0 and 1; got 95",
        ),
    ],
)
def test_bad_summaries_raise(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        hedges_g_from_stats(*args, **kwargs)
