"""Tests of analysis.evidence_prose: sentences follow the results; table text is escaped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import evidence_prose as prose
from analysis import meta
from analysis.report import data_notebooks

FIXTURE = Path(__file__).parent / "data" / "evidence_fixture.csv"
NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "08-synthesise-evidence.ipynb"


@pytest.fixture(scope="module")
def session() -> prose.EvidenceSession:
    return prose.open_evidence(FIXTURE)


def test_pooled_sentence_carries_the_results(session):
    row = session.result.pooled.set_index("variable").loc["sodium"]
    text = prose.pooled_markdown(session.result, "sodium", "post")
    for value in (row["estimate"], row["ci_low"], row["ci_high"], row["pi_low"], row["pi_high"]):
        assert f"{value:.3g}".replace("-", "−") in text
    assert "Pooled over 2 studies" in text and "Hartung-Knapp-Sidik-Jonkman" in text
    single = prose.pooled_markdown(session.result, "ck", "post")
    assert "Only one study" in single and "no prediction interval" in single


def test_equivalence_sentence_names_margin_verdict_and_basis(session):
    text = prose.equivalence_markdown(session.result)
    assert "margin ±1 mEq/L &#61; mmol/L" in text and "**inconclusive**" in text
    assert "no margin" in text  # CK has no stated margin
    assert "90% interval" in text and "REML with HKSJ" in text


def test_maughan_and_fixture_named(session):
    assert "**the test fixture**" in prose.source_markdown(session)
    text = prose.missing_markdown(session.result, "maughan1986")
    assert "2 row(s) without an estimate" in text and "abstract gives no group means" in text
    groups = prose.comparison_groups(session.result)
    assert groups["year"].is_monotonic_increasing and len(groups) == 4


def test_table_text_is_escaped():
    from analysis.safe_text import markdown_text

    assert prose.md_escape("<b>*x*</b> [a](b)") == markdown_text("<b>*x*</b> [a](b)")
    assert "<" not in prose.md_escape("<b>*x*</b>") and "*" not in prose.md_escape("*x*")
    table = meta.load_table(FIXTURE)
    table.loc[0, "study"] = "<script>alert(1)</script>"
    res = meta.synthesise(table)
    assert "<script>" not in prose.missing_markdown(res, "maughan1986")


def test_worked_example_adds_one_study_as_one_row(tmp_path):
    example = Path(__file__).parents[1] / "data" / "examples" / "evidence_one_study.csv"
    lines = example.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2  # header + one study
    combined = tmp_path / "mine.csv"
    combined.write_text(FIXTURE.read_text(encoding="utf-8") + lines[1] + "\n", encoding="utf-8")
    res = meta.synthesise(meta.load_table(combined))
    row = res.pooled.set_index(["variable", "time_point"]).loc[("ck", "24h_post")]
    assert row["k"] == 1 and row["estimate"] == pytest.approx(2438.59 - 1166.66)


def test_notebook_is_not_a_cohort_notebook():
    assert NOTEBOOK.is_file()
    assert NOTEBOOK not in data_notebooks()
    import nbformat

    meta_ = nbformat.read(NOTEBOOK, as_version=4).metadata["analysis"]
    assert meta_["requires"] == []


def test_unknown_variable_raises(session):
    with pytest.raises(KeyError, match="no estimate for `variable` 'iron'"):
        prose.pooled_markdown(session.result, "iron", "post")
    assert isinstance(prose.comparison_groups(session.result), pd.DataFrame)


def test_notebook_answers_render_hidden():
    """Each Try-it answer is inside its <details> once rendered (blank lines after the tags)."""
    import re

    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(NOTEBOOK, as_version=4))
    blocks = re.findall(r"<details>(.*?)</details>", body, re.S)
    assert len(blocks) == 4
    assert all("<summary>Answer</summary>" in b and "<p>" in b for b in blocks)
    assert "Wan et al. (2014)" in blocks[2]
