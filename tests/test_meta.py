"""Tests of analysis.meta against metafor 3.8-1 (tests/reference/meta.R and .Rout).

R calls (see meta.R): ``rma(yi, vi, method = {"REML","DL","PM"}, test = {"z","knha","adhoc"},
control = ctrl)``, ``predict``, ``confint``, ``leave1out``, ``cumul(order = year)``,
``regtest(model = "lm")``, and ``escalc("MD"/"SMD")``. Tolerance: 1e-6 relative
(chosen: R's answers were computed with tightened convergence, so the methods must
agree to far better than any printed digit; the largest deviation seen is ~3e-11).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import meta
from analysis.validation import DataValidationError

REF = Path(__file__).parent / "reference"
FIXTURE = Path(__file__).parent / "data" / "evidence_fixture.csv"
RTOL = 1e-6


def _relative(mine: float, theirs: float) -> float:
    if math.isnan(theirs) and math.isnan(mine):
        return 0.0
    if theirs == 0.0:
        return abs(mine)  # an exact R zero (tau² = 0, a Q-profile limit at 0) must be ~0
    return abs(mine - theirs) / abs(theirs)


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(REF / "meta.csv")


@pytest.fixture(scope="module")
def r_effects() -> pd.DataFrame:
    return pd.read_csv(REF / "meta_effects.csv")


def _ours(dataset: str, method: str, test: str, r_effects: pd.DataFrame):
    e = r_effects[r_effects["dataset"] == dataset]
    y, v = e["yi"].to_numpy(), e["vi"].to_numpy()
    order = None
    if dataset == "bcg":
        order = pd.read_csv(REF / "dat_bcg.csv")["year"].to_numpy()
    elif dataset == "fixture_na":
        order = np.array([2004, 2019])
    labels = [str(i) for i in range(1, len(y) + 1)]
    opts = {"method": method, "test": test}
    fit = meta.random_effects(y, v, **opts)
    return (
        fit,
        meta.leave_one_out(y, v, labels, **opts),
        meta.cumulative(y, v, labels, order=order, **opts),
    )


_UNDEFINED_FOR_ONE = {"tau2", "tau", "i2", "h2", "q", "q_p_value", "pi_low", "pi_high"}


def where_one(ds: str, rec: object, mine: object) -> str:
    return f"{ds} {rec.what}[{rec.row}] {rec.quantity} = {mine!r} for one study: expected NaN"


def test_every_metafor_number_within_1e6(reference, r_effects):
    worst: dict[str, tuple[float, str]] = {}
    models = reference[reference["what"] != "regtest"]
    for (ds, method, test), grp in models.groupby(["dataset", "method", "test"]):
        fit, loo, cum = _ours(ds, method, test, r_effects)
        for rec in grp.itertuples():
            if rec.what == "fit":
                mine, k = getattr(fit, rec.quantity), fit.k
            else:
                table = loo if rec.what == "leave1out" else cum
                mine, k = table.iloc[rec.row - 1][rec.quantity], table.iloc[rec.row - 1]["k"]
            if k == 1 and rec.quantity in _UNDEFINED_FOR_ONE:
                # metafor prints tau² = 0, I² = 0, Q = 0 and PI = CI for one study;
                # nothing is pooled, so these are undefined here
                assert np.isnan(float(mine)), where_one(ds, rec, mine)
                continue
            dev = _relative(float(mine), float(rec.value))
            where = f"{ds} {method} {test} {rec.what}[{rec.row}] = {mine!r} vs R {rec.value!r}"
            if dev >= worst.get(rec.quantity, (-1.0, ""))[0]:
                worst[rec.quantity] = (dev, where)
    print("\nlargest relative deviation from metafor, per quantity:")
    for quantity, (dev, where) in sorted(worst.items()):
        print(f"  {quantity:14s} {dev:.2e}  ({where})")
    assert set(worst) >= {
        "estimate",
        "se",
        "ci_low",
        "pi_low",
        "tau2",
        "tau2_ci_high",
        "i2",
        "h2",
        "q",
        "q_p_value",
        "statistic",
        "p_value",
    }
    bad = {q: w for q, w in worst.items() if w[0] > RTOL}
    assert not bad, bad


def test_models_cover_edge_cases(reference):
    fits = reference[(reference["what"] == "fit") & (reference["quantity"] == "tau2")]
    homogeneous = fits[fits["dataset"] == "homogeneous"]["value"]
    assert (homogeneous == 0).all()  # the tau² = 0 case really is one
    assert (fits[fits["dataset"] == "bcg"]["value"] > 0).all()
    k2 = reference[(reference["dataset"] == "fixture_na") & (reference["what"] == "leave1out")]
    assert set(k2["row"]) == {1, 2}  # k = 2: each leave-one-out fit has one study


def test_egger_matches_regtest(reference, r_effects):
    e = r_effects[r_effects["dataset"] == "bcg"]
    res = meta.small_study_test(e["yi"], e["vi"])
    r = reference[reference["what"] == "regtest"].set_index("quantity")["value"]
    assert res.ran and res.k == 13
    for name in ("slope", "slope_se", "statistic", "df", "p_value"):
        assert _relative(getattr(res, name), float(r[name])) < RTOL, name


def test_no_funnel_test_below_ten_studies(r_effects):
    e = r_effects[r_effects["dataset"] == "normand_md"]
    res = meta.small_study_test(e["yi"], e["vi"])
    assert not res.ran and math.isnan(res.p_value)
    assert "9 studies, fewer than 10" in res.note and "Sterne" in res.note


@pytest.mark.parametrize(("dataset", "measure"), [("normand_md", "MD"), ("normand_smd", "SMD")])
def test_effect_sizes_match_escalc(r_effects, dataset, measure):
    d = pd.read_csv(REF / "dat_normand1999.csv")
    rows = [
        {
            "study_id": f"s{r.study}",
            "study": r.source,
            "year": 1999,
            "variable": "los",
            "time_point": "post",
            "unit": "days" if measure == "MD" else f"u{r.study}",
            "event": "",
            "cramp_group": "",
            "comparison_group": "",
            "source_kind": "full_text",
            "summary": "mean_sd",
            "n_cramp": r.n1i,
            "n_control": r.n2i,
            "cramp_center": r.m1i,
            "cramp_spread": r.sd1i,
            "control_center": r.m2i,
            "control_spread": r.sd2i,
            "missing_reason": "",
        }
        for r in d.itertuples()
    ]
    out = meta.effect_sizes(pd.DataFrame(rows))
    ref = r_effects[r_effects["dataset"] == dataset]
    assert (out["measure"] == measure).all()  # differing units force Hedges' g
    np.testing.assert_allclose(out["yi"], ref["yi"], rtol=RTOL)
    np.testing.assert_allclose(out["vi"], ref["vi"], rtol=RTOL)


def test_fixture_effect_sizes_match_escalc(r_effects):
    out = meta.effect_sizes(meta.load_table(FIXTURE))
    na = out[(out["variable"] == "sodium") & (out["excluded_reason"] == "")]
    ref = r_effects[r_effects["dataset"] == "fixture_na"]
    np.testing.assert_allclose(na["yi"], ref["yi"], rtol=RTOL)
    np.testing.assert_allclose(na["vi"], ref["vi"], rtol=RTOL)
    # mmol/L and mEq/L are the same number for sodium: a mean difference, not g
    assert set(na["measure"]) == {"MD"} and set(na["unit"]) == {"mmol/L", "mEq/L"}
    assert na["yi"].tolist() == pytest.approx([139.8 - 142.3, 140 - 139])


def test_rows_without_numbers_are_kept_with_their_reason():
    out = meta.effect_sizes(meta.load_table(FIXTURE))
    maughan = out[out["study_id"] == "maughan1986"]
    assert len(maughan) == 2 and maughan["yi"].isna().all()
    assert set(maughan["excluded_reason"]) == {"abstract gives no group means or SDs"}


def _row(**changes) -> dict[str, object]:
    base = {
        "study_id": "x",
        "study": "X",
        "year": "2000",
        "variable": "ck",
        "time_point": "post",
        "unit": "U/L",
        "event": "",
        "cramp_group": "",
        "comparison_group": "",
        "source_kind": "full_text",
        "summary": "mean_sd",
        "n_cramp": "10",
        "n_control": "20",
        "cramp_center": "300",
        "cramp_spread": "50",
        "control_center": "250",
        "control_spread": "40",
        "missing_reason": "",
    }
    return {**base, **changes}


def test_median_iqr_converted_by_wan_and_flagged():
    row = _row(
        summary="median_iqr",
        cramp_center="300",
        cramp_spread="250-380",
        control_center="260",
        control_spread="220-300",
    )
    out = meta.effect_sizes(pd.DataFrame([row]))
    assert out["converted"].iloc[0] == meta.WAN_2014
    from scipy.stats import norm

    xi1 = 2 * norm.ppf((0.75 * 10 - 0.125) / (10 + 0.25))
    xi2 = 2 * norm.ppf((0.75 * 20 - 0.125) / (20 + 0.25))
    m1, s1 = (250 + 300 + 380) / 3, 130 / xi1
    m2, s2 = (220 + 260 + 300) / 3, 80 / xi2
    assert out["yi"].iloc[0] == pytest.approx(m1 - m2, rel=1e-12)
    assert out["vi"].iloc[0] == pytest.approx(s1**2 / 10 + s2**2 / 20, rel=1e-12)


def test_wan_recovers_normal_moments():
    from scipy.stats import norm

    n = 10_000
    q1, q3 = norm.ppf([0.25, 0.75], loc=5, scale=2)
    mean, sd = meta.wan_mean_sd(5.0, q1, q3, n)
    assert mean == pytest.approx(5.0) and sd == pytest.approx(2.0, rel=1e-3)
    with pytest.raises(ValueError, match="`q3` must not be below `q1`"):
        meta.wan_mean_sd(5.0, 6.0, 4.0, 10)


def test_mean_only_and_se_rows():
    out = meta.effect_sizes(
        pd.DataFrame(
            [
                _row(summary="mean_only", cramp_spread="", control_spread=""),
                _row(study_id="y", summary="mean_se", cramp_spread="5", control_spread="4"),
            ]
        )
    )
    assert "without an SD or SE" in out["excluded_reason"].iloc[0]
    assert out["converted"].iloc[1] == "SD = SE x sqrt(n)"
    assert out["vi"].iloc[1] == pytest.approx(25 + 16)  # (5 sqrt10)²/10 + (4 sqrt20)²/20


def test_synthesise_fixture_shapes():
    res = meta.synthesise(meta.load_table(FIXTURE))
    pooled = res.pooled.set_index("variable")
    assert pooled.loc["sodium", "k"] == 2 and pooled.loc["sodium", "test"] == "knha"
    ck = pooled.loc["ck"]
    assert ck["k"] == 1 and "single study: no pooling, no prediction interval" in ck["note"]
    for quantity in ("pi_low", "pi_high", "tau2", "i2", "h2", "q_p_value"):
        assert np.isnan(ck[quantity]), quantity
    assert pooled["funnel_test"].str.startswith("not run").all()
    assert list(res.pooled.columns[:5]) == ["variable", "time_point", "measure", "unit", "studies"]
    assert set(res.leave_one_out["variable"]) == {"sodium"}  # only groups with k >= 2
    cum = res.cumulative[res.cumulative["variable"] == "sodium"]
    assert cum["added"].tolist() == ["Schwellnus et al. 2004", "Johnson et al. 2019"]
    fit = meta.random_effects([-2.5, 1.0], [3.1**2 / 21 + 2.1**2 / 22, 7**2 / 2859 + 7**2 / 7670])
    assert pooled.loc["sodium", "estimate"] == fit.estimate


def test_prediction_interval_wider_than_ci_with_heterogeneity(r_effects):
    e = r_effects[r_effects["dataset"] == "bcg"]
    fit = meta.random_effects(e["yi"], e["vi"])
    assert fit.pi_low < fit.ci_low < fit.estimate < fit.ci_high < fit.pi_high
    assert fit.row(prefix="re_")["re_tau2"] == fit.tau2
    assert meta.RandomEffectsResult.columns()[0] == "k"


def test_hksj_coverage_by_simulation():
    """HKSJ keeps about 95 % coverage with 5 heterogeneous studies; Wald does not."""
    rng = np.random.default_rng(20260101)
    hits_h = hits_z = 0
    n_sim = 400
    for _ in range(n_sim):
        v = rng.uniform(0.01, 0.1, 5)
        y = rng.normal(0.0, np.sqrt(v + 0.1))
        fit = meta.random_effects(y, v, method="REML", test="knha")
        hits_h += fit.hksj_ci_low <= 0 <= fit.hksj_ci_high
        hits_z += fit.wald_ci_low <= 0 <= fit.wald_ci_high
    # binomial SE at 0.95 with 400 runs is 0.011: HKSJ within 3 SE; Wald clearly below
    assert abs(hits_h / n_sim - 0.95) < 0.035
    assert hits_z / n_sim < 0.92


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "ML"}, "`method` must be one of REML, DL, PM; got 'ML'"),
        ({"test": "t"}, "`test` must be one of knha, z, adhoc; got 't'"),
        ({"confidence_level": 95}, "`confidence_level` must be a number strictly between"),
    ],
)
def test_bad_options_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        meta.random_effects([0.1, 0.2], [0.01, 0.02], **kwargs)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="`vi` must be positive"):
        meta.random_effects([0.1, 0.2], [0.01, 0.0])
    with pytest.raises(ValueError, match="equal length"):
        meta.random_effects([0.1, 0.2], [0.01])
    with pytest.raises(ValueError, match="at least one effect size"):
        meta.random_effects([], [])
    with pytest.raises(ValueError, match="at least 2 studies to leave one out"):
        meta.leave_one_out([0.1], [0.01], ["a"])
    with pytest.raises(ValueError, match="`labels` must name every study"):
        meta.cumulative([0.1, 0.2], [0.01, 0.01], ["a"])


def test_load_table_is_load_evidence_and_lists_every_problem(tmp_path):
    """The synthesis reads tables only through analysis.evidence.load_evidence."""
    from analysis.evidence import load_evidence

    pd.testing.assert_frame_equal(meta.load_table(FIXTURE), load_evidence(FIXTURE))
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("139.8", "139.8 mmol").replace(",abstract,", ",blog,")
    lines[4] = lines[4].replace(",21,22,", ",21,-3,")
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        meta.load_table(path)
    cells = {(p.row, p.column) for p in info.value.problems}
    assert {(4, "cramp_center"), (4, "source_kind"), (5, "n_control")} <= cells


def test_default_evidence_path_is_the_curated_table():
    path = meta.default_evidence_path()
    assert path.name == "evidence_table.csv" and path.parent.name == "data"
    assert not meta.is_fixture(path)


def test_curated_table_rows_and_groups():
    """Empty year and n, mean_only and secondary rows, and Kona's own time point."""
    res = meta.synthesise(meta.load_table(meta.default_evidence_path()))
    eff = res.effects.set_index(["study_id", "variable", "time_point", "summary"])
    assert eff["year"].isna().sum() == 2  # Kona: year not printed
    mean_only = res.effects[res.effects["summary"] == "mean_only"]
    assert len(mean_only) == 3 and mean_only["yi"].isna().all()
    assert set(mean_only["excluded_reason"]) == {
        "means printed without an SD or SE: no effect size"
    }
    hoffman = res.effects[res.effects["study_id"] == "hoffman2015"]
    assert hoffman["n_cramp"].isna().all() and (hoffman["excluded_reason"] != "").all()
    groups = {(r.variable, r.time_point): r.studies for r in res.pooled.itertuples()}
    assert groups[("sodium", "post")] == "Schwellnus et al. 2004"
    assert groups[("sodium", "at_presentation")] == "Johnson et al. n.d."
    assert groups[("sodium", "change")] == "Schwellnus et al. 2011a"  # per cent, its own cell
    assert groups[("ck", "pre")] == "Schwellnus et al. 2011b"  # same authors and year
    eq = meta.judge_equivalence(res).set_index(["variable", "time_point"])
    assert eq.loc[("sodium", "change"), "verdict"].startswith("no margin in %")
    assert eq.loc[("magnesium", "post"), "margin"] == 0.04
    # a single study's verdict says so in the verdict itself, with its comparison group
    used = res.effects[res.effects["excluded_reason"] == ""]
    used = used[(used["variable"] == "sodium") & (used["time_point"] == "post")]
    assert len(used) == 1
    group = used["comparison_group"].iloc[0]
    single = eq.loc[("sodium", "post")]
    assert single["k"] == 1
    assert single["verdict"].endswith(f"(single study; comparison group: {group})")
    assert np.isnan(single["pi_low"]) and np.isnan(single["pi_high"])


def test_two_rows_of_one_study_are_never_pooled():
    table = meta.load_table(FIXTURE)
    twin = table[(table["study_id"] == "schwellnus2004") & (table["variable"] == "sodium")]
    twin = twin.assign(comparison_group="another control group", cramp_center="138.0")
    with pytest.raises(DataValidationError, match="second estimable row of study schwellnus2004"):
        meta.synthesise(pd.concat([table, twin], ignore_index=True))
    other = twin.assign(study_id="other2004", study="Other")
    res = meta.synthesise(pd.concat([table, other], ignore_index=True))
    row = res.pooled.set_index(["variable", "time_point"]).loc[("sodium", "post")]
    assert row["k"] == 3


def test_typed_table_gives_the_same_effects():
    """A loader that parses numbers (NaN and pd.NA for empty cells) gives the same result."""
    text = meta.load_table(FIXTURE)
    typed = text.copy()
    for col in ("year", "n_cramp", "n_control"):
        typed[col] = pd.array([int(x) if x else None for x in text[col]], dtype="Int64")
    for col in ("cramp_center", "cramp_spread", "control_center", "control_spread"):
        typed[col] = [float(x) if x else float("nan") for x in text[col]]
    typed["missing_reason"] = [x or None for x in text["missing_reason"]]
    a, b = meta.effect_sizes(text), meta.effect_sizes(typed)
    pd.testing.assert_series_equal(a["yi"], b["yi"])
    assert a["excluded_reason"].tolist() == b["excluded_reason"].tolist()


def test_rows_without_sampling_variance_are_excluded_not_fatal():
    out = meta.effect_sizes(pd.DataFrame([_row(cramp_spread="0", control_spread="0"), _row()]))
    assert out["excluded_reason"].iloc[0].startswith("both SDs are 0")
    res = meta.synthesise(pd.DataFrame([_row(cramp_spread="0", control_spread="0"), _row()]))
    assert res.pooled["k"].tolist() == [1]
