"""Tests for analysis.equivalence against R t.test (tests/reference/closed_form.R)."""

import numpy as np
import pandas as pd
import pytest

from analysis.equivalence import margin_sensitivity, welch_tost, welch_tost_from_stats

# Typed identically in tests/reference/closed_form.R
NA_CRAMP = [141.2, 139.5, 143.8, 140.1, 142.6, 138.9, 144.0, 141.7]
NA_CONTROL = [140.8, 142.1, 139.6, 141.3, 143.2, 140.5, 138.7, 142.9, 141.0, 139.9, 142.4]
K_CRAMP = [4.6, 4.9, 4.3, 5.1, 4.7, 4.4, 4.8, 5.0]
K_CONTROL = [4.5, 4.2, 4.7, 4.4, 4.6, 4.3, 4.8, 4.1, 4.5, 4.6, 4.4]

REL = 1e-6  # closed form


def test_sodium_margin_3_matches_r():
    # tost(na_cramp, na_control, 3):
    #   t.test(x, y, mu = -3, alternative = "greater")$p.value, t.test(x, y, mu = 3,
    #   alternative = "less")$p.value, $parameter, t.test(x, y, conf.level = 0.90)$conf.int
    res = welch_tost(NA_CRAMP, NA_CONTROL, 3)
    assert res.p_lower == pytest.approx(0.000597964669901721, rel=REL)
    assert res.p_upper == pytest.approx(0.002985260599754838, rel=REL)
    assert res.p_tost == res.p_upper
    assert res.df == pytest.approx(12.376966451338557107, rel=REL)
    assert res.ci_low == pytest.approx(-1.076085275908986061, rel=REL)
    assert res.ci_high == pytest.approx(1.771539821363524281, rel=REL)
    assert res.mean_diff == pytest.approx(np.mean(NA_CRAMP) - np.mean(NA_CONTROL), rel=1e-12)
    assert res.equivalent is True
    assert (res.margin, res.alpha) == (3.0, 0.05)


def test_sodium_margin_1_is_not_equivalent():
    # tost(na_cramp, na_control, 1)
    res = welch_tost(NA_CRAMP, NA_CONTROL, 1)
    assert res.p_lower == pytest.approx(0.0587273854233496, rel=REL)
    assert res.p_upper == pytest.approx(0.2153954402513008, rel=REL)
    assert res.equivalent is False


def test_potassium_margin_and_alpha_match_r():
    # tost(k_cramp, k_control, 0.5)
    res = welch_tost(K_CRAMP, K_CONTROL, 0.5)
    assert res.p_lower == pytest.approx(1.34857242359114e-05, rel=REL)
    assert res.p_upper == pytest.approx(3.27491071519204e-02, rel=REL)
    assert res.df == pytest.approx(1.24358189351421e01, rel=REL)
    assert res.ci_low == pytest.approx(5.13929435751713e-02, rel=REL)
    assert res.ci_high == pytest.approx(4.71334329152100e-01, rel=REL)
    assert res.equivalent is True
    # tost(k_cramp, k_control, 0.5, alpha = 0.025): conf.level = 0.95
    strict = welch_tost(K_CRAMP, K_CONTROL, 0.5, alpha=0.025)
    assert strict.ci_low == pytest.approx(4.92586381276916e-03, rel=REL)
    assert strict.ci_high == pytest.approx(5.17801408914502e-01, rel=REL)
    assert strict.equivalent is False  # p_tost = 0.0327 > 0.025


def test_from_stats_matches_r_on_vectors_with_the_printed_summaries():
    # tost(exact(21, 139.8, 3.1), exact(22, 142.3, 2.1), 3)
    res = welch_tost_from_stats(21, 139.8, 3.1, 22, 142.3, 2.1, 3)
    assert res.p_lower == pytest.approx(2.70825233829521e-01, rel=REL)
    assert res.p_upper == pytest.approx(3.69707087230317e-08, rel=REL)
    assert res.df == pytest.approx(3.49688494167049e01, rel=REL)
    assert res.ci_low == pytest.approx(-3.87064368411679, rel=REL)
    assert res.ci_high == pytest.approx(-1.12935631588321, rel=REL)
    assert res.p_tost == res.p_lower
    assert res.equivalent is False


def test_verdict_agrees_with_the_interval():
    for margin in (0.2, 0.45, 0.47, 0.5, 1.0):
        res = welch_tost(K_CRAMP, K_CONTROL, margin)
        inside = -margin < res.ci_low and res.ci_high < margin
        assert res.equivalent is inside


def test_nan_values_are_dropped():
    res = welch_tost([np.nan, *K_CRAMP], [*K_CONTROL, np.nan], 0.5)
    assert res.p_upper == pytest.approx(3.27491071519204e-02, rel=REL)


def test_margin_sensitivity_matches_r():
    # tost(na_cramp, na_control, m)$p_tost for m in 0.5, 1, 2, 3
    table = margin_sensitivity(NA_CRAMP, NA_CONTROL, [0.5, 1, 2, 3])
    assert list(table.columns) == ["margin", "p_tost", "equivalent", "ci_low", "ci_high"]
    assert table["margin"].tolist() == [0.5, 1.0, 2.0, 3.0]
    expected = [0.426145763576753, 0.215395440251301, 0.0303707753471126, 0.00298526059975484]
    np.testing.assert_allclose(table["p_tost"], expected, rtol=REL)
    assert table["equivalent"].tolist() == [False, False, True, True]
    assert table["equivalent"].dtype == bool
    np.testing.assert_allclose(table["ci_low"], -1.076085275908986061, rtol=REL)
    np.testing.assert_allclose(table["ci_high"], 1.771539821363524281, rtol=REL)


def test_margin_sensitivity_accepts_numpy_arrays():
    table = margin_sensitivity(np.array(NA_CRAMP), np.array(NA_CONTROL), np.array([3.0]))
    assert isinstance(table, pd.DataFrame)
    assert len(table) == 1


@pytest.mark.parametrize(
    ("margin", "exc", "match"),
    [
        (0, ValueError, r"`margin` must be a positive finite number; got 0"),
        (-1.5, ValueError, r"`margin` must be a positive finite number; got -1.5"),
        (float("inf"), ValueError, r"`margin` must be a positive finite number; got inf"),
        ("3", TypeError, r"`margin` must be a positive number; got '3'"),
    ],
)
def test_bad_margin_raises(margin, exc, match):
    with pytest.raises(exc, match=match):
        welch_tost(NA_CRAMP, NA_CONTROL, margin)


@pytest.mark.parametrize("alpha", [0, 0.5, 0.7, -0.05])
def test_bad_alpha_raises(alpha):
    with pytest.raises(ValueError, match=r"`alpha` must be strictly between 0 and 0.5; got"):
        welch_tost(NA_CRAMP, NA_CONTROL, 3, alpha=alpha)


def test_degenerate_samples_raise():
    with pytest.raises(ValueError, match=r"`x_cramp` needs at least 2 non-missing values; got 1"):
        welch_tost([140.0, np.nan], NA_CONTROL, 3)
    with pytest.raises(ValueError, match=r"both groups have zero standard deviation"):
        welch_tost([140.0, 140.0], [141.0, 141.0, 141.0], 3)


def test_from_stats_errors_name_its_own_arguments():
    with pytest.raises(ValueError, match=r"`n2` must be at least 2; got 1"):
        welch_tost_from_stats(21, 139.8, 3.1, 1, 142.3, 2.1, 3)
    with pytest.raises(ValueError, match=r"`s1` must be non-negative; got -3.1"):
        welch_tost_from_stats(21, 139.8, -3.1, 22, 142.3, 2.1, 3)


@pytest.mark.parametrize(
    ("margins", "exc", "match"),
    [
        ([], ValueError, r"`margins` must hold at least one margin; got none"),
        (3, TypeError, r"`margins` must be an iterable of positive numbers; got 3"),
        ([1, -2], ValueError, r"`margins\[1\]` must be a positive finite number; got -2"),
    ],
)
def test_bad_margins_raise(margins, exc, match):
    with pytest.raises(exc, match=match):
        margin_sensitivity(NA_CRAMP, NA_CONTROL, margins)


def test_tost_from_estimate_with_welch_se_is_welch_tost():
    from analysis.equivalence import _welch_se_df, tost_from_estimate, welch_tost_from_stats

    se, df = _welch_se_df(21, 3.1, 22, 2.1)
    ours = tost_from_estimate(139.8 - 142.3, se, df, 3)
    ref = welch_tost_from_stats(21, 139.8, 3.1, 22, 142.3, 2.1, 3)
    for field in ("p_lower", "p_upper", "p_tost", "ci_low", "ci_high", "df"):
        assert getattr(ours, field) == pytest.approx(getattr(ref, field), rel=1e-12)
    with pytest.raises(ValueError, match="`se` must be a positive finite number"):
        tost_from_estimate(0.1, float("nan"), 10, 1)


def test_smallest_margin_is_the_switch_point():
    from analysis.equivalence import smallest_margin, welch_tost_from_stats

    ref = welch_tost_from_stats(21, 139.8, 3.1, 22, 142.3, 2.1, 3)
    m = float(smallest_margin(ref.ci_low, ref.ci_high))
    assert m == max(abs(ref.ci_low), abs(ref.ci_high))
    assert welch_tost_from_stats(21, 139.8, 3.1, 22, 142.3, 2.1, m * 1.001).equivalent
    assert not welch_tost_from_stats(21, 139.8, 3.1, 22, 142.3, 2.1, m * 0.999).equivalent
