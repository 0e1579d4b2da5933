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

import functools
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from analysis import schema
from analysis._checks import level_label

__all__ = [
    "COLOURS",
    "ci_margin_plot",
    "draw_power_and_equivalence",
    "estimation_plot",
    "figure_text",
    "forest_plot",
    "literal_text",
    "margin_sensitivity_plot",
    "margin_unit",
    "nothing_to_draw",
    "paired_plot",
    "plt",
    "power_curve_plot",
    "power_explorer",
    "reference_range_figure",
    "reference_range_plot",
    "save_figure",
    "use_style",
]

#: Okabe & Ito (2008) colour-blind-safe colours
COLOURS = {
    "control": "#0072B2",
    "cramp": "#D55E00",
    "difference": "#000000",
    "neutral": "#999999",
    "accent": "#009E73",
    "mde": "#CC79A7",
}
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
_prefix: str = ""


def use_style(figure_dir: str | Path | None = None, *, prefix: str | None = None) -> None:
    """Projector-friendly matplotlib defaults; optionally save every figure.

    Parameters
    ----------
    figure_dir : str or pathlib.Path, optional
        When given, each figure drawn by this module is also written there as
        ``<name>.png`` and ``<name>.svg``.
    prefix : str, optional
        Put in front of every saved file name (``<prefix>-<name>.png``), so
        that several notebooks can save into one folder without overwriting
        each other's figures (each notebook passes its number).
    """
    global _figure_dir, _prefix
    mpl.rcParams.update(_STYLE)
    _figure_dir = Path(figure_dir) if figure_dir else None
    _prefix = f"{prefix}-" if prefix else ""
    if _figure_dir is not None:
        _figure_dir.mkdir(parents=True, exist_ok=True)


_Draw = TypeVar("_Draw", bound=Callable[..., Any])


def make_literal(fig: Figure) -> Figure:
    """Every text of ``fig`` shown as written: no mathtext, no LaTeX.

    Text from a user's table or file (a study called ``Price $5 and $6 Ltd``)
    must never be read as ``$...$`` mathematics, which would print it in
    italics or fail on ``$\\frac{a}$``.
    """
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)
    return fig


def literal_text(draw: _Draw) -> _Draw:
    """Decorator of a drawing function: every text it draws is literal (:func:`make_literal`).

    Texts are created with ``text.parse_math`` and ``text.usetex`` off, and
    every text of the figure returned (an Axes' figure or a Figure) is made
    literal afterwards, tick labels included.
    """

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with mpl.rc_context({"text.parse_math": False, "text.usetex": False}):
            out = draw(*args, **kwargs)
        fig = out if isinstance(out, Figure) else getattr(out, "figure", None)
        if isinstance(fig, Figure):
            make_literal(fig)
        return out

    return wrapper  # type: ignore[return-value]


#: longest figure file name (without extension) written by :func:`save_figure`
_MAX_NAME_CHARS = 80


def _slug(text: str) -> str:
    """A safe, short file name: lower-case letters, digits and '-'; a cut name gets a hash."""
    slug = re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-")
    if len(slug) <= _MAX_NAME_CHARS:
        return slug
    import hashlib

    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{slug[: _MAX_NAME_CHARS - 9].rstrip('-')}-{digest}"


def save_figure(fig: Figure, name: str) -> list[Path]:
    """Save ``fig`` as PNG and SVG in the folder set by :func:`use_style`.

    Returns the paths written (none when no folder is set). SVG files carry no
    date, so they are byte-stable.
    """
    if _figure_dir is None:
        return []
    make_literal(fig)  # names from a user's file are never mathtext
    written = []
    svg_metadata = {"Date": None, "Description": figure_text(fig)}
    for ext in ("png", "svg"):
        path = _figure_dir / f"{_slug(_prefix + name)}.{ext}"
        fig.savefig(path, metadata=svg_metadata if ext == "svg" else None)
        written.append(path)
    return written


def figure_text(fig: Figure) -> str:
    """Every piece of text a figure shows, one per line.

    Titles, axis labels, tick labels, legend entries and annotations, in
    drawing order. The SVG files written by :func:`save_figure` carry it as
    their description (a text alternative to the picture, which screen
    readers and tests can read, since the SVG draws its letters as paths).
    """
    texts = [fig.get_suptitle()] if fig.get_suptitle() else []
    for legend in fig.legends:
        texts += [t.get_text() for t in legend.get_texts()]
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        if ax.get_legend() is not None:
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
        texts += [t.get_text() for t in ax.texts]
    return "\n".join(t for t in texts if t)


def nothing_to_draw(ax: Axes | None, title: str, why: str, *, name: str) -> Axes:
    """An empty panel that says why there is nothing to draw, saved as ``name``.

    Used where a user's file leaves a figure without data (a column with no
    values, no margin set), so that a report says so instead of failing.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, f"Nothing to draw: {why}", ha="center", va="center", wrap=True,
            transform=ax.transAxes, fontsize=12, parse_math=False)  # fmt: skip
    ax.nothing_drawn = why  # type: ignore[attr-defined]
    save_figure(ax.figure, name)  # type: ignore[arg-type]
    return ax


def _axis_label(variable: str) -> str:
    unit = schema.unit_of(variable)
    return f"{schema.label_of(variable)} ({unit})" if unit else schema.label_of(variable)


def _jitter(n: int, seed: int, width: float = 0.12) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-width, width, n)


#: at most this many raw points (or lines) are drawn per group and panel; above it a
#: seeded random sample is drawn and the figure says so. Summaries always use all data.
MAX_POINTS = 2000


def _shown(values: np.ndarray, seed: int) -> tuple[np.ndarray, str]:
    """The values to draw (all, or a seeded sample of ``MAX_POINTS``) and a note."""
    if len(values) <= MAX_POINTS:
        return values, ""
    keep = np.sort(np.random.default_rng(seed).choice(len(values), MAX_POINTS, replace=False))
    return values[keep], f"{MAX_POINTS:,} shown"


def _raw_points(
    ax: Axes, x: float, values: np.ndarray, group: str, seed: int, *, width: float, size: float
) -> tuple[str, Any]:
    """Every runner's value (a labelled sample above ``MAX_POINTS``) as jittered dots at ``x``.

    Returns the sampling note (``''`` when every value is drawn) and the collection.
    """
    drawn, note = _shown(values, seed)
    points = ax.scatter(x + _jitter(len(drawn), seed, width=width), drawn, s=size, alpha=0.75,
                        color=COLOURS[group], edgecolor="white", linewidth=0.5,
                        zorder=2)  # fmt: skip
    return note, points


def estimation_plot(
    cohort: pd.DataFrame,
    variable: str,
    *,
    result: pd.Series | None = None,
    ax: Axes | None = None,
    confidence_level: float = 0.95,
    margin: float | None = None,
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
    margin : float, optional
        When given, the band -margin..+margin (a difference too small to
        matter, in the variable's unit) is shaded on the difference axis.
    seed : int, default 0
        Seed of the jitter (display only).

    Returns
    -------
    matplotlib.axes.Axes
        The main axes; the difference axes is ``ax.difference_axes``.
    """
    from analysis.compare import group_values

    x, y = group_values(cohort, variable)
    if not (x.size and y.size):
        empty = " and ".join(g for g, v in (("cramp", x), ("control", y)) if not v.size)
        return nothing_to_draw(ax, schema.label_of(variable), f"no {variable} values in the "
                               f"{empty} group", name=f"estimation-{variable}")  # fmt: skip
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
    notes = {}
    for pos, (label, values) in enumerate((("control", y), ("cramp", x))):
        notes[label], _ = _raw_points(ax, pos, values, label, seed + pos, width=0.12, size=28)
        mean, sd = values.mean(), values.std(ddof=1)
        ax.hlines(mean, pos - 0.25, pos + 0.25, color="black", linewidth=2.5, zorder=3)
        ax.vlines(pos + 0.3, mean - sd, mean + sd, color="black", linewidth=1.5, zorder=3)
    ax.set_xticks(
        [0, 1],
        [
            f"{GROUP_LABELS[label]}\nn = {len(v):,}" + (f"\n{notes[label]}" if notes[label] else "")
            for label, v in (("control", y), ("cramp", x))
        ],
    )
    ax.set_xlim(-0.5, 2.6)
    ax.set_ylabel(_axis_label(variable))
    control_mean = y.mean()
    diff_ax = ax.twinx()
    diff_ax.spines["right"].set_visible(True)
    low, high = ax.get_ylim()
    low, high = min(low, control_mean + lo), max(high, control_mean + hi)
    if margin is not None:
        # the band's label goes on the side away from the difference, never over its CI
        above = diff <= 0
        room = (margin, 1.45 * margin) if above else (1.45 * margin, margin)
        low, high = min(low, control_mean - room[0]), max(high, control_mean + room[1])
        diff_ax.axhspan(-margin, margin, xmin=0.72, xmax=0.98, color=COLOURS["accent"],
                        alpha=0.2, linewidth=0)  # fmt: skip
        band = f"\u00b1{margin:g} {schema.unit_of(variable)}:\ntoo small\nto matter"
        diff_ax.text(2.1, margin if above else -margin, band, ha="center",
                     va="bottom" if above else "top", fontsize=11)  # fmt: skip
    ax.set_ylim(low, high)
    diff_ax.set_ylim(low - control_mean, high - control_mean)
    diff_ax.axhline(0, color=COLOURS["neutral"], linestyle="--", linewidth=1)
    diff_ax.errorbar(
        [2.1],
        [diff],
        yerr=[[diff - lo], [hi - diff]],
        fmt="o",
        color=COLOURS["difference"],
        markersize=8,
        capsize=6,
        linewidth=2,
    )
    diff_ax.set_ylabel(f"Cramp minus control ({schema.unit_of(variable)})")
    ax.set_xticks(
        [0, 1, 2.1],
        [
            *(t.get_text() for t in ax.get_xticklabels()[:2]),
            f"Difference\n{level_label(confidence_level)} CI",
        ],
    )
    ax.difference_axes = diff_ax  # type: ignore[attr-defined]
    ax.set_title(schema.label_of(variable))
    save_figure(ax.figure, f"estimation-{variable}")  # type: ignore[arg-type]
    return ax


def paired_plot(cohort: pd.DataFrame, base: str, *, axes: Any = None) -> Figure:
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
        drawn, note = _shown(rows.to_numpy(dtype=float), seed=len(rows))
        segments = [[(0.0, a), (1.0, b)] for a, b in drawn]
        ax.add_collection(LineCollection(segments, colors=COLOURS[label], alpha=0.35, linewidths=1))
        ax.plot(
            [0, 1],
            rows.mean().to_numpy(),
            color="black",
            linewidth=3,
            marker="o",
            label="group mean",
        )
        ax.set_xticks([0, 1], ["Pre-race", "Post-race"])
        ax.set_xlim(-0.3, 1.3)
        ax.set_title(f"{GROUP_LABELS[label]} (n = {len(rows):,})" + (f"\n{note}" if note else ""))
    axes[0].set_ylabel(_axis_label(base))
    if fig.get_layout_engine() is not None:  # below the panels, never over the lines
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
                   frameon=False)  # fmt: skip
    else:
        axes[0].legend(loc="upper left", bbox_to_anchor=(0, -0.12), frameon=False)
    save_figure(fig, f"paired-{base}")
    return fig


# --------------------------------------------------------------------------
# distributions against reference ranges
# --------------------------------------------------------------------------

_OFFSETS = {"control": -0.18, "cramp": 0.18}
_REFERENCE_LABEL = "Adult reference range (labs differ)"


def _draw_reference(ax: Axes, cohort: pd.DataFrame, base: str, seed: int) -> None:
    variable = schema.VARIABLES.get(base)
    if variable is None or not variable.timed:
        raise ValueError(f"`base` must be an analyte with pre and post columns; got {base!r}")
    for col in (f"{base}_pre", f"{base}_post"):
        if col not in cohort.columns:
            raise KeyError(f"`cohort` has no column {col!r} for `base` {base!r}")
    if variable.reference is not None:
        ax.axhspan(*variable.reference, color=COLOURS["neutral"], alpha=0.2, linewidth=0,
                   label=_REFERENCE_LABEL, zorder=0)  # fmt: skip
    for t, timepoint in enumerate(schema.TIMEPOINTS):
        for g, label in enumerate(("control", "cramp")):
            values = cohort.loc[cohort["group"] == label, f"{base}_{timepoint}"].dropna()
            note, points = _raw_points(ax, t + _OFFSETS[label], values.to_numpy(dtype=float),
                                       label, seed + 2 * t + g, width=0.1, size=20)  # fmt: skip
            if t == 0:
                points.set_label(f"{GROUP_LABELS[label]} (n = {len(values):,}"
                                 + (f"; {note})" if note else ")"))  # fmt: skip
    ax.set_xticks([0, 1], ["Pre-race", "Post-race"])
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylabel(f"{variable.label} ({variable.unit})")
    ax.set_title(variable.label)


def reference_range_plot(
    cohort: pd.DataFrame, base: str, *, ax: Axes | None = None, seed: int = 0
) -> Axes:
    """Every runner's pre-race and post-race value against the adult reference range.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A loaded cohort with ``<base>_pre`` and ``<base>_post``.
    base : str
        Analyte name, e.g. ``'sodium'``; its reference range comes from
        :mod:`analysis.schema` and is shaded (flagging only: post-race values
        outside it are expected).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    seed : int, default 0
        Seed of the horizontal jitter (display only).

    Returns
    -------
    matplotlib.axes.Axes
        One scatter collection per time point and group, in the order
        pre/control, pre/cramp, post/control, post/cramp.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    _draw_reference(ax, cohort, base, seed)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=11)
    save_figure(ax.figure, f"reference-{base}")  # type: ignore[arg-type]
    return ax


def reference_range_figure(
    cohort: pd.DataFrame, bases: list[str] | None = None, *, ncols: int = 3, seed: int = 0
) -> Figure:
    """One :func:`reference_range_plot` panel per analyte, in one figure.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A loaded cohort.
    bases : list of str, optional
        Analytes to draw; default every analyte with both ``_pre`` and
        ``_post`` columns in `cohort`, in schema order.
    ncols : int, default 3
        Panels per row.
    seed : int, default 0
        Seed of the jitter.

    Returns
    -------
    matplotlib.figure.Figure
        Unused panels are removed; one legend sits below the panels.
    """
    if bases is None:
        bases = [a for a in schema.ANALYTES
                 if f"{a}_pre" in cohort.columns and f"{a}_post" in cohort.columns]  # fmt: skip
    if not bases:
        raise ValueError("`cohort` has no analyte with both `_pre` and `_post` columns")
    nrows = math.ceil(len(bases) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 4.0 * nrows), layout="constrained",
                             squeeze=False)  # fmt: skip
    flat = axes.ravel()
    for ax, base in zip(flat, bases, strict=False):
        _draw_reference(ax, cohort, base, seed)
    for ax in flat[len(bases) :]:
        ax.remove()
    fig.legend(*flat[0].get_legend_handles_labels(), loc="outside lower center", ncols=3,
               frameon=False, fontsize=11)  # below the panels, never over the points  # fmt: skip
    save_figure(fig, "reference-ranges")
    return fig


# --------------------------------------------------------------------------
# equivalence, power, margins
# --------------------------------------------------------------------------


def margin_unit(variable: str) -> str:
    """The unit of a margin: a difference of percentages is in percentage points."""
    from analysis.prose import _margin_unit

    return _margin_unit(variable)


def ci_margin_plot(results: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Each variable's TOST interval against its equivalence margin, on one scale.

    Differences are divided by each variable's margin, so every margin sits at
    -1 and +1 whatever the unit; a variable is "equivalent" when its whole
    interval lies inside the shaded band.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`analysis.compare_groups`; rows without a margin are
        left out.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        One horizontal line per variable (``ax.lines``, top to bottom in the
        order of `results`) from ``tost_ci_low / margin`` to
        ``tost_ci_high / margin``, solid when equivalent and dashed when not,
        one scatter collection of the point estimates ``mean_diff / margin``,
        and the verdict written at the right of each row (``ax.verdicts``), so
        that it does not rest on colour alone. A margin of a variable in % (a
        change of a percentage) is labelled in percentage points.
    """
    rows = results.loc[results["margin"].notna()]
    if rows.empty:
        ax = nothing_to_draw(ax, "Intervals against margins", "no variable has an "
                             "equivalence margin (and a result) to compare with",
                             name="ci-vs-margin")  # fmt: skip
        ax.verdicts = []  # type: ignore[attr-defined]
        return ax
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.85 * len(rows) + 2.0), layout="constrained")
    level = 2 * float(rows["confidence_level"].iloc[0]) - 1
    ax.axvspan(-1, 1, color=COLOURS["accent"], alpha=0.15, linewidth=0,
               label="inside \u00b1 margin")  # fmt: skip
    ax.axvline(0, color=COLOURS["neutral"], linestyle="--", linewidth=1)
    ys = np.arange(len(rows))[::-1]
    margin = rows["margin"].to_numpy(dtype=float)
    lo = rows["tost_ci_low"].to_numpy(dtype=float) / margin
    hi = rows["tost_ci_high"].to_numpy(dtype=float) / margin
    est = rows["mean_diff"].to_numpy(dtype=float) / margin
    equivalent = rows["equivalent"].fillna(False).to_numpy(dtype=bool)
    verdicts = []
    for y, a, b, eq in zip(ys, lo, hi, equivalent, strict=True):
        style = "-" if eq else (0, (2, 1))
        ax.plot([a, b], [y, y], color=COLOURS["accent"] if eq else COLOURS["cramp"],
                linewidth=3, solid_capstyle="butt", linestyle=style)  # fmt: skip
        verdict = "equivalent" if eq else "not shown"
        verdicts.append(verdict)
        ax.annotate(verdict, xy=(1.01, y), xycoords=("axes fraction", "data"), va="center",
                    fontsize=11, fontweight="bold" if eq else "normal")  # fmt: skip
    ax.scatter(est, ys, color="black", s=30, zorder=3, label="mean difference")
    labels = [f"{schema.label_of(v)}\n\u00b1{m:g} {margin_unit(v)}"
              for v, m in zip(rows["variable"], margin, strict=True)]  # fmt: skip
    ax.set_yticks(ys, labels, fontsize=11)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    ax.set_xlabel(f"Cramp minus control, in units of the margin ({level_label(level)} CI)")
    ax.set_title("Equivalence: each interval against its margin")
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=COLOURS["accent"], linewidth=3, label="CI inside: equivalent"),
        Line2D(
            [],
            [],
            color=COLOURS["cramp"],
            linewidth=3,
            linestyle=(0, (2, 1)),
            label="CI crosses a margin: not shown",
        ),  # fmt: skip
        *ax.get_legend_handles_labels()[0],
    ]
    ax.figure.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False,
                     fontsize=11)  # fmt: skip
    ax.verdicts = verdicts  # type: ignore[attr-defined]
    save_figure(ax.figure, "ci-vs-margin")  # type: ignore[arg-type]
    return ax


def power_curve_plot(
    n_cramp: int = 15,
    n_control: int = 67,
    *,
    designs: list[tuple[int, int]] | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    d_max: float = 1.5,
    ax: Axes | None = None,
    name: str | None = "power-curve",
) -> Axes:
    """Power of the two-sample t test against the true standardised difference.

    Parameters
    ----------
    n_cramp, n_control : int, default 15 and 67
        The design whose minimum detectable effect (MDE) is marked.
    designs : list of (int, int), optional
        Further designs drawn for comparison (dashed).
    power : float, default 0.8
        Power that defines the MDE.
    alpha : float, default 0.05
        Two-sided significance level.
    d_max : float, default 1.5
        Right end of the d axis.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    name : str or None, default 'power-curve'
        File name stem when figures are saved (see :func:`use_style`);
        ``None`` saves nothing (for callers that add to the figure first).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is the main curve (d, power); the MDE is the vertical
        line whose label starts with ``"MDE"``; ``ax.mde`` holds its value.
    """
    from analysis.power import minimum_detectable_effect, power_two_sample

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.8), layout="constrained")
    d = np.linspace(0, d_max, 151)
    all_designs = [(n_cramp, n_control), *(designs or [])]
    styles = ["-", "--", ":", "-."]
    colours = [COLOURS["difference"], COLOURS["control"], COLOURS["cramp"], COLOURS["accent"]]
    for i, (n1, n2) in enumerate(all_designs):
        curve = [power_two_sample(n1, n2, float(v), alpha=alpha) for v in d]
        ax.plot(d, curve, linestyle=styles[i % 4], color=colours[i % 4], linewidth=2.5,
                label=f"{n1} cramp vs {n2} control")  # fmt: skip
    mde = minimum_detectable_effect(n_cramp, n_control, power=power, alpha=alpha)
    ax.axhline(power, color=COLOURS["neutral"], linewidth=1)
    ax.axvline(mde, color=COLOURS["mde"], linestyle=":", linewidth=2.5,
               label=f"MDE ({n_cramp} vs {n_control}): d = {mde:.2f}")  # fmt: skip
    ax.set_xlim(0, d_max)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("True difference, in SDs (Cohen's d)")
    ax.set_ylabel(f"Power (chance of p < {alpha:g})")
    ax.set_title("How likely the study was to see a difference")
    ax.legend(loc="lower right", frameon=False, fontsize=11)
    ax.mde = mde  # type: ignore[attr-defined]
    if name is not None:
        save_figure(ax.figure, name)  # type: ignore[arg-type]
    return ax


def _tost_half_width(n_cramp: int, n_control: int, alpha: float = 0.05) -> float:
    """Half-width of the 1 - 2 alpha pooled-t interval, in SD units (sample SDs of 1)."""
    from scipy import stats

    df = n_cramp + n_control - 2
    return float(stats.t.isf(alpha, df) * math.sqrt(1 / n_cramp + 1 / n_control))


def draw_power_and_equivalence(
    n_cramp: int = 15,
    n_control: int = 67,
    margin_d: float = 0.5,
    *,
    alpha: float = 0.05,
    ax: Axes | None = None,
) -> Axes:
    """Power curve of a design with an equivalence margin (in SD units) marked.

    The title states two chances for this design: to detect a difference as
    large as the margin (two-sided t test), and to show equivalence (TOST,
    pooled t) when the true difference is exactly 0. Equivalence needs the
    whole 90 % interval inside the margin, so the second is often far smaller.

    Parameters
    ----------
    n_cramp, n_control : int
        Group sizes.
    margin_d : float, default 0.5
        Equivalence margin in SD units (margin / SD), positive.
    alpha : float, default 0.05
        Significance level (two-sided test; each TOST test one-sided).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        As :func:`power_curve_plot`, plus a vertical line labelled
        ``'margin'`` at `margin_d`; ``ax.power_at_margin``,
        ``ax.power_equivalence`` and ``ax.half_width`` (of the typical 90 %
        interval, SD units) hold the numbers.
    """
    from analysis.power import power_tost, power_two_sample

    if not margin_d > 0:
        raise ValueError(f"`margin_d` must be positive; got {margin_d!r}")
    ax = power_curve_plot(n_cramp, n_control, alpha=alpha, d_max=max(1.5, 1.2 * margin_d),
                          ax=ax, name=None)  # fmt: skip
    power = power_two_sample(n_cramp, n_control, margin_d, alpha=alpha)
    half = _tost_half_width(n_cramp, n_control, alpha)
    ax.axvline(margin_d, color=COLOURS["accent"], linewidth=2, label="margin")
    equivalence = power_tost(n_cramp, n_control, margin_d, alpha=alpha)
    ax.set_title(
        f"Chance to detect a difference of \u00b1{margin_d:g} SD: {power:.0%}\n"
        f"Chance to show equivalence (\u00b1{margin_d:g} SD) if there is none: "
        f"{equivalence:.0%}",
        fontsize=12,
    )
    ax.legend(loc="lower right", frameon=False, fontsize=11)
    ax.power_at_margin = power  # type: ignore[attr-defined]
    ax.power_equivalence = equivalence  # type: ignore[attr-defined]
    ax.half_width = half  # type: ignore[attr-defined]
    save_figure(ax.figure, "power-explorer")  # type: ignore[arg-type]
    return ax


def power_explorer(n_cramp: int = 15, n_control: int = 67, margin_d: float = 0.5) -> Any:
    """Sliders for group sizes and margin over :func:`draw_power_and_equivalence`.

    For live use in Jupyter (needs ipywidgets); a notebook should also show a
    static figure, since a widget's picture is not stored for re-checking.

    Returns
    -------
    ipywidgets.interactive
        Its children are the sliders ``n_cramp``, ``n_control``, ``margin_d``
        and the output area.
    """
    import ipywidgets as widgets

    def show(n_cramp: int, n_control: int, margin_d: float) -> None:
        draw_power_and_equivalence(n_cramp, n_control, margin_d)
        plt.show()

    return widgets.interactive(
        show,
        n_cramp=widgets.IntSlider(value=n_cramp, min=3, max=300, step=1, description="n cramp"),
        n_control=widgets.IntSlider(
            value=n_control, min=3, max=300, step=1, description="n control"
        ),
        margin_d=widgets.FloatSlider(
            value=margin_d, min=0.05, max=1.5, step=0.05, description="margin (SD)"
        ),
    )


def margin_sensitivity_plot(
    cohort: pd.DataFrame,
    variable: str,
    *,
    margins: Any = None,
    margin: float | None = None,
    alpha: float = 0.05,
    ax: Axes | None = None,
) -> Axes:
    """How the TOST p-value and the equivalence verdict move with the margin.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A loaded cohort.
    variable : str
        Numeric column to test.
    margins : array_like, optional
        Margins to evaluate (positive, in the variable's unit); default 80
        values up to twice the marked margin, or further when the verdict
        switches beyond it (1.5 times the largest |CI end|).
    margin : float, optional
        The margin of the analysis (e.g. the ``margin`` of this variable's row
        of :func:`analysis.compare_groups`), marked and labelled "margin
        used"; default the teaching margin of :mod:`analysis.schema`,
        labelled as such.
    alpha : float, default 0.05
        Level of each one-sided test.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is (margin, p_tost); ``ax.switch_margin`` is the
        smallest margin at which the verdict is "equivalent",
        ``max(|ci_low|, |ci_high|)`` of the ``1 - 2 alpha`` interval.
    """
    from analysis.compare import group_values
    from analysis.equivalence import margin_sensitivity, welch_tost

    x, y = group_values(cohort, variable)
    teaching = schema.default_margin(variable) if margin is None else float(margin)
    if teaching is not None and not teaching > 0:
        raise ValueError(f"`margin` must be positive; got {margin!r}")
    used = "teaching margin" if margin is None else "margin used"
    if min(x.size, y.size) < 2 or not (x.std(ddof=1) > 0 or y.std(ddof=1) > 0):
        ax = nothing_to_draw(ax, schema.label_of(variable), "fewer than 2 values in a group "
                             "or no spread at all: TOST cannot be computed",
                             name=f"margin-sensitivity-{variable}")  # fmt: skip
        ax.switch_margin = np.nan  # type: ignore[attr-defined]
        return ax
    if margins is None:
        probe = welch_tost(x, y, 1.0, alpha=alpha)  # its interval does not depend on the margin
        far = max(abs(probe.ci_low), abs(probe.ci_high))  # where the verdict switches
        top = max(2 * teaching, 1.5 * far) if teaching is not None else 2 * far
        margins = np.linspace(top / 80, top, 80)
    table = margin_sensitivity(x, y, list(np.asarray(margins, dtype=float)), alpha=alpha)
    switch = float(max(abs(table["ci_low"].iloc[0]), abs(table["ci_high"].iloc[0])))
    unit = schema.unit_of(variable)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.8), layout="constrained")
    ax.plot(table["margin"], table["p_tost"], color=COLOURS["difference"], linewidth=2.5,
            label="TOST p-value")  # fmt: skip
    ax.axhline(alpha, color=COLOURS["neutral"], linewidth=1, label=f"\u03b1 = {alpha:g}")
    ax.axvline(switch, color=COLOURS["accent"], linewidth=2,
               label=f"equivalent from \u00b1{switch:.2f} {unit}")  # fmt: skip
    if teaching is not None:
        ax.axvline(teaching, color=COLOURS["cramp"], linestyle="--", linewidth=1.5,
                   label=f"{used} \u00b1{teaching:g} {unit}")  # fmt: skip
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"Equivalence margin (\u00b1 {unit})")
    ax.set_ylabel("TOST p-value")
    ax.set_title(schema.label_of(variable))
    ax.legend(loc="upper right", frameon=False, fontsize=11)
    ax.switch_margin = switch  # type: ignore[attr-defined]
    save_figure(ax.figure, f"margin-sensitivity-{variable}")  # type: ignore[arg-type]
    return ax


# --------------------------------------------------------------------------
# published evidence
# --------------------------------------------------------------------------

_SOURCE_MARKERS = {"full table": "s", "abstract": "o", "secondary": "D"}


def _signed(value: float) -> str:
    """``+0.20``, ``-1.00``, and ``0.00`` (never ``-0.00``)."""
    rounded = round(float(value), 2) + 0.0
    return "0.00" if rounded == 0 else f"{rounded:+.2f}"


def _rounding_range(row: pd.Series, estimate: str) -> list[float] | None:
    """The rounding box's range of the difference on the plotted scale, when wider than the CI."""
    low, high = row.get("mean_diff_min"), row.get("mean_diff_max")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return None
    if high - low <= row["ci_high"] - row["ci_low"]:
        return None
    if estimate == "mean_diff":
        return [float(low), float(high)]
    if row["mean_diff"] == 0 or pd.isna(row["hedges_g"]):
        return None
    scale = float(row["hedges_g"]) / float(row["mean_diff"])  # the pooled SD, inverted
    return sorted([float(low) * scale, float(high) * scale])


@literal_text
def forest_plot(
    evidence: pd.DataFrame, *, estimate: str = "hedges_g", ax: Axes | None = None
) -> Axes:
    """Forest plot of the published comparisons, one row per study and variable.

    Parameters
    ----------
    evidence : pandas.DataFrame
        From :func:`analysis.published.check_published`; rows without an
        interval (no SDs printed) are left out.
    estimate : {'hedges_g', 'mean_diff'}, default 'hedges_g'
        Hedges' g puts variables with different units on one axis (SD units);
        ``'mean_diff'`` draws differences in the data's unit and needs rows
        that share one unit. Either way each row's mean difference and CI in
        its own unit is printed at the right.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        One errorbar container per row drawn (``ax.containers``), top to
        bottom in the order of `evidence`. Where the printed rounding allows a
        wider range of differences than the CI (``mean_diff_min`` to
        ``mean_diff_max``, e.g. means printed as whole numbers), that range is
        drawn as a grey band instead of the falsely precise CI (the container
        has no error bar), the row's text gives the range, and
        ``ax.rounding_rows`` lists those rows' labels.
    """
    columns = {"hedges_g": ("hedges_g", "hedges_g_ci_low", "hedges_g_ci_high"),
               "mean_diff": ("mean_diff", "ci_low", "ci_high")}  # fmt: skip
    if estimate not in columns:
        raise ValueError(f"`estimate` must be 'hedges_g' or 'mean_diff'; got {estimate!r}")
    est, lo, hi = columns[estimate]
    rows = evidence.loc[evidence[[est, lo, hi]].notna().all(axis=1)]
    if rows.empty:
        raise ValueError("`evidence` has no row with an interval: nothing to draw")
    units = rows["unit"].unique()
    if estimate == "mean_diff" and len(units) > 1:
        raise ValueError(
            f"`estimate='mean_diff'` needs rows with one unit; got {sorted(units)}: "
            "use 'hedges_g' or select rows"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.8 * len(rows) + 1.6), layout="constrained")
    ys = np.arange(len(rows))[::-1]
    ax.axvline(0, color=COLOURS["neutral"], linestyle="--", linewidth=1)
    seen: set[str] = set()
    rounding_rows = []
    for y, (_, row) in zip(ys, rows.iterrows(), strict=True):
        kind = row["source_kind"]
        box = _rounding_range(row, est)
        if box is not None:
            band = None if rounding_rows else "range allowed by the printed rounding"
            ax.plot(box, [y, y], color=COLOURS["neutral"], alpha=0.45, linewidth=12,
                    solid_capstyle="butt", zorder=1, label=band)  # fmt: skip
            rounding_rows.append(row["label"])
        # a CI narrower than the rounding allows is false precision: not drawn
        xerr = None if box is not None else [[row[est] - row[lo]], [row[hi] - row[est]]]
        ax.errorbar(
            [row[est]], [y], xerr=xerr,
            fmt=_SOURCE_MARKERS.get(kind, "o"), color=COLOURS["difference"], markersize=8,
            capsize=5, linewidth=2, label=None if kind in seen else f"source: {kind}",
        )  # fmt: skip
        seen.add(kind)
        text = (
            f"{row['mean_diff']:+.2f} [{row['ci_low']:+.2f}, {row['ci_high']:+.2f}] {row['unit']}"
            if box is None
            else f"{row['mean_diff']:+.2f}, rounding allows {_signed(row['mean_diff_min'])}"
            f" to {_signed(row['mean_diff_max'])} {row['unit']}"
        )
        ax.annotate(text, xy=(1.02, y), xycoords=("axes fraction", "data"), va="center",
                    fontsize=11)  # fmt: skip
    labels = [f"{r['label']}\nn = {r['n_cramp']} vs {r['n_control']}" for _, r in rows.iterrows()]
    ax.set_yticks(ys, labels, fontsize=11)
    ax.set_ylim(-1.5, len(rows) - 0.3)
    level = float(rows["confidence_level"].iloc[0])
    if estimate == "hedges_g":
        ax.set_xlabel(f"Hedges' g, cramp minus control (SD units, {level_label(level)} CI)")
    else:
        ax.set_xlabel(f"Cramp minus control ({units[0]}, {level_label(level)} CI)")
    ax.set_title("Published comparisons, recomputed from printed summaries")
    ax.legend(loc="lower left", frameon=False, fontsize=11)
    ax.rounding_rows = rounding_rows  # type: ignore[attr-defined]
    save_figure(ax.figure, f"forest-published-{estimate.replace('_', '-')}")  # type: ignore[arg-type]
    return ax
