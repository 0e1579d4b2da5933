"""The curated evidence table: printed group summaries of crampers vs non-crampers.

``data/evidence_table.csv`` holds one row per study, variable, time point and
comparison, with every number exactly as printed in the source named in the
row (kept as text, so that ``0.30`` keeps its precision and ``"<.001"`` its
operator). :func:`load_evidence` reads such a table, checks every row and
raises one :class:`analysis.validation.DataValidationError` listing every
problem at once (row as in a spreadsheet, column, value and rule), the same
way cohort files are checked. When nothing is wrong it returns the table with
the printed strings unchanged and, beside them, the parsed numbers and how
many decimals each was printed with (for rounding-aware use).

The columns, in order: ``study_id``, ``study``, ``year``, ``doi``, ``pmid``,
``event``, ``time_point``, ``variable``, ``unit``, ``cramp_group``,
``comparison_group``, ``n_cramp``, ``n_control``, ``summary``,
``cramp_center``, ``cramp_spread``, ``control_center``, ``control_spread``,
``reported_p``, ``reported_test``, ``source_kind``, ``secondary_source``,
``missing_reason``, ``notes`` and, optionally, ``source_url``.

Examples
--------
>>> from analysis.evidence import load_evidence
>>> table = load_evidence()
>>> row = table[(table["study_id"] == "schwellnus2004") & (table["variable"] == "magnesium")]
>>> r = row.iloc[0]
>>> print(r["cramp_center"], r["cramp_center_value"], r["cramp_center_decimals"])
0.73 0.73 2
>>> print(r["reported_p"], round(r["p_low"], 6), round(r["p_high"], 6))
0.03 0.025 0.035
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.validation import DataValidationError, Problem
from analysis.validation.problems import summarise

__all__ = [
    "EVIDENCE_COLUMNS",
    "EVIDENCE_FILE",
    "MAX_EVIDENCE_BYTES",
    "MAX_EVIDENCE_ROWS",
    "OPTIONAL_COLUMNS",
    "RULES",
    "SOURCE_KINDS",
    "SUMMARY_KINDS",
    "evidence_problems",
    "load_evidence",
]

#: file name of the bundled evidence table in ``data/``
EVIDENCE_FILE = "evidence_table.csv"

#: most data rows of an evidence table (a synthesis is quadratic in the studies pooled)
MAX_EVIDENCE_ROWS = 2_000
#: most bytes of an evidence table file
MAX_EVIDENCE_BYTES = 32 * 2**20

#: the agreed columns, in order; every one must be present
EVIDENCE_COLUMNS = (
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

#: columns that may be absent (added empty when they are)
OPTIONAL_COLUMNS = ("source_url",)

#: how the group summaries are printed
SUMMARY_KINDS = ("mean_sd", "median_iqr", "mean_se", "mean_only")

#: what was read: the paper's full text, its abstract, or another source quoting it
SOURCE_KINDS = ("full_text", "abstract", "secondary")

#: every rule the loader applies: rule -> what is checked
RULES: dict[str, str] = {
    "file-missing": "the file exists (a regular file: not a folder, device or named pipe)",
    "too-big": "at most MAX_EVIDENCE_ROWS rows, MAX_COLUMNS columns and lines of at most "
    "MAX_LINE_CHARS bytes",
    "unreadable": "the file is UTF-8 CSV text that splits into fields",
    "no-rows": "there is at least one data row",
    "duplicate-column": "column names are unique",
    "column-missing": "every agreed column is present",
    "required-empty": "identifying and describing cells are filled",
    "not-an-integer": "year and group sizes are whole numbers (n at least 1)",
    "not-a-number": "each center and spread is a number as printed (no thousands separator)",
    "spread-not-positive": "SDs and SEs are greater than 0",
    "iqr-format": "a median_iqr spread is written 'q1-q3' with q1 <= q3",
    "unknown-summary": "summary is one of " + ", ".join(SUMMARY_KINDS) + " (or empty)",
    "summary-mismatch": "the filled number cells agree with the summary kind",
    "bad-p": "reported_p reads like '0.03', '.007', '<.001' or 'NS' and lies in [0, 1]",
    "unknown-source-kind": "source_kind is one of " + ", ".join(SOURCE_KINDS),
    "secondary-source": "secondary rows name their secondary source; other rows leave it empty",
    "missing-reason": "a row with an empty number, n or year says why in missing_reason",
    "doi-format": "a DOI reads 10.<registrant>/<suffix>, with no URL or 'doi:' prefix",
    "pmid-format": "a PMID is a whole number of 1 to 9 digits",
    "no-identifier": "every row has a DOI, a PMID or a source_url",
    "study-mismatch": "rows of one study_id agree on study, year, doi and pmid",
    "duplicate-row": "no comparison appears twice",
}

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.(\d*))?|\.(\d+))")
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_IQR = re.compile(rf"\s*({_NUM})\s*(?:-|–|to)\s*({_NUM})\s*")
_P = re.compile(r"(?:p\s*)?(<=|>=|≤|≥|<|>|=)?\s*(" + _NUM + r")\s*", re.IGNORECASE)
_NS = frozenset({"ns", "n.s.", "n.s"})
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_PMID = re.compile(r"[1-9]\d{0,8}")
_CENTERS = ("cramp_center", "control_center")
_SPREADS = ("cramp_spread", "control_spread")
_NUMBERS = ("cramp_center", "cramp_spread", "control_center", "control_spread")
_REQUIRED_TEXT = (
    "study_id",
    "study",
    "event",
    "time_point",
    "variable",
    "unit",
    "cramp_group",
    "comparison_group",
    "source_kind",
)
_STUDY_FIELDS = ("study", "year", "doi", "pmid")
_ROW_KEY = (
    "study_id",
    "time_point",
    "variable",
    "unit",
    "cramp_group",
    "comparison_group",
    "source_kind",
)


def _problem(
    row: int | None, column: str | None, value: str | None, rule: str, msg: str
) -> Problem:
    return Problem(row=row, column=column, value=value, rule=rule, message=msg, severity="error")


def _decimals(text: str) -> int:
    """Decimals printed in a number written as text ('0.30' -> 2, '140' -> 0)."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    return len(match.group(1) or match.group(2) or "")


_SPLIT = "split the table (one file per variable, say) and synthesise each part"


def _refuse(path: Path, rule: str, message: str, row: int | None = None) -> DataValidationError:
    return DataValidationError([_problem(row, None, None, rule, message)], source=path.name)


def _bounded_bytes(path: Path) -> bytes:
    """The file's bytes, refused early when it cannot be an evidence table (bounded work).

    A line longer than :data:`analysis.validation.MAX_LINE_CHARS` bytes, more
    than :data:`MAX_EVIDENCE_BYTES` bytes or more lines than twice
    :data:`MAX_EVIDENCE_ROWS` stop the reading at once, as for cohort files.
    """
    from analysis.validation.reading import MAX_LINE_CHARS, _not_a_file

    what = _not_a_file(path)
    if what is not None:
        if what.startswith("no such file") and path.name == "-":  # stdin: cohort files only
            what = "no such file; '-' (standard input) is not read here: name the table's file"
        raise DataValidationError([_problem(None, None, str(path), "file-missing", what)],
                                  source=path.name)  # fmt: skip
    chunks, size = [], 0
    with path.open("rb") as handle:
        for number, line in enumerate(iter(lambda: handle.readline(MAX_LINE_CHARS + 1), b""), 1):
            if len(line) > MAX_LINE_CHARS:
                too_long = f"line {number} is longer than {MAX_LINE_CHARS:,} bytes"
                raise _refuse(path, "too-big", f"{too_long}: not an evidence table")
            size += len(line)
            if size > MAX_EVIDENCE_BYTES or number > 2 * MAX_EVIDENCE_ROWS + 1:
                raise _refuse(path, "too-big", f"more than {MAX_EVIDENCE_ROWS:,} rows or "
                              f"{MAX_EVIDENCE_BYTES // 2**20} MB: " + _SPLIT)  # fmt: skip
            chunks.append(line)
    return b"".join(chunks)


def _read(path: Path) -> pd.DataFrame:
    """Read the CSV as text; raise DataValidationError when it cannot be read."""
    import io

    from analysis.validation.reading import MAX_COLUMNS

    raw = _bounded_bytes(path)
    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")  # fmt: skip
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"cannot be read as UTF-8 CSV ({type(exc).__name__}: {exc})".replace("\n", " ")
        raise _refuse(path, "unreadable", msg[:500]) from None
    if len(frame.columns) > MAX_COLUMNS:
        raise _refuse(path, "too-big", f"{len(frame.columns):,} columns, more than "
                      f"{MAX_COLUMNS:,}: not an evidence table")  # fmt: skip
    if len(frame) > MAX_EVIDENCE_ROWS:
        raise _refuse(path, "too-big", f"{len(frame):,} rows, more than {MAX_EVIDENCE_ROWS:,}: "
                      + _SPLIT)  # fmt: skip
    return frame


def _column_problems(frame: pd.DataFrame) -> list[Problem]:
    out = []
    names = [str(c) for c in frame.columns]
    for name in sorted({n for n in names if names.count(n) > 1}):
        out.append(_problem(None, name, None, "duplicate-column", "column name appears twice"))
    for name in sorted(n for n in names if re.fullmatch(r".+\.\d+", n)):
        base = name.rsplit(".", 1)[0]
        if base in names:  # pandas renames a repeated header 'x' to 'x.1'
            out.append(_problem(None, base, None, "duplicate-column", "column name appears twice"))
    for name in EVIDENCE_COLUMNS:
        if name not in names:
            out.append(
                _problem(
                    None,
                    name,
                    None,
                    "column-missing",
                    "agreed column is missing (see EVIDENCE_COLUMNS)",
                )
            )
    if frame.empty:
        out.append(_problem(None, None, None, "no-rows", "the table has a header but no rows"))
    return out


def _integer_problems(row: pd.Series, r: int) -> list[Problem]:
    out = []
    for col, least in (("year", 1000), ("n_cramp", 1), ("n_control", 1)):
        text = row[col].strip()
        if not text:
            if not row["missing_reason"].strip():
                out.append(
                    _problem(
                        r,
                        col,
                        "",
                        "missing-reason",
                        f"`{col}` is empty and missing_reason does not say why",
                    )
                )
            continue
        if not text.isdigit() or int(text) < least:
            out.append(
                _problem(
                    r, col, text, "not-an-integer", f"must be a whole number of at least {least}"
                )
            )
    return out


def _number_problems(row: pd.Series, r: int, summary: str) -> list[Problem]:
    out = []
    for col in _NUMBERS:
        text = row[col].strip()
        if not text:
            continue
        if col in _SPREADS and summary == "median_iqr":
            match = _IQR.fullmatch(text)
            if match is None or float(match.group(1)) > float(match.group(2)):
                out.append(
                    _problem(
                        r,
                        col,
                        text,
                        "iqr-format",
                        "a median_iqr spread must be written 'q1-q3' with q1 <= q3",
                    )
                )
            continue
        if _NUMBER.fullmatch(text) is None:
            hint = " (decimal point, no thousands separator: 2438.59, 139.8)" if "," in text else ""
            out.append(
                _problem(
                    r,
                    col,
                    text,
                    "not-a-number",
                    f"must be a number as printed, such as '0.73'{hint}",
                )
            )
        elif col in _SPREADS and float(text) <= 0:
            out.append(_problem(r, col, text, "spread-not-positive", "an SD or SE must be > 0"))
    return out


def _summary_problems(row: pd.Series, r: int, summary: str) -> list[Problem]:
    filled = {c: bool(row[c].strip()) for c in _NUMBERS}
    if summary and summary not in SUMMARY_KINDS:
        return [
            _problem(
                r,
                "summary",
                summary,
                "unknown-summary",
                f"must be one of {list(SUMMARY_KINDS)} or empty",
            )
        ]
    out = []
    if not summary:
        for col in (c for c in _NUMBERS if filled[c]):
            out.append(
                _problem(
                    r, col, row[col], "summary-mismatch", "a number is given but `summary` is empty"
                )
            )
        return out
    need_spread = summary != "mean_only"
    for col in _CENTERS + (_SPREADS if need_spread else ()):
        if not filled[col]:
            out.append(
                _problem(r, col, "", "summary-mismatch", f"summary {summary!r} needs `{col}`")
            )
    if not need_spread:
        for col in (c for c in _SPREADS if filled[c]):
            out.append(
                _problem(
                    r,
                    col,
                    row[col],
                    "summary-mismatch",
                    "summary 'mean_only' has no spread: use mean_sd, mean_se or median_iqr",
                )
            )
    return out


def _p_problems(row: pd.Series, r: int) -> list[Problem]:
    text = row["reported_p"].strip()
    if not text or text.lower() in _NS:
        return []
    match = _P.fullmatch(text)
    if match is None or not 0 <= float(match.group(2)) <= 1:
        return [
            _problem(
                r,
                "reported_p",
                text,
                "bad-p",
                "must read like '0.03', '.007', '<.001' or 'NS' and lie in [0, 1]",
            )
        ]
    return []


def _source_problems(row: pd.Series, r: int) -> list[Problem]:
    out = []
    kind, secondary = row["source_kind"].strip(), row["secondary_source"].strip()
    if kind and kind not in SOURCE_KINDS:
        out.append(
            _problem(
                r,
                "source_kind",
                kind,
                "unknown-source-kind",
                f"must be one of {list(SOURCE_KINDS)}",
            )
        )
    if kind == "secondary" and not secondary:
        out.append(
            _problem(
                r,
                "secondary_source",
                "",
                "secondary-source",
                "a secondary row must name the source its numbers were taken "
                "from (author, year, title or site, DOI/PMID/URL)",
            )
        )
    if kind in ("full_text", "abstract") and secondary:
        out.append(
            _problem(
                r,
                "secondary_source",
                secondary,
                "secondary-source",
                f"given, but source_kind is {kind!r}: mark the row 'secondary' or leave this empty",
            )
        )
    doi, pmid = row["doi"].strip(), row["pmid"].strip()
    if doi and _DOI.fullmatch(doi) is None:
        out.append(
            _problem(
                r,
                "doi",
                doi,
                "doi-format",
                "must read 10.<registrant>/<suffix>, without 'doi:' or a URL",
            )
        )
    if pmid and _PMID.fullmatch(pmid) is None:
        out.append(_problem(r, "pmid", pmid, "pmid-format", "must be a whole number of 1-9 digits"))
    if not (doi or pmid or row["source_url"].strip()):
        out.append(
            _problem(
                r,
                "doi",
                "",
                "no-identifier",
                "give a DOI, a PMID or a source_url so the row can be traced",
            )
        )
    return out


def _row_problems(row: pd.Series, r: int) -> list[Problem]:
    out = []
    for col in _REQUIRED_TEXT:
        if not row[col].strip():
            out.append(_problem(r, col, "", "required-empty", "must not be empty"))
    summary = row["summary"].strip()
    out += _integer_problems(row, r)
    out += _summary_problems(row, r, summary)
    out += _number_problems(row, r, summary)
    out += _p_problems(row, r)
    out += _source_problems(row, r)
    incomplete = not summary or summary == "mean_only"
    if incomplete and not row["missing_reason"].strip():
        out.append(
            _problem(
                r,
                "missing_reason",
                "",
                "missing-reason",
                "numbers or spreads are empty and missing_reason does not say why",
            )
        )
    return out


def _table_problems(frame: pd.DataFrame) -> list[Problem]:
    out = []
    for study_id, rows in frame.groupby("study_id", sort=False):
        for col in _STUDY_FIELDS:
            values = rows[col].str.strip().unique()
            if len(values) > 1:
                first = int(rows.index[0]) + 2
                for idx in rows.index[rows[col].str.strip() != rows[col].iloc[0].strip()]:
                    out.append(
                        _problem(
                            int(idx) + 2,
                            col,
                            rows.at[idx, col],
                            "study-mismatch",
                            f"differs from row {first} of study_id {study_id!r}",
                        )
                    )
    keys = frame[list(_ROW_KEY)].apply(lambda s: s.str.strip().str.lower())
    seen: dict[tuple[str, ...], int] = {}
    for idx, key in zip(frame.index, keys.itertuples(index=False, name=None), strict=True):
        if key in seen:
            out.append(
                _problem(
                    int(idx) + 2,
                    None,
                    None,
                    "duplicate-row",
                    f"same study, time point, variable, unit, groups and source "
                    f"kind as row {seen[key]}",
                )
            )
        else:
            seen[key] = int(idx) + 2
    return out


def evidence_problems(frame: pd.DataFrame) -> list[Problem]:
    """Every problem of an evidence table read as text (empty list: none).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read with ``dtype=str`` and ``keep_default_na=False``
        (every cell a string), in file order.

    Returns
    -------
    list of analysis.validation.Problem
        One per offending cell, column or row, each naming the spreadsheet row
        (header = row 1), the column, the value and the rule (see
        :data:`RULES`).
    """
    problems = _column_problems(frame)
    if any(p.rule in ("column-missing", "duplicate-column") for p in problems) or frame.empty:
        return problems
    frame = frame.copy()
    if "source_url" not in frame.columns:
        frame["source_url"] = ""
    for idx, row in frame.iterrows():
        problems += _row_problems(row, int(idx) + 2)
    return problems + _table_problems(frame)


def _parsed_number(text: str) -> tuple[float, int | None]:
    return (float(text), _decimals(text)) if text else (np.nan, None)


def _parsed_p(text: str) -> tuple[float, float, str]:
    """(low, high, operator) of the true p-values that print as `text`."""
    if not text:
        return np.nan, np.nan, ""
    if text.lower() in _NS:
        return np.nan, np.nan, "NS"
    match = _P.fullmatch(text)
    operator, number = match.group(1) or "=", match.group(2)
    value, half = float(number), 0.5 * 10.0 ** -_decimals(number)
    if operator in ("<", "<=", "≤"):
        return 0.0, value, operator
    if operator in (">", ">=", "≥"):
        return value, 1.0, operator
    return max(value - half, 0.0), min(value + half, 1.0), "="


def _add_parsed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("year", "n_cramp", "n_control"):
        out[col] = pd.array([int(v) if v.strip() else pd.NA for v in out[col]], dtype="Int64")
    for col in _NUMBERS:
        values, places = [], []
        for text, summary in zip(out[col].str.strip(), out["summary"].str.strip(), strict=True):
            if col in _SPREADS and summary == "median_iqr" and text:
                q1, q3 = _IQR.fullmatch(text).groups()
                values.append(np.nan)
                places.append(max(_decimals(q1), _decimals(q3)))
            else:
                value, d = _parsed_number(text)
                values.append(value)
                places.append(d)
        out[f"{col}_value"] = np.array(values, dtype=float)
        out[f"{col}_decimals"] = pd.array(places, dtype="Int64")
    for group in ("cramp", "control"):
        quartiles = [
            tuple(float(q) for q in _IQR.fullmatch(t).groups())
            if s == "median_iqr" and t
            else (np.nan, np.nan)
            for t, s in zip(
                out[f"{group}_spread"].str.strip(), out["summary"].str.strip(), strict=True
            )
        ]
        out[f"{group}_q1"] = [q[0] for q in quartiles]
        out[f"{group}_q3"] = [q[1] for q in quartiles]
    p = [_parsed_p(t) for t in out["reported_p"].str.strip()]
    out["p_low"] = [v[0] for v in p]
    out["p_high"] = [v[1] for v in p]
    out["p_operator"] = [v[2] for v in p]
    return out


def load_evidence(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check an evidence table; every problem is reported at once.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The CSV file (UTF-8); default the bundled ``data/evidence_table.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per comparison, in file order: the agreed columns with the
        printed strings unchanged (``cramp_center``, ``reported_p``, ... stay
        text, ``''`` where nothing was printed), ``year``, ``n_cramp`` and
        ``n_control`` as nullable integers, ``source_url`` (``''`` if the file
        has none), and parsed columns:

        - ``<col>_value`` (float, NaN when empty) and ``<col>_decimals``
          (nullable int: decimals printed) for ``cramp_center``,
          ``cramp_spread``, ``control_center`` and ``control_spread``; a
          ``median_iqr`` spread has no single value, its quartiles are in
          ``cramp_q1``, ``cramp_q3``, ``control_q1``, ``control_q3``;
        - ``p_low``, ``p_high``: the true p-values that print as
          ``reported_p`` (``'0.03'`` -> [0.025, 0.035], ``'<.001'`` ->
          [0, 0.001]); NaN when empty or ``'NS'``; ``p_operator`` (``'='``,
          ``'<'``, ``'>'``, ``'NS'`` or ``''``).

    Raises
    ------
    analysis.validation.DataValidationError
        If the file is missing or unreadable or any row breaks a rule of
        :data:`RULES`; ``.problems`` lists every problem (row as in a
        spreadsheet, header = row 1; column; value; rule).
    """
    path = Path(path) if path is not None else paths.DATA_DIR / EVIDENCE_FILE
    frame = _read(path)
    problems = summarise(evidence_problems(frame))  # a rule repeated: the first few, then a count
    if problems:
        raise DataValidationError(problems, source=path.name)
    if "source_url" not in frame.columns:
        frame["source_url"] = ""
    frame = frame[list(EVIDENCE_COLUMNS) + list(OPTIONAL_COLUMNS)]
    return _add_parsed(frame).reset_index(drop=True)
