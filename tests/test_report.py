"""build_report end to end, with a tiny fixture notebook (tests/fixtures/)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import analysis
from analysis import DataValidationError, example_path, load_cohort
from analysis.compare import default_variables
from analysis.publish import MARKER
from analysis.report import ReportError, build_report

FIXTURES = Path(__file__).parent / "fixtures"
PLOT_NB = FIXTURES / "01-fixture-plot.ipynb"
FAILING_NB = FIXTURES / "02-fixture-fails.ipynb"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One report of the bundled marathon cohort, built once for this module."""
    parent = tmp_path_factory.mktemp("reports")
    out = parent / "report"
    lines: list[str] = []
    result = build_report(example_path("marathon"), out, notebooks=[PLOT_NB], n_resamples=200,
                          seed=11, progress=lines.append)  # fmt: skip
    return out, result, lines


def test_every_output_file_is_written(built):
    out, result, _ = built
    for name in ("report.html", "results.csv", "validation.txt", "provenance.json", "cohort.csv",
                 "notebooks/01-fixture-plot.ipynb", "html/01-fixture-plot.html"):  # fmt: skip
        assert (out / name).is_file(), name
    assert result.out_dir == out
    assert [p.name for p in result.notebooks] == ["01-fixture-plot.ipynb"]
    # nothing half-built left beside the report
    assert [p.name for p in out.parent.iterdir()] == ["report"]


def test_figures_as_png_and_svg(built):
    out, result, _ = built
    pngs = sorted((out / "figures").glob("*.png"))
    svgs = sorted((out / "figures").glob("*.svg"))
    assert [p.stem for p in pngs] == [p.stem for p in svgs] == ["estimation-sodium-post"]
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svgs[0].read_text(encoding="utf-8")[:2000]
    assert set(result.figures) == set(pngs) | set(svgs)


def test_provenance_records_input_options_versions_seed_time(built):
    out, _, _ = built
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["input"]["path"] == str(example_path("marathon").resolve())
    assert prov["input"]["sha256"] == sha256(example_path("marathon"))
    assert prov["input"]["rows"] == 82
    assert prov["options"]["seed"] == 11
    assert prov["options"]["n_resamples"] == 200
    assert {"python", "numpy", "pandas", "scipy", "papermill"} <= set(prov["versions"])
    assert prov["package"] == {"name": "cramp-reanalysis", "version": analysis.__version__}
    assert prov["notebooks"] == ["01-fixture-plot.ipynb"]
    started = dt.datetime.fromisoformat(prov["time_started"])
    assert started.tzinfo is not None
    assert dt.datetime.fromisoformat(prov["time_finished"]) >= started
    assert any(d.startswith("separator") for d in prov["decisions"])
    assert any("magnesium" in s for s in prov["skipped"])


def test_results_csv_covers_every_variable_present(built):
    out, _, _ = built
    results = pd.read_csv(out / "results.csv")
    expected = default_variables(load_cohort(example_path("marathon")))
    assert list(results["variable"]) == expected
    assert "pv_change" in expected and "sodium_post" in expected
    for column in ("variable", "unit", "n_cramp", "n_control", "mean_diff", "ci_low", "ci_high",
                   "p_welch", "hedges_g", "p_tost", "seed", "n_resamples", "note"):  # fmt: skip
        assert column in results.columns, column
    assert set(results["seed"]) == {11}
    assert (results["n_cramp"] == 15).all()


def test_validation_txt_lists_every_check_and_missing_counts(built):
    out, _, _ = built
    text = (out / "validation.txt").read_text(encoding="utf-8")
    assert "Checks:" in text and "[impossible-value]" in text and "[ragged-row]" in text
    assert "outside-reference-range" in text  # flagged, accepted values are listed
    assert "Missing values per column" in text and "cramp_onset_km: 67" in text
    assert "Sections skipped" in text and "magnesium: no column in the file" in text
    assert text.rstrip().endswith("Result: PASSED")


def test_report_html_is_one_self_contained_page(built):
    out, _, _ = built
    html = (out / "report.html").read_text(encoding="utf-8")
    assert len(re.findall(r"<img[^>]+src=\"data:image/png;base64,", html)) >= 1
    assert '<script src="http' not in html and '<img src="http' not in html
    assert "Sections skipped" in html and "magnesium" in html
    assert "injected-parameters" not in html


def test_progress_per_notebook(built):
    _, _, lines = built
    assert "[1/1] running 01-fixture-plot.ipynb" in lines
    assert any(line.startswith("[1/1] 01-fixture-plot.ipynb done in") for line in lines)
    assert lines[-1].startswith("report written to")


def test_input_is_never_modified(built, tmp_path):
    source = example_path("marathon")
    before = sha256(source)
    with pytest.raises(FileExistsError):
        build_report(source, built[0], notebooks=[PLOT_NB])
    assert sha256(source) == before


def test_existing_out_is_refused_and_untouched(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    with pytest.raises(FileExistsError, match="exists; choose another --out or pass --force"):
        build_report(example_path("marathon"), out, notebooks=[PLOT_NB])
    # --force never replaces a folder that is not an earlier report
    with pytest.raises(FileExistsError, match="not a report folder"):
        build_report(example_path("marathon"), out, notebooks=[PLOT_NB], force=True)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_force_never_replaces_the_folder_holding_the_input(tmp_path):
    data = tmp_path / "cohort.csv"
    data.write_bytes(example_path("marathon").read_bytes())
    (tmp_path / "provenance.json").write_text("{}")
    with pytest.raises(FileExistsError, match="holds the input file"):
        build_report(data, tmp_path, notebooks=[PLOT_NB], force=True)
    assert data.is_file()


def test_force_replaces_an_earlier_report_and_keeps_every_other_file(built, tmp_path):
    out = tmp_path / "again"
    shutil.copytree(built[0], out)
    (out / "manuscript_draft.docx").write_bytes(b"my thesis")
    (out / "my_R_scripts").mkdir()
    (out / "my_R_scripts" / "fit.R").write_text("lm(y ~ x)")
    (out / "figures" / "mine.png").write_bytes(b"not ours")
    marker = json.loads((out / MARKER).read_text())
    listed = {e["path"] for e in marker["files"]}
    assert {"report.html", "results.csv", "cohort.csv", "provenance.json"} <= listed
    result = build_report(example_path("marathon"), out, notebooks=[PLOT_NB], n_resamples=200,
                          force=True, seed=3)  # fmt: skip
    assert (out / "manuscript_draft.docx").read_bytes() == b"my thesis"
    assert (out / "my_R_scripts" / "fit.R").read_text() == "lm(y ~ x)"
    assert (out / "figures" / "mine.png").read_bytes() == b"not ours"
    assert set(result.kept) == {"manuscript_draft.docx", "my_R_scripts/fit.R", "figures/mine.png"}
    assert (out / MARKER).is_file() and not (out / MARKER).read_text() == json.dumps(marker)
    assert json.loads((out / "provenance.json").read_text())["options"]["seed"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again"]


def test_force_refuses_an_edited_report_file_where_a_new_one_goes(built, tmp_path):
    out = tmp_path / "again"
    shutil.copytree(built[0], out)
    (out / "report.html").write_text("my annotated copy")
    with pytest.raises(FileExistsError, match=r"report.html would be overwritten"):
        build_report(example_path("marathon"), out, notebooks=[PLOT_NB], n_resamples=200,
                     force=True)  # fmt: skip
    assert (out / "report.html").read_text() == "my annotated copy"
    assert (out / "results.csv").is_file() and (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again"]


@pytest.mark.parametrize("name", ["results", "portal_download"])
def test_force_never_touches_a_folder_without_the_marker(tmp_path, name):
    out = tmp_path / name
    out.mkdir()
    (out / "provenance.json").write_text('{"portal": "their own"}')
    (out / "manuscript_draft.docx").write_bytes(b"thesis")
    (out / "raw").mkdir()
    (out / "raw" / "runners.csv").write_text("a,b\n")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(FileExistsError, match="not a report folder.*even with --force"):
        build_report(example_path("marathon"), out, notebooks=[PLOT_NB], force=True)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_forged_marker_cannot_remove_files_outside_the_folder(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "rep"
    out.mkdir()
    entry = {"path": "../victim.txt", "bytes": 7, "sha256": sha256(victim)}
    (out / MARKER).write_text(json.dumps({"tool": "cramp-reanalysis", "files": [entry]}))
    with pytest.raises(FileExistsError, match="not a report folder"):
        build_report(example_path("marathon"), out, notebooks=[PLOT_NB], force=True)
    assert victim.read_text() == "keep me"


def test_report_folder_follows_the_umask_and_parents_are_removed_on_failure(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        out = tmp_path / "shared" / "rep"
        build_report(example_path("marathon"), out, notebooks=[PLOT_NB], n_resamples=200)
        assert (out.stat().st_mode & 0o777) == 0o755
        assert ((out / "figures").stat().st_mode & 0o777) == 0o755
        assert ((out / "report.html").stat().st_mode & 0o777) == 0o644
        deep = tmp_path / "new" / "deep" / "path"
        with pytest.raises(ReportError):
            build_report(example_path("marathon"), deep, notebooks=[PLOT_NB, FAILING_NB],
                         n_resamples=200)  # fmt: skip
        assert not (tmp_path / "new").exists()
    finally:
        os.umask(old)


def test_failing_notebook_leaves_nothing(tmp_path):
    out = tmp_path / "report"
    with pytest.raises(ReportError, match=r"02-fixture-fails.ipynb failed in cell .*RuntimeError"):
        build_report(example_path("marathon"), out, notebooks=[PLOT_NB, FAILING_NB],
                     n_resamples=200)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_interrupt_leaves_nothing(tmp_path):
    out = tmp_path / "report"

    def interrupt(line: str) -> None:
        if line.startswith("[1/1] running"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_report(example_path("marathon"), out, notebooks=[PLOT_NB], n_resamples=200,
                     progress=interrupt)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_bad_data_writes_nothing(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("group,sodium_post\ncramp,14\ncontrol,141\n")
    out = tmp_path / "report"
    with pytest.raises(DataValidationError) as info:
        build_report(data, out, notebooks=[PLOT_NB])
    assert [(p.row, p.rule) for p in info.value.problems] == [(2, "impossible-value")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_missing_notebook_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="notebook not found"):
        build_report(example_path("marathon"), tmp_path / "r",
                     notebooks=[tmp_path / "nope.ipynb"])  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_prose_caveat_only_for_files_other_than_the_bundled_examples(tmp_path):
    from analysis.report_text import example_caveat as _example_caveat

    assert _example_caveat(example_path("marathon")) == []
    copy = tmp_path / "mine.csv"
    copy.write_bytes(example_path("marathon").read_bytes())
    (caveat, _) = _example_caveat(copy)
    assert "written for the bundled *synthetic* example" in caveat
    assert "trust the table or figure" in caveat


def test_interactive_cells_are_left_out_of_reports(tmp_path):
    import nbformat

    nb = nbformat.read(PLOT_NB, as_version=4)
    widget = nbformat.v4.new_code_cell('raise RuntimeError("an interactive cell ran")')
    widget.metadata["tags"] = ["interactive", "nbval-skip"]
    nb.cells.append(widget)
    notebook = tmp_path / "nbs" / PLOT_NB.name
    notebook.parent.mkdir()
    nbformat.write(nb, notebook)
    out = tmp_path / "report"
    build_report(example_path("marathon"), out, notebooks=[notebook], n_resamples=200)
    executed = nbformat.read(out / "notebooks" / PLOT_NB.name, as_version=4)
    assert not [c for c in executed.cells if "an interactive cell ran" in c.source]
    assert any("estimation_plot" in c.source for c in executed.cells)
    assert "an interactive cell ran" not in (out / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [MARKER]


def test_the_widget_cell_of_notebook_04_is_tagged_interactive():
    import nbformat

    from analysis.paths import NOTEBOOKS_DIR

    nb = nbformat.read(NOTEBOOKS_DIR / "04-interpret-no-difference.ipynb", as_version=4)
    widget_cells = [c for c in nb.cells if "power_explorer" in c.source]
    assert widget_cells
    for cell in widget_cells:
        assert {"interactive", "nbval-skip"} <= set(cell.metadata.get("tags", []))


def test_notebooks_needing_absent_columns_are_skipped_and_said(tmp_path):
    import nbformat

    nb = nbformat.read(PLOT_NB, as_version=4)
    nb.metadata["analysis"] = {"requires": ["sodium_post", "haemoglobin_pre"]}
    needy = tmp_path / "nbs" / "01-needs-haemoglobin.ipynb"
    needy.parent.mkdir()
    nbformat.write(nb, needy)
    data = tmp_path / "sodium_only.csv"
    data.write_text("group,sodium_post\ncramp,140\ncramp,142\ncontrol,141\ncontrol,143\n")
    lines: list[str] = []
    out = tmp_path / "report"
    result = build_report(data, out, notebooks=[needy, PLOT_NB], n_resamples=200,
                          progress=lines.append)  # fmt: skip
    assert [p.name for p in result.notebooks] == [PLOT_NB.name]
    why = "01-needs-haemoglobin.ipynb not run: it needs haemoglobin_pre, absent from the file"
    assert f"[1/2] skipped: {why}" in lines
    html = (out / "report.html").read_text(encoding="utf-8")
    assert why in html
    assert "Results at a glance" in html and "<code>sodium_post</code>" in html
    assert why in json.loads((out / "provenance.json").read_text())["skipped"]


def _tiny_notebook(path, parameters: str, code: str):
    """A two-cell notebook (a tagged parameters cell, then ``code``) written to ``path``."""
    import nbformat

    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_derived_column_taken_from_the_file_reaches_the_notebooks(tmp_path):
    import nbformat

    # a file with plasma-volume change but no haemoglobin or haematocrit to recompute it
    data = tmp_path / "pv_only.csv"
    data.write_text("group,pv_change\ncramp,-5\ncramp,-7\ncontrol,-6\ncontrol,-8\ncontrol,-4\n")
    notebook = _tiny_notebook(
        tmp_path / "nbs" / "01-pv.ipynb",
        "data_path = None",
        "import analysis\n"
        "cohort = analysis.load_cohort(data_path)\n"
        "print(cohort['pv_change'].tolist())",
    )
    out = tmp_path / "report"
    build_report(data, out, notebooks=[notebook], n_resamples=200)
    assert "pv_change" in (out / "cohort.csv").read_text().splitlines()[0].split(",")
    executed = nbformat.read(out / "notebooks" / "01-pv.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == "[-5.0, -7.0, -6.0, -8.0, -4.0]"


def test_notebook_tables_use_the_seed_and_resamples_of_results_csv(tmp_path):
    import nbformat

    notebook = _tiny_notebook(
        tmp_path / "nbs" / "01-seed.ipynb",
        "data_path = None\nn_resamples = 10_000\nseed = 1",
        "print(n_resamples, seed)",
    )
    out = tmp_path / "report"
    build_report(example_path("marathon"), out, notebooks=[notebook], n_resamples=300, seed=7)
    executed = nbformat.read(out / "notebooks" / "01-seed.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == "300 7"
    results = (out / "results.csv").read_text()
    assert ",7,300," in results or ",7,300" in results


def test_data_notebooks_declare_the_resampling_parameters():
    from analysis.report_notebooks import data_notebooks
    from analysis.report_notebooks import parameters_of as _parameters_of

    for notebook in data_notebooks():
        if "compare_groups(cohort" in notebook.read_text():
            declared = _parameters_of(notebook)
            assert {"n_resamples", "seed"} <= set(declared), notebook.name


def test_executed_notebooks_name_the_final_folder(built):
    import nbformat

    out, result, _ = built
    nb = nbformat.read(result.notebooks[0], as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and str(out / "cohort.csv") in injected[0].source
    assert ".partial-" not in injected[0].source
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_report_leads_with_the_baseline_adjusted_headline(built):
    out, _, _ = built
    cohort = load_cohort(example_path("marathon"))
    expected = analysis.headline(cohort)
    written = pd.read_csv(out / "headline.csv")
    assert list(written["variable"]) == ["sodium", "potassium", "pv_change"]
    pd.testing.assert_series_equal(written["estimate"], expected["estimate"], rtol=1e-12)
    adjusted = pd.read_csv(out / "results_adjusted.csv")
    assert {"post", "change", "ancova"} <= set(adjusted["analysis"])
    html = (out / "report.html").read_text(encoding="utf-8")
    lead, glance = html.index("Headline: the primary family"), html.index("Results at a glance")
    assert lead < glance
    assert (
        "post-race, adjusted for pre-race (ANCOVA post ~ group + pre; HC2 SE" in html[lead:glance]
    )
    assert "Holm within this family of three" in html[lead:glance]


def test_a_file_without_primary_variables_says_why_there_is_no_headline(tmp_path):
    data = tmp_path / "chloride_only.csv"
    cohort = load_cohort(example_path("marathon"))
    cohort[["group", "chloride_pre", "chloride_post"]].to_csv(data, index=False)
    notebook = tmp_path / PLOT_NB.name  # the fixture, declaring the column it plots
    nb = nbformat.read(PLOT_NB, as_version=4)
    nb.metadata["analysis"] = {"requires": ["sodium_post"]}
    nbformat.write(nb, notebook)
    out = tmp_path / "r"
    build_report(data, out, notebooks=[notebook], n_resamples=200)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "No headline for this file" in html
    assert not (out / "headline.csv").exists()
    assert (out / "results_adjusted.csv").is_file()


def test_results_at_a_glance_name_their_analysis(marathon):
    # the headline is ANCOVA; this table is post-only Welch: every family-adjusted
    # column says which analysis it adjusts
    from analysis.report_text import results_table

    results = analysis.compare_groups(marathon, ["sodium_post"], n_resamples=200)
    header = results_table(results)[0]
    assert "p (post-only Welch, Holm in family)" in header
    assert "equivalent (post-only Welch TOST, Holm in family)" in header
    assert "95 % CI (post-only Welch)" in header
