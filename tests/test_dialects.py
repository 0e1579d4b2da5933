"""Messy but valid files in every supported dialect load to the same cohort."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis import check_cohort, example_path, load_cohort

#: the first 12 runners of the bundled cohort, as text
SOURCE = pd.read_csv(example_path("marathon"), dtype=str, keep_default_na=False).head(12)
NUMERIC = ["sodium_pre", "sodium_post", "potassium_post", "haemoglobin_pre",
           "haemoglobin_post", "haematocrit_pre", "haematocrit_post"]  # fmt: skip


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    path = tmp_path_factory.mktemp("clean") / "clean.csv"
    SOURCE.to_csv(path, index=False)
    return load_cohort(path)


def assert_same(cohort, expected, columns=NUMERIC):
    assert list(cohort["group"]) == list(expected["group"])
    for c in columns:
        np.testing.assert_allclose(cohort[c], expected[c], rtol=1e-12, err_msg=c)
    assert np.allclose(cohort["pv_change"], expected["pv_change"], equal_nan=True)


def write(tmp_path, text: str, name="messy.csv", encoding="utf-8", bom=False) -> object:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def as_text(frame: pd.DataFrame, sep=",", decimal=".", newline="\n") -> str:
    if decimal == ",":
        frame = frame.apply(lambda col: col.str.replace(".", ",", regex=False))
    return frame.to_csv(index=False, sep=sep, lineterminator=newline)


@pytest.mark.parametrize(
    ("sep", "decimal", "newline", "bom"),
    [(";", ",", "\r\n", True), ("\t", ".", "\n", False), ("\t", ",", "\r\n", False),
     (",", ".", "\r\n", True), ("|", ",", "\n", False)],
    ids=["semicolon-comma-crlf-bom", "tab", "tab-comma", "comma-bom-crlf", "pipe-comma"],
)  # fmt: skip
def test_separators_decimals_bom_detected(tmp_path, expected, sep, decimal, newline, bom):
    path = write(tmp_path, as_text(SOURCE, sep, decimal, newline), bom=bom)
    check = check_cohort(path)
    assert check.ok, check.errors
    assert_same(check.cohort, expected)
    assert any(d.startswith("separator:") and "detected" in d for d in check.decisions)
    assert f"decimal mark: {decimal!r} (detected; override with --decimal)" in check.decisions
    assert list(check.cohort.columns[:2]) == ["subject_id", "group"]  # no BOM in a name


def test_latin1_with_encoding_option(tmp_path, expected):
    frame = SOURCE.copy()
    frame["comment"] = "Läufer ohne Krämpfe"
    path = write(tmp_path, as_text(frame, ";", ","), encoding="latin-1")
    assert [p.rule for p in check_cohort(path).errors] == ["encoding"]
    check = check_cohort(path, encoding="latin-1")
    assert check.ok, check.errors
    assert_same(check.cohort, expected)
    assert check.cohort.loc[0, "comment"] == "Läufer ohne Krämpfe"


def test_utf16_with_bom_detected(tmp_path, expected):
    path = tmp_path / "unicode.txt"
    path.write_bytes(as_text(SOURCE, "\t").encode("utf-16"))
    check = check_cohort(path)
    assert check.ok, check.errors
    assert_same(check.cohort, expected)


def test_xlsx_with_sheet_name(tmp_path, expected):
    path = tmp_path / "runners.xlsx"
    numeric = SOURCE.copy()
    for c in numeric.columns[2:]:
        numeric[c] = pd.to_numeric(numeric[c])
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["read me first"]}).to_excel(writer, sheet_name="About", index=False)
        numeric.to_excel(writer, sheet_name="Race day", index=False)
    assert [p.rule for p in check_cohort(path, sheet="Nope").errors] == ["sheet-missing"]
    for sheet in ("Race day", 1):
        check = check_cohort(path, sheet=sheet)
        assert check.ok, check.errors
        assert_same(check.cohort, expected)


def test_units_groups_renamed_columns_extras_blanks(tmp_path, expected):
    frame = SOURCE.rename(columns={"subject_id": "Runner", "group": "Cramp?",
                                   "sodium_pre": "Na vor", "sodium_post": "Na nach",
                                   "potassium_post": "K post (mmol/L)"})  # fmt: skip
    frame["Cramp?"] = frame["Cramp?"].map({"cramp": "Yes", "control": "no"})
    for c in ("haematocrit_pre", "haematocrit_post"):
        frame[c] = (frame[c].astype(float) * 100).round(1).astype(str)
    for c in ("haemoglobin_pre", "haemoglobin_post"):
        frame[c] = (frame[c].astype(float) * 10).round(0).astype(int).astype(str)
    frame["Lab comment"] = ["ok; repeat"] + [""] * 11
    frame.loc[3, "K post (mmol/L)"] = ""
    frame.loc[4, "K post (mmol/L)"] = "n/a"
    frame.loc[5, "K post (mmol/L)"] = "<3,5"
    path = write(tmp_path, as_text(frame, ";", ","))
    check = check_cohort(path, columns={"sodium_pre": "Na vor", "sodium_post": "Na nach"},
                         censored="missing")  # fmt: skip
    assert check.ok, check.errors
    cohort = check.cohort
    assert_same(cohort, expected, [c for c in NUMERIC if c != "potassium_post"])
    assert cohort["potassium_post"].isna().sum() == 3 and check.missing["potassium_post"] == 3
    assert [(w.row, w.rule) for w in check.warnings if w.rule == "censored-value"] == [
        (7, "censored-value")
    ]
    assert list(cohort["Lab comment"])[:2] == ["ok; repeat", ""]
    decisions = "\n".join(check.decisions)
    for text in ("haematocrit unit: percent", "haemoglobin unit: g/L",
                 "group label 'Yes' -> cramp", "column 'Na vor' -> sodium_pre (given)",
                 "column 'K post (mmol/L)' -> potassium_post (inferred)",
                 "extra columns kept in the record, not analysed: 'Lab comment'"):  # fmt: skip
        assert text in decisions


def test_explicit_options_override_detection(tmp_path, expected):
    path = write(tmp_path, as_text(SOURCE, ";", ","))
    check = check_cohort(path, sep=";", decimal=",", haematocrit_unit="fraction",
                         haemoglobin_unit="g/dL")  # fmt: skip
    assert check.ok
    assert "separator: ';' (given)" in check.decisions
    assert "haematocrit unit: fraction (given)" in check.decisions


def test_blank_lines_and_trailing_separators_keep_row_numbers(tmp_path):
    text = "group;sodium_post;;\ncramp;140;;\n\ncontrol;14;\ncontrol;141\n"
    check = check_cohort(write(tmp_path, text))
    assert [(p.row, p.rule) for p in check.errors] == [(4, "impossible-value")]


@pytest.mark.parametrize(
    ("args", "make"),
    [
        (["--sep", "tab"], lambda p: p.write_text(as_text(SOURCE, "\t"))),
        (["--sep", ";", "--decimal", ","], lambda p: p.write_text(as_text(SOURCE, ";", ","))),
        (["--encoding", "latin-1"], lambda p: p.write_bytes(as_text(SOURCE).encode("latin-1"))),
        (["--haematocrit-unit", "fraction", "--haemoglobin-unit", "g/dL"],
         lambda p: p.write_text(as_text(SOURCE))),
    ],
    ids=["sep-tab", "sep-decimal", "encoding", "units"],
)  # fmt: skip
def test_cli_dialect_options(tmp_path, args, make):
    path = tmp_path / "data.csv"
    make(path)
    result = subprocess.run([sys.executable, "-m", "analysis", "validate", str(path), *args],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Result: PASSED" in result.stdout and "Traceback" not in result.stderr


def test_cli_sheet_option(tmp_path):
    path = tmp_path / "runners.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="About", index=False)
        SOURCE.to_excel(writer, sheet_name="Race day", index=False)
    ok = subprocess.run([sys.executable, "-m", "analysis", "validate", str(path), "--sheet",
                         "Race day"], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "read Excel sheet 'Race day'" in ok.stdout
    first = subprocess.run([sys.executable, "-m", "analysis", "validate", str(path)],
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert first.returncode == 2 and "Traceback" not in first.stderr


def test_sheet_named_with_digits_and_sheet_index(tmp_path):
    import pandas as pd

    from analysis import check_cohort

    path = tmp_path / "race.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"group": ["cramp", "control"], "sodium_post": [140, 141]}).to_excel(
            writer, sheet_name="notes", index=False
        )
        pd.DataFrame({"group": ["cramp", "control"], "sodium_post": [142, 143]}).to_excel(
            writer, sheet_name="2024", index=False
        )
    by_name = check_cohort(path, sheet="2024")
    assert by_name.ok and by_name.cohort["sodium_post"].tolist() == [142.0, 143.0]
    by_index = check_cohort(path, sheet="0")
    assert by_index.ok and by_index.cohort["sodium_post"].tolist() == [140.0, 141.0]
    assert [p.rule for p in check_cohort(path, sheet="7").errors] == ["sheet-missing"]


# ---------------------------------------------------------------------------
# SPSS and Stata files, written here with pyreadstat


def _coded_frame() -> pd.DataFrame:
    """The 12 runners with the group coded 1/0 and opaque variable names."""
    frame = pd.DataFrame({"id": SOURCE["subject_id"],
                          "grp": (SOURCE["group"] == "cramp").astype(float)})  # fmt: skip
    for i, c in enumerate(NUMERIC, start=1):
        frame[f"v{i}"] = SOURCE[c].astype(float)
    return frame


_VARIABLE_LABELS = {"id": "Runner", "grp": "Group",
                    **{f"v{i}": c.replace("_", " ") for i, c in enumerate(NUMERIC, start=1)}}  # fmt: skip


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_spss_and_stata_value_and_variable_labels(tmp_path, expected, suffix):
    import pyreadstat

    write_file = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
    path = tmp_path / f"runners{suffix}"
    write_file(_coded_frame(), str(path), column_labels=_VARIABLE_LABELS,
               variable_value_labels={"grp": {1: "cramp", 0: "control"}})  # fmt: skip
    check = check_cohort(path)
    assert check.ok, check.errors
    assert_same(check.cohort, expected)
    assert list(check.cohort["subject_id"]) == list(SOURCE["subject_id"])
    assert "column 'grp': the file's value labels used (0 = 'control', 1 = 'cramp')" in (
        check.decisions) or "column 'grp': the file's value labels used (1 = 'cramp', 0 = " \
        "'control')" in check.decisions  # fmt: skip
    assert "column 'v1' -> sodium_pre (inferred from its variable label 'sodium pre')" in (
        check.decisions)  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "analysis", "validate", str(path)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_spss_labels_in_other_words_map_with_options(tmp_path):
    import pyreadstat

    path = tmp_path / "runners.sav"
    pyreadstat.write_sav(_coded_frame(), str(path), column_labels=_VARIABLE_LABELS,
                         variable_value_labels={"grp": {1: "Krampf", 0: "Kontrolle"}})  # fmt: skip
    (problem,) = check_cohort(path).errors
    assert problem.rule == "unknown-group"
    assert "pass --cramp-label Kontrolle --control-label Krampf" in problem.message or (
        "pass --cramp-label Krampf --control-label Kontrolle" in problem.message
    )
    check = check_cohort(path, cramp_labels=["Krampf"], control_labels=["Kontrolle"])
    assert (
        check.ok and (check.cohort["group"] == "cramp").sum() == (SOURCE["group"] == "cramp").sum()
    )


def test_spss_without_value_labels_gives_the_exact_options(tmp_path):
    import pyreadstat

    path = tmp_path / "runners.sav"
    pyreadstat.write_sav(_coded_frame(), str(path), column_labels=_VARIABLE_LABELS)
    (problem,) = check_cohort(path).errors
    assert "pass --cramp-label 1 --control-label 0" in problem.message
    assert check_cohort(path, cramp_labels=["1"], control_labels=["0"]).ok


def test_broken_statistics_file_is_a_problem_not_a_traceback(tmp_path):
    path = tmp_path / "broken.dta"
    path.write_bytes(b"<stata_dta><header>garbage")
    (problem,) = check_cohort(path).errors
    assert problem.rule == "unreadable" and "not a readable Stata file" in problem.message


def test_merged_cells_in_an_extra_column_are_a_warning(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["group", "sodium_post", "comment", "note"])
    for group, sodium in (("cramp", 140), ("control", 141), ("cramp", 139), ("control", 142)):
        ws.append([group, sodium, None, None])
    ws["C2"] = "same tent"
    ws.merge_cells("C2:D4")  # two extra columns, three rows
    book.save(tmp_path / "comment.xlsx")
    check = check_cohort(tmp_path / "comment.xlsx")
    assert check.ok, check.errors
    (warning,) = [p for p in check.warnings if p.rule == "merged-cells"]
    assert (warning.row, warning.column) == (2, "comment")
    assert "cells C2:D4 are merged: only row 2 holds the value, so rows 3-4" in warning.message


def test_damaged_spss_file_that_crashes_the_reader_is_a_problem(tmp_path):
    """pyreadstat 1.3.7 segfaults on this one-byte change; the child process absorbs it."""
    import pyreadstat

    frame = pd.DataFrame({"grp": [1.0, 0.0, 1.0, 0.0], "v3": [141.0, 140.0, 139.5, 142.0]})
    path = tmp_path / "damaged.sav"
    pyreadstat.write_sav(frame, str(path), column_labels={"grp": "Group", "v3": "Na post"},
                         variable_value_labels={"grp": {1: "cramp", 0: "control"}})  # fmt: skip
    assert check_cohort(path).ok
    data = bytearray(path.read_bytes())
    data[312] = 0xFF
    path.write_bytes(bytes(data))
    (problem,) = check_cohort(path).errors
    assert problem.rule == "unreadable" and "not a readable SPSS file" in problem.message
    result = subprocess.run([sys.executable, "-m", "analysis", "validate", str(path)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)  # fmt: skip
    assert result.returncode == 2 and "[unreadable]" in result.stderr


def test_workbook_that_unpacks_to_gigabytes_is_refused_unread(tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(300):
                part.write(b" " * 2**20)
    assert path.stat().st_size < 2 * 2**20
    (problem,) = check_cohort(path).errors
    assert problem.rule == "not-a-table"
    assert "the workbook unpacks to 300 MB (at most 256 MB are read)" in problem.message
