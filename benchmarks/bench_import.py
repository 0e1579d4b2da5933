"""Item 4 (imports): the cost of ``import analysis`` in a fresh interpreter.

Each statement runs in a new ``python -c`` process, alternating, and the median
wall time of the process is reported; the bare interpreter start-up
(``python -c pass``) is reported too, and subtracted for the import-only
figures. Also recorded: which heavy packages ``import analysis`` loads.
"""

from __future__ import annotations

import json
import sys

from _common import median, run_child, write_json

REPEATS = 11
STATEMENTS = {
    "interpreter": "pass",
    "numpy": "import numpy",
    "pandas + scipy.stats": "import pandas, scipy.stats",
    "analysis": "import analysis",
    "pandas + scipy.stats + analysis": "import pandas, scipy.stats, analysis",
    "pandas + scipy.stats + matplotlib.pyplot + analysis (notebook floor)":
        "import pandas, scipy.stats, matplotlib.pyplot, analysis",
    "from analysis import compare_groups": "from analysis import compare_groups",
}  # fmt: skip
PROBE = (
    "import sys, json, analysis; print(json.dumps({m: m in sys.modules for m in "
    "('numpy', 'pandas', 'scipy', 'scipy.stats', 'matplotlib', 'papermill')}))"
)


def main() -> None:
    times: dict[str, list[float]] = {k: [] for k in STATEMENTS}
    for _ in range(REPEATS):
        for label, stmt in STATEMENTS.items():
            res = run_child([sys.executable, "-c", stmt], env={"MPLBACKEND": "Agg"})
            if res["returncode"] != 0:
                raise SystemExit(f"{stmt!r} failed: {res['stderr']}")
            times[label].append(res["wall_s"])
    med = {k: median(v) for k, v in times.items()}
    base = med["interpreter"]
    probe = run_child([sys.executable, "-c", PROBE])
    result = {
        "repeats": REPEATS,
        "statements": STATEMENTS,
        "median_s": med,
        "import_only_s": {k: v - base for k, v in med.items()},
        "loaded_by_import_analysis": json.loads(probe["stdout"]),
    }
    ps = med["pandas + scipy.stats"] - base
    result["ratio_analysis_vs_pandas_scipy"] = (med["analysis"] - base) / ps
    result["ratio_all_vs_pandas_scipy"] = (med["pandas + scipy.stats + analysis"] - base) / ps
    print(f"import analysis {med['analysis'] - base:.3f} s; pandas+scipy {ps:.3f} s",
          file=sys.stderr)  # fmt: skip
    write_json("import", result)


if __name__ == "__main__":
    main()
