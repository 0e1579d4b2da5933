"""Control of the family-wise error rate within named families of hypotheses.

Holm adjusts within a family named in :data:`analysis.schema.FAMILIES` (the
pre-specified primary family, the exploratory one, the baseline checks), never
across whatever a call happens to contain; see ``docs/inference.md``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["holm", "holm_within"]


def holm(pvalues: ArrayLike) -> np.ndarray:
    r"""Holm step-down adjusted p-values.

    Parameters
    ----------
    pvalues : array_like
        One-dimensional p-values in [0, 1]; NaN marks a missing p-value.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values (float, same shape and order as the input), in
        [0, 1]; NaN where the input is NaN.

    Raises
    ------
    ValueError
        If `pvalues` is not one-dimensional or holds a value outside [0, 1]
        (NaN apart).
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
    order = np.argsort(values, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * values[order])
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
