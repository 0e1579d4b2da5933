"""The worked example of README.md: data/examples/messy_export_semicolon.csv."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys

import pandas as pd
import pytest

from analysis import check_cohort, paths
from analysis.report import data_notebooks

EXAMPLE = paths.DATA_DIR / "examples" / "messy_export_semicolon.csv"
#: the options of the documented command (README.md, "Your own data")
OPTIONS = ["--column", "sodium_pre=Na vor", "--column", "sodium_post=Na nach",
           "--censored", "missing"]  # fmt: skip


def test_example_is_rebuilt_byte_identical():
    spec = importlib.util.spec_from_file_location(
        "make_messy_example", paths.DATA_DIR / "examples" / "make_messy_example.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == EXAMPLE.read_bytes()


def test_example_is_messy_but_valid():
    raw = EXAMPLE.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b";" in raw
    check = check_cohort(EXAMPLE, columns={"sodium_pre": "Na vor", "sodium_post": "Na nach"},
                         censored="missing")  # fmt: skip
    assert check.ok, check.errors
    cohort = check.cohort
    assert (cohort["group"] == "cramp").sum() == 15 and len(cohort) == 82
    assert cohort["haematocrit_pre"].between(0.3, 0.6).all()  # percent converted
    assert "Comment" in cohort.columns  # the extra column is kept
    rules = {w.rule for w in check.warnings}
    assert {"censored-value", "outside-reference-range"} <= rules
    assert check.missing["potassium_post"] == 2 and check.missing["chloride_pre"] == 1
    marathon = pd.read_csv(paths.example_path("marathon"))
    assert cohort["sodium_pre"].tolist() == marathon["sodium_pre"].tolist()


def test_documented_validate_command(tmp_path):
    before = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    ok = subprocess.run([sys.executable, "-m", "analysis", "validate", str(EXAMPLE), *OPTIONS],
                        capture_output=True, text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "Result: PASSED" in ok.stdout
    bare = subprocess.run([sys.executable, "-m", "analysis", "validate", str(EXAMPLE)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert bare.returncode == 2
    assert "error: row 24, column 'K post', value '<3,5'" in bare.stderr
    assert hashlib.sha256(EXAMPLE.read_bytes()).hexdigest() == before


@pytest.mark.slow
def test_real_notebooks_report_on_the_worked_example(tmp_path):
    if not paths.NOTEBOOKS_DIR.is_dir() or not data_notebooks():
        pytest.skip("no notebook in notebooks/ declares a `data_path` parameter yet")
    out = tmp_path / "report"
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "report", str(EXAMPLE), "--out", str(out), *OPTIONS],
        capture_output=True, text=True, timeout=1800, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    for name in ("report.html", "results.csv", "validation.txt", "provenance.json"):
        assert (out / name).is_file()
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["input"]["sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    results = pd.read_csv(out / "results.csv")
    assert "pv_change" in set(results["variable"]) and "sodium_post" in set(results["variable"])
    assert any((out / "figures").glob("*.png")) and any((out / "figures").glob("*.svg"))
