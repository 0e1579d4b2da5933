"""Item 2: ``compare_groups`` with its defaults (all methods, 10,000 resamples).

For each size, a fresh child process builds the cohort (seeded resampling of the
bundled marathon rows, canonical schema, a plain DataFrame), runs one untimed
warm-up call and then the timed repeats; the parent records the child's peak
resident memory. Run ``python bench_compare.py`` for all sizes, or
``python bench_compare.py --case N`` for one (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import sys

from _common import median, run_child, timed, write_json

VARIABLES = ["sodium_post", "potassium_post", "chloride_post", "bicarbonate_post"]
# rows -> timed repeats (one warm-up call precedes them)
SIZES = {82: 21, 5_000: 5, 10_000: 5, 100_000: 5, 1_000_000: 3}


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as fh:
        import os

        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def case(n_rows: int, repeats: int) -> dict:
    import resource

    from _common import synthetic_cohort

    from analysis import compare_groups
    from analysis.resampling import RESAMPLING_MAX_N

    cohort = synthetic_cohort(n_rows)
    rss_data = _rss_now_mb()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    import time

    tic = time.perf_counter()
    table = compare_groups(cohort, VARIABLES)  # warm-up (first call: lazy imports)
    first = time.perf_counter() - tic
    times = timed(lambda: compare_groups(cohort, VARIABLES), repeats, warmup=0)
    methods = sorted({m for ms in table["method"] for m in ms.split("; ") if "perm" in m
                      or "boot" in m or "asymptotic" in m})  # fmt: skip
    return {
        "rows": n_rows,
        "n_cramp": int(table["n_cramp"].iloc[0]),
        "n_control": int(table["n_control"].iloc[0]),
        "variables": VARIABLES,
        "repeats": repeats,
        "first_call_s": first,
        "times_s": times,
        "median_s": median(times),
        "rss_after_data_mb": rss_data,
        "peak_before_compare_mb": peak_before,
        "resampling_max_n": RESAMPLING_MAX_N,
        "n_resamples_used": sorted(set(table["n_resamples"].astype(int))),
        "resampling_methods": methods,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", type=int)
    parser.add_argument("--repeats", type=int)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(case(args.case, args.repeats or SIZES.get(args.case, 3))))
        return
    results = []
    for n_rows, repeats in SIZES.items():
        child = run_child([sys.executable, __file__, "--case", str(n_rows), "--repeats",
                           str(repeats)])  # fmt: skip
        if child["returncode"] != 0:
            results.append({"rows": n_rows, "error": child["stderr"][-2000:]})
            continue
        row = json.loads(child["stdout"])
        row["peak_rss_mb"] = child["peak_rss_mb"]
        row["process_wall_s"] = child["wall_s"]
        results.append(row)
        print(f"compare_groups n={n_rows}: median {row['median_s']:.4f} s, "
              f"peak {row['peak_rss_mb']:.0f} MB", file=sys.stderr)  # fmt: skip
    write_json("compare", results)


if __name__ == "__main__":
    main()
