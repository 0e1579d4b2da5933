"""Resampling comparisons of two independent groups: bootstrap CI and permutation test.

Both functions compare ``x_cramp`` with ``x_control`` through the difference of
means, **cramp minus control**, in the units of the variable. Both are seeded by
default (``seed=20261125``) so the same call always returns the same result, and
both record the seed and the number of resamples they actually used.

Which form is used is decided on the **smaller** group, since it is the
smaller group that decides whether a resampling distribution is close to
normal (three crampers against 5,000 controls are not a large sample):

- the resampled form whenever the total is at most :data:`RESAMPLING_MAX_N`
  (5,000) or the smaller group has at most :data:`ASYMPTOTIC_MIN_GROUP`
  (1,000) observations and the total is at most
  :data:`RESAMPLING_HARD_MAX_N` (10,000);
- the large-sample equivalent (the Welch *t* interval, the Welch *t*-test for the
  studentized permutation test, Student's pooled *t*-test for the raw one) only when
  the total exceeds :data:`RESAMPLING_MAX_N` **and** both groups exceed
  :data:`ASYMPTOTIC_MIN_GROUP`; ``method`` says so and ``n_resamples`` is 0;
- nothing (NaN, ``method`` says why) when the smaller group is too small for
  the asymptotic form and the total too large to resample in a few seconds.

The permutation tests enumerate every split exactly whenever there are at
most :data:`EXACT_MAX_SPLITS` (10^6) of them (10 vs 10: 184,756 splits), or
at most ``n_resamples`` if that is larger.

Four methods: :func:`bootstrap_mean_diff_ci` (BCa, percentile or basic),
:func:`bootstrap_t_mean_diff_ci` (studentized bootstrap, "bootstrap-t"),
:func:`permutation_test_mean_diff` (permutes the raw mean difference: valid
only when the two distributions are identical under the null, so it is not a
test of equal means when the spreads differ) and
:func:`permutation_test_welch` (studentized permutation test: permutes the
Welch *t* statistic, exact under identical distributions and asymptotically
valid for equal means with unequal spreads; Janssen 1997, Chung & Romano
2013).

Notes
-----
Timings measured on the development machine (Debian 12, 2 cores, Python 3.11,
NumPy 2.4, SciPy 1.17), 10,000 resamples, one group a fifth of the total,
warm calls, seconds per call:

=============  =============  ==================  ===============================
total *n*      BCa bootstrap  permutation (this   ``scipy.stats.permutation_test``
                              module)             ``'independent'`` (not used)
=============  =============  ==================  ===============================
82 (15 + 67)   0.005          0.003               0.030
1,000          0.047          0.081               0.225
2,000          0.10           0.19                0.27
5,000          0.29           0.42                0.85
10,000         0.76           0.99                1.6
20,000         2.1            2.6                 2.8
=============  =============  ==================  ===============================

Both calls together for 4 variables at 15 + 67 runners: 37 ms. The studentized
permutation test and the bootstrap-t interval (measured later, on a busy
machine, where the unstudentized test took 10 ms and BCa 24 ms) took 35 ms and
21 ms at 15 + 67; exact enumeration took 6 ms (raw) and 39 ms (studentized)
at 10 vs 10 (184,756 splits) and 58 ms and 172 ms at 11 vs 11 (705,432). A call crosses
about 1 s at 10,000 observations (the permutation test first), hence
``RESAMPLING_MAX_N = 5_000``, which keeps every resampled call under 0.5 s on
this machine with a margin for slower ones. Above it a call costs under 10 ms
at any *n* (0.7 ms at 10^5, 3.5 ms at 10^6 rows; the Welch formulas are
O(n)) and needs memory for a few copies of the data only. Memory is bounded
at every *n*: resamples are drawn in batches of at most 2**16 values for the
bootstrap (fastest: cache-sized) and 2**22 int32 indices (16 MiB) for the
permutation test, never as an n x n_resamples matrix; a process running all
sizes up to 10^6 peaked at 136 MB resident.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = [
    "ASYMPTOTIC_MIN_GROUP",
    "EXACT_MAX_SPLITS",
    "RESAMPLING_HARD_MAX_N",
    "RESAMPLING_MAX_N",
    "BootstrapCI",
    "PermutationResult",
    "bootstrap_mean_diff_ci",
    "bootstrap_t_mean_diff_ci",
    "permutation_test_mean_diff",
    "permutation_test_welch",
]

#: Largest total sample size (cramp + control) that is resampled. Above it the
#: asymptotic Welch equivalents are used. Chosen by measurement (module Notes):
#: at 5,000 observations a 10,000-resample call takes at most about 0.4 s, at
#: 10,000 about 1 s.
RESAMPLING_MAX_N: int = 5_000

#: Smallest size of the *smaller* group at which the asymptotic Welch forms
#: may replace resampling (above :data:`RESAMPLING_MAX_N` in total only). The
#: mean of 1,000 lognormal (sdlog 1) values still has skewness 0.2, so below
#: this the resampling distribution is not taken to be normal.
ASYMPTOTIC_MIN_GROUP: int = 1_000

#: Largest total that is resampled when the smaller group is too small for the
#: asymptotic forms. Measured, 10,000 resamples, 3 values against the rest:
#: at 20,000 in total the BCa interval took 9.4 s (its jackknife is quadratic
#: in n), the bootstrap-t 3.2 s, either permutation test 0.16 s; at 10,000
#: about a quarter of that. Above it nothing is computed and ``method`` says why.
RESAMPLING_HARD_MAX_N: int = 10_000

#: Largest number of distinct splits that the permutation tests enumerate
#: exactly, whatever ``n_resamples`` (10^6 splits take about 0.5 s).
EXACT_MAX_SPLITS: int = 1_000_000

#: Default seed of both resampling functions.
DEFAULT_SEED: int = 20261125

# Largest number of values per batch (measured: the bootstrap is fastest with
# small, cache-sized batches; the permutation sampler with large ones, since its
# per-batch cost is a Python loop over the k positions).
_BOOT_BATCH_VALUES: int = 2**16  # float64: 512 KiB per resampled array
_PERM_BATCH_VALUES: int = 2**22  # int32 indices: 16 MiB

_BOOTSTRAP_METHODS = ("BCa", "percentile", "basic")
_ALTERNATIVES = ("two-sided", "less", "greater")


@dataclass(frozen=True)
class BootstrapCI:
    """Bootstrap confidence interval of mean(cramp) - mean(control).

    Attributes
    ----------
    ci_low, ci_high : float
        Lower and upper limits, in the units of the variable.
    confidence_level : float
        Two-sided confidence level of the interval, e.g. 0.95.
    method : str
        How the interval was computed, e.g. ``"BCa bootstrap"`` or
        ``"asymptotic Welch t (n=20000 > RESAMPLING_MAX_N=5000)"``.
    n_resamples : int
        Number of bootstrap resamples actually drawn; 0 for the asymptotic
        interval.
    seed : int or None
        Seed of the random generator; ``None`` when nothing was drawn.
    """

    ci_low: float
    ci_high: float
    confidence_level: float
    method: str
    n_resamples: int
    seed: int | None


@dataclass(frozen=True)
class PermutationResult:
    """Permutation test of mean(cramp) - mean(control).

    Attributes
    ----------
    statistic : float
        Observed mean(cramp) - mean(control), in the units of the variable.
    pvalue : float
        Permutation p-value (dimensionless).
    n_resamples : int
        Number of splits of the pooled data evaluated: all of them for an exact
        test, the number drawn for a Monte-Carlo test, 0 for the asymptotic test.
    seed : int or None
        Seed of the random generator; ``None`` when nothing was drawn (exact
        enumeration or asymptotic test).
    method : str
        ``"exact permutation (all 462 splits)"``,
        ``"Monte-Carlo permutation"`` or
        ``"asymptotic Welch t-test (n=... > RESAMPLING_MAX_N=...)"``.
    """

    statistic: float
    pvalue: float
    n_resamples: int
    seed: int | None
    method: str


# --------------------------------------------------------------------------- #
# input checks
# --------------------------------------------------------------------------- #
def _as_sample(x: ArrayLike, name: str, *, min_n: int) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional; got shape {arr.shape}.")
    n_bad = int(np.count_nonzero(~np.isfinite(arr)))
    if n_bad:
        raise ValueError(
            f"`{name}` must contain only finite values (drop missing values first); "
            f"got {n_bad} non-finite value(s) among {arr.size}."
        )
    if arr.size < min_n:
        raise ValueError(f"`{name}` must contain at least {min_n} observations; got {arr.size}.")
    return arr


def _check_n_resamples(n_resamples: int) -> int:
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise TypeError(f"`n_resamples` must be an integer; got {n_resamples!r}.")
    if n_resamples < 1:
        raise ValueError(f"`n_resamples` must be a positive integer; got {n_resamples}.")
    return int(n_resamples)


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer; got {seed!r}.")
    return int(seed)


def _batch_size(n_total: int, n_resamples: int, max_values: int) -> int:
    return max(1, min(n_resamples, max_values // n_total))


_NO_VARIATION = "not computed: neither group varies (the bootstrap distribution is one point)"


def _regime(n1: int, n2: int) -> tuple[str, str]:
    """Which form to use: ``("resample" | "asymptotic" | "none", reason)``.

    Decided on the smaller group (module docstring).
    """
    n_total, small = n1 + n2, min(n1, n2)
    if n_total <= RESAMPLING_MAX_N:
        return "resample", ""
    if small > ASYMPTOTIC_MIN_GROUP:
        return "asymptotic", (
            f"n={n_total} > RESAMPLING_MAX_N={RESAMPLING_MAX_N} and smaller group "
            f"n={small} > ASYMPTOTIC_MIN_GROUP={ASYMPTOTIC_MIN_GROUP}"
        )
    if n_total <= RESAMPLING_HARD_MAX_N:
        return "resample", ""
    return "none", (
        f"not computed: smaller group n={small} <= ASYMPTOTIC_MIN_GROUP="
        f"{ASYMPTOTIC_MIN_GROUP} is too small for the asymptotic form and n={n_total} > "
        f"RESAMPLING_HARD_MAX_N={RESAMPLING_HARD_MAX_N} is too large to resample"
    )


# --------------------------------------------------------------------------- #
# bootstrap
# --------------------------------------------------------------------------- #
def _mean_diff(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def bootstrap_mean_diff_ci(
    x_cramp: ArrayLike,
    x_control: ArrayLike,
    *,
    confidence_level: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = DEFAULT_SEED,
    method: Literal["BCa", "percentile", "basic"] = "BCa",
) -> BootstrapCI:
    """Two-sample bootstrap confidence interval of mean(cramp) - mean(control).

    Parameters
    ----------
    x_cramp, x_control : array_like
        One-dimensional samples of the variable in the cramp and the control
        group, finite values only (drop missing values first); at least 2 each.
    confidence_level : float, default 0.95
        Two-sided confidence level, strictly between 0 and 1.
    n_resamples : int, default 10000
        Number of bootstrap resamples (positive).
    seed : int, default 20261125
        Seed of the ``numpy.random.Generator`` that draws the resamples.
    method : {'BCa', 'percentile', 'basic'}, default 'BCa'
        Bootstrap interval type, as in ``scipy.stats.bootstrap``.

    Returns
    -------
    BootstrapCI
        ``ci_low``, ``ci_high`` (units of the variable; NaN when neither group
        varies), ``confidence_level``,
        ``method`` (``"BCa bootstrap"``, ``"percentile bootstrap"``,
        ``"basic bootstrap"``, the asymptotic fallback (Notes) or why nothing
        was computed),
        ``n_resamples`` actually drawn (0 for the fallback) and ``seed``
        (``None`` for the fallback).

    Raises
    ------
    ValueError
        If a sample is not one-dimensional, holds a non-finite value or has
        fewer than 2 observations; if ``confidence_level``, ``n_resamples``,
        ``seed`` or ``method`` is out of range.
    TypeError
        If ``n_resamples`` is not an integer.

    Notes
    -----
    Each group is resampled with replacement separately (a bootstrap stratified
    by group, sizes kept fixed), and the statistic
    :math:`\\bar x_{cramp}^* - \\bar x_{control}^*` is recomputed for each
    resample with ``scipy.stats.bootstrap(..., vectorized=True, batch=...)``.
    The BCa interval (Efron & Tibshirani 1993, ch. 14) takes its acceleration
    from the jackknife of each group, weighted by group size (their eq. 15.36).
    It matches R's ``boot::boot.ci(boot(d, stat, R, strata = d$group),
    type = "bca", L = empinf(b, type = "jack") / n_group)`` to within
    Monte-Carlo error (tested: within 3 % of the interval width at 10^5
    resamples against R at 2 x 10^5; the Monte-Carlo sd of a limit is 0.1-0.5 %
    of the width). ``boot.ci``'s default acceleration pools the two groups'
    influence values without that weighting, which differs only when the group
    sizes differ (by 0.7 % of the width on the skewed test data): a difference
    the 3 % tolerance of the test cannot tell apart, so the weighting is
    SciPy's convention, not something the R comparison confirms.

    When the total exceeds ``RESAMPLING_MAX_N`` and both groups exceed
    ``ASYMPTOTIC_MIN_GROUP`` no resampling is done: the interval is the Welch
    *t* interval of R's ``t.test(x, y)``,
    :math:`\\bar x - \\bar y \\pm t_{1-\\alpha/2,\\nu} \\sqrt{s_x^2/n_x + s_y^2/n_y}`
    with Welch-Satterthwaite :math:`\\nu`, which the bootstrap distribution of a
    mean difference approaches when both groups are large; ``method`` then
    reads ``"asymptotic Welch t (n=... > RESAMPLING_MAX_N=... and smaller group
    n=... > ASYMPTOTIC_MIN_GROUP=...)"``. A small group is resampled up to
    ``RESAMPLING_HARD_MAX_N`` in total; beyond that the limits are NaN and
    ``method`` says why (module docstring).

    Results depend on ``seed`` and on the batch size, which is a fixed function
    of *n* and ``n_resamples``, so the same call always gives the same interval.

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*,
       Chapman & Hall, 1993, chapters 14 and 15.
    .. [2] A. C. Davison and D. V. Hinkley, *Bootstrap Methods and their
       Application*, Cambridge University Press, 1997 (R package ``boot``).

    Examples
    --------
    >>> from analysis.resampling import bootstrap_mean_diff_ci
    >>> cramp = [139.2, 141.5, 136.8, 144.1, 138.7, 140.3, 135.9, 142.6, 137.4, 143.8]
    >>> control = [140.1, 142.3, 139.5, 143.7, 141.2, 144.9, 138.8, 142.0, 140.6,
    ...            145.3, 139.9, 141.8, 143.1, 142.7]
    >>> ci = bootstrap_mean_diff_ci(cramp, control)
    >>> print(round(ci.ci_low, 1), round(ci.ci_high, 1), ci.method, ci.n_resamples)
    -3.8 0.2 BCa bootstrap 10000
    """
    x = _as_sample(x_cramp, "x_cramp", min_n=2)
    y = _as_sample(x_control, "x_control", min_n=2)
    if not 0 < confidence_level < 1:
        raise ValueError(
            f"`confidence_level` must be strictly between 0 and 1; got {confidence_level!r}."
        )
    n_resamples = _check_n_resamples(n_resamples)
    seed = _check_seed(seed)
    if method not in _BOOTSTRAP_METHODS:
        raise ValueError(f"`method` must be one of {_BOOTSTRAP_METHODS}; got {method!r}.")

    n_total = x.size + y.size
    regime, reason = _regime(x.size, y.size)
    if regime != "resample":
        return _welch_or_nothing_ci(x, y, confidence_level, regime, reason, "bootstrap")
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        return _welch_or_nothing_ci(
            x, y, confidence_level, "none", _NO_VARIATION, f"{method} bootstrap"
        )

    res = stats.bootstrap(
        (x, y),
        _mean_diff,
        n_resamples=n_resamples,
        batch=_batch_size(n_total, n_resamples, _BOOT_BATCH_VALUES),
        vectorized=True,
        paired=False,
        confidence_level=confidence_level,
        method=method,
        rng=np.random.default_rng(seed),
    )
    return BootstrapCI(
        ci_low=float(res.confidence_interval.low),
        ci_high=float(res.confidence_interval.high),
        confidence_level=float(confidence_level),
        method=f"{method} bootstrap",
        n_resamples=n_resamples,
        seed=seed,
    )


# --------------------------------------------------------------------------- #
# permutation test
# --------------------------------------------------------------------------- #
def _random_subset_sums(
    z: np.ndarray, k: int, n_resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """Sums of ``n_resamples`` uniformly random size-``k`` subsets of the rows of ``z``.

    A partial Fisher-Yates shuffle of the first ``k`` positions, vectorised
    over a batch of resamples: each resample is a uniform random permutation
    prefix. The index array is stored position-major (``n x batch``), so the
    position swapped at each step is one contiguous row (1.5-3x faster than
    resample-major storage; same draws, bitwise-identical sums, since each
    subset is summed from a contiguous ``k``-vector as before).
    """
    n = z.shape[0]
    batch = _batch_size(n, n_resamples, _PERM_BATCH_VALUES)
    out = np.empty((n_resamples, *z.shape[1:]))
    for start in range(0, n_resamples, batch):
        b = min(batch, n_resamples - start)
        idx = np.empty((n, b), dtype=np.int32)
        idx[:] = np.arange(n, dtype=np.int32)[:, None]
        flat = idx.reshape(-1)  # a view: element (pos, col) is flat[pos * b + col]
        cols = np.arange(b)
        for i in range(k):
            j = rng.integers(i, n, size=b)
            where = j * b + cols
            held = idx[i].copy()
            idx[i] = flat[where]
            flat[where] = held
        out[start : start + b] = z[np.ascontiguousarray(idx[:k].T)].sum(axis=1)
    return out


def permutation_test_mean_diff(
    x_cramp: ArrayLike,
    x_control: ArrayLike,
    *,
    n_resamples: int = 10_000,
    seed: int = DEFAULT_SEED,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> PermutationResult:
    """Two-sample permutation test of mean(cramp) - mean(control).

    Parameters
    ----------
    x_cramp, x_control : array_like
        One-dimensional samples of the variable in the cramp and the control
        group, finite values only; at least 1 each (2 in total).
    n_resamples : int, default 10000
        Number of random splits drawn. If the number of distinct splits,
        ``comb(n_cramp + n_control, min(n_cramp, n_control))``, is at most
        ``max(EXACT_MAX_SPLITS, n_resamples)`` (10^6 by default), every split
        is enumerated instead (an exact test), whatever ``n_resamples``.
    seed : int, default 20261125
        Seed of the ``numpy.random.Generator`` that draws the splits.
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
        Alternative hypothesis for mean(cramp) - mean(control): different from,
        less than, greater than 0.

    Returns
    -------
    PermutationResult
        ``statistic`` (mean(cramp) - mean(control), units of the variable),
        ``pvalue``, ``n_resamples`` (splits evaluated; 0 for the fallback),
        ``seed`` (``None`` when nothing was drawn) and ``method``.

    Raises
    ------
    ValueError
        If a sample is not one-dimensional, empty or holds a non-finite value;
        if ``n_resamples``, ``seed`` or ``alternative`` is out of range.
    TypeError
        If ``n_resamples`` is not an integer.

    Notes
    -----
    Under the null hypothesis the group labels are exchangeable: every split of
    the pooled :math:`n = n_1 + n_2` values into groups of the observed sizes is
    equally likely. With :math:`k = \\min(n_1, n_2)`, :math:`S` the sum of the
    smaller group and :math:`T` the pooled sum, the statistic is
    :math:`\\bar x_1 - \\bar x_2 = \\pm(S/k - (T - S)/(n - k))`, so the null
    distribution only needs sums of random size-*k* subsets. The p-value
    conventions are those of ``scipy.stats.permutation_test``: Monte-Carlo
    :math:`p = (\\#\\{T^* \\text{ at least as extreme}\\} + 1)/(B + 1)`
    (Phipson & Smyth 2010), exact :math:`p` = proportion of all splits, and
    two-sided :math:`p = \\min(1, 2 \\min(p_{less}, p_{greater}))`. Ties are
    counted as at least as extreme with a relative tolerance of 100 machine
    epsilons of the statistic's range. The one-sided p-values equal those of
    R's ``coin::oneway_test(value ~ group, distribution = "exact")``; coin's
    two-sided p uses :math:`|T^*| \\ge |t|` instead, which differs when the
    null distribution is skewed.

    The random splits are drawn with a vectorised partial Fisher-Yates shuffle
    rather than by ``scipy.stats.permutation_test(permutation_type=
    'independent')``, which draws one permutation per Python-level call and
    takes 30 ms at n = 82 (this function: 2-3 ms; see the module Notes). The
    two agree within Monte-Carlo error (tested).

    When the total exceeds ``RESAMPLING_MAX_N`` and both groups exceed
    ``ASYMPTOTIC_MIN_GROUP``, the p-value is that of Student's pooled *t*-test
    (R's ``t.test(x, y, var.equal = TRUE)``), the large-sample equivalent of
    this unstudentized test, whose permutation distribution has the pooled
    (equal-spread) variance; Welch's test would be the equivalent of another
    test (:func:`permutation_test_welch`). ``method`` reads ``"asymptotic
    Student pooled t-test (equal spread assumed) (n=... > RESAMPLING_MAX_N=...
    and smaller group n=... > ASYMPTOTIC_MIN_GROUP=...)"``. The decision is
    taken on the smaller group: three values against 5,000 are still permuted
    (module docstring).

    This test assumes that the two distributions are identical under the null
    hypothesis, spread included: with unequal spreads it is not a test of
    equal means (use :func:`permutation_test_welch`).

    References
    ----------
    .. [1] B. Phipson and G. K. Smyth, "Permutation p-values should never be
       zero", *Statistical Applications in Genetics and Molecular Biology*
       9(1), 2010.
    .. [2] P. Good, *Permutation, Parametric and Bootstrap Tests of
       Hypotheses*, 3rd ed., Springer, 2005.

    Examples
    --------
    >>> from analysis.resampling import permutation_test_mean_diff
    >>> res = permutation_test_mean_diff([1.1, 2.3, 0.4, 3.8, 2.9],
    ...                                  [0.2, 1.5, -0.7, 0.9, 1.8, -0.3])
    >>> print(round(res.statistic, 4), round(res.pvalue, 4), res.method)
    1.5333 0.0693 exact permutation (all 462 splits)
    """
    x = _as_sample(x_cramp, "x_cramp", min_n=1)
    y = _as_sample(x_control, "x_control", min_n=1)
    n_resamples = _check_n_resamples(n_resamples)
    seed = _check_seed(seed)
    _check_alternative(alternative)
    return _permutation(x, y, n_resamples, seed, alternative, studentized=False)


def permutation_test_welch(
    x_cramp: ArrayLike,
    x_control: ArrayLike,
    *,
    n_resamples: int = 10_000,
    seed: int = DEFAULT_SEED,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> PermutationResult:
    """Studentized permutation test: permutes the Welch *t* statistic.

    Parameters
    ----------
    x_cramp, x_control : array_like
        One-dimensional samples of the variable in the cramp and the control
        group, finite values only; at least 2 each.
    n_resamples : int, default 10000
        Number of random splits drawn when the splits are too many to
        enumerate (more than ``max(EXACT_MAX_SPLITS, n_resamples)``).
    seed : int, default 20261125
        Seed of the ``numpy.random.Generator`` that draws the splits.
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
        Alternative hypothesis for mean(cramp) - mean(control).

    Returns
    -------
    PermutationResult
        ``statistic`` (the observed Welch *t*, dimensionless; ``±inf`` when
        both groups are constant and differ), ``pvalue``, ``n_resamples``
        (splits evaluated; 0 for the asymptotic form), ``seed`` (``None``
        when nothing was drawn) and ``method``
        (``"exact studentized permutation (all 462 splits)"``,
        ``"Monte-Carlo studentized permutation"``, an asymptotic Welch
        *t*-test, or why nothing was computed; module docstring).

    Raises
    ------
    ValueError
        If a sample is not one-dimensional, has fewer than 2 values or holds a
        non-finite value; if ``n_resamples``, ``seed`` or ``alternative`` is
        out of range.
    TypeError
        If ``n_resamples`` is not an integer.

    Notes
    -----
    For every split of the pooled values into groups of the observed sizes
    the Welch statistic
    :math:`t = (\\bar x_1 - \\bar x_2)/\\sqrt{s_1^2/n_1 + s_2^2/n_2}` is
    recomputed, from each split's sums of the values and of their squares.
    The p-value conventions are those of :func:`permutation_test_mean_diff`
    (two-sided :math:`p = \\min(1, 2\\min(p_{less}, p_{greater}))`; exact
    when enumerated, :math:`(\\# + 1)/(B + 1)` when drawn); statistics within
    :math:`10^{-9}\\max(1, |t|)` of the observed one count as ties.

    The raw mean difference permuted by :func:`permutation_test_mean_diff`
    has a permutation distribution whose spread is that of the *pooled*
    data: when the group with fewer values is the more variable one, its
    tests reject far too often (type I error 0.187 at 15 vs 67 with an SD
    ratio of 2, nominal 0.05; ``docs/simulation.md``). Studentizing makes the
    permutation distribution of *t* tend to the same standard normal as the
    sampling distribution of *t* under equal means, whatever the spreads
    (Janssen 1997; Chung & Romano 2013), while the test stays exact when the
    two distributions are identical. The guarantee is asymptotic: in the same
    simulation the studentized test rejected 0.073 of the time (Monte-Carlo
    standard error 0.004), far closer to 0.05 than the raw test but above it,
    because the permutation distribution of *t* is that of equal spreads and
    has lighter tails than the Welch *t* with a small, variable group; the
    Welch *t*-test (0.053) and Brunner-Munzel (0.059) held their level
    better there. A split in which a group has zero
    variance has infinite *t* (0 when the means are equal too); a group
    variance below :math:`10^{-10}` times the largest squared centred value is
    taken as 0, so that rounding does not turn a constant group into a huge
    finite *t*.

    Checked against the algorithm written out in R with exact enumeration
    (``tests/reference/studentized.R``; ``coin`` has no studentized test).

    References
    ----------
    .. [1] A. Janssen, "Studentized permutation tests for non-i.i.d.
       hypotheses and the generalized Behrens-Fisher problem", *Statistics &
       Probability Letters* 36(1), 9-21, 1997.
    .. [2] E. Chung and J. P. Romano, "Exact and asymptotically robust
       permutation tests", *Annals of Statistics* 41(2), 484-507, 2013.

    Examples
    --------
    >>> from analysis.resampling import permutation_test_welch
    >>> res = permutation_test_welch([1.1, 2.3, 0.4, 3.8, 2.9],
    ...                              [0.2, 1.5, -0.7, 0.9, 1.8, -0.3])
    >>> print(round(res.statistic, 4), round(res.pvalue, 4), res.method)
    2.0877 0.0649 exact studentized permutation (all 462 splits)
    """
    x = _as_sample(x_cramp, "x_cramp", min_n=2)
    y = _as_sample(x_control, "x_control", min_n=2)
    n_resamples = _check_n_resamples(n_resamples)
    seed = _check_seed(seed)
    _check_alternative(alternative)
    return _permutation(x, y, n_resamples, seed, alternative, studentized=True)


def _check_alternative(alternative: str) -> None:
    if alternative not in _ALTERNATIVES:
        raise ValueError(f"`alternative` must be one of {_ALTERNATIVES}; got {alternative!r}.")


def _all_subset_sums(z: np.ndarray, k: int) -> np.ndarray:
    """Column sums of every size-``k`` subset of the rows of ``z`` (``n x d``).

    Built element by element (``sums[j]`` holds the sums of the ``j``-subsets
    of the rows seen so far), keeping only the ``j`` that can still reach
    ``k``: about ``comb(n + 1, k + 1)`` additions in all, no index matrix.
    """
    n, d = z.shape
    sums: list[np.ndarray] = [np.zeros((1, d))] + [np.empty((0, d))] * k
    for i in range(n):
        lowest = max(1, k - (n - i - 1))
        for j in range(min(i + 1, k), lowest - 1, -1):
            sums[j] = np.concatenate([sums[j], sums[j - 1] + z[i]])
        for j in range(lowest - 1):
            sums[j] = np.empty((0, d))
    return sums[k]


def _welch_t_from_sums(
    sums: np.ndarray, totals: np.ndarray, k: int, n: int, tiny_var: float, tiny_diff: float
) -> np.ndarray:
    """Welch t of (first group - second group) from each split's (sum, sum of squares)."""
    s_a, q_a = sums[:, 0], sums[:, 1]
    s_b, q_b = totals[0] - s_a, totals[1] - q_a
    var_a = (q_a - s_a**2 / k) / (k - 1)
    var_b = (q_b - s_b**2 / (n - k)) / (n - k - 1)
    var_a = np.where(var_a <= tiny_var, 0.0, var_a)
    var_b = np.where(var_b <= tiny_var, 0.0, var_b)
    diff = s_a / k - s_b / (n - k)
    se = np.sqrt(var_a / k + var_b / (n - k))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = diff / se
    fill = np.where(np.abs(diff) <= tiny_diff, 0.0, np.copysign(np.inf, diff))
    t = np.where(se == 0, fill, t)
    return t


def _split_sums(
    z: np.ndarray, k: int, n_resamples: int, seed: int
) -> tuple[np.ndarray, int, int | None, str]:
    """Sums over the smaller group of every split (exact) or of random splits."""
    n = z.shape[0]
    n_splits = math.comb(n, k)
    if n_splits <= max(EXACT_MAX_SPLITS, n_resamples):
        sums = _all_subset_sums(z.reshape(n, -1), k).reshape((n_splits, *z.shape[1:]))
        return sums, n_splits, None, f"all {n_splits} splits"
    rng = np.random.default_rng(seed)
    return _random_subset_sums(z, k, n_resamples, rng), n_resamples, seed, ""


def _permutation(
    x: np.ndarray,
    y: np.ndarray,
    n_resamples: int,
    seed: int,
    alternative: str,
    *,
    studentized: bool,
) -> PermutationResult:
    kind = "studentized permutation" if studentized else "permutation"
    n1, n2 = x.size, y.size
    n = n1 + n2
    regime, reason = _regime(n1, n2)
    if regime != "resample":
        # the raw difference's permutation distribution behaves like Student's
        # pooled t (same null: identical distributions); the studentized one like Welch's
        test = stats.ttest_ind(x, y, equal_var=not studentized, alternative=alternative)
        asymptotic = regime == "asymptotic"
        name = "Welch t-test" if studentized else "Student pooled t-test (equal spread assumed)"
        return PermutationResult(
            statistic=float(test.statistic if studentized else np.mean(x) - np.mean(y)),
            pvalue=float(test.pvalue) if asymptotic else math.nan,
            n_resamples=0,
            seed=None,
            method=f"asymptotic {name} ({reason})" if asymptotic else f"{kind} {reason}",
        )

    # Centre the pooled data (smaller rounding error in the sums), put the
    # smaller group first, and express the statistic through its sums.
    z = np.concatenate([x, y])
    z = z - z.mean()
    small_first = n1 <= n2
    k = n1 if small_first else n2
    if not small_first:
        z = np.concatenate([z[n1:], z[:n1]])
    sign = 1.0 if small_first else -1.0
    if studentized:
        zz = np.column_stack([z, z * z])
        totals = zz.sum(axis=0)
        tiny_var = 1e-10 * float(np.max(z * z))
        tiny_diff = 1e-12 * float(np.max(np.abs(z)))

        def statistic(sums: np.ndarray) -> np.ndarray:
            return sign * _welch_t_from_sums(sums, totals, k, n, tiny_var, tiny_diff)

        observed = float(statistic(zz[:k].sum(axis=0)[None, :])[0])
        gamma = 0.0 if math.isinf(observed) else 1e-9 * max(1.0, abs(observed))
    else:
        zz = z
        total = z.sum()

        def statistic(sums: np.ndarray) -> np.ndarray:
            return sign * (np.asarray(sums) / k - (total - np.asarray(sums)) / (n - k))

        observed = float(statistic(z[:k].sum()))
        # tolerance for numerically distinct but theoretically equal statistics
        scale = np.sort(np.abs(z))[-k:].sum() * (1 / k + 1 / (n - k))
        gamma = 100 * np.finfo(float).eps * max(abs(observed), scale)

    sums, used, used_seed, label = _split_sums(zz, k, n_resamples, seed)
    null = statistic(sums)
    adjustment = 0 if used_seed is None else 1
    method = f"exact {kind} ({label})" if used_seed is None else f"Monte-Carlo {kind}"
    p_less = (np.count_nonzero(null <= observed + gamma) + adjustment) / (used + adjustment)
    p_greater = (np.count_nonzero(null >= observed - gamma) + adjustment) / (used + adjustment)
    pvalue = {
        "less": p_less,
        "greater": p_greater,
        "two-sided": 2 * min(p_less, p_greater),
    }[alternative]
    return PermutationResult(
        statistic=observed if studentized else float(np.mean(x) - np.mean(y)),
        pvalue=float(min(1.0, pvalue)),
        n_resamples=used,
        seed=used_seed,
        method=method,
    )


# --------------------------------------------------------------------------- #
# studentized bootstrap
# --------------------------------------------------------------------------- #
def _welch_or_nothing_ci(
    x: np.ndarray, y: np.ndarray, confidence_level: float, regime: str, reason: str, name: str
) -> BootstrapCI:
    """The Welch interval (asymptotic regime) or NaN (nothing), labelled."""
    if regime == "asymptotic":
        welch = stats.ttest_ind(x, y, equal_var=False)
        ci = welch.confidence_interval(confidence_level=confidence_level)
        low, high, method = float(ci.low), float(ci.high), f"asymptotic Welch t ({reason})"
    else:
        low, high, method = math.nan, math.nan, f"{name} {reason}"
    return BootstrapCI(
        ci_low=low,
        ci_high=high,
        confidence_level=float(confidence_level),
        method=method,
        n_resamples=0,
        seed=None,
    )


def _bootstrap_t_stats(
    x: np.ndarray, y: np.ndarray, n_resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """Studentized bootstrap statistics (d* - d) / se*, groups resampled separately."""
    n1, n2 = x.size, y.size
    d = x.mean() - y.mean()
    batch = _batch_size(n1 + n2, n_resamples, _BOOT_BATCH_VALUES)
    out = np.empty(n_resamples)
    for start in range(0, n_resamples, batch):
        b = min(batch, n_resamples - start)
        xs = x[rng.integers(0, n1, size=(b, n1))]
        ys = y[rng.integers(0, n2, size=(b, n2))]
        num = xs.mean(axis=1) - ys.mean(axis=1) - d
        se = np.sqrt(xs.var(axis=1, ddof=1) / n1 + ys.var(axis=1, ddof=1) / n2)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = num / se
        out[start : start + b] = np.where(np.isnan(t), 0.0, t)
    return out


def bootstrap_t_mean_diff_ci(
    x_cramp: ArrayLike,
    x_control: ArrayLike,
    *,
    confidence_level: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = DEFAULT_SEED,
) -> BootstrapCI:
    """Studentized bootstrap (bootstrap-t) interval of mean(cramp) - mean(control).

    Parameters
    ----------
    x_cramp, x_control : array_like
        One-dimensional samples of the variable in the cramp and the control
        group, finite values only; at least 2 each.
    confidence_level : float, default 0.95
        Two-sided confidence level, strictly between 0 and 1.
    n_resamples : int, default 10000
        Number of bootstrap resamples (positive).
    seed : int, default 20261125
        Seed of the ``numpy.random.Generator`` that draws the resamples.

    Returns
    -------
    BootstrapCI
        ``ci_low``, ``ci_high`` (units of the variable; NaN when neither group
        varies, since the statistic is then undefined), ``confidence_level``,
        ``method`` (``"bootstrap-t"``, the asymptotic Welch interval, or why
        nothing was computed; module docstring), ``n_resamples`` drawn and
        ``seed``.

    Raises
    ------
    ValueError
        If a sample is not one-dimensional, holds a non-finite value or has
        fewer than 2 observations; if ``confidence_level``, ``n_resamples`` or
        ``seed`` is out of range.
    TypeError
        If ``n_resamples`` is not an integer.

    Notes
    -----
    With :math:`d = \\bar x_1 - \\bar x_2` and the Welch standard error
    :math:`se = \\sqrt{s_1^2/n_1 + s_2^2/n_2}`, each group is resampled with
    replacement separately and :math:`T^* = (d^* - d)/se^*` is computed with
    the resample's own Welch standard error. The interval is
    :math:`[d - \\hat t_{1-\\alpha/2}\\, se,\\; d - \\hat t_{\\alpha/2}\\, se]`
    with :math:`\\hat t_q` the :math:`\\lceil qB \\rceil`-th smallest
    :math:`T^*` (``numpy.quantile(..., method="inverted_cdf")``; Efron &
    Tibshirani 1993, eq. 12.22). A resample in which both groups are constant
    has :math:`se^* = 0` and :math:`T^* = \\pm\\infty` (0 if :math:`d^* = d`);
    with very small groups the interval can then be unbounded, which is what
    the method gives.

    The bootstrap-t interval is second-order accurate, like BCa, but it
    corrects for skewness through the studentized statistic rather than
    through the percentiles of :math:`d^*`. In the simulation of
    ``docs/simulation.md`` (15 vs 67, nominal 0.95) it covered 0.946-0.952
    with normal data whatever the SD ratio (BCa 0.918-0.936) and 0.890 with
    lognormal data (BCa 0.864, Welch 0.918): closer to nominal than BCa, but
    not better than the Welch interval at these sizes. It is
    checked against the exact bootstrap distribution enumerated in R
    (``tests/reference/studentized.R``) within Monte-Carlo error.

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*,
       Chapman & Hall, 1993, chapter 12.
    .. [2] P. Hall, *The Bootstrap and Edgeworth Expansion*, Springer, 1992.

    Examples
    --------
    >>> from analysis.resampling import bootstrap_t_mean_diff_ci
    >>> cramp = [139.2, 141.5, 136.8, 144.1, 138.7, 140.3, 135.9, 142.6, 137.4, 143.8]
    >>> control = [140.1, 142.3, 139.5, 143.7, 141.2, 144.9, 138.8, 142.0, 140.6,
    ...            145.3, 139.9, 141.8, 143.1, 142.7]
    >>> ci = bootstrap_t_mean_diff_ci(cramp, control)
    >>> print(round(ci.ci_low, 1), round(ci.ci_high, 1), ci.method, ci.n_resamples)
    -4.1 0.5 bootstrap-t 10000
    """
    x = _as_sample(x_cramp, "x_cramp", min_n=2)
    y = _as_sample(x_control, "x_control", min_n=2)
    _check_level(confidence_level)
    n_resamples = _check_n_resamples(n_resamples)
    seed = _check_seed(seed)
    regime, reason = _regime(x.size, y.size)
    if regime != "resample":
        return _welch_or_nothing_ci(x, y, confidence_level, regime, reason, "bootstrap-t")
    d = float(x.mean() - y.mean())
    se = math.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)
    if se == 0:
        return _welch_or_nothing_ci(x, y, confidence_level, "none", _NO_VARIATION, "bootstrap-t")
    tstar = _bootstrap_t_stats(x, y, n_resamples, np.random.default_rng(seed))
    alpha = 1 - confidence_level
    q_low, q_high = np.quantile(tstar, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    return BootstrapCI(
        ci_low=float(d - q_high * se),
        ci_high=float(d - q_low * se),
        confidence_level=float(confidence_level),
        method="bootstrap-t",
        n_resamples=n_resamples,
        seed=seed,
    )


def _check_level(confidence_level: float) -> None:
    if not 0 < confidence_level < 1:
        raise ValueError(
            f"`confidence_level` must be strictly between 0 and 1; got {confidence_level!r}."
        )
