"""docs/simulation.md shows what benchmarks/simulate_level.py last wrote.

The simulation itself takes about ten minutes (``make simulate``) and is not
run here; these tests check that the page quotes the generated table verbatim
and that the script's table arithmetic is right.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys

import pytest


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parents[1]


def _script():
    path = _root() / "benchmarks" / "simulate_level.py"
    spec = importlib.util.spec_from_file_location("simulate_level", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["simulate_level"] = module
    spec.loader.exec_module(module)
    return module


def test_docs_quote_the_generated_table():
    sim = _script()
    generated = (_root() / "benchmarks" / "SIMULATION.md").read_text()
    docs = (_root() / "docs" / "simulation.md").read_text()
    start = docs.index(sim.MARKER_START) + len(sim.MARKER_START)
    quoted = docs[start : docs.index(sim.MARKER_END)].strip()
    assert quoted
    assert generated.rstrip().endswith(quoted)
    reps = int(re.search(r"(\d[\d,]*) replicates per scenario", generated).group(1))
    assert reps >= 2000  # the full run, not --quick


def test_every_p_and_interval_column_of_compare_groups_is_simulated():
    from analysis.compare import _COLUMNS

    sim = _script()
    # Holm adjustments within a family are functions of the simulated p-values
    p_columns = {c for c in _COLUMNS if c.startswith("p_")} - {"p_holm", "p_tost", "p_tost_holm"}
    assert set(sim.P_COLUMNS) == p_columns
    interval_lows = {c for c in _COLUMNS if c.endswith("ci_low")}
    assert {low for low, _, _ in sim.CI_COLUMNS.values()} == interval_lows


def test_table_cells_and_standard_errors():
    sim = _script()
    reps = 400
    fake = {
        name: [
            {
                **{c: i < 20 for c in sim.P_COLUMNS},
                **{f"nan:{c}": False for c in sim.P_COLUMNS},
                **{c: i < 380 for c in sim.CI_COLUMNS},
                **{f"nan:{c}": i == 0 for c in sim.CI_COLUMNS},
            }
            for i in range(reps)
        ]
        for name in sim.SCENARIOS
    }
    table = sim._tables(fake, reps)
    se = math.sqrt(0.05 * 0.95 / reps)
    assert f"0.050 ({se:.3f})" in table
    assert f"0.950 ({se:.3f})" in table
    assert "BCa bootstrap (boot_ci_*): 4" in table  # one NaN per scenario, 4 scenarios
    assert sim._cell(0, 10) == "0.000 (0.000)"
    with pytest.raises(ZeroDivisionError):
        sim._cell(0, 0)
