"""``synthesise`` on tables that load but once crashed it, or that are far too big.

Every table is written here from one valid row (``_row``), changed as each
test needs; the numbers are made up and never stand for a study.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from analysis.cli import main
from analysis.evidence import EVIDENCE_COLUMNS, load_evidence
from analysis.meta import judge_equivalence, small_study_test, study_labels, synthesise

COLUMNS = [*EVIDENCE_COLUMNS, "source_url"]


def _row(**changes: str) -> dict[str, str]:
    base = dict(study_id="s1", study="Smith", year="2000", doi="10.1000/abc", pmid="123",
                event="marathon", time_point="post", variable="sodium", unit="mmol/L",
                cramp_group="cramp", comparison_group="control", n_cramp="10", n_control="20",
                summary="mean_sd", cramp_center="140", cramp_spread="3", control_center="141",
                control_spread="3", reported_p="", reported_test="", source_kind="abstract",
                secondary_source="", missing_reason="", notes="", source_url="")  # fmt: skip
    return {**base, **changes}


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


NO_NUMBERS = dict(summary="", cramp_center="", cramp_spread="", control_center="",
                  control_spread="", missing_reason="abstract gives no group means or SDs")  # fmt: skip

CRASHED = {
    "no_estimate": [_row(study_id="m1986", study="Maughan", year="1986", **NO_NUMBERS)],
    "iqr_zero": [
        _row(
            study_id=f"s{i}", summary="median_iqr", cramp_spread="140-140", control_spread="141-141"
        )
        for i in range(3)
    ],  # fmt: skip
    "n1_units": [
        _row(study_id="s0", n_cramp="1", n_control="1"),
        _row(study_id="s1", n_cramp="1", n_control="1", unit="mEq/L", cramp_center="139"),
    ],  # fmt: skip
    "egger_equal_variances": [
        _row(
            study_id=f"s{i}", study=f"Author{i}", year=str(2000 + i), cramp_center=str(138 + i % 4)
        )
        for i in range(10)
    ],  # fmt: skip
    "same_author_year_28": [
        _row(study_id=f"s{i}", cramp_center=str(140 + i % 5)) for i in range(28)
    ],  # fmt: skip
}


@pytest.mark.parametrize("name", sorted(CRASHED))
def test_synthesise_never_fails_on_a_table_that_loads(name, tmp_path, capsys):
    table = _write(tmp_path / f"{name}.csv", CRASHED[name])
    assert main(["synthesise", str(table), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert (tmp_path / "out" / "report.html").is_file()


def test_a_table_without_estimates_pools_nothing_and_judges_nothing(tmp_path):
    res = synthesise(load_evidence(_write(tmp_path / "t.csv", CRASHED["no_estimate"])))
    assert res.pooled.empty and {"measure", "k", "estimate"} <= set(res.pooled.columns)
    assert judge_equivalence(res).empty


def test_egger_with_equal_standard_errors_is_not_run_and_says_why():
    test = small_study_test(np.linspace(-1, 1, 10), np.full(10, 0.9))
    assert not test.ran and np.isnan(test.p_value) and "same standard error" in test.note


def test_study_labels_go_on_after_z():
    import pandas as pd

    table = pd.DataFrame({"study_id": [f"s{i}" for i in range(28)], "study": "Smith",
                          "year": 2000})  # fmt: skip
    labels = study_labels(table)
    assert [labels[f"s{i}"] for i in (0, 25, 26, 27)] == [
        "Smith 2000a", "Smith 2000z", "Smith 2000aa", "Smith 2000ab"]  # fmt: skip
    assert len(set(labels.values())) == 28


DOLLAR_NAMES = ["$\\frac{a}$", "Price $5 and $6 Ltd", "Cost $\\alpha^{2}$ al"]


def _drawn_texts(fig) -> list:
    from matplotlib.text import Text

    fig.canvas.draw()  # mathtext would fail or italicise here
    return [t for t in fig.findobj(Text) if t.get_text()]


def test_dollar_signs_in_study_names_are_drawn_literally(tmp_path):
    import matplotlib.pyplot as plt

    from analysis import evidence_plots

    rows = [_row(study_id=f"s{i}", study=n, cramp_center=str(139 + i))
            for i, n in enumerate(DOLLAR_NAMES)]  # fmt: skip
    res = synthesise(load_evidence(_write(tmp_path / "t.csv", rows)))
    for draw in (evidence_plots.forest_plot, evidence_plots.leave_one_out_plot):
        texts = _drawn_texts(draw(res, "sodium", "post").figure)
        shown = "\n".join(t.get_text() for t in texts)
        for name in DOLLAR_NAMES:
            assert name in shown, (draw.__name__, name)
        assert not any(t.get_parse_math() or t.get_usetex() for t in texts)
        # what is rendered is the text itself, not mathematics
        assert all(t._preprocess_math(t.get_text()) == (t.get_text(), False) for t in texts)
    plt.close("all")
    out = tmp_path / "out"
    assert main(["synthesise", str(tmp_path / "t.csv"), "--out", str(out), "-q"]) == 0


def test_every_figure_of_table_text_is_drawn_through_literal_text():
    from analysis import causes, evidence_plots, plots

    for draw in (plots.forest_plot, causes.muscle_damage_plot, evidence_plots.forest_plot,
                 evidence_plots.leave_one_out_plot):  # fmt: skip
        assert hasattr(draw, "__wrapped__"), draw.__name__


def _refused(table: Path, tmp_path: Path, capsys) -> list[str]:
    assert main(["synthesise", str(table), "--out", str(tmp_path / "out"), "-q"]) == 2
    assert not (tmp_path / "out").exists()
    return capsys.readouterr().err.splitlines()


def test_more_rows_than_the_limit_are_refused_before_any_work(tmp_path, capsys, monkeypatch):
    from analysis import evidence

    monkeypatch.setattr(evidence, "MAX_EVIDENCE_ROWS", 50)
    rows = [_row(study_id=f"s{i}", study=f"A{i}") for i in range(51)]
    err = _refused(_write(tmp_path / "big.csv", rows), tmp_path, capsys)
    assert len(err) == 2 and "51 rows, more than 50" in err[1] and "[too-big]" in err[1]
    lines = [_row(study_id=f"s{i}", study=f"A{i}") for i in range(200)]  # lines, before parsing
    err = _refused(_write(tmp_path / "bigger.csv", lines), tmp_path, capsys)
    assert "more than 50 rows" in err[1]


def test_a_huge_line_is_refused_without_reading_it_whole(tmp_path, capsys):
    from analysis.validation import MAX_LINE_CHARS

    table = _write(tmp_path / "t.csv", [_row(notes="x" * (MAX_LINE_CHARS + 10))])
    err = _refused(table, tmp_path, capsys)
    assert f"line 2 is longer than {MAX_LINE_CHARS:,} bytes" in err[1]


def test_a_repeated_problem_is_summarised(tmp_path, capsys):
    rows = [_row(study_id=f"s{i}", study=f"A{i}", doi="", pmid="") for i in range(300)]
    err = _refused(_write(tmp_path / "t.csv", rows), tmp_path, capsys)
    assert "300 problem(s)" in err[0]
    assert len(err) < 10 and "and 297 more like the above" in "\n".join(err)


def test_figures_are_capped_and_the_rest_listed(tmp_path, monkeypatch):
    from analysis import synthesis_report

    monkeypatch.setattr(synthesis_report, "MAX_FIGURE_SETTINGS", 2)
    monkeypatch.setattr(synthesis_report, "MAX_FOREST_ROWS", 2)
    rows = [_row(study_id=f"s{i}", variable="sodium", cramp_center=str(139 + i)) for i in range(3)]
    rows += [_row(study_id="k1", variable="potassium", unit="mmol/L"),
             _row(study_id="c1", variable="chloride")]  # fmt: skip
    out = tmp_path / "out"
    assert main(["synthesise", str(_write(tmp_path / "t.csv", rows)), "--out", str(out), "-q"]) == 0
    assert [p.name for p in (out / "figures").iterdir()] == ["forest_potassium_post.png"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "1 of 3 variable and time-point settings are not drawn" in page
    assert "sodium, post: 3 rows, more than 2 for one figure" in page


def test_figure_file_names_from_long_values_are_short_and_distinct(tmp_path):
    long_a, long_b = "post" + "x" * 300, "post" + "x" * 299 + "y"
    rows = [_row(study_id=f"s{i}", time_point=tp) for i, tp in enumerate((long_a, long_b))]
    out = tmp_path / "out"
    assert main(["synthesise", str(_write(tmp_path / "t.csv", rows)), "--out", str(out), "-q"]) == 0
    names = [p.name for p in (out / "figures").iterdir()]
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= 120 for n in names)


@pytest.mark.parametrize(
    ("source", "said"),
    [("/dev/zero", "a device"), ("fifo", "a named pipe"), ("-", "standard input) is not read")],
)
def test_not_a_file_is_named_for_what_it_is(source, said, tmp_path, capsys, monkeypatch):
    import os

    monkeypatch.chdir(tmp_path)
    if source == "fifo":
        os.mkfifo(tmp_path / "fifo")
    err = _refused(Path(source), tmp_path, capsys)
    assert said in err[1] and "no such file" not in err[1].replace("no such file;", "")


def test_saved_figure_names_are_capped_and_distinct(tmp_path):
    import matplotlib.pyplot as plt

    from analysis import plots

    plots.use_style(tmp_path)
    try:
        fig = plt.figure()
        a = plots.save_figure(fig, "evidence-forest-sodium-post" + "x" * 300)
        b = plots.save_figure(fig, "evidence-forest-sodium-post" + "x" * 299 + "y")
        short = plots.save_figure(fig, "forest-sodium-post")
    finally:
        plots.use_style(None)
        plt.close("all")
    assert a[0] != b[0] and all(len(p.stem) <= 80 for p in a + b)
    assert short[0].name == "forest-sodium-post.png"
