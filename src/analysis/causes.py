"""What the published evidence since 1986 says about the causes of cramp.

The helpers behind notebook ``09-explore-cramp-causes``: the muscle-damage
comparisons of the bundled evidence table (:func:`analysis.evidence.load_evidence`)
recomputed from their printed summaries (:func:`muscle_damage_table`), a
figure of them (:func:`muscle_damage_plot`), and the sentences that carry their
numbers into the notebook's prose (:func:`finding_markdown`,
:func:`p_phrase`). Every number starts as printed in a source; nothing here is
synthetic.

:func:`reported_p_fit` is the one place that calls
:func:`analysis.check_reported_p`, so a change of that function's result
fields is adapted here only.
"""

from __future__ import annotations

import functools
import html
import math
import re
from numbers import Real
from typing import TYPE_CHECKING, Any

from analysis.prose import format_p

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "printed_table",
    "markdown_table",
    "eah_markdown",
    "findings_markdown",
    "cramp_definitions",
    "display_table",
    "sodium_against_eah",
    "EAH_SODIUM_BELOW",
    "MUSCLE_DAMAGE_MARKERS",
    "finding_markdown",
    "likely_skewed",
    "muscle_damage_plot",
    "muscle_damage_table",
    "reported_p_fit",
]

#: variables of the evidence table that are markers of muscle damage
MUSCLE_DAMAGE_MARKERS = ("ck", "ldh")
#: exercise-associated hyponatraemia: serum sodium below this (mmol/L), during
#: or up to 24 h after exercise (Hew-Butler et al. 2015 consensus statement)
EAH_SODIUM_BELOW = 135.0

_MARKER_NAMES = {"ck": "creatine kinase (CK)", "ldh": "lactate dehydrogenase (LDH)"}
_TIME_POINTS = {"pre": "before the race", "post": "after the race",
                "24h_post": "24 h after the race"}  # fmt: skip
_SHORT_TIME = {"pre": "pre-race", "post": "post-race", "24h_post": "24 h post"}


def _literal_text(draw: Any) -> Any:
    """:func:`analysis.plots.literal_text`, imported when drawing (matplotlib stays unloaded)."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from analysis.plots import literal_text

        return literal_text(draw)(*args, **kwargs)

    return wrapper


def likely_skewed(mean: float, sd: float) -> bool:
    """Whether a positive quantity with this mean and SD is likely right-skewed.

    A normal distribution reaches beyond two SDs either side of its mean, so
    for a measurement that cannot be negative a mean below twice the SD means
    the data are likely skewed (Altman & Bland 1996). CK activity often is.

    Parameters
    ----------
    mean, sd : float
        Printed mean and SD of a quantity that cannot be negative; `sd` > 0.

    Returns
    -------
    bool
        ``mean < 2 * sd``.

    Raises
    ------
    ValueError
        If either is not finite, `mean` is negative or `sd` is not positive.

    References
    ----------
    .. [1] Altman DG, Bland JM. Detecting skewness from summary information.
       BMJ 1996;313(7066):1200. doi:10.1136/bmj.313.7066.1200

    Examples
    --------
    Pre-race CK, Schwellnus et al. (2011), crampers 89 (80) U/L:

    >>> likely_skewed(89, 80), likely_skewed(362.27, 72.10)
    (True, False)
    """
    for name, value in (("mean", mean), ("sd", sd)):
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise ValueError(f"`{name}` must be a finite number; got {value!r}")
    if mean < 0:
        raise ValueError(f"`mean` must be >= 0 for a quantity that cannot be negative; got {mean}")
    if sd <= 0:
        raise ValueError(f"`sd` must be > 0; got {sd}")
    return bool(mean < 2 * sd)


def reported_p_fit(row: pd.Series) -> dict[str, Any]:
    """Which two-sided t-test on the printed summaries reaches a printed p-value.

    The one call of :func:`analysis.check_reported_p` in this module: it
    searches the box of true means and SDs that print as given, for Student's
    and Welch's two-sided test. A change of that function's result fields is
    adapted here only.

    Parameters
    ----------
    row : pandas.Series
        A ``mean_sd`` row of :func:`analysis.evidence.load_evidence` with a
        printed ``reported_p``.

    Returns
    -------
    dict
        ``p_student_low``, ``p_student_high``, ``p_welch_low``,
        ``p_welch_high`` (smallest and largest two-sided p of each test over
        the rounding box), ``reported_p_fits`` (bool: either test reaches the
        printed p) and ``p_fit_tests`` (the tests that do, e.g.
        ``'Student'``; ``''`` when none does).
    """
    from analysis.summaries import check_reported_p

    check = check_reported_p(
        int(row["n_cramp"]), row["cramp_center"], row["cramp_spread"],
        int(row["n_control"]), row["control_center"], row["control_spread"],
        row["reported_p"],
    )  # fmt: skip
    tests = [name for name, ok in (("Student", check.consistent_student),
                                   ("Welch", check.consistent_welch)) if ok]  # fmt: skip
    return {
        "p_student_low": check.p_student_min,
        "p_student_high": check.p_student_max,
        "p_welch_low": check.p_welch_min,
        "p_welch_high": check.p_welch_max,
        "reported_p_fits": bool(check.consistent),
        "p_fit_tests": ", ".join(tests),
    }


def _label(row: pd.Series) -> str:
    variable = str(row["variable"]).upper()
    return (f"{row['study']} {row['year']}, {row['event']}: {variable} "
            f"{_SHORT_TIME.get(row['time_point'], '')}")  # fmt: skip


def _recomputed(row: pd.Series, confidence_level: float) -> dict[str, Any]:
    from analysis.summaries import compare_summary

    m1, s1 = float(row["cramp_center_value"]), float(row["cramp_spread_value"])
    m2, s2 = float(row["control_center_value"]), float(row["control_spread_value"])
    res = compare_summary(int(row["n_cramp"]), m1, s1, int(row["n_control"]), m2, s2,
                          confidence_level=confidence_level)  # fmt: skip
    out = {
        "ratio_of_means": m1 / m2,
        "mean_diff": res.mean_diff,
        "ci_low": res.ci_low,
        "ci_high": res.ci_high,
        "hedges_g": res.hedges_g,
        "hedges_g_ci_low": res.hedges_g_ci_low,
        "hedges_g_ci_high": res.hedges_g_ci_high,
        "p_welch": res.p_welch,
        "p_student": res.p_student,
        "likely_skewed": likely_skewed(m1, s1) or likely_skewed(m2, s2),
    }
    if str(row["reported_p"]).strip():
        out.update(reported_p_fit(row))
    return out


def muscle_damage_table(
    evidence: pd.DataFrame | None = None,
    *,
    variables: tuple[str, ...] = MUSCLE_DAMAGE_MARKERS,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """The published muscle-damage comparisons, recomputed from their printed summaries.

    Parameters
    ----------
    evidence : pandas.DataFrame, optional
        An evidence table as returned by :func:`analysis.evidence.load_evidence`;
        default the bundled one.
    variables : tuple of str, default ('ck', 'ldh')
        The variables to keep.
    confidence_level : float, default 0.95
        Level of the Welch interval of the difference and of Hedges' g.

    Returns
    -------
    pandas.DataFrame
        One row per comparison, in table order: ``label``, ``study``,
        ``year``, ``event``, ``time_point``, ``variable``, ``unit``,
        ``n_cramp``, ``n_control``, the printed ``cramp_center``,
        ``cramp_spread``, ``control_center``, ``control_spread`` and
        ``reported_p`` (text), ``source_kind``; recomputed (NaN where nothing
        was printed): ``ratio_of_means`` (cramp / control), ``mean_diff``,
        ``ci_low``, ``ci_high`` (Welch, unit of the row), ``hedges_g``,
        ``hedges_g_ci_low``, ``hedges_g_ci_high`` (pooled-SD units),
        ``p_welch``, ``p_student`` (two-sided, at the printed values),
        ``likely_skewed`` (either group's mean below twice its SD, see
        :func:`likely_skewed`), the fields of :func:`reported_p_fit`,
        ``confidence_level``, and ``note`` (why a row has no estimate).

    Raises
    ------
    ValueError
        If `variables` is empty or none of its variables is in `evidence`.

    Notes
    -----
    The t-based summaries are approximations when the data are skewed, as
    CK activity usually is: a mean and SD describe such data poorly, and the
    source may have used another test (the abstracts do not name it).
    """
    import pandas as pd

    from analysis.evidence import load_evidence

    evidence = load_evidence() if evidence is None else evidence
    if not variables:
        raise ValueError("`variables` must name at least one variable; got ()")
    rows = evidence.loc[evidence["variable"].isin(variables)]
    if rows.empty:
        raise ValueError(
            f"`variables` {list(variables)} match no row of the evidence table; it has "
            f"{sorted(evidence['variable'].unique())}"
        )
    keep = ["study", "year", "event", "time_point", "variable", "unit", "n_cramp", "n_control",
            "cramp_center", "cramp_spread", "control_center", "control_spread", "reported_p",
            "source_kind"]  # fmt: skip
    records = []
    for _, row in rows.iterrows():
        record: dict[str, Any] = {"label": _label(row), **{c: row[c] for c in keep}}
        if row["summary"] == "mean_sd":
            record.update(_recomputed(row, confidence_level))
            record["note"] = ""
        else:
            record["note"] = str(row["missing_reason"])
        record["confidence_level"] = confidence_level
        records.append(record)
    table = pd.DataFrame.from_records(records)
    numeric = ["ratio_of_means", "mean_diff", "ci_low", "ci_high", "hedges_g", "hedges_g_ci_low",
               "hedges_g_ci_high", "p_welch", "p_student", "p_student_low", "p_student_high",
               "p_welch_low", "p_welch_high"]  # fmt: skip
    for col in numeric:
        table[col] = pd.to_numeric(table.get(col), errors="coerce").astype(float)
    for col in ("likely_skewed", "reported_p_fits"):
        table[col] = pd.array(table.get(col), dtype="boolean")
    for col in ("n_cramp", "n_control"):
        table[col] = pd.array(table[col], dtype="Int64")
    table["p_fit_tests"] = table.get("p_fit_tests", pd.Series(dtype=str)).fillna("").astype(str)
    order = ["label", *keep, "ratio_of_means", "mean_diff", "ci_low", "ci_high", "hedges_g",
             "hedges_g_ci_low", "hedges_g_ci_high", "p_welch", "p_student", "likely_skewed",
             "p_student_low", "p_student_high", "p_welch_low", "p_welch_high",
             "reported_p_fits", "p_fit_tests",
             "confidence_level", "note"]  # fmt: skip
    return table[order]


def _number(value: float) -> str:
    """Rounded for reading: whole numbers from 100 on, else one decimal."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def _p_range(low: float, high: float) -> str:
    a, b = format_p(low), format_p(high)
    return a if a == b else f"{a} to {b}"


def finding_markdown(row: pd.Series) -> str:
    """One markdown sentence with the numbers of a recomputed comparison.

    Parameters
    ----------
    row : pandas.Series
        A row of :func:`muscle_damage_table` with an estimate.

    Returns
    -------
    str
        Printed means and SDs, the ratio of means, the Welch difference and
        its interval, and how the printed p compares with what a two-sided
        t-test reaches from the printed summaries.

    Raises
    ------
    ValueError
        If the row has no estimate (nothing was printed to recompute).
    """
    if math.isnan(row["mean_diff"]):
        raise ValueError(f"row {row['label']!r} has no estimate: {row['note']}")
    unit, level = row["unit"], f"{row['confidence_level']:.0%}"
    marker = _MARKER_NAMES.get(row["variable"], row["variable"])
    text = (
        f"**{row['study']} ({row['year']})**, {row['event']}, {marker} "
        f"{_TIME_POINTS.get(row['time_point'], '')}: "
        f"{row['cramp_center']} ({row['cramp_spread']}) vs {row['control_center']} "
        f"({row['control_spread']}) {unit}, {row['n_cramp']} crampers vs {row['n_control']} "
        f"non-crampers, mean (SD) as printed. Crampers' mean is {row['ratio_of_means']:.2f} times "
        f"the others'; difference {_number(row['mean_diff'])} {unit} ({level} Welch CI "
        f"{_number(row['ci_low'])} to {_number(row['ci_high'])} {unit})."
    )
    if str(row["reported_p"]).strip():
        reached = (f"two-sided t-tests on the printed summaries give p "
                   f"{_p_range(row['p_student_low'], row['p_student_high'])} (Student) and "
                   f"{_p_range(row['p_welch_low'], row['p_welch_high'])} (Welch), allowing for "
                   "rounding")  # fmt: skip
        if row["reported_p_fits"]:
            fit = f"reached by a {row['p_fit_tests'].replace(', ', ' or ')} t-test: {reached}"
        else:
            fit = (f"reached by neither: {reached}. The abstract does not name its test; a "
                   "one-sided or a rank test gives other values")  # fmt: skip
        text += f" Printed p = {row['reported_p']}, {fit}."
    if row["likely_skewed"]:
        text += (" A mean below twice its SD: the values are likely skewed, so the t-based "
                 "interval is only a rough guide.")  # fmt: skip
    return text


@_literal_text
def muscle_damage_plot(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Hedges' g with its interval for each recomputed muscle-damage comparison.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`muscle_damage_table`; rows without an estimate are left out.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        One errorbar container per row drawn (``ax.containers``), top to
        bottom in table order. Likely skewed rows (see :func:`likely_skewed`)
        are drawn as open squares and say so in their label; the ratio of
        means and the printed p are written at the right.
    """
    import numpy as np

    from analysis import plots

    rows = table.loc[table["hedges_g"].notna()]
    if rows.empty:
        raise ValueError("`table` has no row with an estimate: nothing to draw")
    if ax is None:
        _, ax = plots.plt.subplots(figsize=(11, 1.0 * len(rows) + 1.8), layout="constrained")
    ys = np.arange(len(rows))[::-1]
    ax.axvline(0, color=plots.COLOURS["neutral"], linestyle="--", linewidth=1.5)
    for y, (_, row) in zip(ys, rows.iterrows(), strict=True):
        skewed = bool(row["likely_skewed"])
        g, lo, hi = row["hedges_g"], row["hedges_g_ci_low"], row["hedges_g_ci_high"]
        ax.errorbar(
            [g], [y], xerr=[[g - lo], [hi - g]], fmt="s" if skewed else "o",
            markerfacecolor="white" if skewed else plots.COLOURS["cramp"],
            color=plots.COLOURS["cramp"], markersize=10, capsize=6, linewidth=2.5,
            markeredgewidth=2,
        )  # fmt: skip
        ax.annotate(f"mean ratio {row['ratio_of_means']:.2f}\nprinted p = {row['reported_p']}",
                    xy=(1.02, y), xycoords=("axes fraction", "data"), va="center",
                    fontsize=12)  # fmt: skip
    labels = []
    for _, r in rows.iterrows():
        skew = " (likely skewed)" if r["likely_skewed"] else ""
        labels.append(
            f"{r['study']} {r['year']}, {r['event']}\n{str(r['variable']).upper()} "
            f"{_SHORT_TIME.get(r['time_point'], '')}, {r['n_cramp']} vs {r['n_control']}{skew}"
        )
    ax.set_yticks(ys, labels, fontsize=12)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    level = float(rows["confidence_level"].iloc[0])
    ax.set_xlabel(f"Hedges' g, crampers minus non-crampers (SD units, {level:.0%} CI)")
    ax.set_title("Muscle-damage markers in crampers vs non-crampers (printed summaries)")
    from matplotlib.lines import Line2D

    kinds = (("o", plots.COLOURS["cramp"], "mean ≥ 2 SD in both groups"),
             ("s", "white", "a group's mean < 2 SD: likely skewed"))  # fmt: skip
    handles = [Line2D([], [], marker=m, linestyle="none", markersize=10, markeredgewidth=2,
                      color=plots.COLOURS["cramp"], markerfacecolor=face, label=text)
               for m, face, text in kinds]  # fmt: skip
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
              frameon=False)  # fmt: skip
    plots.save_figure(ax.figure, "muscle-damage-markers")  # type: ignore[arg-type]
    return ax


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """Six readable columns of :func:`muscle_damage_table` for a projector.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`muscle_damage_table`; the full table stays one call away.

    Returns
    -------
    pandas.DataFrame
        ``comparison`` (short enough not to be cut: study, year, marker, time
        point), ``crampers``, ``non-crampers`` (printed mean (SD) and
        n), ``mean ratio``, ``Hedges' g (CI)`` and ``printed p``, as text;
        empty cells where nothing was printed.
    """
    import pandas as pd

    def group(center: str, spread: str, n: Any) -> str:
        return f"{center} ({spread}), n = {n}" if center else ""

    def g_text(row: pd.Series) -> str:
        if math.isnan(row["hedges_g"]):
            return ""
        return (f"{row['hedges_g']:.2f} ({row['hedges_g_ci_low']:.2f} to "
                f"{row['hedges_g_ci_high']:.2f})")  # fmt: skip

    return pd.DataFrame({
        "comparison": [f"{r['study']} {r['year']}: {str(r['variable']).upper()} "
                       f"{_SHORT_TIME.get(r['time_point'], '')}" for _, r in table.iterrows()],
        "crampers": [group(table.at[i, "cramp_center"], table.at[i, "cramp_spread"],
                           table.at[i, "n_cramp"]) for i in table.index],
        "non-crampers": [group(table.at[i, "control_center"], table.at[i, "control_spread"],
                               table.at[i, "n_control"]) for i in table.index],
        "mean ratio": ["" if math.isnan(r) else f"{r:.2f}" for r in table["ratio_of_means"]],
        "Hedges' g (CI)": [g_text(r) for _, r in table.iterrows()],
        "printed p": table["reported_p"],
    })  # fmt: skip


def cramp_definitions(evidence: pd.DataFrame | None = None) -> pd.DataFrame:
    """How each study of the evidence table defined its crampers and its comparison group.

    Parameters
    ----------
    evidence : pandas.DataFrame, optional
        From :func:`analysis.evidence.load_evidence`; default the bundled table.

    Returns
    -------
    pandas.DataFrame
        One row per study in table order: ``study`` (with year), ``event``,
        ``crampers`` and ``compared with``, as the authors defined them.
    """
    import pandas as pd

    from analysis.evidence import load_evidence

    evidence = load_evidence() if evidence is None else evidence
    first = evidence.drop_duplicates("study_id")
    years = [str(y) if not pd.isna(y) else "year not printed" for y in first["year"]]
    return pd.DataFrame({
        "study": [f"{s} ({y})" for s, y in zip(first["study"], years, strict=True)],
        "event": first["event"].to_numpy(),
        "crampers": first["cramp_group"].to_numpy(),
        "compared with": first["comparison_group"].to_numpy(),
    })  # fmt: skip


def sodium_against_eah(evidence: pd.DataFrame | None = None) -> pd.DataFrame:
    """Printed group means of serum sodium after exercise, against the EAH threshold.

    Parameters
    ----------
    evidence : pandas.DataFrame, optional
        From :func:`analysis.evidence.load_evidence`; default the bundled table.

    Returns
    -------
    pandas.DataFrame
        One row per group of each sodium row with a printed mean, measured
        after or during exercise (``post``, ``at_presentation``): ``study``,
        ``time_point``, ``group`` (``'cramp'`` or ``'control'``),
        ``mean_sodium`` (as printed), ``sd`` (as printed), ``unit`` (mmol/L
        or mEq/L, equal for sodium) and ``above_eah`` (mean minus :data:`EAH_SODIUM_BELOW`, mmol/L).
    """
    import pandas as pd

    from analysis.evidence import load_evidence

    evidence = load_evidence() if evidence is None else evidence
    rows = evidence.loc[(evidence["variable"] == "sodium")
                        & evidence["time_point"].isin(["post", "at_presentation"])
                        & evidence["summary"].isin(["mean_sd", "mean_only"])]  # fmt: skip
    records = []
    for _, row in rows.iterrows():
        for group in ("cramp", "control"):
            mean = float(row[f"{group}_center_value"])
            year = "" if pd.isna(row["year"]) else f" {row['year']}"
            records.append({"study": f"{row['study']}{year}", "time_point": row["time_point"],
                            "group": group, "mean_sodium": mean, "sd": row[f"{group}_spread"],
                            "unit": row["unit"], "above_eah": mean - EAH_SODIUM_BELOW})  # fmt: skip
    return pd.DataFrame.from_records(records)


def findings_markdown(table: pd.DataFrame) -> str:
    """:func:`finding_markdown` for every row with an estimate, as a bulleted list."""
    rows = table.loc[table["mean_diff"].notna()]
    if rows.empty:
        raise ValueError("`table` has no row with an estimate: nothing to describe")
    return "\n".join(f"- {finding_markdown(row)}" for _, row in rows.iterrows())


def eah_markdown(sodium: pd.DataFrame) -> str:
    """A sentence on how far the printed group means of sodium sit above the EAH threshold.

    Parameters
    ----------
    sodium : pandas.DataFrame
        From :func:`sodium_against_eah`, at least one row.

    Returns
    -------
    str
        Markdown naming the lowest and highest group mean, their study and
        group, and their distance above :data:`EAH_SODIUM_BELOW`.
    """
    if sodium.empty:
        raise ValueError("`sodium` has no row: nothing to describe")
    low = sodium.loc[sodium["mean_sodium"].idxmin()]
    high = sodium.loc[sodium["mean_sodium"].idxmax()]
    names = {"cramp": "crampers", "control": "the comparison group"}

    def one(row: pd.Series) -> str:
        return (f"{row['mean_sodium']:g} {row['unit']} ({names[row['group']]}, {row['study']}), "
                f"{row['above_eah']:.1f} {row['unit']} above the threshold")  # fmt: skip

    return (
        f"Printed group means of sodium after or during the race range from {one(low)}, to "
        f"{one(high)}: no group mean is anywhere near hyponatraemia (< {EAH_SODIUM_BELOW:g} "
        "mmol/L). A group mean can still hide a few individuals below the threshold."
    )


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def markdown_table(frame: pd.DataFrame) -> str:
    """A table as markdown, every cell escaped: full text, no index, no truncation.

    pandas cuts long text cells at 50 characters in a notebook; a markdown table
    shows the whole definition of a group. Cells are HTML-escaped and markdown
    characters are backslash-escaped, so text from a user's own evidence table
    cannot inject markup.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table; cells are shown with ``str`` (empty for missing values).

    Returns
    -------
    str
        A GitHub-flavoured markdown table, header row first.

    Examples
    --------
    >>> import pandas as pd
    >>> print(markdown_table(pd.DataFrame({"a": ["x|y"], "b": ["<b>"]})))
    | a | b |
    | --- | --- |
    | x\\|y | &lt;b&gt; |
    """
    import pandas as pd

    def cell(value: Any) -> str:
        text = (
            "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        )
        text = html.escape(" ".join(text.split()), quote=False)
        return _MARKDOWN_SPECIAL.sub(r"\\\1", text)

    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |",
             "| " + " | ".join("---" for _ in frame.columns) + " |"]  # fmt: skip
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in frame.itertuples(index=False, name=None)]  # fmt: skip
    return "\n".join(lines)


def printed_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Evidence-table rows in five readable columns, numbers exactly as printed.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of :func:`analysis.evidence.load_evidence`.

    Returns
    -------
    pandas.DataFrame
        ``variable`` (with its unit and time point), ``crampers`` and
        ``comparison`` (printed centre (spread), n), ``printed p`` and
        ``comparison group`` (as the authors defined it).
    """
    import pandas as pd

    def group(row: pd.Series, prefix: str, n: str) -> str:
        if not row[f"{prefix}_center"]:
            return ""
        spread = f" ({row[f'{prefix}_spread']})" if row[f"{prefix}_spread"] else ""
        return f"{row[f'{prefix}_center']}{spread}, n = {row[n]}"

    return pd.DataFrame({
        "variable": [f"{r['variable']} ({r['unit']}), {r['time_point'].replace('_', ' ')}"
                     for _, r in rows.iterrows()],
        "crampers": [group(r, "cramp", "n_cramp") for _, r in rows.iterrows()],
        "comparison": [group(r, "control", "n_control") for _, r in rows.iterrows()],
        "printed p": rows["reported_p"].to_numpy(),
        "comparison group": rows["comparison_group"].to_numpy(),
    })  # fmt: skip
