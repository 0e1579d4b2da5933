"""Cells: numbers parsed (every failure reported with a hint), units, ranges."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis import schema
from analysis.validation.columns import MISSING_TOKENS
from analysis.validation.problems import Log

_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?")
_CENSORED = re.compile(r"(?:<=?|>=?|\u2264|\u2265)\s*[-+]?[0-9]+(?:[.,][0-9]+)?")
_SPREADSHEET_ERROR = re.compile(r"#(?:N/A|DIV/0!|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!)",
                                re.I)  # fmt: skip
_FLAGGED = re.compile(r"([-+]?[0-9]+(?:[.,][0-9]+)?)\s*(?:\*+|[HL]{1,2}|\(?[HL]\)?|!)")
_UNITS = r"(?:mmol|meq|mg|g|\u00b5mol|umol|l)/(?:l|dl)|km|mins?|years?|yrs?|kg|cm"
_WITH_UNIT = re.compile(rf"([-+]?[0-9]+(?:[.,][0-9]+)?)\s*({_UNITS})", re.I)
_PERCENT = re.compile(r"([-+]?[0-9]+(?:[.,][0-9]+)?)\s*%")


def _hint(value: str, text: str, decimal: str) -> str:
    """Why a cell is not a number, and what to do, as a parenthesis (or '')."""
    if decimal == "." and re.fullmatch(r"[-+]?[0-9]*,[0-9]+", value):
        return " (a decimal comma? pass --decimal ,)"
    if _NUMBER.fullmatch(text):
        return " (too large)"
    if _SPREADSHEET_ERROR.fullmatch(value):
        return (f" (a spreadsheet error value: fix the formula in the file, or declare it "
                f"missing with --na-values '{value}')")  # fmt: skip
    if m := _PERCENT.fullmatch(value):
        return (f" (a percent sign: write {m.group(1)} without it; a haematocrit in percent "
                "is detected, or pass --haematocrit-unit percent)")  # fmt: skip
    if m := _FLAGGED.fullmatch(value):
        return (f" (a number with a flag such as H/L for high/low: write {m.group(1)} and keep "
                "the flag in a column of its own)")  # fmt: skip
    if m := _WITH_UNIT.fullmatch(value):
        return (f" (a number with its unit {m.group(2)!r}: write {m.group(1)}, and put units in "
                "the column name or a units row (--units-row))")  # fmt: skip
    return ""


def parse_numbers(
    raw: pd.Series,
    column: str,
    *,
    decimal: str,
    censored: str,
    na_values: tuple[str, ...],
    log: Log,
) -> pd.Series:
    """Parse one column; every cell that is not a number is reported.

    Each distinct cell content is parsed once (a column of a million runners
    holds a few hundred distinct values), in one vectorised pass; only the
    cells that are not plainly numbers (blanks, censored values, typos) are
    looked at one by one.
    """
    codes, distinct = pd.factorize(raw.fillna("").astype(object).to_numpy(), use_na_sentinel=False)
    text = pd.Series(distinct, dtype=object).astype(str).str.strip()
    missing_tokens = MISSING_TOKENS | {v.lower() for v in na_values}
    missing = text.str.lower().isin(missing_tokens).to_numpy()
    has_comma = has_point = np.zeros(len(text), dtype=bool)
    if decimal == ",":
        has_comma = text.str.contains(",", regex=False).to_numpy()
        has_point = text.str.contains(".", regex=False).to_numpy()
        text = text.where(~(has_comma & ~has_point), text.str.replace(",", ".", regex=False))
    plain = text.str.fullmatch(_NUMBER.pattern).to_numpy(dtype=bool) & ~missing
    values = np.full(len(text), np.nan)
    with np.errstate(over="ignore"):
        values[plain] = text.to_numpy()[plain].astype(float)
    plain &= np.isfinite(values)
    values[~plain] = np.nan
    # back from distinct contents to rows
    values, plain, missing = values[codes], plain[codes], missing[codes]
    has_comma, has_point = has_comma[codes], has_point[codes]
    text = text.iloc[codes].reset_index(drop=True)
    rows = raw.index.to_numpy()
    cells = raw.to_numpy()
    if decimal == ",":
        for idx in np.flatnonzero(plain & has_point & ~has_comma):
            log.problem(row=int(rows[idx]), column=column, value=str(cells[idx]).strip(),
                        rule="mixed-decimal-mark", severity="warning",
                        message="has a decimal point in a file with decimal commas; read "
                                "as a decimal point, check it")  # fmt: skip
    for idx in np.flatnonzero(~plain & ~missing):
        cell = cells[idx]
        value = "" if cell is None else str(cell).strip()
        row = int(rows[idx])
        if _CENSORED.fullmatch(value):
            if censored == "missing":
                log.problem(row=row, column=column, value=value, rule="censored-value",
                            severity="warning",
                            message="censored lab value read as missing (--censored "
                                    "missing)")  # fmt: skip
            else:
                log.problem(row=row, column=column, value=value, rule="censored-value",
                            message="censored lab value (below/above the assay's limit) is "
                                    "not a number; enter a number, leave it blank, or pass "
                                    "--censored missing")  # fmt: skip
            continue
        hint = _hint(value, str(text.iloc[idx]), decimal)
        shown = value if len(value) <= 40 else value[:37] + "..."
        log.problem(
            row=row,
            column=column,
            value=shown,
            rule="not-a-number",
            message=f"is not a number{hint}",
        )
    return pd.Series(values, index=raw.index, dtype=float)


def convert_unit(values: dict[str, pd.Series], base: str, given: str, log: Log) -> tuple[
        float, str]:  # fmt: skip
    """Return the factor to the canonical unit of ``base`` columns, and the unit read."""
    if not values:
        return 1.0, ""
    pooled = pd.concat(list(values.values()))
    median = float(pooled.median()) if pooled.notna().any() else float("nan")
    if base == "haematocrit":
        units = {"fraction": 1.0, "percent": 0.01}
        guess = "percent" if median > 1.5 else "fraction"
    else:
        units = {"g/dL": 1.0, "g/L": 0.1}
        guess = "g/L" if median > 30 else "g/dL"
    if given == "auto":
        if np.isnan(median):
            unit, how = guess, "no values to detect it from"
        else:
            unit, how = (
                guess,
                f"detected from the median {median:g}; override with "
                + ("--haematocrit-unit" if base == "haematocrit" else "--haemoglobin-unit"),
            )
    else:
        unit, how = given, "given"
    note = f"{base} unit: {unit} ({how})"
    if units[unit] != 1.0:
        note += f"; converted to {schema.VARIABLES[base].unit}"
    log.decide(note)
    return units[unit], unit


def check_ranges(
    values: pd.Series, canonical: str, column: str, raw: pd.Series, read_unit: str, log: Log
) -> None:
    """Impossible values are errors; values outside the reference range are flagged."""
    var = schema.VARIABLES[schema.base_of(canonical)]
    lo, hi = var.plausible
    arr = values.to_numpy()
    rows = raw.index.to_numpy()
    cells = raw.to_numpy()
    converted = f" after reading it in {read_unit}" if read_unit and read_unit != var.unit else ""
    with np.errstate(invalid="ignore"):
        impossible = np.flatnonzero((arr < lo) | (arr > hi))
    for idx in impossible:
        log.problem(row=int(rows[idx]), column=column, value=str(cells[idx]).strip(),
                    rule="impossible-value",
                    message=f"{var.label} must be between {lo:g} and {hi:g} {var.unit} to be "
                            f"physiologically possible (read as {arr[idx]:g} {var.unit}"
                            f"{converted}); a typo or a unit slip?")  # fmt: skip
    if var.reference is not None:
        rlo, rhi = var.reference
        with np.errstate(invalid="ignore"):
            flagged = np.flatnonzero(((arr < rlo) | (arr > rhi)) & (arr >= lo) & (arr <= hi))
        for idx in flagged:
            side = "below" if arr[idx] < rlo else "above"
            log.problem(row=int(rows[idx]), column=column, value=str(cells[idx]).strip(),
                        rule="outside-reference-range", severity="warning",
                        message=f"{side} the adult reference range {rlo:g}-{rhi:g} "
                                f"{var.unit}; flagged, accepted")  # fmt: skip
