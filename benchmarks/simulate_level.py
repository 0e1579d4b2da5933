"""Type I error and coverage of every p-value and interval column of compare_groups.

Usage: ``make simulate`` (or ``.venv/bin/python benchmarks/simulate_level.py``).
Options: ``--reps N`` replicates per scenario (default 4,000), ``--jobs J``
worker processes (default 2), ``--n-resamples B`` resamples per resampling
method (default 1,999), ``--quick`` (200 replicates, for a smoke run).

Each replicate draws a cramp group of 15 and a control group of 67 with
**equal means** (every null hypothesis of a mean difference is true), runs
:func:`analysis.compare_groups` on them exactly as a user would, and records
whether each p-value column is below 0.05 (a type I error) and whether each
interval column covers the true difference of 0 (for Hedges' g, the true
standardised difference, also 0). Scenarios:

- ``normal, SD ratio 1/2``: cramp SD half the controls' (1 vs 2);
- ``normal, SD ratio 1``: both SD 1;
- ``normal, SD ratio 2``: cramp SD twice the controls' (2 vs 1): the smaller
  group the more variable, as in published cramp data;
- ``lognormal sdlog 1``: both groups lognormal(0, 1), same distribution
  (skewed; every null, identical distributions included, is true).

Every replicate has its own seeds, derived from one base seed
(``numpy.random.SeedSequence([SEED, scenario, replicate])``), so the results
do not depend on ``--jobs``. Monte-Carlo standard errors are
``sqrt(p (1 - p) / reps)``. Writes ``benchmarks/SIMULATION.md`` and replaces
the table between the markers in ``docs/simulation.md``.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import platform
import sys
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = 20261125
N_CRAMP, N_CONTROL = 15, 67
ALPHA = 0.05

SCENARIOS = {
    "normal, SD ratio 1/2": ("normal", 1.0, 2.0),
    "normal, SD ratio 1": ("normal", 1.0, 1.0),
    "normal, SD ratio 2": ("normal", 2.0, 1.0),
    "lognormal sdlog 1": ("lognormal", 1.0, 1.0),
}

#: p-value columns and what each assumes, in table order
P_COLUMNS = {
    "p_welch": "Welch t",
    "p_student": "Student t (equal spread)",
    "p_mannwhitney": "Mann-Whitney (identical distributions)",
    "p_brunnermunzel": "Brunner-Munzel",
    "p_permutation": "permutation of the mean difference (identical distributions)",
    "p_permutation_studentized": "studentized permutation (Welch t)",
}
#: interval columns (low, high) and their nominal level
CI_COLUMNS = {
    "Welch CI (ci_low, ci_high)": ("ci_low", "ci_high", 0.95),
    "BCa bootstrap (boot_ci_*)": ("boot_ci_low", "boot_ci_high", 0.95),
    "bootstrap-t (boot_t_ci_*)": ("boot_t_ci_low", "boot_t_ci_high", 0.95),
    "Hedges' g CI (hedges_g_ci_*)": ("hedges_g_ci_low", "hedges_g_ci_high", 0.95),
    "TOST interval (tost_ci_*, 90 %)": ("tost_ci_low", "tost_ci_high", 0.90),
}
MARKER_START = "<!-- simulation-table:start -->"
MARKER_END = "<!-- simulation-table:end -->"


def _draw(kind: str, sd_cramp: float, sd_control: float, rng: np.random.Generator):
    if kind == "normal":
        return rng.normal(0.0, sd_cramp, N_CRAMP), rng.normal(0.0, sd_control, N_CONTROL)
    return rng.lognormal(0.0, sd_cramp, N_CRAMP), rng.lognormal(0.0, sd_control, N_CONTROL)


def _one(task: tuple[int, int, int]) -> dict[str, bool]:
    """One replicate of one scenario: rejections and coverages."""
    from analysis import compare_groups

    scenario, rep, n_resamples = task
    kind, sd_cramp, sd_control = list(SCENARIOS.values())[scenario]
    seq = np.random.SeedSequence([SEED, scenario, rep])
    data_seed, resampling_seed = seq.generate_state(2)
    x, y = _draw(kind, sd_cramp, sd_control, np.random.default_rng(data_seed))
    cohort = pd.DataFrame(
        {"group": ["cramp"] * N_CRAMP + ["control"] * N_CONTROL, "sodium_post": np.r_[x, y]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = compare_groups(
            cohort, ["sodium_post"], n_resamples=n_resamples, seed=int(resampling_seed)
        ).iloc[0]
    out = {col: bool(row[col] < ALPHA) for col in P_COLUMNS}
    out |= {f"nan:{col}": bool(np.isnan(row[col])) for col in P_COLUMNS}
    for name, (low, high, _) in CI_COLUMNS.items():
        out[name] = bool(row[low] <= 0.0 <= row[high])
        out[f"nan:{name}"] = bool(np.isnan(row[low]) or np.isnan(row[high]))
    return out


def _cell(hits: int, reps: int) -> str:
    p = hits / reps
    return f"{p:.3f} ({math.sqrt(p * (1 - p) / reps):.3f})"


def _tables(results: dict[str, list[dict[str, bool]]], reps: int) -> str:
    names = list(SCENARIOS)
    head = "| column | " + " | ".join(names) + " |\n|---|" + "---:|" * len(names) + "\n"
    lines = [
        f"**Type I error at alpha = {ALPHA}** (nominal {ALPHA}; Monte-Carlo standard "
        "error in brackets)",
        "",
        head.rstrip("\n"),
    ]
    for col, label in P_COLUMNS.items():
        cells = [_cell(sum(r[col] for r in results[s]), reps) for s in names]
        lines.append(f"| `{col}`: {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "**Coverage of the true difference (0)** (nominal 0.95, the TOST interval 0.90; "
        "Monte-Carlo standard error in brackets)",
        "",
        head.rstrip("\n"),
    ]
    for name in CI_COLUMNS:
        cells = [_cell(sum(r[name] for r in results[s]), reps) for s in names]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    nan = {
        key: sum(r[key] for s in names for r in results[s])
        for key in results[names[0]][0]
        if key.startswith("nan:")
    }
    missing = [f"{k[4:]}: {v}" for k, v in nan.items() if v]
    lines += [
        "",
        "Replicates with a NaN in a column (counted as neither rejection nor coverage): "
        + ("; ".join(missing) if missing else "none")
        + ".",
    ]
    return "\n".join(lines) + "\n"


def _write(table: str, args: argparse.Namespace, seconds: float) -> None:
    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("numpy", "scipy", "pandas", "cramp-reanalysis")
    )
    header = (
        "# Simulation: type I error and coverage of compare_groups\n\n"
        "Generated by `python benchmarks/simulate_level.py` (`make simulate`); do not edit.\n"
        f"{N_CRAMP} cramp vs {N_CONTROL} controls, equal means, {args.reps} replicates per "
        f"scenario, {args.n_resamples} resamples per resampling method, base seed {SEED}, "
        f"{args.jobs} worker process(es), {seconds / 60:.1f} min wall time.\n"
        f"Python {platform.python_version()}, {versions}.\n\n"
    )
    (HERE / "SIMULATION.md").write_text(header + table)
    docs = ROOT / "docs" / "simulation.md"
    if docs.exists() and not args.quick:
        text = docs.read_text()
        start, end = text.index(MARKER_START), text.index(MARKER_END)
        docs.write_text(text[: start + len(MARKER_START)] + "\n" + table + text[end:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=4_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--n-resamples", type=int, default=1_999)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.reps = 200
    tasks = [(s, r, args.n_resamples) for s in range(len(SCENARIOS)) for r in range(args.reps)]
    start = time.perf_counter()
    with mp.get_context("spawn").Pool(args.jobs) as pool:
        flat = pool.map(_one, tasks, chunksize=50)
    seconds = time.perf_counter() - start
    results = {name: flat[i * args.reps : (i + 1) * args.reps] for i, name in enumerate(SCENARIOS)}
    table = _tables(results, args.reps)
    _write(table, args, seconds)
    print(table)
    print(f"{len(tasks)} replicates in {seconds:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
