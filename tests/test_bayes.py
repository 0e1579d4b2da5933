"""Tests for analysis.bayes against R BayesFactor (tests/reference/closed_form.R)."""

import math

import pytest

from analysis.bayes import bayes_factor_ttest

REL = 1e-3  # numerical integration on both sides (BayesFactor reports error ~1e-5)


@pytest.mark.parametrize(
    ("t", "n1", "n2", "expected"),
    [
        # bf(na_cramp, na_control): extractBF(ttestBF(x = x, y = y, rscale = "medium"))$bf,
        # t from t.test(x, y, var.equal = TRUE)
        (4.55544812907696e-01, 8, 11, 4.38313368164495e-01),
        # bf(k_cramp, k_control)
        (2.31865150778593, 8, 11, 2.24947504606866),
        # bf(na_cramp, na_control - mean(na_control) + mean(na_cramp)): t = 0
        (0.0, 8, 11, 4.07663695655394e-01),
        # bf(k_cramp + 1, k_control): large |t|
        (1.11900137984451e01, 8, 11, 2.08053448506976e06),
        # bf(na_cramp - 4, na_control): large negative t
        (-4.78470924406978, 8, 11, 1.23184387360839e02),
        # exp(ttest.tstat(t = 2.5, n1 = 15, n2 = 67, rscale = sqrt(2)/2)$bf)
        (2.5, 15, 67, 3.55387609767733),
    ],
)
def test_matches_bayesfactor(t, n1, n2, expected):
    assert bayes_factor_ttest(t, n1, n2) == pytest.approx(expected, rel=REL)


def test_prior_scale_matches_bayesfactor():
    # exp(ttest.tstat(t = 1.2, n1 = 15, n2 = 67, rscale = 1)$bf)
    assert bayes_factor_ttest(1.2, 15, 67, r=1.0) == pytest.approx(0.402313800742386, rel=REL)


def test_symmetric_in_sign_of_t():
    assert bayes_factor_ttest(-2.5, 15, 67) == pytest.approx(
        bayes_factor_ttest(2.5, 15, 67), rel=1e-9
    )


def test_huge_t_is_finite_or_inf_never_nan():
    assert math.isfinite(bayes_factor_ttest(40.0, 100, 100))
    assert bayes_factor_ttest(300.0, 5000, 5000) == math.inf


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((math.nan, 8, 11), {}, ValueError, r"`t` must be finite; got nan"),
        ((1.0, 1, 11), {}, ValueError, r"`n_cramp` must be at least 2; got 1"),
        ((1.0, 8, 11), {"r": 0.0}, ValueError, r"`r` must be positive; got 0.0"),
        (("1.0", 8, 11), {}, TypeError, r"`t` must be a real number; got '1.0'"),
    ],
)
def test_bad_arguments_raise(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        bayes_factor_ttest(*args, **kwargs)


# --------------------------------------------------------------------------- #
# prior scales and the ceiling of BF01 (tests/reference/bayes_prior.R, .Rout)
# --------------------------------------------------------------------------- #
from pathlib import Path  # noqa: E402

from analysis.bayes import (  # noqa: E402
    PRIOR_SCALES,
    bayes_factor_scales,
    bf01_max,
    tost_bf_sentence,
)

_ROUT = Path(__file__).parent / "reference" / "bayes_prior.Rout"
# BayesFactor agrees with R's integrate() at rel.tol 1e-13 to about 1e-10 on
# every case below (both columns are in the .Rout), so 1e-6 relative is a
# tolerance the integral allows; this code's largest deviation is about 1e-9.
REL_TIGHT = 1e-6


def _bayes_prior_rows():
    lines = _ROUT.read_text().splitlines()
    start = lines.index("t n1 n2 rscale bf10_BayesFactor properror bf10_integrate bf01") + 1
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        t, n1, n2, r, bf, _, bf_int, bf01 = line.split()
        rows.append((float(t), int(n1), int(n2), float(r), float(bf), float(bf_int), float(bf01)))
    return rows


BAYES_PRIOR_ROWS = _bayes_prior_rows()


def test_reference_table_was_read_whole():
    assert len(BAYES_PRIOR_ROWS) == 32
    assert {round(r, 6) for _, _, _, r, *_ in BAYES_PRIOR_ROWS} == {0.5, 0.707107, 1.0, 1.414214}


@pytest.mark.parametrize(("t", "n1", "n2", "r", "bf", "bf_int", "bf01"), BAYES_PRIOR_ROWS)
def test_matches_bayesfactor_across_scales_tightly(t, n1, n2, r, bf, bf_int, bf01):
    ours = bayes_factor_ttest(t, n1, n2, r=r)
    assert ours == pytest.approx(bf, rel=REL_TIGHT)
    assert ours == pytest.approx(bf_int, rel=REL_TIGHT)


def test_bf01_max_is_bf01_at_t_zero():
    # 15 vs 67, r = 0.707: 1 / 0.284915206961105 = 3.50981616834693 (bayes_prior.Rout)
    assert bf01_max(15, 67) == pytest.approx(3.50981616834693, rel=REL_TIGHT)
    for t, n1, n2, r, _, _, bf01 in BAYES_PRIOR_ROWS:
        if t == 0:
            assert bf01_max(n1, n2, r=r) == pytest.approx(bf01, rel=REL_TIGHT)
    # and no t gives more
    assert all(1 / bayes_factor_ttest(t, 15, 67) < bf01_max(15, 67) for t in (0.01, 0.3, -0.5, 1.0))


def test_scale_table_matches_ttestbf_on_data():
    # ttestBF(x = x, y = y, rscale = r) on the vectors of bayes_prior.R
    table = bayes_factor_scales(-1.82740053122599, 10, 14)
    assert table["prior"].tolist() == ["narrow", "medium", "wide", "ultrawide"]
    assert table["r"].tolist() == list(PRIOR_SCALES.values())
    expected = [1.28258319470745, 1.20808567509082, 1.07650927671477, 0.903356398674565]
    for got, want in zip(table["bf10"], expected, strict=True):
        assert got == pytest.approx(want, rel=REL_TIGHT)
    assert (table["bf01"] * table["bf10"]).tolist() == pytest.approx([1.0] * 4, rel=1e-12)
    assert table["bf01_max"].is_monotonic_increasing


def test_scale_table_other_scales_have_no_name():
    table = bayes_factor_scales(1.0, 15, 67, scales=[0.3])
    assert table.loc[0, "prior"] == ""
    assert table.loc[0, "r"] == 0.3


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"equivalent": True, "bf01": 2.1, "bf01_max": 3.51},
         "Equivalent by TOST at ±0.5 mmol/L, but BF01 = 2.1 of a possible 3.51"),
        ({"equivalent": True, "bf01": 2.1, "bf01_max": 3.51},
         "the design cannot produce strong evidence for no difference"),
        ({"equivalent": True, "bf01": 3.3, "bf01_max": 3.51},
         "moderate evidence for no difference: both point the same way"),
        ({"equivalent": True, "bf01": 0.2, "bf01_max": 3.51}, "evidence for a difference (BF10 = 5)"),
        ({"equivalent": False, "bf01": 4.0, "bf01_max": 8.0}, "the interval is too wide"),
        ({"equivalent": False, "bf01": 0.1, "bf01_max": 8.0}, "BF10 = 10 (prior r = 0.707) favours"),
        ({"equivalent": False, "bf01": 1.5, "bf01_max": 3.51}, "is inconclusive"),
    ],
)  # fmt: skip
def test_tost_bf_sentence(kwargs, fragment):
    sentence = tost_bf_sentence(margin=0.5, unit="mmol/L", **kwargs)
    assert fragment in sentence
    assert "inconsistent" not in sentence


def test_tost_bf_sentence_no_ceiling_clause_when_design_can_reach_10():
    sentence = tost_bf_sentence(equivalent=True, margin=1, bf01=2.0, bf01_max=15.0)
    assert "cannot produce" not in sentence
    sentence = tost_bf_sentence(equivalent=True, margin=1, bf01=4.0, bf01_max=15.0)
    assert sentence.endswith("both point the same way.")


def test_tost_bf_sentence_names_the_ceiling_when_agreeing():
    # marathon sodium: BF01 3.36 of a possible 3.51 (15 vs 67, r = 0.707)
    sentence = tost_bf_sentence(equivalent=True, margin=3, unit="mmol/L", bf01=3.365, bf01_max=3.51)
    assert "BF01 cannot exceed 3.51 at this design and prior" in sentence
