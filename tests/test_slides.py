"""The teaching route's live slides: analysis.slides and the notebooks as committed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from analysis import paths, slides

NOTEBOOKS = paths.PROJECT_ROOT / "notebooks"
ROUTE_DOC = paths.PROJECT_ROOT / "docs" / "teaching-route.md"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _without_slides(notebook: dict) -> dict:
    for cell in notebook["cells"]:
        cell.get("metadata", {}).pop("slideshow", None)
    notebook["metadata"].pop("rise", None)
    return notebook


@pytest.fixture
def copies(tmp_path):
    for path in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


@pytest.mark.parametrize("name", sorted(slides.ROUTE))
def test_every_route_heading_and_cell_exists_in_its_notebook(name):
    notebook = _load(NOTEBOOKS / name)
    found = [
        h
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
        for h in slides.headings("".join(cell["source"]))
    ]
    ids = {cell["id"] for cell in notebook["cells"]}
    for selector, _ in slides.ROUTE[name]:
        if selector.startswith("id:"):
            assert selector[3:] in ids, f"{name}: no cell {selector}"
        else:
            assert found.count(selector) == 1, (
                f"{name}: heading {selector!r} found {found.count(selector)} times"
            )
    for heading in slides.OFF_ROUTE.get(name, ()):
        assert heading in found, f"{name}: OFF_ROUTE names {heading!r}, which is not a heading"


def test_committed_notebooks_carry_the_route():
    # fails after a merge that changed a route notebook: run `make slides` and commit
    assert slides.apply_route(NOTEBOOKS, write=False) == []


def test_applying_twice_changes_nothing(copies):
    for path in copies.glob("*.ipynb"):
        path.write_text(json.dumps(_without_slides(_load(path)), indent=1), encoding="utf-8")
    assert slides.apply_route(copies)  # the first application writes
    once = {p.name: p.read_bytes() for p in copies.glob("*.ipynb")}
    assert slides.apply_route(copies) == []
    assert {p.name: p.read_bytes() for p in copies.glob("*.ipynb")} == once


def test_applying_changes_only_slide_metadata(copies):
    for path in copies.glob("*.ipynb"):
        stripped = _without_slides(_load(path))
        path.write_text(json.dumps(stripped, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    before = {p.name: _load(p) for p in copies.glob("*.ipynb")}
    slides.apply_route(copies)
    for path in sorted(copies.glob("*.ipynb")):
        after = _load(path)
        old = before[path.name]
        assert len(after["cells"]) == len(old["cells"])
        for new_cell, old_cell in zip(after["cells"], old["cells"], strict=True):
            for key in ("cell_type", "id", "source", "outputs", "execution_count"):
                assert json.dumps(new_cell.get(key)) == json.dumps(old_cell.get(key)), (
                    f"{path.name}: {key} of cell {old_cell['id']} changed"
                )
            assert _without_slides({"cells": [new_cell], "metadata": {}}) == {
                "cells": [old_cell],
                "metadata": {},
            }
        assert {k: v for k, v in after["metadata"].items() if k != "rise"} == old["metadata"]


def test_sources_and_outputs_stay_byte_identical_in_the_committed_layout(copies):
    # the committed files are in nbformat's layout: only "slideshow"/"rise" lines may differ
    for path in copies.glob("*.ipynb"):
        path.write_text(
            json.dumps(_without_slides(_load(path)), indent=1, sort_keys=True, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
    before = {p.name: p.read_text(encoding="utf-8") for p in copies.glob("*.ipynb")}
    slides.apply_route(copies)
    for path in copies.glob("*.ipynb"):
        removed = [
            ln
            for ln in before[path.name].splitlines()
            if ln not in set(path.read_text().splitlines())
        ]
        assert all(re.fullmatch(r'\s*"metadata": \{\},?', ln) for ln in removed), removed[:3]


@pytest.mark.parametrize("name", sorted(slides.ROUTE))
def test_the_slideshow_is_the_route(name):
    notebook = _load(NOTEBOOKS / name)
    types = [c["metadata"].get("slideshow", {}).get("slide_type") for c in notebook["cells"]]
    assert all(t in slides.SLIDE_TYPES for t in types), (
        "a cell of a route notebook has no slide type"
    )
    assert notebook["metadata"]["rise"] == slides.RISE_OPTIONS
    # one new slide per heading stop, in the route's order, and nothing shown before the first
    stops = [s for s, t in slides.ROUTE[name] if not s.startswith("id:") and t == "slide"]
    starts = [
        next(h for h in stops if h in slides.headings("".join(c["source"])))
        for c, t in zip(notebook["cells"], types, strict=True)
        if t == "slide"
    ]
    assert starts == stops
    first = types.index("slide")
    assert set(types[:first]) <= {"skip"}
    # setup cells (parameters, imports) are never shown; every Try-it section is homework
    for cell, slide_type in zip(notebook["cells"], types, strict=True):
        if "parameters" in cell["metadata"].get("tags", []):
            assert slide_type == "skip"
        if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("## Try it"):
            assert slide_type == "skip"


def test_notebooks_off_the_route_carry_no_slide_metadata():
    for path in NOTEBOOKS.glob("*.ipynb"):
        if path.name in slides.ROUTE:
            continue
        notebook = _load(path)
        assert "rise" not in notebook["metadata"]
        assert not any("slideshow" in c.get("metadata", {}) for c in notebook["cells"])


def test_a_renamed_heading_fails_loudly(copies):
    path = copies / "03-compare-groups.ipynb"
    path.write_text(path.read_text(encoding="utf-8").replace("## Estimation plots", "## Plots"))
    with pytest.raises(
        ValueError, match=r"route heading\(s\) not in the notebook: \['Estimation plots'\]"
    ):
        slides.apply_route(copies)


def test_without_a_route_the_slide_metadata_is_removed(copies):
    changed = slides.apply_route(copies, route={}, off_route={})
    assert sorted(p.name for p in changed) == sorted(slides.ROUTE)
    for path in copies.glob("*.ipynb"):
        assert _load(path) == _without_slides(_load(path))


def test_a_new_section_must_be_placed(copies):
    earlier = copies / "03-compare-groups.ipynb"  # applied before 04 if written one by one
    earlier.write_text(json.dumps(_without_slides(_load(earlier)), indent=1), encoding="utf-8")
    before = earlier.read_bytes()
    path = copies / "04-interpret-no-difference.ipynb"
    notebook = _load(path)
    notebook["cells"].insert(
        3, {**notebook["cells"][3], "id": "new00001", "source": "## A new section\n"}
    )
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"neither on the route .* \['A new section'\]"):
        slides.apply_route(copies)
    assert earlier.read_bytes() == before  # nothing written when any notebook fails


def test_unknown_slide_type_and_missing_cell_are_refused():
    notebook = _load(NOTEBOOKS / "03-compare-groups.ipynb")
    with pytest.raises(ValueError, match="slide type of 'Estimation plots' must be one of"):
        slides.slide_types(notebook, [("Estimation plots", "page")], off_route=["x"])
    with pytest.raises(ValueError, match="route cell 'id:nope' is not in the notebook"):
        slides.slide_types(
            notebook,
            [*slides.ROUTE["03-compare-groups.ipynb"], ("id:nope", "skip")],
            off_route=slides.OFF_ROUTE["03-compare-groups.ipynb"],
        )


def test_cli_check_reports_a_stale_notebook(copies, capsys):
    path = copies / "05-detect-difference.ipynb"
    path.write_text(json.dumps(_without_slides(_load(path)), indent=1), encoding="utf-8")
    assert slides.main(["--check", str(copies)]) == 1
    assert "would change: 05-detect-difference.ipynb" in capsys.readouterr().out
    assert slides.main([str(copies)]) == 0
    assert slides.main(["--check", str(copies)]) == 0


def test_rise_css_sits_next_to_the_notebooks():
    # jupyterlab-rise loads rise.css from the notebook's folder, only in the slideshow
    css = (NOTEBOOKS / "rise.css").read_text(encoding="utf-8")
    assert "body.rise-enabled" in css
    assert re.search(r"--jp-content-font-size1:\s*2\dpx", css)


def test_route_doc_names_every_stop_and_adds_up_to_fifty_minutes():
    text = ROUTE_DOC.read_text(encoding="utf-8")
    for name, stops in slides.ROUTE.items():
        assert name.removesuffix(".ipynb") in text, name
        for selector, _ in stops:
            if not selector.startswith("id:"):
                assert selector in text, f"docs/teaching-route.md does not name {selector!r}"
    minutes = [int(m) for m in re.findall(r"^\| *\d+ *\| *(\d+) *\|", text, re.M)]
    assert minutes and sum(minutes) == 50, minutes
    readme = (paths.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/teaching-route.md" in readme
