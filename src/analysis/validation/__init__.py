"""Load a cohort file, check every cell, and report every problem at once.

A cohort file has one row per runner: a group column (crampers and
non-crampers) and at least one analyte. :func:`check_cohort` reads the file
(CSV with any common separator and decimal mark, Excel ``.xlsx``, SPSS
``.sav``, Stata ``.dta``, or standard input) as text,
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

from analysis.validation.api import check_cohort, load_cohort
from analysis.validation.cells import parse_numbers
from analysis.validation.columns import (
    CONTROL_NAMES,
    CONTROL_SPELLINGS,
    CRAMP_NAMES,
    CRAMP_SPELLINGS,
    MISSING_TOKENS,
    NO_SPELLINGS,
    YES_SPELLINGS,
    asks_cramp,
    infer_canonical,
    map_columns,
    map_groups,
    normalise_name,
)
from analysis.validation.derived import DERIVED_NAMES, add_derived, derived_inputs
from analysis.validation.options import SEPARATOR_NAMES, LoadOptions, normalise_separator
from analysis.validation.problems import (
    CHECKS,
    CohortCheck,
    DataValidationError,
    Log,
    Problem,
    Severity,
    count_findings,
)
from analysis.validation.reading import MAX_COLUMNS, MAX_LINE_CHARS, MAX_STDIN_BYTES

# the names other modules used before the package split (kept for now)
_DERIVED_NAMES = DERIVED_NAMES
_derived_inputs = derived_inputs
_normalise_name = normalise_name
_infer_canonical = infer_canonical
_asks_cramp = asks_cramp

__all__ = [
    "CHECKS",
    "CONTROL_NAMES",
    "CONTROL_SPELLINGS",
    "CRAMP_NAMES",
    "CRAMP_SPELLINGS",
    "DERIVED_NAMES",
    "MAX_COLUMNS",
    "MAX_LINE_CHARS",
    "MAX_STDIN_BYTES",
    "MISSING_TOKENS",
    "NO_SPELLINGS",
    "SEPARATOR_NAMES",
    "YES_SPELLINGS",
    "CohortCheck",
    "DataValidationError",
    "LoadOptions",
    "Log",
    "Problem",
    "Severity",
    "add_derived",
    "check_cohort",
    "count_findings",
    "derived_inputs",
    "load_cohort",
    "map_columns",
    "map_groups",
    "normalise_separator",
    "parse_numbers",
]
