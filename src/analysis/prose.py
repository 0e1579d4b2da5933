"""Prose that follows the numbers: notebook sentences rendered from results.

A notebook sentence that states a number which a parameter or the data can
change (a margin, a p-value, a count of runners) is built here from the
results and shown as Markdown, so that a rerun with another margin or another
cohort can never leave stale text behind. Numbers are formatted at this edge,
never in the library's results.

Examples
--------
>>> from analysis import prose
>>> prose.format_p(0.00001), prose.format_p(0.0015), prose.format_p(0.104)
('< 0.0001', '0.0015', '0.10')
>>> prose.format_ci(-1.234, 0.5, digits=1)
'−1.2 to +0.5'
>>> prose.say("p = " + prose.format_p(0.04)).data
'p = 0.040'
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = [
    "adjusted_margin_bullets",
    "analyses_agreement",
    "bayes_scales",
    "bayes_summary",
    "bayes_tost_sentences",
    "efficiency_phrase",
    "intervals_table",
    "bayes_words",
    "escape",
    "format_ci",
    "format_number",
    "format_p",
    "margin_bullets",
    "margins_used",
    "p_display",
    "p_phrase",
    "say",
]

MINUS = "\u2212"


def format_p(p: float) -> str:
    """A p-value as journals print it: ``< 0.0001``, never ``0.0000``.

    Parameters
    ----------
    p : float
        A p-value in [0, 1]; NaN gives ``'–'``.

    Returns
    -------
    str
        Two significant digits below 0.1 (``0.0015``, ``0.040``), two decimals
        from 0.1 (``0.10``, ``0.62``), ``'< 0.0001'`` below 0.0001.

    Raises
    ------
    ValueError
        If `p` lies outside [0, 1].
    """
    p = float(p)
    if math.isnan(p):
        return "\u2013"
    if not 0 <= p <= 1:
        raise ValueError(f"`p` must lie in [0, 1]; got {p!r}")
    if p < 0.0001:
        return "< 0.0001"
    if p >= 0.1:
        return f"{p:.2f}"
    decimals = -math.floor(math.log10(p)) + 1
    text = f"{p:.{decimals}f}"
    return f"{p:.2f}" if float(text) >= 0.1 else text


def p_phrase(p: float, name: str = "p") -> str:
    """``p = 0.0015`` or ``p < 0.0001``, ready for a sentence.

    Examples
    --------
    >>> p_phrase(0.0015), p_phrase(1e-9, "Wilcoxon p")
    ('p = 0.0015', 'Wilcoxon p < 0.0001')
    """
    text = format_p(p)
    return f"{name} {text}" if text.startswith("<") else f"{name} = {text}"


def format_number(value: float, *, digits: int = 2, signed: bool = False) -> str:
    """A number with a true minus sign (and ``+`` when `signed`)."""
    value = float(value)
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    if float(text) == 0:  # no sign on a value that rounds to zero
        return f"{0:.{digits}f}"
    return text.replace("-", MINUS)


def format_ci(low: float, high: float, *, digits: int = 2) -> str:
    """An interval ``low to high``, both ends signed (``−1.8 to +1.3``)."""
    return (
        f"{format_number(low, digits=digits, signed=True)} to "
        f"{format_number(high, digits=digits, signed=True)}"
    )


def p_display(table: pd.DataFrame, *, digits: int = 3, p_columns: Iterable[str] | None = None):
    """A table for display: numbers rounded, p-value columns printed as journals do.

    Parameters
    ----------
    table : pandas.DataFrame
        Results, raw.
    digits : int, default 3
        Decimals of the other numeric columns.
    p_columns : iterable of str, optional
        Columns holding p-values; default every column named ``p`` or
        starting with ``p_``.

    Returns
    -------
    pandas.DataFrame
        A copy; p-value columns become text (``< 0.0001``, ``0.0015``).
    """
    out = table.copy()
    if p_columns is None:
        p_columns = [c for c in out.columns if c == "p" or str(c).startswith("p_")]
    p_columns = list(p_columns)
    numeric = [c for c in out.select_dtypes("number").columns if c not in p_columns]
    out[numeric] = out[numeric].round(digits)
    for column in p_columns:
        out[column] = [format_p(v) for v in out[column].to_numpy(dtype=float)]
    return out


def escape(text: Any) -> str:
    """Text from a user's file made safe for Markdown: :func:`analysis.safe_text.markdown_text`."""
    from analysis.safe_text import markdown_text

    return markdown_text(text)


def say(text: str) -> Any:
    """Show `text` as Markdown in a notebook (an ``IPython.display.Markdown``).

    Numbers in `text` should come from results (use :func:`format_p`,
    :func:`format_ci`, :func:`format_number`); names from a user's file must
    pass through :func:`escape`.
    """
    from IPython.display import Markdown

    return Markdown(text)


#: Lee & Wagenmakers' (2013) words for Jeffreys' (1961) Bayes-factor categories
_BF_WORDS = ((100, "extreme"), (30, "very strong"), (10, "strong"), (3, "moderate"),
             (1, "anecdotal"))  # fmt: skip


def bayes_words(bf10: float) -> str:
    """The evidence a Bayes factor BF10 gives, in Lee & Wagenmakers' words.

    Parameters
    ----------
    bf10 : float
        Evidence for a difference (H1) over none (H0); positive.

    Returns
    -------
    str
        For example ``'moderate evidence for no difference'`` (BF01 = 1/BF10
        from 3 to 10) or ``'anecdotal evidence for a difference'``.

    References
    ----------
    .. [1] Lee MD, Wagenmakers E-J. Bayesian Cognitive Modeling: A Practical
       Course. Cambridge University Press; 2013 (labels adapted from Jeffreys
       H. Theory of Probability. 3rd ed. Oxford University Press; 1961).

    Examples
    --------
    >>> bayes_words(0.25), bayes_words(12)
    ('moderate evidence for no difference', 'strong evidence for a difference')
    """
    bf10 = float(bf10)
    if not bf10 > 0:
        raise ValueError(f"`bf10` must be positive; got {bf10!r}")
    ratio, side = (bf10, "a difference") if bf10 >= 1 else (1 / bf10, "no difference")
    word = next(w for bound, w in _BF_WORDS if ratio >= bound)
    return f"{word} evidence for {side}"


def _margin_unit(variable: str) -> str:
    from analysis import schema

    unit = schema.unit_of(variable)
    return "percentage points" if unit == "%" else unit


def margins_used(results: pd.DataFrame) -> str:
    """Each variable's margin, as a list: ``'Serum sodium, post-race ±3 mmol/L; ...'``.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`analysis.compare_groups`; rows without a margin are left out.
    """
    from analysis import schema

    rows = results[["variable", "margin"]].dropna()
    return "; ".join(
        f"{schema.label_of(v)} ±{m:g} {_margin_unit(v)}" for v, m in rows.itertuples(index=False)
    )


def margin_bullets(results: pd.DataFrame) -> list[str]:
    """Per variable with a margin: margin, MDE, power, TOST verdicts and Bayes factor.

    Each bullet names the analysis (post-only Welch, the analysis of
    :func:`analysis.compare_groups`), the margin in raw and SD units, the
    unadjusted TOST verdict and the family-adjusted one (``equivalent_holm``,
    with its family from ``equivalence_adjustment``), and reads the Bayes
    factor beside TOST (:func:`analysis.bayes.tost_bf_sentence`, which shows
    the design's ceiling ``bf01_max``). ``power_at_margin`` is the power of
    the two-sided difference test when the true difference equals the
    margin, not the power of TOST. A margin or MDE of a variable in % (a
    change of a percentage) is in percentage points.
    """
    from analysis import schema
    from analysis.bayes import tost_bf_sentence

    bullets = []
    for row in results.dropna(subset=["margin"]).itertuples(index=False):
        unit = _margin_unit(row.variable)
        verdict = "no equivalence verdict (TOST not computable)"
        if not pd.isna(row.equivalent):
            verdict = "equivalence shown" if row.equivalent else "equivalence not shown"
        adjustment = str(row.equivalence_adjustment)
        if pd.isna(row.equivalent_holm):
            adjusted = f"family-adjusted verdict: none ({adjustment})"
        else:
            shown = "shown" if row.equivalent_holm else "not shown"
            adjusted = f"after {adjustment}: equivalence {shown}"
        sentence = (
            ""
            if pd.isna(row.bf01) or pd.isna(row.equivalent)
            else " "
            + tost_bf_sentence(
                equivalent=bool(row.equivalent),
                margin=float(row.margin),
                bf01=float(row.bf01),
                bf01_max=float(row.bf01_max),
                unit=unit,
            )
        )
        bullets.append(
            f"{schema.label_of(row.variable)}: MDE {row.mde:.2f} {unit}, margin "
            f"±{row.margin:g} {unit} ({row.margin_sd:.2f} SD), power of the two-sided "
            f"difference test at a true difference of one margin {row.power_at_margin:.0%}; "
            f"{verdict} (TOST, 90 % post-only Welch CI, unadjusted); {adjusted}.{sentence}"
        )
    return bullets


def bayes_summary(results: pd.DataFrame) -> str:
    """Each variable's BF01 beside the largest BF01 its group sizes allow, and its words.

    A BF01 is never worded without its ceiling ``bf01_max``
    (:func:`analysis.bayes.bf01_max`): at 15 vs 67 with the default prior
    (r = 0.707) BF01 cannot exceed about 3.51, so "moderate evidence for no
    difference" is the most the design can give, whatever the data.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"variable": ["sodium_post"], "bf10": [1 / 3.3],
    ...                      "bf01": [3.3], "bf01_max": [3.51]})
    >>> print(bayes_summary(rows))  # doctest: +NORMALIZE_WHITESPACE
    Serum sodium, post-race: BF₀₁ = 3.30 of at most 3.51 at these group sizes
    (JZS prior r = 0.707), moderate evidence for no difference, which is the
    ceiling: moderate evidence for no difference is the most these group sizes
    can give, whatever the data
    """
    from analysis import schema
    from analysis.bayes import _evidence_word

    parts = []
    for v, bf10, bf01, ceiling in results[["variable", "bf10", "bf01", "bf01_max"]].itertuples(
        index=False
    ):
        if pd.isna(bf10):
            continue
        text = (
            f"{schema.label_of(v)}: BF₀₁ = {bf01:.2f} of at most {ceiling:.2f} at these group "
            f"sizes (JZS prior r = 0.707), {bayes_words(bf10)}"
        )
        if ceiling < 10:
            most = f"{_evidence_word(ceiling)} evidence for no difference"
            same = bf01 >= 1 and _evidence_word(bf01) == _evidence_word(ceiling)
            text += (
                f", which is the ceiling: {most} is the most these group sizes can give, "
                "whatever the data"
                if same
                else f" ({most} is the most these group sizes can give)"
            )
        parts.append(text)
    return "; ".join(parts)


def _analyte_label(variable: str) -> str:
    """The label of an analyte of :func:`analysis.compare_adjusted` (its post-race column)."""
    from analysis import schema

    return schema.label_of(f"{variable}_post" if variable in schema.VARIABLES else variable)


def intervals_table(
    results: pd.DataFrame, intervals: dict[str, str], *, digits: int = 2
) -> pd.DataFrame:
    """Several intervals of each variable side by side, as text (``−0.4 to +2.6``).

    Parameters
    ----------
    results : pandas.DataFrame
        Rows with ``variable`` and, for each prefix, ``<prefix>_low`` and
        ``<prefix>_high`` columns (for example :func:`analysis.compare_groups`).
    intervals : dict of str to str
        Column title to prefix, e.g. ``{"Welch": "ci", "BCa": "boot_ci"}``.
    digits : int, default 2
        Decimals.

    Returns
    -------
    pandas.DataFrame
        ``variable`` and one text column per interval: a compact table with
        as many columns as intervals plus one.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"variable": ["x"], "ci_low": [-0.41], "ci_high": [2.56]})
    >>> intervals_table(t, {"Welch": "ci"}, digits=1).iloc[0].tolist()
    ['x', '−0.4 to +2.6']
    """
    out = pd.DataFrame({"variable": results["variable"].to_numpy()})
    for title, prefix in intervals.items():
        out[title] = [
            format_ci(lo, hi, digits=digits)
            for lo, hi in zip(results[f"{prefix}_low"], results[f"{prefix}_high"], strict=True)
        ]
    return out


def efficiency_phrase(adjusted: pd.DataFrame) -> str:
    """How much narrower ANCOVA's interval is than post-only's, per analyte.

    Parameters
    ----------
    adjusted : pandas.DataFrame
        :func:`analysis.compare_adjusted`; its ``ancova`` rows are used.

    Returns
    -------
    str
        For example ``'Serum sodium, post-race 2.86 (interval 1.69 times
        narrower)'`` (``wider`` below 1), ``'; '``-separated:
        ``efficiency_vs_post`` is the ratio of variances, its square root the
        ratio of interval widths.
    """
    rows = adjusted[adjusted["analysis"] == "ancova"]
    parts = []
    for r in rows.itertuples():
        ratio = math.sqrt(r.efficiency_vs_post)
        width = (
            f"interval {ratio:.2f} times narrower"
            if ratio >= 1
            else f"interval {1 / ratio:.2f} times wider"
        )
        parts.append(f"{escape(_analyte_label(r.variable))} {r.efficiency_vs_post:.2f} ({width})")
    return "; ".join(parts)


def analyses_agreement(
    headline: pd.DataFrame, adjusted: pd.DataFrame, baseline: pd.DataFrame
) -> list[str]:
    """Per analyte of the headline: change score and ANCOVA, and why they agree or not.

    Parameters
    ----------
    headline : pandas.DataFrame
        :func:`analysis.headline` (``change_estimate``, ``estimate``,
        ``analyses_agree``).
    adjusted : pandas.DataFrame
        :func:`analysis.compare_adjusted` with the headline's analytes (its
        ANCOVA ``baseline_slope``).
    baseline : pandas.DataFrame
        :func:`analysis.compare_groups` rows of the pre-race columns
        (``<analyte>_pre``: ``mean_diff``, ``p_welch``).

    Returns
    -------
    list of str
        One markdown sentence per analyte with a baseline: the two
        estimates, the baseline difference (cramp − control, before the
        race) and the baseline slope, their product (1 − slope) × baseline
        difference, which is exactly ANCOVA minus change score, and whether
        the two reach the same verdicts (``analyses_agree``).
    """
    ancova = adjusted[adjusted["analysis"] == "ancova"].set_index("variable")
    pre = baseline.set_index("variable")
    sentences = []
    for r in headline.itertuples():
        if pd.isna(r.analyses_agree) or r.variable not in ancova.index:
            continue
        slope = float(ancova.loc[r.variable, "baseline_slope"])
        unit = _margin_unit(f"{r.variable}_post")
        before = ""
        if f"{r.variable}_pre" in pre.index:
            b = pre.loc[f"{r.variable}_pre"]
            before = (
                f"before the race crampers were {format_number(b['mean_diff'], signed=True)} "
                f"{unit} from controls ({p_phrase(b['p_welch'], 'Welch p')}), "
            )
        verdict = (
            "they reach the same test and equivalence verdicts"
            if r.analyses_agree
            else "**they disagree**: say which question you answer (Lord's paradox)"
        )
        sentences.append(
            f"{escape(_analyte_label(r.variable))}: change score "
            f"{format_number(r.change_estimate, signed=True)}, ANCOVA "
            f"{format_number(r.estimate, signed=True)} {unit}; {before}the baseline slope is "
            f"{slope:.2f}, and ANCOVA − change score = "
            f"{format_number(r.estimate - r.change_estimate, signed=True)} {unit}: {verdict}."
        )
    return sentences


def adjusted_margin_bullets(adjusted: pd.DataFrame) -> list[str]:
    """Per leading row with a margin: smallest margin, MDE, power and the family-adjusted verdict.

    Parameters
    ----------
    adjusted : pandas.DataFrame
        :func:`analysis.compare_adjusted`; only its leading rows (``lead``)
        with a margin are used.

    Returns
    -------
    list of str
        One sentence per variable, leading with the smallest margin the data
        support, then MDE, margin and power at the margin of the leading
        analysis (ANCOVA with its SE, or Welch), and the TOST verdict with
        the family adjustment it carries.
    """
    names = {"ancova": "ANCOVA", "welch": "Welch t"}
    bullets = []
    rows = adjusted[adjusted["lead"]].dropna(subset=["margin"])
    for r in rows.itertuples(index=False):
        unit = _margin_unit(f"{r.variable}_post" if r.analysis == "ancova" else r.variable)
        analysis = names[r.analysis] + (f", {r.cov_type} SE" if r.analysis == "ancova" else "")
        verdict = "equivalence shown" if r.equivalent_holm else "equivalence not shown"
        bullets.append(
            f"{escape(_analyte_label(r.variable))}: equivalence holds for any margin above "
            f"{r.smallest_margin:.2f} {unit}; MDE {r.mde:.2f} {unit}, margin ±{r.margin:g} "
            f"{unit}, power at the margin {r.power_at_margin:.0%}, {verdict} "
            f"({analysis}; {r.equivalence_adjustment})."
        )
    return bullets


def _student_t(row: Any) -> float:
    """Pooled-variance two-sample t of a :func:`analysis.compare_groups` row."""
    n1, n2 = row["n_cramp"], row["n_control"]
    pooled = ((n1 - 1) * row["sd_cramp"] ** 2 + (n2 - 1) * row["sd_control"] ** 2) / (n1 + n2 - 2)
    return float(row["mean_diff"] / math.sqrt(pooled * (1 / n1 + 1 / n2)))


def bayes_scales(results: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Bayes factors of one variable of :func:`analysis.compare_groups` across prior scales.

    The Student t of the row (the statistic the JZS Bayes factor uses) is
    passed to :func:`analysis.bayes.bayes_factor_scales`; its ``medium`` row
    is the row's own ``bf01``.

    Raises
    ------
    KeyError
        If `variable` is not a row of `results`.
    """
    from analysis.bayes import bayes_factor_scales

    rows = results.set_index("variable")
    if variable not in rows.index:
        raise KeyError(f"`variable` {variable!r} is not a row of `results`")
    row = rows.loc[variable]
    return bayes_factor_scales(_student_t(row), int(row["n_cramp"]), int(row["n_control"]))


def bayes_tost_sentences(results: pd.DataFrame) -> list[str]:
    """Per variable with a margin: its TOST verdict read beside its Bayes factor.

    Both come from the same post-only comparison of :func:`analysis.compare_groups`
    (the family-adjusted TOST verdict ``equivalent_holm`` and ``bf01`` with
    its ceiling ``bf01_max``), through :func:`analysis.bayes.tost_bf_sentence`.
    """
    from analysis import schema
    from analysis.bayes import tost_bf_sentence

    sentences = []
    for r in results.dropna(subset=["margin", "bf01"]).itertuples(index=False):
        sentence = tost_bf_sentence(
            equivalent=bool(r.equivalent_holm),
            margin=r.margin,
            bf01=r.bf01,
            bf01_max=r.bf01_max,
            unit=_margin_unit(r.variable),
        )
        sentences.append(f"{escape(schema.label_of(r.variable))}: {sentence}")
    return sentences
