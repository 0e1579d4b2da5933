"""The headline: the primary family, by the analysis the project defends.

:func:`headline` gives one row per member of the pre-specified primary family
(:data:`analysis.schema.PRIMARY`: post-race sodium and potassium, and the
plasma-volume change), by the leading analysis of :func:`analysis.compare_adjusted`
(the post-race value adjusted for the pre-race value, ANCOVA with HC2 standard
errors and Satterthwaite df; Welch for the plasma-volume change, which has no
baseline of its own), with Holm within the family, the margin in raw and SD
units, the smallest margin the data support (unadjusted, and for the family),
the TOST verdict with its family adjustment, and the unadjusted post-race
difference (the 1986 paper's question) and change score beside it.
:func:`headline_display` and :func:`headline_sentence` render it for a
notebook or report; numbers are formatted there and only there.

Examples
--------
>>> from analysis import headline, load_cohort, example_path
>>> table = headline(load_cohort(example_path("marathon")))
>>> list(table["variable"])
['sodium', 'potassium', 'pv_change']
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis import schema
from analysis.prose import format_p

__all__ = ["headline", "headline_display", "headline_sentence"]

_LEAD_COLUMNS = [
    "variable",
    "label",
    "unit",
    "analysis",
    "n_cramp",
    "n_control",
    "estimate",
    "ci_low",
    "ci_high",
    "p",
    "p_holm",
    "margin",
    "margin_sd",
    "smallest_margin",
    "smallest_margin_family",
    "tost_ci_low",
    "tost_ci_high",
    "p_tost",
    "p_tost_holm",
    "equivalent_holm",
    "equivalence_adjustment",
    "equivalent_at_half_sd",
]


def headline(
    cohort: pd.DataFrame,
    *,
    margins: Mapping[str, float] | None = None,
    cov_type: str = "HC2",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """The primary family by its leading analysis, with the other analyses beside it.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A cohort from :func:`analysis.load_cohort`.
    margins : mapping, optional
        Equivalence margins by analyte or column (default
        :data:`analysis.schema.DEFAULT_MARGINS`, argued in ``docs/margins.md``).
    cov_type : {'HC2', 'HC3', 'nonrobust'}, default 'HC2'
        Covariance of the leading analysis (see :func:`analysis.compare_adjusted`).
    confidence_level : float, default 0.95
        Level of the intervals; TOST uses ``alpha = 1 - confidence_level``.

    Returns
    -------
    pandas.DataFrame
        One row per primary variable present in `cohort` (``sodium``,
        ``potassium``, ``pv_change``), differences cramp minus control:
        ``variable``, ``label``, ``unit``, ``analysis`` (the leading one,
        named), ``n_cramp``, ``n_control``, ``estimate``, ``ci_low``,
        ``ci_high``, ``p``, ``p_holm`` (Holm within the primary family),
        ``margin``, ``margin_sd``, ``smallest_margin`` (from the unadjusted
        1 - 2 alpha interval), ``smallest_margin_family`` (from the
        1 - 2 alpha/m interval, m the TOST tests of the family: the margin
        above which the family-adjusted verdict is "equivalent"; a
        Bonferroni bound), ``tost_ci_low``,
        ``tost_ci_high``, ``p_tost``, ``p_tost_holm``, ``equivalent_holm``,
        ``equivalence_adjustment``, ``equivalent_at_half_sd`` (sensitivity:
        unadjusted TOST at 0.5 pooled SD); then ``post_estimate``, ``post_ci_low``,
        ``post_ci_high``, ``post_p`` (the unadjusted post-race difference: the
        1986 paper's question) and ``change_estimate``,
        ``change_ci_low``, ``change_ci_high``, ``change_p`` (NaN for the
        plasma-volume change, which is itself a change), ``analyses_agree``
        (ANCOVA and change score reach the same significance and unadjusted
        TOST verdicts; when not, see Lord's paradox in ``docs/inference.md``;
        NA for the plasma-volume change) and ``method``.
        Raw numbers.

    Raises
    ------
    ValueError
        If `cohort` holds no member of the primary family.
    """
    present = [
        (c[: -len("_post")] if c.endswith("_post") else c)
        for c in schema.PRIMARY
        if c in cohort.columns
        and (not c.endswith("_post") or c.replace("_post", "_pre") in cohort.columns)
    ]
    if not present:
        raise ValueError(
            "`cohort` holds no member of the primary family "
            f"({', '.join(schema.PRIMARY)}, each analyte with its _pre column)"
        )
    from analysis.adjusted import compare_adjusted

    table = compare_adjusted(
        cohort, present, margins=margins, cov_type=cov_type, confidence_level=confidence_level
    )
    lead = table[table["lead"]].set_index("variable")
    out = pd.DataFrame(index=pd.Index(present, name="variable"))
    out["label"] = [schema.label_of(f"{v}_post" if v in schema.VARIABLES else v) for v in present]
    lead_names = {
        "ancova": _ancova_name(cov_type),
        "welch": "Welch t (a change: no pre-race value)",
    }
    for column in _LEAD_COLUMNS[2:]:
        if column == "analysis":
            out[column] = [lead_names[a] for a in lead.loc[present, "analysis"]]
        elif column != "label":
            out[column] = lead.loc[present, column]
    for analysis in ("post", "change"):
        rows = table[table["analysis"] == analysis].set_index("variable")
        for field in ("estimate", "ci_low", "ci_high", "p"):
            out[f"{analysis}_{field}"] = [
                rows.loc[v, field] if v in rows.index else math.nan for v in present
            ]
    out["analyses_agree"] = _agreement(table, present, 1 - confidence_level)
    out["method"] = lead.loc[present, "method"]
    return out.reset_index()


def _ancova_name(cov_type: str) -> str:
    se = {
        "HC2": "HC2 SE, Satterthwaite df",
        "HC3": "HC3 SE, residual df",
        "nonrobust": "classical SE",
    }[cov_type]
    return f"post-race, adjusted for pre-race (ANCOVA post ~ group + pre; {se})"


def _agreement(table: pd.DataFrame, present: list[str], alpha: float) -> Any:
    """Whether ANCOVA and change score reach the same test and TOST verdicts (Lord's paradox)."""
    verdicts = []
    for v in present:
        rows = table[table["variable"] == v].set_index("analysis")
        if not {"ancova", "change"} <= set(rows.index):
            verdicts.append(pd.NA)
            continue
        same_test = (rows.loc["ancova", "p"] < alpha) == (rows.loc["change", "p"] < alpha)
        eq = rows.loc[["ancova", "change"], "equivalent"]
        same_tost = eq.isna().all() or (eq.notna().all() and bool(eq.iloc[0]) == bool(eq.iloc[1]))
        verdicts.append(bool(same_test and same_tost))
    return pd.array(verdicts, dtype="boolean")


def _num(value: float, digits: int) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}".replace("-", "−")


def _digits(scale: float) -> int:
    # one more decimal than lab precision of the margin's order of magnitude
    if not math.isfinite(scale) or scale <= 0:
        return 2
    return max(1, min(4, 2 - math.floor(math.log10(scale))))


def headline_display(table: pd.DataFrame, *, confidence_level: float = 0.95) -> pd.DataFrame:
    """A compact display of :func:`headline` (strings, for reading).

    Columns: ``variable`` (label and unit), the difference adjusted for the
    pre-race value and the unadjusted post-race difference (each with its
    CI), ``p (Holm)`` (unadjusted p, then Holm within the family), ``margin
    (SD units)``, the smallest margin from the unadjusted 90 % interval and
    for the family, ``equivalent (Holm)`` and the sensitivity verdict at a
    margin of 0.5 SD. Cells are plain text: pandas
    escapes them when it renders HTML (escaping here too would show
    ``&amp;``); :func:`headline_sentence` escapes its own markdown.

    Examples
    --------
    >>> from analysis import headline, headline_display, load_cohort, example_path
    >>> shown = headline_display(headline(load_cohort(example_path("marathon"))))
    >>> list(shown.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['variable', 'adjusted for pre-race [95% CI]', 'post-race, unadjusted [95% CI]',
     'p (Holm)', 'margin (SD units)', 'smallest margin (unadjusted 90% CI)',
     'smallest margin (family)', 'equivalent (Holm)', 'equivalent at 0.5 SD (unadjusted)']
    """
    level = f"{confidence_level * 100:g}%"
    tost_level = f"{(1 - 2 * (1 - confidence_level)) * 100:g}%"
    rows = []
    for r in table.itertuples():
        k = _digits(r.smallest_margin)
        verdict = _yes_no(r.equivalent_holm)
        adjusted = r.variable != "pv_change" and not math.isnan(r.post_estimate)
        rows.append(
            {
                "variable": f"{r.label} ({r.unit})",
                f"adjusted for pre-race [{level} CI]": (
                    f"{_num(r.estimate, k)} [{_num(r.ci_low, k)}, {_num(r.ci_high, k)}]"
                    if adjusted
                    else "n/a (no pre-race value)"
                ),
                f"post-race, unadjusted [{level} CI]": (
                    f"{_num(r.post_estimate, k)} [{_num(r.post_ci_low, k)}, "
                    f"{_num(r.post_ci_high, k)}]"
                    if adjusted
                    else f"{_num(r.estimate, k)} [{_num(r.ci_low, k)}, {_num(r.ci_high, k)}]"
                ),
                "p (Holm)": f"{format_p(r.p)} ({format_p(r.p_holm)})",
                "margin (SD units)": f"±{_num(r.margin, k)} ({_num(r.margin_sd, 2)})",
                f"smallest margin (unadjusted {tost_level} CI)": _num(r.smallest_margin, k),
                "smallest margin (family)": _num(r.smallest_margin_family, k),
                "equivalent (Holm)": verdict,
                "equivalent at 0.5 SD (unadjusted)": _yes_no(r.equivalent_at_half_sd),
            }
        )
    return pd.DataFrame(rows)


def _yes_no(value: Any) -> str:
    return "n/a" if pd.isna(value) else ("yes" if value else "no")


def _one_sentence(r: Any, level: str) -> str:
    k = _digits(r.smallest_margin)
    unit = html.escape(str(r.unit))
    if pd.isna(r.equivalent_holm):
        verdict = "no margin set"
    elif r.equivalent_holm:
        verdict = f"equivalent within ±{_num(r.margin, k)} {unit} ({_num(r.margin_sd, 2)} SD)"
    else:
        verdict = f"not shown equivalent within ±{_num(r.margin, k)} {unit}"
    ci = f"({level} CI {_num(r.ci_low, k)} to {_num(r.ci_high, k)}; {html.escape(r.analysis)})"
    post = (
        ""
        if math.isnan(r.post_estimate)
        else (
            f"; unadjusted post-race difference (the 1986 paper's question) "
            f"{_num(r.post_estimate, k)} {unit} ({level} CI {_num(r.post_ci_low, k)} to "
            f"{_num(r.post_ci_high, k)})"
        )
    )
    agree = (
        ""
        if pd.isna(r.analyses_agree)
        else (
            "; the change score agrees"
            if r.analyses_agree
            else "; the change score disagrees (see Lord's paradox in docs/inference.md)"
        )
    )
    return (
        f"**{html.escape(str(r.label))}**: {_num(r.estimate, k)} {unit} {ci}{post}; "
        f"p = {format_p(r.p)} unadjusted, {format_p(r.p_holm)} after Holm; {verdict}; "
        f"after adjustment for the family, equivalence holds for any margin above "
        f"{_num(r.smallest_margin_family, k)} {unit} (unadjusted: above "
        f"{_num(r.smallest_margin, k)} {unit}){agree}"
    )


def headline_sentence(table: pd.DataFrame, *, confidence_level: float = 0.95) -> str:
    """One markdown paragraph stating the headline, rendered from its numbers.

    Examples
    --------
    >>> from analysis import headline, headline_sentence, load_cohort, example_path
    >>> text = headline_sentence(headline(load_cohort(example_path("marathon"))))
    >>> text.startswith("Primary family (Holm within the family of 3)")
    True
    """
    level = f"{confidence_level * 100:g} %"
    tost_level = f"{(1 - 2 * (1 - confidence_level)) * 100:g} %"
    parts = [_one_sentence(r, level) for r in table.itertuples()]
    return (
        f"Primary family (Holm within the family of {len(parts)}), cramp minus control; "
        f"equivalence by TOST ({tost_level} interval), Holm-adjusted within the family; "
        "the family's smallest margin is the Bonferroni bound (the "
        f"1 − 2α/{len(parts)} interval). A p-value above 0.05 is not evidence of no "
        "difference: only the equivalence verdict, against a stated margin, is. "
        + "; ".join(parts)
        + "."
    )
