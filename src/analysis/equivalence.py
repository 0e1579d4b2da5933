"""Equivalence testing: Welch two one-sided tests (TOST) against a margin.

Also home of the Welch standard error, Welch-Satterthwaite degrees of freedom
and the t-based confidence interval, shared with :mod:`analysis.summaries`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Real

import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from analysis.effect_size import _check_summary, _summarise

__all__ = [
    "TostResult",
    "margin_sensitivity",
    "smallest_margin",
    "tost_from_estimate",
    "welch_tost",
    "welch_tost_from_stats",
]


# --------------------------------------------------------------------------
# shared t-test pieces (private; imported by analysis.summaries)
# --------------------------------------------------------------------------


def _welch_se_df(n1: int, s1: float, n2: int, s2: float) -> tuple[float, float]:
    """Welch standard error of the mean difference and Welch-Satterthwaite df."""
    v1, v2 = s1**2 / n1, s2**2 / n2
    if v1 + v2 == 0:
        raise ValueError("both groups have zero standard deviation: the t statistic is undefined")
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    return math.sqrt(v1 + v2), df


def _t_interval(estimate: float, se: float, df: float, level: float) -> tuple[float, float]:
    """Two-sided t confidence interval ``estimate -/+ t_{df, (1+level)/2} * se``."""
    half = float(stats.t.isf((1 - level) / 2, df)) * se
    return estimate - half, estimate + half


def _check_margin(margin: object, name: str = "margin") -> float:
    if isinstance(margin, bool) or not isinstance(margin, Real):
        raise TypeError(f"`{name}` must be a positive number; got {margin!r}")
    if not (math.isfinite(margin) and margin > 0):
        raise ValueError(f"`{name}` must be a positive finite number; got {margin!r}")
    return float(margin)


def _check_alpha(alpha: object) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or not 0 < alpha < 0.5:
        raise ValueError(f"`alpha` must be strictly between 0 and 0.5; got {alpha!r}")
    return float(alpha)


# --------------------------------------------------------------------------
# TOST
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TostResult:
    """Result of a Welch two one-sided tests (TOST) equivalence procedure.

    Attributes
    ----------
    mean_diff : float
        Mean of cramp minus mean of control (unit of the data).
    margin : float
        Equivalence margin m; the equivalence region is (-m, +m), unit of the data.
    p_lower : float
        p-value of H0: diff <= -m against diff > -m.
    p_upper : float
        p-value of H0: diff >= +m against diff < +m.
    p_tost : float
        ``max(p_lower, p_upper)``, the TOST p-value.
    ci_low, ci_high : float
        Welch (1 - 2 alpha) confidence interval of the difference (unit of the
        data); equivalence at level alpha holds exactly when it lies inside
        (-m, +m).
    alpha : float
        Significance level of each one-sided test.
    equivalent : bool
        ``p_tost < alpha``.
    df : float
        Welch-Satterthwaite degrees of freedom.
    """

    mean_diff: float
    margin: float
    p_lower: float
    p_upper: float
    p_tost: float
    ci_low: float
    ci_high: float
    alpha: float
    equivalent: bool
    df: float


def welch_tost_from_stats(
    n1: int,
    m1: float,
    s1: float,
    n2: int,
    m2: float,
    s2: float,
    margin: float,
    *,
    alpha: float = 0.05,
) -> TostResult:
    r"""Welch TOST equivalence test from summary statistics (cramp minus control).

    Parameters
    ----------
    n1, m1, s1 : int, float, float
        Size, mean and sample SD of the cramp group (n1 >= 2).
    n2, m2, s2 : int, float, float
        Size, mean and sample SD of the control group (n2 >= 2).
    margin : float
        Positive equivalence margin m, in the unit of the data; the region of
        practical irrelevance is (-m, +m).
    alpha : float, default 0.05
        Level of each one-sided test, in (0, 0.5).

    Returns
    -------
    TostResult
        ``mean_diff``, ``margin``, ``p_lower``, ``p_upper``, ``p_tost``,
        ``ci_low``/``ci_high`` (the 1 - 2 alpha Welch interval, unit of the
        data), ``alpha``, ``equivalent``, ``df``.

    Raises
    ------
    ValueError
        If a size is below 2, a value is not finite, an SD is negative, both
        SDs are 0, `margin` is not positive or `alpha` is not in (0, 0.5).

    Notes
    -----
    With :math:`d = \bar x_1 - \bar x_2`, :math:`se = \sqrt{s_1^2/n_1 + s_2^2/n_2}`
    and Welch-Satterthwaite df :math:`\nu`,

    .. math::

        p_{lower} = P(T_\nu > (d + m)/se), \quad
        p_{upper} = P(T_\nu < (d - m)/se), \quad
        p_{TOST} = \max(p_{lower}, p_{upper}).

    Matches R ``t.test(x, y, mu = -m, alternative = "greater")`` and
    ``t.test(x, y, mu = m, alternative = "less")`` (Welch default), and the
    interval of ``t.test(x, y, conf.level = 1 - 2 * alpha)``.

    References
    ----------
    .. [1] Schuirmann DJ. A comparison of the two one-sided tests procedure and
       the power approach for assessing the equivalence of average
       bioavailability. J Pharmacokinet Biopharm 1987;15(6):657-680.
    .. [2] Lakens D. Equivalence tests: a practical primer for t tests,
       correlations, and meta-analyses. Soc Psychol Personal Sci
       2017;8(4):355-362.

    Examples
    --------
    Schwellnus et al. (2004) sodium, against a margin of 3 mmol/L:

    >>> from analysis.equivalence import welch_tost_from_stats
    >>> res = welch_tost_from_stats(21, 139.8, 3.1, 22, 142.3, 2.1, 3)
    >>> print(f"p_tost = {res.p_tost:.3f}; 90% CI {res.ci_low:.2f} to {res.ci_high:.2f}")
    p_tost = 0.271; 90% CI -3.87 to -1.13
    >>> res.equivalent
    False
    """
    n1, m1, s1, n2, m2, s2 = _check_summary(
        n1, m1, s1, n2, m2, s2, names=("n1", "m1", "s1", "n2", "m2", "s2")
    )
    margin = _check_margin(margin)
    alpha = _check_alpha(alpha)
    se, df = _welch_se_df(n1, s1, n2, s2)
    return tost_from_estimate(m1 - m2, se, df, margin, alpha=alpha)


def welch_tost(
    x_cramp: ArrayLike, x_control: ArrayLike, margin: float, *, alpha: float = 0.05
) -> TostResult:
    """Welch TOST equivalence test on two samples of raw values.

    Parameters
    ----------
    x_cramp, x_control : array_like
        One-dimensional samples; NaN values are dropped, at least 2 must
        remain in each group.
    margin : float
        Positive equivalence margin m in the unit of the data (region (-m, +m)).
    alpha : float, default 0.05
        Level of each one-sided test, in (0, 0.5).

    Returns
    -------
    TostResult
        See :func:`welch_tost_from_stats`.

    Raises
    ------
    ValueError
        As :func:`welch_tost_from_stats`, and if a group has fewer than 2
        non-missing values.

    Notes
    -----
    Computes means and sample SDs (``ddof=1``) and calls
    :func:`welch_tost_from_stats`, which gives the formula. Matches R
    ``t.test(x, y, mu = -m, alternative = "greater")``,
    ``t.test(x, y, mu = m, alternative = "less")`` and
    ``t.test(x, y, conf.level = 1 - 2 * alpha)$conf.int``.

    References
    ----------
    .. [1] Schuirmann DJ. J Pharmacokinet Biopharm 1987;15(6):657-680.

    Examples
    --------
    >>> from analysis.equivalence import welch_tost
    >>> na_cramp = [141.2, 139.5, 143.8, 140.1, 142.6, 138.9, 144.0, 141.7]
    >>> na_control = [140.8, 142.1, 139.6, 141.3, 143.2, 140.5, 138.7, 142.9, 141.0, 139.9, 142.4]
    >>> res = welch_tost(na_cramp, na_control, 3)
    >>> print(f"p_tost = {res.p_tost:.4f}, equivalent: {res.equivalent}")
    p_tost = 0.0030, equivalent: True
    """
    return welch_tost_from_stats(*_summarise(x_cramp, x_control), margin, alpha=alpha)


def margin_sensitivity(
    x_cramp: ArrayLike,
    x_control: ArrayLike,
    margins: Iterable[float],
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Welch TOST verdict across a range of equivalence margins.

    Parameters
    ----------
    x_cramp, x_control : array_like
        One-dimensional samples; NaN values are dropped.
    margins : iterable of float
        Positive margins, in the unit of the data; at least one.
    alpha : float, default 0.05
        Level of each one-sided test, in (0, 0.5).

    Returns
    -------
    pandas.DataFrame
        One row per margin, in the order given, with columns ``margin``
        (unit of the data), ``p_tost``, ``equivalent`` (bool), ``ci_low`` and
        ``ci_high`` (the 1 - 2 alpha Welch interval, which does not depend on
        the margin and is repeated for plotting).

    Raises
    ------
    ValueError
        If `margins` is empty or holds a non-positive value, and as
        :func:`welch_tost`.

    Notes
    -----
    Each row is :func:`welch_tost` at that margin; the data are summarised
    once. Because the interval does not move, the verdict switches to
    "equivalent" at the margin ``max(|ci_low|, |ci_high|)``.

    References
    ----------
    .. [1] Lakens D, Scheel AM, Isager PM. Equivalence testing for
       psychological research: a tutorial. Adv Methods Pract Psychol Sci
       2018;1(2):259-269.

    Examples
    --------
    >>> from analysis.equivalence import margin_sensitivity
    >>> na_cramp = [141.2, 139.5, 143.8, 140.1, 142.6, 138.9, 144.0, 141.7]
    >>> na_control = [140.8, 142.1, 139.6, 141.3, 143.2, 140.5, 138.7, 142.9, 141.0, 139.9, 142.4]
    >>> table = margin_sensitivity(na_cramp, na_control, [1, 2, 3])
    >>> print(table[["margin", "p_tost", "equivalent"]].round(4).to_string(index=False))
     margin  p_tost  equivalent
        1.0  0.2154       False
        2.0  0.0304        True
        3.0  0.0030        True
    """
    summary = _summarise(x_cramp, x_control)
    if isinstance(margins, str | Real) or not isinstance(margins, Iterable):
        raise TypeError(f"`margins` must be an iterable of positive numbers; got {margins!r}")
    margin_list = list(margins)
    if not margin_list:
        raise ValueError("`margins` must hold at least one margin; got none")
    rows = []
    for i, margin in enumerate(margin_list):
        res = welch_tost_from_stats(*summary, _check_margin(margin, f"margins[{i}]"), alpha=alpha)
        rows.append(
            {
                "margin": res.margin,
                "p_tost": res.p_tost,
                "equivalent": res.equivalent,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
            }
        )
    return pd.DataFrame(rows, columns=["margin", "p_tost", "equivalent", "ci_low", "ci_high"])


def tost_from_estimate(
    estimate: float, se: float, df: float, margin: float, *, alpha: float = 0.05
) -> TostResult:
    r"""TOST for any estimate with a standard error and t degrees of freedom.

    For a model-based difference such as the group coefficient of an ANCOVA
    (:func:`analysis.compare_adjusted`), with its (HC3 or classical) standard
    error and the model's residual degrees of freedom.

    Parameters
    ----------
    estimate : float
        The difference, cramp minus control, in the unit of the data.
    se : float
        Its standard error, positive.
    df : float
        Degrees of freedom of the t reference distribution, positive.
    margin : float
        Positive equivalence margin m (region (-m, +m)).
    alpha : float, default 0.05
        Level of each one-sided test, in (0, 0.5).

    Returns
    -------
    TostResult
        As :func:`welch_tost_from_stats`; ``ci_low``/``ci_high`` is the
        1 - 2 alpha interval ``estimate -/+ t_{df, 1-alpha} se``.

    Raises
    ------
    ValueError
        If `se` or `df` is not positive and finite, or as
        :func:`welch_tost_from_stats` for `margin` and `alpha`.

    Notes
    -----
    :math:`p_{lower} = P(T_{df} > (\hat\delta + m)/se)`,
    :math:`p_{upper} = P(T_{df} < (\hat\delta - m)/se)`. With a
    heteroskedasticity-consistent SE the t reference is an approximation (the
    SE is treated as if its distribution were scaled chi-square with the
    residual df), as in R ``lmtest::coeftest(fit, vcov. = vcovHC(fit, "HC3"))``.
    The tests compare with R ``pt()`` on ``lm`` and ``sandwich::vcovHC``.

    Examples
    --------
    >>> from analysis.equivalence import tost_from_estimate
    >>> res = tost_from_estimate(-0.12, 0.62, 79, 3.0)
    >>> print(f"{res.p_tost:.2e}", res.equivalent)
    6.68e-06 True
    """
    margin = _check_margin(margin)
    alpha = _check_alpha(alpha)
    for name, value in (("se", se), ("df", df)):
        if (
            isinstance(value, bool)
            or not isinstance(value, Real)
            or not (math.isfinite(value) and value > 0)
        ):
            raise ValueError(f"`{name}` must be a positive finite number; got {value!r}")
    estimate = float(estimate)
    p_lower = float(stats.t.sf((estimate + margin) / se, df))
    p_upper = float(stats.t.cdf((estimate - margin) / se, df))
    p_tost = max(p_lower, p_upper)
    ci_low, ci_high = _t_interval(estimate, float(se), float(df), 1 - 2 * alpha)
    return TostResult(
        mean_diff=estimate,
        margin=margin,
        p_lower=p_lower,
        p_upper=p_upper,
        p_tost=p_tost,
        ci_low=ci_low,
        ci_high=ci_high,
        alpha=alpha,
        equivalent=bool(p_tost < alpha),
        df=float(df),
    )


def smallest_margin(ci_low: ArrayLike, ci_high: ArrayLike) -> ArrayLike:
    """Smallest symmetric margin for which TOST declares equivalence.

    Parameters
    ----------
    ci_low, ci_high : float or array_like
        Limits of the 1 - 2 alpha interval of the difference (the 90 %
        interval for alpha = 0.05), in the unit of the data.

    Returns
    -------
    float or numpy.ndarray
        ``max(|ci_low|, |ci_high|)``: TOST at level alpha declares
        equivalence for every margin above it and for none at or below it, so
        a reader can apply any margin of their own. NaN where a limit is NaN.

    Examples
    --------
    >>> from analysis.equivalence import smallest_margin
    >>> float(smallest_margin(-1.5, 0.9))
    1.5
    """
    import numpy as np

    return np.maximum(
        np.abs(np.asarray(ci_low, dtype=float)), np.abs(np.asarray(ci_high, dtype=float))
    )
