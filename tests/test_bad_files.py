"""Every bad file in tests/data/bad/: exit 2, every problem on stderr, no traceback."""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import DataValidationError, check_cohort, load_cohort

BAD = Path(__file__).parent / "data" / "bad"
README = (BAD / "README.md").read_text(encoding="utf-8")
LINE = re.compile(r"^- `([^`]+)`(?:, with `([^`]+)`)?: .* \[([a-z, -]+)\]$", re.M)
CASES = [(name, shlex.split(options), rules.split(", "))
         for name, options, rules in LINE.findall(README)]  # fmt: skip
PROBLEM_LINE = re.compile(
    r"^error: (file|row \d+|column '[^']*'|value '.*')(, .*)?: .+ \[[a-z-]+\]$"
)


def test_every_bad_file_is_listed_in_the_readme():
    listed = {name for name, _, _ in CASES}
    assert listed == {p.name for p in BAD.iterdir() if p.name != "README.md"}
    assert len(CASES) >= 12


@pytest.mark.parametrize(("name", "options", "rules"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_cli(name, options, rules, tmp_path):
    path = BAD / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = subprocess.run([sys.executable, "-m", "analysis", "validate", str(path), *options],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    problems = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    assert problems and all(PROBLEM_LINE.match(ln) for ln in problems), problems
    found = {re.search(r"\[([a-z-]+)\]$", ln).group(1) for ln in problems}
    assert found >= set(rules), (found, rules)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert list(tmp_path.iterdir()) == []


def test_several_problems_at_once_with_rows_columns_values():
    check = check_cohort(BAD / "several_problems.csv")
    assert [(p.row, p.column, p.value, p.rule) for p in check.errors] == [
        (2, "sodium_post", "14", "impossible-value"),
        (3, "group", "maybe", "unknown-group"),
        (3, "sodium_pre", "1400", "impossible-value"),
        (3, "potassium_post", "abc", "not-a-number"),
        (4, "subject_id", "R2", "duplicate-id"),
        (4, "sodium_pre", "<135", "censored-value"),
        (5, "potassium_post", "45", "impossible-value"),
    ]
    assert [(w.row, w.rule) for w in check.warnings if w.rule == "missing-id"] == [
        (5, "missing-id")
    ]
    with pytest.raises(DataValidationError, match=r"7 problems found; nothing was analysed"):
        load_cohort(BAD / "several_problems.csv")


def test_ragged_rows_are_numbered_as_in_the_file():
    check = check_cohort(BAD / "ragged_row.csv")
    assert [(p.row, p.rule) for p in check.errors] == [(3, "ragged-row"), (4, "ragged-row")]


def test_yes_no_under_group_says_what_to_pass():
    (first, _) = check_cohort(BAD / "yes_no_under_group.csv").errors
    assert "--cramp-label Yes --control-label No" in first.message


def test_wrong_separator_hint():
    check = check_cohort(BAD / "wrong_separator_given.csv", sep=",")
    assert any("pass --sep ';'" in p.message for p in check.errors)
    assert check_cohort(BAD / "wrong_separator_given.csv").ok


def test_mixed_haematocrit_units_explained():
    (problem,) = check_cohort(BAD / "haematocrit_mixed_units.csv").errors
    assert (problem.row, problem.value) == (3, "0.45")
    assert "after reading it in percent" in problem.message


# ---------------------------------------------------------------------------
# real exports (tests/data/bad_exports/): what each prints and its exit status

EXPORTS = Path(__file__).parent / "data" / "bad_exports"
EXPORTS_README = (EXPORTS / "README.md").read_text(encoding="utf-8")
EXPORT_LINE = re.compile(
    r"^- `([^`]+)`(?:, with `([^`]+)`)?: .* \[([a-z, -]+)\](?: fixed by `([^`]+)`)?$", re.M
)
EXPORT_CASES = [(name, shlex.split(options), rules.split(", "), shlex.split(fix) if fix else None)
                for name, options, rules, fix in EXPORT_LINE.findall(EXPORTS_README)]  # fmt: skip
#: what the message must say, beyond the rule (the hint a person acts on)
EXPECTED = {
    "title_row.csv": "looks like a title above the header: the column names seem to be on row "
    "3; pass --skip-rows 2",
    "units_row.csv": "row 2: looks like a units row under the header ('mmol/L'",
    "title_and_units_rows.csv": "pass --units-row to skip it",
    "summary_rows.csv": "row 15, column 'subject_id', value 'mean cramp': looks like a summary row",
    "merged_group_cells.xlsx": "cells B2:B7 are merged: only row 2 holds the value, so rows 3-7 "
    "have none",
    "formula_without_value.xlsx": "value '=H2+0.02': a formula without a saved result",
    "notes_on_first_sheet.xlsx": "the workbook's other sheets are 'Data', pass --sheet 'Data'",
    "spreadsheet_errors.csv": "a spreadsheet error value: fix the formula in the file, or "
    "declare it missing with --na-values '#N/A'",
    "flag_letters.csv": "value '146 H': is not a number (a number with a flag such as H/L",
    "units_in_cells.csv": "value '141 mmol/L': is not a number (a number with its unit 'mmol/L'",
    "groups_coded_1_0.csv": "the groups are coded '1' (6 rows) and '0' (6 rows), which are not "
    "group labels; if 1 means cramp, pass --cramp-label 1 "
    "--control-label 0",
    "unknown_label_repeated.csv": "(6 rows: 8, 9, 10 and 3 more)",
    "same_problem_in_every_row.csv": "column 'sodium_pre': ... and 9 more like the above (rows 5, "
    "6, 7, 8, 9, 10, 11, 12, 13)",
    "utf16_without_bom.csv": "it looks like UTF-16 text without a byte-order mark: pass "
    "--encoding utf-16",
    "latin1_values.csv": "value '0xFC': the file is not valid utf-8: byte 0xFC (read as "
    "latin-1: 'ü') on line 2",
    "too_many_columns.csv": "the header has 1,500 columns; a cohort table has at most 1,000",
}


def _validate(*args: object, cwd: Path, stdin: object = subprocess.DEVNULL, timeout: int = 120):
    return subprocess.run([sys.executable, "-m", "analysis", "validate", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          stdin=stdin)  # fmt: skip


def test_every_export_is_listed_and_expected():
    listed = {name for name, *_ in EXPORT_CASES}
    assert listed == {p.name for p in EXPORTS.iterdir()} - {"README.md", "make_files.py"}
    assert set(EXPECTED) == {name for name, _, rules, _ in EXPORT_CASES if rules != ["ok"]}


@pytest.mark.parametrize(("name", "options", "rules", "fix"), EXPORT_CASES,
                         ids=[c[0] for c in EXPORT_CASES])  # fmt: skip
def test_export_cli(name, options, rules, fix, tmp_path):
    path = EXPORTS / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = _validate(path, *options, cwd=tmp_path)
    assert "Traceback" not in result.stderr + result.stdout
    if rules == ["ok"]:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 2, result.stderr
        problems = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
        assert problems and all(PROBLEM_LINE.match(ln) for ln in problems), problems
        found = {re.search(r"\[([a-z-]+)\]$", ln).group(1) for ln in problems}
        assert found >= set(rules), (found, rules)
        assert EXPECTED[name] in result.stderr, result.stderr
        assert len(problems) <= 4, problems  # a few lines, repeated problems summarised
        assert "b'" not in result.stderr
    if fix is not None:
        fixed = _validate(path, *fix, cwd=tmp_path)
        assert fixed.returncode == 0, fixed.stderr
        assert "Result: PASSED" in fixed.stdout
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert list(tmp_path.iterdir()) == []


def test_excel_sep_line_is_obeyed_and_echoed():
    check = check_cohort(EXPORTS / "excel_sep_line.csv")
    assert check.ok, check.errors
    assert "separator: ';' (from the file's first line 'sep=;', which Excel writes and hides)" \
        in check.decisions  # fmt: skip
    assert check.n_rows == 12 and check.cohort["sodium_pre"].notna().all()


def test_units_row_skipped_and_echoed():
    check = check_cohort(EXPORTS / "units_row.csv", units_row=True)
    assert check.ok and check.n_rows == 12
    assert any(d.startswith("row 2 read as a units row and skipped") for d in check.decisions)


def test_skip_rows_keeps_spreadsheet_row_numbers(tmp_path):
    check = check_cohort(EXPORTS / "title_row.csv", skip_rows=2)
    assert check.ok and check.n_rows == 12
    assert "rows 1-2 skipped (--skip-rows 2)" in check.decisions
    lines = (EXPORTS / "title_row.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[4].split(",")  # spreadsheet row 5: the second runner
    fields[2] = "13"
    lines[4] = ",".join(fields)
    (tmp_path / "typo.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    check = check_cohort(tmp_path / "typo.csv", skip_rows=2)
    assert [(p.row, p.column, p.value, p.rule) for p in check.errors] == [
        (5, "sodium_pre", "13", "impossible-value")]  # fmt: skip


def test_summary_rows_are_not_runners():
    check = check_cohort(EXPORTS / "summary_rows.csv")
    assert [(p.row, p.rule) for p in check.errors] == [
        (15, "summary-row"), (16, "summary-row"), (17, "summary-row")]  # fmt: skip


def test_na_values_declares_missing_tokens():
    check = check_cohort(EXPORTS / "spreadsheet_errors.csv", na_values=["#N/A", "#div/0!"])
    assert check.ok
    assert check.missing["potassium_post"] == 2


def test_group_codes_summarised_once_and_labels_fix_them():
    check = check_cohort(EXPORTS / "groups_coded_1_0.csv")
    assert [(p.rule, p.column) for p in check.errors] == [("unknown-group", "group")]
    fixed = check_cohort(EXPORTS / "groups_coded_1_0.csv", cramp_labels=["1"],
                         control_labels=["0"])  # fmt: skip
    assert fixed.ok and (fixed.cohort["group"] == "cramp").sum() == 6


def test_other_sheet_read_when_named():
    check = check_cohort(EXPORTS / "notes_on_first_sheet.xlsx", sheet="Data")
    assert check.ok and check.n_rows == 12


# ---------------------------------------------------------------------------
# bounded work and output on a wrong file (issue 11, defect 5)


def test_one_line_of_numbers_is_refused_quickly_in_a_few_lines(tmp_path):
    path = tmp_path / "one_line.csv"
    path.write_text("141," * (2 * 2**20 // 4), encoding="utf-8")  # 2 MB, one line
    tic = time.monotonic()
    result = _validate(path, cwd=tmp_path, timeout=60)
    elapsed = time.monotonic() - tic
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) <= 3 and max(len(ln) for ln in lines) < 1000, lines[:5]
    assert "[not-a-table]" in result.stderr and "line 1 is 2,097,152 bytes long" in result.stderr
    assert elapsed < 30  # 15 s for 1 MB before; a fraction of a second now, plus start-up
    assert len(result.stdout) < 10_000


def test_no_line_lists_thousands_of_names(tmp_path):
    names = [f"measure_{i}" for i in range(900)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names) + "\n" + ",".join(["1"] * 900) + "\n", encoding="utf-8")
    result = _validate(path, cwd=tmp_path)
    assert result.returncode == 2
    assert max(len(ln) for ln in result.stderr.splitlines()) < 2000
    assert "'measure_19' and 880 more" in result.stderr


def test_repeated_problems_summarised_with_their_count(tmp_path):
    rows = "\n".join(f"R{i},cramp,abc" if i % 2 else f"R{i},control,abc" for i in range(500))
    path = tmp_path / "typos.csv"
    path.write_text("subject_id,group,sodium_post\n" + rows + "\n", encoding="utf-8")
    check = check_cohort(path)
    assert [(p.row, p.rule, p.count) for p in check.errors] == [
        (2, "not-a-number", 1), (3, "not-a-number", 1), (4, "not-a-number", 1),
        (None, "not-a-number", 497)]  # fmt: skip
    assert "... and 497 more like the above (rows 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, ...)" in (
        check.errors[-1].message)  # fmt: skip
    assert "Errors (500):" in check.to_text()
    with pytest.raises(DataValidationError, match="500 problems found"):
        load_cohort(path)


# ---------------------------------------------------------------------------
# things that are not files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_fifo_is_named_not_read(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = _validate(fifo, cwd=tmp_path, timeout=30)  # reading it would block forever
    assert result.returncode == 2
    assert "a named pipe (FIFO), not a file" in result.stderr


@pytest.mark.parametrize(("path", "what"), [("/dev/zero", "a device (such as /dev/zero), not a "
                                                          "file"),
                                            (".", "a folder, not a file")])  # fmt: skip
def test_device_and_folder_named(path, what, tmp_path):
    if not Path(path).exists():
        pytest.skip(f"{path} does not exist here")
    result = _validate(path, cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert what in result.stderr and "no such file" not in result.stderr


def test_standard_input_is_read(tmp_path):
    data = (EXPORTS / "units_row.csv").read_bytes()
    result = subprocess.run([sys.executable, "-m", "analysis", "validate", "-", "--units-row"],
                            input=data, capture_output=True, cwd=tmp_path,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b"Validation of standard input" in result.stdout
    assert b"read from standard input" in result.stdout
    empty = _validate("-", cwd=tmp_path)
    assert empty.returncode == 2 and "[empty-file]" in empty.stderr


def test_readme_states_the_limits_the_loader_applies():
    from analysis.validation import problems, reading

    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text("utf-8").split())
    for option in (
        "--skip-rows N",
        "--units-row",
        "--na-values TOKEN[,TOKEN]",
        "`.sav`",
        "`.dta`",
        "`-`",
        "--encoding utf-16",
        "--cramp-label 1 --control-label 0",
    ):
        assert option in readme, option  # fmt: skip
    assert problems._SUMMARY_LIMITS == {"error": 10, "warning": 100}
    assert problems._SHOWN == {"error": 3, "warning": 100}
    assert "more than 10 times in one column shows its first 3" in readme
    assert "(warnings: the first 100 of more than 100)" in readme
    assert problems.listing([str(i) for i in range(25)]).endswith("'19' and 5 more")
    assert "lists of column names stop after 20" in readme
    assert reading.MAX_LINE_CHARS == 100_000 and reading.MAX_COLUMNS == 1_000
    assert "longer than 100,000 characters, more than 1,000 columns" in readme
    assert reading.MAX_STDIN_BYTES == 512 * 2**20 and "at most 512 MB" in readme


def test_millions_of_lines_under_a_useless_header_are_not_all_read(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text("141,\n" * 400_000, encoding="utf-8")  # 2 MB, 400,000 lines
    check = check_cohort(path)
    assert {p.rule for p in check.errors} == {"group-column-missing", "no-analyte"}
    assert check.n_rows == 9
    assert ("only the first 9 data rows were read: the header names no column this analysis "
            "uses, so no row can be checked") in check.decisions  # fmt: skip
    # a header mapped by an option is read to the end
    mapped = check_cohort(path, columns={"sodium_post": "141"})
    assert mapped.n_rows == 399_999


@pytest.mark.parametrize("chunk", [3, 8 * 2**20])
@pytest.mark.parametrize(
    ("raw", "expected"),
    [(b"", (0, 1)), (b"abc", (3, 1)), (b"a\nbbb\ncc", (3, 2)), (b"aaaa\nb\n", (4, 1)),
     (b"a\nbb\n" + b"x" * 10 + b"\ny", (10, 3)), (b"a\r\nbb\r\n", (3, 2))],
)  # fmt: skip
def test_longest_line(raw, expected, chunk):
    from analysis.validation.reading import _longest_line

    assert _longest_line(raw, chunk=chunk) == expected


@pytest.mark.parametrize(
    ("cell", "summary"),
    [("mean cramp", True), ("Mean (control)", True), ("Total", True), ("SD", True),
     ("Std. dev.", True), ("median: all", True), ("SD-01", False), ("SD 01", False),
     ("Summer", False), ("Totalitarian", False), ("M001", False), ("Averill", False)],
)  # fmt: skip
def test_summary_row_spellings(write_csv, cell, summary):
    path = write_csv(f"subject_id,group,sodium_post\nA1,cramp,140\n{cell},control,141\n"
                     "A3,control,142\n")  # fmt: skip
    rules = [p.rule for p in check_cohort(path).errors]
    assert (rules == ["summary-row"]) if summary else rules == [], rules
