"""Control of the family-wise error rate within named families of hypotheses.

Holm adjusts within a family named in :data:`analysis.schema.FAMILIES` (the
pre-specified primary family, the exploratory one, the baseline checks), never
across whatever a call happens to contain; see ``docs/inference.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["add_family_columns", "holm", "holm_within"]


def holm(pvalues: ArrayLike, *, n: int | None = None) -> np.ndarray:
    r"""Holm step-down adjusted p-values.

    Parameters
    ----------
    pvalues : array_like
        One-dimensional p-values in [0, 1]; NaN marks a missing p-value.
    n : int, optional
        Size of the family, when it holds more hypotheses than the p-values
        given (a study's other tests, whose p-values were not printed): at
        least the number of non-missing p-values. Default: that number. As
        R ``p.adjust(p, "holm", n = n)``: the hypotheses not given are
        taken to have larger p-values than every one given.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values (float, same shape and order as the input), in
        [0, 1]; NaN where the input is NaN.

    Raises
    ------
    ValueError
        If `pvalues` is not one-dimensional or holds a value outside [0, 1]
        (NaN apart), or `n` is smaller than the number of non-missing
        p-values.
    TypeError
        If `pvalues` cannot be converted to floats.

    Notes
    -----
    With the :math:`m` non-missing p-values sorted,
    :math:`p_{(1)} \le \dots \le p_{(m)}`,

    .. math::

        \tilde p_{(i)} = \min\left(1, \max_{j \le i} (m - j + 1)\, p_{(j)}\right).

    Matches R ``p.adjust(p, method = "holm")``, including its handling of
    ``NA``: missing values stay missing and are not counted in :math:`m`
    (``p.adjust``'s default ``n = length(p)`` is evaluated after the ``NA``
    are removed). Ties are adjusted as in R.

    References
    ----------
    .. [1] Holm S. A simple sequentially rejective multiple test procedure.
       Scand J Stat 1979;6(2):65-70.

    Examples
    --------
    >>> from analysis.multiplicity import holm
    >>> holm([0.01, 0.04, float("nan"), 0.03, 0.005, 0.2])
    array([0.04 , 0.09 ,   nan, 0.09 , 0.025, 0.2  ])
    >>> holm([0.004, 0.03], n=21)  # two printed p-values of a study's 21 tests
    array([0.084, 0.6  ])
    """
    try:
        p = np.asarray(pvalues, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`pvalues` must be an array of numbers; got {pvalues!r}") from None
    if p.ndim != 1:
        raise ValueError(f"`pvalues` must be one-dimensional; got shape {p.shape}")
    present = ~np.isnan(p)
    outside = present & ((p < 0) | (p > 1))
    if outside.any():
        raise ValueError(
            f"`pvalues` must lie in [0, 1]; got {p[outside]} at {np.flatnonzero(outside)}"
        )
    adjusted = np.full(p.shape, np.nan)
    values = p[present]
    m = values.size
    if n is None:
        n = m
    elif isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < m:
        raise ValueError(
            f"`n` must be an integer of at least the number of p-values given ({m}); got {n!r}"
        )
    order = np.argsort(values, kind="stable")
    stepped = np.maximum.accumulate((n - np.arange(m)) * values[order])
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    adjusted[present] = out
    return adjusted


def holm_within(
    pvalues: ArrayLike, families: ArrayLike, *, exclude: tuple[str, ...] = ()
) -> np.ndarray:
    """Holm adjustment within each family separately.

    Parameters
    ----------
    pvalues : array_like
        One-dimensional p-values in [0, 1]; NaN marks a missing one.
    families : array_like of str
        The family of each p-value, same length.
    exclude : tuple of str, optional
        Families not adjusted (their adjusted p-values are NaN), e.g.
        ``('redundant',)`` for rows that re-ask another row's question.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order; within a family exactly
        :func:`holm` of that family's p-values.

    Raises
    ------
    ValueError
        If the lengths differ, and as :func:`holm`.

    Examples
    --------
    >>> from analysis.multiplicity import holm_within
    >>> holm_within([0.01, 0.04, 0.03, 0.2], ["a", "a", "b", "c"], exclude=("c",))
    array([0.02, 0.04, 0.03,  nan])
    """
    p = np.asarray(pvalues, dtype=float)
    fam = np.asarray(families, dtype=object)
    if p.shape != fam.shape or p.ndim != 1:
        raise ValueError(
            "`pvalues` and `families` must be one-dimensional and of one length; "
            f"got shapes {p.shape} and {fam.shape}"
        )
    out = np.full(p.shape, np.nan)
    for name in dict.fromkeys(fam.tolist()):
        if name in exclude:
            continue
        rows = fam == name
        out[rows] = holm(p[rows])
    return out


def add_family_columns(
    table: Any,
    cohort: Any,
    *,
    margins: Any = None,
    families: Any = None,
    confidence_level: float = 0.95,
) -> Any:
    """Family, Holm within family, margin in SD units and smallest margin for a comparison table.

    Used by :func:`analysis.compare_groups`. Holm runs over the *whole* named
    family present in `cohort`, whatever the call asked for: the Welch and
    TOST p-values of family members absent from `table` are computed here,
    so adding or removing variables in a call never changes a primary
    ``p_holm``. Columns the schema does not know form the family
    ``'unspecified'``, adjusted over the call's rows; an analyte's
    ``*_change`` rows (post minus pre) are ``'redundant'``: not counted.

    Parameters
    ----------
    table : pandas.DataFrame
        The rows of :func:`analysis.compare_groups`.
    cohort : pandas.DataFrame
        The cohort the table was computed from.
    margins, families : mapping, optional
        As in :func:`analysis.compare_groups`.
    confidence_level : float
        TOST level ``alpha = 1 - confidence_level``.

    Returns
    -------
    pandas.DataFrame
        `table` with ``family``, ``p_holm``, ``margin_sd``, ``smallest_margin``,
        ``p_tost_holm``, ``equivalent_holm``, ``equivalence_adjustment`` and
        ``equivalent_at_half_sd`` (TOST at 0.5 pooled SD, unadjusted) set.
    """
    import pandas as pd
    from scipy import stats

    from analysis import schema
    from analysis.compare import _margins_for, group_values
    from analysis.effect_size import _pooled_sd
    from analysis.equivalence import _t_interval, _welch_se_df, welch_tost_from_stats

    alpha = 1 - confidence_level
    fams = dict(families or {})
    names = list(table["variable"])
    family = [schema.family_of(v, fams) for v in names]
    extra = []
    for fam in dict.fromkeys(family):
        if fam in (schema.UNSPECIFIED, schema.REDUNDANT):
            continue
        members = [*schema.FAMILIES.get(fam, ()), *(c for c, f in fams.items() if f == fam)]
        extra += [m for m in members if m in cohort.columns and m not in names and m not in extra]
    margin_of = _margins_for(extra, margins)
    p_extra, tost_extra = [], []
    for name in extra:
        x, y = group_values(cohort, name)
        ok = min(x.size, y.size) >= 2 and (x.std(ddof=1) > 0 or y.std(ddof=1) > 0)
        p_extra.append(float(stats.ttest_ind(x, y, equal_var=False).pvalue) if ok else np.nan)
        m = margin_of[name]
        tost_extra.append(
            welch_tost_from_stats(
                x.size, x.mean(), x.std(ddof=1), y.size, y.mean(), y.std(ddof=1), m, alpha=alpha
            ).p_tost
            if ok and m is not None
            else np.nan
        )
    all_fam = family + [schema.family_of(e, fams) for e in extra]
    p_all = np.r_[table["p_welch"].to_numpy(dtype=float), p_extra]
    tost_all = np.r_[table["p_tost"].to_numpy(dtype=float), tost_extra]
    n = len(names)
    exclude = (schema.REDUNDANT,)
    table["family"] = family
    table["p_holm"] = holm_within(p_all, all_fam, exclude=exclude)[:n]
    table["p_tost_holm"] = holm_within(tost_all, all_fam, exclude=exclude)[:n]
    table["equivalent_holm"] = pd.array(
        [pd.NA if np.isnan(v) else bool(v < alpha) for v in table["p_tost_holm"]], dtype="boolean"
    )
    counts = pd.Series(tost_all).notna().groupby(pd.Series(all_fam)).sum()
    table["equivalence_adjustment"] = [
        "no margin: no verdict"
        if np.isnan(t)
        else (
            "not adjusted: a change score re-asks the question of the post-race row"
            if f == schema.REDUNDANT
            else f"Holm within family {f!r} ({int(counts.get(f, 0))} tests)"
        )
        for f, t in zip(family, table["p_tost"].to_numpy(dtype=float), strict=True)
    ]
    sd, low, high = [], [], []
    for row in table.itertuples():
        try:
            se, df = _welch_se_df(row.n_cramp, row.sd_cramp, row.n_control, row.sd_control)
            interval = _t_interval(row.mean_diff, se, df, 1 - 2 * alpha)
            pooled = _pooled_sd(row.n_cramp, row.sd_cramp, row.n_control, row.sd_control)
        except (ValueError, ZeroDivisionError, TypeError):
            interval, pooled = (np.nan, np.nan), np.nan
        low.append(interval[0])
        high.append(interval[1])
        sd.append(pooled)
    table["margin_sd"] = table["margin"].to_numpy(dtype=float) / np.asarray(sd, dtype=float)
    table["smallest_margin"] = np.maximum(np.abs(low), np.abs(high))
    # sensitivity: the unadjusted TOST verdict at a margin of half a pooled SD
    half = 0.5 * np.asarray(sd, dtype=float)
    table["equivalent_at_half_sd"] = pd.array(
        [
            pd.NA if np.isnan(m) or np.isnan(h) else bool(m < h)
            for m, h in zip(table["smallest_margin"], half, strict=True)
        ],
        dtype="boolean",
    )
    return table
