"""Crampers versus controls, one tidy row per variable.

:func:`compare_groups` assembles, for every variable, what a careful
reanalysis reports: group summaries, the mean difference (cramp minus
control) with its Welch confidence interval, parametric and rank tests, a
resampling interval and test, Hedges' g with its interval, a Holm adjustment
within each named family of hypotheses (:data:`analysis.schema.FAMILIES`), an
equivalence test against a stated margin (also in SD units, with the smallest
margin the data support), the power and minimum detectable difference of the design, and a
Bayes factor. Each statistic comes from a module of its own, checked against
R; this module only assembles. Results are never rounded here.

Examples
--------
>>> from analysis import compare_groups, load_cohort, example_path
>>> cohort = load_cohort(example_path("marathon"))
>>> table = compare_groups(cohort, ["sodium_post", "pv_change"], n_resamples=2000)
>>> table[["variable", "n_cramp", "n_control"]]
      variable  n_cramp  n_control
0  sodium_post       15         67
1    pv_change       15         67
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis import schema
from analysis._checks import check_group_labels, level_label
from analysis.effect_size import _pooled_sd
from analysis.resampling import DEFAULT_SEED  # the seed of every resampling method

__all__ = ["DEFAULT_SEED", "compare_groups", "default_variables", "group_values"]


_NUMERIC_KINDS = "biuf"


def group_values(cohort: pd.DataFrame, variable: str) -> tuple[np.ndarray, np.ndarray]:
    """The non-missing values of ``variable`` in the cramp and control groups.

    Raises
    ------
    KeyError
        If ``group`` or ``variable`` is not a column.
    TypeError
        If ``variable`` is not numeric.
    """
    if "group" not in cohort.columns:
        raise KeyError("`cohort` has no 'group' column; load it with analysis.load_cohort")
    if variable not in cohort.columns:
        raise KeyError(
            f"`variables` names {variable!r}, which is not a column of `cohort`; "
            f"its columns are {', '.join(map(str, cohort.columns))}"
        )
    column = cohort[variable]
    if column.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"variable {variable!r} must be numeric; its dtype is {column.dtype}")
    values = column.to_numpy(dtype=float)
    group = cohort["group"].to_numpy()
    keep = ~np.isnan(values)
    return values[keep & (group == "cramp")], values[keep & (group == "control")]


def default_variables(cohort: pd.DataFrame) -> list[str]:
    """The analysed variables present in ``cohort``, in canonical order.

    Every analyte's ``_pre``, ``_post`` and ``_change`` column, then the
    plasma-volume change; age, finishing time and onset are descriptive.
    """
    names = [f"{a}_{t}" for a in schema.ANALYTES for t in ("pre", "post", "change")] + ["pv_change"]
    return [n for n in names if n in cohort.columns]


def _margins_for(
    variables: list[str], margins: Mapping[str, float] | None
) -> dict[str, float | None]:
    margins = dict(margins or {})
    for name, value in margins.items():
        if isinstance(value, bool) or not (
            isinstance(value, Real) and math.isfinite(value) and value > 0
        ):
            raise ValueError(f"`margins[{name!r}]` must be a positive number; got {value!r}")
    out: dict[str, float | None] = {}
    for v in variables:
        if v in margins:
            out[v] = float(margins[v])
        elif schema.base_of(v) in margins and v not in schema.DERIVED:
            out[v] = float(margins[schema.base_of(v)])
        else:
            out[v] = schema.default_margin(v)
    return out


def _with_count(method: str, n_resamples: int) -> str:
    return f"{method} ({n_resamples} resamples)" if n_resamples else method


def _empty_row(variable: str, x: np.ndarray, y: np.ndarray, note: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "variable": variable,
        "unit": schema.unit_of(variable),
        "n_cramp": len(x),
        "n_control": len(y),
    }
    row["note"] = note
    return row


#: Columns that assume equal spread (identical distributions) under the null,
#: named in ``method``; see docs/simulation.md for what that costs.
EQUAL_SPREAD_COLUMNS = (
    "p_student",
    "p_mannwhitney",
    "p_permutation",
    "hedges_g_ci_low",
    "hedges_g_ci_high",
)


def _resampled(
    x: np.ndarray, y: np.ndarray, *, confidence_level: float, n_resamples: int, seed: int
) -> tuple[dict[str, float], list[str], list[str], int]:
    """The four resampling columns, their ``method`` parts, notes and resamples used.

    A column holds only the method its name says: where a resampling method
    was replaced by its asymptotic form (or not computed), the column is NaN
    and ``note`` says why.
    """
    from analysis.resampling import (
        bootstrap_mean_diff_ci,
        bootstrap_t_mean_diff_ci,
        permutation_test_mean_diff,
        permutation_test_welch,
    )

    perm = permutation_test_mean_diff(x, y, n_resamples=n_resamples, seed=seed)
    sperm = permutation_test_welch(x, y, n_resamples=n_resamples, seed=seed)
    boot = bootstrap_mean_diff_ci(
        x, y, confidence_level=confidence_level, n_resamples=n_resamples, seed=seed
    )
    boot_t = bootstrap_t_mean_diff_ci(
        x, y, confidence_level=confidence_level, n_resamples=n_resamples, seed=seed
    )
    level = level_label(confidence_level)
    parts = {
        "p_permutation": (perm, f"{perm.method} of the mean difference"),
        "p_permutation_studentized": (sperm, f"{sperm.method} of the Welch t"),
        "boot_ci": (boot, f"{level} {boot.method} CI"),
        "boot_t_ci": (boot_t, f"{level} {boot_t.method} CI"),
    }
    values: dict[str, float] = {}
    methods, notes = [], []
    for column, (res, text) in parts.items():
        resampled = res.n_resamples > 0
        if column.startswith("p_"):
            values[column] = res.pvalue if resampled else math.nan
        else:
            values[f"{column}_low"] = res.ci_low if resampled else math.nan
            values[f"{column}_high"] = res.ci_high if resampled else math.nan
        if resampled:
            exact = res.seed is None
            methods.append(f"{column}: {text if exact else _with_count(text, res.n_resamples)}")
        else:
            methods.append(f"{column}: not computed")
            notes.append(f"{column} not computed ({res.method})")
    used = min((r.n_resamples for r, _ in parts.values() if r.n_resamples), default=0)
    return values, methods, notes, used


def _t_based(
    variable: str, x: np.ndarray, y: np.ndarray, *, confidence_level: float
) -> dict[str, Any]:
    """Welch and Student tests, Welch CI, Hedges' g, MDE and Bayes factors."""
    from analysis.bayes import bayes_factor_ttest, bf01_max
    from analysis.effect_size import hedges_g_from_stats
    from analysis.power import minimum_detectable_effect

    n1, n2 = len(x), len(y)
    m1, m2 = float(x.mean()), float(y.mean())
    s1, s2 = float(x.std(ddof=1)), float(y.std(ddof=1))
    alpha = 1 - confidence_level
    welch = stats.ttest_ind(x, y, equal_var=False)
    welch_ci = welch.confidence_interval(confidence_level)
    student = stats.ttest_ind(x, y, equal_var=True)
    g = hedges_g_from_stats(n1, m1, s1, n2, m2, s2, confidence_level=confidence_level)
    mde_d = minimum_detectable_effect(n1, n2, power=0.8, alpha=alpha)
    bf10 = bayes_factor_ttest(float(student.statistic), n1, n2)
    return {
        "ci_low": float(welch_ci.low),
        "ci_high": float(welch_ci.high),
        "t": float(welch.statistic),
        "df": float(welch.df),
        "p_welch": float(welch.pvalue),
        "p_student": float(student.pvalue),
        "hedges_g": g.g,
        "hedges_g_ci_low": g.ci_low,
        "hedges_g_ci_high": g.ci_high,
        "mde": mde_d * _pooled_sd(n1, s1, n2, s2),
        "mde_d": mde_d,
        "bf10": bf10,
        "bf01": 1 / bf10,
        "bf01_max": bf01_max(n1, n2),
    }


def _method_text(
    confidence_level: float, mw_method: str, resampling_methods: list[str], tost: bool
) -> str:
    """What each column is, naming the columns that assume equal spread."""
    level = level_label(confidence_level)
    tost_level = level_label(1 - 2 * (1 - confidence_level))
    equal = "assumes equal spread"
    return "; ".join(
        [
            f"p_welch, ci: Welch t-test, {level} Welch CI",
            f"p_student: Student t-test ({equal})",
            f"p_mannwhitney: Mann-Whitney U, {mw_method} ({equal}: "
            "identical distributions under the null)",
            "p_brunnermunzel: Brunner-Munzel",
            *[
                f"{m} ({equal}: identical distributions under the null)"
                if m.startswith("p_permutation:") and not m.endswith("not computed")
                else m
                for m in resampling_methods
            ],
            f"hedges_g: Hedges' g (exact J), {level} normal CI (pooled SD; {equal})",
            f"Welch TOST ({tost_level} CI)" if tost else "no TOST",
            "two-sample t power and MDE (80% power)",
            f"bf10, bf01, bf01_max: JZS Bayes factor (r = 0.707) from Student's t ({equal})",
        ]
    )


def _compare_one(
    variable: str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    margin: float | None,
    confidence_level: float,
    n_resamples: int,
    seed: int,
) -> dict[str, Any]:
    from analysis.equivalence import welch_tost_from_stats
    from analysis.power import power_two_sample
    from analysis.rank_tests import brunner_munzel, brunner_munzel_undefined, mannwhitney_r

    for label, values in (("cramp", x), ("control", y)):
        if len(values) < 2:
            return _empty_row(
                variable,
                x,
                y,
                f"fewer than 2 values in group {label!r} (n = {len(values)}): nothing computed",
            )
    n1, n2 = len(x), len(y)
    m1, m2 = float(x.mean()), float(y.mean())
    s1, s2 = float(x.std(ddof=1)), float(y.std(ddof=1))
    row: dict[str, Any] = {
        "variable": variable,
        "unit": schema.unit_of(variable),
        "n_cramp": n1,
        "n_control": n2,
        "mean_cramp": m1,
        "mean_control": m2,
        "sd_cramp": s1,
        "sd_control": s2,
        "mean_diff": m1 - m2,
        "margin": np.nan,
        "p_tost": np.nan,
        "tost_ci_low": np.nan,
        "tost_ci_high": np.nan,
        "equivalent": pd.NA,
        "power_at_margin": np.nan,
    }
    notes = []
    constant = s1 == 0 and s2 == 0
    if constant:
        notes.append(
            "no variation within either group: t-based tests, intervals, Hedges' g, "
            "TOST, power and Bayes factors undefined; rank and permutation tests reported"
        )
    else:
        row.update(_t_based(variable, x, y, confidence_level=confidence_level))
    _, p_mw, mw_method = mannwhitney_r(x, y)
    row["p_mannwhitney"] = p_mw
    reason = brunner_munzel_undefined(x, y, names=("cramp", "control"))
    if reason:
        row["p_brunnermunzel"] = np.nan
        notes.append(f"p_brunnermunzel undefined: {reason}")
    else:
        row["p_brunnermunzel"] = brunner_munzel(x, y).pvalue
    values, resampling_methods, resampling_notes, used = _resampled(
        x, y, confidence_level=confidence_level, n_resamples=n_resamples, seed=seed
    )
    row.update(values)
    notes.extend(resampling_notes)
    if margin is None:
        notes.append("no equivalence margin for this variable: TOST and power not computed")
    elif not constant:
        alpha = 1 - confidence_level
        tost = welch_tost_from_stats(n1, m1, s1, n2, m2, s2, margin, alpha=alpha)
        sd_pooled = _pooled_sd(n1, s1, n2, s2)
        row.update(
            margin=margin,
            p_tost=tost.p_tost,
            tost_ci_low=tost.ci_low,
            tost_ci_high=tost.ci_high,
            equivalent=bool(tost.equivalent),
            power_at_margin=power_two_sample(n1, n2, margin / sd_pooled, alpha=alpha),
        )
    else:
        row["margin"] = margin
    row["method"] = _method_text(
        confidence_level, mw_method, resampling_methods, margin is not None and not constant
    )
    row["n_resamples"] = used
    row["note"] = "; ".join(notes)
    return row


def compare_groups(
    cohort: pd.DataFrame,
    variables: Iterable[str] | str | None = None,
    *,
    margins: Mapping[str, float] | None = None,
    families: Mapping[str, str] | None = None,
    confidence_level: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Compare crampers with controls on each variable.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A cohort from :func:`analysis.load_cohort`: a ``group`` column with
        values ``'cramp'`` and ``'control'`` and numeric variables. Missing
        values are left out per variable; the n used is reported.
    variables : str or iterable of str, optional
        Numeric columns to compare, including derived ones such as
        ``pv_change``. Default: every analyte's ``_pre``, ``_post`` and
        ``_change`` column present, then ``pv_change``.
    margins : mapping, optional
        Equivalence margins (positive, in the variable's unit) by column or by
        analyte (``{'sodium': 2}`` applies to ``sodium_pre``, ``sodium_post``
        and ``sodium_change``). Defaults: :data:`analysis.schema.DEFAULT_MARGINS`,
        argued in ``docs/margins.md``; a variable with neither gets NaN
        equivalence and power columns and says so in ``note``.
    families : mapping, optional
        Family of hypotheses by column, overriding
        :func:`analysis.schema.family_of` (e.g. ``{'hp': 'primary'}`` for a
        column of your own). Holm adjusts within a family, over the whole
        family present in `cohort`, never over whatever the call contains.
    confidence_level : float, default 0.95
        Strictly between 0.5 and 1. For every interval; the TOST uses
        ``alpha = 1 - confidence_level`` and reports the ``1 - 2 alpha``
        interval; power and MDE use the same alpha.
    n_resamples : int, default 10000
        Resamples for the bootstrap interval and the permutation test.
    seed : int, default :data:`DEFAULT_SEED`
        Seed of every resampling method, recorded in the ``seed`` column.

    Returns
    -------
    pandas.DataFrame
        One row per variable, in the order given. Differences are cramp minus
        control, in the variable's unit (``unit``):

        - ``variable``, ``unit``, ``n_cramp``, ``n_control`` (values used);
        - ``mean_cramp``, ``mean_control``, ``sd_cramp``, ``sd_control``;
        - ``mean_diff``, ``ci_low``, ``ci_high`` (Welch interval), ``t``,
          ``df`` (Welch), ``p_welch``;
        - ``p_student`` (pooled variance), ``p_mannwhitney`` (as R's
          ``wilcox.test`` defaults), ``p_brunnermunzel``, ``p_permutation``
          (raw mean difference), ``p_permutation_studentized`` (Welch t
          permuted), ``boot_ci_low``, ``boot_ci_high`` (BCa),
          ``boot_t_ci_low``, ``boot_t_ci_high`` (bootstrap-t). Student,
          Mann-Whitney, the raw permutation test and the Hedges' g interval
          assume equal spread (identical distributions under the null) and
          ``method`` says so; ``docs/simulation.md`` shows what that costs.
          A resampling column holds only its own method: NaN, with the reason
          in ``note``, where :mod:`analysis.resampling` would have used an
          asymptotic form (total above 5,000 and both groups above 1,000);
        - ``hedges_g``, ``hedges_g_ci_low``, ``hedges_g_ci_high`` (pooled-SD
          units, exact small-sample correction);
        - ``family`` (:func:`analysis.schema.family_of`) and ``p_holm``:
          ``p_welch`` adjusted by Holm within the family, over every member
          present in `cohort` (NaN for ``'redundant'`` change-score rows);
        - ``margin``, ``p_tost``, ``tost_ci_low``, ``tost_ci_high``,
          ``equivalent`` (Welch two one-sided tests against ±margin,
          unadjusted); ``margin_sd`` (margin / pooled SD); ``smallest_margin``
          (largest absolute limit of the 1 - 2 alpha Welch interval: TOST
          declares equivalence for every margin above it); ``p_tost_holm``,
          ``equivalent_holm`` (TOST p adjusted by Holm within the family) and
          ``equivalence_adjustment`` (what the verdict is adjusted for);
          ``equivalent_at_half_sd`` (sensitivity: the unadjusted TOST verdict
          at a margin of 0.5 pooled SD, whatever ``margin`` is);
        - ``power_at_margin`` (power of the two-sided difference test when
          the true difference equals the margin, with these group sizes; not
          the power of TOST), ``mde`` (the smallest
          difference detectable with 80 % power, in the variable's unit) and
          ``mde_d`` (the same in pooled-SD units);
        - ``bf10``: JZS Bayes factor for a difference (r = √2/2); ``bf01``
          = 1/``bf10``; ``bf01_max``: the largest BF01 these group sizes can
          give under that prior (at t = 0; :func:`analysis.bayes.bf01_max`);
        - ``confidence_level``, ``method`` (every test and interval used),
          ``seed``, ``n_resamples`` (resamples actually used; 0 where an
          asymptotic form replaced resampling), ``note`` (why anything is
          missing; empty otherwise).

    Raises
    ------
    KeyError
        If a variable or ``group`` is not a column.
    TypeError
        If a variable is not numeric.
    ValueError
        For an invalid option (the message names it), or if ``group`` holds
        a label other than ``'cramp'`` or ``'control'`` (such rows would
        otherwise be silently left out; the message names the labels).

    Notes
    -----
    A group with fewer than two values gives a row of NaN statistics with the
    reason in ``note`` rather than an exception, so that one sparse variable
    does not stop a whole report. With no variation within either group the
    t-based columns are NaN (with a note), but the rank and permutation tests
    are still reported: for ``[5] * 6`` against ``[7] * 7``, Mann-Whitney
    p = 0.00072 (as R's ``wilcox.test``) and the exact permutation p = 2/1716.
    A Brunner-Munzel p that is undefined (complete separation) is NaN with
    the reason in ``note``.

    See Also
    --------
    analysis.compare_paired : before-to-after change within each group.
    analysis.compare_summary : the same from published means and SDs.
    """
    if not 0.5 < confidence_level < 1:
        raise ValueError(
            "`confidence_level` must be strictly between 0.5 and 1 (the equivalence test "
            f"uses alpha = 1 - confidence_level below 0.5); got {confidence_level!r}"
        )
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 100:
        raise ValueError(f"`n_resamples` must be an integer of at least 100; got {n_resamples!r}")
    if isinstance(variables, str):
        variables = [variables]
    names = default_variables(cohort) if variables is None else list(variables)
    if "group" in cohort.columns:
        check_group_labels(cohort)
    if not names:
        raise ValueError("`variables` is empty and `cohort` has no analyte columns")
    margin_of = _margins_for(names, margins)
    rows = []
    for name in names:
        x, y = group_values(cohort, name)
        rows.append(
            _compare_one(
                name,
                x,
                y,
                margin=margin_of[name],
                confidence_level=confidence_level,
                n_resamples=n_resamples,
                seed=seed,
            )
        )
    table = pd.DataFrame(rows, columns=_COLUMNS)
    table["equivalent"] = table["equivalent"].astype("boolean")
    from analysis.multiplicity import add_family_columns

    table = add_family_columns(
        table, cohort, margins=margins, families=families, confidence_level=confidence_level
    )
    table["confidence_level"] = confidence_level
    table["seed"] = seed
    return table


_COLUMNS = [
    "variable",
    "unit",
    "n_cramp",
    "n_control",
    "mean_cramp",
    "mean_control",
    "sd_cramp",
    "sd_control",
    "mean_diff",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "p_welch",
    "p_student",
    "p_mannwhitney",
    "p_brunnermunzel",
    "p_permutation",
    "p_permutation_studentized",
    "boot_ci_low",
    "boot_ci_high",
    "boot_t_ci_low",
    "boot_t_ci_high",
    "hedges_g",
    "hedges_g_ci_low",
    "hedges_g_ci_high",
    "family",
    "p_holm",
    "margin",
    "margin_sd",
    "smallest_margin",
    "p_tost",
    "tost_ci_low",
    "tost_ci_high",
    "equivalent",
    "p_tost_holm",
    "equivalent_holm",
    "equivalence_adjustment",
    "equivalent_at_half_sd",
    "power_at_margin",
    "mde",
    "mde_d",
    "bf10",
    "bf01",
    "bf01_max",
    "confidence_level",
    "method",
    "seed",
    "n_resamples",
    "note",
]
