"""Helpers shared by the benchmark scripts: timing, child processes, synthetic data.

Every measurement that reports a peak memory runs in a fresh child process, and
the peak is that child's maximum resident set size as returned by ``os.wait4``
(Linux reports the largest of the child and every descendant it waited for).
Wall times are medians over repeats of warm calls unless stated otherwise.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"  # gitignored scratch folder for per-script JSON results
BIN = Path(sys.executable).parent
SEED = 20261125


def median(values):
    return float(statistics.median(values))


def timed(fn, repeats: int, warmup: int = 1):
    """Call ``fn`` ``warmup`` times untimed, then ``repeats`` times; return the times."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        fn()
        times.append(time.perf_counter() - tic)
    return times


def _tree_rss(pid: int) -> int:
    """Summed resident memory (bytes) of ``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * page
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def run_child(cmd, *, env=None, cwd=None, sample_tree: bool = False, timeout=None):
    """Run ``cmd``; return wall time, exit code, stdout, stderr and memory peaks.

    ``peak_rss_mb`` is the largest resident set of the child or of any
    descendant it waited for (``wait4``). With ``sample_tree`` the summed RSS
    of the whole process tree is also sampled every 20 ms (``peak_tree_mb``),
    which counts processes that run at the same time (e.g. a notebook kernel
    beside the process that drives it).
    """
    full_env = dict(os.environ)
    full_env.update(env or {})
    tic = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=full_env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak_tree = [0]
    done = threading.Event()

    def sampler():
        while not done.is_set():
            peak_tree[0] = max(peak_tree[0], _tree_rss(proc.pid))
            done.wait(0.02)

    thread = threading.Thread(target=sampler, daemon=True) if sample_tree else None
    if thread:
        thread.start()
    out_chunks, err_chunks = [], []
    t_out = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True)
    t_err = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    t_out.start()
    t_err.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - tic
    done.set()
    t_out.join()
    t_err.join()
    if thread:
        thread.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "wall_s": wall,
        "returncode": proc.returncode,
        "stdout": "".join(out_chunks),
        "stderr": "".join(err_chunks),
        "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux: kilobytes
    }
    if sample_tree:
        result["peak_tree_mb"] = peak_tree[0] / 2**20
    return result


def synthetic_cohort(n_rows: int, seed: int = SEED):
    """``n_rows`` rows drawn with replacement from the bundled marathon cohort.

    Canonical schema as stored in ``data/marathon_synthetic.csv``; subject ids
    are renumbered so that they stay unique. n = 82 returns the file itself.
    """
    import numpy as np
    import pandas as pd

    base = pd.read_csv(ROOT / "data" / "marathon_synthetic.csv")
    if n_rows == len(base):
        return base
    rng = np.random.default_rng(seed)
    df = base.iloc[rng.integers(0, len(base), size=n_rows)].reset_index(drop=True)
    width = len(str(n_rows))
    df["subject_id"] = [f"S{i:0{width}d}" for i in range(1, n_rows + 1)]
    return df


def write_json(name: str, payload) -> Path:
    WORK.mkdir(exist_ok=True)
    path = WORK / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return path
