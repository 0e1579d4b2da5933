"""A minimal reader of the evidence-table format, private to the synthesis.

The curated table ``data/evidence_table.csv`` and its public loader
``analysis.evidence.load_evidence`` are built on another branch. Until they
are merged, :func:`read_evidence` reads the same agreed format (one row per
study x variable x time point x comparison; numbers kept as printed) and
reports every problem at once, as :class:`analysis.DataValidationError`.

The synthesis calls the loader in exactly one place,
:func:`analysis.meta.load_table`; at merge that call is switched to
``load_evidence`` and this module can go.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "SUMMARIES", "SOURCE_KINDS", "read_evidence"]

#: the agreed columns, in their agreed order
COLUMNS: tuple[str, ...] = (
    "study_id",
    "study",
    "year",
    "doi",
    "pmid",
    "event",
    "time_point",
    "variable",
    "unit",
    "cramp_group",
    "comparison_group",
    "n_cramp",
    "n_control",
    "summary",
    "cramp_center",
    "cramp_spread",
    "control_center",
    "control_spread",
    "reported_p",
    "reported_test",
    "source_kind",
    "secondary_source",
    "missing_reason",
    "notes",
)
SUMMARIES = ("mean_sd", "median_iqr", "mean_se", "mean_only")
SOURCE_KINDS = ("full_text", "abstract", "secondary")
_REQUIRED = (
    "study_id",
    "study",
    "year",
    "time_point",
    "variable",
    "unit",
    "summary",
    "source_kind",
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_RANGE = re.compile(
    r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*[-–]\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*$"
)
#: a row is one study x variable x time point x comparison: this key must be unique
_KEY = ("study_id", "variable", "time_point", "comparison_group")
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def _problem(row: int | None, column: str | None, value: str | None, rule: str, message: str):
    from analysis.validation import Problem

    return Problem(row, column, value, rule, message)


def _check_row(i: int, rec: dict[str, str]) -> list:
    """Every problem of one row (``i`` is the spreadsheet row number)."""
    out = []
    for col in _REQUIRED:
        if not rec[col].strip():
            out.append(_problem(i, col, "", "required", f"`{col}` must not be empty"))
    if rec["year"].strip() and not rec["year"].strip().isdigit():
        out.append(_problem(i, "year", rec["year"], "integer", "`year` must be a whole number"))
    if rec["variable"].strip() and not _SNAKE.match(rec["variable"].strip()):
        out.append(
            _problem(
                i,
                "variable",
                rec["variable"],
                "snake-case",
                "`variable` must be lower snake case, e.g. sodium or pv_change",
            )
        )
    summary = rec["summary"].strip()
    if summary and summary not in SUMMARIES:
        out.append(
            _problem(
                i,
                "summary",
                summary,
                "allowed-value",
                f"`summary` must be one of {', '.join(SUMMARIES)}",
            )
        )
    kind = rec["source_kind"].strip()
    if kind and kind not in SOURCE_KINDS:
        out.append(
            _problem(
                i,
                "source_kind",
                kind,
                "allowed-value",
                f"`source_kind` must be one of {', '.join(SOURCE_KINDS)}",
            )
        )
    if kind == "secondary" and not rec["secondary_source"].strip():
        out.append(
            _problem(
                i,
                "secondary_source",
                "",
                "required",
                "a secondary row must name its `secondary_source`",
            )
        )
    for col in ("n_cramp", "n_control"):
        text = rec[col].strip()
        if text and not (text.isdigit() and int(text) > 0):
            out.append(
                _problem(
                    i, col, text, "positive-integer", f"`{col}` must be a whole number above 0"
                )
            )
    numbers = ("cramp_center", "cramp_spread", "control_center", "control_spread")
    for col in numbers:
        text = rec[col].strip()
        if not text:
            continue
        if col.endswith("_spread") and summary == "median_iqr":
            if not _RANGE.match(text):
                out.append(
                    _problem(
                        i,
                        col,
                        text,
                        "iqr-range",
                        f"`{col}` of a median_iqr row must be 'q1-q3', e.g. 3.1-4.0",
                    )
                )
        elif not _NUMBER.match(text):
            out.append(
                _problem(
                    i,
                    col,
                    text,
                    "number",
                    f"`{col}` must be a number as printed, e.g. 139.8 (no thousands separator)",
                )
            )
        elif col.endswith("_spread") and float(text) < 0:
            out.append(_problem(i, col, text, "non-negative", f"`{col}` must not be negative"))
    empty = [c for c in (*numbers, "n_cramp", "n_control") if not rec[c].strip()]
    if empty and not rec["missing_reason"].strip():
        out.append(
            _problem(
                i,
                "missing_reason",
                "",
                "required",
                f"{', '.join(empty)} empty: `missing_reason` must say why",
            )
        )
    return out


def read_evidence(path: str | Path) -> pd.DataFrame:
    """Read and check an evidence table; every cell is kept as text.

    Parameters
    ----------
    path : str or pathlib.Path
        A UTF-8 CSV file in the agreed format (columns in :data:`COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        One row per table row, every column as ``str`` (empty cells ``""``),
        numbers exactly as printed.

    Raises
    ------
    analysis.DataValidationError
        Listing every problem (row, column, value, rule) when the file is
        missing, unreadable, lacks columns or holds bad cells.
    """
    import csv

    import pandas as pd

    from analysis.validation import DataValidationError

    path = Path(path)
    if not path.is_file():
        raise DataValidationError(
            [_problem(None, None, str(path), "file-missing", f"no such file: {path}")], str(path)
        )
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataValidationError(
            [_problem(None, None, None, "unreadable", f"cannot read the file as UTF-8 CSV: {exc}")],
            str(path),
        ) from None
    if not rows:
        raise DataValidationError(
            [_problem(None, None, None, "empty-file", "the file is empty")], str(path)
        )
    header = [h.strip() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    problems = [
        _problem(None, c, None, "column-missing", f"required column `{c}` is missing")
        for c in missing
    ]
    if missing:
        raise DataValidationError(problems, str(path))
    records = []
    seen: dict[tuple[str, ...], int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(header):
            problems.append(
                _problem(
                    number,
                    None,
                    None,
                    "ragged-row",
                    f"{len(raw)} cells where the header has {len(header)}",
                )
            )
            continue
        rec = {c: raw[header.index(c)] for c in COLUMNS}
        problems += _check_row(number, rec)
        key = tuple(rec[c].strip() for c in _KEY)
        if key in seen:
            problems.append(
                _problem(
                    number,
                    None,
                    ", ".join(key),
                    "duplicate-row",
                    f"same {', '.join(_KEY)} as row {seen[key]}",
                )
            )
        seen.setdefault(key, number)
        records.append(rec)
    if not records and not problems:
        problems.append(_problem(None, None, None, "no-rows", "the table has no data rows"))
    if problems:
        raise DataValidationError(problems, str(path))
    return pd.DataFrame(records, columns=list(COLUMNS), dtype=str)
