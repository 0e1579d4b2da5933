"""Item 5: the command line on a 10^5-row file, end to end.

Writes a 10^5-row CSV (seeded resampling of the bundled marathon rows, canonical
schema, unique subject ids) to a temporary folder, then times, each in a fresh
process, ``cramp-reanalysis validate FILE --quiet`` and
``cramp-reanalysis report FILE --out TMP/out --quiet`` (validation, the
comparison table, every notebook with a ``data_path`` parameter, HTML). Peak
memory: the largest single process (``wait4``) and the sampled sum over the
whole process tree (the report process and its notebook kernel run together).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from _common import BIN, median, run_child, synthetic_cohort, write_json

ROWS = 100_000
REPEATS = {"validate": 3, "report": 1}


def main() -> None:
    result: dict = {"rows": ROWS, "repeats": REPEATS}
    env = {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        tmp = Path(tmp)
        data = tmp / f"cohort_{ROWS}.csv"
        synthetic_cohort(ROWS).to_csv(data, index=False)
        result["file_mb"] = data.stat().st_size / 2**20
        for command, repeats in REPEATS.items():
            runs = []
            for _ in range(repeats):
                out = tmp / "out"
                shutil.rmtree(out, ignore_errors=True)
                cmd = [str(BIN / "cramp-reanalysis"), command, str(data), "--quiet"]
                if command == "report":
                    cmd[3:3] = ["--out", str(out)]
                res = run_child(cmd, env=env, sample_tree=True)
                runs.append(res)
                if res["returncode"] != 0:
                    break
            last = runs[-1]
            entry = {"times_s": [r["wall_s"] for r in runs],
                     "median_s": median([r["wall_s"] for r in runs]),
                     "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                     "peak_tree_mb": max(r["peak_tree_mb"] for r in runs),
                     "returncode": last["returncode"]}  # fmt: skip
            if last["returncode"] != 0:
                entry["stderr_tail"] = last["stderr"].strip().splitlines()[-5:]
            if command == "report" and (tmp / "out").is_dir():
                entry["notebooks"] = sorted(p.name for p in (tmp / "out" / "notebooks").glob("*"))
            result[command] = entry
            print(f"{command}: {entry['median_s']:.1f} s, peak {entry['peak_rss_mb']:.0f} MB "
                  f"(tree {entry['peak_tree_mb']:.0f} MB), rc {entry['returncode']}",
                  file=sys.stderr)  # fmt: skip
    write_json("cli", result)


if __name__ == "__main__":
    main()
