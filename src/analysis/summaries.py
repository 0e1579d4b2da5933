"""Recompute comparisons from published group summaries (n, mean, SD).

Three jobs: :func:`compare_summary` turns a published "mean (SD)" pair into
the mean difference with its Welch interval, Welch and Student tests and
Hedges' g; :func:`check_reported_p` asks which t-test (two-sided or
one-sided, Student or Welch) reproduces a printed p-value from the printed
means and SDs, allowing for the rounding of every printed number, and says
so neutrally; :func:`rank_test_simulation` is an explicitly labelled
simulation check of whether a rank test on skewed data could plausibly have
given the printed p.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy import optimize, stats

from analysis.effect_size import (
    _check_level,
    _check_summary,
    _pooled_sd,
    hedges_g_from_stats,
)
from analysis.equivalence import _t_interval, _welch_se_df

__all__ = [
    "RankTestSimulation",
    "ReportedPCheck",
    "SummaryComparison",
    "check_reported_p",
    "compare_summary",
    "rank_test_simulation",
]

#: The t-tests :func:`check_reported_p` tries, in the order it names them.
T_TESTS = (
    "two-sided Welch t-test",
    "two-sided Student t-test",
    "one-sided Welch t-test",
    "one-sided Student t-test",
)
NOT_REPRODUCED = (
    "not reproducible by a t-test from the printed summaries; "
    "the authors may have used another test"
)


# --------------------------------------------------------------------------
# t statistics from summaries
# --------------------------------------------------------------------------


def _student_se_df(n1: int, s1: float, n2: int, s2: float) -> tuple[float, float]:
    """Pooled-variance standard error of the mean difference and its df."""
    sp = _pooled_sd(n1, s1, n2, s2)
    if sp == 0:
        raise ValueError("both groups have zero standard deviation: the t statistic is undefined")
    return sp * math.sqrt(1 / n1 + 1 / n2), float(n1 + n2 - 2)


def _log_p_two_sided(abs_diff: float, se: float, df: float) -> float:
    """log of the two-sided t-test p-value for |difference| / se on df."""
    return math.log(2) + float(stats.t.logsf(abs_diff / se, df))


@dataclass(frozen=True)
class SummaryComparison:
    """Two-group comparison recomputed from n, mean and SD of each group.

    Attributes
    ----------
    mean_diff : float
        Mean of cramp minus mean of control (unit of the data).
    ci_low, ci_high : float
        Welch confidence interval of the difference (unit of the data).
    t_welch, df_welch, p_welch : float
        Welch t statistic, Welch-Satterthwaite df and two-sided p-value.
    t_student, df_student, p_student : float
        Pooled-variance (Student) t statistic, df = n1 + n2 - 2 and two-sided
        p-value.
    hedges_g, hedges_g_ci_low, hedges_g_ci_high : float
        Hedges' g (cramp minus control, pooled-SD units) and its interval, as
        :func:`analysis.effect_size.hedges_g_from_stats`.
    confidence_level : float
        Level of both intervals.
    """

    mean_diff: float
    ci_low: float
    ci_high: float
    t_welch: float
    df_welch: float
    p_welch: float
    t_student: float
    df_student: float
    p_student: float
    hedges_g: float
    hedges_g_ci_low: float
    hedges_g_ci_high: float
    confidence_level: float


def compare_summary(
    n_cramp: int,
    mean_cramp: float,
    sd_cramp: float,
    n_control: int,
    mean_control: float,
    sd_control: float,
    *,
    confidence_level: float = 0.95,
) -> SummaryComparison:
    r"""Mean difference, Welch and Student t tests and Hedges' g from summaries.

    Parameters
    ----------
    n_cramp, n_control : int
        Group sizes, each at least 2.
    mean_cramp, mean_control : float
        Group means, same unit.
    sd_cramp, sd_control : float
        Sample standard deviations (denominator n - 1); not both 0.
    confidence_level : float, default 0.95
        Level of the Welch interval and of the Hedges' g interval, in (0, 1).

    Returns
    -------
    SummaryComparison
        ``mean_diff``, ``ci_low``, ``ci_high`` (unit of the data), ``t_welch``,
        ``df_welch``, ``p_welch``, ``t_student``, ``df_student``,
        ``p_student``, ``hedges_g``, ``hedges_g_ci_low``, ``hedges_g_ci_high``
        (pooled-SD units), ``confidence_level``.

    Raises
    ------
    ValueError
        If a size is below 2, a value is not finite, an SD is negative, both
        SDs are 0 or `confidence_level` is not in (0, 1).

    Notes
    -----
    Welch: :math:`se = \sqrt{s_1^2/n_1 + s_2^2/n_2}` with Welch-Satterthwaite
    df; Student: :math:`se = s_p\sqrt{1/n_1 + 1/n_2}`, df :math:`n_1+n_2-2`;
    :math:`t = (\bar x_1 - \bar x_2)/se`, :math:`p = 2P(T_{df} > |t|)`, and the
    interval is :math:`\bar x_1 - \bar x_2 \pm t_{df,(1+c)/2}\, se`. Matches R
    ``t.test(x, y)`` and ``t.test(x, y, var.equal = TRUE)`` run on vectors
    that have exactly the given means and SDs (what
    ``scipy.stats.ttest_ind_from_stats`` computes, plus the interval it does
    not give). Hedges' g is as ``metafor::escalc(measure = "SMD")``.

    References
    ----------
    .. [1] Welch BL. The generalization of "Student's" problem when several
       different population variances are involved. Biometrika
       1947;34(1-2):28-35.
    .. [2] Schwellnus MP, Nicol J, Laubscher R, Noakes TD. Serum electrolyte
       concentrations and hydration status are not associated with exercise
       associated muscle cramping (EAMC) in distance runners. Br J Sports Med
       2004;38(4):488-492.

    Examples
    --------
    Schwellnus et al. (2004), post-race serum sodium (reported p = 0.004):

    >>> from analysis.summaries import compare_summary
    >>> res = compare_summary(21, 139.8, 3.1, 22, 142.3, 2.1)
    >>> print(f"{res.mean_diff:.2f} mmol/L [{res.ci_low:.2f}, {res.ci_high:.2f}]")
    -2.50 mmol/L [-4.15, -0.85]
    >>> print(f"Welch p = {res.p_welch:.4f}, Student p = {res.p_student:.4f}")
    Welch p = 0.0040, Student p = 0.0034
    """
    n1, m1, s1, n2, m2, s2 = _check_summary(
        n_cramp, mean_cramp, sd_cramp, n_control, mean_control, sd_control
    )
    level = _check_level(confidence_level, "confidence_level")
    diff = m1 - m2
    se_w, df_w = _welch_se_df(n1, s1, n2, s2)
    se_s, df_s = _student_se_df(n1, s1, n2, s2)
    ci_low, ci_high = _t_interval(diff, se_w, df_w, level)
    g = hedges_g_from_stats(n1, m1, s1, n2, m2, s2, confidence_level=level)
    return SummaryComparison(
        mean_diff=diff,
        ci_low=ci_low,
        ci_high=ci_high,
        t_welch=diff / se_w,
        df_welch=df_w,
        p_welch=math.exp(_log_p_two_sided(abs(diff), se_w, df_w)),
        t_student=diff / se_s,
        df_student=df_s,
        p_student=math.exp(_log_p_two_sided(abs(diff), se_s, df_s)),
        hedges_g=g.g,
        hedges_g_ci_low=g.ci_low,
        hedges_g_ci_high=g.ci_high,
        confidence_level=level,
    )


# --------------------------------------------------------------------------
# consistency of a reported p-value with rounded summaries
# --------------------------------------------------------------------------

_VALUE_NAMES = ("mean_cramp", "sd_cramp", "mean_control", "sd_control")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.(\d*))?|\.(\d+))")
_P_TEXT = re.compile(r"(?:p\s*)?(<=|>=|≤|≥|<|>|=)?\s*(.*)", re.IGNORECASE)
# SD boxes that reach 0 are floored at this fraction of their upper end, so
# that a standard error never becomes exactly 0 (p then tends to 0 anyway).
_SD_FLOOR = 1e-9


@dataclass(frozen=True)
class ReportedPCheck:
    """Whether a printed p-value fits the printed means and SDs.

    Attributes
    ----------
    n_cramp, n_control : int
        Group sizes (taken as exact).
    mean_cramp, sd_cramp, mean_control, sd_control : float
        Printed values as numbers (unit of the data).
    reported_p : str or float
        The reported p-value as given.
    box : dict of str to (float, float)
        For each of ``mean_cramp``, ``sd_cramp``, ``mean_control``,
        ``sd_control``: the interval of true values that print as given
        (printed value -/+ half a unit in the last printed digit; SDs floored
        just above 0).
    reported_interval : (float, float)
        Interval of true p that prints as `reported_p`: -/+ half a unit in its
        last digit, ``(0, bound)`` for ``"<bound"`` and ``(bound, 1)`` for
        ``">bound"``.
    p_student_at_printed, p_welch_at_printed : float
        Two-sided p-values computed from the printed values.
    p_student_min, p_student_max : float
        Smallest and largest Student p-value anywhere in the box.
    p_welch_min, p_welch_max : float
        Smallest and largest Welch p-value anywhere in the box.
    consistent_student, consistent_welch : bool
        Whether the reachable range of that test overlaps `reported_interval`.
    consistent : bool
        ``consistent_student or consistent_welch``.
    consistent_at_printed : bool
        Whether either two-sided p at the printed values lies in
        `reported_interval` (the naive face-value check).
    p_student_one_sided_min, p_student_one_sided_max : float
        Range of the one-sided Student p over the box, the alternative taken
        in the direction of the printed difference (half the two-sided p).
    p_welch_one_sided_min, p_welch_one_sided_max : float
        The same for Welch.
    reproduced_at_printed : tuple of str
        The tests of :data:`T_TESTS` whose p at the printed values lies in
        `reported_interval`.
    reproduced_within_rounding : tuple of str
        The tests whose range over the box overlaps `reported_interval`
        (a superset of `reproduced_at_printed`).
    verdict : str
        A neutral sentence naming the test(s) that reproduce the printed p,
        or :data:`NOT_REPRODUCED`. It never says "inconsistent": a p that no
        t-test reproduces may come from another test (a rank test, a
        one-way ANOVA on more groups, an adjusted model).
    """

    n_cramp: int
    mean_cramp: float
    sd_cramp: float
    n_control: int
    mean_control: float
    sd_control: float
    reported_p: str | float
    box: dict[str, tuple[float, float]]
    reported_interval: tuple[float, float]
    p_student_at_printed: float
    p_welch_at_printed: float
    p_student_min: float
    p_student_max: float
    p_welch_min: float
    p_welch_max: float
    consistent_student: bool
    consistent_welch: bool
    consistent: bool
    consistent_at_printed: bool
    p_student_one_sided_min: float
    p_student_one_sided_max: float
    p_welch_one_sided_min: float
    p_welch_one_sided_max: float
    reproduced_at_printed: tuple[str, ...]
    reproduced_within_rounding: tuple[str, ...]
    verdict: str


def _decimals_for(name: str, decimals: int | Mapping[str, int] | None) -> int | None:
    if decimals is None:
        return None
    if isinstance(decimals, Mapping):
        value = decimals.get(name)
    elif name == "reported_p":
        return None  # an int applies to means and SDs only
    else:
        value = decimals
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"`decimals` for `{name}` must be an integer; got {value!r}")
    return int(value)


def _parse_printed(
    value: object, name: str, decimals: int | Mapping[str, int] | None
) -> tuple[float, float]:
    """Return (value, half-width of its rounding interval) for a printed number."""
    if isinstance(value, str):
        text = value.strip()
        match = _NUMBER.fullmatch(text)
        if match is None:
            raise ValueError(f"`{name}` must be a printed number such as '0.73'; got {value!r}")
        digits = match.group(1) or match.group(2) or ""
        return float(text), 0.5 * 10.0 ** -len(digits)
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise TypeError(f"`{name}` must be a printed string or a finite number; got {value!r}")
    places = _decimals_for(name, decimals)
    if places is None:
        raise ValueError(
            f"`{name}` is the number {value!r}, so its printed precision is unknown: pass it "
            f"as the printed string (e.g. '{value}') or give `decimals=`"
        )
    return float(value), 0.5 * 10.0**-places


def _parse_reported_p(
    reported_p: object, decimals: int | Mapping[str, int] | None
) -> tuple[float, float]:
    """Return the interval of true p-values that print as `reported_p`."""
    if isinstance(reported_p, str):
        match = _P_TEXT.fullmatch(reported_p.strip())
        operator, number = match.group(1) or "=", match.group(2).strip()
        if _NUMBER.fullmatch(number) is None:
            raise ValueError(
                "`reported_p` must look like '0.03', '.007', 'p = 0.004' or '<.001'; "
                f"got {reported_p!r}"
            )
        value, half = _parse_printed(number, "reported_p", None)
    else:
        operator = "="
        value, half = _parse_printed(reported_p, "reported_p", decimals)
    if not 0 <= value <= 1:
        raise ValueError(f"`reported_p` must lie in [0, 1]; got {reported_p!r}")
    if operator in ("<", "<=", "≤"):
        return 0.0, value
    if operator in (">", ">=", "≥"):
        return value, 1.0
    return max(value - half, 0.0), min(value + half, 1.0)


def _welch_log_p_extreme(
    abs_diff: float,
    n1: int,
    sd1: tuple[float, float],
    n2: int,
    sd2: tuple[float, float],
    *,
    largest: bool,
) -> float:
    """Smallest (or largest) log Welch p over the SD box at a fixed |difference|."""
    if abs_diff == 0:
        return 0.0  # p = 1 whatever the SDs

    def sds(a: float, b: float) -> tuple[float, float]:
        return sd1[0] + a * (sd1[1] - sd1[0]), sd2[0] + b * (sd2[1] - sd2[0])

    def objective(ab: np.ndarray) -> float:
        s1, s2 = sds(float(ab[0]), float(ab[1]))
        se, df = _welch_se_df(n1, s1, n2, s2)
        log_p = _log_p_two_sided(abs_diff, se, df)
        return -log_p if largest else log_p

    grid = np.linspace(0.0, 1.0, 17)  # includes corners and edge points
    points = [np.array([a, b]) for a in grid for b in grid]
    values = [objective(pt) for pt in points]
    best = int(np.argmin(values))
    polished = optimize.minimize(
        objective, points[best], method="L-BFGS-B", bounds=[(0.0, 1.0), (0.0, 1.0)]
    )
    value = min(values[best], float(polished.fun))
    return -value if largest else value


def check_reported_p(
    n_cramp: int,
    mean_cramp: str | float,
    sd_cramp: str | float,
    n_control: int,
    mean_control: str | float,
    sd_control: str | float,
    reported_p: str | float,
    *,
    decimals: int | Mapping[str, int] | None = None,
) -> ReportedPCheck:
    r"""Which t-test reproduces a printed p-value from printed means and SDs, within rounding.

    Parameters
    ----------
    n_cramp, n_control : int
        Group sizes (exact), each at least 2.
    mean_cramp, sd_cramp, mean_control, sd_control : str or float
        Printed means and SDs. A string (``"0.73"``, ``"139.8"``) carries its
        own precision: the true value lies within half a unit of its last
        digit. A number needs `decimals`.
    reported_p : str or float
        The printed p-value: ``"0.03"``, ``".007"``, ``"p = 0.004"``,
        ``"<.001"`` (also ``"p < 0.05"``, ``">0.2"``, ``≤``, ``≥``). A number
        needs ``decimals={"reported_p": k}``.
    decimals : int or mapping of str to int, optional
        Number of printed decimals for numeric inputs. An int applies to the
        means and SDs; a mapping may name any of ``mean_cramp``, ``sd_cramp``,
        ``mean_control``, ``sd_control`` and ``reported_p``. Strings always
        use their own printed precision.

    Returns
    -------
    ReportedPCheck
        The inputs, the rounding ``box``, ``reported_interval``, p at the
        printed values, the range of two-sided and one-sided Student and Welch
        p over the box, the tests that reproduce the printed p
        (``reproduced_at_printed``, ``reproduced_within_rounding``), a neutral
        ``verdict``, and the two-sided flags kept from earlier versions:
        ``consistent_student``, ``consistent_welch``, ``consistent`` (either
        two-sided test) and ``consistent_at_printed``.

    Raises
    ------
    ValueError
        If a string is not a printed number (or p-value), a numeric input
        lacks `decimals`, a size is below 2, an SD is negative, `decimals`
        names an unknown argument, or the reported p is outside [0, 1].
    TypeError
        If an input has the wrong type.

    Notes
    -----
    For fixed SDs both p-values fall as :math:`|\bar x_1 - \bar x_2|` grows,
    and the means do not enter the df, so the largest and smallest |difference|
    in the box (the mean corners; 0 if the box allows equal means) give the
    extremes. Student p also rises with each SD at fixed df, so its extremes
    are at the SD corners. Welch p is not monotone in the SDs jointly, because
    the Welch-Satterthwaite df moves with them; its extremes are found on a
    17 x 17 grid over the SD box (corners and edges included), polished by
    bounded L-BFGS-B from the best grid point, working on log p. The reported
    p is reproduced by a test if the reachable range of that test overlaps
    the interval of p that prints as reported (intervals closed). The t tests
    are those of :func:`compare_summary` (R ``t.test``). A one-sided p is
    taken in the direction of the printed difference: half the two-sided p
    (R ``t.test(..., alternative = "greater")`` when cramp > control). Four
    tests are tried because papers rarely say which one they ran; a p that
    none reproduces is reported as :data:`NOT_REPRODUCED`, never as an error:
    a rank test, an ANOVA over more groups or an adjusted model can all give
    another p from the same summaries (:func:`rank_test_simulation` checks a
    rank test, by simulation).

    References
    ----------
    .. [1] Brown NJL, Heathers JAJ. The GRIM test: a simple technique detects
       numerous anomalies in the reporting of results in psychology. Soc
       Psychol Personal Sci 2017;8(4):363-369.
    .. [2] Schwellnus MP et al. Br J Sports Med 2004;38(4):488-492.

    Examples
    --------
    Schwellnus et al. (2004) magnesium: p = 0.03 looks wrong at face value but
    is reachable within the rounding of the printed means and SDs.

    >>> from analysis.summaries import check_reported_p
    >>> res = check_reported_p(21, "0.73", "0.06", 22, "0.67", "0.08", "0.03")
    >>> print(f"face value p = {res.p_welch_at_printed:.4f}; "
    ...       f"box: {res.p_welch_min:.4f} to {res.p_welch_max:.4f}")
    face value p = 0.0081; box: 0.0012 to 0.0359
    >>> res.consistent_at_printed, res.consistent
    (False, True)
    >>> print(res.verdict)  # doctest: +NORMALIZE_WHITESPACE
    reproduced by the two-sided Welch t-test and two-sided Student t-test within
    the rounding of the printed means and SDs (4 t-tests tried (two-sided and
    one-sided, Welch and Student))

    Martínez-Navarro et al. (2022), post-race LDH: p = 0.002 is the one-sided
    Welch p.

    >>> res = check_reported_p(20, "362.27", "72.10", 68, "307.87", "52.42", "0.002")
    >>> print(res.verdict)  # doctest: +NORMALIZE_WHITESPACE
    reproduced by the one-sided Welch t-test at the printed values (4 t-tests
    tried (two-sided and one-sided, Welch and Student); a match by one-sided
    tests only is also what a two-sided p halved looks like)
    """
    if decimals is not None and isinstance(decimals, Mapping):
        unknown = sorted(set(decimals) - {*_VALUE_NAMES, "reported_p"})
        if unknown:
            raise ValueError(
                f"`decimals` may name {', '.join(_VALUE_NAMES)} or reported_p; got {unknown}"
            )
    elif decimals is not None and (
        isinstance(decimals, bool) or not isinstance(decimals, Integral)
    ):
        raise TypeError(f"`decimals` must be an int or a mapping of name to int; got {decimals!r}")
    raw = dict(zip(_VALUE_NAMES, (mean_cramp, sd_cramp, mean_control, sd_control), strict=True))
    parsed = {name: _parse_printed(value, name, decimals) for name, value in raw.items()}
    n1, m1, s1, n2, m2, s2 = _check_summary(
        n_cramp,
        parsed["mean_cramp"][0],
        parsed["sd_cramp"][0],
        n_control,
        parsed["mean_control"][0],
        parsed["sd_control"][0],
    )
    reported_interval = _parse_reported_p(reported_p, decimals)

    box = {}
    for name, (value, half) in parsed.items():
        low, high = value - half, value + half
        if name.startswith("sd"):
            low = max(low, _SD_FLOOR * high)
        box[name] = (low, high)

    at_printed = compare_summary(n1, m1, s1, n2, m2, s2)

    # |difference| extremes over the mean box
    d_low = box["mean_cramp"][0] - box["mean_control"][1]
    d_high = box["mean_cramp"][1] - box["mean_control"][0]
    diff_max = max(abs(d_low), abs(d_high))
    diff_min = 0.0 if d_low <= 0 <= d_high else min(abs(d_low), abs(d_high))
    sd1, sd2 = box["sd_cramp"], box["sd_control"]

    p_student_min = math.exp(_log_p_two_sided(diff_max, *_student_se_df(n1, sd1[0], n2, sd2[0])))
    p_student_max = (
        1.0
        if diff_min == 0
        else math.exp(_log_p_two_sided(diff_min, *_student_se_df(n1, sd1[1], n2, sd2[1])))
    )
    p_welch_min = math.exp(_welch_log_p_extreme(diff_max, n1, sd1, n2, sd2, largest=False))
    p_welch_max = math.exp(_welch_log_p_extreme(diff_min, n1, sd1, n2, sd2, largest=True))

    low, high = reported_interval
    at = (at_printed.p_welch, at_printed.p_student)
    at = (*at, at[0] / 2, at[1] / 2)
    ranges = ((p_welch_min, p_welch_max), (p_student_min, p_student_max))
    ranges = (*ranges, *((a / 2, b / 2) for a, b in ranges))
    at_printed_tests = tuple(name for name, p in zip(T_TESTS, at, strict=True) if low <= p <= high)
    within = tuple(
        name for name, (a, b) in zip(T_TESTS, ranges, strict=True) if a <= high and b >= low
    )
    consistent_student = p_student_min <= high and p_student_max >= low
    consistent_welch = p_welch_min <= high and p_welch_max >= low
    return ReportedPCheck(
        n_cramp=n1,
        mean_cramp=m1,
        sd_cramp=s1,
        n_control=n2,
        mean_control=m2,
        sd_control=s2,
        reported_p=reported_p,
        box=box,
        reported_interval=reported_interval,
        p_student_at_printed=at_printed.p_student,
        p_welch_at_printed=at_printed.p_welch,
        p_student_min=p_student_min,
        p_student_max=p_student_max,
        p_welch_min=p_welch_min,
        p_welch_max=p_welch_max,
        consistent_student=bool(consistent_student),
        consistent_welch=bool(consistent_welch),
        consistent=bool(consistent_student or consistent_welch),
        consistent_at_printed=bool(low <= at[0] <= high or low <= at[1] <= high),
        p_student_one_sided_min=ranges[3][0],
        p_student_one_sided_max=ranges[3][1],
        p_welch_one_sided_min=ranges[2][0],
        p_welch_one_sided_max=ranges[2][1],
        reproduced_at_printed=at_printed_tests,
        reproduced_within_rounding=within,
        verdict=_verdict(at_printed_tests, within),
    )


def _names(tests: tuple[str, ...]) -> str:
    return tests[0] if len(tests) == 1 else ", ".join(tests[:-1]) + " and " + tests[-1]


#: said after every verdict: how many tests were tried
TRIED = f"{len(T_TESTS)} t-tests tried (two-sided and one-sided, Welch and Student)"
#: said when only one-sided tests reproduce the printed p
ONE_SIDED_ONLY = "a match by one-sided tests only is also what a two-sided p halved looks like"


def _verdict(at_printed: tuple[str, ...], within: tuple[str, ...]) -> str:
    if at_printed:
        text = f"reproduced by the {_names(at_printed)} at the printed values"
    elif within:
        text = (
            f"reproduced by the {_names(within)} within the rounding of the printed means and SDs"
        )
    else:
        return f"{NOT_REPRODUCED} ({TRIED})"
    matched = at_printed or within
    one_sided = all(name.startswith("one-sided") for name in matched)
    return f"{text} ({TRIED}" + (f"; {ONE_SIDED_ONLY})" if one_sided else ")")


@dataclass(frozen=True)
class RankTestSimulation:
    """A simulation check (not a recomputation) of a rank test from summaries.

    Attributes
    ----------
    label : str
        ``"simulation check, not a recomputation: ..."``: what was simulated.
    distribution : str
        The distribution assumed for both groups (``"lognormal"``).
    n_sim : int
        Number of simulated data sets.
    seed : int
        Seed of the generator.
    p_median, p_low, p_high : float
        Median and 10th and 90th percentiles of the simulated two-sided
        Mann-Whitney p (R ``wilcox.test`` defaults).
    share_as_small : float
        Share of simulated p at or below the upper end of the printed p's
        rounding interval.
    plausible : bool
        Whether the printed p's interval overlaps ``[p_low, p_high]``.
    sentence : str
        The result in words, starting with the label.
    """

    label: str
    distribution: str
    n_sim: int
    seed: int
    p_median: float
    p_low: float
    p_high: float
    share_as_small: float
    plausible: bool
    sentence: str


def _lognormal_parameters(mean: float, sd: float, name: str) -> tuple[float, float]:
    if mean <= 0:
        raise ValueError(f"`{name}` must be positive for a lognormal with that mean; got {mean!r}")
    sdlog = math.sqrt(math.log1p((sd / mean) ** 2))
    return math.log(mean) - sdlog**2 / 2, sdlog


def rank_test_simulation(
    n_cramp: int,
    mean_cramp: str | float,
    sd_cramp: str | float,
    n_control: int,
    mean_control: str | float,
    sd_control: str | float,
    reported_p: str | float,
    *,
    n_sim: int = 2_000,
    seed: int = 20261125,
) -> RankTestSimulation:
    """Could a Mann-Whitney test on skewed data have given the printed p?

    A **simulation check, not a recomputation**: a rank test needs the data,
    which a paper's summaries do not carry. Both groups are drawn from
    lognormal distributions with exactly the printed means and SDs, a
    Mann-Whitney test (:func:`analysis.rank_tests.mannwhitney_r`, as R's
    ``wilcox.test``) is run on each simulated data set, and the spread of
    its p-values is compared with the printed p.

    Parameters
    ----------
    n_cramp, n_control : int
        Group sizes, each at least 2.
    mean_cramp, sd_cramp, mean_control, sd_control : str or float
        Printed means (positive) and SDs.
    reported_p : str or float
        The printed p-value, read as by :func:`check_reported_p` (a number
        is taken as printed with 3 decimals).
    n_sim : int, default 2000
        Number of simulated data sets (at least 100).
    seed : int, default 20261125
        Seed of the generator.

    Returns
    -------
    RankTestSimulation
        The label, the percentiles of the simulated p, the share as small as
        printed, whether the printed p is plausible (its rounding interval
        overlaps the central 80 % of simulated p) and a sentence.

    Raises
    ------
    ValueError
        If a mean is not positive, ``n_sim`` is below 100, or an input is
        invalid as in :func:`check_reported_p`.

    Notes
    -----
    The lognormal with mean :math:`m` and SD :math:`s` has
    :math:`\\sigma^2 = \\log(1 + s^2/m^2)` and
    :math:`\\mu = \\log m - \\sigma^2/2`. The lognormal is one skewed
    shape among many: a printed p inside the simulated range says only that
    a rank test on data of this shape could have given it, not that one did.

    Examples
    --------
    >>> from analysis.summaries import rank_test_simulation
    >>> sim = rank_test_simulation(20, "362.27", "72.10", 68, "307.87", "52.42", "0.002",
    ...                            n_sim=500)
    >>> sim.label.startswith("simulation check, not a recomputation")
    True
    """
    from analysis.rank_tests import mannwhitney_r

    if isinstance(n_sim, bool) or not isinstance(n_sim, Integral) or n_sim < 100:
        raise ValueError(f"`n_sim` must be an integer of at least 100; got {n_sim!r}")
    raw = (mean_cramp, sd_cramp, mean_control, sd_control)
    values = [_parse_printed(v, name, 3)[0] for v, name in zip(raw, _VALUE_NAMES, strict=True)]
    n1, m1, s1, n2, m2, s2 = _check_summary(
        n_cramp, values[0], values[1], n_control, values[2], values[3]
    )
    low, high = _parse_reported_p(reported_p, {"reported_p": 3})
    mu1, sig1 = _lognormal_parameters(m1, s1, "mean_cramp")
    mu2, sig2 = _lognormal_parameters(m2, s2, "mean_control")
    rng = np.random.default_rng(seed)
    x = rng.lognormal(mu1, sig1, size=(n_sim, n1))
    y = rng.lognormal(mu2, sig2, size=(n_sim, n2))
    p = np.array([mannwhitney_r(x[i], y[i]).pvalue for i in range(n_sim)])
    p_low, p_median, p_high = (float(v) for v in np.quantile(p, [0.1, 0.5, 0.9]))
    plausible = low <= p_high and high >= p_low
    label = (
        "simulation check, not a recomputation: Mann-Whitney test on lognormal data "
        "with the printed means and SDs"
    )
    sentence = (
        f"{label}: in {n_sim} simulated data sets the p-value lay between {p_low:.2g} and "
        f"{p_high:.2g} in 80 % of them (median {p_median:.2g}); the printed p "
        + ("falls within that range" if plausible else "falls outside that range")
        + " (seed "
        + f"{seed})."
    )
    return RankTestSimulation(
        label=label,
        distribution="lognormal",
        n_sim=n_sim,
        seed=seed,
        p_median=p_median,
        p_low=p_low,
        p_high=p_high,
        share_as_small=float(np.mean(p <= high)),
        plausible=bool(plausible),
        sentence=sentence,
    )
