"""Tests for analysis.rank_tests, against R (tests/reference/rank_tests.R, .Rout)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.rank_tests import brunner_munzel, mannwhitney_r

RTOL = 1e-10  # R printed with 15 significant digits; closed-form or exact values

X_CRAMP = [139.2, 141.5, 136.8, 144.1, 138.7, 140.3, 135.9, 142.6, 137.4, 143.8]
X_CONTROL = [140.1, 142.3, 139.5, 143.7, 141.2, 144.9, 138.8, 142.0, 140.6,
             145.3, 139.9, 141.8, 143.1, 142.7]  # fmt: skip
T_X = [3, 5, 5, 7, 8, 8, 9]
T_Y = [1, 2, 3, 3, 5, 6, 6, 8]
BIG_X = (np.arange(1, 61) * 37) % 101 + 0.25  # big_x <- ((1:60) * 37) %% 101 + 0.25
BIG_Y = (np.arange(1, 56) * 53) % 97 + 0.5  # big_y <- ((1:55) * 53) %% 97 + 0.5
EDGE_X = (np.arange(1, 51) * 37) % 101 + 0.25  # edge_x <- ((1:50) * 37) %% 101 + 0.25
EDGE_Y = [10.5, 20.5, 30.5, 40.5, 50.5]
S_CRAMP = [0.8, 1.1, 1.3, 1.9, 2.4, 3.6, 5.2, 9.7]
S_CONTROL = [0.6, 0.7, 0.9, 1.0, 1.2, 1.4, 1.5, 1.7, 2.0, 2.2, 2.9]

EXACT = "Wilcoxon rank sum exact test"
NORMAL = "Wilcoxon rank sum test with continuity correction"


@pytest.mark.parametrize(
    ("x", "y", "w", "p", "method"),
    [
        # wilcox.test(x_cramp, x_control): no ties, n < 50
        (X_CRAMP, X_CONTROL, 44, 0.137502702349923, EXACT),
        # wilcox.test(x_control, x_cramp)
        (X_CONTROL, X_CRAMP, 96, 0.137502702349923, EXACT),
        # wilcox.test(t_x, t_y): ties
        (T_X, T_Y, 42, 0.113928928119787, NORMAL),
        # wilcox.test(big_x, big_y): n >= 50, no ties
        (BIG_X, BIG_Y, 1786, 0.448059349979594, NORMAL),
        # wilcox.test(edge_x, edge_y): n.x = 50, n.y = 5 (scipy's 'auto' would be exact)
        (EDGE_X, EDGE_Y, 173, 0.164329279538066, NORMAL),
        # wilcox.test(c(x_cramp, NA), x_control): NA dropped
        ([*X_CRAMP, np.nan], X_CONTROL, 44, 0.137502702349923, EXACT),
    ],
)
def test_mannwhitney_matches_r(x, y, w, p, method):
    res = mannwhitney_r(x, y)
    assert res.statistic == w
    np.testing.assert_allclose(res.pvalue, p, rtol=RTOL)
    assert res.method == method
    statistic, pvalue, name = res  # unpacks as a tuple
    assert (statistic, pvalue, name) == (res.statistic, res.pvalue, res.method)


def test_mannwhitney_differs_from_scipy_auto_where_r_does():
    # scipy's default picks the exact test here (n_y <= 8); R does not (n_x = 50).
    scipy_auto = stats.mannwhitneyu(EDGE_X, EDGE_Y).pvalue
    assert abs(scipy_auto - 0.164329279538066) > 1e-3
    assert mannwhitney_r(EDGE_X, EDGE_Y).method == NORMAL


@pytest.mark.parametrize(
    ("x", "y", "statistic", "df", "p"),
    [
        # bm(x_cramp, x_control), written out in rank_tests.R
        (X_CRAMP, X_CONTROL, 1.49897692383232, 12.3544603384595, 0.158991634126862),
        # bm(t_x, t_y): ties
        (T_X, T_Y, -1.92089176959493, 12.901243837942, 0.077120225454427),
        # bm(s_cramp, s_control)
        (S_CRAMP, S_CONTROL, -1.54364942284827, 11.1323566649779, 0.150608302692605),
    ],
)
def test_brunner_munzel_matches_r(x, y, statistic, df, p):
    res = brunner_munzel(x, y)
    np.testing.assert_allclose(res, (statistic, df, p), rtol=RTOL)


def test_brunner_munzel_sign_convention():
    # control values tend to be larger than cramp values (p_hat = 0.686 in R),
    # so bm(x_cramp, x_control) is positive and swapping the samples flips it.
    forward = brunner_munzel(X_CRAMP, X_CONTROL)
    backward = brunner_munzel(X_CONTROL, X_CRAMP)
    assert forward.statistic > 0
    np.testing.assert_allclose(backward.statistic, -forward.statistic, rtol=1e-12)
    np.testing.assert_allclose(backward.pvalue, forward.pvalue, rtol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match=r"`x` must be one-dimensional; got shape \(2, 2\)"):
        mannwhitney_r([[1, 2], [3, 4]], [1, 2])
    with pytest.raises(ValueError, match=r"`y` must contain at least 1 finite.*got 0"):
        mannwhitney_r([1, 2], [np.nan])
    with pytest.raises(ValueError, match=r"`x` must contain at least 2 finite.*got 1"):
        brunner_munzel([1, np.nan], [1, 2, 3])
    with pytest.raises(ValueError, match=r"`y` must be one-dimensional; got shape \(\)"):
        brunner_munzel([1, 2, 3], 4.0)
