"""Item 4: re-executing each notebook against its floor.

The floor is a fresh kernel running one cell,
``import pandas, scipy.stats, matplotlib.pyplot, analysis``. Each notebook
``notebooks/NN-*.ipynb`` and the floor are executed end to end with
``jupyter nbconvert --execute --to notebook --output-dir <tmp>`` (a new process
and a new kernel each time; ``notebooks/`` is never written), alternating
between them, and the median wall time of each is reported with its ratio to
the floor. Kernel: the ``python3`` kernelspec of this environment only (a
private ``JUPYTER_DATA_DIR`` hides any user kernelspec).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from _common import BIN, ROOT, median, run_child, write_json

REPEATS = 3
FLOOR_SOURCE = "import pandas, scipy.stats, matplotlib.pyplot, analysis"


def floor_notebook(folder: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    path = folder / "00-floor.ipynb"
    nbformat.write(nb, path)
    return path


def execute(nb: Path, out: Path, jupyter_data: Path) -> dict:
    cmd = [str(BIN / "jupyter"), "nbconvert", "--execute", "--to", "notebook",
           "--output-dir", str(out), "--ExecutePreprocessor.kernel_name=python3",
           "--ExecutePreprocessor.timeout=600", str(nb)]  # fmt: skip
    env = {"JUPYTER_DATA_DIR": str(jupyter_data), "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}  # fmt: skip
    return run_child(cmd, env=env, sample_tree=True)


def main() -> None:
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    results: dict = {"repeats": REPEATS, "floor_source": FLOOR_SOURCE, "notebooks": []}
    with tempfile.TemporaryDirectory(prefix="bench-nb-") as tmp:
        tmp = Path(tmp)
        floor = floor_notebook(tmp)
        runs: dict[str, list] = {floor.name: [], **{nb.name: [] for nb in notebooks}}
        errors: dict[str, str] = {}
        for _ in range(REPEATS):
            for nb in [floor, *notebooks]:
                if nb.name in errors:
                    continue
                res = execute(nb, tmp / "out", tmp / "jupyter")
                if res["returncode"] != 0:
                    errors[nb.name] = res["stderr"].strip().splitlines()[-1:]
                    continue
                runs[nb.name].append(res)
        floor_s = median([r["wall_s"] for r in runs[floor.name]]) if runs[floor.name] else None
        results["floor"] = {"median_s": floor_s,
                            "times_s": [r["wall_s"] for r in runs[floor.name]],
                            "peak_tree_mb": max((r["peak_tree_mb"] for r in runs[floor.name]),
                                                default=None)}  # fmt: skip
        for nb in notebooks:
            entry: dict = {"name": nb.name, "cells": len(json.loads(nb.read_text())["cells"])}
            if nb.name in errors:
                entry["error"] = errors[nb.name]
            else:
                times = [r["wall_s"] for r in runs[nb.name]]
                entry.update(
                    times_s=times,
                    median_s=median(times),
                    peak_tree_mb=max(r["peak_tree_mb"] for r in runs[nb.name]),
                )
                if floor_s:
                    entry["ratio"] = entry["median_s"] / floor_s
                print(f"{nb.name}: {entry['median_s']:.2f} s (floor {floor_s:.2f} s)",
                      file=sys.stderr)  # fmt: skip
            results["notebooks"].append(entry)
    write_json("notebooks", results)


if __name__ == "__main__":
    main()
