"""Sentences rendered from results: p-values, intervals, Bayes-factor words, escaping."""

import math

import pandas as pd
import pytest

from analysis import prose


@pytest.mark.parametrize(
    "p,text",
    [(0.0, "< 0.0001"), (0.00009999, "< 0.0001"), (0.0001, "0.00010"), (0.0015, "0.0015"),
     (0.004049, "0.0040"), (0.04, "0.040"), (0.0999, "0.10"), (0.104, "0.10"), (1.0, "1.00"),
     (math.nan, "\u2013")],
)  # fmt: skip
def test_format_p_never_prints_zero(p, text):
    assert prose.format_p(p) == text


def test_format_p_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match=r"`p` must lie in \[0, 1\]; got 1.5"):
        prose.format_p(1.5)


def test_numbers_and_intervals_have_true_minus_signs():
    assert prose.format_ci(-1.84, 1.26, digits=1) == "\u22121.8 to +1.3"
    assert prose.format_number(-0.004, digits=2) == "0.00"  # no "-0.00"
    assert prose.format_number(2.5, digits=1, signed=True) == "+2.5"


def test_p_display_formats_only_p_columns():
    table = pd.DataFrame({"variable": ["a"], "mean_diff": [1.23456], "p_welch": [1e-7], "p": [0.5]})
    shown = prose.p_display(table, digits=2)
    assert shown.loc[0, "p_welch"] == "< 0.0001" and shown.loc[0, "p"] == "0.50"
    assert shown.loc[0, "mean_diff"] == 1.23
    assert table.loc[0, "p_welch"] == 1e-7  # the results stay raw


@pytest.mark.parametrize(
    "bf10,words",
    [(150, "extreme evidence for a difference"), (31, "very strong evidence for a difference"),
     (9.6, "moderate evidence for a difference"), (1.5, "anecdotal evidence for a difference"),
     (1 / 2, "anecdotal evidence for no difference"), (1 / 3.2, "moderate evidence for no difference"),
     (1 / 12, "strong evidence for no difference")],
)  # fmt: skip
def test_bayes_words_follow_lee_and_wagenmakers(bf10, words):
    assert prose.bayes_words(bf10) == words


def test_bayes_words_rejects_non_positive():
    with pytest.raises(ValueError, match="`bf10` must be positive"):
        prose.bayes_words(0)


def test_escape_neutralises_markup_from_a_users_file():
    from markdown_it import MarkdownIt

    text = prose.escape("<img src=x onerror=alert(1)> **bold** [a](b) `code`")
    rendered = MarkdownIt("commonmark", {"html": True}).render(text)
    assert "<img" not in rendered and "<strong>" not in rendered
    assert "<a " not in rendered and "<code>" not in rendered
    assert "**bold**" in rendered  # shown as typed


def test_say_returns_markdown():
    assert prose.say("**x**")._repr_markdown_() == "**x**"


def test_margin_sentences_follow_the_results(marathon):
    import analysis

    results = analysis.compare_groups(
        marathon, ["sodium_post", "pv_change", "age_years"], margins={"sodium": 1}, n_resamples=200
    )
    assert prose.margins_used(results) == (
        "Serum sodium, post-race ±1 mmol/L; Plasma-volume change (Dill & Costill) ±5 percentage points"
    )  # age has no margin: left out
    bullets = prose.margin_bullets(results)
    sodium = results.iloc[0]
    assert bullets[0].startswith(
        f"Serum sodium, post-race: MDE {sodium['mde']:.2f} mmol/L, margin ±1"
    )
    assert (
        "power of the two-sided difference test at a true difference of one margin "
        f"{sodium['power_at_margin']:.0%}"
    ) in bullets[0]
    assert ("equivalence shown" if sodium["equivalent"] else "equivalence not shown") in bullets[0]
    assert f"(TOST, 90 % post-only Welch CI, unadjusted); after {sodium['equivalence_adjustment']}" \
        in bullets[0]  # fmt: skip
    assert f"({sodium['margin_sd']:.2f} SD)" in bullets[0]
    assert f"of a possible {sodium['bf01_max']:.3g}" in bullets[0]  # tost_bf_sentence
    assert "percentage points, margin ±5 percentage points" in bullets[1]
    summary = prose.bayes_summary(results)
    assert (
        f"BF₀₁ = {sodium['bf01']:.2f} of at most {sodium['bf01_max']:.2f} at these group sizes"
        in summary
    )
    assert sodium["bf01_max"] == pytest.approx(3.51, abs=0.01)  # 15 vs 67, r = 0.707


def test_bayes_summary_never_says_moderate_without_the_ceiling():
    rows = pd.DataFrame(
        {"variable": ["sodium_post"], "bf10": [1 / 3.3], "bf01": [3.3], "bf01_max": [3.51]}
    )
    text = prose.bayes_summary(rows)
    assert "moderate evidence for no difference" in text
    assert "of at most 3.51" in text and "which is the ceiling" in text


def test_intervals_side_by_side_as_text():
    table = pd.DataFrame(
        {"variable": ["a", "b"], "ci_low": [-0.41, 1.0], "ci_high": [2.56, 2.0],
         "boot_ci_low": [-0.3, 0.9], "boot_ci_high": [2.2, 2.1]}
    )  # fmt: skip
    out = prose.intervals_table(table, {"Welch": "ci", "BCa": "boot_ci"}, digits=1)
    assert list(out.columns) == ["variable", "Welch", "BCa"]
    assert out.iloc[0].tolist() == ["a", "−0.4 to +2.6", "−0.3 to +2.2"]
    assert out.iloc[1, 2] == "+0.9 to +2.1"


def test_adjusted_sentences_follow_the_results(marathon):
    import analysis

    adjusted = analysis.compare_adjusted(
        marathon, ["sodium", "potassium", "pv_change"], margins={"sodium": 1}
    )
    lead = adjusted[adjusted["lead"]].set_index("variable")
    bullets = prose.adjusted_margin_bullets(adjusted)
    assert len(bullets) == 3
    sodium = lead.loc["sodium"]
    assert bullets[0].startswith(
        f"{prose.escape('Serum sodium, post-race')}: equivalence holds for any margin above "
        f"{sodium['smallest_margin']:.2f} mmol/L; MDE {sodium['mde']:.2f} mmol/L, margin ±1 mmol/L, "
        f"power at the margin {sodium['power_at_margin']:.0%}"
    )
    verdict = "equivalence shown" if sodium["equivalent_holm"] else "equivalence not shown"
    assert f"{verdict} (ANCOVA, HC2 SE; Holm within family 'primary' (3 tests)" in bullets[0]
    assert "(Welch t; Holm within family 'primary'" in bullets[2]
    assert "percentage points" in bullets[2]
    ancova = adjusted[adjusted["analysis"] == "ancova"]
    phrase = prose.efficiency_phrase(adjusted)
    for r in ancova.itertuples():
        assert (
            f"{r.efficiency_vs_post:.2f} (interval {math.sqrt(r.efficiency_vs_post):.2f}" in phrase
        )


def test_agreement_sentences_state_the_identity_of_lords_paradox(marathon):
    import analysis

    table = analysis.headline(marathon)
    adjusted = analysis.compare_adjusted(marathon, ["sodium", "potassium", "pv_change"])
    baseline = analysis.compare_groups(marathon, ["sodium_pre", "potassium_pre"], n_resamples=200)
    sentences = prose.analyses_agreement(table, adjusted, baseline)
    assert len(sentences) == 2  # the plasma-volume change has no baseline
    sodium = table.iloc[0]
    pre = baseline.iloc[0]
    ancova_rows = adjusted[adjusted["analysis"] == "ancova"].set_index("variable")
    slope = ancova_rows.loc["sodium", "baseline_slope"]
    # ANCOVA - change score = (1 - slope) * baseline difference, exactly
    assert sodium["estimate"] - sodium["change_estimate"] == pytest.approx(
        (1 - slope) * pre["mean_diff"], rel=1e-9
    )
    assert f"the baseline slope is {slope:.2f}" in sentences[0]
    assert prose.format_number(pre["mean_diff"], signed=True) in sentences[0]
    assert ("same test and equivalence verdicts" in sentences[0]) == bool(sodium["analyses_agree"])
    disagreeing = table.assign(analyses_agree=pd.array([False, True, pd.NA], dtype="boolean"))
    assert "**they disagree**" in prose.analyses_agreement(disagreeing, adjusted, baseline)[0]


def test_bayes_scales_use_the_student_t_of_the_row(marathon):
    import analysis

    results = analysis.compare_groups(
        marathon, ["sodium_post", "potassium_post", "pv_change"], n_resamples=200
    )
    scales = prose.bayes_scales(results, "potassium_post")
    row = results.set_index("variable").loc["potassium_post"]
    medium = scales.set_index("prior").loc["medium"]
    assert medium["bf01"] == pytest.approx(row["bf01"], rel=1e-9)
    assert medium["bf01_max"] == pytest.approx(row["bf01_max"], rel=1e-9)
    with pytest.raises(KeyError, match="`variable` 'calcium_post' is not a row"):
        prose.bayes_scales(results, "calcium_post")
    sentences = prose.bayes_tost_sentences(results)
    assert len(sentences) == 3
    assert sentences[1].startswith(f"{prose.escape('Serum potassium, post-race')}: ")
    assert f"BF01 = {row['bf01']:.3g} of a possible {row['bf01_max']:.3g}" in sentences[1]


def test_efficiency_below_one_says_wider():
    table = pd.DataFrame(
        {"variable": ["sodium", "potassium"], "analysis": ["ancova", "ancova"],
         "efficiency_vs_post": [4.0, 0.25]}
    )  # fmt: skip
    assert prose.efficiency_phrase(table) == (
        f"{prose.escape('Serum sodium, post-race')} 4.00 (interval 2.00 times narrower); "
        f"{prose.escape('Serum potassium, post-race')} 0.25 (interval 2.00 times wider)"
    )
