"""Every bad file in tests/data/bad/: exit 2, every problem on stderr, no traceback."""

from __future__ import annotations

import hashlib
import re
import shlex
import subprocess
import sys
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
