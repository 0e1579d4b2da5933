"""JZS Bayes factor for the two-sample t test (Rouder et al. 2009), honestly bounded.

:func:`bayes_factor_ttest` gives BF10 for one prior scale;
:func:`bf01_max` the largest BF01 (evidence for no difference) that a design
can ever produce, reached at t = 0; :func:`bayes_factor_scales` a small table
across the conventional prior scales; :func:`tost_bf_sentence` one sentence
that puts an equivalence verdict and a Bayes factor side by side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import integrate, optimize

from analysis.effect_size import _check_finite, _check_n

__all__ = [
    "PRIOR_SCALES",
    "bayes_factor_scales",
    "bayes_factor_ttest",
    "bf01_max",
    "tost_bf_sentence",
]

#: The prior scales of BayesFactor's ``rscale`` names: "narrow" (0.5),
#: "medium" (sqrt(2)/2, the default), "wide" (1) and "ultrawide" (sqrt(2)).
PRIOR_SCALES: dict[str, float] = {
    "narrow": 0.5,
    "medium": math.sqrt(2) / 2,
    "wide": 1.0,
    "ultrawide": math.sqrt(2),
}


def bayes_factor_ttest(
    t: float, n_cramp: int, n_control: int, *, r: float = math.sqrt(2) / 2
) -> float:
    r"""JZS Bayes factor BF10 for a two-sample Student t statistic.

    Parameters
    ----------
    t : float
        Two-sample Student (pooled-variance) t statistic, cramp minus control.
    n_cramp, n_control : int
        Group sizes, each at least 2.
    r : float, default sqrt(2)/2
        Scale of the Cauchy prior on the standardised effect size under H1
        (``rscale = "medium"`` in BayesFactor); must be positive.

    Returns
    -------
    float
        BF10, the evidence for a difference (H1) over no difference (H0);
        values below 1 favour H0. ``math.inf`` if it exceeds the float range.

    Raises
    ------
    ValueError
        If `t` is not finite, a group size is below 2 or `r` is not positive.

    Notes
    -----
    With effective sample size :math:`N = n_1 n_2/(n_1+n_2)` and
    :math:`\nu = n_1 + n_2 - 2`, and the JZS prior written as
    :math:`\delta \mid g \sim N(0, g)`, :math:`g \sim \text{Inv-Gamma}(1/2, r^2/2)`,

    .. math::

        BF_{10} = \frac{\int_0^\infty (1+Ng)^{-1/2}
        \left(1 + \frac{t^2}{(1+Ng)\nu}\right)^{-(\nu+1)/2}
        \frac{r}{\sqrt{2\pi}} g^{-3/2} e^{-r^2/(2g)}\, dg}
        {\left(1 + t^2/\nu\right)^{-(\nu+1)/2}}.

    The integral is taken over :math:`u = \log g` on the log scale: the log
    integrand is maximised (grid, then bounded Brent), scaled so its peak is 1,
    and integrated with ``scipy.integrate.quad`` on each side of the peak
    (relative tolerance 1e-10). It matches R
    ``BayesFactor::extractBF(ttestBF(x = x, y = y, rscale = "medium"))$bf``
    (equivalently ``exp(ttest.tstat(t, n1, n2, rscale)$bf)``) to 1e-6 relative
    (tested; the largest deviation over 36 cases of ``bayes_prior.R`` and
    ``closed_form.R`` is about 1e-9). BayesFactor reports a proportional
    error of up to 3e-3, but its values agree with R's ``integrate()`` at
    ``rel.tol = 1e-13`` to 1e-10, so 1e-6 is a tolerance the integral allows.

    References
    ----------
    .. [1] Rouder JN, Speckman PL, Sun D, Morey RD, Iverson G. Bayesian t tests
       for accepting and rejecting the null hypothesis. Psychon Bull Rev
       2009;16(2):225-237.
    .. [2] Morey RD, Rouder JN. BayesFactor: Computation of Bayes factors for
       common designs. R package.

    Examples
    --------
    >>> from analysis.bayes import bayes_factor_ttest
    >>> print(f"{bayes_factor_ttest(2.5, 15, 67):.3f}")
    3.554
    >>> print(f"{bayes_factor_ttest(0.0, 8, 11):.3f}")
    0.408
    """
    t = _check_finite(t, "t")
    n1 = _check_n(n_cramp, "n_cramp")
    n2 = _check_n(n_control, "n_control")
    r = _check_finite(r, "r")
    if r <= 0:
        raise ValueError(f"`r` must be positive; got {r!r}")
    n_eff = n1 * n2 / (n1 + n2)
    nu = n1 + n2 - 2
    half_nu1 = (nu + 1) / 2
    log_null = -half_nu1 * math.log1p(t**2 / nu)
    log_const = math.log(r) - 0.5 * math.log(2 * math.pi)

    log_n_eff = math.log(n_eff)

    def log_integrand(u: float) -> float:
        # integrand in u = log g, including the Jacobian dg = g du; written so
        # that exp(u) and exp(-u) never overflow
        if u < -700:
            return -math.inf
        log_one_ng = float(np.logaddexp(0.0, log_n_eff + u))
        return (
            -0.5 * log_one_ng
            - half_nu1 * math.log1p(t**2 / nu * math.exp(-log_one_ng))
            + log_const
            - 0.5 * u
            - r**2 / 2 * math.exp(-u)
        )

    grid = np.arange(-40.0, 60.0, 0.25)
    values = [log_integrand(u) for u in grid]
    i = int(np.argmax(values))
    peak = optimize.minimize_scalar(
        lambda u: -log_integrand(u),
        bounds=(grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]),
        method="bounded",
        options={"xatol": 1e-10},
    )
    u_peak = float(peak.x)
    log_peak = log_integrand(u_peak)

    def scaled(u: float) -> float:
        return math.exp(log_integrand(u) - log_peak)

    left, _ = integrate.quad(scaled, -np.inf, u_peak, epsabs=0, epsrel=1e-10, limit=200)
    right, _ = integrate.quad(scaled, u_peak, np.inf, epsabs=0, epsrel=1e-10, limit=200)
    log_bf = log_peak + math.log(left + right) - log_null
    return math.exp(log_bf) if log_bf < 709 else math.inf


def bf01_max(n_cramp: int, n_control: int, *, r: float = math.sqrt(2) / 2) -> float:
    """The largest BF01 a design can produce: BF01 at t = 0.

    Parameters
    ----------
    n_cramp, n_control : int
        Group sizes, each at least 2.
    r : float, default sqrt(2)/2
        Scale of the Cauchy prior, as in :func:`bayes_factor_ttest`.

    Returns
    -------
    float
        :math:`1/BF_{10}(t = 0)`: no data of this size can give more evidence
        for "no difference" under this prior.

    Notes
    -----
    For fixed sizes and prior, :math:`BF_{10}` grows with :math:`|t|` (the
    likelihood ratio inside the integral of :func:`bayes_factor_ttest` rises
    with :math:`t^2` for every :math:`g`), so BF01 is largest at
    :math:`t = 0`. With 15 and 67 and the default prior it is 3.51
    (``BayesFactor`` 0.9.12: 1/0.284915206961105): a BF01 of 3.3 there is
    close to the best this design can do, not "moderate evidence" that more
    data would merely confirm. The bound grows only like the square root of
    the effective sample size.

    Examples
    --------
    >>> from analysis.bayes import bf01_max
    >>> print(f"{bf01_max(15, 67):.3f}")
    3.510
    """
    return 1 / bayes_factor_ttest(0.0, n_cramp, n_control, r=r)


def bayes_factor_scales(
    t: float,
    n_cramp: int,
    n_control: int,
    *,
    scales: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Bayes factors of one t statistic across prior scales.

    Parameters
    ----------
    t : float
        Two-sample Student (pooled-variance) t statistic, cramp minus control.
    n_cramp, n_control : int
        Group sizes, each at least 2.
    scales : sequence of float, optional
        Prior scales *r* (positive). Default: :data:`PRIOR_SCALES`, 0.5,
        0.707, 1 and 1.414.

    Returns
    -------
    pandas.DataFrame
        One row per scale: ``prior`` (BayesFactor's name, or ``""``), ``r``,
        ``bf10``, ``bf01`` (= 1/``bf10``) and ``bf01_max`` (the largest BF01
        these sizes can give under that prior, :func:`bf01_max`).

    Notes
    -----
    Each value matches ``exp(BayesFactor::ttest.tstat(t, n1, n2, rscale =
    r)$bf)`` to 1e-6 relative (``tests/reference/bayes_prior.R``). A wider
    prior puts more weight on large effects, so for small *t* it favours no
    difference more (BF01 and its ceiling both rise with *r*): a conclusion
    that holds only at one scale depends on the prior.

    Examples
    --------
    >>> from analysis.bayes import bayes_factor_scales
    >>> table = bayes_factor_scales(1.2, 15, 67)
    >>> print(table.round(3).to_string(index=False))
        prior     r  bf10  bf01  bf01_max
       narrow 0.500 0.622 1.607     2.700
       medium 0.707 0.512 1.954     3.510
         wide 1.000 0.402 2.486     4.703
    ultrawide 1.414 0.304 3.284     6.441
    """
    names = {v: k for k, v in PRIOR_SCALES.items()}
    rs = list(PRIOR_SCALES.values()) if scales is None else [float(r) for r in scales]
    rows = []
    for r in rs:
        bf10 = bayes_factor_ttest(t, n_cramp, n_control, r=r)
        rows.append(
            {
                "prior": names.get(r, ""),
                "r": r,
                "bf10": bf10,
                "bf01": 1 / bf10,
                "bf01_max": bf01_max(n_cramp, n_control, r=r),
            }
        )
    return pd.DataFrame(rows, columns=["prior", "r", "bf10", "bf01", "bf01_max"])


def _evidence_word(bf: float) -> str:
    """Lee & Wagenmakers' (2013) words for a Bayes factor above 1."""
    for bound, word in ((3, "anecdotal"), (10, "moderate"), (30, "strong"), (100, "very strong")):
        if bf < bound:
            return word
    return "extreme"


def tost_bf_sentence(
    *,
    equivalent: bool,
    margin: float,
    bf01: float,
    bf01_max: float,
    unit: str = "",
    r: float = math.sqrt(2) / 2,
) -> str:
    """One sentence that reads an equivalence verdict beside a Bayes factor.

    Parameters
    ----------
    equivalent : bool
        The TOST verdict at ``±margin``.
    margin : float
        The equivalence margin (positive, in ``unit``).
    bf01, bf01_max : float
        BF01 of the data and the largest BF01 the design allows
        (:func:`bf01_max`), for the same prior scale ``r``.
    unit : str, default ""
        Unit of the margin, for the sentence.
    r : float, default sqrt(2)/2
        The prior scale, named in the sentence.

    Returns
    -------
    str
        A sentence with the numbers formatted for display (three significant
        digits). When TOST and the Bayes factor disagree it says why they
        can: TOST asks whether the difference lies within the margin; the
        Bayes factor compares "exactly no difference" with a spread of
        effects set by the prior, and cannot exceed ``bf01_max`` at this
        design, however small the observed difference.

    Examples
    --------
    >>> from analysis.bayes import tost_bf_sentence
    >>> print(tost_bf_sentence(equivalent=True, margin=0.5, unit="mmol/L",
    ...                        bf01=2.1, bf01_max=3.51))  # doctest: +NORMALIZE_WHITESPACE
    Equivalent by TOST at ±0.5 mmol/L, but BF01 = 2.1 of a possible 3.51 (prior
    r = 0.707), anecdotal evidence for no difference: the design cannot produce
    strong evidence for no difference (BF01 above 10), whatever the data; TOST
    asks whether the difference lies within the margin, the Bayes factor whether
    exactly no difference predicts the data better than the prior's spread of
    effects.
    """
    bound = f"{margin:.3g} {unit}".rstrip()
    bf = f"BF01 = {bf01:.3g} of a possible {bf01_max:.3g} (prior r = {r:.3g})"
    why = (
        "TOST asks whether the difference lies within the margin, the Bayes factor "
        "whether exactly no difference predicts the data better than the prior's "
        "spread of effects"
    )
    ceiling = (
        "the design cannot produce strong evidence for no difference (BF01 above 10), "
        "whatever the data; "
        if bf01_max < 10
        else ""
    )
    if equivalent and bf01 >= 3:
        cap = (
            f"; BF01 cannot exceed {bf01_max:.3g} at this design and prior, so this is close "
            "to the most evidence for no difference it can give"
            if bf01_max < 10
            else ""
        )
        return (
            f"Equivalent by TOST at ±{bound}, and {bf}, {_evidence_word(bf01)} evidence for "
            f"no difference: both point the same way{cap}."
        )
    if equivalent:
        strength = (
            f"{_evidence_word(bf01)} evidence for no difference"
            if bf01 >= 1
            else f"evidence for a difference (BF10 = {1 / bf01:.3g})"
        )
        return f"Equivalent by TOST at ±{bound}, but {bf}, {strength}: {ceiling}{why}."
    if bf01 >= 3:
        return (
            f"Not shown equivalent by TOST at ±{bound}, yet {bf} favours no difference: "
            f"the interval is too wide for this margin; {why}."
        )
    if bf01 <= 1 / 3:
        return (
            f"Not shown equivalent by TOST at ±{bound}, and BF10 = {1 / bf01:.3g} "
            f"(prior r = {r:.3g}) favours a difference."
        )
    return (
        f"Not shown equivalent by TOST at ±{bound}, and {bf} is inconclusive: "
        f"{ceiling}neither analysis decides."
    )
