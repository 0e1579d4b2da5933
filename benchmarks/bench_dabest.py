"""Item 3: a 5,000-resample bootstrap CI of one mean difference, n = 15 vs 67,
against DABEST-python's ``mean_diff`` on the same data.

DABEST pins pandas 2.2 and numpy 2.1, so it runs in its own virtual environment,
``benchmarks/.dabest-venv/``, created here on first use (``python3 -m venv`` +
``pip install dabest``). If that fails, the reason is recorded and the rest of
the benchmark still runs. Both sides are timed warm (DABEST compiles numba
functions on first import, about 15-25 s; that import is reported separately),
median over repeats, each side in its own fresh process.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from _common import HERE, ROOT, median, run_child, timed, write_json

VENV = HERE / ".dabest-venv"
VARIABLE = "sodium_post"
RESAMPLES = 5000
REPEATS = 15

DABEST_SCRIPT = r"""
import json, sys, time
tic = time.perf_counter()
import dabest, numpy, pandas
import_s = time.perf_counter() - tic
df = pandas.read_csv(sys.argv[1])[["group", sys.argv[2]]]
def run():
    d = dabest.load(df, x="group", y=sys.argv[2], idx=("control", "cramp"),
                    resamples=int(sys.argv[3]), random_seed=12345)
    return d.mean_diff.results
tic = time.perf_counter(); res = run(); first = time.perf_counter() - tic
times = []
for _ in range(int(sys.argv[4])):
    tic = time.perf_counter(); res = run(); times.append(time.perf_counter() - tic)
row = res.iloc[0]
print(json.dumps({"import_s": import_s, "first_call_s": first, "times_s": times,
    "ci": [float(row["bca_low"]), float(row["bca_high"])],
    "difference": float(row["difference"]), "resamples": int(row["resamples"]),
    "permutation_count": int(row["permutation_count"]),
    "versions": {m: __import__(m).__version__ for m in ("dabest", "numpy", "pandas", "numba")}}))
"""


def ensure_venv() -> tuple[str | None, str]:
    """Return (python path or None, note)."""
    python = VENV / "bin" / "python"
    if python.exists():
        ok = subprocess.run([str(python), "-c", "import dabest"], capture_output=True, text=True)
        if ok.returncode == 0:
            return str(python), "existing environment"
        shutil.rmtree(VENV, ignore_errors=True)
    base = shutil.which("python3") or sys.executable
    steps = [[base, "-m", "venv", str(VENV)],
             [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "dabest"]]  # fmt: skip
    for step in steps:
        try:
            proc = subprocess.run(step, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"`{' '.join(step)}` failed: {type(exc).__name__}: {exc}"
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return None, f"`{' '.join(step[-3:])}` exited {proc.returncode}: " + " / ".join(tail)
    return str(python), "created by this run"


def ours() -> dict:
    import numpy as np
    import pandas as pd

    from analysis.resampling import bootstrap_mean_diff_ci, permutation_test_mean_diff

    df = pd.read_csv(ROOT / "data" / "marathon_synthetic.csv")
    x = df.loc[df.group == "cramp", VARIABLE].to_numpy(float)
    y = df.loc[df.group == "control", VARIABLE].to_numpy(float)
    boot = timed(lambda: bootstrap_mean_diff_ci(x, y, n_resamples=RESAMPLES), REPEATS)
    both = timed(lambda: (bootstrap_mean_diff_ci(x, y, n_resamples=RESAMPLES),
                          permutation_test_mean_diff(x, y, n_resamples=RESAMPLES)),
                 REPEATS)  # fmt: skip
    ci = bootstrap_mean_diff_ci(x, y, n_resamples=RESAMPLES)
    return {"n_cramp": int(x.size), "n_control": int(y.size), "boot_times_s": boot,
            "boot_plus_perm_times_s": both, "ci": [ci.ci_low, ci.ci_high],
            "difference": float(np.mean(x) - np.mean(y))}  # fmt: skip


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--ours":
        print(json.dumps(ours()))
        return
    result: dict = {"variable": VARIABLE, "resamples": RESAMPLES, "repeats": REPEATS}
    child = run_child([sys.executable, __file__, "--ours"])
    result["ours"] = json.loads(child["stdout"]) if child["returncode"] == 0 else {
        "error": child["stderr"][-2000:]}  # fmt: skip
    python, note = ensure_venv()
    result["venv"] = note
    if python is None:
        result["dabest"] = {"error": note}
    else:
        script = HERE / "work" / "dabest_case.py"
        script.parent.mkdir(exist_ok=True)
        script.write_text(DABEST_SCRIPT, encoding="utf-8")
        child = run_child([python, str(script), str(ROOT / "data" / "marathon_synthetic.csv"),
                           VARIABLE, str(RESAMPLES), str(REPEATS)],
                          env={"NUMBA_DISABLE_JIT": "0"})  # fmt: skip
        if child["returncode"] == 0:
            result["dabest"] = json.loads(child["stdout"].strip().splitlines()[-1])
        else:
            result["dabest"] = {"error": child["stderr"][-2000:]}
    if "times_s" in result.get("dabest", {}) and "boot_times_s" in result["ours"]:
        d = median(result["dabest"]["times_s"])
        result["ratio_boot"] = d / median(result["ours"]["boot_times_s"])
        result["ratio_boot_plus_perm"] = d / median(result["ours"]["boot_plus_perm_times_s"])
        print(f"DABEST {d:.3f} s vs ours {median(result['ours']['boot_times_s']):.4f} s",
              file=sys.stderr)  # fmt: skip
    write_json("dabest", result)


if __name__ == "__main__":
    main()
