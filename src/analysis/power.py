"""Power of the two-sided two-sample t test and the minimum detectable effect."""

from __future__ import annotations

import math
from numbers import Real

from scipy import integrate, optimize, stats

from analysis.effect_size import _check_finite, _check_level, _check_n

__all__ = [
    "minimum_detectable_effect",
    "minimum_detectable_from_se",
    "power_from_se",
    "power_tost",
    "power_two_sample",
]

# A lower tail that SciPy cannot evaluate is replaced by 0 only when its
# analytic upper bound is below this fraction of the upper tail (power is then
# exact to 1e-12 relative); otherwise it is integrated numerically.
_NEGLIGIBLE = 1e-12


def _lower_tail_by_quadrature(crit: float, df: int, ncp: float) -> float:
    """P(T < -crit) for noncentral t, as E[Phi(-ncp - crit * sqrt(V/df))], V ~ chi2(df).

    Used where ``scipy.stats.nct.cdf`` returns NaN (seen at df = 80, ncp 5.6
    and 7.0, alpha = 0.001: ``compare_groups(confidence_level=0.999)`` failed).
    """

    def integrand(v: float) -> float:
        return float(stats.norm.cdf(-ncp - crit * math.sqrt(v / df)) * stats.chi2.pdf(v, df))

    below, _ = integrate.quad(integrand, 0, df, epsabs=0, epsrel=1e-10, limit=200)
    above, _ = integrate.quad(integrand, df, math.inf, epsabs=0, epsrel=1e-10, limit=200)
    return below + above


def _power(n1: int, n2: int, d: float, alpha: float) -> float:
    """Two-sided power, assuming validated arguments (see power_two_sample)."""
    return _power_nct(n1 + n2 - 2, abs(d) * math.sqrt(n1 * n2 / (n1 + n2)), alpha)


def _power_nct(df: float, ncp: float, alpha: float) -> float:
    """Two-sided power of a t test with `df` and noncentrality `ncp` >= 0."""
    crit = float(stats.t.isf(alpha / 2, df))
    if ncp == 0:
        return alpha
    upper = float(stats.nct.sf(crit, df, ncp))
    if not math.isfinite(upper):
        raise FloatingPointError(
            f"scipy.stats.nct.sf returned {upper} for df={df}, ncp={ncp}; power is not available"
        )
    # P(T < -crit) <= P(Z + ncp < 0) = Phi(-ncp), because -crit < 0 and the
    # chi denominator is positive. scipy.stats.nct.cdf returns NaN deep in this
    # tail (ncp >= ~8.5; scipy issues 25106, 25470), where the bound shows the
    # term is negligible.
    bound = float(stats.norm.cdf(-ncp))
    lower = float(stats.nct.cdf(-crit, df, ncp))
    if math.isfinite(lower) and lower >= 0:
        lower = min(lower, bound)
    elif bound <= _NEGLIGIBLE * upper:
        lower = 0.0
    elif math.isfinite(lower := _lower_tail_by_quadrature(crit, df, ncp)):
        lower = min(lower, bound)
    else:
        raise FloatingPointError(
            f"scipy.stats.nct.cdf returned {lower} for df={df}, ncp={ncp}, and the "
            f"lower tail (up to {bound:.3g}) is not negligible"
        )
    return min(upper + lower, 1.0)


def _check_alpha(alpha: object) -> float:
    return _check_level(alpha, "alpha")


def power_two_sample(n_cramp: int, n_control: int, d: float, *, alpha: float = 0.05) -> float:
    r"""Power of the two-sided two-sample Student t test for a true effect `d`.

    Parameters
    ----------
    n_cramp, n_control : int
        Group sizes, each at least 2.
    d : float
        True standardised difference (Cohen's d, in SD units); the sign does
        not matter for a two-sided test.
    alpha : float, default 0.05
        Two-sided significance level, in (0, 1).

    Returns
    -------
    float
        Probability of rejecting H0: no difference, in [alpha, 1].

    Raises
    ------
    ValueError
        If a group size is below 2, `d` is not finite or `alpha` is not in (0, 1).

    Notes
    -----
    With :math:`\nu = n_1 + n_2 - 2`, :math:`\delta = |d|\sqrt{n_1 n_2/(n_1+n_2)}`
    and :math:`c = t_{\nu, 1-\alpha/2}`,

    .. math::

        \text{power} = P(T_{\nu,\delta} > c) + P(T_{\nu,\delta} < -c),

    with :math:`T_{\nu,\delta}` noncentral t. This is R
    ``pwr::pwr.t2n.test(n1, n2, d, sig.level)$power``. The upper tail uses
    ``scipy.stats.nct.sf``. The lower tail uses ``nct.cdf``, which returns NaN
    for large :math:`\delta` (scipy issues 25106 and 25470); it is bounded by
    :math:`\Phi(-\delta)`, and where SciPy fails it is set to 0 only if that
    bound is below 1e-12 of the upper tail, so NaN never leaks out.

    References
    ----------
    .. [1] Cohen J. Statistical Power Analysis for the Behavioral Sciences.
       2nd ed. Erlbaum; 1988.
    .. [2] Champely S. pwr: Basic functions for power analysis. R package.

    Examples
    --------
    Power of the 1986 design (15 crampers, 67 others) to detect half an SD:

    >>> from analysis.power import power_two_sample
    >>> print(f"{power_two_sample(15, 67, 0.5):.3f}")
    0.409
    >>> print(f"{power_two_sample(100, 100, 2.0):.3f}")
    1.000
    """
    n1 = _check_n(n_cramp, "n_cramp")
    n2 = _check_n(n_control, "n_control")
    d = _check_finite(d, "d")
    alpha = _check_alpha(alpha)
    return _power(n1, n2, d, alpha)


def minimum_detectable_effect(
    n_cramp: int, n_control: int, *, power: float = 0.8, alpha: float = 0.05
) -> float:
    """Smallest standardised difference detected with the given power.

    Parameters
    ----------
    n_cramp, n_control : int
        Group sizes, each at least 2.
    power : float, default 0.8
        Target power, strictly between `alpha` and 1.
    alpha : float, default 0.05
        Two-sided significance level, in (0, 1).

    Returns
    -------
    float
        The positive d (in SD units) at which :func:`power_two_sample` equals
        `power`.

    Raises
    ------
    ValueError
        If a group size is below 2, `alpha` is not in (0, 1) or `power` is
        not in (alpha, 1).

    Notes
    -----
    Solves ``power_two_sample(n_cramp, n_control, d, alpha=alpha) = power``
    for d > 0 with Brent's method (power increases with d; the bracket is
    doubled until it contains the root), to a relative tolerance of about
    1e-13. This is R ``pwr::pwr.t2n.test(n1, n2, power = power)$d``; pwr 1.3.0
    solves with ``uniroot``'s default tolerance (about 1e-4), so the tests
    compare against ``uniroot(..., tol = 1e-12)`` on pwr's own power function.

    References
    ----------
    .. [1] Cohen J. Statistical Power Analysis for the Behavioral Sciences.
       2nd ed. Erlbaum; 1988.

    Examples
    --------
    >>> from analysis.power import minimum_detectable_effect
    >>> print(f"{minimum_detectable_effect(15, 67):.3f}")
    0.810
    >>> print(f"{minimum_detectable_effect(5000, 5000, power=0.99):.4f}")
    0.0857
    """
    n1 = _check_n(n_cramp, "n_cramp")
    n2 = _check_n(n_control, "n_control")
    alpha = _check_alpha(alpha)
    if isinstance(power, bool) or not isinstance(power, Real) or not alpha < power < 1:
        raise ValueError(
            f"`power` must be strictly between `alpha` ({alpha!r}) and 1; got {power!r}"
        )
    target = float(power)

    def excess(d: float) -> float:
        return _power(n1, n2, d, alpha) - target

    high = 1.0
    while excess(high) <= 0:
        high *= 2
    return float(optimize.brentq(excess, 0.0, high, xtol=1e-15, rtol=1e-13, maxiter=500))


def power_tost(
    n_cramp: int,
    n_control: int,
    margin_d: float,
    *,
    true_d: float = 0.0,
    alpha: float = 0.05,
) -> float:
    r"""Chance that two one-sided t tests (TOST) conclude equivalence.

    Parameters
    ----------
    n_cramp, n_control : int
        Group sizes, each at least 2.
    margin_d : float
        Equivalence margin in SD units (margin / SD), positive: equivalence is
        claimed when the 1 - 2 alpha pooled-t interval lies inside
        (-margin_d, margin_d).
    true_d : float, default 0.0
        The true difference in SD units; 0 asks "if the groups really do not
        differ, how often would this design show it?".
    alpha : float, default 0.05
        Level of each one-sided test.

    Returns
    -------
    float
        Power of the pooled-variance TOST, between 0 and 1.

    Notes
    -----
    Exact, by one numerical integral over the estimated SD. With
    :math:`SE = \sqrt{1/n_1 + 1/n_2}`, :math:`\nu = n_1 + n_2 - 2`,
    :math:`t^* = t_{1-\alpha,\nu}` and :math:`u = s/\sigma`, where
    :math:`\nu u^2 \sim \chi^2_\nu` independently of the mean difference,
    equivalence is claimed when :math:`|\hat d| < m - t^* u\, SE`, so

    .. math::

        P = \int_0^{m/(t^* SE)} \left[\Phi\left(\frac{m - \delta}{SE} - t^* u\right)
            - \Phi\left(\frac{-m - \delta}{SE} + t^* u\right)\right] f(u)\, du .

    This is the exact power of the pooled TOST (the quantity that Owen's Q
    function gives); it is checked against a simulation of the test itself,
    since no R package for it is packaged in Debian. Equivalence needs the whole interval
    inside the margin, so a design can have fair power to detect a difference
    as large as the margin and still little chance to show equivalence.

    Examples
    --------
    The 1986 design, margin half an SD, groups truly equal:

    >>> from analysis.power import power_tost
    >>> print(f"{power_tost(15, 67, 0.5):.3f}")
    0.088
    """
    n1 = _check_n(n_cramp, "n_cramp")
    n2 = _check_n(n_control, "n_control")
    alpha = _check_alpha(alpha)
    if not alpha < 0.5:
        raise ValueError(f"`alpha` must be below 0.5 for a TOST; got {alpha!r}")
    margin_d = _check_finite(margin_d, "margin_d")
    if not margin_d > 0:
        raise ValueError(f"`margin_d` must be positive; got {margin_d!r}")
    true_d = _check_finite(true_d, "true_d")
    from scipy import integrate

    df = n1 + n2 - 2
    se = math.sqrt(1 / n1 + 1 / n2)
    crit = float(stats.t.isf(alpha, df))
    high = margin_d / (crit * se)  # beyond it the interval is wider than the margin
    root_df = math.sqrt(df)

    def integrand(u: float) -> float:
        inside = stats.norm.cdf((margin_d - true_d) / se - crit * u) - stats.norm.cdf(
            (-margin_d - true_d) / se + crit * u
        )
        return max(0.0, float(inside)) * root_df * float(stats.chi.pdf(u * root_df, df))

    value, _ = integrate.quad(integrand, 0.0, high, limit=200, epsabs=1e-12, epsrel=1e-10)
    return min(1.0, max(0.0, value))


def _check_se_df(se: object, df: object) -> tuple[float, float]:
    for name, value in (("se", se), ("df", df)):
        if (
            isinstance(value, bool)
            or not isinstance(value, Real)
            or not (math.isfinite(value) and value > 0)
        ):
            raise ValueError(f"`{name}` must be a positive finite number; got {value!r}")
    return float(se), float(df)


def power_from_se(effect: float, se: float, df: float, *, alpha: float = 0.05) -> float:
    r"""Power of a two-sided t test of an estimate with standard error `se`.

    For a model-based difference (the group coefficient of an ANCOVA or a
    change-score model, :func:`analysis.compare_adjusted`).

    Parameters
    ----------
    effect : float
        True difference, in the unit of the data (sign irrelevant).
    se : float
        Standard error of the estimate, positive (unit of the data).
    df : float
        Degrees of freedom of the t test (the model's residual df), positive.
    alpha : float, default 0.05
        Two-sided level, in (0, 1).

    Returns
    -------
    float
        :math:`P(|T_{df,\delta}| > t_{df,1-\alpha/2})` with
        :math:`\delta = |effect| / se`.

    Notes
    -----
    A plug-in approximation: the estimated SE is treated as the true SD of
    the estimate in a future study of the same design, so the answer is the
    noncentral-t power for noncentrality :math:`|effect|/se`. For the two-sample
    pooled t test (``se = s_p \sqrt{1/n_1 + 1/n_2}``, ``df = n_1 + n_2 - 2``)
    it is exactly :func:`power_two_sample` with ``d = effect / s_p``, which is
    checked against R ``pwr``; for a model it inherits the model's SE (HC3 or
    classical), so it is as good as that SE.

    Examples
    --------
    >>> from analysis.power import power_from_se, power_two_sample
    >>> se = (1 / 15 + 1 / 67) ** 0.5  # pooled SD 1
    >>> print(f"{power_from_se(0.5, se, 80):.3f} {power_two_sample(15, 67, 0.5):.3f}")
    0.409 0.409
    """
    se, df = _check_se_df(se, df)
    effect = _check_finite(effect, "effect")
    alpha = _check_alpha(alpha)
    return _power_nct(df, abs(effect) / se, alpha)


def minimum_detectable_from_se(
    se: float, df: float, *, power: float = 0.8, alpha: float = 0.05
) -> float:
    """Smallest difference detected with `power` by a t test with this SE and df.

    Parameters
    ----------
    se, df : float
        Standard error of the estimate (unit of the data) and t degrees of
        freedom, both positive.
    power : float, default 0.8
        Target power, strictly between `alpha` and 1.
    alpha : float, default 0.05
        Two-sided level, in (0, 1).

    Returns
    -------
    float
        The positive difference, in the unit of the data, at which
        :func:`power_from_se` equals `power` (same plug-in approximation).

    Examples
    --------
    >>> from analysis.power import minimum_detectable_from_se, minimum_detectable_effect
    >>> se = (1 / 15 + 1 / 67) ** 0.5
    >>> print(f"{minimum_detectable_from_se(se, 80):.4f} {minimum_detectable_effect(15, 67):.4f}")
    0.8100 0.8100
    """
    se, df = _check_se_df(se, df)
    alpha = _check_alpha(alpha)
    if isinstance(power, bool) or not isinstance(power, Real) or not alpha < power < 1:
        raise ValueError(
            f"`power` must be strictly between `alpha` ({alpha!r}) and 1; got {power!r}"
        )

    def excess(ncp: float) -> float:
        return _power_nct(df, ncp, alpha) - float(power)

    high = 1.0
    while excess(high) <= 0:
        high *= 2
    return se * float(optimize.brentq(excess, 0.0, high, xtol=1e-15, rtol=1e-13, maxiter=500))
