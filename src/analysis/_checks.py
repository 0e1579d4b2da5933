"""Checks and labels shared by several modules (one home, imported by each)."""

from __future__ import annotations

import pandas as pd

from analysis import schema

__all__ = ["check_group_labels", "level_label"]


def level_label(level: float) -> str:
    """A confidence level as a percentage with the digits it needs.

    ``0.95`` gives ``"95%"``, ``0.975`` ``"97.5%"``, ``0.999`` ``"99.9%"``
    (``f"{level:.0%}"`` printed these as ``"98%"`` and ``"100%"``). Up to ten
    significant digits, so that ``1 - 2 * 0.05`` still reads ``"90%"``.

    Examples
    --------
    >>> [level_label(c) for c in (0.9, 0.95, 0.975, 0.995, 0.999, 1 - 2 * (1 - 0.95))]
    ['90%', '95%', '97.5%', '99.5%', '99.9%', '90%']
    """
    return f"{100 * level:.10g}%"


def check_group_labels(cohort: pd.DataFrame) -> None:
    """Raise if ``group`` holds a value other than ``'cramp'`` or ``'control'``.

    Rows with another label (``'Cramp'``, a typo, a missing value) would
    otherwise be left out of both groups without a word.

    Raises
    ------
    ValueError
        Naming every other label and the number of rows that hold one.
    """
    bad = ~cohort["group"].isin(schema.GROUPS)
    if bad.any():
        values = sorted({repr(v) for v in cohort.loc[bad, "group"]})
        raise ValueError(
            f"Column `group` must hold only 'cramp' or 'control'; got {', '.join(values)} "
            f"in {int(bad.sum())} row(s)."
        )
