"""Tests of analysis.evidence_plots on the data they draw (the test fixture)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis import evidence_plots as ep
from analysis import meta

FIXTURE = Path(__file__).parent / "data" / "evidence_fixture.csv"


@pytest.fixture(scope="module")
def res() -> meta.EvidenceSynthesis:
    return meta.synthesise(meta.load_table(FIXTURE))


def test_forest_rows_by_year_with_text_rows(res):
    rows = ep.forest_rows(res, "sodium", "post")
    assert rows["label"].tolist() == [
        "Maughan 1986",
        "Schwellnus et al. 2004",
        "Johnson et al. 2019",
        "Martínez-Navarro et al. 2022",
    ]
    assert rows["has_estimate"].tolist() == [False, True, True, False]
    assert rows["text"].iloc[0] == "no estimate: abstract gives no group means or SDs"
    assert "medical-tent" in rows["detail"].iloc[2] and "(abstract)" in rows["detail"].iloc[2]
    assert rows["n"].iloc[2] == "n = 2859 / 7670"


def test_forest_plot_draws_studies_diamond_and_prediction_interval(res):
    ax = ep.forest_plot(res, "sodium", "post", margin=3.0)
    pooled = res.pooled.set_index("variable").loc["sodium"]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("Maughan 1986") and labels[-1] == "Prediction interval"
    diamond = ax.patches[0].get_xy()
    assert diamond[:, 0].min() == pytest.approx(pooled["ci_low"])
    assert diamond[:, 0].max() == pytest.approx(pooled["ci_high"])
    pi = [
        c
        for c in ax.collections
        if c.get_label().endswith("prediction interval (a new study's true effect)")
    ]
    seg = pi[0].get_segments()[0]
    assert sorted(seg[:, 0]) == pytest.approx([pooled["pi_low"], pooled["pi_high"]])
    points = ax.lines[0].get_xdata()
    assert np.allclose(points, [-2.5, 1.0])  # the two studies with numbers, by year
    texts = [t.get_text() for t in ax.texts]
    assert any("no estimate: abstract gives no group means or SDs" in t for t in texts)
    assert min(t.get_fontsize() for t in [*ax.texts, *ax.get_yticklabels()]) >= 12
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "95% prediction interval (a new study's true effect)" in legend
    assert "equivalence margin ±3" in legend
    ep.plt.close("all")


def test_single_study_is_not_pooled(res):
    ax = ep.forest_plot(res, "ck", "post")
    assert any("not pooled: 1 study" in t.get_text() for t in ax.texts)
    assert not ax.patches  # no diamond
    ep.plt.close("all")


def test_leave_one_out_rows_and_plot(res):
    rows = ep.leave_one_out_rows(res, "sodium", "post")
    assert rows["label"].tolist() == [
        "all 2 studies",
        "without Schwellnus et al. 2004",
        "without Johnson et al. 2019",
    ]
    assert rows["estimate"].iloc[1:].tolist() == pytest.approx([1.0, -2.5])
    ax = ep.leave_one_out_plot(res, "sodium", "post")
    assert np.allclose(ax.lines[1].get_xdata(), rows["estimate"])
    ep.plt.close("all")
    with pytest.raises(KeyError, match="needs at least 2 studies"):
        ep.leave_one_out_rows(res, "ck", "post")
    with pytest.raises(KeyError, match="no evidence rows for `variable` 'iron'"):
        ep.forest_rows(res, "iron", "post")
