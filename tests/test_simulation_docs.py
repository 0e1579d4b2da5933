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


def _docs_rows():
    """Each row of the docs' tables: column name -> its four values (ratio 1/2, 1, 2, lognormal)."""
    text = (_root() / "docs" / "simulation.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.match(r"^[0-9.]+ \(", cells[1]):
            rows[cells[0]] = [float(c.split(" ")[0]) for c in cells[1:]]
    return rows


def test_notebook_03_quotes_the_simulation_table():
    """The level and coverage figures in 03's prose are those of docs/simulation.md."""
    import nbformat

    notebook = nbformat.read(_root() / "notebooks" / "03-compare-groups.ipynb", as_version=4)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    rows = _docs_rows()

    def percent(value):
        return f"{100 * value:.1f} %"

    level = {  # 03's table: SD ratio 2, 1/2, lognormal
        "`p_welch`": "`p_welch`: Welch t",
        "`p_brunnermunzel`": "`p_brunnermunzel`: Brunner-Munzel",
        "`p_permutation_studentized`": "`p_permutation_studentized`: studentized permutation",
        "`p_student`": "`p_student`: Student t",
        "`p_mannwhitney`": "`p_mannwhitney`: Mann-Whitney",
        "`p_permutation`": "`p_permutation`: permutation of the mean difference",
    }
    for column, docs_prefix in level.items():
        (values,) = [v for k, v in rows.items() if k.startswith(docs_prefix)]
        line = next(ln for ln in prose.splitlines() if ln.startswith(f"| {column}"))
        expected = [percent(values[2]), percent(values[0]), percent(values[3])]
        assert re.findall(r"[0-9.]+ %", line) == expected, (column, line)
    coverage = {k: v for k, v in rows.items() if "CI" in k or "bootstrap" in k}
    welch, bca, boot_t = (
        coverage[next(k for k in coverage if k.startswith(p))]
        for p in ("Welch CI", "BCa bootstrap", "bootstrap-t")
    )
    hedges = coverage[next(k for k in coverage if k.startswith("Hedges"))]
    sentence = (
        f"{percent(welch[2])} (Welch), {percent(bca[2])} (BCa) and {percent(boot_t[2])} "
        f"(bootstrap-t)"
    )
    assert sentence in " ".join(prose.split())
    skewed = f"{percent(welch[3])}, {percent(bca[3])} and {percent(boot_t[3])}"
    assert skewed in " ".join(prose.split())
    assert f"covered only {percent(hedges[2])}" in " ".join(prose.split())
