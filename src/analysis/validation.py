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
CRAMP_SPELLINGS = frozenset(
    {"cramp", "cramps", "cramped", "cramper", "crampers", "cramping", "eamc", "yes", "y", "true"}
)
CONTROL_SPELLINGS = frozenset(
    {
        "control", "controls", "no", "n", "false", "none", "no cramp", "no cramps",
        "non-cramper", "non-crampers", "noncramper", "noncrampers", "non cramper",
        "non crampers", "non-cramp", "noncramp",
    }
)  # fmt: skip

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
    """

    source: str
    cohort: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)
    n_rows: int = 0

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
        lines += ["", f"Errors ({len(self.errors)}):"]
        lines += [f"  - {p}" for p in self.errors] or ["  (none)"]
        lines += ["", f"Warnings, accepted ({len(self.warnings)}):"]
        lines += [f"  - {p}" for p in self.warnings] or ["  (none)"]
        lines += ["", "Missing values per column (kept as missing, never dropped):"]
        lines += [f"  - {c}: {n}" for c, n in self.missing.items()] or ["  (no columns)"]
        lines += ["", "Result: " + ("PASSED" if self.ok else "FAILED, nothing analysed")]
        return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------
# reading


def _normalise_name(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _detect_separator(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ",", (0, 0)
    for sep in (",", ";", "\t", "|"):
        widths = [len(r) for r in csv.reader(lines, delimiter=sep)]
        if not widths or widths[0] < 2:
            continue
        agree = sum(w == widths[0] for w in widths)
        score = (agree, widths[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def _ragged_rows(text: str, sep: str) -> list[Problem]:
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    if not rows:
        return []
    width = len(rows[0])
    return [
        Problem(
            i + 1, None, sep.join(r)[:60], "ragged-row",
            f"has {len(r)} fields but the header has {width}",
        )
        for i, r in enumerate(rows[1:], start=1)
        if len(r) != width and any(cell.strip() for cell in r)
    ]  # fmt: skip


def _header_from_first_row(raw: pd.DataFrame) -> pd.DataFrame:
    """Use the first row as the header, keeping repeated names (pandas would rename them)."""
    header = [str(c).strip() for c in raw.iloc[0]] if len(raw) else []
    table = raw.iloc[1:].reset_index(drop=True)
    table.columns = pd.Index(header, dtype=object)
    return table


def _read_table(
    source: str | Path,
    *,
    sep: str | None,
    decimal: str | None,
    encoding: str | None,
    sheet: str | int,
    decisions: list[str],
) -> tuple[pd.DataFrame | None, list[Problem], str | None]:
    """Read a file as a table of strings; return (table, problems, decimal)."""
    path = Path(source)
    if not path.is_file():
        return None, [Problem(None, None, str(path), "file-missing", "no such file")], None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            table = _header_from_first_row(
                pd.read_excel(path, sheet_name=sheet, dtype=str, keep_default_na=False,
                              header=None)
            )  # fmt: skip
        except Exception as exc:  # openpyxl raises many types for a broken file
            return None, [Problem(None, None, path.name, "unreadable", f"not a readable .xlsx "
                                  f"file ({type(exc).__name__}: {exc})")], None  # fmt: skip
        decisions.append(f"read Excel sheet {sheet!r}")
        return table, [], "."
    raw = path.read_bytes()
    enc = encoding or "utf-8-sig"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(line, None, repr(raw[exc.start:exc.start + 1]), "encoding",
                              f"the file is not valid {enc} (byte at line {line}); "
                              "give the encoding, e.g. --encoding latin-1")], None  # fmt: skip
    except LookupError:
        return None, [Problem(None, None, enc, "encoding", "unknown encoding name")], None
    if encoding:
        decisions.append(f"encoding: {enc} (given)")
    if not text.strip():
        return None, [Problem(None, None, "", "empty-file", "the file is empty")], None
    if sep is None:
        sep = _detect_separator(text)
        decisions.append(f"separator: {sep!r} (detected; override with --sep)")
    else:
        decisions.append(f"separator: {sep!r} (given)")
    try:
        table = _header_from_first_row(pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, engine="c",
            skip_blank_lines=True, header=None,
        ))  # fmt: skip
    except pd.errors.ParserError:
        problems = _ragged_rows(text, sep)
        return None, problems or [Problem(None, None, None, "unparseable",
                                          "the file could not be parsed as a table")], None  # fmt: skip
    if decimal is None:
        sample = table.head(500).to_numpy().ravel().tolist()
        comma = sum(bool(re.fullmatch(r"\s*-?\d+,\d+\s*", str(c))) for c in sample)
        point = sum(bool(re.fullmatch(r"\s*-?\d+\.\d+\s*", str(c))) for c in sample)
        decimal = "," if comma > point and sep != "," else "."
        decisions.append(f"decimal mark: {decimal!r} (detected; override with --decimal)")
    else:
        decisions.append(f"decimal mark: {decimal!r} (given)")
    return table, [], decimal


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


def _header_problems(header: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name in header:
        if not str(name).strip() or str(name).lower() == "nan":
            problems.append(Problem(1, str(name), None, "empty-header", "a column has no name"))
            continue
        key = _normalise_name(name)
        if key in seen:
            problems.append(Problem(1, str(name), None, "duplicate-column",
                                    f"column name repeats {seen[key]!r}; names must be "
                                    "unique"))  # fmt: skip
        seen.setdefault(key, str(name))
    return problems


def _map_columns(
    header: list[str], columns: Mapping[str, str] | None, group_column: str | None
) -> tuple[dict[str, str], list[Problem], list[str]]:
    """Return canonical -> source column, problems and decisions."""
    problems: list[Problem] = []
    decisions: list[str] = []
    mapping: dict[str, str] = {}
    allowed = set(schema.CANONICAL_COLUMNS)
    for canonical, src in (columns or {}).items():
        if canonical not in allowed:
            problems.append(Problem(None, src, None, "unknown-canonical",
                                    f"{canonical!r} is not a canonical column; choose from "
                                    f"{', '.join(schema.CANONICAL_COLUMNS)}"))  # fmt: skip
        elif src not in header:
            problems.append(Problem(None, src, None, "column-missing",
                                    f"column given for {canonical!r} is not in the file; "
                                    f"its columns are {', '.join(map(str, header))}"))  # fmt: skip
        else:
            mapping[canonical] = src
            decisions.append(f"column {src!r} -> {canonical} (given)")
    if group_column is not None:
        if group_column in header:
            mapping["group"] = group_column
            decisions.append(f"column {group_column!r} -> group (given)")
        else:
            problems.append(Problem(None, group_column, None, "column-missing",
                                    "the group column given is not in the file; its columns "
                                    f"are {', '.join(map(str, header))}"))  # fmt: skip
    taken = set(mapping.values())
    for name in header:
        if name in taken:
            continue
        norm = _normalise_name(name)
        canonical = norm if norm in allowed else _infer_canonical(name)
        if canonical is None and "group" not in mapping and group_column is None:
            canonical = "group" if norm in _GROUP_COLUMN_NAMES else None
        if canonical is None:
            continue
        if canonical in mapping:
            problems.append(Problem(None, str(name), None, "ambiguous-column",
                                    f"both {mapping[canonical]!r} and {name!r} look like "
                                    f"{canonical}; map one explicitly with "
                                    f"--column {canonical}=NAME"))  # fmt: skip
            continue
        mapping[canonical] = name
        if name != canonical:
            decisions.append(f"column {name!r} -> {canonical} (inferred)")
    return mapping, problems, decisions


def _map_groups(
    values: pd.Series,
    column: str,
    cramp_labels: Iterable[str] | None,
    control_labels: Iterable[str] | None,
) -> tuple[pd.Series, list[Problem], list[str]]:
    stripped = values.fillna("").astype(str).str.strip()
    lowered = stripped.str.lower()
    if cramp_labels is not None or control_labels is not None:
        cramp = {str(v).strip().lower() for v in cramp_labels or ()}
        control = {str(v).strip().lower() for v in control_labels or ()}
        how = "given"
    else:
        cramp, control = set(CRAMP_SPELLINGS), set(CONTROL_SPELLINGS)
        how = "inferred; override with --cramp-label/--control-label"
    overlap = cramp & control
    problems = [
        Problem(None, column, label, "group-label-conflict",
                "the same label is given for both cramp and control")
        for label in sorted(overlap)
    ]  # fmt: skip
    group = pd.Series(
        np.where(lowered.isin(cramp), "cramp", np.where(lowered.isin(control), "control", "")),
        index=values.index,
        dtype=object,
    )
    for idx in np.flatnonzero((group == "").to_numpy()):
        raw = stripped.iloc[idx]
        if raw == "" or raw.lower() in MISSING_TOKENS:
            message = "group is missing; every runner must be cramp or control"
        else:
            message = (
                "is neither a cramp nor a control label; accepted labels are "
                f"{sorted(cramp)} and {sorted(control)}"
            )
        problems.append(Problem(idx + 2, column, stripped.iloc[idx], "unknown-group", message))
    decisions = []
    used = sorted(set(stripped[group != ""]))
    for label in used:
        target = "cramp" if label.lower() in cramp else "control"
        if label != target:
            decisions.append(f"group label {label!r} -> {target} ({how})")
    return group, problems, decisions


# ----------------------------------------------------------------------------
# cells


def _parse_numbers(
    raw: pd.Series, column: str, decimal: str, censored: str
) -> tuple[pd.Series, list[Problem]]:
    text = raw.fillna("").astype(str).str.strip()
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    missing = text.str.lower().isin(MISSING_TOKENS)
    numbers = pd.to_numeric(text.where(~missing, None), errors="coerce").astype(float)
    bad = (numbers.isna() & ~missing) | ~np.isfinite(numbers.fillna(0.0))
    problems: list[Problem] = []
    for idx in np.flatnonzero(bad.to_numpy()):
        value = str(raw.iloc[idx]).strip()
        if re.fullmatch(r"[<>]=?\s*[-+]?\d+([.,]\d+)?", value):
            if censored == "missing":
                problems.append(Problem(idx + 2, column, value, "censored-value",
                                        "censored lab value read as missing (--censored "
                                        "missing)", "warning"))  # fmt: skip
            else:
                problems.append(Problem(idx + 2, column, value, "censored-value",
                                        "censored lab value (below/above the assay's limit) "
                                        "is not a number; enter a number, leave it blank, or "
                                        "pass --censored missing"))  # fmt: skip
        else:
            hint = " (decimal comma? pass --decimal ,)" if re.search(r"\d,\d", value) else ""
            problems.append(Problem(idx + 2, column, value, "not-a-number",
                                    f"is not a number{hint}"))  # fmt: skip
    numbers[bad.to_numpy()] = np.nan
    return numbers, problems


def _convert_unit(
    values: dict[str, pd.Series], base: str, given: str, decisions: list[str]
) -> float:
    """Return the factor that brings ``base`` columns to the canonical unit."""
    if not values:
        return 1.0
    pooled = pd.concat(list(values.values()))
    median = float(pooled.median()) if pooled.notna().any() else float("nan")
    if base == "haematocrit":
        units = {"fraction": 1.0, "percent": 0.01}
        guess = "percent" if median > 1.5 else "fraction"
    else:
        units = {"g/dL": 1.0, "g/L": 0.1}
        guess = "g/L" if median > 30 else "g/dL"
    if given == "auto":
        unit, how = guess, f"detected from the median {median:g}"
    else:
        if given not in units:
            raise ValueError(f"`{base}_unit` must be 'auto' or one of {sorted(units)}; "
                             f"got {given!r}")  # fmt: skip
        unit, how = given, "given"
    note = f"{base} unit: {unit} ({how})"
    if units[unit] != 1.0:
        note += f"; converted to {schema.VARIABLES[base].unit}"
    decisions.append(note)
    return units[unit]


def _check_ranges(
    values: pd.Series, canonical: str, column: str, raw: pd.Series
) -> list[Problem]:
    var = schema.VARIABLES[schema.base_of(canonical)]
    lo, hi = var.plausible
    problems: list[Problem] = []
    arr = values.to_numpy()
    impossible = np.flatnonzero((arr < lo) | (arr > hi))
    for idx in impossible:
        problems.append(Problem(idx + 2, column, str(raw.iloc[idx]).strip(), "impossible-value",
                                f"{var.label} must be between {lo:g} and {hi:g} {var.unit} to "
                                f"be physiologically possible (read as {arr[idx]:g}); a typo "
                                "or a unit slip?"))  # fmt: skip
    if var.reference is not None:
        rlo, rhi = var.reference
        flagged = np.flatnonzero(((arr < rlo) | (arr > rhi)) & (arr >= lo) & (arr <= hi))
        for idx in flagged:
            side = "below" if arr[idx] < rlo else "above"
            problems.append(Problem(idx + 2, column, str(raw.iloc[idx]).strip(),
                                    "outside-reference-range",
                                    f"{side} the adult reference range {rlo:g}-{rhi:g} "
                                    f"{var.unit}; flagged, accepted", "warning"))  # fmt: skip
    return problems


# ----------------------------------------------------------------------------
# public API


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

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A ``.csv``/``.txt``/``.tsv`` file, an ``.xlsx`` file, or a table
        already in memory. The file is only read, never modified.
    sep : str, optional
        Field separator; detected among ``,`` ``;`` tab and ``|`` when omitted.
    decimal : {'.', ','}, optional
        Decimal mark; detected when omitted.
    encoding : str, optional
        Text encoding; UTF-8 (with or without BOM) when omitted.
    sheet : str or int, default 0
        Excel sheet name or index.
    columns : mapping, optional
        Canonical name -> column name in the file, e.g.
        ``{'sodium_pre': 'Na (mmol/L) before'}``. Other columns are matched by
        canonical name (case and spacing ignored) or common spellings
        (``Na_pre``, ``Hct post``, ``hemoglobin_after``), each echoed in
        :attr:`CohortCheck.decisions`.
    group_column : str, optional
        The column holding the group; default ``group`` or a common spelling.
    cramp_labels, control_labels : iterable of str, optional
        Labels (case-insensitive) meaning cramp and control. When both are
        omitted, common spellings are inferred (``cramp``, ``yes``, ``y``,
        ``true``... and ``control``, ``no``, ``n``, ``false``, ``non-cramper``...).
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
        columns of the file, kept as text) is ``None`` when there are errors.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"Group": ["Yes", "No", "maybe"],
    ...                       "Na post": ["141", "14", "140"]})
    >>> check = check_cohort(table)
    >>> check.ok
    False
    >>> for problem in check.errors:
    ...     print(problem)
    row 3, column 'Na post', value '14': Serum sodium must be between 90 and 200 mmol/L to be physiologically possible (read as 14); a typo or a unit slip? [impossible-value]
    row 4, column 'Group', value 'maybe': is neither a cramp nor a control label; accepted labels are ['cramp', 'cramped', 'cramper', 'crampers', 'cramping', 'cramps', 'eamc', 'true', 'y', 'yes'] and ['control', 'controls', 'false', 'n', 'no', 'no cramp', 'no cramps', 'non cramper', 'non crampers', 'non-cramp', 'non-cramper', 'non-crampers', 'noncramp', 'noncramper', 'noncrampers', 'none'] [unknown-group]
    """  # noqa: E501
    decisions: list[str] = []
    if isinstance(source, pd.DataFrame):
        name = "DataFrame"
        table = source.astype(object).where(source.notna(), "").astype(str)
        table.columns = [str(c) for c in source.columns]
        problems: list[Problem] = []
        dec = decimal or "."
    else:
        name = str(source)
        table, problems, dec = _read_table(
            source, sep=sep, decimal=decimal, encoding=encoding, sheet=sheet,
            decisions=decisions,
        )  # fmt: skip
    if table is None:
        return CohortCheck(name, None, problems, decisions)
    n_rows = len(table)
    if n_rows == 0:
        problems.append(Problem(None, None, None, "no-rows", "the file has a header but no "
                                "data rows"))  # fmt: skip
    problems += _header_problems([str(c) for c in table.columns])
    header = _unique([str(c) for c in table.columns])
    table.columns = header
    mapping, col_problems, col_decisions = _map_columns(
        [str(c) for c in table.columns], columns, group_column
    )
    problems += col_problems
    decisions += col_decisions

    out: dict[str, pd.Series] = {}
    if "group" not in mapping:
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
        for label in schema.GROUPS:
            if n_rows and not (group == label).any():
                problems.append(Problem(None, mapping["group"], None, "group-empty",
                                        f"no runner is in group {label!r}; both groups are "
                                        "needed for a comparison"))  # fmt: skip

    analytes = [c for c in mapping if schema.base_of(c) in schema.ANALYTES]
    if not analytes:
        problems.append(Problem(None, None, None, "no-analyte",
                                "no analyte column found; expected at least one of "
                                f"{', '.join(c for c in schema.CANONICAL_COLUMNS[5:])} "
                                f"(columns in the file: {', '.join(header)})"))  # fmt: skip

    if "subject_id" in mapping:
        ids = table[mapping["subject_id"]].fillna("").astype(str).str.strip()
        first_row: dict[str, int] = {}
        for idx, sid in enumerate(ids):
            if sid == "":
                problems.append(Problem(idx + 2, mapping["subject_id"], "", "missing-id",
                                        "subject id is missing", "warning"))  # fmt: skip
            elif sid in first_row:
                problems.append(Problem(idx + 2, mapping["subject_id"], sid, "duplicate-id",
                                        f"subject id repeats row {first_row[sid]}"))  # fmt: skip
            else:
                first_row[sid] = idx + 2
        out["subject_id"] = ids

    numeric = [c for c in schema.CANONICAL_COLUMNS if c in mapping and c not in
               ("subject_id", "group")]  # fmt: skip
    parsed: dict[str, pd.Series] = {}
    for canonical in numeric:
        src = mapping[canonical]
        parsed[canonical], p = _parse_numbers(table[src], src, dec or ".", censored)
        problems += p
    for base, given in (("haematocrit", haematocrit_unit), ("haemoglobin", haemoglobin_unit)):
        cols = {c: parsed[c] for c in (f"{base}_pre", f"{base}_post") if c in parsed}
        factor = _convert_unit(cols, base, given, decisions)
        for c in cols:
            parsed[c] = parsed[c] * factor
    for canonical in numeric:
        problems += _check_ranges(parsed[canonical], canonical, mapping[canonical],
                                  table[mapping[canonical]])  # fmt: skip
        out[canonical] = parsed[canonical]
    if "cramp_onset_km" in parsed and "group" in out:
        for idx in np.flatnonzero((parsed["cramp_onset_km"].notna() & (out["group"] ==
                                                                       "control")).to_numpy()):
            problems.append(Problem(idx + 2, mapping["cramp_onset_km"],
                                    str(table[mapping["cramp_onset_km"]].iloc[idx]),
                                    "onset-in-control", "a control runner has a cramp-onset "
                                    "distance; kept, but check the group", "warning"))  # fmt: skip

    problems.sort(key=lambda p: (p.row if p.row is not None else 0, header.index(p.column)
                                 if p.column in header else -1))  # fmt: skip
    missing = {c: int(parsed[c].isna().sum()) for c in numeric}
    extras = [c for c in header if c not in mapping.values()]
    if extras:
        decisions.append(f"extra columns kept in the record, not analysed: {', '.join(extras)}")
    if any(p.severity == "error" for p in problems):
        return CohortCheck(name, None, problems, decisions, missing, n_rows)

    ordered = [c for c in schema.CANONICAL_COLUMNS if c in out]
    cohort = pd.DataFrame({c: out[c] for c in ordered}, index=pd.RangeIndex(n_rows))
    cohort["group"] = cohort["group"].astype(str)
    if "subject_id" in cohort:
        cohort["subject_id"] = cohort["subject_id"].astype(str)
    if derived:
        cohort = add_derived(cohort, decisions=decisions)
    for c in extras:
        cohort[c] = table[c].to_numpy()
    return CohortCheck(name, cohort, problems, decisions, missing, n_rows)


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
            "plasma-volume change not computed: missing " + ", ".join(absent)
        )
    return out
