"""Derived variables: changes (post minus pre) and plasma-volume change."""

from __future__ import annotations

import pandas as pd

from analysis import schema
from analysis.physiology import blood_volume_change, cell_volume_change, plasma_volume_change

#: column names of the derived variables (a file's column of that name is recomputed)
DERIVED_NAMES = frozenset(schema.DERIVED) | {f"{a}_change" for a in schema.ANALYTES}
_PV_INPUTS = ("haemoglobin_pre", "haemoglobin_post", "haematocrit_pre", "haematocrit_post")


def derived_inputs(name: str) -> tuple[str, ...]:
    """The canonical columns a derived variable is computed from.

    Examples
    --------
    >>> derived_inputs("sodium_change")
    ('sodium_pre', 'sodium_post')
    """
    if name in schema.DERIVED:
        return _PV_INPUTS
    base = name.removesuffix("_change")
    return (f"{base}_pre", f"{base}_post")


def add_derived(cohort: pd.DataFrame, *, decisions: list[str] | None = None) -> pd.DataFrame:
    """Return a copy with the derived variables added.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A cohort in the canonical schema.
    decisions : list of str, optional
        If given, a line is appended for each derived variable that could not
        be computed, saying which columns were missing.

    Returns
    -------
    pandas.DataFrame
        With ``<analyte>_change`` (post minus pre, in the analyte's unit) for
        every analyte with both columns, and ``bv_change``, ``cv_change`` and
        ``pv_change`` (percent, Dill & Costill 1974) when haemoglobin and
        haematocrit before and after are present. NaN where an input is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"group": ["cramp"], "haemoglobin_pre": [15.1],
    ...     "haemoglobin_post": [16.7], "haematocrit_pre": [0.44], "haematocrit_post": [0.453]})
    >>> print(f"{add_derived(cohort)['pv_change'].iloc[0]:.2f}")
    -11.68
    """
    out = cohort.copy()
    for analyte in schema.ANALYTES:
        pre, post = f"{analyte}_pre", f"{analyte}_post"
        if pre in out and post in out:
            out[f"{analyte}_change"] = out[post] - out[pre]
    needed = ["haemoglobin_pre", "haemoglobin_post", "haematocrit_pre", "haematocrit_post"]
    if all(c in out for c in needed):
        args = [out[c] for c in needed]
        out["bv_change"] = blood_volume_change(args[0], args[1])
        out["cv_change"] = cell_volume_change(*args)
        out["pv_change"] = plasma_volume_change(*args)
    elif decisions is not None:
        absent = [c for c in needed if c not in out]
        decisions.append(
            "pv_change (plasma-volume change, Dill & Costill) not computed: it needs "
            "haemoglobin and haematocrit before and after; missing " + ", ".join(absent)
        )
    return out
