"""Load a cohort file, check every cell, and report every problem at once.

A cohort file has one row per runner: a group column (crampers and
non-crampers) and at least one analyte. :func:`check_cohort` reads the file
(CSV with any common separator and decimal mark, or Excel ``.xlsx``) as text,
maps its columns and group labels onto the canonical schema of
:mod:`analysis.schema`, converts units, and checks every cell. It never stops
at the first problem and never modifies the file. :func:`load_cohort` returns
the cohort when nothing is wrong and raises one :class:`DataValidationError`
listing every problem otherwise.

Rows are numbered as in a spreadsheet: the header is row 1, the first runner
row 2. Errors stop the analysis (an impossible value such as sodium 14, a
label that is neither group, a duplicated subject id); warnings do not (a
post-race value outside the adult reference range is expected, and only
flagged).

Examples
--------
>>> from analysis import load_cohort, example_path
>>> cohort = load_cohort(example_path("marathon"))
>>> cohort["group"].value_counts().to_dict()
{'control': 67, 'cramp': 15}
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

import numpy as np
import pandas as pd

from analysis import schema
from analysis.physiology import blood_volume_change, cell_volume_change, plasma_volume_change

__all__ = [
    "CHECKS",
    "CohortCheck",
    "DataValidationError",
    "Problem",
    "add_derived",
    "check_cohort",
    "load_cohort",
]

Severity = Literal["error", "warning"]

#: cell contents read as a missing value (case-insensitive, after stripping)
MISSING_TOKENS = frozenset(
    {"", "na", "n/a", "nan", "null", "none", ".", "-", "\u2014", "missing", "nd", "not done"}
)

#: group spellings inferred safely (case-insensitive, after stripping); anything
#: else needs explicit labels
CRAMP_NAMES = frozenset({"cramp", "cramps", "cramped", "cramper", "crampers", "cramping", "eamc"})
CONTROL_NAMES = frozenset(
    {
        "control", "controls", "no cramp", "no cramps", "no-cramp", "non-cramper",
        "non-crampers", "noncramper", "noncrampers", "non cramper", "non crampers",
        "non-cramp", "noncramp",
    }
)  # fmt: skip
#: answers inferred only under a column whose name asks "cramp?" (e.g. ``Cramp?``,
#: ``cramped``), where yes can only mean cramp; under ``group`` or ``status`` they
#: need --cramp-label/--control-label
YES_SPELLINGS = frozenset({"yes", "y", "true"})
NO_SPELLINGS = frozenset({"no", "n", "false", "none"})
CRAMP_SPELLINGS = CRAMP_NAMES | YES_SPELLINGS
CONTROL_SPELLINGS = CONTROL_NAMES | NO_SPELLINGS

_GROUP_COLUMN_NAMES = ("group", "cramp", "cramps", "cramped", "cramper", "eamc", "status")

_BASE_ALIASES: dict[str, tuple[str, ...]] = {
    "sodium": ("sodium", "na", "serum_sodium", "s_na"),
    "potassium": ("potassium", "k", "serum_potassium", "s_k"),
    "chloride": ("chloride", "cl", "serum_chloride"),
    "bicarbonate": ("bicarbonate", "hco3", "bicarb", "serum_bicarbonate"),
    "magnesium": ("magnesium", "mg", "serum_magnesium"),
    "calcium": ("calcium", "ca", "serum_calcium"),
    "haemoglobin": ("haemoglobin", "hemoglobin", "hb", "hgb"),
    "haematocrit": ("haematocrit", "hematocrit", "hct", "pcv"),
}
_TIME_ALIASES: dict[str, tuple[str, ...]] = {
    "pre": ("pre", "before", "pre_race", "prerace", "baseline"),
    "post": ("post", "after", "post_race", "postrace", "finish"),
}
_PLAIN_ALIASES: dict[str, tuple[str, ...]] = {
    "subject_id": ("subject_id", "id", "subject", "runner", "runner_id", "participant",
                   "participant_id"),
    "age_years": ("age_years", "age", "age_yr", "age_y"),
    "finish_time_min": ("finish_time_min", "finish_time", "finishing_time", "race_time_min",
                        "time_min"),
    "cramp_onset_km": ("cramp_onset_km", "onset_km", "cramp_onset", "cramp_km"),
}  # fmt: skip
_UNIT_TOKENS = ("mmol_l", "meq_l", "g_dl", "g_l", "pct", "percent", "fraction", "km", "min",
                "years", "yrs")  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One finding about one cell, column or file.

    Attributes
    ----------
    row : int or None
        Spreadsheet row number (header = 1); ``None`` for a column or the file.
    column : str or None
        The column as named in the file; ``None`` for the whole file.
    value : str or None
        The offending cell as written in the file.
    rule : str
        Short name of the rule, e.g. ``'impossible-value'``.
    message : str
        What is wrong and what would be accepted, for a person.
    severity : {'error', 'warning'}
        Errors stop the analysis; warnings are reported and accepted.
    """

    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            where.append(f"value {self.value!r}")
        prefix = ", ".join(where) if where else "file"
        return f"{prefix}: {self.message} [{self.rule}]"


class DataValidationError(ValueError):
    """A cohort file failed validation; ``.problems`` lists every error found.

    The message is readable as it is: one line per problem, each naming the
    row, the column, the value and the rule.
    """

    def __init__(self, problems: Iterable[Problem], source: str = "data") -> None:
        self.problems: list[Problem] = list(problems)
        self.source = source
        n = len(self.problems)
        lines = [f"{source}: {n} problem{'s' if n != 1 else ''} found; nothing was analysed."]
        lines += [f"  - {p}" for p in self.problems]
        lines.append("Rows are numbered as in a spreadsheet: the header is row 1.")
        super().__init__("\n".join(lines))


#: every rule the loader applies: rule -> what is checked (the order of validation.txt)
CHECKS: dict[str, str] = {
    "file-missing": "the file exists",
    "unsupported-format": "the format is CSV/text or .xlsx",
    "unreadable": "the file or workbook can be read",
    "sheet-missing": "the Excel sheet exists",
    "encoding": "the text decodes in the encoding used",
    "binary-file": "the file is text, not binary",
    "empty-file": "the file is not empty",
    "unparseable": "the file splits into fields",
    "ragged-row": "every row has as many fields as the header",
    "one-column": "the separator splits the header",
    "no-rows": "there is at least one data row",
    "empty-header": "every column with values has a name",
    "duplicate-column": "column names are unique",
    "unknown-canonical": "--column names a canonical column",
    "column-missing": "every column given is in the file",
    "column-reused": "no column is given for two variables",
    "column-conflict": "--group-column and --column group agree",
    "ambiguous-column": "no two columns look like the same variable",
    "group-column-missing": "a group column is present",
    "group-label-conflict": "no label means both groups",
    "unknown-group": "every group value is a cramp or a control label",
    "group-empty": "both groups have runners",
    "no-analyte": "at least one analyte column is present",
    "missing-id": "subject ids are present (warning)",
    "duplicate-id": "subject ids are unique",
    "not-a-number": "every measurement is a number or blank",
    "censored-value": "no censored lab value such as '<135'",
    "mixed-decimal-mark": "one decimal mark throughout (warning)",
    "impossible-value": "every value is physiologically possible",
    "outside-reference-range": "values inside the adult reference range (flag only)",
    "onset-in-control": "no cramp-onset distance in a control (warning)",
    "internal-error": "the checks ran to the end",
}

_READ_RULES = ("file-missing", "unsupported-format", "unreadable", "sheet-missing", "encoding",
               "binary-file", "empty-file", "unparseable", "ragged-row")  # fmt: skip


@dataclass
class CohortCheck:
    """The outcome of :func:`check_cohort`.

    Attributes
    ----------
    source : str
        What was read (a path, or ``'DataFrame'``).
    cohort : pandas.DataFrame or None
        The cohort in the canonical schema, ``None`` if there were errors.
    problems : list of Problem
        Every error and warning, in file order.
    decisions : list of str
        What was detected or inferred and used (separator, decimal mark,
        column and group mapping, unit conversions), to be echoed to the user.
    missing : dict
        Canonical column -> number of missing values.
    n_rows : int
        Number of data rows read.
    skipped : list of str
        Parts of the analysis that cannot be done with this file, and why
        (an analyte without a column, ``pv_change`` without haemoglobin...).
    """

    source: str
    cohort: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)
    n_rows: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the analysis."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that are reported and accepted."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def raise_for_errors(self) -> None:
        """Raise :class:`DataValidationError` listing every error, if any."""
        if self.errors:
            raise DataValidationError(self.errors, self.source)

    def checks(self) -> list[tuple[str, str, str]]:
        """Every check with its outcome: (rule, what is checked, outcome)."""
        read_failed = any(p.rule in _READ_RULES for p in self.errors)
        out = []
        for rule, what in CHECKS.items():
            found = [p for p in self.problems if p.rule == rule]
            n_err = sum(p.severity == "error" for p in found)
            n_warn = len(found) - n_err
            if found:
                parts = [f"{n} {kind}{'s' if n != 1 else ''}" for n, kind in
                         ((n_err, "error"), (n_warn, "flag, accepted")) if n]  # fmt: skip
                outcome = ", ".join(parts).replace("flag, accepteds", "flags, accepted")
            elif read_failed and rule not in _READ_RULES:
                outcome = "not run (the file could not be read)"
            else:
                outcome = "ok"
            out.append((rule, what, outcome))
        return out

    def to_text(self) -> str:
        """Every check and its outcome, for ``validation.txt`` and the terminal."""
        lines = [f"Validation of {self.source}", ""]
        lines.append(f"rows read: {self.n_rows}")
        if self.cohort is not None:
            counts = self.cohort["group"].value_counts()
            lines.append(
                "groups: " + ", ".join(f"{g} {int(counts.get(g, 0))}" for g in schema.GROUPS)
            )
        lines += ["", "Decisions:"] + [f"  - {d}" for d in self.decisions or ["(none)"]]
        lines += ["", "Checks:"]
        width = max(len(what) for what in CHECKS.values())
        lines += [f"  - {what:<{width}}  {outcome}  [{rule}]"
                  for rule, what, outcome in self.checks()]  # fmt: skip
        lines += ["", f"Errors ({len(self.errors)}):"]
        lines += [f"  - {p}" for p in self.errors] or ["  (none)"]
        lines += ["", f"Warnings, accepted ({len(self.warnings)}):"]
        lines += [f"  - {p}" for p in self.warnings] or ["  (none)"]
        lines += ["", "Missing values per column (kept as missing, never dropped):"]
        lines += [f"  - {c}: {n}" for c, n in self.missing.items()] or ["  (no columns)"]
        lines += ["", "Sections skipped (not possible with this file):"]
        lines += [f"  - {s}" for s in self.skipped] or ["  (none)"]
        lines += ["", "Result: " + ("PASSED" if self.ok else "FAILED, nothing analysed")]
        return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------
# reading

#: separators accepted by name as well as by character
SEPARATOR_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls (and .doc)


def normalise_separator(sep: str | None) -> str | None:
    """Return the one-character separator meant by ``sep`` (``'tab'`` -> ``'\\t'``).

    Raises
    ------
    ValueError
        If ``sep`` is not one character (after resolving the names ``tab``,
        ``comma``, ``semicolon``, ``pipe``) or is a quote, a newline or a
        letter or digit.
    """
    if sep is None:
        return None
    resolved = SEPARATOR_NAMES.get(str(sep).lower(), sep)
    if len(resolved) != 1 or resolved in '"\r\n' or resolved.isalnum():
        raise ValueError(
            f"`sep` must be one character such as ',', ';', '|' or the word 'tab'; got {sep!r}"
        )
    return resolved


def _normalise_name(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _detect_separator(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ",", (0, 0)
    for sep in (",", ";", "\t", "|"):
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=sep)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        agree = sum(w == widths[0] for w in widths)
        score = (agree, widths[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def _records(text: str, sep: str) -> list[tuple[int, list[str]]]:
    """Split CSV text into (spreadsheet row number, fields).

    Records are numbered as a spreadsheet shows them: a quoted cell holding a
    line break stays in one row, and a blank line is a row too (the reader
    gives it as an empty record).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    return list(enumerate(reader, start=1))


def _table_from_records(
    records: list[tuple[int, list[str]]], decisions: list[str], sep: str = ","
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Build a table of strings indexed by spreadsheet row number; report ragged rows.

    The first non-blank record is the header. Blank records are skipped but
    keep their number, so every row is reported where a spreadsheet shows it.
    Trailing header cells that are empty, with nothing under them, are
    dropped (spreadsheet exports often add them) and the drop is echoed.
    """
    records = [(n, [str(c) for c in f]) for n, f in records if any(str(c).strip() for c in f)]
    if not records:
        return None, [Problem(None, None, "", "empty-file", "the file is empty")]
    (header_row, header), body = records[0], records[1:]
    header = [h.strip() for h in header]
    width = len(header)
    while (
        width > 0
        and header[width - 1] == ""
        and all(len(f) < width or not f[width - 1].strip() for _, f in body)
    ):
        width -= 1
    if width < len(header):
        decisions.append(f"{len(header) - width} empty unnamed column(s) at the right edge "
                         "ignored (nothing in them)")  # fmt: skip
        header = header[:width]
    problems: list[Problem] = []
    rows: list[list[str]] = []
    numbers: list[int] = []
    for n, fields in body:
        if len(fields) > width and not any(c.strip() for c in fields[width:]):
            fields = fields[:width]
        if len(fields) != width:
            shown = sep.join(fields)
            problems.append(Problem(
                n, None, shown if len(shown) <= 80 else shown[:77] + "...", "ragged-row",
                f"has {len(fields)} fields but the header (row {header_row}) has {width}; "
                "a separator inside a value, or a cell missing?",
            ))  # fmt: skip
            continue
        rows.append(fields)
        numbers.append(n)
    table = pd.DataFrame(rows, columns=range(width), index=pd.Index(numbers, dtype="int64"),
                         dtype=object)  # fmt: skip
    if not rows:
        table = pd.DataFrame(index=pd.Index([], dtype="int64"), columns=range(width),
                             dtype=object)  # fmt: skip
    table.columns = pd.Index(header, dtype=object)
    return table, problems


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _read_excel(
    path: Path, sheet: str | int, decisions: list[str]
) -> tuple[pd.DataFrame | None, list[Problem]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl and zipfile raise many types for a broken file
        return None, [Problem(None, None, path.name, "unreadable",
                              f"not a readable .xlsx workbook ({type(exc).__name__}: "
                              f"{str(exc)[:120]}); save it again as .xlsx or CSV")]  # fmt: skip
    try:
        names = book.sheetnames
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                return None, [Problem(None, None, str(sheet), "sheet-missing",
                                      f"the workbook has {len(names)} sheet(s) "
                                      f"({', '.join(names)}); --sheet counts from 0")]  # fmt: skip
            name = names[sheet]
        elif sheet in names:
            name = sheet
        elif isinstance(sheet, str) and sheet.isdigit() and int(sheet) < len(names):
            name = names[int(sheet)]  # a number given as text, and no sheet of that name
        else:
            return None, [Problem(None, None, str(sheet), "sheet-missing",
                                  f"no such sheet; the workbook's sheets are "
                                  f"{', '.join(map(repr, names))}")]  # fmt: skip
        ws = book[name]
        records = [
            (n, [_cell_text(v) for v in row])
            for n, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)
        ]
    except Exception as exc:
        return None, [Problem(None, None, path.name, "unreadable",
                              f"the workbook could not be read ({type(exc).__name__}: "
                              f"{str(exc)[:120]})")]  # fmt: skip
    finally:
        book.close()
    decisions.append(f"read Excel sheet {name!r}" + (" (the first)" if sheet == 0 else ""))
    table, problems = _table_from_records(records, decisions)
    return (None if problems else table), problems


def _read_table(
    source: str | Path,
    *,
    sep: str | None,
    decimal: str | None,
    encoding: str | None,
    sheet: str | int,
    decisions: list[str],
) -> tuple[pd.DataFrame | None, list[Problem], str | None]:
    """Read a file as a table of strings indexed by row number; return (table, problems, decimal).

    Never raises for anything in the file: every failure is a :class:`Problem`.
    """
    path = Path(source)
    if not path.is_file():
        what = "a folder, not a file" if path.is_dir() else "no such file"
        return None, [Problem(None, None, str(path), "file-missing", what)], None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(None, None, str(path), "unreadable",
                              f"cannot be read ({exc.strerror or exc})")], None  # fmt: skip
    suffix = path.suffix.lower()
    if raw.startswith(_OLE_MAGIC) or suffix in (".xls", ".ods", ".numbers"):
        return None, [Problem(None, None, path.name, "unsupported-format",
                              "old Excel .xls, .ods and .numbers files are not read; "
                              "save the sheet as .xlsx or CSV")], None  # fmt: skip
    if suffix in (".xlsx", ".xlsm") or raw.startswith(_ZIP_MAGIC):
        if suffix not in (".xlsx", ".xlsm"):
            decisions.append("the file is a zip archive: read as an Excel .xlsx workbook")
        table, problems = _read_excel(path, sheet, decisions)
        return table, problems, "."
    if encoding:
        enc = encoding
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
        decisions.append("encoding: UTF-16 (detected from its byte-order mark)")
    else:
        enc = "utf-8-sig"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 1]
        return None, [Problem(line, None, repr(bad), "encoding",
                              f"the file is not valid {enc.removesuffix('-sig')} (byte "
                              f"{bad!r} on line {line}); give its encoding, e.g. "
                              "--encoding latin-1 or --encoding cp1252")], None  # fmt: skip
    except LookupError:
        return (None, [Problem(None, None, enc, "encoding",
                              "unknown encoding name; try utf-8, latin-1 or cp1252")],
                None)  # fmt: skip
    text = text.removeprefix("\ufeff")
    if encoding:
        decisions.append(f"encoding: {enc} (given)")
    if not text.strip():
        return None, [Problem(None, None, "", "empty-file", "the file is empty")], None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return (None, [Problem(line, None, "\\x00", "binary-file",
                              "the file holds NUL bytes, so it is not a text table; export "
                              "it as CSV (or UTF-16 text with a byte-order mark) or .xlsx")],
                None)  # fmt: skip
    if sep is None:
        sep = _detect_separator(text)
        decisions.append(f"separator: {_sep_name(sep)} (detected; override with --sep)")
    else:
        decisions.append(f"separator: {_sep_name(sep)} (given)")
    try:
        records = _records(text, sep)
    except csv.Error as exc:
        return (None, [Problem(None, None, None, "unparseable",
                              f"the file could not be split into fields ({exc})")],
                None)  # fmt: skip
    table, problems = _table_from_records(records, decisions, sep)
    if table is None or problems:  # ragged rows: columns cannot be trusted, stop here
        return None, problems, None
    if len(table.columns) == 1 and len(records) > 1:
        header = str(table.columns[0])
        others = [s for s in (",", ";", "\t", "|") if s != sep and s in header]
        if others:
            problems.append(Problem(1, header[:60], None, "one-column",
                                    f"the whole header is one column when split on "
                                    f"{_sep_name(sep)}; the file seems separated by "
                                    f"{_sep_name(others[0])}: pass --sep "
                                    f"{_sep_name(others[0], cli=True)}"))  # fmt: skip
    if decimal is None:
        sample = table.head(500).to_numpy().ravel().tolist()
        comma = sum(bool(re.fullmatch(r"\s*[-+]?\d*,\d+\s*", str(c))) for c in sample)
        point = sum(bool(re.fullmatch(r"\s*[-+]?\d*\.\d+\s*", str(c))) for c in sample)
        decimal = "," if comma > point else "."
        decisions.append(f"decimal mark: {decimal!r} (detected; override with --decimal)")
    else:
        decisions.append(f"decimal mark: {decimal!r} (given)")
    return table, problems, decimal


def _sep_name(sep: str, *, cli: bool = False) -> str:
    names = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}
    if cli:
        return {"\t": "tab", ",": ",", ";": "';'", "|": "'|'"}.get(sep, repr(sep))
    return names.get(sep, repr(sep))


# ----------------------------------------------------------------------------
# mapping columns and groups


def _infer_canonical(name: str) -> str | None:
    norm = _normalise_name(name)
    for unit in _UNIT_TOKENS:
        if norm.endswith("_" + unit) and norm != unit:
            norm = norm[: -len(unit) - 1]
            break
    for canonical, aliases in _PLAIN_ALIASES.items():
        if norm in aliases:
            return canonical
    for base, base_aliases in _BASE_ALIASES.items():
        for time, time_aliases in _TIME_ALIASES.items():
            for b in base_aliases:
                for t in time_aliases:
                    if norm in (f"{b}_{t}", f"{t}_{b}", f"{b}{t}"):
                        return f"{base}_{time}"
    return None


def _unique(names: list[str]) -> list[str]:
    """Make repeated column names unique (``a``, ``a (2)``) after they are reported."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _header_problems(header: list[str], row: int = 1) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for i, name in enumerate(header, start=1):
        if not str(name).strip():
            problems.append(Problem(row, f"(unnamed column {i})", None, "empty-header",
                                    "a column with values has no name; name it or delete "
                                    "it"))  # fmt: skip
            continue
        key = _normalise_name(name) or str(name).strip()
        if key in seen:
            problems.append(Problem(row, str(name), None, "duplicate-column",
                                    f"column name repeats {seen[key]!r}; names must be "
                                    "unique"))  # fmt: skip
        seen.setdefault(key, str(name))
    return problems


def _close_match(name: str, header: list[str]) -> str:
    """A hint naming the header entry that differs from ``name`` only in case or spacing."""
    loose = [h for h in header if " ".join(h.split()).casefold() == " ".join(
        name.split()).casefold()]  # fmt: skip
    return f"; did you mean {loose[0]!r}?" if len(loose) == 1 else ""


def _map_columns(
    header: list[str], columns: Mapping[str, str] | None, group_column: str | None
) -> tuple[dict[str, str], list[Problem], list[str]]:
    """Return canonical -> source column, problems and decisions.

    Explicit mappings win over inferred ones; a file column that would have
    been inferred as an explicitly mapped variable is kept as an extra column
    and the choice is echoed.
    """
    problems: list[Problem] = []
    decisions: list[str] = []
    mapping: dict[str, str] = {}
    allowed = set(schema.CANONICAL_COLUMNS)
    listed = ", ".join(repr(h) for h in header)
    given = dict(columns or {})
    if group_column is not None:
        if "group" in given and given["group"] != group_column:
            problems.append(Problem(None, group_column, None, "column-conflict",
                                    f"--group-column {group_column!r} and --column "
                                    f"group={given['group']!r} disagree"))  # fmt: skip
        given["group"] = group_column
    for canonical, src in given.items():
        src = str(src)
        if canonical not in allowed:
            problems.append(Problem(None, src, None, "unknown-canonical",
                                    f"{canonical!r} is not a canonical column; choose from "
                                    f"{', '.join(schema.CANONICAL_COLUMNS)}"))  # fmt: skip
            continue
        if src not in header:
            problems.append(Problem(None, src, None, "column-missing",
                                    f"column given for {canonical} is not in the file"
                                    f"{_close_match(src, header)} (names must match exactly); "
                                    f"its columns are {listed}"))  # fmt: skip
        elif src in mapping.values():
            other = next(k for k, v in mapping.items() if v == src)
            problems.append(Problem(None, src, None, "column-reused",
                                    f"column given for both {other} and {canonical}; each "
                                    "column can hold one variable"))  # fmt: skip
        else:
            mapping[canonical] = src
            decisions.append(f"column {src!r} -> {canonical} (given)")
    explicit = set(mapping) | set(given)
    taken = set(mapping.values())
    for name in header:
        if name in taken:
            continue
        norm = _normalise_name(name)
        canonical = norm if norm in allowed else _infer_canonical(name)
        if canonical is None and "group" not in explicit:
            canonical = "group" if norm in _GROUP_COLUMN_NAMES else None
        if canonical is None:
            continue
        if canonical in explicit:
            if canonical in mapping:
                decisions.append(f"column {name!r} not used as {canonical}: "
                                 f"{mapping[canonical]!r} was given; kept as an extra "
                                 "column")  # fmt: skip
            continue
        if canonical in mapping:
            problems.append(Problem(None, str(name), None, "ambiguous-column",
                                    f"both {mapping[canonical]!r} and {name!r} look like "
                                    f"{canonical}; choose one with --column "
                                    f"{canonical}=NAME"))  # fmt: skip
            continue
        mapping[canonical] = name
        if name != canonical:
            decisions.append(f"column {name!r} -> {canonical} (inferred)")
    return mapping, problems, decisions


def _asks_cramp(column: str) -> bool:
    """True if a column's name asks "cramp?", so that yes can only mean cramp."""
    tokens = set(_normalise_name(column).split("_"))
    negating = {"no", "non", "not", "without", "control", "controls", "noncramp",
                "noncramper", "noncrampers", "free"}  # fmt: skip
    return bool(tokens & (CRAMP_NAMES | {"cramp"})) and not tokens & negating


def _map_groups(
    values: pd.Series,
    column: str,
    cramp_labels: Iterable[str] | None,
    control_labels: Iterable[str] | None,
) -> tuple[pd.Series, list[Problem], list[str]]:
    stripped = values.fillna("").astype(str).str.strip()
    lowered = stripped.str.lower()
    yes_no = False
    if cramp_labels is not None or control_labels is not None:
        cramp = {str(v).strip().lower() for v in cramp_labels or ()}
        control = {str(v).strip().lower() for v in control_labels or ()}
        how = "given"
    else:
        cramp, control = set(CRAMP_NAMES), set(CONTROL_NAMES)
        how = "inferred; override with --cramp-label/--control-label"
        if _asks_cramp(column):
            cramp |= YES_SPELLINGS
            control |= NO_SPELLINGS
            how = (f"inferred from the column name {column!r}; override with "
                   "--cramp-label/--control-label")  # fmt: skip
        else:
            yes_no = True
    overlap = cramp & control
    problems = [
        Problem(None, column, label, "group-label-conflict",
                "the same label is given for both cramp and control")
        for label in sorted(overlap)
    ]  # fmt: skip
    group = pd.Series(
        np.where(lowered.isin(cramp - overlap), "cramp",
                 np.where(lowered.isin(control - overlap), "control", "")),
        index=values.index,
        dtype=object,
    )  # fmt: skip
    for idx in np.flatnonzero((group == "").to_numpy()):
        raw = stripped.iloc[idx]
        if raw == "" or raw.lower() in MISSING_TOKENS - NO_SPELLINGS:
            message = "group is missing; every runner must be cramp or control"
        elif yes_no and raw.lower() in YES_SPELLINGS | NO_SPELLINGS:
            message = (
                f"{raw!r} does not say which group under a column named {column!r}; pass "
                "--cramp-label and --control-label, e.g. --cramp-label Yes --control-label No"
            )
        else:
            message = (
                "is neither a cramp nor a control label; accepted labels are "
                f"{sorted(cramp - overlap)} and {sorted(control - overlap)}; pass "
                "--cramp-label/--control-label for other labels"
            )
        problems.append(Problem(int(values.index[idx]), column, raw, "unknown-group", message))
    decisions = []
    used = sorted(set(stripped[group != ""]))
    for label in used:
        target = "cramp" if label.lower() in cramp else "control"
        if label != target:
            decisions.append(f"group label {label!r} -> {target} ({how})")
    return group, problems, decisions


# ----------------------------------------------------------------------------
# cells

_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?")
_CENSORED = re.compile(r"(?:<=?|>=?|\u2264|\u2265)\s*[-+]?[0-9]+(?:[.,][0-9]+)?")


def _parse_numbers(
    raw: pd.Series, column: str, decimal: str, censored: str
) -> tuple[pd.Series, list[Problem]]:
    """Parse one column; every cell that is not a number is reported.

    Cells that are plainly numbers are parsed in one vectorised pass; only the
    rest (blanks, censored values, typos) are looked at one by one.
    """
    problems: list[Problem] = []
    text = raw.fillna("").astype(str).str.strip()
    missing = text.str.lower().isin(MISSING_TOKENS).to_numpy()
    if decimal == ",":
        has_comma = text.str.contains(",", regex=False).to_numpy()
        has_point = text.str.contains(".", regex=False).to_numpy()
        text = text.where(~(has_comma & ~has_point), text.str.replace(",", ".", regex=False))
    plain = text.str.fullmatch(_NUMBER.pattern).to_numpy(dtype=bool) & ~missing
    values = np.full(len(raw), np.nan)
    with np.errstate(over="ignore"):
        values[plain] = text.to_numpy()[plain].astype(float)
    plain &= np.isfinite(values)
    values[~plain] = np.nan
    rows = raw.index.to_numpy()
    cells = raw.to_numpy()
    if decimal == ",":
        for idx in np.flatnonzero(plain & has_point & ~has_comma):
            problems.append(Problem(int(rows[idx]), column, str(cells[idx]).strip(),
                                    "mixed-decimal-mark",
                                    "has a decimal point in a file with decimal commas; "
                                    "read as a decimal point, check it", "warning"))  # fmt: skip
    for idx in np.flatnonzero(~plain & ~missing):
        cell = cells[idx]
        value = "" if cell is None else str(cell).strip()
        row = int(rows[idx])
        if _CENSORED.fullmatch(value):
            if censored == "missing":
                problems.append(Problem(row, column, value, "censored-value",
                                        "censored lab value read as missing (--censored "
                                        "missing)", "warning"))  # fmt: skip
            else:
                problems.append(Problem(row, column, value, "censored-value",
                                        "censored lab value (below/above the assay's limit) "
                                        "is not a number; enter a number, leave it blank, or "
                                        "pass --censored missing"))  # fmt: skip
        else:
            hint = ""
            if decimal == "." and re.fullmatch(r"[-+]?[0-9]*,[0-9]+", value):
                hint = " (a decimal comma? pass --decimal ,)"
            elif _NUMBER.fullmatch(str(text.iloc[idx])):
                hint = " (too large)"
            shown = value if len(value) <= 40 else value[:37] + "..."
            problems.append(Problem(row, column, shown, "not-a-number",
                                    f"is not a number{hint}"))  # fmt: skip
    return pd.Series(values, index=raw.index, dtype=float), problems


def _convert_unit(
    values: dict[str, pd.Series], base: str, given: str, decisions: list[str]
) -> tuple[float, str]:
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
    decisions.append(note)
    return units[unit], unit


def _check_ranges(
    values: pd.Series, canonical: str, column: str, raw: pd.Series, read_unit: str = ""
) -> list[Problem]:
    var = schema.VARIABLES[schema.base_of(canonical)]
    lo, hi = var.plausible
    problems: list[Problem] = []
    arr = values.to_numpy()
    rows = raw.index.to_numpy()
    cells = raw.to_numpy()
    converted = f" after reading it in {read_unit}" if read_unit and read_unit != var.unit else ""
    with np.errstate(invalid="ignore"):
        impossible = np.flatnonzero((arr < lo) | (arr > hi))
    for idx in impossible:
        problems.append(Problem(int(rows[idx]), column, str(cells[idx]).strip(),
                                "impossible-value",
                                f"{var.label} must be between {lo:g} and {hi:g} {var.unit} to "
                                f"be physiologically possible (read as {arr[idx]:g} "
                                f"{var.unit}{converted}); a typo or a unit slip?"))  # fmt: skip
    if var.reference is not None:
        rlo, rhi = var.reference
        with np.errstate(invalid="ignore"):
            flagged = np.flatnonzero(((arr < rlo) | (arr > rhi)) & (arr >= lo) & (arr <= hi))
        for idx in flagged:
            side = "below" if arr[idx] < rlo else "above"
            problems.append(Problem(int(rows[idx]), column, str(cells[idx]).strip(),
                                    "outside-reference-range",
                                    f"{side} the adult reference range {rlo:g}-{rhi:g} "
                                    f"{var.unit}; flagged, accepted", "warning"))  # fmt: skip
    return problems


# ----------------------------------------------------------------------------
# public API

_UNIT_CHOICES = {
    "haematocrit_unit": ("auto", "fraction", "percent"),
    "haemoglobin_unit": ("auto", "g/dL", "g/L"),
    "censored": ("error", "missing"),
}


def _check_options(options: Mapping[str, object]) -> None:
    for name, allowed in _UNIT_CHOICES.items():
        if options[name] not in allowed:
            raise ValueError(f"`{name}` must be one of {list(allowed)}; got {options[name]!r}")
    if options["decimal"] not in (None, ".", ","):
        raise ValueError(f"`decimal` must be '.' or ','; got {options['decimal']!r}")
    for name in ("cramp_labels", "control_labels"):
        if isinstance(options[name], str):
            raise TypeError(f"`{name}` must be a list of labels, not one string; got "
                            f"{options[name]!r}")  # fmt: skip


def check_cohort(
    source: str | Path | pd.DataFrame,
    *,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet: str | int = 0,
    columns: Mapping[str, str] | None = None,
    group_column: str | None = None,
    cramp_labels: Iterable[str] | None = None,
    control_labels: Iterable[str] | None = None,
    haematocrit_unit: str = "auto",
    haemoglobin_unit: str = "auto",
    censored: Literal["error", "missing"] = "error",
    derived: bool = True,
) -> CohortCheck:
    """Read and check a cohort; collect every problem instead of stopping.

    Nothing in the file can make this function raise: an unreadable file,
    a wrong encoding, ragged rows, a broken workbook are all reported as
    :class:`Problem` entries. Only invalid *options* raise.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A ``.csv``/``.txt``/``.tsv`` file, an ``.xlsx`` file, or a table
        already in memory. The file is only read, never modified.
    sep : str, optional
        Field separator (one character, or ``'tab'``); detected among ``,``
        ``;`` tab and ``|`` when omitted.
    decimal : {'.', ','}, optional
        Decimal mark; detected when omitted.
    encoding : str, optional
        Text encoding; UTF-8 (with or without BOM) when omitted, UTF-16 when
        the file starts with its byte-order mark.
    sheet : str or int, default 0
        Excel sheet name or 0-based index; text of digits is a sheet name if
        the workbook has one of that name, an index otherwise.
    columns : mapping, optional
        Canonical name -> column name in the file, e.g.
        ``{'sodium_pre': 'Na (mmol/L) before'}``. Other columns are matched by
        canonical name (case and spacing ignored) or common spellings
        (``Na_pre``, ``Hct post``, ``hemoglobin_after``), each echoed in
        :attr:`CohortCheck.decisions`. Given mappings win over inferred ones.
    group_column : str, optional
        The column holding the group; default ``group`` or a common spelling
        (``cramp``, ``Cramp?``, ``status``...).
    cramp_labels, control_labels : iterable of str, optional
        Labels (case-insensitive) meaning cramp and control. When both are
        omitted, ``cramp``/``cramper``/``EAMC``... and
        ``control``/``non-cramper``... are inferred; yes/no answers
        (``yes``, ``y``, ``true`` and ``no``, ``n``, ``false``, ``none``) are
        inferred only under a column whose name asks about cramp
        (``Cramp?``, ``cramped``), never under ``group`` or ``status``.
    haematocrit_unit : {'auto', 'fraction', 'percent'}, default 'auto'
        ``auto`` takes percent when the median haematocrit exceeds 1.5.
    haemoglobin_unit : {'auto', 'g/dL', 'g/L'}, default 'auto'
        ``auto`` takes g/L when the median haemoglobin exceeds 30.
    censored : {'error', 'missing'}, default 'error'
        What a censored lab value such as ``<135`` is: an error, or a missing
        value with a warning. Either way it is reported per cell.
    derived : bool, default True
        Add the derived columns of :func:`add_derived`.

    Returns
    -------
    CohortCheck
        ``.cohort`` (canonical columns, then derived ones, then any extra
        columns of the file, kept as text; a plain 0-based index, row ``i``
        being spreadsheet row ``i + 2``) is ``None`` when there are errors.

    Raises
    ------
    ValueError, TypeError
        For an invalid option (never for the file's content).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"Cramp?": ["Yes", "No", "maybe"],
    ...                       "Na post": ["141", "14", "140"]})
    >>> check = check_cohort(table)
    >>> check.ok
    False
    >>> for problem in check.errors:
    ...     print(problem)
    row 3, column 'Na post', value '14': Serum sodium must be between 90 and 200 mmol/L to be physiologically possible (read as 14 mmol/L); a typo or a unit slip? [impossible-value]
    row 4, column 'Cramp?', value 'maybe': is neither a cramp nor a control label; accepted labels are ['cramp', 'cramped', 'cramper', 'crampers', 'cramping', 'cramps', 'eamc', 'true', 'y', 'yes'] and ['control', 'controls', 'false', 'n', 'no', 'no cramp', 'no cramps', 'no-cramp', 'non cramper', 'non crampers', 'non-cramp', 'non-cramper', 'non-crampers', 'noncramp', 'noncramper', 'noncrampers', 'none']; pass --cramp-label/--control-label for other labels [unknown-group]
    """  # noqa: E501
    sep = normalise_separator(sep)
    _check_options(locals())
    name = "DataFrame" if isinstance(source, pd.DataFrame) else str(source)
    decisions: list[str] = []
    try:
        return _check(
            source, name, decisions, sep=sep, decimal=decimal, encoding=encoding, sheet=sheet,
            columns=columns, group_column=group_column, cramp_labels=cramp_labels,
            control_labels=control_labels, haematocrit_unit=haematocrit_unit,
            haemoglobin_unit=haemoglobin_unit, censored=censored, derived=derived,
        )  # fmt: skip
    except Exception as exc:  # a defect here must still not become a traceback for data
        problem = Problem(None, None, None, "internal-error",
                          f"the file could not be checked ({type(exc).__name__}: "
                          f"{str(exc)[:200]}); this is a defect of the compendium, please "
                          "report it with the file")  # fmt: skip
        return CohortCheck(name, None, [problem], decisions)


def _check(
    source: str | Path | pd.DataFrame,
    name: str,
    decisions: list[str],
    *,
    sep: str | None,
    decimal: str | None,
    encoding: str | None,
    sheet: str | int,
    columns: Mapping[str, str] | None,
    group_column: str | None,
    cramp_labels: Iterable[str] | None,
    control_labels: Iterable[str] | None,
    haematocrit_unit: str,
    haemoglobin_unit: str,
    censored: str,
    derived: bool,
) -> CohortCheck:
    if isinstance(source, pd.DataFrame):
        table = source.astype(object).where(source.notna(), "").astype(str)
        table.columns = pd.Index([str(c) for c in source.columns], dtype=object)
        table.index = pd.RangeIndex(2, len(source) + 2)
        problems: list[Problem] = []
        dec: str | None = decimal or "."
    else:
        table, problems, dec = _read_table(
            source, sep=sep, decimal=decimal, encoding=encoding, sheet=sheet,
            decisions=decisions,
        )  # fmt: skip
    if table is None:
        return CohortCheck(name, None, problems, decisions)
    n_rows = len(table)
    rows = table.index
    if n_rows == 0:
        problems.append(Problem(None, None, None, "no-rows", "the file has a header but no "
                                "data rows"))  # fmt: skip
    problems += _header_problems([str(c) for c in table.columns])
    header = _unique([str(c) if str(c).strip() else f"(unnamed column {i})"
                      for i, c in enumerate(table.columns, start=1)])  # fmt: skip
    table.columns = pd.Index(header, dtype=object)
    mapping, col_problems, col_decisions = _map_columns(header, columns, group_column)
    problems += col_problems
    decisions += col_decisions
    skipped: list[str] = []

    out: dict[str, pd.Series] = {}
    if "group" not in mapping:
        if group_column is None:
            problems.append(Problem(None, None, None, "group-column-missing",
                                    "no group column; name it 'group' or pass --group-column "
                                    f"(columns in the file: {', '.join(header)})"))  # fmt: skip
    else:
        group, g_problems, g_decisions = _map_groups(
            table[mapping["group"]], mapping["group"], cramp_labels, control_labels
        )
        problems += g_problems
        decisions += g_decisions
        out["group"] = group
        unknown = any(p.rule == "unknown-group" for p in g_problems)
        for label in schema.GROUPS:  # an unknown label already explains an empty group
            if n_rows and not unknown and not (group == label).any():
                problems.append(Problem(None, mapping["group"], None, "group-empty",
                                        f"no runner is in group {label!r}; both groups are "
                                        "needed for a comparison"))  # fmt: skip

    analytes = [c for c in mapping if schema.base_of(c) in schema.ANALYTES]
    if not analytes:
        expected = ", ".join(c for c in schema.CANONICAL_COLUMNS if schema.base_of(c) in
                             schema.ANALYTES)  # fmt: skip
        problems.append(Problem(None, None, None, "no-analyte",
                                f"no analyte column found; expected at least one of {expected} "
                                "or a common spelling such as 'Na post', or map one with "
                                f"--column (columns in the file: "
                                f"{', '.join(header)})"))  # fmt: skip

    if "subject_id" in mapping:
        ids = table[mapping["subject_id"]].fillna("").astype(str).str.strip()
        first_row: dict[str, int] = {}
        for idx, sid in enumerate(ids):
            row = int(rows[idx])
            if sid == "" or sid.lower() in MISSING_TOKENS:
                problems.append(Problem(row, mapping["subject_id"], sid, "missing-id",
                                        "subject id is missing; the row is kept",
                                        "warning"))  # fmt: skip
            elif sid in first_row:
                problems.append(Problem(row, mapping["subject_id"], sid, "duplicate-id",
                                        f"subject id repeats row {first_row[sid]}"))  # fmt: skip
            else:
                first_row[sid] = row
        out["subject_id"] = ids

    numeric = [c for c in schema.CANONICAL_COLUMNS if c in mapping and c not in
               ("subject_id", "group")]  # fmt: skip
    parsed: dict[str, pd.Series] = {}
    for canonical in numeric:
        src = mapping[canonical]
        parsed[canonical], p = _parse_numbers(table[src], src, dec or ".", censored)
        problems += p
    read_unit: dict[str, str] = {}
    for base, given in (("haematocrit", haematocrit_unit), ("haemoglobin", haemoglobin_unit)):
        cols = {c: parsed[c] for c in (f"{base}_pre", f"{base}_post") if c in parsed}
        factor, unit = _convert_unit(cols, base, given, decisions)
        for c in cols:
            parsed[c] = parsed[c] * factor
            read_unit[c] = unit
    for canonical in numeric:
        problems += _check_ranges(parsed[canonical], canonical, mapping[canonical],
                                  table[mapping[canonical]],
                                  read_unit.get(canonical, ""))  # fmt: skip
        out[canonical] = parsed[canonical]
    if "cramp_onset_km" in parsed and "group" in out:
        onset = parsed["cramp_onset_km"]
        for idx in np.flatnonzero((onset.notna() & (out["group"] == "control")).to_numpy()):
            problems.append(Problem(int(rows[idx]), mapping["cramp_onset_km"],
                                    str(table[mapping["cramp_onset_km"]].iloc[idx]).strip(),
                                    "onset-in-control", "a control runner has a cramp-onset "
                                    "distance; kept, but check the group", "warning"))  # fmt: skip

    problems.sort(key=lambda p: (p.row if p.row is not None else 0, header.index(p.column)
                                 if p.column in header else -1))  # fmt: skip
    missing = {c: int(parsed[c].isna().sum()) for c in numeric}
    extras = [c for c in header if c not in mapping.values()]
    # a column named like a derived variable: recomputed when the file allows it (the
    # file's own values are kept beside it), otherwise taken from the file as a number
    from_file: dict[str, pd.Series] = {}
    renamed: dict[str, str] = {}
    for c in list(extras):
        target = _normalise_name(c)
        if target not in _DERIVED_NAMES:
            continue
        if all(n in mapping for n in _derived_inputs(target)):
            renamed[c] = f"{c} (from file)"
            decisions.append(f"column {c!r}: {target} is recomputed from the file's pre and "
                             f"post values; the file's own values are kept as "
                             f"{renamed[c]!r}")  # fmt: skip
        else:
            from_file[target], p = _parse_numbers(table[c], c, dec or ".", censored)
            problems += p
            extras.remove(c)
            missing[target] = int(from_file[target].isna().sum())
            decisions.append(f"column {c!r} -> {target} (taken from the file: the columns to "
                             f"recompute it are not all there)")  # fmt: skip
    if from_file:  # a plasma-volume or change column alone is something to analyse
        problems = [p for p in problems if p.rule != "no-analyte"]
    if extras:
        decisions.append("extra columns kept in the record, not analysed: "
                         + ", ".join(repr(c) for c in extras))  # fmt: skip
    skipped += _skipped_sections(mapping, parsed, n_rows)
    if any(p.severity == "error" for p in problems):
        return CohortCheck(name, None, problems, decisions, missing, n_rows, skipped)

    ordered = [c for c in schema.CANONICAL_COLUMNS if c in out]
    cohort = pd.DataFrame({c: out[c] for c in ordered}, index=rows)
    cohort["group"] = cohort["group"].astype(str)
    if "subject_id" in cohort:
        cohort["subject_id"] = cohort["subject_id"].astype(str)
    if derived:
        cohort = add_derived(cohort, decisions=skipped)
    for c, values in from_file.items():
        cohort[c] = values.to_numpy()
    for c in extras:
        cohort[renamed.get(c, c)] = table[c].to_numpy()
    cohort = cohort.reset_index(drop=True)
    return CohortCheck(name, cohort, problems, decisions, missing, n_rows, skipped)


_DERIVED_NAMES = frozenset(schema.DERIVED) | {f"{a}_change" for a in schema.ANALYTES}
_PV_INPUTS = ("haemoglobin_pre", "haemoglobin_post", "haematocrit_pre", "haematocrit_post")


def _derived_inputs(name: str) -> tuple[str, ...]:
    """The canonical columns a derived variable is computed from."""
    if name in schema.DERIVED:
        return _PV_INPUTS
    base = name.removesuffix("_change")
    return (f"{base}_pre", f"{base}_post")


def _skipped_sections(
    mapping: Mapping[str, str], parsed: Mapping[str, pd.Series], n_rows: int
) -> list[str]:
    """Why parts of the analysis will be missing: absent or empty variables."""
    out = []
    for analyte in schema.ANALYTES:
        label = schema.VARIABLES[analyte].label
        present = [t for t in schema.TIMEPOINTS if f"{analyte}_{t}" in mapping]
        if not present:
            out.append(f"{analyte}: no column in the file; {label.lower()} not analysed")
        elif len(present) == 1:
            absent = f"{analyte}_{'post' if present[0] == 'pre' else 'pre'}"
            out.append(f"{analyte}_change not computed: {absent} is not in the file")
    for canonical, values in parsed.items():
        if n_rows and values.isna().all():
            out.append(f"{canonical}: every value is missing; not analysed")
    for column, what in (("age_years", "age"), ("finish_time_min", "finishing time"),
                         ("cramp_onset_km", "cramp-onset distance")):  # fmt: skip
        if column not in mapping:
            out.append(f"{column}: no column in the file; {what} not described")
    return out


def load_cohort(source: str | Path | pd.DataFrame, **options: object) -> pd.DataFrame:
    """Load a cohort in the canonical schema, or raise with every problem.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        The file (CSV or ``.xlsx``) or table to load; never modified.
    **options
        Reading and mapping options of :func:`check_cohort` (``sep``,
        ``decimal``, ``encoding``, ``columns``, ``group_column``,
        ``cramp_labels``, ``control_labels``, ``haematocrit_unit``,
        ``haemoglobin_unit``, ``censored``, ``derived``).

    Returns
    -------
    pandas.DataFrame
        One row per runner, every row of the file kept (missing values stay
        NaN): ``subject_id`` (if present), ``group`` in {'cramp', 'control'},
        the canonical numeric columns present (units as in
        :mod:`analysis.schema`: mmol/L, haemoglobin g/dL, haematocrit as a
        fraction), the derived columns (``pv_change``, ``bv_change``,
        ``cv_change`` in %, ``<analyte>_change`` post minus pre) and any extra
        columns of the file as text.

    Raises
    ------
    DataValidationError
        If anything is wrong; ``.problems`` lists every error at once, each
        with row, column, value and rule.

    Examples
    --------
    >>> from analysis import example_path
    >>> cohort = load_cohort(example_path("marathon"))
    >>> cohort.shape[0], list(cohort.columns[:4])
    (82, ['subject_id', 'group', 'age_years', 'finish_time_min'])
    """
    check = check_cohort(source, **options)  # type: ignore[arg-type]
    check.raise_for_errors()
    return cast(pd.DataFrame, check.cohort)  # no errors means a cohort


def add_derived(cohort: pd.DataFrame, *, decisions: list[str] | None = None) -> pd.DataFrame:
    """Return a copy with the derived variables added.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A cohort in the canonical schema.
    decisions : list of str, optional
        If given, a line is appended for each derived variable that could not
        be computed, saying which columns were missing.

    Returns
    -------
    pandas.DataFrame
        With ``<analyte>_change`` (post minus pre, in the analyte's unit) for
        every analyte with both columns, and ``bv_change``, ``cv_change`` and
        ``pv_change`` (percent, Dill & Costill 1974) when haemoglobin and
        haematocrit before and after are present. NaN where an input is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"group": ["cramp"], "haemoglobin_pre": [15.1],
    ...     "haemoglobin_post": [16.7], "haematocrit_pre": [0.44], "haematocrit_post": [0.453]})
    >>> print(f"{add_derived(cohort)['pv_change'].iloc[0]:.2f}")
    -11.68
    """
    out = cohort.copy()
    for analyte in schema.ANALYTES:
        pre, post = f"{analyte}_pre", f"{analyte}_post"
        if pre in out and post in out:
            out[f"{analyte}_change"] = out[post] - out[pre]
    needed = ["haemoglobin_pre", "haemoglobin_post", "haematocrit_pre", "haematocrit_post"]
    if all(c in out for c in needed):
        args = [out[c] for c in needed]
        out["bv_change"] = blood_volume_change(args[0], args[1])
        out["cv_change"] = cell_volume_change(*args)
        out["pv_change"] = plasma_volume_change(*args)
    elif decisions is not None:
        absent = [c for c in needed if c not in out]
        decisions.append(
            "pv_change (plasma-volume change, Dill & Costill) not computed: it needs "
            "haemoglobin and haematocrit before and after; missing " + ", ".join(absent)
        )
    return out
