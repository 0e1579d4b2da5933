"""The checks: small steps over one table, recording through one :class:`Log`.

Each step takes the work so far, the options and the log; it records
problems, decisions and skipped sections in the log and never raises for
anything in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import schema
from analysis.validation.cells import check_ranges, convert_unit, parse_numbers
from analysis.validation.columns import (
    MISSING_TOKENS,
    header_problems,
    map_columns,
    map_groups,
    normalise_name,
    unique,
)
from analysis.validation.derived import DERIVED_NAMES, add_derived, derived_inputs
from analysis.validation.options import LoadOptions
from analysis.validation.problems import CohortCheck, Log, listing, summarise
from analysis.validation.reading import RawTable, describe_source, read_table

_UNIT_CELL = re.compile(
    r"[(\[]?\s*(?:(?:mmol|meq|mg|g|\u00b5mol|umol|l)/(?:l|dl)|%|percent|fraction|km|mins?|"
    r"minutes|h|hours?|years?|yrs?|kg|cm)\s*[)\]]?",
    re.I,
)
_SUMMARY_CELL = re.compile(  # "mean cramp", "Total", "SD (control)", but not an id "SD-01"
    r"(?:mean|average|avg|total|totals|sum|sd|s\.d\.|std|stdev|median|sem)\.?"
    r"(?:(?:\s+|\s*[:(]\s*)[^\W\d_].{0,30})?",
    re.I | re.S,
)


@dataclass
class Work:
    """What the steps build: the table, the mapping, the parsed columns."""

    table: pd.DataFrame
    decimal: str
    raw: RawTable | None = None
    header: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    out: dict[str, pd.Series] = field(default_factory=dict)
    parsed: dict[str, pd.Series] = field(default_factory=dict)
    read_unit: dict[str, str] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    from_file: dict[str, pd.Series] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    extras: list[str] = field(default_factory=list)
    n_rows: int = 0

    @property
    def numeric(self) -> list[str]:
        """The canonical numeric columns found, in schema order."""
        return [c for c in schema.CANONICAL_COLUMNS if c in self.mapping and c not in
                ("subject_id", "group")]  # fmt: skip


def _start(source: str | Path | pd.DataFrame, options: LoadOptions, log: Log) -> Work | None:
    if isinstance(source, pd.DataFrame):
        table = source.astype(object).where(source.notna(), "").astype(str)
        table.columns = pd.Index([str(c) for c in source.columns], dtype=object)
        table.index = pd.RangeIndex(2, len(source) + 2)
        return Work(table=table, decimal=options.decimal or ".")
    raw = read_table(source, options, log)
    if raw is None:
        return None
    return Work(table=raw.frame, decimal=raw.decimal or ".", raw=raw)


def _header(work: Work, log: Log) -> None:
    if len(work.table) == 0:
        log.problem(rule="no-rows", message="the file has a header but no data rows")
    header_problems([str(c) for c in work.table.columns], log,
                    row=work.raw.header_row if work.raw else 1)  # fmt: skip
    work.header = unique([str(c) if str(c).strip() else f"(unnamed column {i})"
                          for i, c in enumerate(work.table.columns, start=1)])  # fmt: skip
    work.table.columns = pd.Index(work.header, dtype=object)


def _units_row(work: Work, options: LoadOptions, log: Log) -> None:
    """A units row under the header: skipped when declared, one problem otherwise."""
    if not len(work.table) or not work.numeric:
        return
    first = work.table.index[0]
    cells = {work.mapping[c]: str(work.table.at[first, work.mapping[c]]).strip()
             for c in work.numeric}  # fmt: skip
    units = {col: v for col, v in cells.items() if v and _UNIT_CELL.fullmatch(v)}
    numbers = [v for v in cells.values() if re.fullmatch(r"[-+]?[0-9.,]+", v)]
    shown = listing(units.values(), limit=10)
    filled = [v for v in cells.values() if v]
    if options.units_row and filled and 2 * len(numbers) >= len(filled):
        log.problem(row=int(first), value=None, rule="units-row",
                    message=f"--units-row was given, but row {first} looks like a runner's data "
                            f"({len(numbers)} of {len(filled)} measurement cells are numbers: "
                            f"{listing(numbers, limit=5)}), not units; it would be dropped: "
                            "leave out --units-row, or check the file")  # fmt: skip
        return
    if options.units_row:
        log.decide(f"row {first} read as a units row and skipped (--units-row)"
                   + (f": {shown}" if units else ""))  # fmt: skip
    elif units and not numbers:
        log.problem(row=int(first), value=None, rule="units-row",
                    message=f"looks like a units row under the header ({shown}); pass "
                            "--units-row to skip it, or delete it")  # fmt: skip
    else:
        return
    work.table = work.table.drop(index=first)


def _summary_rows(work: Work, log: Log) -> None:
    """Rows such as 'mean cramp' or 'total' below the runners: flagged and set aside."""
    columns = [work.mapping[c] for c in ("subject_id", "group") if c in work.mapping]
    columns += [c for c in work.header[:1] if c not in columns]
    found = pd.Series(False, index=work.table.index)
    for column in columns:
        text = work.table[column].fillna("").astype(str)
        summary = {v for v in text.unique() if _SUMMARY_CELL.fullmatch(v.strip())}
        hits = text.isin(summary) & ~found
        for row in hits[hits].index:
            log.problem(row=int(row), column=column, value=text[row].strip(), rule="summary-row",
                        message="looks like a summary row (a mean, SD or total), not a runner; "
                                "delete summary rows from the data (keep them on another "
                                "sheet)")  # fmt: skip
        found |= hits
    if found.any():
        work.table = work.table[~found.to_numpy()]


def _other_sheets_hint(work: Work, options: LoadOptions) -> str:
    if work.raw is None or not work.raw.other_sheets or options.sheet != 0:
        return ""
    others = work.raw.other_sheets
    which = f"--sheet {others[0]!r}" if len(others) == 1 else "--sheet NAME"
    return (f"; the first sheet was read, and may hold notes: the workbook's other sheets "
            f"are {listing(others)}, pass {which} to read one")  # fmt: skip


def _groups(work: Work, options: LoadOptions, log: Log) -> None:
    if "group" not in work.mapping:
        if options.group_column is None:
            log.problem(rule="group-column-missing",
                        message="no group column; name it 'group' or pass --group-column "
                                f"(columns in the file: {listing(work.header)})"
                                f"{_other_sheets_hint(work, options)}")  # fmt: skip
        return
    column = work.mapping["group"]
    n_before = len(log.problems)
    group = map_groups(work.table[column], column, options, log)
    work.out["group"] = group
    unknown = any(p.rule == "unknown-group" for p in log.problems[n_before:])
    for label in schema.GROUPS:  # an unknown label already explains an empty group
        if len(work.table) and not unknown and not (group == label).any():
            log.problem(column=column, rule="group-empty",
                        message=f"no runner is in group {label!r}; both groups are needed "
                                "for a comparison")  # fmt: skip


def _analytes(work: Work, options: LoadOptions, log: Log) -> None:
    if any(schema.base_of(c) in schema.ANALYTES for c in work.mapping):
        return
    expected = ", ".join(c for c in schema.CANONICAL_COLUMNS if schema.base_of(c) in
                         schema.ANALYTES)  # fmt: skip
    log.problem(rule="no-analyte",
                message=f"no analyte column found; expected at least one of {expected} or a "
                        "common spelling such as 'Na post', or map one with --column "
                        f"(columns in the file: {listing(work.header)})"
                        f"{_other_sheets_hint(work, options)}")  # fmt: skip


def _ids(work: Work, options: LoadOptions, log: Log) -> None:
    if "subject_id" not in work.mapping:
        return
    column = work.mapping["subject_id"]
    ids = work.table[column].fillna("").astype(str).str.strip()
    missing_tokens = MISSING_TOKENS | {v.lower() for v in options.na_values}
    first_row: dict[str, int] = {}
    for row, sid in ids.items():
        row = int(row)  # type: ignore[arg-type]
        if sid == "" or sid.lower() in missing_tokens:
            log.problem(
                row=row,
                column=column,
                value=sid,
                rule="missing-id",
                severity="warning",
                message="subject id is missing; the row is kept",
            )
        elif sid in first_row:
            log.problem(
                row=row,
                column=column,
                value=sid,
                rule="duplicate-id",
                message=f"subject id repeats row {first_row[sid]}",
            )
        else:
            first_row[sid] = row
    work.out["subject_id"] = ids


def _numbers(work: Work, options: LoadOptions, log: Log) -> None:
    for canonical in work.numeric:
        src = work.mapping[canonical]
        work.parsed[canonical] = parse_numbers(work.table[src], src, decimal=work.decimal,
                                               censored=options.censored,
                                               na_values=options.na_values, log=log)  # fmt: skip
    for base, given in (("haematocrit", options.haematocrit_unit),
                        ("haemoglobin", options.haemoglobin_unit)):  # fmt: skip
        cols = {c: work.parsed[c] for c in (f"{base}_pre", f"{base}_post") if c in work.parsed}
        factor, unit = convert_unit(cols, base, given, log)
        for c in cols:
            work.parsed[c] = work.parsed[c] * factor
            work.read_unit[c] = unit
    for canonical in work.numeric:
        src = work.mapping[canonical]
        check_ranges(work.parsed[canonical], canonical, src, work.table[src],
                     work.read_unit.get(canonical, ""), log)  # fmt: skip
        work.out[canonical] = work.parsed[canonical]


def _onset(work: Work, log: Log) -> None:
    if "cramp_onset_km" not in work.parsed or "group" not in work.out:
        return
    onset = work.parsed["cramp_onset_km"]
    column = work.mapping["cramp_onset_km"]
    for row in onset.index[(onset.notna() & (work.out["group"] == "control")).to_numpy()]:
        log.problem(row=int(row), column=column, value=str(work.table.at[row, column]).strip(),
                    rule="onset-in-control", severity="warning",
                    message="a control runner has a cramp-onset distance; kept, but check "
                            "the group")  # fmt: skip


def _excel_cells(work: Work, log: Log) -> None:
    """Merged ranges and formulas without a saved result, instead of 'missing' per cell.

    Errors in the columns analysed; warnings in extra columns, which are only kept.
    """
    if work.raw is None or not (work.raw.merged or work.raw.formulas):
        return
    rows = set(work.table.index)
    used = set(work.mapping.values())
    covered: set[tuple[int, str]] = set()
    found: list[dict[str, Any]] = []
    for coord, (first_col, last_col, first, last) in work.raw.merged.items():
        columns = work.header[first_col : last_col + 1]
        if not columns or not rows & set(range(first + 1, last + 1)):
            continue
        covered |= {(r, c) for r in range(first + 1, last + 1) for c in columns}
        found.append(dict(row=first, column=columns[0], rule="merged-cells",
                          severity="error" if used & set(columns) else "warning",
                          message=f"cells {coord} are merged: only row {first} holds the "
                                  f"value, so rows {first + 1}-{last} have none; unmerge the "
                                  "cells and fill the value into every row"))  # fmt: skip
    for (row, col), formula in work.raw.formulas.items():
        if row in rows and col < len(work.header):
            column = work.header[col]
            covered.add((row, column))
            found.append(dict(row=row, column=column, value=formula[:40],
                              rule="formula-no-value",
                              severity="error" if column in used else "warning",
                              message="a formula without a saved result (written by a program "
                                      "that does not calculate); open the file in Excel or "
                                      "LibreOffice and save it, or export CSV"))  # fmt: skip
    log.problems[:] = [p for p in log.problems if (p.row, p.column) not in covered]
    for kwargs in found:
        log.problem(**kwargs)


def _derived_from_file(work: Work, options: LoadOptions, log: Log) -> None:
    """A column named like a derived variable: recomputed when possible, else taken."""
    work.extras = [c for c in work.header if c not in work.mapping.values()]
    for c in list(work.extras):
        target = normalise_name(c)
        if target not in DERIVED_NAMES:
            continue
        if all(n in work.mapping for n in derived_inputs(target)):
            work.renamed[c] = f"{c} (from file)"
            log.decide(f"column {c!r}: {target} is recomputed from the file's pre and post "
                       f"values; the file's own values are kept as "
                       f"{work.renamed[c]!r}")  # fmt: skip
            continue
        work.from_file[target] = parse_numbers(work.table[c], c, decimal=work.decimal,
                                               censored=options.censored,
                                               na_values=options.na_values, log=log)  # fmt: skip
        work.extras.remove(c)
        work.missing[target] = int(work.from_file[target].isna().sum())
        log.decide(f"column {c!r} -> {target} (taken from the file: the columns to recompute "
                   "it are not all there)")  # fmt: skip
    if work.from_file:  # a plasma-volume or change column alone is something to analyse
        log.problems[:] = [p for p in log.problems if p.rule != "no-analyte"]
    if work.extras:
        log.decide("extra columns kept in the record, not analysed: " + listing(work.extras))


def _skipped_sections(work: Work, log: Log) -> None:
    """Why parts of the analysis will be missing: absent or empty variables."""
    for analyte in schema.ANALYTES:
        label = schema.VARIABLES[analyte].label
        present = [t for t in schema.TIMEPOINTS if f"{analyte}_{t}" in work.mapping]
        if not present:
            log.skip(f"{analyte}: no column in the file; {label.lower()} not analysed")
        elif len(present) == 1:
            absent = f"{analyte}_{'post' if present[0] == 'pre' else 'pre'}"
            log.skip(f"{analyte}_change not computed: {absent} is not in the file")
    for canonical, values in work.parsed.items():
        if work.n_rows and values.isna().all():
            log.skip(f"{canonical}: every value is missing; not analysed")
    for column, what in (("age_years", "age"), ("finish_time_min", "finishing time"),
                         ("cramp_onset_km", "cramp-onset distance")):  # fmt: skip
        if column not in work.mapping:
            log.skip(f"{column}: no column in the file; {what} not described")


def _sort(work: Work, log: Log) -> None:
    position = {c: i for i, c in enumerate(work.header)}
    log.problems.sort(key=lambda p: (p.row if p.row is not None else 0,
                                     position.get(p.column, -1)))  # fmt: skip


def _assemble(work: Work, options: LoadOptions, log: Log) -> pd.DataFrame:
    ordered = [c for c in schema.CANONICAL_COLUMNS if c in work.out]
    cohort = pd.DataFrame({c: work.out[c] for c in ordered}, index=work.table.index)
    cohort["group"] = cohort["group"].astype(str)
    if "subject_id" in cohort:
        cohort["subject_id"] = cohort["subject_id"].astype(str)
    if options.derived:
        cohort = add_derived(cohort, decisions=log.skipped)
    for c, values in work.from_file.items():
        cohort[c] = values.to_numpy()
    for c in work.extras:
        cohort[work.renamed.get(c, c)] = work.table[c].to_numpy()
    return cohort.reset_index(drop=True)


def run_checks(source: str | Path | pd.DataFrame, options: LoadOptions, log: Log) -> CohortCheck:
    """Read ``source`` and run every check in order; the outcome with everything logged."""
    name = "DataFrame" if isinstance(source, pd.DataFrame) else describe_source(source)
    work = _start(source, options, log)
    if work is None:
        return CohortCheck(name, None, summarise(log.problems), log.decisions)
    _header(work, log)
    work.mapping = map_columns(
        work.header, options, log, labels=work.raw.variable_labels if work.raw else None
    )
    _units_row(work, options, log)
    _summary_rows(work, log)
    work.n_rows = len(work.table)
    _groups(work, options, log)
    _analytes(work, options, log)
    _ids(work, options, log)
    _numbers(work, options, log)
    _onset(work, log)
    _excel_cells(work, log)
    _sort(work, log)
    work.missing = {c: int(work.parsed[c].isna().sum()) for c in work.numeric}
    _derived_from_file(work, options, log)
    _skipped_sections(work, log)
    problems = summarise(log.problems)
    if log.has_errors:
        return CohortCheck(name, None, problems, log.decisions, work.missing, work.n_rows,
                           log.skipped)  # fmt: skip
    cohort = _assemble(work, options, log)
    return CohortCheck(name, cohort, problems, log.decisions, work.missing, work.n_rows,
                       log.skipped)  # fmt: skip
