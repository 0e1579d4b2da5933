"""What the checks find: problems, the log they are recorded in, and the outcome."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from analysis import schema

Severity = Literal["error", "warning"]

#: a rule reported more often than this in one column is summarised: the first
#: ``_SHOWN`` findings are kept and one line counts the rest
_SUMMARY_LIMITS: dict[str, int] = {"error": 10, "warning": 100}
_SHOWN: dict[str, int] = {"error": 3, "warning": 100}


def count_findings(problems: Iterable[Problem]) -> int:
    """How many findings ``problems`` stand for (a summarised problem counts each).

    >>> count_findings([Problem(None, None, None, "r", "m", "error", count=4),
    ...                 Problem(None, None, None, "r", "m", "error")])
    5
    """
    return sum(getattr(p, "count", 1) for p in problems)


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
    count : int, default 1
        How many findings this one stands for (more than 1 when repeated
        findings are summarised in one line).
    """

    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str
    severity: Severity = "error"
    count: int = 1

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
        n = sum(p.count for p in self.problems)
        lines = [f"{source}: {n} problem{'s' if n != 1 else ''} found; nothing was analysed."]
        lines += [f"  - {p}" for p in self.problems]
        lines.append("Rows are numbered as in a spreadsheet: the header is row 1.")
        super().__init__("\n".join(lines))


#: every rule the loader applies: rule -> what is checked (the order of validation.txt)
CHECKS: dict[str, str] = {
    "file-missing": "the file exists and is a regular file",
    "unsupported-format": "the format is CSV/text, .xlsx, .sav or .dta",
    "unreadable": "the file or workbook can be read",
    "sheet-missing": "the Excel sheet exists",
    "encoding": "the text decodes in the encoding used",
    "binary-file": "the file is text, not binary",
    "empty-file": "the file is not empty",
    "not-a-table": "lines and column counts are those of a table",
    "unparseable": "the file splits into fields",
    "ragged-row": "every row has as many fields as the header",
    "one-column": "the separator splits the header",
    "title-row": "the header is the first row (or --skip-rows is given)",
    "no-rows": "there is at least one data row",
    "empty-header": "every column with values has a name",
    "duplicate-column": "column names are unique",
    "unknown-canonical": "--column names a canonical column",
    "column-missing": "every column given is in the file",
    "column-reused": "no column is given for two variables",
    "column-conflict": "--group-column and --column group agree",
    "ambiguous-column": "no two columns look like the same variable",
    "units-row": "no units row under the header (or --units-row is given)",
    "summary-row": "no summary row (mean, total...) among the runners",
    "merged-cells": "no merged cells over the runners' rows",
    "formula-no-value": "every formula cell has a saved result",
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
               "binary-file", "empty-file", "not-a-table", "unparseable",
               "ragged-row")  # fmt: skip


@dataclass
class Log:
    """Where every step records its problems, decisions and skipped sections."""

    problems: list[Problem] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def problem(
        self,
        *,
        rule: str,
        message: str,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        severity: Severity = "error",
    ) -> None:
        """Record one problem."""
        self.problems.append(Problem(row=row, column=column, value=value, rule=rule,
                                     message=message, severity=severity))  # fmt: skip

    def decide(self, line: str) -> None:
        """Record something detected or inferred and used."""
        self.decisions.append(line)

    def skip(self, line: str) -> None:
        """Record a part of the analysis this file does not allow, and why."""
        self.skipped.append(line)

    @property
    def has_errors(self) -> bool:
        """True once any error was recorded."""
        return any(p.severity == "error" for p in self.problems)


def summarise(problems: list[Problem]) -> list[Problem]:
    """Keep the first findings of a rule repeated in one column and count the rest.

    A rule reported more than 10 times (errors) or 100 times (warnings) in
    one column keeps its first 3 (100) findings and one line saying how many
    more there are and on which rows (the first 10 listed), so that a wrong
    file gives a few lines, not thousands.
    """
    groups: dict[tuple[str, str | None, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.rule, p.column, p.severity), []).append(p)
    dropped: set[int] = set()
    after: dict[int, Problem] = {}  # id of the last finding shown -> its summary line
    for (rule, column, severity), found in groups.items():
        if len(found) <= _SUMMARY_LIMITS[severity]:
            continue
        rest = found[_SHOWN[severity] :]
        dropped.update(id(p) for p in rest)
        rows = [p.row for p in rest if p.row is not None]
        listed = ", ".join(str(r) for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
        n_rest = sum(p.count for p in rest)
        after[id(found[_SHOWN[severity] - 1])] = Problem(
            row=None, column=column, value=None, rule=rule,
            message=f"... and {n_rest} more like the above" + (f" (rows {listed})" if rows
                                                               else ""),
            severity=severity, count=n_rest,
        )  # fmt: skip
    out: list[Problem] = []
    for p in problems:
        if id(p) not in dropped:
            out.append(p)
        if id(p) in after:
            out.append(after[id(p)])
    return out


def listing(names: Iterable[str], *, limit: int = 20) -> str:
    """Names quoted and joined, at most ``limit`` of them, then how many more."""
    names = list(names)
    shown = ", ".join(repr(n if len(n) <= 60 else n[:57] + "...") for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


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
        Every error and warning, in file order; a rule repeated many times in
        one column is summarised (see :attr:`Problem.count`).
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
            n_err = sum(p.count for p in found if p.severity == "error")
            n_warn = sum(p.count for p in found) - n_err
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
        n_errors = sum(p.count for p in self.errors)
        n_warnings = sum(p.count for p in self.warnings)
        lines += ["", f"Errors ({n_errors}):"]
        lines += [f"  - {p}" for p in self.errors] or ["  (none)"]
        lines += ["", f"Warnings, accepted ({n_warnings}):"]
        lines += [f"  - {p}" for p in self.warnings] or ["  (none)"]
        lines += ["", "Missing values per column (kept as missing, never dropped):"]
        lines += [f"  - {c}: {n}" for c, n in self.missing.items()] or ["  (no columns)"]
        lines += ["", "Sections skipped (not possible with this file):"]
        lines += [f"  - {s}" for s in self.skipped] or ["  (none)"]
        lines += ["", "Result: " + ("PASSED" if self.ok else "FAILED, nothing analysed")]
        return "\n".join(lines) + "\n"
