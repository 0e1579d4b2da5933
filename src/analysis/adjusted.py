"""Baseline-adjusted comparison: the pre/post design analysed as it was run.

For every analyte measured before and after the race (``<base>_pre`` and
``<base>_post``), :func:`compare_adjusted` estimates the cramp - control
difference three ways on the same runners (those with both values):

- ``post``: post-race values only, ``post ~ group``;
- ``change``: change score, ``(post - pre) ~ group``;
- ``ancova``: post-race values adjusted for the pre-race value,
  ``post ~ group + pre`` (the pre-specified, leading analysis; see
  ``docs/inference.md`` for why, and for when change score and ANCOVA disagree).

Derived changes that have no baseline of their own (``pv_change``) get one
Welch two-sample row. Every model is a statsmodels ``OLS`` fit; standard
errors are classical, HC2 and HC3 (heteroskedasticity-consistent). By default
HC2 with Satterthwaite degrees of freedom (:func:`satterthwaite_df`; Bell &
McCaffrey 2002, Imbens & Kolesár 2016) gives the interval, p-value, TOST,
power and MDE: for the post-only model it is Welch's test exactly, and it keeps
its level at 15 vs 67 with unequal spread where HC3 with the residual df is
liberal (``docs/inference.md``). Results are raw.

Examples
--------
>>> from analysis import compare_adjusted, load_cohort, example_path
>>> cohort = load_cohort(example_path("marathon"))
>>> table = compare_adjusted(cohort, ["sodium"])
>>> table[["variable", "analysis", "lead", "n_cramp", "n_control"]]
  variable analysis   lead  n_cramp  n_control
0   sodium     post  False       15         67
1   sodium   change  False       15         67
2   sodium   ancova   True       15         67
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis import schema

__all__ = ["ANALYSES", "COV_TYPES", "compare_adjusted", "fit_difference", "satterthwaite_df"]

#: the analyses of one pre/post analyte, in table order; the last one leads
ANALYSES: tuple[str, ...] = ("post", "change", "ancova")
#: covariances of :func:`fit_difference`: HC2 with Satterthwaite df (default),
#: HC3 with the residual df, classical
COV_TYPES: tuple[str, ...] = ("HC2", "HC3", "nonrobust")
_LEAD = "ancova"
_COV_WORDS = {
    "HC2": "HC2 SE with Satterthwaite df (Welch's test for post-only; holds its level with "
    "unequal spread, see docs/inference.md)",
    "HC3": "HC3 SE, t with residual df (liberal at 15 vs 67 with unequal spread, see "
    "docs/inference.md)",
    "nonrobust": "classical SE, t with residual df (equal spread assumed)",
}
_FORMULA = {
    "post": "post ~ group",
    "change": "(post - pre) ~ group",
    "ancova": "post ~ group + pre",
}


@dataclass(frozen=True)
class DifferenceFit:
    """One linear-model estimate of the cramp - control difference.

    Attributes
    ----------
    estimate : float
        Coefficient of the cramp indicator (unit of the outcome).
    se, p, ci_low, ci_high : float
        Standard error, two-sided p and interval with the chosen covariance.
    se_classical, p_classical, se_hc3, p_hc3 : float
        Classical and HC3 (residual df), for comparison.
    se_hc2, df_hc2, p_hc2 : float
        HC2 with its Satterthwaite df (:func:`satterthwaite_df`).
    df : float
        Degrees of freedom of the chosen covariance (Satterthwaite for HC2,
        residual for HC3 and classical).
    df_residual : float
        Residual degrees of freedom of the model.
    baseline_slope, baseline_slope_ci_low, baseline_slope_ci_high : float
        Coefficient of the pre-race value and its interval (ANCOVA; NaN otherwise).
    sd_ratio : float
        SD of the residuals among crampers / among controls.
    note : str
        What statsmodels warned about while fitting (a rank-deficient design,
        such as a constant pre-race value, or a zero residual variance), or
        ``""``. Warnings are recorded here, never printed.
    """

    estimate: float
    se: float
    p: float
    ci_low: float
    ci_high: float
    se_classical: float
    p_classical: float
    se_hc3: float
    p_hc3: float
    se_hc2: float
    df_hc2: float
    p_hc2: float
    df: float
    df_residual: float
    baseline_slope: float
    baseline_slope_ci_low: float
    baseline_slope_ci_high: float
    sd_ratio: float
    note: str = ""


def satterthwaite_df(
    design: np.ndarray, resid: np.ndarray, is_cramp: np.ndarray, column: int
) -> tuple[float, float]:
    """HC2 standard error of one coefficient and its Satterthwaite degrees of freedom.

    Parameters
    ----------
    design : numpy.ndarray
        Model matrix ``X`` (n x p, full column rank).
    resid : numpy.ndarray
        OLS residuals ``e``.
    is_cramp : numpy.ndarray of bool
        Group of each row (the working model's variance groups).
    column : int
        Index of the coefficient in ``design``.

    Returns
    -------
    se : float
        HC2 standard error, ``sqrt(sum a_i^2 e_i^2 / (1 - h_ii))`` with
        ``a = X (X'X)^-1 c``.
    df : float
        ``tr(A)^2 / tr(A^2)`` with ``A = D M W M D``, ``D = diag(a_i / sqrt(1 - h_ii))``,
        ``M = I - H`` and ``W`` the working model: each group its own residual
        variance, ``sum e^2 / sum (1 - h_ii)`` within the group. This is the
        Satterthwaite approximation to the HC2 variance (Bell & McCaffrey
        2002; Imbens & Kolesár 2016) with group variances instead of one
        common variance; for ``outcome ~ group`` it is Welch's df exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> x, y = np.array([1.0, 2.0, 4.0, 7.0]), np.array([2.0, 2.5, 3.0, 2.0, 3.5])
    >>> g = np.r_[np.ones(4, bool), np.zeros(5, bool)]
    >>> X = np.column_stack([np.ones(9), g.astype(float)])
    >>> e = np.r_[x - x.mean(), y - y.mean()]
    >>> se, df = satterthwaite_df(X, e, g, 1)
    >>> welch = stats.ttest_ind(x, y, equal_var=False)
    >>> t = (x.mean() - y.mean()) / se
    >>> bool(np.isclose(df, welch.df)), bool(np.isclose(t, welch.statistic))
    (True, True)

    References
    ----------
    .. [1] Bell RM, McCaffrey DF. Bias reduction in standard errors for linear
       regression with multi-stage samples. Survey Methodology 2002;28:169-81.
    .. [2] Imbens GW, Kolesár M. Robust standard errors in small samples: some
       practical advice. Rev Econ Stat 2016;98:701-12.
    """
    xtx_inv = np.linalg.pinv(design.T @ design)  # pinv: a constant baseline is collinear
    hat = design @ xtx_inv @ design.T
    h = np.diag(hat)
    a = design @ xtx_inv[:, column]
    se = float(np.sqrt(np.sum(a**2 * resid**2 / (1 - h))))
    sigma2 = np.empty(resid.size)
    for g in (True, False):
        rows = is_cramp == g
        sigma2[rows] = np.sum(resid[rows] ** 2) / np.sum(1 - h[rows])
    m = np.eye(resid.size) - hat
    d = a / np.sqrt(1 - h)
    dm = d[:, None] * m
    a_mat = (dm * sigma2[None, :]) @ dm.T
    return se, float(np.trace(a_mat) ** 2 / np.sum(a_mat * a_mat.T))


def _t_summary(estimate: float, se: float, df: float, alpha: float) -> tuple[float, float, float]:
    from scipy import stats

    if not (math.isfinite(se) and se > 0):  # identical values: nothing to test with
        return math.nan, math.nan, math.nan
    q = float(stats.t.ppf(1 - alpha / 2, df))
    p = float(2 * stats.t.sf(abs(estimate / se), df))
    return p, estimate - q * se, estimate + q * se


def fit_difference(
    outcome: np.ndarray,
    is_cramp: np.ndarray,
    baseline: np.ndarray | None = None,
    *,
    cov_type: str = "HC2",
    confidence_level: float = 0.95,
) -> DifferenceFit:
    """Fit ``outcome ~ group (+ baseline)`` by OLS and return the group difference.

    Parameters
    ----------
    outcome : numpy.ndarray
        Outcome values (no NaN).
    is_cramp : numpy.ndarray of bool
        True for crampers, False for controls; each group needs 2 runners more
        than the model has slopes.
    baseline : numpy.ndarray, optional
        Pre-race values, entered as a covariate (ANCOVA).
    cov_type : {'HC2', 'HC3', 'nonrobust'}, default 'HC2'
        Covariance used for ``se``, ``p``, ``df`` and the interval: HC2 with
        Satterthwaite df (:func:`satterthwaite_df`), HC3 with the residual df,
        or classical; all three are reported.
    confidence_level : float, default 0.95
        Level of the intervals.

    Returns
    -------
    DifferenceFit

    Notes
    -----
    Classical and HC3 are ``statsmodels`` ``OLS(...).fit(cov_type=..., use_t=True)``
    (t with the residual df, as R ``lmtest::coeftest(fit, vcov. =
    sandwich::vcovHC(fit, type = "HC3"))``); HC2 is ``cov_type="HC2"`` with the
    Satterthwaite df, checked against a hand computation in R
    (``tests/reference/adjusted_hc2.R``) and against Welch's test.
    """
    from statsmodels.regression.linear_model import OLS

    if cov_type not in COV_TYPES:
        raise ValueError(f"`cov_type` must be one of {COV_TYPES}; got {cov_type!r}")
    columns = [np.ones(outcome.size), is_cramp.astype(float)]
    if baseline is not None:
        columns.append(baseline)
    design = np.column_stack(columns)
    alpha = 1 - confidence_level
    quiet = np.errstate(divide="ignore", invalid="ignore")
    with warnings.catch_warnings(record=True) as caught, quiet:
        warnings.simplefilter("always")  # statsmodels' own "always" filters are overridden here
        classical = OLS(outcome, design).fit(use_t=True)
        hc3 = OLS(outcome, design).fit(cov_type="HC3", use_t=True)
        hc2 = OLS(outcome, design).fit(cov_type="HC2", use_t=True)
        resid = classical.resid
        _, df_hc2 = satterthwaite_df(design, resid, is_cramp, 1)
        se_hc2 = float(hc2.bse[1])
        estimate = float(classical.params[1])
        p_hc2, low_hc2, high_hc2 = _t_summary(estimate, se_hc2, df_hc2, alpha)
        sd_ratio = float(np.std(resid[is_cramp], ddof=1) / np.std(resid[~is_cramp], ddof=1))
        if cov_type == "HC2":
            se, df, p, low, high = se_hc2, df_hc2, p_hc2, low_hc2, high_hc2
            if baseline is not None:
                slope_se, slope_df = satterthwaite_df(design, resid, is_cramp, 2)
                _, s_low, s_high = _t_summary(float(classical.params[2]), slope_se, slope_df, alpha)
        else:
            chosen = hc3 if cov_type == "HC3" else classical
            ci = chosen.conf_int(alpha)
            se, df, p = float(chosen.bse[1]), float(classical.df_resid), float(chosen.pvalues[1])
            low, high = float(ci[1, 0]), float(ci[1, 1])
            if baseline is not None:
                s_low, s_high = float(ci[2, 0]), float(ci[2, 1])
    said = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    # residuals that are rounding noise (identical values): no SE, p or interval
    flat = not float(classical.bse[1]) > 1e-9 * max(1.0, float(np.abs(outcome).max()))
    undefined = {"se", "p", "ci_low", "ci_high", "se_classical", "p_classical", "se_hc3", "p_hc3",
                 "se_hc2", "p_hc2", "df_hc2", "df"}  # fmt: skip
    slope = (float(classical.params[2]), s_low, s_high) if baseline is not None else (np.nan,) * 3
    fit = DifferenceFit(
        estimate=estimate,
        se=se,
        p=p,
        ci_low=low,
        ci_high=high,
        se_classical=float(classical.bse[1]),
        p_classical=float(classical.pvalues[1]),
        se_hc3=float(hc3.bse[1]),
        p_hc3=float(hc3.pvalues[1]),
        se_hc2=se_hc2,
        df_hc2=df_hc2,
        p_hc2=p_hc2,
        df=df,
        df_residual=float(classical.df_resid),
        baseline_slope=slope[0],
        baseline_slope_ci_low=slope[1],
        baseline_slope_ci_high=slope[2],
        sd_ratio=sd_ratio,
        note="; ".join(f"statsmodels warned ({w})" for w in said),
    )
    return dataclasses.replace(fit, **dict.fromkeys(undefined, math.nan)) if flat else fit


def _efficiency(se_post: float, se: float) -> float:
    """Variance of the post-only estimate / variance of this one; NaN when undefined."""
    if not (math.isfinite(se_post) and math.isfinite(se)) or se <= 0:
        return math.nan
    return se_post**2 / se**2


def _pooled_sd(values: np.ndarray, is_cramp: np.ndarray) -> float:
    from analysis.effect_size import _pooled_sd as pooled

    x, y = values[is_cramp], values[~is_cramp]
    return float(pooled(x.size, x.std(ddof=1), y.size, y.std(ddof=1)))


def _per_sd(margin: float, sd: float) -> float:
    """``margin / sd``; NaN when the SD is 0 or not finite (no spread to scale by)."""
    return margin / sd if math.isfinite(sd) and sd > 0 else math.nan


def _margin_columns(
    estimate: float, se: float, df: float, margin: float | None, sd: float, alpha: float
) -> dict[str, Any]:
    """TOST, smallest margin, power and MDE of one estimate (plug-in SE and df)."""
    from analysis.equivalence import _t_interval, smallest_margin, tost_from_estimate
    from analysis.power import minimum_detectable_from_se, power_from_se

    if not (math.isfinite(se) and se > 0):  # nothing to test with (see _se_note)
        return {
            **dict.fromkeys(("smallest_margin", "tost_ci_low", "tost_ci_high", "mde"), np.nan),
            "margin": np.nan if margin is None else margin,
            "margin_sd": np.nan if margin is None else _per_sd(margin, sd),
            "p_tost": np.nan,
            "equivalent": pd.NA,
            "power_at_margin": np.nan,
        }
    low90, high90 = _t_interval(estimate, se, df, 1 - 2 * alpha)
    half_sd = tost_from_estimate(estimate, se, df, 0.5 * sd, alpha=alpha) if sd > 0 else None
    row: dict[str, Any] = {
        "smallest_margin": float(smallest_margin(low90, high90)),
        "equivalent_at_half_sd": pd.NA if half_sd is None else bool(half_sd.equivalent),
        "tost_ci_low": low90,
        "tost_ci_high": high90,
        "mde": minimum_detectable_from_se(se, df, alpha=alpha),
        "margin": np.nan,
        "margin_sd": np.nan,
        "p_tost": np.nan,
        "equivalent": pd.NA,
        "power_at_margin": np.nan,
    }
    if margin is not None:
        tost = tost_from_estimate(estimate, se, df, margin, alpha=alpha)
        row.update(
            margin=margin,
            margin_sd=_per_sd(margin, sd),
            p_tost=tost.p_tost,
            equivalent=bool(tost.equivalent),
            power_at_margin=power_from_se(margin, se, df, alpha=alpha),
        )
    return row


def _analyte_rows(
    cohort: pd.DataFrame,
    base: str,
    *,
    margin: float | None,
    cov_type: str,
    confidence_level: float,
) -> list[dict[str, Any]]:
    pre_col, post_col = f"{base}_pre", f"{base}_post"
    pre = pd.to_numeric(cohort[pre_col]).to_numpy(dtype=float)
    post = pd.to_numeric(cohort[post_col]).to_numpy(dtype=float)
    group = cohort["group"].to_numpy()
    keep = ~np.isnan(pre) & ~np.isnan(post)
    dropped = int((~keep).sum())
    pre, post, is_cramp = pre[keep], post[keep], group[keep] == "cramp"
    n1, n2 = int(is_cramp.sum()), int((~is_cramp).sum())
    common = {
        "variable": base,
        "unit": schema.unit_of(post_col),
        "n_cramp": n1,
        "n_control": n2,
        "cov_type": cov_type,
    }
    note = f"{dropped} runner(s) without both pre and post values left out" if dropped else ""
    if min(n1, n2) < 3:
        why = f"fewer than 3 runners with pre and post values in a group (cramp {n1}, control {n2})"
        return [{**common, "analysis": a, "note": why} for a in ANALYSES]
    alpha = 1 - confidence_level
    sd_post = _pooled_sd(post, is_cramp)
    fits = {
        "post": fit_difference(
            post, is_cramp, cov_type=cov_type, confidence_level=confidence_level
        ),
        "change": fit_difference(
            post - pre, is_cramp, cov_type=cov_type, confidence_level=confidence_level
        ),
        "ancova": fit_difference(
            post, is_cramp, pre, cov_type=cov_type, confidence_level=confidence_level
        ),
    }
    rows = []
    for analysis, fit in fits.items():
        row = {**common, "analysis": analysis, **fit.__dict__}
        row["efficiency_vs_post"] = _efficiency(fits["post"].se, fit.se)
        row.update(_margin_columns(fit.estimate, fit.se, fit.df, margin, sd_post, alpha))
        row["method"] = (
            f"OLS {_FORMULA[analysis]} (statsmodels), " + _COV_WORDS[cov_type] + "; "
            "TOST, power and MDE from that SE and df (plug-in); margin_sd = margin / pooled SD "
            "of post-race values"
        )
        row["note"] = "; ".join(n for n in (note, _se_note(fit.se), fit.note) if n)
        rows.append(row)
    return rows


def _se_note(se: float) -> str:
    if math.isfinite(se) and se > 0:
        return ""
    return (
        "no standard error: no variation left to estimate it from (identical values?); "
        "p, interval, efficiency, TOST and power are undefined (NaN)"
    )


def _welch_row(
    cohort: pd.DataFrame, column: str, *, margin: float | None, confidence_level: float
) -> dict[str, Any]:
    from scipy import stats

    from analysis.compare import group_values
    from analysis.equivalence import _welch_se_df

    x, y = group_values(cohort, column)
    row: dict[str, Any] = {
        "variable": column,
        "unit": schema.unit_of(column),
        "analysis": "welch",
        "n_cramp": x.size,
        "n_control": y.size,
        "cov_type": "Welch",
    }
    if min(x.size, y.size) < 2 or (x.std(ddof=1) == 0 and y.std(ddof=1) == 0):
        return {**row, "note": "fewer than 2 values or no variation in a group: nothing computed"}
    welch = stats.ttest_ind(x, y, equal_var=False)
    ci = welch.confidence_interval(confidence_level)
    se, df = _welch_se_df(x.size, float(x.std(ddof=1)), y.size, float(y.std(ddof=1)))
    values = np.concatenate([x, y])
    is_cramp = np.r_[np.ones(x.size, bool), np.zeros(y.size, bool)]
    row.update(
        estimate=float(x.mean() - y.mean()),
        se=se,
        p=float(welch.pvalue),
        ci_low=float(ci.low),
        ci_high=float(ci.high),
        df=df,
        sd_ratio=float(x.std(ddof=1) / y.std(ddof=1)),
        efficiency_vs_post=np.nan,
    )
    row.update(
        _margin_columns(
            row["estimate"], se, df, margin, _pooled_sd(values, is_cramp), 1 - confidence_level
        )
    )
    row["method"] = (
        "Welch two-sample t (a derived change with no baseline of its own); TOST, power and MDE "
        "from the Welch SE and df (plug-in); margin_sd = margin / pooled SD"
    )
    row["note"] = ""
    return row


def _resolve(cohort: pd.DataFrame, variables: Iterable[str] | str | None) -> list[str]:
    """Analyte bases and derived columns to analyse, validated."""
    if isinstance(variables, str):
        variables = [variables]
    if variables is None:
        names = [a for a in schema.ANALYTES if {f"{a}_pre", f"{a}_post"} <= set(cohort.columns)]
        return names + [d for d in schema.DERIVED if d in cohort.columns]
    names = []
    for v in variables:
        base = v[: -len("_post")] if v.endswith("_post") else v
        if {f"{base}_pre", f"{base}_post"} <= set(cohort.columns):
            names.append(base)
        elif v in cohort.columns:
            names.append(v)
        else:
            raise KeyError(
                f"`variables` names {v!r}: `cohort` has neither {base!r}_pre and "
                f"{base!r}_post nor a column {v!r}"
            )
    if not names:
        raise ValueError("`variables` is empty")
    return list(dict.fromkeys(names))


def _family(name: str, cohort: pd.DataFrame, families: Mapping[str, str] | None) -> str:
    column = f"{name}_post" if f"{name}_post" in cohort.columns else name
    fam = dict(families or {})
    if name in fam:
        return str(fam[name])
    return schema.family_of(column, fam)


def _members(family: str, cohort: pd.DataFrame, families: Mapping[str, str] | None) -> list[str]:
    """Every variable of a named family present in `cohort` (the whole family, not the call)."""
    if family == schema.UNSPECIFIED:
        return []
    candidates = _resolve(cohort, None) + list(families or {})
    present = []
    for c in candidates:
        base = c[: -len("_post")] if c.endswith("_post") else c
        ok = {f"{base}_pre", f"{base}_post"} <= set(cohort.columns) or base in cohort.columns
        if ok and _family(base, cohort, families) == family:
            present.append(base)
    return list(dict.fromkeys(present))


def _family_smallest_margin(
    table: pd.DataFrame, lead: np.ndarray, fam: np.ndarray, sizes: pd.Series, alpha: float
) -> np.ndarray:
    """Largest absolute limit of the 1 - 2 alpha/m interval (m TOST tests in the family).

    Above it every TOST p of the family is below alpha/m, so the Holm verdict is
    "equivalent" (a Bonferroni bound: Holm may declare equivalence a little below it).
    Leading rows with a margin only; NaN elsewhere.
    """
    from analysis.equivalence import _t_interval

    out = np.full(len(table), np.nan)
    for i, (is_lead, f) in enumerate(zip(lead, fam, strict=True)):
        m = int(sizes.get(f, 0))
        if not is_lead or m == 0 or f == schema.REDUNDANT or math.isnan(table["p_tost"].iat[i]):
            continue
        low, high = _t_interval(
            table["estimate"].iat[i], table["se"].iat[i], table["df"].iat[i], 1 - 2 * alpha / m
        )
        out[i] = max(abs(low), abs(high))
    return out


def _adjust_families(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    from analysis.multiplicity import holm_within

    lead = table["lead"].to_numpy(dtype=bool)
    fam = table["family"].to_numpy(dtype=object)
    p = np.where(lead, table["p"].to_numpy(dtype=float), np.nan)
    p_tost = np.where(lead, table["p_tost"].to_numpy(dtype=float), np.nan)
    exclude = (schema.REDUNDANT,)
    table["p_holm"] = holm_within(p, fam, exclude=exclude)
    table["p_tost_holm"] = holm_within(p_tost, fam, exclude=exclude)
    equivalent = pd.array(
        [pd.NA if math.isnan(v) else bool(v < alpha) for v in table["p_tost_holm"]],
        dtype="boolean",
    )
    table["equivalent_holm"] = equivalent
    # the TOST p-values actually adjusted: leading rows with a margin, per family
    sizes = pd.Series(p_tost).notna().groupby(pd.Series(fam)).sum()
    table["smallest_margin_family"] = _family_smallest_margin(table, lead, fam, sizes, alpha)
    table["equivalence_adjustment"] = [
        (
            "no margin: no verdict"
            if math.isnan(t)
            else (
                f"Holm within family {f!r} ({int(sizes.get(f, 0))} tests)"
                if is_lead
                else "not adjusted: not the leading analysis, shown beside it"
            )
        )
        for f, is_lead, t in zip(fam, lead, table["p_tost"].to_numpy(dtype=float), strict=True)
    ]
    return table


def compare_adjusted(
    cohort: pd.DataFrame,
    variables: Iterable[str] | str | None = None,
    *,
    margins: Mapping[str, float] | None = None,
    families: Mapping[str, str] | None = None,
    cov_type: str = "HC2",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Cramp - control difference by post-only, change score and ANCOVA.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A cohort from :func:`analysis.load_cohort`: ``group`` holds only
        ``'cramp'`` and ``'control'`` (anything else is an error, never dropped
        silently).
    variables : str or iterable of str, optional
        Analytes measured before and after (``'sodium'`` or ``'sodium_post'``,
        meaning the ``sodium_pre``/``sodium_post`` pair; any ``<base>_pre`` /
        ``<base>_post`` pair of a user's file works) and derived changes
        without a baseline (``'pv_change'``). Default: every schema analyte
        with both columns, then the derived changes present.
    margins : mapping, optional
        Equivalence margins (positive, unit of the variable) by analyte or
        column; defaults :data:`analysis.schema.DEFAULT_MARGINS`, argued in
        ``docs/margins.md``. A variable with none gets NaN TOST columns.
    families : mapping, optional
        Family of hypotheses by variable, overriding
        :func:`analysis.schema.family_of` of its ``_post`` column.
    cov_type : {'HC2', 'HC3', 'nonrobust'}, default 'HC2'
        Covariance for the reported interval, p, TOST, power and MDE. HC2
        with Satterthwaite df is the default because crampers and controls
        differ in size (15 vs 67) and may differ in spread: it is Welch's
        test for post-only and holds its level where HC3 with the residual
        df is liberal (``docs/inference.md``); classical, HC2 and HC3 are all
        reported.
    confidence_level : float, default 0.95
        Strictly between 0.5 and 1; TOST uses ``alpha = 1 - confidence_level``.

    Returns
    -------
    pandas.DataFrame
        One row per variable and analysis (``post``, ``change``, ``ancova``;
        ``welch`` for a derived change), differences cramp minus control in
        ``unit``: ``variable``, ``unit``, ``analysis``, ``lead`` (the
        pre-specified analysis: ``ancova``, or ``welch``), ``family``,
        ``n_cramp``, ``n_control``, ``estimate``, ``ci_low``, ``ci_high``,
        ``se``, ``df`` (of the chosen covariance), ``p``, ``cov_type``,
        ``se_classical``, ``se_hc3``, ``se_hc2``, ``df_hc2`` (Satterthwaite),
        ``df_residual``, ``p_classical``, ``p_hc3``, ``p_hc2``, ``sd_ratio``
        (residual SD cramp / control),
        ``baseline_slope`` with ``baseline_slope_ci_low``/``_high`` (ANCOVA),
        ``efficiency_vs_post`` (variance of the post-only estimate / variance
        of this one, same covariance: above 1 means more precise),
        ``p_holm`` (Holm within the family, over the leading rows of the whole
        family present in the cohort; NaN on other rows), ``margin``,
        ``margin_sd`` (margin / pooled SD of post-race values),
        ``smallest_margin`` (largest absolute limit of the 1 - 2 alpha
        interval: unadjusted), ``smallest_margin_family`` (largest absolute
        limit of the 1 - 2 alpha/m interval, m the TOST tests of the family:
        above it the Holm verdict is "equivalent"; a Bonferroni bound, leading
        rows with a margin only), ``tost_ci_low``, ``tost_ci_high``, ``p_tost``,
        ``equivalent`` (unadjusted), ``p_tost_holm``, ``equivalent_holm``
        (Holm within the family), ``equivalence_adjustment`` (what the
        verdict is adjusted for), ``equivalent_at_half_sd`` (sensitivity:
        the unadjusted TOST verdict at a margin of 0.5 pooled SD of the
        post-race values, whatever ``margin`` is), ``power_at_margin`` (power
        of the two-sided difference test when the true difference equals the
        margin; not the power of TOST), ``mde`` (80 % power,
        unit of the variable), ``confidence_level``, ``method``, ``note``.

    Raises
    ------
    KeyError
        If a variable has neither a pre/post pair nor a column, or ``group``
        is missing.
    ValueError
        For an invalid option, or a ``group`` value other than ``'cramp'`` or
        ``'control'``.

    Notes
    -----
    All three analyses use the same runners (both values present). The
    classical and HC3 standard errors match R ``lm`` and
    ``sandwich::vcovHC(fit, type = "HC3")`` (tests/reference/adjusted.R); HC2
    and its Satterthwaite df match a hand computation in R
    (tests/reference/adjusted_hc2.R), and Welch's ``t.test`` for post-only.
    Holm counts each question once: the change score and post-only rows
    re-ask the ANCOVA's question and are not counted. ``docs/inference.md``
    explains why ANCOVA leads and when change score and ANCOVA disagree.
    """
    if not 0.5 < confidence_level < 1:
        raise ValueError(
            f"`confidence_level` must be strictly between 0.5 and 1; got {confidence_level!r}"
        )
    if cov_type not in COV_TYPES:
        raise ValueError(f"`cov_type` must be one of {COV_TYPES}; got {cov_type!r}")
    if "group" not in cohort.columns:
        raise KeyError("`cohort` has no 'group' column; load it with analysis.load_cohort")
    bad = ~cohort["group"].isin(schema.GROUPS)
    if bad.any():
        values = sorted({repr(v) for v in cohort.loc[bad, "group"]})
        raise ValueError(
            f"Column `group` must hold only 'cramp' or 'control'; got {', '.join(values)} "
            f"in {int(bad.sum())} row(s); load the file with analysis.load_cohort"
        )
    from analysis.compare import _margins_for

    wanted = _resolve(cohort, variables)
    fam_of = {v: _family(v, cohort, families) for v in wanted}
    closure = list(wanted)
    for fam in dict.fromkeys(fam_of.values()):
        closure += [m for m in _members(fam, cohort, families) if m not in closure]
    # a margin given for '<base>_post' is the analyte's margin here
    by_base = {
        (k[: -len("_post")] if k.endswith("_post") else k): v for k, v in (margins or {}).items()
    }
    margin_of = _margins_for(closure, by_base)
    rows: list[dict[str, Any]] = []
    for name in closure:
        margin = margin_of[name] if name in margin_of else None
        if {f"{name}_pre", f"{name}_post"} <= set(cohort.columns):
            new = _analyte_rows(
                cohort, name, margin=margin, cov_type=cov_type, confidence_level=confidence_level
            )
        else:
            new = [_welch_row(cohort, name, margin=margin, confidence_level=confidence_level)]
        for row in new:
            row["family"] = _family(name, cohort, families)
            row["lead"] = row["analysis"] in (_LEAD, "welch")
        rows += new
    table = pd.DataFrame(rows, columns=_COLUMNS)
    table["equivalent"] = table["equivalent"].astype("boolean")
    table["equivalent_at_half_sd"] = table["equivalent_at_half_sd"].astype("boolean")
    table["lead"] = table["lead"].astype(bool)
    table = _adjust_families(table, 1 - confidence_level)
    table["confidence_level"] = confidence_level
    table = table[table["variable"].isin(wanted)]
    order = {v: i for i, v in enumerate(wanted)}
    table = table.sort_values("variable", key=lambda s: s.map(order), kind="stable")
    return table.reset_index(drop=True)[_COLUMNS]


_COLUMNS = [
    "variable",
    "unit",
    "analysis",
    "lead",
    "family",
    "n_cramp",
    "n_control",
    "estimate",
    "ci_low",
    "ci_high",
    "se",
    "df",
    "p",
    "p_holm",
    "cov_type",
    "se_classical",
    "se_hc3",
    "se_hc2",
    "df_hc2",
    "df_residual",
    "p_classical",
    "p_hc3",
    "p_hc2",
    "sd_ratio",
    "baseline_slope",
    "baseline_slope_ci_low",
    "baseline_slope_ci_high",
    "efficiency_vs_post",
    "margin",
    "margin_sd",
    "smallest_margin",
    "smallest_margin_family",
    "tost_ci_low",
    "tost_ci_high",
    "p_tost",
    "equivalent",
    "p_tost_holm",
    "equivalent_holm",
    "equivalence_adjustment",
    "equivalent_at_half_sd",
    "power_at_margin",
    "mde",
    "confidence_level",
    "method",
    "note",
]
