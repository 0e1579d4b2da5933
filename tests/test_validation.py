"""The loader: every rule, every problem at once, nothing lost, nothing modified."""

import hashlib

import numpy as np
import pandas as pd
import pytest

from analysis import DataValidationError, check_cohort, example_path, load_cohort
from analysis.schema import CANONICAL_COLUMNS

GOOD = """subject_id,group,sodium_pre,sodium_post,potassium_post,haemoglobin_pre,haemoglobin_post,haematocrit_pre,haematocrit_post
A1,cramp,140,144,4.5,15.0,15.6,0.44,0.46
A2,cramp,141,143,4.4,14.8,15.3,0.43,0.45
A3,control,139,142,4.6,15.2,15.9,0.45,0.46
A4,control,142,146,,15.1,15.5,0.44,0.45
"""


def rules(check):
    return [(p.row, p.column, p.value, p.rule) for p in check.errors]


def test_example_cohort_loads_in_canonical_schema(marathon):
    present = [c for c in CANONICAL_COLUMNS if c in marathon.columns]
    assert list(marathon.columns[: len(present)]) == present
    assert len(present) == 17
    assert set(marathon["group"]) == {"cramp", "control"}
    assert (marathon["group"] == "cramp").sum() == 15
    assert len(marathon) == 82
    assert marathon["sodium_pre"].dtype == np.float64
    assert {"pv_change", "sodium_change"} <= set(marathon.columns)


def test_good_file_loads_and_counts_missing(write_csv):
    check = check_cohort(write_csv(GOOD))
    assert check.ok
    assert check.missing["potassium_post"] == 1
    assert len(check.cohort) == 4  # the row with a blank is kept, never dropped
    assert np.isnan(check.cohort.loc[3, "potassium_post"])
    assert "potassium_post: 1" in check.to_text()


def test_input_file_is_never_modified(write_csv):
    path = write_csv(GOOD.replace("144", "14"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    check_cohort(path)
    with pytest.raises(DataValidationError):
        load_cohort(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_every_problem_reported_at_once(write_csv):
    bad = """subject_id,group,sodium_pre,sodium_post,potassium_post,haematocrit_post
A1,cramp,140,14,4.5,0.46
A2,maybe,1400,143,45,1.2
A2,control,abc,142,4.4,0.45
A4,,140,141,4.3,0.44
"""
    with pytest.raises(DataValidationError) as info:
        load_cohort(write_csv(bad))
    found = {(p.row, p.column, p.rule) for p in info.value.problems}
    assert found == {
        (2, "sodium_post", "impossible-value"),
        (3, "group", "unknown-group"),
        (3, "sodium_pre", "impossible-value"),
        (3, "potassium_post", "impossible-value"),
        (3, "haematocrit_post", "impossible-value"),
        (4, "subject_id", "duplicate-id"),
        (4, "sodium_pre", "not-a-number"),
        (5, "group", "unknown-group"),
    }
    message = str(info.value)
    assert "8 problems found" in message
    assert "row 3, column 'sodium_pre', value '1400'" in message
    assert "header is row 1" in message
    assert isinstance(info.value, ValueError)


def test_problems_carry_row_column_value_rule(write_csv):
    check = check_cohort(write_csv(GOOD.replace("A3,control,139", "A3,control,13.9")))
    (problem,) = check.errors
    assert (problem.row, problem.column, problem.value, problem.rule) == (
        4,
        "sodium_pre",
        "13.9",
        "impossible-value",
    )
    assert "between 90 and 200 mmol/L" in problem.message


def test_missing_group_column(write_csv):
    check = check_cohort(write_csv("id,sodium_post\n1,140\n2,141\n"))
    assert [p.rule for p in check.errors] == ["group-column-missing"]
    assert "no group column" in str(check.errors[0])


def test_no_analyte(write_csv):
    check = check_cohort(write_csv("group,age\ncramp,30\ncontrol,40\n"))
    assert "no-analyte" in [p.rule for p in check.errors]


def test_only_group_and_one_analyte_needed(write_csv):
    cohort = load_cohort(write_csv("group,potassium_post\ncramp,4.4\ncontrol,4.6\n"))
    assert list(cohort.columns) == ["group", "potassium_post"]


def test_both_groups_needed(write_csv):
    check = check_cohort(write_csv("group,sodium_post\ncramp,140\ncramp,141\n"))
    assert [(p.rule, p.message[:31]) for p in check.errors] == [
        ("group-empty", "no runner is in group 'control'")
    ]


def test_reference_range_flags_but_accepts(write_csv):
    check = check_cohort(write_csv(GOOD.replace("144", "151")))
    assert check.ok
    (warning,) = [w for w in check.warnings if w.column == "sodium_post" and w.row == 2]
    assert (warning.row, warning.value, warning.rule) == (2, "151", "outside-reference-range")
    assert check.cohort.loc[0, "sodium_post"] == 151


def test_censored_value_reported_per_cell(write_csv):
    path = write_csv(GOOD.replace("144", "<135"))
    check = check_cohort(path)
    assert rules(check) == [(2, "sodium_post", "<135", "censored-value")]
    as_missing = check_cohort(path, censored="missing")
    assert as_missing.ok
    assert [(w.row, w.rule) for w in as_missing.warnings if w.rule == "censored-value"] == [
        (2, "censored-value")
    ]
    assert as_missing.missing["sodium_post"] == 1


def test_semicolon_and_decimal_comma_detected(write_csv):
    text = GOOD.replace(",", ";")
    text = "\n".join(
        line if i == 0 else line.replace(".", ",") for i, line in enumerate(text.splitlines())
    )
    check = check_cohort(write_csv(text))
    assert check.ok, check.errors
    assert "separator: ';' (detected; override with --sep)" in check.decisions
    assert any(d.startswith("decimal mark: ','") for d in check.decisions)
    assert check.cohort.loc[0, "potassium_post"] == 4.5


def test_tab_separated_with_bom(write_csv):
    path = write_csv("\ufeff" + GOOD.replace(",", "\t"))
    check = check_cohort(path)
    assert check.ok
    assert check.cohort.columns[0] == "subject_id"


def test_latin1_needs_encoding(write_csv):
    path = write_csv(GOOD.replace("A1", "Jos\u00e9"), encoding="latin-1")
    check = check_cohort(path)
    assert [p.rule for p in check.errors] == ["encoding"]
    assert "--encoding latin-1" in check.errors[0].message
    assert check_cohort(path, encoding="latin-1").cohort.loc[0, "subject_id"] == "Jos\u00e9"


def test_haematocrit_percent_and_haemoglobin_g_per_l_detected(write_csv):
    lines = GOOD.splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[5], cells[6] = (str(round(float(c) * 10)) for c in cells[5:7])
        cells[7], cells[8] = (f"{float(c) * 100:g}" for c in cells[7:9])
        out.append(",".join(cells))
    check = check_cohort(write_csv("\n".join(out) + "\n"))
    assert check.ok, check.errors
    assert check.cohort.loc[0, "haematocrit_pre"] == pytest.approx(0.44)
    assert check.cohort.loc[0, "haemoglobin_pre"] == pytest.approx(15.0)
    assert any(d.startswith("haematocrit unit: percent") for d in check.decisions)
    assert any(d.startswith("haemoglobin unit: g/L") for d in check.decisions)


def test_column_and_group_spellings_inferred_and_echoed(write_csv):
    text = "Runner,Cramp,Na pre (mmol/L),Na post (mmol/L),Hct_after\nR1,Yes,140,144,0.45\nR2,No,141,143,0.44\n"
    check = check_cohort(write_csv(text))
    assert check.ok, check.errors
    assert list(check.cohort.columns[:5]) == [
        "subject_id",
        "group",
        "sodium_pre",
        "sodium_post",
        "haematocrit_post",
    ]
    assert "column 'Na post (mmol/L)' -> sodium_post (inferred)" in check.decisions
    assert any("group label 'Yes' -> cramp" in d for d in check.decisions)


def test_explicit_mapping_and_labels(write_csv):
    text = "who,status,natrium\n1,1,140\n2,0,141\n"
    check = check_cohort(
        write_csv(text),
        columns={"sodium_post": "natrium", "subject_id": "who"},
        group_column="status",
        cramp_labels=["1"],
        control_labels=["0"],
    )
    assert check.ok, check.errors
    assert list(check.cohort["group"]) == ["cramp", "control"]
    missing = check_cohort(write_csv(text), columns={"sodium_post": "Natrium"})
    assert "column-missing" in [p.rule for p in missing.errors]


def test_ambiguous_columns_refused(write_csv):
    check = check_cohort(write_csv("group,Na_post,sodium_post\ncramp,140,140\ncontrol,141,141\n"))
    assert "ambiguous-column" in [p.rule for p in check.errors]


def test_extra_columns_kept(write_csv):
    cohort = load_cohort(write_csv("group,sodium_post,comment\ncramp,140,ok\ncontrol,141,\n"))
    assert list(cohort["comment"]) == ["ok", ""]


@pytest.mark.parametrize(
    "text,rule",
    [
        ("", "empty-file"),
        ("group,sodium_post\n", "no-rows"),
        ("group,sodium_post\ncramp,140\ncontrol,141,99\ncramp,1,2,3\n", "ragged-row"),
        ("group,group,sodium_post\ncramp,cramp,140\ncontrol,control,141\n", "duplicate-column"),
    ],
)
def test_unreadable_files(write_csv, text, rule):
    check = check_cohort(write_csv(text))
    assert rule in [p.rule for p in check.errors]
    assert check.cohort is None


def test_ragged_rows_all_listed(write_csv):
    check = check_cohort(write_csv("group,sodium_post\ncramp,140\ncontrol,141,99\ncramp,1,2,3\n"))
    assert [(p.row, p.rule) for p in check.errors] == [(3, "ragged-row"), (4, "ragged-row")]


def test_missing_file():
    check = check_cohort("/nonexistent/file.csv")
    assert [p.rule for p in check.errors] == ["file-missing"]


def test_excel(tmp_path):
    frame = pd.read_csv(example_path("marathon"))
    path = tmp_path / "cohort.xlsx"
    frame.to_excel(path, index=False)
    cohort = load_cohort(path)
    assert len(cohort) == 82
    assert cohort["sodium_post"].equals(load_cohort(example_path("marathon"))["sodium_post"])


def test_dataframe_input():
    table = pd.DataFrame({"group": ["cramp", "control"], "sodium_post": [140.0, np.nan]})
    cohort = load_cohort(table)
    assert np.isnan(cohort.loc[1, "sodium_post"])


def test_onset_in_control_is_flagged(write_csv):
    check = check_cohort(
        write_csv("group,sodium_post,cramp_onset_km\ncramp,140,30\ncontrol,141,20\n")
    )
    assert check.ok
    assert [w.rule for w in check.warnings] == ["onset-in-control"]


def test_column_named_like_a_derived_variable_is_recomputed_and_kept(write_csv):
    # a re-saved loaded cohort carries sodium_change; it must not shadow the recomputed one
    text = "group,sodium_pre,sodium_post,sodium_change\ncramp,140,143,3\ncontrol,141,142,99\n"
    check = check_cohort(write_csv(text))
    assert check.ok, check.errors
    cohort = check.cohort
    assert cohort["sodium_change"].tolist() == [3.0, 1.0]
    assert cohort["sodium_change"].dtype == np.float64
    assert cohort["sodium_change (from file)"].tolist() == ["3", "99"]
    assert any("sodium_change is recomputed" in d for d in check.decisions)


def test_derived_variable_taken_from_the_file_when_it_cannot_be_recomputed(write_csv):
    text = "group,pv_change\ncramp,-5.5\ncontrol,-7\ncontrol,abc\n"
    check = check_cohort(write_csv(text))
    assert [(p.row, p.column, p.rule) for p in check.errors] == [(4, "pv_change", "not-a-number")]
    cohort = load_cohort(write_csv(text.replace("abc", "")))
    assert cohort["pv_change"].tolist()[:2] == [-5.5, -7.0]
    assert np.isnan(cohort.loc[2, "pv_change"])


def test_resaved_cohort_with_derived_columns_compares(tmp_path, marathon):
    from analysis import compare_groups

    path = tmp_path / "resaved.csv"
    marathon.to_csv(path, sep=";", decimal=",", index=False)
    cohort = load_cohort(path)
    table = compare_groups(cohort, ["sodium_change", "pv_change"], n_resamples=200)
    np.testing.assert_allclose(
        table["mean_diff"],
        compare_groups(marathon, ["sodium_change", "pv_change"], n_resamples=200)["mean_diff"],
        rtol=1e-9,
    )


def test_rows_are_spreadsheet_rows_even_after_a_cell_with_a_line_break(write_csv):
    text = (
        'subject_id,group,sodium_post,comment\nA1,cramp,141,"line one\nline two"\nA2,control,14,\n'
    )
    check = check_cohort(write_csv(text))
    assert [(p.row, p.column, p.value) for p in check.errors] == [(3, "sodium_post", "14")]


# ---------------------------------------------------------------------------
# the options: one frozen object, checked once, naming option, rule and value


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"decimal": ";"}, ValueError, r"`decimal` must be one of \['\.', ','\]; got ';'"),
        ({"censored": "drop"}, ValueError, r"`censored` must be one of \['error', 'missing'\]; "
                                           r"got 'drop'"),
        ({"haematocrit_unit": "%"}, ValueError, r"`haematocrit_unit` must be one of"),
        ({"sep": "ab"}, ValueError, r"`sep` must be one character .*; got 'ab'"),
        ({"cramp_labels": "yes"}, TypeError, r"`cramp_labels` must be a list of labels, not one "
                                             r"string; got 'yes'"),
        ({"na_values": "#N/A"}, TypeError, r"`na_values` must be a list of labels"),
        ({"skip_rows": -1}, ValueError, r"`skip_rows` must be 0 or more; got -1"),
        ({"skip_rows": 1.5}, TypeError, r"`skip_rows` must be a whole number; got 1.5"),
        ({"units_row": "yes"}, TypeError, r"`units_row` must be True or False; got 'yes'"),
        ({"columns": ["sodium_post"]}, TypeError, r"`columns` must be a mapping"),
        ({"seperator": ";"}, TypeError, r"unknown option 'seperator'; the options are "),
    ],
)  # fmt: skip
def test_invalid_options_raise_naming_option_rule_value(write_csv, options, error, match):
    from analysis.validation import LoadOptions

    with pytest.raises(error, match=match):
        LoadOptions.of(options)
    with pytest.raises(error, match=match):
        check_cohort(write_csv(GOOD), **options)


def test_options_are_frozen_and_behave_as_the_mapping_of_what_changed(write_csv):
    import dataclasses
    import json

    from analysis.validation import LoadOptions

    options = LoadOptions(sep="tab", columns={"sodium_post": "Na"}, cramp_labels=["Y"],
                          na_values=("?",))  # fmt: skip
    assert options.sep == "\t" and options.cramp_labels == ("Y",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.sep = ","  # type: ignore[misc]
    with pytest.raises(TypeError):
        options.columns["sodium_pre"] = "x"  # type: ignore[index]
    assert dict(options) == {"sep": "\t", "columns": {"sodium_post": "Na"},
                             "cramp_labels": ["Y"], "na_values": ["?"]}  # fmt: skip
    json.dumps(dict(options))  # provenance records it as it is
    assert not LoadOptions() and dict(LoadOptions()) == {}
    assert LoadOptions.of(options, sep=";").sep == ";" and options.sep == "\t"
    same = check_cohort(write_csv(GOOD), options=LoadOptions(decimal="."))
    assert same.ok and "decimal mark: '.' (given)" in same.decisions


def test_cli_builds_the_same_options():
    from analysis.cli import _load_options, build_parser
    from analysis.validation import LoadOptions

    args = build_parser().parse_args(
        ["validate", "x.csv", "--sep", "tab", "--skip-rows", "2", "--units-row",
         "--na-values", "#N/A,?", "--na-values", "n.b.", "--cramp-label", "1",
         "--control-label", "0", "--column", "sodium_post=Na"])  # fmt: skip
    options = _load_options(args)
    assert options == LoadOptions(sep="\t", skip_rows=2, units_row=True,
                                  na_values=("#N/A", "?", "n.b."), cramp_labels=("1",),
                                  control_labels=("0",),
                                  columns={"sodium_post": "Na"})  # fmt: skip


def test_problem_fields_are_keywords_and_counted():
    from analysis.validation import Problem

    problem = Problem(row=None, column="group", value=None, rule="unknown-group",
                      message="... and 5 more like the above", count=5)  # fmt: skip
    assert str(problem) == "column 'group': ... and 5 more like the above [unknown-group]"
    assert DataValidationError([problem]).args[0].startswith("data: 5 problems found")


def test_units_row_option_on_a_file_without_a_units_row_is_a_problem_not_a_lost_runner(tmp_path):
    text = "subject_id,group,sodium_post,potassium_post\nA,cramp,140,4.1\nB,cramp,141,4.2\n"
    text += "C,control,139,4.0\nD,control,142,4.3\n"
    (tmp_path / "plain.csv").write_text(text)
    (problem,) = check_cohort(tmp_path / "plain.csv", units_row=True).errors
    assert problem.rule == "units-row" and problem.row == 2
    assert "looks like a runner's data" in problem.message and "'140'" in problem.message
    (tmp_path / "units.csv").write_text(text.replace("\nA,", "\n,,mmol/L,mmol/L\nA,", 1))
    check = check_cohort(tmp_path / "units.csv", units_row=True)
    assert check.ok and len(check.cohort) == 4
