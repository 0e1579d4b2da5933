"""Files that pass ``validate`` must give a report (exit 0), never an internal error.

Each file in ``tests/data/robust`` once made ``report`` fail (a division by a
zero standard error, a plot of a column without values, a notebook whose
verdict was NA). The library functions now degrade (NaN with a note, a panel
that says there is nothing to draw) or the notebook is left out with the
reason, which ``validate`` says in advance.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis import load_cohort, plots, prose
from analysis.paths import NOTEBOOKS_DIR
from analysis.report_notebooks import why_not_runnable

ROBUST = Path(__file__).parent / "data" / "robust"


def _cli(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=env)  # fmt: skip


@pytest.mark.parametrize("name", sorted(p.stem for p in ROBUST.glob("*.csv")))
def test_report_runs_on_every_file_validate_passes(name, tmp_path):
    data = ROBUST / f"{name}.csv"
    checked = _cli("validate", data, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    done = _cli("report", data, "--out", tmp_path / "out", "--n-resamples", "200", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "unexpected failure" not in done.stderr
    skipped = re.findall(r"^\[\d+/\d+\] skipped: (.*)$", done.stderr, flags=re.MULTILINE)
    for why in skipped:  # what the report left out, validate said beforehand
        assert why in checked.stderr, why


def test_a_notebook_testing_a_column_without_spread_is_left_out_with_the_reason():
    cohort = load_cohort(ROBUST / "post_ident.csv")
    why = why_not_runnable(NOTEBOOKS_DIR / "04-interpret-no-difference.ipynb", cohort)
    assert why is not None and "sodium_post" in why and "no spread" in why


def test_plots_say_there_is_nothing_to_draw_instead_of_failing():
    cohort = load_cohort(ROBUST / "allmissing_col.csv")
    ax = plots.estimation_plot(cohort, "sodium_post")
    assert "no sodium_post values" in ax.nothing_drawn
    assert "Nothing to draw" in plots.figure_text(ax.figure)
    flat = load_cohort(ROBUST / "post_ident.csv")
    assert np.isnan(plots.margin_sensitivity_plot(flat, "sodium_post").switch_margin)
    no_margin = pd.DataFrame({"variable": ["x"], "margin": [np.nan]})
    assert plots.ci_margin_plot(no_margin).verdicts == []
    plt.close("all")


def test_margin_bullets_with_no_verdict():
    results = pd.DataFrame({"variable": ["sodium_post"], "margin": [3.0], "mde": [np.nan],
                            "margin_sd": [np.nan], "power_at_margin": [np.nan],
                            "equivalent": [pd.NA], "equivalent_holm": [pd.NA],
                            "equivalence_adjustment": ["no margin: no verdict"],
                            "bf01": [np.nan], "bf01_max": [np.nan]})  # fmt: skip
    (bullet,) = prose.margin_bullets(results)
    assert "no equivalence verdict" in bullet
