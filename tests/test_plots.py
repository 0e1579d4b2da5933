"""Tests of the figures: what they draw (data on the axes, CI positions, labels)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from scipy import stats

import analysis
from analysis import plots
from analysis.compare import group_values
from analysis.published import check_published


@pytest.fixture(autouse=True)
def _close_figures():
    plots.use_style(None)
    yield
    plots.plt.close("all")


@pytest.fixture(scope="module")
def marathon_results(marathon):
    variables = ["sodium_post", "potassium_post", "haemoglobin_post", "pv_change"]
    return analysis.compare_groups(marathon, variables, n_resamples=500)


def _sorted(values):
    return np.sort(np.asarray(values, dtype=float))


def _scatters(ax):
    return [c for c in ax.collections if isinstance(c, PathCollection)]


# --------------------------------------------------------------------------
# style and saving
# --------------------------------------------------------------------------


def test_use_style_sets_projector_sizes_and_saves(tmp_path, marathon):
    plots.use_style(tmp_path / "figs")
    assert matplotlib.rcParams["font.size"] >= 12
    assert matplotlib.rcParams["xtick.labelsize"] >= 12
    plots.power_curve_plot(15, 67)
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [
        "power-curve.png",
        "power-curve.svg",
    ]


def test_use_style_prefix_keeps_notebooks_apart(tmp_path, marathon):
    plots.use_style(tmp_path, prefix="05")
    plots.estimation_plot(marathon, "sodium_post")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "05-estimation-sodium-post.png",
        "05-estimation-sodium-post.svg",
    ]
    plots.use_style(None)
    plots.estimation_plot(marathon, "sodium_post")
    assert len(list(tmp_path.iterdir())) == 2  # no folder: nothing saved


def test_palette_is_okabe_ito():
    okabe_ito = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
                 "#D55E00", "#CC79A7", "#999999"}  # fmt: skip
    assert set(plots.COLOURS.values()) <= okabe_ito


# --------------------------------------------------------------------------
# estimation and paired plots
# --------------------------------------------------------------------------


def test_estimation_plot_draws_every_runner_and_the_welch_ci(marathon):
    ax = plots.estimation_plot(marathon, "sodium_post")
    x, y = group_values(marathon, "sodium_post")
    control, cramp = _scatters(ax)
    np.testing.assert_array_equal(_sorted(control.get_offsets()[:, 1]), np.sort(y))
    np.testing.assert_array_equal(_sorted(cramp.get_offsets()[:, 1]), np.sort(x))
    ci = stats.ttest_ind(x, y, equal_var=False).confidence_interval(0.95)
    bar = ax.difference_axes.containers[0]
    point = bar.lines[0].get_ydata()[0]
    assert point == pytest.approx(x.mean() - y.mean())
    segment = bar.lines[2][0].get_segments()[0]
    assert sorted(segment[:, 1]) == pytest.approx([ci.low, ci.high])
    assert ax.get_ylabel() == "Serum sodium, post-race (mmol/L)"
    assert "mmol/L" in ax.difference_axes.get_ylabel()


def test_estimation_plot_uses_the_result_row_and_shades_the_margin(marathon, marathon_results):
    row = marathon_results.set_index("variable").loc["pv_change"]
    row["variable"] = "pv_change"
    ax = plots.estimation_plot(marathon, "pv_change", result=row, margin=5)
    segment = ax.difference_axes.containers[0].lines[2][0].get_segments()[0]
    assert sorted(segment[:, 1]) == pytest.approx([row["ci_low"], row["ci_high"]])
    band = (
        ax.difference_axes.patches[0]
        .get_path()
        .get_extents()
        .transformed(ax.difference_axes.patches[0].get_patch_transform())
    )
    assert (band.y0, band.y1) == pytest.approx((-5, 5))
    assert "%" in ax.get_ylabel()


def test_paired_plot_joins_each_runner(marathon):
    fig = plots.paired_plot(marathon, "sodium")
    control_ax, cramp_ax = fig.axes
    cramp_rows = marathon.loc[marathon["group"] == "cramp", ["sodium_pre", "sodium_post"]]
    (runners,) = cramp_ax.collections
    segments = np.array(runners.get_segments())
    assert segments.shape == (len(cramp_rows), 2, 2)
    np.testing.assert_array_equal(segments[:, :, 1], cramp_rows.to_numpy())  # pre -> post
    np.testing.assert_array_equal(segments[:, :, 0], [[0, 1]] * len(cramp_rows))
    np.testing.assert_allclose(cramp_ax.lines[-1].get_ydata(), cramp_rows.mean().to_numpy())
    low, high = cramp_ax.get_ylim()
    assert low <= cramp_rows.min().min() and cramp_rows.max().max() <= high
    assert control_ax.get_title() == "Control (n = 67)"
    assert control_ax.get_ylabel() == "Serum sodium (mmol/L)"


def test_paired_plot_names_a_missing_column(marathon):
    with pytest.raises(KeyError, match="magnesium_pre"):
        plots.paired_plot(marathon, "magnesium")


# --------------------------------------------------------------------------
# reference ranges
# --------------------------------------------------------------------------


def test_reference_range_plot_draws_data_and_band(marathon):
    ax = plots.reference_range_plot(marathon, "potassium")
    pre_control, pre_cramp, post_control, post_cramp = _scatters(ax)
    is_cramp = marathon["group"] == "cramp"
    np.testing.assert_array_equal(
        _sorted(post_cramp.get_offsets()[:, 1]), np.sort(marathon.loc[is_cramp, "potassium_post"])
    )
    np.testing.assert_array_equal(
        _sorted(pre_control.get_offsets()[:, 1]),
        np.sort(marathon.loc[~is_cramp, "potassium_pre"]),
    )
    # the post-race points sit right of the pre-race points
    assert post_control.get_offsets()[:, 0].min() > pre_cramp.get_offsets()[:, 0].max()
    band = ax.patches[0].get_path().get_extents().transformed(ax.patches[0].get_patch_transform())
    assert (band.y0, band.y1) == pytest.approx((3.5, 5.0))
    assert ax.get_ylabel() == "Serum potassium (mmol/L)"
    labels = ax.get_legend_handles_labels()[1]
    assert "Cramp (n = 15)" in labels and "Control (n = 67)" in labels


def test_reference_range_figure_has_one_panel_per_analyte(ultra):
    fig = plots.reference_range_figure(ultra)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["Serum sodium", "Serum potassium", "Serum magnesium", "Haemoglobin",
                      "Haematocrit"]  # fmt: skip
    assert all("(" in ax.get_ylabel() for ax in fig.axes)


def test_reference_range_plot_rejects_unknown_analyte(marathon):
    with pytest.raises(ValueError, match="`base` must be an analyte"):
        plots.reference_range_plot(marathon, "age_years")


# --------------------------------------------------------------------------
# equivalence, power and margins
# --------------------------------------------------------------------------


def test_ci_margin_plot_positions_are_ci_over_margin(marathon_results):
    ax = plots.ci_margin_plot(marathon_results)
    drawn = marathon_results.loc[marathon_results["margin"].notna()]
    assert len(ax.lines) - 1 == len(drawn)  # plus the zero line
    intervals = ax.lines[1:]
    for line, (_, row) in zip(intervals, drawn.iterrows(), strict=True):
        np.testing.assert_allclose(
            line.get_xdata(),
            [row["tost_ci_low"] / row["margin"], row["tost_ci_high"] / row["margin"]],
        )
    np.testing.assert_allclose(
        _scatters(ax)[0].get_offsets()[:, 0], drawn["mean_diff"] / drawn["margin"]
    )
    # haemoglobin has no margin: left out; the first row is the first (top) tick
    assert [t.get_text().split("\n")[0] for t in ax.get_yticklabels()][0] == (
        "Serum sodium, post-race"
    )
    assert "90%" in ax.get_xlabel()
    assert "\u00b11 mmol/L" in ax.get_yticklabels()[0].get_text()  # DEFAULT_MARGINS


def test_ci_margin_plot_says_the_verdict_in_words_and_percentage_points(marathon_results):
    narrow = marathon_results.assign(
        margin=marathon_results["margin"] / 10, equivalent=False
    )  # every interval crosses a tenth of its margin
    for results in (marathon_results, narrow):
        ax = plots.ci_margin_plot(results)
        drawn = results.loc[results["margin"].notna()]
        expected = ["equivalent" if eq else "not shown" for eq in drawn["equivalent"]]
        assert ax.verdicts == expected
        assert [t.get_text() for t in ax.texts] == expected  # not colour alone
        styles = [ln.get_linestyle() for ln in ax.lines[1:]]
        assert all((s == "-") == (v == "equivalent") for s, v in zip(styles, expected, strict=True))
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels[-1].endswith("percentage points")  # pv_change, a change of a percentage
        assert not any(label.endswith(" %") for label in labels)
        plots.plt.close("all")


def test_legends_sit_outside_the_data(marathon, marathon_results):
    fig = plots.paired_plot(marathon, "sodium")
    assert fig.legends and not any(ax.get_legend() for ax in fig.axes)
    fig = plots.reference_range_figure(marathon)
    assert fig.legends and not any(ax.get_legend() for ax in fig.axes)
    ax = plots.ci_margin_plot(marathon_results)
    assert ax.figure.legends and ax.get_legend() is None


def test_power_curve_marks_the_mde():
    ax = plots.power_curve_plot(15, 67, designs=[(100, 100)])
    mde = analysis.minimum_detectable_effect(15, 67)
    assert ax.mde == pytest.approx(mde)
    vline = [ln for ln in ax.lines if ln.get_label().startswith("MDE")][0]
    assert vline.get_xdata()[0] == pytest.approx(mde)
    d, power = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    i = int(np.argmin(np.abs(d - 0.5)))
    assert power[i] == pytest.approx(analysis.power_two_sample(15, 67, float(d[i])))
    assert power[0] == pytest.approx(0.05)
    assert ax.lines[1].get_label() == "100 cramp vs 100 control"
    assert "Cohen's d" in ax.get_xlabel()
    curves = ax.lines[:2]
    many = plots.power_curve_plot(15, 67, designs=[(41, 41), (100, 100), (200, 200)])
    mde_line = [ln for ln in many.lines if ln.get_label().startswith("MDE")][0]
    colours = {ln.get_color() for ln in many.lines if ln.get_label().endswith("control")}
    assert mde_line.get_color() not in colours | {ln.get_color() for ln in curves}


def test_power_and_equivalence_title_and_lines():
    ax = plots.draw_power_and_equivalence(15, 67, 0.5)
    assert ax.power_at_margin == pytest.approx(analysis.power_two_sample(15, 67, 0.5))
    # 90 % pooled-t half-width in SD units: t(0.95, 80) * sqrt(1/15 + 1/67)
    assert ax.half_width == pytest.approx(stats.t.isf(0.05, 80) * np.sqrt(1 / 15 + 1 / 67))
    margin_line = [ln for ln in ax.lines if ln.get_label() == "margin"][0]
    assert margin_line.get_xdata()[0] == pytest.approx(0.5)
    assert ax.power_equivalence == pytest.approx(analysis.power_tost(15, 67, 0.5))
    assert "difference of \u00b10.5 SD: 41%" in ax.get_title()
    assert "if there is none: 9%" in ax.get_title()
    small = plots.draw_power_and_equivalence(5, 5, 0.5)
    assert "if there is none: 0%" in small.get_title()
    with pytest.raises(ValueError, match="`margin_d` must be positive"):
        plots.draw_power_and_equivalence(15, 67, 0)


def test_power_explorer_has_sliders():
    explorer = plots.power_explorer(20, 40, 0.3)
    values = [w.value for w in explorer.children[:3]]
    assert values == [20, 40, pytest.approx(0.3)]


def test_margin_sensitivity_plot_switches_at_the_ci_end(marathon):
    ax = plots.margin_sensitivity_plot(marathon, "sodium_post")
    x, y = group_values(marathon, "sodium_post")
    tost = analysis.welch_tost(x, y, 1.0)  # the default sodium margin
    switch = max(abs(tost.ci_low), abs(tost.ci_high))
    assert ax.switch_margin == pytest.approx(switch)
    margins, p = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    assert margins.max() == pytest.approx(max(2.0, 1.5 * switch))
    assert np.all(np.diff(p) <= 0)  # a wider margin never weakens the evidence
    j = int(np.argmin(np.abs(margins - 1.0)))
    assert p[j] == pytest.approx(analysis.welch_tost(x, y, float(margins[j])).p_tost)
    assert ax.get_xlabel() == "Equivalence margin (\u00b1 mmol/L)"
    assert "teaching margin \u00b11 mmol/L" in [ln.get_label() for ln in ax.lines]


def test_margin_sensitivity_plot_marks_the_margin_it_is_given(marathon):
    ax = plots.margin_sensitivity_plot(marathon, "sodium_post", margin=3)
    labels = [ln.get_label() for ln in ax.lines]
    assert "margin used \u00b13 mmol/L" in labels
    assert not any("\u00b11 " in label for label in labels)
    assert ax.lines[0].get_xdata().max() >= max(2.0, ax.switch_margin)  # the switch is drawn
    with pytest.raises(ValueError, match="`margin` must be positive"):
        plots.margin_sensitivity_plot(marathon, "sodium_post", margin=0)


# --------------------------------------------------------------------------
# forest plot
# --------------------------------------------------------------------------


def test_forest_plot_draws_each_recomputable_row():
    evidence = check_published()
    ax = plots.forest_plot(evidence)
    drawn = evidence.loc[evidence["hedges_g_ci_low"].notna()]
    assert len(ax.containers) == len(drawn)
    for bar, (_, row) in zip(ax.containers, drawn.iterrows(), strict=True):
        assert bar.lines[0].get_xdata()[0] == pytest.approx(row["hedges_g"])
        if row["label"] in ax.rounding_rows:
            assert not bar.lines[2]  # no CI drawn at a precision the printing lacks
            continue
        segment = bar.lines[2][0].get_segments()[0]
        assert sorted(segment[:, 0]) == pytest.approx([row["hedges_g_ci_low"],
                                                       row["hedges_g_ci_high"]])  # fmt: skip
    texts = [t.get_text() for t in ax.texts]
    assert "-2.50 [-4.15, -0.85] mmol/L" in texts
    assert ax.get_yticklabels()[0].get_text() == (
        "Schwellnus 2004: sodium, immediately post-race (mmol/L)\nn = 21 vs 22"
    )


def test_forest_plot_draws_the_rounding_range_not_a_false_ci():
    evidence = check_published()
    ax = plots.forest_plot(evidence)
    kona = evidence.loc[evidence["study"].str.startswith("Kona")]
    assert sorted(ax.rounding_rows) == sorted(kona["label"])  # means printed as 140 vs 139
    band = [ln for ln in ax.lines if ln.get_label() == "range allowed by the printed rounding"]
    sodium = kona.loc[kona["variable"] == "sodium"].iloc[0]
    scale = sodium["hedges_g"] / sodium["mean_diff"]
    assert sorted(band[0].get_xdata()) == pytest.approx(
        [sodium["mean_diff_min"] * scale, sodium["mean_diff_max"] * scale]
    )
    texts = [t.get_text() for t in ax.texts]
    assert "+1.00, rounding allows 0.00 to +2.00 mEq/L" in texts
    schwellnus = evidence.loc[evidence["study"] == "Schwellnus 2004"]
    assert not set(schwellnus["label"]) & set(ax.rounding_rows)  # CI wider than rounding
    assert ax.get_yticklabels()[0].get_text() == (
        "Schwellnus 2004: sodium, immediately post-race (mmol/L)\nn = 21 vs 22"
    )
    assert "SD units" in ax.get_xlabel()


@pytest.mark.parametrize(("level", "label"), [(0.975, "97.5% CI"), (0.999, "99.9% CI")])
def test_forest_plot_level_label_keeps_its_digits(level, label):
    # issue 12: 0.975 was labelled "98%" and 0.999 "100%"
    ax = plots.forest_plot(check_published(confidence_level=level))
    assert ax.get_xlabel().endswith(f"SD units, {label})")


def test_forest_plot_mean_diff_needs_one_unit():
    evidence = check_published()
    with pytest.raises(ValueError, match="one unit"):
        plots.forest_plot(evidence, estimate="mean_diff")
    sodium = evidence.loc[evidence["unit"] == "mEq/L"]
    ax = plots.forest_plot(sodium, estimate="mean_diff")
    assert ax.containers[0].lines[0].get_xdata()[0] == pytest.approx(1.0)
    assert "mEq/L" in ax.get_xlabel()
    with pytest.raises(ValueError, match="`estimate`"):
        plots.forest_plot(evidence, estimate="d")


def test_large_cohorts_draw_a_labelled_sample_but_summarise_all(marathon):
    big = marathon.sample(3 * plots.MAX_POINTS, replace=True, random_state=1).reset_index(drop=True)
    n_control = int((big["group"] == "control").sum())
    ax = plots.estimation_plot(big, "sodium_post")
    control_points = ax.collections[0].get_offsets()
    assert len(control_points) == plots.MAX_POINTS
    assert set(control_points[:, 1]) <= set(big.loc[big["group"] == "control", "sodium_post"])
    assert (
        ax.get_xticklabels()[0].get_text()
        == f"Control\nn = {n_control:,}\n{plots.MAX_POINTS:,} shown"
    )
    mean_bar = ax.collections[1] if len(ax.collections) > 2 else None  # hlines of the mean
    assert mean_bar is not None
    control_mean = big.loc[big["group"] == "control", "sodium_post"].mean()
    assert np.isclose(mean_bar.get_segments()[0][0, 1], control_mean)
    fig = plots.paired_plot(big, "sodium")
    assert len(fig.axes[0].collections[0].get_segments()) == plots.MAX_POINTS
    assert "shown" in fig.axes[0].get_title()
    plots.plt.close("all")
