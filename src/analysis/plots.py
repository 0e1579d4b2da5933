"""Figures for the notebooks and the report, readable on a projector.

Every function draws on an Axes it is given (``ax=None`` makes a new figure),
returns what it drew on, labels axes with units, shows every runner's value as
well as the summary, and uses the colour-blind-safe Okabe-Ito palette.
:func:`use_style` sets projector-friendly sizes (text at least 12 pt) and,
when given a folder, makes every figure drawn here also saved there as PNG and
SVG (the report runner uses this).

Examples
--------
>>> from analysis import load_cohort, example_path, plots
>>> cohort = load_cohort(example_path("marathon"))
>>> ax = plots.estimation_plot(cohort, "sodium_post")
>>> ax.get_ylabel()
'Serum sodium, post-race (mmol/L)'
>>> plots.plt.close("all")
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import schema

__all__ = [
    "COLOURS",
    "estimation_plot",
    "paired_plot",
    "plt",
    "save_figure",
    "use_style",
]

#: Okabe & Ito (2008) colour-blind-safe colours
COLOURS = {"control": "#0072B2", "cramp": "#D55E00", "difference": "#000000",
           "neutral": "#999999", "accent": "#009E73"}  # fmt: skip
GROUP_LABELS = {"cramp": "Cramp", "control": "Control"}

_STYLE = {
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "svg.hashsalt": "cramp-reanalysis",
    "svg.fonttype": "path",
}
_figure_dir: Path | None = None


def use_style(figure_dir: str | Path | None = None) -> None:
    """Projector-friendly matplotlib defaults; optionally save every figure.

    Parameters
    ----------
    figure_dir : str or pathlib.Path, optional
        When given, each figure drawn by this module is also written there as
        ``<name>.png`` and ``<name>.svg``.
    """
    global _figure_dir
    mpl.rcParams.update(_STYLE)
    _figure_dir = Path(figure_dir) if figure_dir else None
    if _figure_dir is not None:
        _figure_dir.mkdir(parents=True, exist_ok=True)


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-")


def save_figure(fig: Figure, name: str) -> list[Path]:
    """Save ``fig`` as PNG and SVG in the folder set by :func:`use_style`.

    Returns the paths written (none when no folder is set). SVG files carry no
    date, so they are byte-stable.
    """
    if _figure_dir is None:
        return []
    written = []
    for ext in ("png", "svg"):
        path = _figure_dir / f"{_slug(name)}.{ext}"
        fig.savefig(path, metadata={"Date": None} if ext == "svg" else None)
        written.append(path)
    return written


def _axis_label(variable: str) -> str:
    unit = schema.unit_of(variable)
    return f"{schema.label_of(variable)} ({unit})" if unit else schema.label_of(variable)


def _jitter(n: int, seed: int, width: float = 0.12) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-width, width, n)


def estimation_plot(
    cohort: pd.DataFrame,
    variable: str,
    *,
    result: pd.Series | None = None,
    ax: Axes | None = None,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> Axes:
    """Every runner's value by group, group means, and the mean difference with its CI.

    A Gardner-Altman estimation plot: the left part shows each runner (with a
    seeded horizontal jitter) and each group's mean ± SD; the right part shows
    the mean difference (cramp minus control) with its Welch confidence
    interval on a second axis whose zero sits at the control mean.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A loaded cohort.
    variable : str
        The numeric column to draw.
    result : pandas.Series, optional
        This variable's row of :func:`analysis.compare_groups`; when omitted,
        the Welch interval is computed here.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 6.4 x 4.8 in figure by default.
    confidence_level : float, default 0.95
        Level of the interval when ``result`` is not given.
    seed : int, default 0
        Seed of the jitter (display only).

    Returns
    -------
    matplotlib.axes.Axes
        The main axes; the difference axes is ``ax.difference_axes``.
    """
    from analysis.compare import group_values

    x, y = group_values(cohort, variable)
    if result is None:
        from scipy import stats

        welch = stats.ttest_ind(x, y, equal_var=False)
        ci = welch.confidence_interval(confidence_level)
        diff, lo, hi = x.mean() - y.mean(), float(ci.low), float(ci.high)
    else:
        diff, lo, hi = (float(result[k]) for k in ("mean_diff", "ci_low", "ci_high"))
        confidence_level = float(result.get("confidence_level", confidence_level))
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    for pos, (label, values) in enumerate((("control", y), ("cramp", x))):
        ax.scatter(pos + _jitter(len(values), seed + pos), values, s=28, alpha=0.75,
                   color=COLOURS[label], edgecolor="white", linewidth=0.5, zorder=2)  # fmt: skip
        mean, sd = values.mean(), values.std(ddof=1)
        ax.hlines(mean, pos - 0.25, pos + 0.25, color="black", linewidth=2.5, zorder=3)
        ax.vlines(pos + 0.3, mean - sd, mean + sd, color="black", linewidth=1.5, zorder=3)
    ax.set_xticks([0, 1], [f"{GROUP_LABELS['control']}\nn = {len(y)}",
                           f"{GROUP_LABELS['cramp']}\nn = {len(x)}"])  # fmt: skip
    ax.set_xlim(-0.5, 2.6)
    ax.set_ylabel(_axis_label(variable))
    control_mean = y.mean()
    diff_ax = ax.twinx()
    diff_ax.spines["right"].set_visible(True)
    low, high = ax.get_ylim()
    low, high = min(low, control_mean + lo), max(high, control_mean + hi)
    ax.set_ylim(low, high)
    diff_ax.set_ylim(low - control_mean, high - control_mean)
    diff_ax.axhline(0, color=COLOURS["neutral"], linestyle="--", linewidth=1)
    diff_ax.errorbar([2.1], [diff], yerr=[[diff - lo], [hi - diff]], fmt="o",
                     color=COLOURS["difference"], markersize=8, capsize=6,
                     linewidth=2)  # fmt: skip
    diff_ax.set_ylabel(f"Cramp minus control ({schema.unit_of(variable)})")
    ax.set_xticks([0, 1, 2.1], [*(t.get_text() for t in ax.get_xticklabels()[:2]),
                                f"Difference\n{confidence_level:.0%} CI"])  # fmt: skip
    ax.difference_axes = diff_ax  # type: ignore[attr-defined]
    ax.set_title(schema.label_of(variable))
    save_figure(ax.figure, f"estimation-{variable}")  # type: ignore[arg-type]
    return ax


def paired_plot(
    cohort: pd.DataFrame, base: str, *, axes: Any = None
) -> Figure:
    """Each runner's pre-race and post-race value joined by a line, per group.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A loaded cohort with ``<base>_pre`` and ``<base>_post``.
    base : str
        Analyte name, e.g. ``'sodium'``.
    axes : sequence of two Axes, optional
        Control and cramp panels; a new figure with shared y axis by default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    pre, post = f"{base}_pre", f"{base}_post"
    for col in (pre, post):
        if col not in cohort.columns:
            raise KeyError(f"`cohort` has no column {col!r} for `base` {base!r}")
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(8, 4.8), sharey=True, layout="constrained")
    else:
        fig = axes[0].figure
    for ax, label in zip(axes, ("control", "cramp"), strict=True):
        rows = cohort.loc[cohort["group"] == label, [pre, post]].dropna()
        for a, b in rows.to_numpy():
            ax.plot([0, 1], [a, b], color=COLOURS[label], alpha=0.35, linewidth=1)
        ax.plot([0, 1], rows.mean().to_numpy(), color="black", linewidth=3, marker="o",
                label="group mean")  # fmt: skip
        ax.set_xticks([0, 1], ["Pre-race", "Post-race"])
        ax.set_xlim(-0.3, 1.3)
        ax.set_title(f"{GROUP_LABELS[label]} (n = {len(rows)})")
    axes[0].set_ylabel(_axis_label(base))
    axes[0].legend(loc="best", frameon=False)
    save_figure(fig, f"paired-{base}")
    return fig
