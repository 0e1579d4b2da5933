"""Sentences with numbers for the evidence notebook, built from the synthesis' results.

Notebook prose that states a number is rendered from here, so it follows the
table: change a row and the sentences change. Every text taken from the
evidence table (study names, comparison groups, reasons) is escaped for
Markdown and HTML, because a table is a user's file.

Examples
--------
>>> from analysis import evidence_prose
>>> session = evidence_prose.open_evidence()
>>> text = evidence_prose.pooled_markdown(session.result, "sodium", "post")
>>> "Only one study prints numbers" in text and "no prediction interval" in text
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from analysis.meta import EvidenceSynthesis

__all__ = [
    "EvidenceSession",
    "cells",
    "cells_markdown",
    "comparison_groups",
    "equivalence_markdown",
    "funnel_markdown",
    "hksj_markdown",
    "md_escape",
    "missing_markdown",
    "open_evidence",
    "pooled_markdown",
    "source_markdown",
]

_NAMES = {
    "ck": "creatine kinase (CK)",
    "ldh": "lactate dehydrogenase (LDH)",
    "pv_change": "plasma-volume change",
}


_TEST_SHORT = {"knha": "HKSJ", "adhoc": "modified HKSJ", "z": "Wald"}


def md_escape(text: object) -> str:
    """Table text made safe for a Markdown cell (:func:`analysis.safe_text.markdown_text`)."""
    from analysis.safe_text import markdown_text

    return markdown_text(text)


def _n(value: object) -> str:
    import pandas as pd

    return "not printed" if pd.isna(value) else str(int(value))  # type: ignore[call-overload]


@dataclass(frozen=True)
class EvidenceSession:
    """What the evidence notebook works on.

    Attributes
    ----------
    path : pathlib.Path
        The table read.
    is_fixture : bool
        Whether it is the test fixture rather than the curated table.
    table : pandas.DataFrame
        The table as read.
    result : analysis.meta.EvidenceSynthesis
    """

    path: Path
    is_fixture: bool
    table: pd.DataFrame
    result: EvidenceSynthesis


def open_evidence(path: str | Path | None = None, *, method: str = "REML") -> EvidenceSession:
    """Load an evidence table (default: the bundled, curated one) and synthesise it."""
    from analysis import meta

    path = Path(path) if path is not None else meta.default_evidence_path()
    table = meta.load_table(path)
    return EvidenceSession(
        path, meta.is_fixture(path), table, meta.synthesise(table, method=method)
    )


def source_markdown(session: EvidenceSession) -> str:
    """Which table the notebook uses, in one sentence."""
    n_studies = session.table["study_id"].nunique()
    what = (
        "**the test fixture** of the synthesis code (a few numbers printed in abstracts, "
        "chosen to test the code; not the curated evidence table)"
        if session.is_fixture
        else "the curated evidence table (see the data card, `data/README.md`)"
    )
    return (
        f"This notebook reads {what}: {md_escape(session.path.name)}, "
        f"{len(session.table)} rows from {n_studies} studies."
    )


def _fmt(x: float) -> str:
    text = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"
    return text.replace("-", "−")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _name(variable: str) -> str:
    return _NAMES.get(variable, variable.replace("_", " "))


def _pooled(res: EvidenceSynthesis, variable: str, time_point: str) -> pd.Series:
    p = res.pooled
    hit = p[(p["variable"] == variable) & (p["time_point"] == time_point)]
    if hit.empty:
        raise KeyError(f"no estimate for `variable` {variable!r} at `time_point` {time_point!r}")
    return hit.iloc[0]


def pooled_markdown(res: EvidenceSynthesis, variable: str, time_point: str) -> str:
    """The pooled difference of one variable, its intervals and heterogeneity, in prose."""
    r = _pooled(res, variable, time_point)
    level = round(100 * res.confidence_level)
    unit = "SD units (Hedges' g)" if r["measure"] == "SMD" else md_escape(r["unit"])
    what = f"{_name(variable)} ({md_escape(time_point.replace('_', ' '))})"
    if r["k"] == 1:
        return (
            f"**{_cap(what)}.** Only one study prints numbers "
            f"({md_escape(r['studies'])}): its cramp − control difference is "
            f"{_fmt(r['estimate'])} {unit} ({level}% CI {_fmt(r['ci_low'])} to "
            f"{_fmt(r['ci_high'])}). Nothing is pooled, and with one study there is no "
            "estimate of between-study variation, so no prediction interval."
        )
    test = {
        "knha": "Hartung-Knapp-Sidik-Jonkman",
        "adhoc": "modified Hartung-Knapp",
        "z": "normal (Wald)",
    }[r["test"]]
    return (
        f"**{_cap(what)}.** Pooled over {r['k']} studies "
        f"({md_escape(r['studies'])}), the cramp − control difference is "
        f"{_fmt(r['estimate'])} {unit}: {level}% CI {_fmt(r['ci_low'])} to "
        f"{_fmt(r['ci_high'])} ({test}, {r['method']}). The {level}% prediction interval, "
        f"where the true difference of a new setting is expected to lie, runs from "
        f"{_fmt(r['pi_low'])} to {_fmt(r['pi_high'])}. Heterogeneity: τ² = "
        f"{_fmt(r['tau2'])} (Q-profile {level}% CI {_fmt(r['tau2_ci_low'])} to "
        f"{_fmt(r['tau2_ci_high'])}), I² = {r['i2']:.0f}%, Q = {_fmt(r['q'])} on "
        f"{r['q_df']:.0f} df."
    )


def missing_markdown(res: EvidenceSynthesis, study_id: str) -> str:
    """The rows of one study that have no estimate, with the table's reason."""
    from analysis.meta import study_labels

    e = res.effects
    rows = e[(e["study_id"] == study_id) & (e["excluded_reason"] != "")]
    if rows.empty:
        return f"Every row of `{md_escape(study_id)}` has an estimate."
    items = [
        f"- {_name(str(r.variable))} ({md_escape(r.time_point)}), n = {_n(r.n_cramp)} cramp / "
        f"{_n(r.n_control)} others: *{md_escape(r.excluded_reason)}*"
        for r in rows.itertuples()
    ]
    first = rows.iloc[0]
    return (
        f"{md_escape(study_labels(e)[str(first['study_id'])])} has {len(rows)} row(s) "
        "without an estimate:\n\n" + "\n".join(items)
    )


def comparison_groups(res: EvidenceSynthesis) -> pd.DataFrame:
    """One row per study: who was compared with whom, how many, from what source."""
    cols = [
        "study",
        "year",
        "event",
        "cramp_group",
        "comparison_group",
        "n_cramp",
        "n_control",
        "source_kind",
    ]
    return (
        res.effects[cols]
        .drop_duplicates(["study", "year", "comparison_group"])
        .sort_values("year", kind="stable", na_position="last")
        .reset_index(drop=True)
    )


def equivalence_markdown(res: EvidenceSynthesis, *, alpha: float = 0.05) -> str:
    """One bullet per pooled mean difference: margin, interval, verdict, and its basis."""
    from analysis.meta import judge_equivalence

    eq = judge_equivalence(res, alpha=alpha)
    level = round(100 * (1 - 2 * alpha))
    lines = []
    for r in eq.itertuples():
        what = f"{_name(r.variable)} ({md_escape(r.time_point.replace('_', ' '))})"
        if r.verdict.startswith("no margin in"):
            lines.append(f"- **{what}**: {md_escape(r.verdict)}, so no verdict.")
            continue
        if math.isnan(r.margin):
            lines.append(f"- **{what}**: the compendium states no margin, so no verdict.")
            continue
        pi = (
            ""
            if math.isnan(r.pi_low)
            else f" The prediction interval ({_fmt(r.pi_low)} to {_fmt(r.pi_high)}) "
            f"{'stays inside' if -r.margin < r.pi_low and r.pi_high < r.margin else 'leaves'}"
            " the margin."
        )
        lines.append(
            f"- **{what}**, margin ±{r.margin:g} {md_escape(r.unit)}, k = {r.k}: "
            f"{level}% CI {_fmt(r.equivalence_ci_low)} to "
            f"{_fmt(r.equivalence_ci_high)}, **{r.verdict}**.{pi}"
        )
    basis = (
        f"Verdicts use the {level}% interval of the pooled mean (two one-sided tests at "
        f"{alpha:g}, {res.method} with {_TEST_SHORT[res.test]} "
        "intervals), one family per variable, no multiplicity correction."
    )
    if not eq.empty and (eq["k"] == 1).any():
        basis += (
            " Where k = 1 the interval is that single study's own normal (Wald) interval: "
            "the verdict is the study's, not a synthesis of studies."
        )
    return "\n".join(lines) + "\n\n" + basis


def funnel_markdown(res: EvidenceSynthesis) -> str:
    """Why (or that) a funnel-asymmetry test was run, per variable."""
    return "\n".join(
        f"- {_name(r.variable)} ({md_escape(r.time_point)}): {md_escape(r.funnel_test)}"
        for r in res.pooled.itertuples()
    )


def cells(res: EvidenceSynthesis) -> pd.DataFrame:
    """What can be pooled: one row per variable x time point of the table.

    Columns ``variable, time_point, unit, rows`` (rows of the table),
    ``with_estimate`` (rows with an effect size) and ``studies`` (those rows'
    studies, by year), in the order of the table's variables.
    """
    import pandas as pd

    from analysis.meta import study_labels

    e = res.effects
    names = study_labels(e)
    out = []
    for (variable, time_point), grp in e.groupby(["variable", "time_point"], sort=False):
        has = grp[grp["excluded_reason"] == ""].sort_values("year", na_position="last")
        out.append(
            {
                "variable": variable,
                "time_point": time_point,
                "unit": " / ".join(dict.fromkeys(str(u) for u in grp["unit"])),
                "rows": len(grp),
                "with_estimate": len(has),
                "studies": "; ".join(names[str(s)] for s in has["study_id"]),
            }
        )
    return pd.DataFrame(out)


def cells_markdown(res: EvidenceSynthesis) -> str:
    """How many variable x time-point cells have 0, 1 or more studies with an estimate."""
    c = cells(res)
    k = c["with_estimate"]
    poolable = c[k >= 2]
    text = (
        f"The table has {len(c)} variable × time-point cells. {int((k == 0).sum())} have no "
        f"study with an estimate, {int((k == 1).sum())} have exactly one, and "
        f"{len(poolable)} have two or more"
    )
    if poolable.empty:
        return text + (
            ": **nothing in this table can be pooled**. Every estimate below is one study's "
            "own difference with its own confidence interval, not a synthesis."
        )
    names = ", ".join(
        f"{_name(str(r.variable))} ({md_escape(str(r.time_point).replace('_', ' '))}, "
        f"k = {r.with_estimate})"
        for r in poolable.itertuples()
    )
    return text + f": {names}."


def hksj_markdown(res: EvidenceSynthesis, variable: str, time_point: str) -> str:
    """What the Hartung-Knapp interval of a pooled mean from few studies means, with numbers."""
    from scipy.stats import norm
    from scipy.stats import t as t_dist

    r = _pooled(res, variable, time_point)
    e = res.effects
    rows = e[(e["variable"] == variable) & (e["time_point"] == time_point)]
    rows = rows[rows["excluded_reason"] == ""]
    level = res.confidence_level
    widest = float((rows["ci_high"] - rows["ci_low"]).max())
    width = float(r["ci_high"] - r["ci_low"])
    quantile = float(t_dist.ppf(1 - (1 - level) / 2, r["k"] - 1)) if r["k"] > 1 else math.nan
    return (
        f"With k = {r['k']} studies the Hartung-Knapp-Sidik-Jonkman interval uses a t "
        f"distribution with {r['k'] - 1} degree(s) of freedom: its "
        f"{100 * (1 - (1 - level) / 2):g}% quantile is {_fmt(quantile)}, not "
        f"{_fmt(float(norm.ppf(1 - (1 - level) / 2)))}. The pooled interval runs from "
        f"{_fmt(r['ci_low'])} to {_fmt(r['ci_high'])} {md_escape(r['unit'])}, "
        f"{_fmt(width / widest)} times as wide as the widest single-study interval. "
        "Two studies cannot pin down an average of settings: the interval says so."
    )
