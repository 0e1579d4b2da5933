"""Figures of the evidence synthesis: forest plots and leave-one-out plots.

Both take an :class:`analysis.meta.EvidenceSynthesis`, a variable and a time
point, draw on an Axes (``ax=None`` makes a figure sized for the rows) and
return it. Text is at least 12 pt (readable on a projector); colours are the
Okabe-Ito palette of :mod:`analysis.plots`. What each figure draws is
available as a table (:func:`forest_rows`, :func:`leave_one_out_rows`), which
the tests check.

Examples
--------
>>> from analysis import meta, evidence_plots
>>> res = meta.synthesise(meta.load_table(meta.default_evidence_path()))
>>> ax = evidence_plots.forest_plot(res, "sodium", "post")
>>> ax.get_xlabel()
'Difference in means, cramp − control (mmol/L)'
>>> evidence_plots.plt.close("all")
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.meta import study_labels
from analysis.plots import COLOURS, literal_text, save_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from analysis.meta import EvidenceSynthesis

__all__ = ["forest_plot", "forest_rows", "leave_one_out_plot", "leave_one_out_rows", "plt"]

_SOURCE = {"full_text": "full text", "abstract": "abstract", "secondary": "secondary source"}
_PI_COLOUR = COLOURS["cramp"]
_POOLED_COLOUR = COLOURS["control"]
_MIN_PT = 12
#: how titles spell the variables whose snake-case name is not a word
_NAMES = {
    "ck": "CK",
    "ldh": "LDH",
    "pv_change": "Plasma-volume change",
    "body_mass_change": "Body-mass change",
}


def _title(variable: str, time_point: str, what: str) -> str:
    name = _NAMES.get(variable, variable.replace("_", " ").capitalize())
    return f"{name}, {time_point.replace('_', ' ')}: {what}"


def _legend_below(ax: Axes, ncol: int) -> None:
    """A legend 0.8 inch below the axes, whatever the figure's height."""
    height = ax.get_position().height * ax.figure.get_figheight()
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.8 / height),
        ncol=ncol,
        frameon=False,
        fontsize=_MIN_PT,
    )


def _pooled_row(res: EvidenceSynthesis, variable: str, time_point: str) -> pd.Series | None:
    p = res.pooled
    if p.empty:
        return None
    hit = p[(p["variable"] == variable) & (p["time_point"] == time_point)]
    return None if hit.empty else hit.iloc[0]


def _sizes(n_cramp: object, n_control: object) -> str:
    """'n = cramp / control', or that the source prints no group sizes."""
    if pd.isna(n_cramp) or pd.isna(n_control):  # type: ignore[call-overload]
        return "n not printed"
    return f"n = {int(n_cramp)} / {int(n_control)}"  # type: ignore[call-overload]


def forest_rows(res: EvidenceSynthesis, variable: str, time_point: str) -> pd.DataFrame:
    """The study rows a forest plot draws, top to bottom (by year).

    Returns
    -------
    pandas.DataFrame
        ``label`` (study and year), ``detail`` (comparison group and source
        kind), ``n`` ("n = cramp / control"), ``yi``, ``ci_low``, ``ci_high``,
        ``has_estimate`` and ``text`` (the estimate with its interval, or why
        there is none).

    Raises
    ------
    KeyError
        If the table has no row for ``variable`` at ``time_point``.
    """
    e = res.effects
    rows = e[(e["variable"] == variable) & (e["time_point"] == time_point)]
    if rows.empty:
        raise KeyError(
            f"no evidence rows for `variable` {variable!r} at `time_point` {time_point!r}"
        )
    rows = rows.sort_values("year", kind="stable", na_position="last")
    names = study_labels(res.effects)
    has = rows["excluded_reason"] == ""
    text = [
        f"{y:.3g} [{lo:.3g}, {hi:.3g}]" if ok else f"no estimate: {why}"
        for y, lo, hi, ok, why in zip(
            rows["yi"], rows["ci_low"], rows["ci_high"], has, rows["excluded_reason"], strict=True
        )
    ]
    detail = [
        f"vs {cg} ({_SOURCE.get(str(sk), str(sk))})"
        for cg, sk in zip(rows["comparison_group"], rows["source_kind"], strict=True)
    ]
    return pd.DataFrame(
        {
            "label": [names[str(s)] for s in rows["study_id"]],
            "detail": detail,
            "n": [_sizes(a, b) for a, b in zip(rows["n_cramp"], rows["n_control"], strict=True)],
            "yi": rows["yi"].to_numpy(),
            "ci_low": rows["ci_low"].to_numpy(),
            "ci_high": rows["ci_high"].to_numpy(),
            "has_estimate": has.to_numpy(),
            "text": text,
        }
    )


def _x_label(pooled: pd.Series | None, res: EvidenceSynthesis, variable: str) -> str:
    if pooled is not None and pooled["measure"] == "SMD":
        return "Hedges' g, cramp − control (SD units)"
    units = sorted(set(res.effects.loc[res.effects["variable"] == variable, "unit"]))
    unit = pooled["unit"] if pooled is not None else " = ".join(units)
    return f"Difference in means, cramp − control ({unit})"


def _wrap(text: str, width: int = 46) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


@literal_text
def forest_plot(
    res: EvidenceSynthesis,
    variable: str,
    time_point: str,
    *,
    margin: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Forest plot of one variable at one time point.

    Studies in order of year (each with its comparison group, source kind and
    n; rows without an estimate are shown as text, with the reason), then the
    pooled mean as a diamond (its confidence interval, by the synthesis'
    test) and the prediction interval as a separate bar beneath it.

    Parameters
    ----------
    res : analysis.meta.EvidenceSynthesis
    variable, time_point : str
    margin : float, optional
        An equivalence margin to shade (±margin around 0), in the plot's unit.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    rows = forest_rows(res, variable, time_point)
    pooled = _pooled_row(res, variable, time_point)
    n = len(rows)
    extra = 2 if pooled is not None and pooled["k"] >= 2 else 1
    if ax is None:
        _, ax = plt.subplots(figsize=(13, 1.15 * (n + extra) + 1.8))
    ys = np.arange(n + extra, 0, -1, dtype=float)
    study_y = ys[:n]
    finite = rows["has_estimate"].to_numpy()
    level = round(100 * res.confidence_level)
    ax.hlines(
        study_y[finite],
        rows["ci_low"][finite],
        rows["ci_high"][finite],
        color=COLOURS["difference"],
        lw=2.5,
    )
    ax.plot(
        rows["yi"][finite],
        study_y[finite],
        "s",
        color=COLOURS["difference"],
        ms=10,
        label=f"study: difference, {level}% CI",
    )
    labels = [
        f"{lab}\n{_wrap(det)}" for lab, det in zip(rows["label"], rows["detail"], strict=True)
    ]
    right = [
        f"{t}\n{nn}" if ok else nn
        for t, nn, ok in zip(rows["text"], rows["n"], finite, strict=True)
    ]
    if extra == 2:
        _draw_pooled(ax, pooled, ys[n], ys[n + 1], level, labels, right)
        ax.axhline((ys[n - 1] + ys[n]) / 2, color=COLOURS["neutral"], lw=1)
    else:
        _note_not_pooled(ax, pooled, ys[n], labels, right)
    ax.axvline(0, color=COLOURS["neutral"], ls="--", lw=1.5)
    if margin is not None:
        ax.axvspan(
            -margin,
            margin,
            color=COLOURS["accent"],
            alpha=0.15,
            label=f"equivalence margin ±{margin:g}",
        )
    _place_missing_text(ax, rows, study_y)
    ax.set_yticks(ys, labels, fontsize=_MIN_PT)
    for y, t in zip(ys, right, strict=True):
        ax.annotate(
            t, xy=(1.01, y), xycoords=("axes fraction", "data"), va="center", fontsize=_MIN_PT
        )
    ax.set_ylim(0.3, n + extra + 0.7)
    ax.set_xlabel(_x_label(pooled, res, variable), fontsize=13)
    ax.set_title(_title(variable, time_point, "studies by year"), fontsize=14, loc="left")
    ax.tick_params(labelsize=_MIN_PT)
    _legend_below(ax, 2)
    save_figure(ax.figure, f"evidence-forest-{variable}-{time_point}")  # if use_style(folder)
    return ax


def _draw_pooled(
    ax: Axes, pooled: pd.Series, y_d: float, y_p: float, level: int, labels: list, right: list
) -> None:
    """The pooled diamond (its CI) and, beneath it, the prediction interval."""
    est, lo, hi = pooled["estimate"], pooled["ci_low"], pooled["ci_high"]
    ax.fill(
        [lo, est, hi, est],
        [y_d, y_d + 0.3, y_d, y_d - 0.3],
        color=_POOLED_COLOUR,
        label=f"pooled mean, {level}% CI ({_test_name(pooled)})",
    )
    ax.hlines(
        y_p,
        pooled["pi_low"],
        pooled["pi_high"],
        color=_PI_COLOUR,
        lw=6,
        label=f"{level}% prediction interval (a new study's true effect)",
    )
    labels += [f"Random effects ({pooled['method']}), k = {pooled['k']}", "Prediction interval"]
    right += [
        f"{est:.3g} [{lo:.3g}, {hi:.3g}]\nI² = {pooled['i2']:.0f}%, τ² = {pooled['tau2']:.3g}",
        f"[{pooled['pi_low']:.3g}, {pooled['pi_high']:.3g}]",
    ]


def _note_not_pooled(
    ax: Axes, pooled: pd.Series | None, y: float, labels: list, right: list
) -> None:
    """A text row saying why nothing is pooled (fewer than two estimates)."""
    k = 0 if pooled is None else int(pooled["k"])
    labels.append("Random effects")
    right.append("")
    ax.annotate(
        f"not pooled: {k} stud{'y' if k == 1 else 'ies'} with an estimate "
        "(pooling needs at least 2)",
        xy=(0.02, y),
        xycoords=("axes fraction", "data"),
        va="center",
        fontsize=_MIN_PT,
        style="italic",
        color="#444444",
    )


def _test_name(pooled: pd.Series) -> str:
    names = {"knha": "Hartung-Knapp", "adhoc": "modified Hartung-Knapp", "z": "normal (Wald)"}
    return names[pooled["test"]]


def _place_missing_text(ax: Axes, rows: pd.DataFrame, ys: np.ndarray) -> None:
    """Rows without an estimate: their reason, in italics, across the plot."""
    for y, ok, text in zip(ys, rows["has_estimate"], rows["text"], strict=True):
        if not ok:
            ax.annotate(
                _wrap(text, 60),
                xy=(0.02, y),
                xycoords=("axes fraction", "data"),
                va="center",
                fontsize=_MIN_PT,
                style="italic",
                color="#444444",
            )


def leave_one_out_rows(res: EvidenceSynthesis, variable: str, time_point: str) -> pd.DataFrame:
    """What :func:`leave_one_out_plot` draws: the full model, then one row per omitted study.

    Returns
    -------
    pandas.DataFrame
        ``label``, ``estimate``, ``ci_low``, ``ci_high``, ``k``.

    Raises
    ------
    KeyError
        If there is no leave-one-out result (fewer than two studies).
    """
    loo = res.leave_one_out
    sub = (
        pd.DataFrame()
        if loo.empty
        else loo[(loo["variable"] == variable) & (loo["time_point"] == time_point)]
    )
    pooled = _pooled_row(res, variable, time_point)
    if sub.empty or pooled is None:
        raise KeyError(
            f"no leave-one-out result for `variable` {variable!r} at `time_point` "
            f"{time_point!r}: it needs at least 2 studies"
        )
    first = {
        "label": f"all {pooled['k']} studies",
        "estimate": pooled["estimate"],
        "ci_low": pooled["ci_low"],
        "ci_high": pooled["ci_high"],
        "k": pooled["k"],
    }
    rest = pd.DataFrame(
        {
            "label": "without " + sub["omitted"],
            "estimate": sub["estimate"],
            "ci_low": sub["ci_low"],
            "ci_high": sub["ci_high"],
            "k": sub["k"],
        }
    )
    return pd.concat([pd.DataFrame([first]), rest], ignore_index=True)


@literal_text
def leave_one_out_plot(
    res: EvidenceSynthesis, variable: str, time_point: str, *, ax: Axes | None = None
) -> Axes:
    """Pooled mean with each study left out in turn, against the full model.

    Returns
    -------
    matplotlib.axes.Axes
    """
    rows = leave_one_out_rows(res, variable, time_point)
    pooled = _pooled_row(res, variable, time_point)
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 1.0 * len(rows) + 2.2))
    ys = np.arange(len(rows), 0, -1, dtype=float)
    level = round(100 * res.confidence_level)
    ax.axvspan(
        rows["ci_low"].iloc[0],
        rows["ci_high"].iloc[0],
        color=_POOLED_COLOUR,
        alpha=0.15,
        label=f"all studies: {level}% CI",
    )
    ax.axvline(rows["estimate"].iloc[0], color=_POOLED_COLOUR, lw=2)
    ax.hlines(ys, rows["ci_low"], rows["ci_high"], color=COLOURS["difference"], lw=2.5)
    ax.plot(
        rows["estimate"],
        ys,
        "o",
        color=COLOURS["difference"],
        ms=10,
        label=f"pooled mean, {level}% CI",
    )
    ax.axvline(0, color=COLOURS["neutral"], ls="--", lw=1.5)
    ax.set_yticks(ys, rows["label"], fontsize=_MIN_PT)
    for y, est, lo, hi in zip(ys, rows["estimate"], rows["ci_low"], rows["ci_high"], strict=True):
        text = f"{est:.3g} [{lo:.3g}, {hi:.3g}]" if math.isfinite(lo) else f"{est:.3g}"
        ax.annotate(
            text, xy=(1.01, y), xycoords=("axes fraction", "data"), va="center", fontsize=_MIN_PT
        )
    ax.set_ylim(0.4, len(rows) + 0.6)
    ax.set_xlabel(_x_label(pooled, res, variable), fontsize=13)
    ax.set_title(_title(variable, time_point, "leaving one study out"), fontsize=14, loc="left")
    ax.tick_params(labelsize=_MIN_PT)
    _legend_below(ax, 2)
    save_figure(ax.figure, f"evidence-leave-one-out-{variable}-{time_point}")
    return ax
