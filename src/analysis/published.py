"""The published evidence: printed group summaries of cramp studies, rechecked.

``data/published_summaries.csv`` holds one row per study, variable and time
point, with every number exactly as printed (as text, so that ``0.30`` keeps
its trailing zero and its precision). :func:`load_published` reads it without
turning the printed numbers into floats; :func:`check_published` recomputes,
row by row, the mean difference with its Welch interval and Hedges' g
(:func:`analysis.compare_summary`) and asks whether the printed p-value could
have come from the printed means and SDs once rounding is allowed for
(:func:`analysis.check_reported_p`).

Examples
--------
>>> from analysis.published import load_published, check_published
>>> table = load_published()
>>> table.loc[1, ["study_id", "variable", "mean_cramp", "sd_cramp", "reported_p"]].tolist()
['schwellnus2004', 'sodium', '139.8', '3.1', '0.004']
>>> evidence = check_published(table)
>>> row = evidence.loc[2]
>>> row["label"]
'Schwellnus 2004: magnesium, immediately post-race (mmol/L)'
>>> row["reported_p"], row["reproduced_by"]
('0.03', 'two-sided Welch t-test; two-sided Student t-test')
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.summaries import _parse_printed, _parse_reported_p, check_reported_p, compare_summary

__all__ = ["PRINTED_COLUMNS", "PUBLISHED_FILE", "check_published", "load_published"]

#: file name of the published-evidence table in ``data/``
PUBLISHED_FILE = "published_summaries.csv"

#: columns kept as the printed text (empty string where nothing was printed)
PRINTED_COLUMNS = ("mean_cramp", "sd_cramp", "mean_control", "sd_control", "reported_p")

_COLUMNS = (
    "study_id",
    "study",
    "citation",
    "doi_or_url",
    "source_kind",
    "variable",
    "timepoint",
    "unit",
    "n_cramp",
    "n_control",
    *PRINTED_COLUMNS,
    "note",
)
#: columns added later; a table without them loads with them empty
_OPTIONAL_COLUMNS = ("comparison_group", "secondary_source")
_SOURCE_KINDS = {"full table", "abstract", "secondary"}


def load_published(path: str | Path | None = None) -> pd.DataFrame:
    """Read the table of published group summaries, printed numbers kept as text.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The CSV file; default ``data/published_summaries.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per study, variable and time point, with columns
        ``study_id``, ``study`` (short name such as ``'Schwellnus 2004'``),
        ``citation``, ``doi_or_url`` (empty when none could be
        verified), ``source_kind`` (``'full table'``, ``'abstract'`` or
        ``'secondary'``), ``variable``, ``timepoint``, ``unit``, ``n_cramp``
        and ``n_control`` (int), the printed ``mean_cramp``, ``sd_cramp``,
        ``mean_control``, ``sd_control`` and ``reported_p`` (str, exactly as
        printed; ``''`` when not printed), ``note``, ``comparison_group``
        (the comparison group as the authors defined it, e.g. other
        medical-tent patients rather than non-cramping finishers) and
        ``secondary_source`` (for ``'secondary'`` rows, the source the numbers
        were taken from; ``''`` otherwise). The last two are optional in the
        file and ``''`` when absent.

    Raises
    ------
    KeyError
        If a column is missing (all missing columns are named).
    ValueError
        If any ``source_kind`` is unknown, a group size is not a whole number,
        a printed number or p-value cannot be read, or a ``'secondary'`` row
        names no secondary source (when the column is present); every such cell is
        listed (row as in a spreadsheet, header = row 1), not only the first.
    """

    path = Path(path) if path is not None else paths.DATA_DIR / PUBLISHED_FILE
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in _COLUMNS if c not in table.columns]
    if missing:
        raise KeyError(f"{path.name} lacks the column(s) {missing}")
    has_secondary = "secondary_source" in table.columns
    for col in _OPTIONAL_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    for col in PRINTED_COLUMNS:
        table[col] = table[col].str.strip()
    problems = []
    for idx, row in table.iterrows():
        where = f"row {idx + 2}"
        if row["source_kind"] not in _SOURCE_KINDS:
            problems.append(f"{where}, `source_kind`: must be one of {sorted(_SOURCE_KINDS)}; "
                            f"got {row['source_kind']!r}")  # fmt: skip
        if has_secondary and row["source_kind"] == "secondary" and not row["secondary_source"]:
            problems.append(f"{where}, `secondary_source`: a secondary row must name the source "
                            "its numbers were taken from")  # fmt: skip
        for col in ("n_cramp", "n_control"):
            if not str(row[col]).strip().isdigit():
                problems.append(f"{where}, `{col}`: must be a whole number; got {row[col]!r}")
        for col in PRINTED_COLUMNS:
            if not row[col]:
                continue  # not printed
            try:
                if col == "reported_p":
                    _parse_reported_p(row[col], None)
                else:
                    _parse_printed(row[col], col, None)
            except ValueError as exc:
                problems.append(f"{where}, `{col}`: {exc}")
    if problems:
        raise ValueError(
            f"{path.name}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems)
        )
    for col in ("n_cramp", "n_control"):
        table[col] = table[col].str.strip().astype(int)
    return table[list(_COLUMNS) + list(_OPTIONAL_COLUMNS)]


def _label(row: pd.Series) -> str:
    return f"{row['study']}: {row['variable']}, {row['timepoint']} ({row['unit']})"


def _check_row(row: pd.Series, confidence_level: float) -> dict[str, object]:
    out: dict[str, object] = {
        key: math.nan
        for key in (
            "mean_diff",
            "ci_low",
            "ci_high",
            "mean_diff_min",
            "mean_diff_max",
            "p_welch",
            "p_student",
            "p_student_min",
            "p_student_max",
            "p_welch_min",
            "p_welch_max",
            "hedges_g",
            "hedges_g_ci_low",
            "hedges_g_ci_high",
        )
    }
    out.update(
        consistent_at_printed=pd.NA,
        consistent_student=pd.NA,
        consistent_welch=pd.NA,
        consistent=pd.NA,
        reproduced_by="",
    )
    printed = [row[c] for c in ("mean_cramp", "sd_cramp", "mean_control", "sd_control")]
    if not printed[0] or not printed[2]:
        out["verdict"] = "no group means printed: nothing to recompute"
        return out
    if not printed[1] or not printed[3]:
        out["mean_diff"] = float(printed[0]) - float(printed[2])
        out["verdict"] = "no SDs printed: neither CI nor p can be recomputed"
        return out
    # each printed number and half a unit of its last printed digit (its rounding)
    (m1, h1), (s1, _), (m2, h2), (s2, _) = (
        _parse_printed(v, c, None) for v, c in zip(printed, PRINTED_COLUMNS[:4], strict=True)
    )
    res = compare_summary(
        row["n_cramp"], m1, s1, row["n_control"], m2, s2, confidence_level=confidence_level
    )
    out.update(
        mean_diff=res.mean_diff,
        ci_low=res.ci_low,
        ci_high=res.ci_high,
        p_welch=res.p_welch,
        p_student=res.p_student,
        hedges_g=res.hedges_g,
        hedges_g_ci_low=res.hedges_g_ci_low,
        hedges_g_ci_high=res.hedges_g_ci_high,
    )
    # the differences the printed (rounded) means allow
    out["mean_diff_min"] = res.mean_diff - h1 - h2
    out["mean_diff_max"] = res.mean_diff + h1 + h2
    if not row["reported_p"]:
        out["verdict"] = "no p printed: CI recomputed, nothing to check"
        return out
    check = check_reported_p(
        row["n_cramp"], printed[0], printed[1], row["n_control"], printed[2], printed[3],
        row["reported_p"],
    )  # fmt: skip
    out.update(
        p_student_min=check.p_student_min,
        p_student_max=check.p_student_max,
        p_welch_min=check.p_welch_min,
        p_welch_max=check.p_welch_max,
        consistent_at_printed=check.consistent_at_printed,
        consistent_student=check.consistent_student,
        consistent_welch=check.consistent_welch,
        consistent=check.consistent,
    )
    out["reproduced_by"] = "; ".join(check.reproduced_within_rounding)
    out["verdict"] = check.verdict
    return out


def check_published(
    table: pd.DataFrame | None = None, *, confidence_level: float = 0.95
) -> pd.DataFrame:
    """Recompute every published comparison and check every printed p-value.

    Parameters
    ----------
    table : pandas.DataFrame, optional
        As returned by :func:`load_published` (the default).
    confidence_level : float, default 0.95
        Level of the Welch interval and the Hedges' g interval.

    Returns
    -------
    pandas.DataFrame
        One row per row of `table`, in order, with ``study_id``, ``study``, ``label``
        (study, variable, time point and unit, for plots), ``variable``,
        ``timepoint``, ``unit``, ``source_kind``, ``comparison_group``,
        ``secondary_source``, ``n_cramp``, ``n_control``,
        ``reported_p`` (as printed), and, where the printed numbers allow:

        - ``mean_diff``, ``ci_low``, ``ci_high``: cramp minus control from the
          printed values and its Welch interval (unit of the row);
        - ``mean_diff_min``, ``mean_diff_max``: the range of true differences
          that print as the given means (each mean within half a unit of its
          last printed digit);
        - ``p_welch``, ``p_student``: p at the printed values;
        - ``p_student_min``/``_max``, ``p_welch_min``/``_max``: the range of
          p over the rounding box (see :func:`analysis.check_reported_p`);
        - ``hedges_g``, ``hedges_g_ci_low``, ``hedges_g_ci_high``;
        - ``consistent_at_printed``, ``consistent_student``,
          ``consistent_welch``, ``consistent`` (nullable bool; two-sided
          tests only, kept from earlier versions);
        - ``reproduced_by`` (str): the t-tests (two-sided or one-sided,
          Welch or Student) that reproduce the printed p within rounding,
          ``"; "``-separated, empty if none or nothing to check;
        - ``verdict`` (str): the neutral sentence of
          :func:`analysis.check_reported_p` (which test reproduces the printed
          p, at the printed values or within rounding, or "not reproducible by
          a t-test from the printed summaries; the authors may have used
          another test"), or why nothing could be checked;
        - ``confidence_level``.

        Numbers not computable are NaN; nothing is rounded.
    """
    table = load_published() if table is None else table
    keep = [
        "study_id",
        "study",
        "variable",
        "timepoint",
        "unit",
        "source_kind",
        "comparison_group",
        "secondary_source",
        "n_cramp",
        "n_control",
    ]
    for col in ("comparison_group", "secondary_source"):
        if col not in table.columns:  # a table built by hand, not by load_published
            table = table.assign(**{col: ""})
    rows = []
    for _, row in table.iterrows():
        rows.append(
            {
                **{k: row[k] for k in keep},
                "label": _label(row),
                "reported_p": row["reported_p"],
                **_check_row(row, confidence_level),
                "confidence_level": confidence_level,
            }
        )
    out = pd.DataFrame(rows)
    for col in ("consistent_at_printed", "consistent_student", "consistent_welch", "consistent"):
        out[col] = out[col].astype("boolean")
    first = ["study_id", "study", "label"]
    return out[first + [c for c in out.columns if c not in first]]
