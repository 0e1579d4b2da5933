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
