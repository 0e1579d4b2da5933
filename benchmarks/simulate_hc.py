"""Type I error of the baseline-adjusted comparison's standard errors (docs/inference.md).

Seeded; one command from the repository root:

    PYTHONHASHSEED=0 .venv/bin/python benchmarks/simulate_hc.py

No difference between the groups; the smaller group is the more variable.
Rejection rate at alpha = 0.05 of HC2 with Satterthwaite df (the default of
``analysis.compare_adjusted``), HC3 with the residual df and classical
(equal-spread) standard errors; Monte-Carlo SE sqrt(0.05 * 0.95 / runs).
"""

from __future__ import annotations

import sys

import numpy as np

from analysis.adjusted import fit_difference

SCENARIOS = [
    ("post-only 15 vs 67, SD ratio 2.4", 15, 67, 2.4, False),
    ("ANCOVA 15 vs 67, SD ratio 2", 15, 67, 2.0, True),
    ("post-only 5 vs 77, SD ratio 2.4", 5, 77, 2.4, False),
]


def main(runs: int = 20_000, seed: int = 20261126) -> None:
    rng = np.random.default_rng(seed)
    print(f"{runs} runs per scenario, MC SE {np.sqrt(0.05 * 0.95 / runs):.4f}")
    for name, n1, n2, ratio, ancova in SCENARIOS:
        is_cramp = np.r_[np.ones(n1, bool), np.zeros(n2, bool)]
        sd = np.where(is_cramp, ratio, 1.0)
        hits = {"HC2 + Satterthwaite": 0, "HC3, residual df": 0, "classical": 0}
        for _ in range(runs):
            if ancova:
                pre = rng.normal(size=n1 + n2) * sd
                post = 0.7 * pre + 0.7 * rng.normal(size=n1 + n2) * sd
                fit = fit_difference(post, is_cramp, pre)
            else:
                fit = fit_difference(rng.normal(size=n1 + n2) * sd, is_cramp)
            hits["HC2 + Satterthwaite"] += fit.p_hc2 < 0.05
            hits["HC3, residual df"] += fit.p_hc3 < 0.05
            hits["classical"] += fit.p_classical < 0.05
        print(name, {k: round(v / runs, 4) for k, v in hits.items()}, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
