"""Random-effects synthesis of published cramp studies (matches R's metafor).

Two layers:

- **Statistics on effect sizes** ``yi`` with sampling variances ``vi``:
  :func:`random_effects` (one model), :func:`leave_one_out`,
  :func:`cumulative` and :func:`small_study_test`. They follow
  ``metafor::rma`` (Viechtbauer 2010), ``predict``, ``confint``,
  ``leave1out``, ``cumul`` and ``regtest(model = "lm")``; every number is
  checked against R in ``tests/reference/meta.R``.
- **Evidence tables** (one row per study x variable x time point x
  comparison, numbers as printed): :func:`effect_sizes` turns rows into
  effect sizes and :func:`synthesise` pools them per variable and time point.

What statsmodels does and what is written here: the DerSimonian-Laird and
Paule-Mandel estimates of tau² come from
``statsmodels.stats.meta_analysis.combine_effects`` (DL truncated at 0, as in
metafor; PM run to a tight tolerance). statsmodels has no REML estimator, no
Q-profile interval for tau², no prediction interval, and no leave-one-out or
cumulative analysis: those are written here.

Examples
--------
>>> import numpy as np
>>> from analysis.meta import random_effects
>>> fit = random_effects([0.1, 0.5, 0.3], [0.04, 0.02, 0.03])
>>> fit.k, fit.method, fit.test
(3, 'REML', 'knha')
>>> bool(fit.ci_low < fit.estimate < fit.ci_high)
True
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

__all__ = [
    "METHODS",
    "MIN_STUDIES_FUNNEL",
    "TESTS",
    "EvidenceSynthesis",
    "RandomEffectsResult",
    "SmallStudyTest",
    "cumulative",
    "effect_sizes",
    "leave_one_out",
    "load_table",
    "study_labels",
    "q_profile_tau2",
    "random_effects",
    "small_study_test",
    "synthesise",
    "tau2_estimate",
    "default_evidence_path",
    "is_fixture",
    "judge_equivalence",
    "wan_mean_sd",
]

METHODS = ("REML", "DL", "PM")
TESTS = ("knha", "z", "adhoc")
#: fewest studies for a funnel-asymmetry test (Sterne et al. 2011, BMJ 343:d4002)
MIN_STUDIES_FUNNEL = 10
_EPS = np.finfo(float).eps


# --------------------------------------------------------------------------- checks


#: what a group of one study says in ``note`` and in reports
SINGLE_STUDY = "single study: no pooling, no prediction interval"


def _check_options(method: str, test: str, confidence_level: float) -> None:
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {', '.join(METHODS)}; got {method!r}")
    if test not in TESTS:
        raise ValueError(f"`test` must be one of {', '.join(TESTS)}; got {test!r}")
    if not (isinstance(confidence_level, float | int) and 0 < confidence_level < 1):
        raise ValueError(
            "`confidence_level` must be a number strictly between 0 and 1; "
            f"got {confidence_level!r}"
        )


def _arrays(yi: Sequence[float], vi: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if y.ndim != 1 or v.shape != y.shape:
        raise ValueError(
            f"`yi` and `vi` must be 1-D and of equal length; got shapes {y.shape} and {v.shape}"
        )
    if y.size == 0:
        raise ValueError("`yi` must hold at least one effect size; got none")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise ValueError("`yi` and `vi` must be finite numbers; got NaN or infinity")
    if np.any(v <= 0):
        raise ValueError(f"`vi` must be positive sampling variances; got {v.tolist()}")
    return y, v


# --------------------------------------------------------------------------- tau²


def _q_generalised(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    """Generalised Q: sum w_i (y_i - mu(tau²))² with w_i = 1/(v_i + tau²)."""
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2))


def _tau2_reml(y: np.ndarray, v: np.ndarray, start: float) -> float:
    """REML tau² by Fisher scoring with step halving (metafor's algorithm).

    Iterates until a step changes tau² by less than 1e-13 of max(tau², mean vi).
    """
    tau2 = max(0.0, start)
    scale = max(float(np.mean(v)), _EPS)
    for _ in range(10_000):
        w = 1.0 / (v + tau2)
        s, s2, s3 = w.sum(), (w**2).sum(), (w**3).sum()
        r = y - np.sum(w * y) / s
        py = w * r  # P y with P = W - w w' / sum(w)
        tr_p = s - s2 / s
        tr_pp = s2 - 2.0 * s3 / s + (s2 / s) ** 2
        adj = (float(py @ py) - tr_p) / tr_pp
        while tau2 + adj < 0:
            adj /= 2.0
        tau2 += adj
        if abs(adj) <= 1e-13 * max(tau2, scale):
            return tau2
    raise RuntimeError("REML estimate of tau² did not converge in 10000 Fisher-scoring steps")


def _tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    """Paule-Mandel tau²: statsmodels' iteration, checked; a bracketed root when it fails.

    statsmodels' update (DerSimonian and Kacker 2007) stops at |Q - (k - 1)| <
    1e-5 by default, too loose to match metafor to 1e-6; with a tighter
    tolerance a step can land a rounding error past the root, where its
    ``ee < 0`` branch returns 0 although Q(0) > k - 1 (seen on a leave-one-out
    subset of dat.bcg). Its answer is therefore kept only when it solves
    Q(tau²) = k - 1; otherwise the root is found by Brent's method.
    """
    from scipy.optimize import brentq
    from statsmodels.stats.meta_analysis import combine_effects

    k = y.size
    if _q_generalised(0.0, y, v) <= k - 1:
        return 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        res = combine_effects(y, v, method_re="pm", atol=1e-12 * (k - 1), maxiter=1000)
    tau2 = float(res.tau2)
    # keep statsmodels' answer only if it solves the estimating equation (see docstring)
    if tau2 > 0 and abs(_q_generalised(tau2, y, v) - (k - 1)) <= 1e-10 * (k - 1):
        return tau2
    hi = max(tau2, float(np.var(y)) + float(v.max()), _EPS)
    while _q_generalised(hi, y, v) > k - 1:
        hi *= 10.0
    return float(
        brentq(
            lambda t: _q_generalised(t, y, v) - (k - 1),
            0.0,
            hi,
            xtol=1e-300,
            rtol=4 * _EPS,
            maxiter=1000,
        )
    )


def tau2_estimate(yi: Sequence[float], vi: Sequence[float], *, method: str = "REML") -> float:
    """Between-study variance tau² of a random-effects model.

    Parameters
    ----------
    yi, vi : sequence of float
        Effect sizes and their (positive) sampling variances.
    method : {'REML', 'DL', 'PM'}, default 'REML'
        Restricted maximum likelihood, DerSimonian-Laird or Paule-Mandel.

    Returns
    -------
    float
        tau², never negative; 0 when there is one study.

    Notes
    -----
    DL and PM come from ``statsmodels.stats.meta_analysis.combine_effects``
    (DL truncated at 0, which statsmodels does not do; PM with ``atol`` 1e-12).
    REML uses Fisher scoring as ``metafor::rma(method = "REML")`` does, to a
    tighter tolerance, started from the DL value.
    """
    _check_options(method, "z", 0.95)
    y, v = _arrays(yi, vi)
    if y.size == 1:
        return 0.0
    if method == "PM":
        return _tau2_pm(y, v)
    from statsmodels.stats.meta_analysis import combine_effects

    with np.errstate(invalid="ignore"):  # statsmodels takes sqrt of its untruncated DL
        dl = max(0.0, float(combine_effects(y, v, method_re="dl").tau2))
    return dl if method == "DL" else _tau2_reml(y, v, dl)


def q_profile_tau2(
    yi: Sequence[float], vi: Sequence[float], *, tau2: float, confidence_level: float = 0.95
) -> tuple[float, float]:
    """Q-profile confidence interval for tau² (Viechtbauer 2007), as ``confint(rma)``.

    Parameters
    ----------
    yi, vi : sequence of float
        Effect sizes and sampling variances (at least two).
    tau2 : float
        The point estimate (sets the first upper search limit, max(100, 10 tau²)).
    confidence_level : float, default 0.95

    Returns
    -------
    (float, float)
        Lower and upper limit. Both are 0 when even tau² = 0 gives a generalised
        Q below the lower chi-square quantile (metafor's "null set").

    Notes
    -----
    The limits solve Q(tau²) = chi²_{k-1}(1 - alpha/2) (lower limit) and
    Q(tau²) = chi²_{k-1}(alpha/2) (upper limit), where Q(tau²) is the
    generalised Q statistic, decreasing in tau². A limit is 0 when Q(0) is
    already below its quantile, as in metafor. Unlike metafor, which stops at
    ``tau2.max = max(100, 10 tau²)`` and reports the limit as "> tau2.max", the
    upper search limit here grows by factors of 10 until the root is bracketed,
    so the interval does not depend on the unit of the effect sizes.
    """
    from scipy.optimize import brentq
    from scipy.stats import chi2

    y, v = _arrays(yi, vi)
    k = y.size
    if k < 2:
        raise ValueError(f"`yi` needs at least 2 studies for a tau² interval; got {k}")
    alpha = 1.0 - confidence_level
    crit_upper = float(chi2.isf(alpha / 2, k - 1))  # sets the lower limit
    crit_lower = float(chi2.ppf(alpha / 2, k - 1))  # sets the upper limit
    q0 = _q_generalised(0.0, y, v)
    if q0 < crit_lower:
        return 0.0, 0.0
    hi = max(100.0, 10.0 * tau2)
    while _q_generalised(hi, y, v) > crit_lower:
        hi *= 10.0

    def root(target: float) -> float:
        return float(
            brentq(
                lambda t: _q_generalised(t, y, v) - target,
                0.0,
                hi,
                xtol=1e-300,
                rtol=4 * _EPS,
                maxiter=1000,
            )
        )

    upper = root(crit_lower)
    lower = 0.0 if q0 < crit_upper else root(crit_upper)
    return lower, upper


# --------------------------------------------------------------------------- one model


@dataclass(frozen=True)
class RandomEffectsResult:
    """One random-effects model (all numbers raw, in the unit of ``yi``).

    Attributes
    ----------
    k : int
        Number of studies.
    method, test : str
        tau² estimator ({'REML', 'DL', 'PM'}) and the test of the mean
        ({'knha', 'z', 'adhoc'}); ``test`` is 'z' when k = 1, as in metafor.
    confidence_level : float
    estimate : float
        The pooled mean effect mu.
    se, statistic, df, p_value, ci_low, ci_high : float
        Standard error, t or z statistic, degrees of freedom (NaN for z),
        two-sided p-value and confidence interval, by ``test``.
    wald_se, wald_ci_low, wald_ci_high, wald_p_value : float
        The normal (Wald) standard error, interval and p-value.
    hksj_se, hksj_ci_low, hksj_ci_high, hksj_p_value : float
        The Hartung-Knapp-Sidik-Jonkman standard error, interval (t with k - 1
        df) and p-value; NaN when k = 1.
    pi_low, pi_high : float
        Prediction interval for the true effect in a new study, as
        ``predict.rma``: estimate ± crit x sqrt(se² + tau²), crit from t(k - 1)
        under ``test='knha'``, from the normal otherwise.
    tau2, tau2_ci_low, tau2_ci_high, tau : float
        Between-study variance, its Q-profile interval (NaN when k = 1) and tau.
    i2, h2 : float
        I² (percent) and H², from tau² and the typical within-study variance,
        as metafor: I² = 100 tau² / (vt + tau²), H² = 1 + tau² / vt.
    q, q_df, q_p_value : float
        Cochran's Q (fixed-effect weights), its df (k - 1) and p-value.
    note : str
        What a reader must know about this fit ('' if nothing).
    """

    k: int
    method: str
    test: str
    confidence_level: float
    estimate: float
    se: float
    statistic: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    wald_se: float
    wald_ci_low: float
    wald_ci_high: float
    wald_p_value: float
    hksj_se: float
    hksj_ci_low: float
    hksj_ci_high: float
    hksj_p_value: float
    pi_low: float
    pi_high: float
    tau2: float
    tau2_ci_low: float
    tau2_ci_high: float
    tau: float
    i2: float
    h2: float
    q: float
    q_df: float
    q_p_value: float
    note: str = ""

    @classmethod
    def columns(cls) -> list[str]:
        """The field names, in order (the columns of :meth:`row`)."""
        return [f.name for f in dataclasses.fields(cls)]

    def row(self, prefix: str = "") -> dict[str, Any]:
        """This result as one table row; keys prefixed with ``prefix``."""
        return {prefix + k: v for k, v in dataclasses.asdict(self).items()}


def _heterogeneity(y: np.ndarray, v: np.ndarray, tau2: float) -> dict[str, float]:
    from scipy.stats import chi2

    k = y.size
    if k == 1:  # nothing to be heterogeneous with: undefined, not 0 (metafor prints 0)
        nan = float("nan")
        return {"q": nan, "q_df": 0.0, "q_p_value": nan, "i2": nan, "h2": nan}
    w = 1.0 / v
    mu = np.sum(w * y) / w.sum()
    q = max(0.0, float(np.sum(w * (y - mu) ** 2)))
    vt = (k - 1) / (w.sum() - (w**2).sum() / w.sum())
    return {
        "q": q,
        "q_df": float(k - 1),
        "q_p_value": float(chi2.sf(q, k - 1)),
        "i2": 100.0 * tau2 / (vt + tau2),
        "h2": tau2 / vt + 1.0,
    }


def _hksj(
    y: np.ndarray, w: np.ndarray, mu: float, var: float, alpha: float, *, adhoc: bool = False
) -> dict[str, float]:
    """Hartung-Knapp-Sidik-Jonkman SE, interval, p and t quantile (NaN when k = 1).

    ``adhoc``: the scale factor is truncated below at 1 (metafor's ``test = "adhoc"``,
    the modified Knapp-Hartung method), so the interval is never narrower than Wald's
    standard error with a t quantile.
    """
    from scipy.stats import t as t_dist

    nan = float("nan")
    k = y.size
    if k == 1:
        return {"se": nan, "lo": nan, "hi": nan, "p": nan, "crit": nan}
    rss = float(np.sum(w * (y - mu) ** 2))
    s2w = 0.0 if rss <= _EPS else rss / (k - 1)  # metafor: 0 below machine epsilon
    if adhoc:
        s2w = max(1.0, s2w)
    se = math.sqrt(s2w * var)
    crit = float(t_dist.isf(alpha / 2, k - 1))
    p = float(2 * t_dist.sf(abs(mu / se), k - 1)) if se > 0 else nan
    return {"se": se, "lo": mu - crit * se, "hi": mu + crit * se, "p": p, "crit": crit}


def random_effects(
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    method: str = "REML",
    test: str = "knha",
    confidence_level: float = 0.95,
) -> RandomEffectsResult:
    """Fit the random-effects model y_i ~ N(mu, v_i + tau²).

    Parameters
    ----------
    yi, vi : sequence of float
        Effect sizes and their positive sampling variances.
    method : {'REML', 'DL', 'PM'}, default 'REML'
        Estimator of tau² (see :func:`tau2_estimate`).
    test : {'knha', 'z', 'adhoc'}, default 'knha'
        Inference on mu: Hartung-Knapp-Sidik-Jonkman (t with k - 1 df and the
        scaled standard error; recommended for few studies), the normal
        (Wald) test, or the modified Knapp-Hartung method (scale factor at
        least 1; more conservative when study precisions differ a lot). The
        HKSJ and Wald intervals are always in the result.
    confidence_level : float, default 0.95

    Returns
    -------
    RandomEffectsResult

    Notes
    -----
    With w_i = 1/(v_i + tau²): mu = sum w_i y_i / sum w_i, Var(mu) = 1/sum w_i.
    HKSJ multiplies Var(mu) by s² = sum w_i (y_i - mu)² / (k - 1), not
    truncated at 1 (metafor's ``test = "knha"``; its "adhoc" variant
    truncates). Matches ``metafor::rma(yi, vi, method =, test =)``,
    ``predict()`` and ``confint()`` (tests/reference/meta.R). With k = 1
    the z test is used, as in metafor, but nothing is pooled: the prediction
    interval, tau², tau, I², H², Q and its p-value are NaN (metafor prints
    tau² = 0, I² = 0 and a prediction interval equal to the confidence
    interval, which a reader would take for measured homogeneity), and
    ``note`` says "single study: no pooling, no prediction interval".

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor
    package. J Stat Softw 36(3). IntHout J, Ioannidis JPA, Borm GF (2014). The
    Hartung-Knapp-Sidik-Jonkman method for random effects meta-analysis is
    straightforward and considerably outperforms the standard DerSimonian-Laird
    method. BMC Med Res Methodol 14:25.
    """
    from scipy.stats import norm

    _check_options(method, test, confidence_level)
    y, v = _arrays(yi, vi)
    k = y.size
    note = (
        f"{SINGLE_STUDY}: the study's own estimate with the z test; tau², I², H², Q undefined (NaN)"
        if k == 1
        else ""
    )
    if k == 1:
        test = "z"  # as metafor
    tau2 = tau2_estimate(y, v, method=method)
    w = 1.0 / (v + tau2)
    mu = float(np.sum(w * y) / w.sum())
    var = 1.0 / float(w.sum())
    alpha = 1.0 - confidence_level
    z_crit = float(norm.isf(alpha / 2))
    wald_se = math.sqrt(var)
    wald_p = float(2 * norm.sf(abs(mu / wald_se)))
    nan = float("nan")
    hksj = _hksj(y, w, mu, var, alpha)
    if test != "z":
        chosen = hksj if test == "knha" else _hksj(y, w, mu, var, alpha, adhoc=True)
        se, crit, df, p = chosen["se"], chosen["crit"], float(k - 1), chosen["p"]
    else:
        se, crit, df, p = wald_se, z_crit, nan, wald_p
    tau2_ci = (
        (nan, nan) if k == 1 else q_profile_tau2(y, v, tau2=tau2, confidence_level=confidence_level)
    )
    pi_half = crit * math.sqrt(se**2 + tau2)
    return RandomEffectsResult(
        k=k,
        method=method,
        test=test,
        confidence_level=float(confidence_level),
        estimate=mu,
        se=se,
        statistic=mu / se if se > 0 else nan,
        df=df,
        p_value=p,
        ci_low=mu - crit * se,
        ci_high=mu + crit * se,
        wald_se=wald_se,
        wald_ci_low=mu - z_crit * wald_se,
        wald_ci_high=mu + z_crit * wald_se,
        wald_p_value=wald_p,
        hksj_se=hksj["se"],
        hksj_ci_low=hksj["lo"],
        hksj_ci_high=hksj["hi"],
        hksj_p_value=hksj["p"],
        pi_low=mu - pi_half if k > 1 else nan,
        pi_high=mu + pi_half if k > 1 else nan,
        tau2=tau2 if k > 1 else nan,
        tau2_ci_low=tau2_ci[0],
        tau2_ci_high=tau2_ci[1],
        tau=math.sqrt(tau2) if k > 1 else nan,
        **_heterogeneity(y, v, tau2),
        note=note,
    )


# --------------------------------------------------------------------------- sensitivity


_SENSITIVITY_COLUMNS = [
    "estimate",
    "se",
    "statistic",
    "p_value",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
    "q",
    "q_p_value",
    "tau2",
    "i2",
    "h2",
]


def leave_one_out(
    yi: Sequence[float],
    vi: Sequence[float],
    labels: Sequence[str],
    *,
    method: str = "REML",
    test: str = "knha",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Refit the model leaving out each study in turn (``metafor::leave1out``).

    Parameters
    ----------
    yi, vi : sequence of float
        At least two studies.
    labels : sequence of str
        A name per study (the ``omitted`` column).
    method, test, confidence_level :
        As for :func:`random_effects`.

    Returns
    -------
    pandas.DataFrame
        One row per omitted study: ``omitted``, ``k`` (studies left) and the
        fields ``estimate, se, statistic, p_value, ci_low, ci_high, pi_low,
        pi_high, q, q_p_value, tau2, i2, h2`` of the refitted model.
    """
    import pandas as pd

    y, v = _arrays(yi, vi)
    if len(labels) != y.size:
        raise ValueError(f"`labels` must name every study ({y.size}); got {len(labels)}")
    if y.size < 2:
        raise ValueError(f"`yi` needs at least 2 studies to leave one out; got {y.size}")
    rows = []
    for i, label in enumerate(labels):
        keep = np.arange(y.size) != i
        fit = random_effects(
            y[keep], v[keep], method=method, test=test, confidence_level=confidence_level
        )
        rows.append(
            {
                "omitted": str(label),
                "k": fit.k,
                "test": fit.test,
                **{c: getattr(fit, c) for c in _SENSITIVITY_COLUMNS},
            }
        )
    return pd.DataFrame(rows)


def cumulative(
    yi: Sequence[float],
    vi: Sequence[float],
    labels: Sequence[str],
    *,
    order: Sequence[float] | None = None,
    method: str = "REML",
    test: str = "knha",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Cumulative meta-analysis, adding one study at a time (``metafor::cumul``).

    Parameters
    ----------
    yi, vi : sequence of float
    labels : sequence of str
        A name per study (the ``added`` column).
    order : sequence of float, optional
        Sort key, e.g. the publication year (ties keep the given order);
        default: the given order.
    method, test, confidence_level :
        As for :func:`random_effects` (the first fit, k = 1, uses the z test).

    Returns
    -------
    pandas.DataFrame
        One row per step: ``added``, ``k`` and the fields of the fit to the
        first ``k`` studies (as :func:`leave_one_out`).
    """
    import pandas as pd

    y, v = _arrays(yi, vi)
    if len(labels) != y.size:
        raise ValueError(f"`labels` must name every study ({y.size}); got {len(labels)}")
    idx = np.arange(y.size) if order is None else np.argsort(np.asarray(order), kind="stable")
    rows = []
    for j in range(1, y.size + 1):
        take = idx[:j]
        fit = random_effects(
            y[take], v[take], method=method, test=test, confidence_level=confidence_level
        )
        rows.append(
            {
                "added": str(labels[idx[j - 1]]),
                "k": fit.k,
                "test": fit.test,
                **{c: getattr(fit, c) for c in _SENSITIVITY_COLUMNS},
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SmallStudyTest:
    """Egger's regression test for funnel-plot asymmetry, or why it was not run.

    Attributes
    ----------
    k : int
    ran : bool
    slope, slope_se, statistic, df, p_value : float
        Coefficient of the standard error in the weighted regression of y_i on
        sqrt(v_i) (weights 1/v_i), its t test (k - 2 df); NaN when not run.
    note : str
        Why the test was not run, or what it is.
    """

    k: int
    ran: bool
    slope: float
    slope_se: float
    statistic: float
    df: float
    p_value: float
    note: str


def small_study_test(yi: Sequence[float], vi: Sequence[float]) -> SmallStudyTest:
    """Egger's test, run only with at least :data:`MIN_STUDIES_FUNNEL` studies.

    Notes
    -----
    Weighted least squares of y_i on se_i = sqrt(v_i) with weights 1/v_i and
    the t test of the slope with k - 2 df: ``metafor::regtest(rma(yi, vi),
    model = "lm")``, Egger et al. (1997) BMJ 315:629. With fewer than 10
    studies the test has too little power to tell chance from asymmetry
    (Sterne et al. 2011, BMJ 343:d4002), so it is not run and the note says so.
    """
    from scipy.stats import t as t_dist

    y, v = _arrays(yi, vi)
    k = y.size
    nan = float("nan")
    if k < MIN_STUDIES_FUNNEL:
        return SmallStudyTest(
            k,
            False,
            nan,
            nan,
            nan,
            nan,
            nan,
            f"not run: {k} stud{'y' if k == 1 else 'ies'}, fewer than "
            f"{MIN_STUDIES_FUNNEL}; a funnel-asymmetry test has too little "
            "power with so few (Sterne et al. 2011, BMJ 343:d4002)",
        )
    sei = np.sqrt(v)
    x = np.column_stack([np.ones(k), sei])
    sw = 1.0 / sei  # sqrt of the weights 1/v
    if np.linalg.matrix_rank(x * sw[:, None]) < 2:  # every study has the same SE
        return SmallStudyTest(k, False, nan, nan, nan, nan, nan,
                              "not run: every study has the same standard error, so the "
                              "effect cannot be regressed on it")  # fmt: skip
    beta, *_ = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)
    resid = (y - x @ beta) * sw
    sigma2 = float(resid @ resid) / (k - 2)
    cov = sigma2 * np.linalg.pinv((x * sw[:, None]).T @ (x * sw[:, None]))
    if not (math.isfinite(cov[1, 1]) and cov[1, 1] > 0):  # rounding noise, not a variance
        return SmallStudyTest(k, False, float(beta[1]), nan, nan, float(k - 2), nan,
                              "not run: the slope has no positive variance (the effects lie "
                              "exactly on a line in their standard errors)")  # fmt: skip
    se = math.sqrt(cov[1, 1])
    stat = float(beta[1]) / se
    return SmallStudyTest(
        k,
        True,
        float(beta[1]),
        se,
        stat,
        float(k - 2),
        float(2 * t_dist.sf(abs(stat), k - 2)),
        "Egger's regression test (weighted regression of the effect on its standard error)",
    )


# --------------------------------------------------------------------------- tables


#: units that mean the same number for a variable (1 mEq/L = 1 mmol/L for a monovalent ion)
_SAME_UNITS: dict[str, dict[str, str]] = {
    ion: {"meq/l": "mmol/l"} for ion in ("sodium", "potassium", "chloride", "bicarbonate")
}
WAN_2014 = "Wan et al. 2014 (median, IQR, n)"
_WAN_REFERENCE = (
    "Wan X, Wang W, Liu J, Tong T (2014). Estimating the sample mean and standard deviation "
    "from the sample size, median, range and/or interquartile range. BMC Med Res Methodol "
    "14:135"
)


def default_evidence_path() -> Path:
    """The bundled, curated evidence table ``data/evidence_table.csv``.

    Its reading log is ``data/evidence_sources.md``; the data card
    (``data/README.md``) describes every column.
    """
    from analysis import paths
    from analysis.evidence import EVIDENCE_FILE

    return paths.DATA_DIR / EVIDENCE_FILE


def is_fixture(path: str | Path) -> bool:
    """Whether ``path`` is the synthesis' test fixture rather than a curated table."""
    return Path(path).name == "evidence_fixture.csv"


def load_table(path: str | Path) -> pd.DataFrame:
    """Read and check an evidence table (the one place the synthesis loads a table).

    Delegates to :func:`analysis.evidence.load_evidence`.

    Raises
    ------
    analysis.DataValidationError
        Listing every problem of the table.
    """
    from analysis.evidence import load_evidence

    return load_evidence(path)


def _missing(value: object) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _text(value: object) -> str:
    """A text cell as str; '' when empty or missing (NaN, None, pd.NA)."""
    return "" if _missing(value) else str(value).strip()


def _num(value: object) -> float:
    """A printed number (text or number) as float; NaN when empty or missing."""
    if _missing(value):
        return float("nan")
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = str(value).strip()
    return float(text) if text else float("nan")


def _iqr(value: object) -> tuple[float, float]:
    import re

    text = _text(value)
    m = re.match(r"^([+-]?[\d.]+)\s*[-–]\s*([+-]?[\d.]+)$", text)
    return (float(m.group(1)), float(m.group(2))) if m else (float("nan"), float("nan"))


def wan_mean_sd(median: float, q1: float, q3: float, n: int) -> tuple[float, float]:
    """Mean and SD from median, quartiles and n (Wan et al. 2014, scenario C3).

    mean = (q1 + median + q3) / 3 (their eq. 14);
    SD = (q3 - q1) / eta(n) with eta(n) = 2 Phi^-1((0.75 n - 0.125) / (n + 0.25)), the
    closed-form approximation of their eqs. 15-16. Wan et al. tabulate exact eta(n)
    for n <= 50 (their Table 2, used there by R's ``meta``); the approximation is used
    here at every n, so for small groups the SD can differ slightly from the table's.

    References
    ----------
    Wan X, Wang W, Liu J, Tong T (2014). BMC Med Res Methodol 14:135.
    """
    from scipy.stats import norm

    if n < 1:
        raise ValueError(f"`n` must be at least 1; got {n}")
    if q3 < q1:
        raise ValueError(f"`q3` must not be below `q1`; got q1={q1}, q3={q3}")
    xi = 2.0 * float(norm.ppf((0.75 * n - 0.125) / (n + 0.25)))
    return (q1 + median + q3) / 3.0, (q3 - q1) / xi


def _group_stats(rec: pd.Series) -> tuple[dict[str, float], str, str]:
    """Means, SDs and n of both groups, the conversion used, and why not (if not)."""
    summary = _text(rec["summary"])
    n1, n2 = _num(rec["n_cramp"]), _num(rec["n_control"])
    c1, c2 = _num(rec["cramp_center"]), _num(rec["control_center"])
    reason = _text(rec.get("missing_reason"))
    if math.isnan(n1) or math.isnan(n2):
        return {}, "", reason or "group sizes not printed"
    if math.isnan(c1) or math.isnan(c2):
        return {}, "", reason or "group centres not printed"
    if summary == "mean_only":
        return {}, "", "means printed without an SD or SE: no effect size"
    if summary == "median_iqr":
        (a1, b1), (a2, b2) = _iqr(rec["cramp_spread"]), _iqr(rec["control_spread"])
        if any(math.isnan(x) for x in (a1, b1, a2, b2)):
            return {}, "", reason or "IQR not printed"
        m1, s1 = wan_mean_sd(c1, a1, b1, int(n1))
        m2, s2 = wan_mean_sd(c2, a2, b2, int(n2))
        return _usable({"m1": m1, "s1": s1, "n1": n1, "m2": m2, "s2": s2, "n2": n2}, WAN_2014)
    s1, s2 = _num(rec["cramp_spread"]), _num(rec["control_spread"])
    if math.isnan(s1) or math.isnan(s2):
        return {}, "", reason or "spread not printed"
    converted = ""
    if summary == "mean_se":
        s1, s2, converted = s1 * math.sqrt(n1), s2 * math.sqrt(n2), "SD = SE x sqrt(n)"
    return _usable({"m1": c1, "s1": s1, "n1": n1, "m2": c2, "s2": s2, "n2": n2}, converted)


def _usable(g: dict[str, float], converted: str) -> tuple[dict[str, float], str, str]:
    """The group statistics, unless they give no sampling variance (then the reason)."""
    if g["s1"] == 0 and g["s2"] == 0:
        return {}, "", "both SDs are 0: no sampling variance, no effect size"
    if g["n1"] + g["n2"] < 3:
        return {}, "", "fewer than 3 participants: no pooled SD"
    return g, converted, ""


def _md(g: dict[str, float]) -> tuple[float, float]:
    """Mean difference cramp - control and its variance (escalc 'MD')."""
    return g["m1"] - g["m2"], g["s1"] ** 2 / g["n1"] + g["s2"] ** 2 / g["n2"]


def _smd(g: dict[str, float]) -> tuple[float, float]:
    """Hedges' g with the exact correction and its variance (escalc 'SMD', vtype 'LS')."""
    n1, n2 = g["n1"], g["n2"]
    m = n1 + n2 - 2
    sp = math.sqrt(((n1 - 1) * g["s1"] ** 2 + (n2 - 1) * g["s2"] ** 2) / m)
    cm = math.exp(math.lgamma(m / 2) - math.log(math.sqrt(m / 2)) - math.lgamma((m - 1) / 2))
    yi = cm * (g["m1"] - g["m2"]) / sp
    return yi, 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))


def _unit_key(variable: str, unit: str) -> str:
    u = unit.strip().lower().replace(" ", "")
    return _SAME_UNITS.get(variable, {}).get(u, u)


_DESCRIPTIVE = [
    "study_id",
    "study",
    "year",
    "variable",
    "time_point",
    "unit",
    "event",
    "cramp_group",
    "comparison_group",
    "source_kind",
    "summary",
    "n_cramp",
    "n_control",
]


def effect_sizes(table: pd.DataFrame, *, confidence_level: float = 0.95) -> pd.DataFrame:
    """One effect size (cramp minus control) per row of an evidence table.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows in the agreed evidence format (numbers as printed, text or number).
    confidence_level : float, default 0.95
        Of each study's own (normal) interval, ``ci_low``/``ci_high``.

    Returns
    -------
    pandas.DataFrame
        The descriptive columns of the table, then ``measure`` ('MD' for the
        mean difference in the row's unit when every estimable row of its
        variable x time point shares one unit, mmol/L and mEq/L counting as
        one for monovalent ions; 'SMD' for Hedges' g otherwise), ``yi``,
        ``vi``, ``ci_low``, ``ci_high``, ``converted`` (how a median/IQR or SE
        became a mean and SD; '' if printed as mean and SD) and
        ``excluded_reason`` ('' when the row has an estimate; then ``yi`` is
        NaN). Rows keep the table's order.

    Notes
    -----
    MD: y = m1 - m2, v = s1²/n1 + s2²/n2 (``escalc("MD")``). SMD: Hedges' g =
    c(m) (m1 - m2) / s_pooled, c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)),
    m = n1 + n2 - 2, v = 1/n1 + 1/n2 + g² / (2 (n1 + n2)) (``escalc("SMD")``).
    Medians and IQRs are converted by Wan et al. (2014) and flagged; means
    without a spread are excluded, with the reason.
    """
    import pandas as pd
    from scipy.stats import norm

    z = float(norm.isf((1 - confidence_level) / 2))
    stats, converted, reasons = [], [], []
    for _, rec in table.iterrows():
        g, how, why = _group_stats(rec)
        stats.append(g)
        converted.append(how)
        reasons.append(why)
    out = pd.DataFrame({c: table[c].reset_index(drop=True) for c in _DESCRIPTIVE})
    years = [_num(y) for y in table["year"]]
    out["year"] = pd.array([pd.NA if math.isnan(y) else int(y) for y in years], dtype="Int64")
    keys = [(str(v), str(t)) for v, t in zip(table["variable"], table["time_point"], strict=True)]
    units: dict[tuple[str, str], set[str]] = {}
    for key, g, unit in zip(keys, stats, table["unit"], strict=True):
        if g:
            units.setdefault(key, set()).add(_unit_key(key[0], str(unit)))
    measure, yi, vi = [], [], []
    for key, g in zip(keys, stats, strict=True):
        kind = "MD" if len(units.get(key, set())) <= 1 else "SMD"
        y, v = (_md(g) if kind == "MD" else _smd(g)) if g else (float("nan"), float("nan"))
        measure.append(kind if g else "")
        yi.append(y)
        vi.append(v)
    out["measure"] = measure
    out["yi"] = np.asarray(yi, dtype=float)
    out["vi"] = np.asarray(vi, dtype=float)
    out["ci_low"] = out["yi"] - z * np.sqrt(out["vi"])
    out["ci_high"] = out["yi"] + z * np.sqrt(out["vi"])
    out["converted"] = converted
    out["excluded_reason"] = reasons
    return out


@dataclass(frozen=True)
class EvidenceSynthesis:
    """Every result of :func:`synthesise` (tidy tables, numbers raw).

    Attributes
    ----------
    effects : pandas.DataFrame
        :func:`effect_sizes` of every row (rows without an estimate included).
    pooled : pandas.DataFrame
        One row per variable x time point with at least one estimate:
        ``variable, time_point, measure, unit, studies`` then the fields of
        :class:`RandomEffectsResult`, then ``funnel_test`` (the note of
        :func:`small_study_test`) and ``funnel_p_value``.
    leave_one_out, cumulative : pandas.DataFrame
        :func:`leave_one_out` (groups with k >= 2) and :func:`cumulative` (by
        year), with ``variable`` and ``time_point`` columns first.
    method, test : str
    confidence_level : float
    """

    effects: pd.DataFrame
    pooled: pd.DataFrame
    leave_one_out: pd.DataFrame
    cumulative: pd.DataFrame
    method: str
    test: str
    confidence_level: float


def _label(rec: pd.Series) -> str:
    """'Study year', or 'Study n.d.' when the source prints no year."""
    return f"{rec['study']} {'n.d.' if _missing(rec['year']) else int(rec['year'])}"


def study_labels(table: pd.DataFrame) -> dict[str, str]:
    """A label per ``study_id``: 'Study year' ('n.d.' when no year is printed).

    Two studies with the same author and year get 'a', 'b', ... in the
    order they first appear (e.g. 'Schwellnus et al. 2011a' and '2011b');
    after 'z' come 'aa', 'ab', ...
    """
    first = table.drop_duplicates("study_id")
    base = {str(r["study_id"]): _label(r) for _, r in first.iterrows()}
    seen: dict[str, list[str]] = {}
    for sid, label in base.items():
        seen.setdefault(label, []).append(sid)
    out = {}
    for label, ids in seen.items():
        for i, sid in enumerate(ids):
            out[sid] = label if len(ids) == 1 else f"{label}{_letters(i)}"
    return out


def _letters(i: int) -> str:
    """'a', ..., 'z', 'aa', 'ab', ... for i = 0, 1, ... (as spreadsheet columns)."""
    text = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        text = "abcdefghijklmnopqrstuvwxyz"[r] + text
    return text


def _one_row_per_study(usable: pd.DataFrame) -> None:
    """Refuse to pool two rows of one study: they share participants.

    Raises :class:`analysis.DataValidationError` naming every such row (rows
    numbered as in a spreadsheet, assuming the table's rows in file order).
    """
    from analysis.validation import DataValidationError, Problem

    problems = []
    for (variable, time_point, study), grp in usable.groupby(
        ["variable", "time_point", "study_id"], sort=False
    ):
        if len(grp) < 2:
            continue
        first = int(grp.index[0]) + 2
        for idx in grp.index[1:]:
            message = (
                f"a second estimable row of study {study} for {variable} ({time_point}), "
                f"besides row {first}; rows of one study share participants and are never "
                "pooled in one model: keep one row per study for each variable and time point"
            )
            problems.append(Problem(row=int(idx) + 2, column="study_id", value=str(study),
                                    rule="one-row-per-study", message=message,
                                    severity="error"))  # fmt: skip
    if problems:
        raise DataValidationError(problems, source="evidence table")


def synthesise(
    table: pd.DataFrame,
    *,
    method: str = "REML",
    test: str = "knha",
    confidence_level: float = 0.95,
) -> EvidenceSynthesis:
    """Pool an evidence table per variable and time point.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows in the agreed evidence format (e.g. from :func:`load_table`).
    method : {'REML', 'DL', 'PM'}, default 'REML'
    test : {'knha', 'z', 'adhoc'}, default 'knha'
    confidence_level : float, default 0.95

    Returns
    -------
    EvidenceSynthesis

    Raises
    ------
    analysis.DataValidationError
        If two estimable rows of one study share a variable and time point
        (they share participants, so they are never pooled in one model).

    Examples
    --------
    >>> from analysis.meta import default_evidence_path, load_table, synthesise
    >>> result = synthesise(load_table(default_evidence_path()))
    >>> "sodium" in set(result.pooled["variable"])
    True
    """
    import pandas as pd

    _check_options(method, test, confidence_level)
    effects = effect_sizes(table, confidence_level=confidence_level)
    usable = effects[effects["excluded_reason"] == ""]
    _one_row_per_study(usable)
    names = study_labels(effects)
    pooled, loo, cum = [], [], []
    opts = {"method": method, "test": test, "confidence_level": confidence_level}
    for (variable, time_point), grp in usable.groupby(["variable", "time_point"], sort=True):
        grp = grp.sort_values("year", kind="stable", na_position="last")
        labels = [names[str(s)] for s in grp["study_id"]]
        y, v = grp["yi"].to_numpy(), grp["vi"].to_numpy()
        fit = random_effects(y, v, **opts)
        egger = small_study_test(y, v)
        units = sorted(set(grp["unit"]))
        head = {
            "variable": variable,
            "time_point": time_point,
            "measure": grp["measure"].iloc[0],
            "unit": " = ".join(units) if grp["measure"].iloc[0] == "MD" else "SD units",
            "studies": "; ".join(labels),
        }
        pooled.append(
            {**head, **fit.row(), "funnel_test": egger.note, "funnel_p_value": egger.p_value}
        )
        key = {"variable": variable, "time_point": time_point}
        if fit.k >= 2:
            loo.append(leave_one_out(y, v, labels, **opts).assign(**key))
        order = grp["year"].astype(float).fillna(np.inf).to_numpy()  # no year: last
        cum.append(cumulative(y, v, labels, order=order, **opts).assign(**key))

    def stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
        if not frames:
            return pd.DataFrame()
        df = pd.concat(frames, ignore_index=True)
        return df[["variable", "time_point", *[c for c in df if c not in key]]]

    key = ("variable", "time_point")
    columns = [*_POOLED_HEAD, *(f.name for f in dataclasses.fields(RandomEffectsResult)),
               "funnel_test", "funnel_p_value"]  # fmt: skip
    return EvidenceSynthesis(
        effects, pd.DataFrame(pooled, columns=columns), stack(loo), stack(cum), method, test,
        float(confidence_level),
    )  # fmt: skip


#: the first columns of ``EvidenceSynthesis.pooled`` (then the model's, then the funnel test's)
_POOLED_HEAD = ("variable", "time_point", "measure", "unit", "studies")


def _comparison_groups(effects: pd.DataFrame) -> str:
    """The comparison group(s) of a group of effect rows, as printed in the table."""
    column = "comparison_group" if "comparison_group" in effects.columns else None
    if column is None:
        return "not recorded"
    names = [str(g) for g in dict.fromkeys(effects[column].dropna()) if str(g).strip()]
    return "; ".join(names) or "not recorded"


def judge_equivalence(
    res: EvidenceSynthesis,
    *,
    margins: dict[str, float] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Judge each pooled mean difference against an equivalence margin.

    The verdict uses the (1 - 2 alpha) confidence interval of the pooled mean
    (90 % for alpha = 0.05, by the synthesis' method and test), as two one-sided
    tests at level alpha do: *equivalent* when it lies inside (-margin,
    margin), *different by more than the margin* when it lies wholly outside,
    *inconclusive* otherwise. The prediction interval is reported beside it:
    a pooled mean can be equivalent while single settings are not.

    Parameters
    ----------
    res : EvidenceSynthesis
    margins : dict, optional
        Margin per variable, in the variable's unit; default
        :func:`analysis.schema.default_margin` (variables without one are
        listed with verdict "no margin stated"). A default margin is used only
        when the pooled unit is the variable's unit (:func:`analysis.schema.unit_of`;
        mEq/L = mmol/L for monovalent ions): a per cent change of sodium is
        not judged against a margin in mmol/L.
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        One row per pooled mean difference (SMD rows are skipped: margins are in
        units): ``variable, time_point, unit, k, margin, estimate,
        equivalence_ci_low, equivalence_ci_high, pi_low, pi_high, verdict``;
        the prediction interval is NaN for a single study (no tau² to estimate).
    """
    import pandas as pd

    from analysis import schema

    if not 0 < alpha < 0.5:
        raise ValueError(f"`alpha` must be between 0 and 0.5; got {alpha!r}")
    effects = res.effects[res.effects["excluded_reason"] == ""]
    rows = []
    for rec in res.pooled[res.pooled["measure"] == "MD"].itertuples():
        margin = (margins or {}).get(rec.variable, schema.default_margin(rec.variable))
        own_key = _unit_key(rec.variable, schema.unit_of(rec.variable))
        other_unit = any(_unit_key(rec.variable, u) != own_key for u in rec.unit.split(" = "))
        grp = effects[
            (effects["variable"] == rec.variable) & (effects["time_point"] == rec.time_point)
        ]
        fit = random_effects(
            grp["yi"].to_numpy(),
            grp["vi"].to_numpy(),
            method=res.method,
            test=res.test,
            confidence_level=1 - 2 * alpha,
        )
        if margin is None:
            verdict = "no margin stated"
        elif other_unit and rec.variable not in (margins or {}):
            own = schema.unit_of(rec.variable)
            margin, verdict = None, f"no margin in {rec.unit} (the margin is in {own})"
        elif -margin < fit.ci_low and fit.ci_high < margin:
            verdict = "equivalent"
        elif fit.ci_low >= margin or fit.ci_high <= -margin:
            verdict = "different by more than the margin"
        else:
            verdict = "inconclusive"
        if rec.k == 1 and margin is not None:
            group = _comparison_groups(grp)
            verdict = f"{verdict} (single study; comparison group: {group})"
        rows.append(
            {
                "variable": rec.variable,
                "time_point": rec.time_point,
                "unit": rec.unit,
                "k": rec.k,
                "margin": float("nan") if margin is None else float(margin),
                "estimate": fit.estimate,
                "equivalence_ci_low": fit.ci_low,
                "equivalence_ci_high": fit.ci_high,
                "pi_low": rec.pi_low if rec.k > 1 else float("nan"),
                "pi_high": rec.pi_high if rec.k > 1 else float("nan"),
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)
