"""Blood-, plasma- and red-cell-volume change from haemoglobin and haematocrit.

Dill & Costill (1974) take the blood volume before exercise as 100 and infer
the volume after from how much haemoglobin has concentrated. With B = before,
A = after and haematocrit as a fraction:

.. math::

    \\%\\Delta BV = 100\\,(Hb_B/Hb_A - 1)

    \\%\\Delta CV = 100\\,[(Hb_B/Hb_A)(Hct_A/Hct_B) - 1]

    \\%\\Delta PV = 100\\,[(Hb_B/Hb_A)(1 - Hct_A)/(1 - Hct_B) - 1]

Haemoglobin may be in any one unit (it cancels); haematocrit must be a
fraction (0.45, not 45). No F-cell correction is applied, as in the original.
The functions are vectorised: numbers, NumPy arrays and pandas Series all work,
and a Series keeps its index.

References
----------
Dill DB, Costill DL. Calculation of percentage changes in volumes of blood,
plasma, and red cells in dehydration. J Appl Physiol 1974;37(2):247-248.

Examples
--------
The paper's worked example: haemoglobin 15.1 -> 16.7 g/100 mL, so 100 mL of
blood becomes 90.4 mL.

>>> from analysis.physiology import blood_volume_change
>>> print(f"{blood_volume_change(15.1, 16.7):.1f}")
-9.6
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["blood_volume_change", "cell_volume_change", "plasma_volume_change"]


def _check_fraction(hct: Any, name: str) -> None:
    values = np.asarray(hct, dtype=float)
    if np.any(values[np.isfinite(values)] >= 1) or np.any(values[np.isfinite(values)] <= 0):
        bad = values[np.isfinite(values) & ((values >= 1) | (values <= 0))]
        raise ValueError(
            f"`{name}` must be a fraction strictly between 0 and 1 (0.45, not 45); "
            f"got {bad[:3].tolist()}"
        )


def _ratio(hb_pre: Any, hb_post: Any) -> Any:
    return hb_pre / hb_post


def blood_volume_change(hb_pre: Any, hb_post: Any) -> Any:
    """Percent change in blood volume, Dill & Costill (1974).

    Parameters
    ----------
    hb_pre, hb_post : float, array_like or pandas.Series
        Haemoglobin before and after, in one and the same unit.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``100 * (hb_pre / hb_post - 1)``, in percent of the pre-race volume;
        NaN where an input is missing.

    Examples
    --------
    >>> print(f"{blood_volume_change(15.1, 16.7):.2f}")
    -9.58
    """
    return 100 * (_ratio(hb_pre, hb_post) - 1)


def cell_volume_change(hb_pre: Any, hb_post: Any, hct_pre: Any, hct_post: Any) -> Any:
    """Percent change in red-cell volume, Dill & Costill (1974).

    Parameters
    ----------
    hb_pre, hb_post : float, array_like or pandas.Series
        Haemoglobin before and after, in one and the same unit.
    hct_pre, hct_post : float, array_like or pandas.Series
        Haematocrit before and after, as fractions.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``100 * ((hb_pre / hb_post) * (hct_post / hct_pre) - 1)``, in percent.

    Examples
    --------
    >>> print(f"{cell_volume_change(15.1, 16.7, 0.41, 0.453):.2f}")
    -0.10
    """
    _check_fraction(hct_pre, "hct_pre")
    _check_fraction(hct_post, "hct_post")
    return 100 * (_ratio(hb_pre, hb_post) * (hct_post / hct_pre) - 1)


def plasma_volume_change(hb_pre: Any, hb_post: Any, hct_pre: Any, hct_post: Any) -> Any:
    """Percent change in plasma volume, Dill & Costill (1974).

    Parameters
    ----------
    hb_pre, hb_post : float, array_like or pandas.Series
        Haemoglobin before and after, in one and the same unit (g/dL or g/L).
    hct_pre, hct_post : float, array_like or pandas.Series
        Haematocrit before and after, as fractions (0.45, not 45).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``100 * ((hb_pre / hb_post) * (1 - hct_post) / (1 - hct_pre) - 1)``,
        the percent change of plasma volume; negative means the plasma shrank.
        NaN where an input is missing.

    Raises
    ------
    ValueError
        If a haematocrit is not strictly between 0 and 1 (a percentage passed
        by mistake, for instance).

    Notes
    -----
    Blood volume after is ``BV_A = 100 * Hb_B / Hb_A`` (with ``BV_B = 100``),
    cell volume ``CV = BV * Hct`` and plasma volume ``PV = BV - CV``, so
    ``PV_A / PV_B = (Hb_B / Hb_A) (1 - Hct_A) / (1 - Hct_B)``.

    Examples
    --------
    The worked example of Dill & Costill (1974): Hb 15.1 -> 16.7 and, after,
    Hct 0.453 (cells 41.0 of 90.4 mL). With a pre-race Hct of 0.44:

    >>> print(f"{plasma_volume_change(15.1, 16.7, 0.44, 0.453):.2f}")
    -11.68
    >>> import numpy as np
    >>> np.round(plasma_volume_change(np.array([15.0, 14.0]), np.array([15.0, 15.4]),
    ...                               0.45, np.array([0.45, 0.47])), 2)
    array([  0. , -12.4])
    """
    _check_fraction(hct_pre, "hct_pre")
    _check_fraction(hct_post, "hct_post")
    return 100 * (_ratio(hb_pre, hb_post) * (1 - hct_post) / (1 - hct_pre) - 1)
