"""Equivalence margins from the consequence of a group shift (``docs/margins.md``).

A margin is the largest shift of a group's mean that would change the share
of runners beyond a clinical decision limit by less than
:data:`SHARE_CHANGE` (5 percentage points, one runner in twenty: a judgement,
stated here so a reader can change it). Individual values are taken as normal
with the SD of :data:`ANCHORS` around the middle of the adult reference
range; the default margin is that shift rounded down to one significant
figure. The reference change value (RCV) of an analyte is background only: it
is a detection limit for a change in one person, not a bound for a group mean.

Examples
--------
>>> from analysis.margins import margin_from_anchor, shift_for_share
>>> round(shift_for_share(140, 2.6356, 135), 2)  # sodium, EAH limit 135 mmol/L
1.28
>>> margin_from_anchor("sodium")
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["ANCHORS", "SHARE_CHANGE", "Anchor", "margin_from_anchor", "share_beyond",
           "shift_for_share"]  # fmt: skip

#: largest change in the share of runners beyond the decision limit judged negligible
SHARE_CHANGE = 0.05


@dataclass(frozen=True)
class Anchor:
    """What a default margin is derived from.

    Attributes
    ----------
    centre : float
        Middle of the adult reference range (no number from the example data).
    limit : float
        The clinical decision limit nearest in meaning (e.g. 135 mmol/L for
        exercise-associated hyponatraemia).
    sd : float
        Between-runner SD of post-race values.
    sd_source : str
        Where ``sd`` comes from: a published post-race SD (pooled over the two
        groups), or the synthetic cohort's, labelled as an assumption.
    """

    centre: float
    limit: float
    sd: float
    sd_source: str


def _pooled(n1: int, sd1: float, n2: int, sd2: float) -> float:
    return math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))


#: the anchors of the default margins (docs/margins.md argues each)
ANCHORS: dict[str, Anchor] = {
    "sodium": Anchor(140.0, 135.0, _pooled(21, 3.1, 22, 2.1),
                     "Schwellnus et al. 2004 post-race, 3.1 and 2.1 mmol/L pooled (abstract)"),
    "potassium": Anchor(4.25, 5.0, _pooled(2859, 0.7, 7670, 0.6),
                        "Johnson et al. (Kona medical tent) at presentation, 0.7 and 0.6 mmol/L "
                        "pooled (abstract)"),
    "magnesium": Anchor(0.85, 0.70, _pooled(21, 0.06, 22, 0.08),
                        "Schwellnus et al. 2004 post-race, 0.06 and 0.08 mmol/L pooled "
                        "(abstract)"),
    "chloride": Anchor(101.0, 96.0, 2.33,
                       "assumption: the synthetic cohort's post-race SD (no published SD read)"),
    "bicarbonate": Anchor(25.5, 22.0, 2.54,
                          "assumption: the synthetic cohort's post-race SD (no published SD "
                          "read)"),
}  # fmt: skip


def share_beyond(mean: float, sd: float, limit: float) -> float:
    """Share of a normal population beyond `limit`, on the side away from `mean`."""
    from scipy.stats import norm

    return float(norm.sf(abs(mean - limit) / sd))


def shift_for_share(
    centre: float, sd: float, limit: float, *, share_change: float = SHARE_CHANGE
) -> float:
    """Shift of the mean towards `limit` that raises the share beyond it by `share_change`.

    Parameters
    ----------
    centre, sd, limit : float
        Mean and SD of individual values, and the decision limit.
    share_change : float, default :data:`SHARE_CHANGE`
        Increase of the share beyond the limit (0.05 = 5 percentage points).

    Returns
    -------
    float
        ``|centre - limit| + sd * Phi^-1(Phi(-|centre - limit| / sd) + share_change)``.
    """
    from scipy.stats import norm

    if not sd > 0:
        raise ValueError(f"`sd` must be positive; got {sd!r}")
    if not 0 < share_change < 0.5:
        raise ValueError(f"`share_change` must be between 0 and 0.5; got {share_change!r}")
    gap = abs(centre - limit)
    base = float(norm.cdf(-gap / sd))
    return gap + sd * float(norm.ppf(base + share_change))


def margin_from_anchor(variable: str, *, share_change: float = SHARE_CHANGE) -> float:
    """The default margin of `variable`: its shift, rounded down to one significant figure."""
    a = ANCHORS[variable]
    shift = shift_for_share(a.centre, a.sd, a.limit, share_change=share_change)
    scale = 10.0 ** math.floor(math.log10(shift))
    return round(math.floor(shift / scale + 1e-9) * scale, 10)
