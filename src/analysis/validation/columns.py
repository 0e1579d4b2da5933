"""Mapping the file's columns and group labels onto the canonical schema."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis import schema
from analysis.validation.options import LoadOptions
from analysis.validation.problems import Log, listing

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


def normalise_name(name: str) -> str:
    """Lower case, runs of anything but letters and digits as one ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def infer_canonical(name: str) -> str | None:
    """The canonical column a file's column name stands for, if it is a known spelling."""
    norm = normalise_name(name)
    if norm in schema.CANONICAL_COLUMNS:
        return norm
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


def known_names(cells: Iterable[str]) -> int:
    """How many cells are column names the loader recognises (a header row's signature)."""
    n = 0
    for cell in cells:
        if len(cell) < 80 and (infer_canonical(cell) or normalise_name(cell) in
                               _GROUP_COLUMN_NAMES):  # fmt: skip
            n += 1
    return n


def unique(names: list[str]) -> list[str]:
    """Make repeated column names unique (``a``, ``a (2)``) after they are reported."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def header_problems(header: list[str], log: Log, *, row: int = 1) -> None:
    """Record unnamed and repeated column names."""
    seen: dict[str, str] = {}
    for i, name in enumerate(header, start=1):
        if not str(name).strip():
            log.problem(
                row=row,
                column=f"(unnamed column {i})",
                rule="empty-header",
                message="a column with values has no name; name it or delete it",
            )
            continue
        key = normalise_name(name) or str(name).strip()
        if key in seen:
            log.problem(
                row=row,
                column=str(name),
                rule="duplicate-column",
                message=f"column name repeats {seen[key]!r}; names must be unique",
            )
        seen.setdefault(key, str(name))


def _close_match(name: str, header: list[str]) -> str:
    """A hint naming the header entry that differs from ``name`` only in case or spacing."""
    loose = [h for h in header if " ".join(h.split()).casefold() == " ".join(
        name.split()).casefold()]  # fmt: skip
    return f"; did you mean {loose[0]!r}?" if len(loose) == 1 else ""


def _given_columns(options: LoadOptions, log: Log) -> dict[str, str]:
    given = dict(options.columns or {})
    group_column = options.group_column
    if group_column is not None:
        if "group" in given and given["group"] != group_column:
            log.problem(column=group_column, rule="column-conflict",
                        message=f"--group-column {group_column!r} and --column "
                                f"group={given['group']!r} disagree")  # fmt: skip
        given["group"] = group_column
    return given


def map_columns(
    header: list[str],
    options: LoadOptions,
    log: Log,
    *,
    labels: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Return canonical -> source column; record problems and decisions.

    Explicit mappings win over inferred ones; a file column that would have
    been inferred as an explicitly mapped variable is kept as an extra column
    and the choice is echoed. ``labels`` (column -> variable label, from an
    SPSS or Stata file) name a column whose own name is not recognised.
    """
    mapping: dict[str, str] = {}
    allowed = set(schema.CANONICAL_COLUMNS)
    given = _given_columns(options, log)
    for canonical, src in given.items():
        if canonical not in allowed:
            log.problem(column=src, rule="unknown-canonical",
                        message=f"{canonical!r} is not a canonical column; choose from "
                                f"{', '.join(schema.CANONICAL_COLUMNS)}")  # fmt: skip
        elif src not in header:
            log.problem(column=src, rule="column-missing",
                        message=f"column given for {canonical} is not in the file"
                                f"{_close_match(src, header)} (names must match exactly); "
                                f"its columns are {listing(header)}")  # fmt: skip
        elif src in mapping.values():
            other = next(k for k, v in mapping.items() if v == src)
            log.problem(column=src, rule="column-reused",
                        message=f"column given for both {other} and {canonical}; each "
                                "column can hold one variable")  # fmt: skip
        else:
            mapping[canonical] = src
            log.decide(f"column {src!r} -> {canonical} (given)")
    explicit = set(mapping) | set(given)
    taken = set(mapping.values())
    for name in header:
        if name not in taken:
            _infer_one(name, mapping, explicit, log, label=(labels or {}).get(name))
    return mapping


def _infer_one(
    name: str, mapping: dict[str, str], explicit: set[str], log: Log, *, label: str | None
) -> None:
    canonical = infer_canonical(name)
    how = "inferred"
    if canonical is None and "group" not in explicit and normalise_name(name) in (
            _GROUP_COLUMN_NAMES):  # fmt: skip
        canonical = "group"
    if canonical is None and label:
        canonical = infer_canonical(label)
        if canonical is None and "group" not in explicit and normalise_name(label) in (
                _GROUP_COLUMN_NAMES):  # fmt: skip
            canonical = "group"
        how = f"inferred from its variable label {label!r}"
    if canonical is None:
        return
    if canonical in explicit:
        if canonical in mapping:
            log.decide(f"column {name!r} not used as {canonical}: {mapping[canonical]!r} was "
                       "given; kept as an extra column")  # fmt: skip
        return
    if canonical in mapping:
        log.problem(column=str(name), rule="ambiguous-column",
                    message=f"both {mapping[canonical]!r} and {name!r} look like {canonical}; "
                            f"choose one with --column {canonical}=NAME")  # fmt: skip
        return
    mapping[canonical] = name
    if name != canonical:
        log.decide(f"column {name!r} -> {canonical} ({how})")


def asks_cramp(column: str) -> bool:
    """True if a column's name asks "cramp?", so that yes can only mean cramp."""
    tokens = set(normalise_name(column).split("_"))
    negating = {"no", "non", "not", "without", "control", "controls", "noncramp",
                "noncramper", "noncrampers", "free"}  # fmt: skip
    return bool(tokens & (CRAMP_NAMES | {"cramp"})) and not tokens & negating


def _group_labels(column: str, options: LoadOptions) -> tuple[set[str], set[str], str, bool]:
    """(cramp labels, control labels, how they were chosen, yes/no ambiguous)."""
    if options.cramp_labels is not None or options.control_labels is not None:
        cramp = {v.strip().lower() for v in options.cramp_labels or ()}
        control = {v.strip().lower() for v in options.control_labels or ()}
        return cramp, control, "given", False
    cramp, control = set(CRAMP_NAMES), set(CONTROL_NAMES)
    if asks_cramp(column):
        how = (f"inferred from the column name {column!r}; override with "
               "--cramp-label/--control-label")  # fmt: skip
        return cramp | YES_SPELLINGS, control | NO_SPELLINGS, how, False
    return cramp, control, "inferred; override with --cramp-label/--control-label", True


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:3])
    return f"{len(rows)} row{'s' if len(rows) != 1 else ''}: " + shown + (
        f" and {len(rows) - 3} more" if len(rows) > 3 else "")  # fmt: skip


def map_groups(values: pd.Series, column: str, options: LoadOptions, log: Log) -> pd.Series:
    """The group of every row ('cramp', 'control' or '' when unknown); problems logged.

    A label that is neither group is reported once, with the rows it is on;
    a column of two unknown codes (``1``/``0``) is one problem with the exact
    options to pass.
    """
    stripped = values.fillna("").astype(str).str.strip()
    lowered = stripped.str.lower()
    cramp, control, how, yes_no = _group_labels(column, options)
    overlap = cramp & control
    for label in sorted(overlap):
        log.problem(
            column=column,
            value=label,
            rule="group-label-conflict",
            message="the same label is given for both cramp and control",
        )
    group = pd.Series(
        np.where(lowered.isin(cramp - overlap), "cramp",
                 np.where(lowered.isin(control - overlap), "control", "")),
        index=values.index,
        dtype=object,
    )  # fmt: skip
    _unknown_groups(stripped[group == ""], column, (cramp - overlap, control - overlap),
                    yes_no, int((group != "").sum()), options, log)  # fmt: skip
    for label in sorted(set(stripped[group != ""])):
        target = "cramp" if label.lower() in cramp else "control"
        if label != target:
            log.decide(f"group label {label!r} -> {target} ({how})")
    return group


def _two_unknown_labels(
    codes: dict[str, list[int]], n_known: int, options: LoadOptions, column: str, log: Log
) -> bool:
    """Two labels, neither known, and nothing else: one problem with the exact options."""
    if (len(codes) != 2 or n_known or options.cramp_labels is not None
            or options.control_labels is not None
            or any(v.lower() in YES_SPELLINGS | NO_SPELLINGS for v in codes)):  # fmt: skip
        return False
    if all(re.fullmatch(r"[-+]?\d+", v) for v in codes):
        first, second = sorted(codes, key=int, reverse=True)
        how = "coded"
    else:  # crampers are usually the smaller group
        first, second = sorted(codes, key=lambda v: (len(codes[v]), v))
        how = "labelled"
    log.problem(row=min(codes[first] + codes[second]), column=column, rule="unknown-group",
                message=f"the groups are {how} {first!r} ({len(codes[first])} rows) and "
                        f"{second!r} ({len(codes[second])} rows), which are not group labels; "
                        f"if {first} means cramp, pass --cramp-label {_shell(first)} "
                        f"--control-label {_shell(second)}")  # fmt: skip
    return True


def _shell(label: str) -> str:
    """A label as it must be typed in a shell."""
    return label if re.fullmatch(r"[\w.+-]+", label) else shlex.quote(label)


def _unknown_groups(
    unknown: pd.Series,
    column: str,
    labels: tuple[set[str], set[str]],
    yes_no: bool,
    n_known: int,
    options: LoadOptions,
    log: Log,
) -> None:
    missing_tokens = (MISSING_TOKENS - NO_SPELLINGS) | {v.lower() for v in options.na_values}
    by_value: dict[str, list[int]] = {}
    for row, raw in unknown.items():
        by_value.setdefault(raw, []).append(int(row))  # type: ignore[arg-type]
    blank = {v: r for v, r in by_value.items() if v == "" or v.lower() in missing_tokens}
    codes = {v: r for v, r in by_value.items() if v not in blank}
    if _two_unknown_labels(codes, n_known, options, column, log):
        codes = {}
    for raw, rows in codes.items():
        if yes_no and raw.lower() in YES_SPELLINGS | NO_SPELLINGS:
            message = (f"{raw!r} does not say which group under a column named {column!r}; "
                       "pass --cramp-label and --control-label, e.g. --cramp-label Yes "
                       "--control-label No")  # fmt: skip
        else:
            message = ("is neither a cramp nor a control label; accepted labels are "
                       f"{sorted(labels[0])} and {sorted(labels[1])}; pass "
                       "--cramp-label/--control-label for other labels")  # fmt: skip
        if len(rows) > 1:
            message += f" ({_rows_text(rows)})"
        log.problem(row=rows[0], column=column, value=raw, rule="unknown-group", message=message)
    for raw, rows in blank.items():
        for row in rows:
            log.problem(
                row=row,
                column=column,
                value=raw,
                rule="unknown-group",
                message="group is missing; every runner must be cramp or control",
            )
