"""Reanalysis compendium of Maughan (1986): muscle cramp versus serum electrolytes.

The public API is re-exported here and imported lazily, so ``import analysis``
costs little more than importing NumPy: the heavy modules (pandas, SciPy,
matplotlib) load on first use of a function that needs them.

Examples
--------
>>> import analysis
>>> round(float(analysis.plasma_volume_change(15.1, 16.7, 0.44, 0.453)), 2)
-11.68
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # data loading and validation
    "load_cohort": "analysis.validation",
    "check_cohort": "analysis.validation",
    "CohortCheck": "analysis.validation",
    "DataValidationError": "analysis.validation",
    "Problem": "analysis.validation",
    "add_derived": "analysis.validation",
    # physiology
    "plasma_volume_change": "analysis.physiology",
    "blood_volume_change": "analysis.physiology",
    "cell_volume_change": "analysis.physiology",
    # group comparison
    "compare_groups": "analysis.compare",
    "compare_paired": "analysis.paired",
    "compare_adjusted": "analysis.adjusted",
    "headline": "analysis.primary",
    "headline_display": "analysis.primary",
    "headline_sentence": "analysis.primary",
    "format_p": "analysis.prose",
    # effect sizes, equivalence, power, Bayes factors, multiplicity
    "hedges_g": "analysis.effect_size",
    "HedgesG": "analysis.effect_size",
    "welch_tost": "analysis.equivalence",
    "TostResult": "analysis.equivalence",
    "margin_sensitivity": "analysis.equivalence",
    "power_two_sample": "analysis.power",
    "minimum_detectable_effect": "analysis.power",
    "power_tost": "analysis.power",
    "power_from_se": "analysis.power",
    "minimum_detectable_from_se": "analysis.power",
    "tost_from_estimate": "analysis.equivalence",
    "smallest_margin": "analysis.equivalence",
    "bayes_factor_ttest": "analysis.bayes",
    "bayes_factor_scales": "analysis.bayes",
    "bf01_max": "analysis.bayes",
    "tost_bf_sentence": "analysis.bayes",
    "holm": "analysis.multiplicity",
    "holm_within": "analysis.multiplicity",
    # resampling
    "bootstrap_mean_diff_ci": "analysis.resampling",
    "permutation_test_mean_diff": "analysis.resampling",
    "permutation_test_welch": "analysis.resampling",
    "bootstrap_t_mean_diff_ci": "analysis.resampling",
    # published summaries
    "compare_summary": "analysis.summaries",
    "SummaryComparison": "analysis.summaries",
    "check_reported_p": "analysis.summaries",
    "ReportedPCheck": "analysis.summaries",
    # evidence synthesis (published studies)
    "random_effects": "analysis.meta",
    "synthesise": "analysis.meta",
    "rank_test_simulation": "analysis.summaries",
    # example data
    "generate_cohort": "analysis.synthetic",
    "example_path": "analysis.paths",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
