"""Prose and figures follow the notebooks' parameters.

Each data notebook is run with papermill, with non-default parameters, into a
temporary folder (never over the stored notebooks): notebook 04 with another
margin for sodium, notebooks 01, 03 and 07 on the ultra-marathon cohort. The
sentences rendered from results (``text/markdown`` outputs) and the text of
every saved figure (the SVG description written by ``plots.save_figure``) must
follow the parameters, and must not repeat what the defaults would have said.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

import analysis
from analysis.safe_text import markdown_text

pytestmark = pytest.mark.slow
NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


def _run(tmp_path: Path, name: str, **parameters) -> tuple[str, dict[str, str]]:
    """Execute a notebook with `parameters`; return its rendered prose and figure texts."""
    papermill = pytest.importorskip("papermill")
    tmp_path.mkdir(parents=True, exist_ok=True)
    figures = tmp_path / "figures"
    out = tmp_path / name
    papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(out),
        parameters={"figure_dir": str(figures), **parameters},
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        execution_timeout=600,  # a cell that hangs fails the test instead of the run
    )
    notebook = nbformat.read(out, as_version=4)
    prose = "\n".join(
        output["data"]["text/markdown"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "text/markdown" in output.get("data", {})
    )
    texts = {}
    for svg in figures.glob("*.svg"):
        root = ET.parse(svg).getroot()
        descriptions = [e.text or "" for e in root.iter() if e.tag.endswith("description")]
        texts[svg.stem] = "\n".join(descriptions)
    return prose, texts


def test_04_follows_another_margin(tmp_path):
    prose, figures = _run(
        tmp_path,
        "04-interpret-no-difference.ipynb",
        margins={"sodium": 2},
        n_resamples=200,
    )
    assert "Serum sodium, post-race ±2 mmol/L" in prose  # margins used, set in the parameters
    assert "set in the parameters cell" in prose
    assert "the margin of this run is ±2 mmol/L" in prose
    assert "±1 mmol/L" not in prose.split("Serum chloride")[0]  # sodium's sentences
    cohort = analysis.load_cohort(analysis.example_path("marathon"))
    adjusted = analysis.compare_adjusted(cohort, ["sodium"], margins={"sodium": 2})
    lead = adjusted[adjusted["lead"]].iloc[0]
    power = f"power at the margin {lead['power_at_margin']:.0%}"
    assert re.search(
        re.escape(markdown_text("Serum sodium, post-race"))
        + r": equivalence holds for any margin above [\d.]+ mmol/L; "
        r"MDE [\d.]+ mmol/L, margin ±2 mmol/L, " + power,
        prose,
    )
    row = analysis.compare_groups(cohort, ["sodium_post"], margins={"sodium": 2}, n_resamples=200)
    verdict = "equivalent" if row["equivalent"].iloc[0] else "not shown"
    assert f'so the verdict is "{verdict}"' in prose
    sensitivity = figures["04-margin-sensitivity-sodium-post"]
    assert "margin used ±2 mmol/L" in sensitivity and "±1 " not in sensitivity
    assert "±2 mmol/L" in figures["04-ci-vs-margin"]
    assert "teaching margin" not in "\n".join(figures.values())


def test_04_with_default_margins_says_teaching_defaults(tmp_path):
    prose, figures = _run(tmp_path, "04-interpret-no-difference.ipynb", n_resamples=200)
    assert "Margins used in this run (the defaults argued in docs/margins.md)" in prose
    assert "margin used ±1 mmol/L" in figures["04-margin-sensitivity-sodium-post"]


def test_01_on_the_ultra_cohort_does_not_claim_maughans_onset(tmp_path):
    path = analysis.example_path("ultra")
    prose, figures = _run(tmp_path, "01-describe-cohort.ipynb", data_path=str(path))
    assert markdown_text("ultra_synthetic.csv") in prose  # the file name, escaped as text
    assert "not Maughan's published 35 ± 6 km" in prose
    assert "the published 35 ± 6 km of Maughan" not in prose
    assert "Control (n = 22)" in figures["01-reference-ranges"]
    assert "Cramp (n = 21)" in figures["01-reference-ranges"]


def test_03_on_the_ultra_cohort_renders_its_own_numbers(tmp_path):
    path = analysis.example_path("ultra")
    prose, figures = _run(tmp_path, "03-compare-groups.ipynb", data_path=str(path), n_resamples=200)
    ultra = analysis.load_cohort(path)
    row = analysis.compare_groups(ultra, ["sodium_post"], n_resamples=200).iloc[0]
    assert f"post-race sodium is {abs(row['mean_diff']):.2f} mmol/L lower" in prose
    assert "in the bundled synthetic cohort it is by construction" not in prose
    assert "Control\nn = 22" in figures["03-estimation-sodium-post"]
    assert "Cramp\nn = 21" in figures["03-estimation-sodium-post"]


def test_07_on_another_file_does_not_call_it_the_bundled_cohort(tmp_path):
    path = analysis.example_path("ultra")
    prose, _ = _run(tmp_path, "07-analyse-your-data.ipynb", data_path=str(path), n_resamples=200)
    assert markdown_text("ultra_synthetic.csv") in prose  # the file name, escaped as text
    assert "bundled synthetic cohort" not in prose
    default, _ = _run(tmp_path / "default", "07-analyse-your-data.ipynb", n_resamples=200)
    assert "bundled synthetic cohort" in default
